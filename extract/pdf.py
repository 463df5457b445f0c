"""PDF pages to text with pdfplumber, in reading order, column by column.

Campaign tracts are often laid out in two or three columns. Reading such a
page line by line across the whole width interleaves the columns, so each
page is first cut into horizontal bands: bands whose lines cross a gutter
(titles, headers spanning the page) are read whole, the others column by
column, left to right.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from config.errors import EncryptedDocument, ExtractionError
from extract.model import PageText
from extract.text import normalise

_MIN_GUTTER_PT = 8.0
_SEARCH_BAND = (0.15, 0.85)  # gutters are looked for away from the margins


@dataclass(frozen=True)
class _Row:
    top: float
    bottom: float
    spanning: bool


def extract_pdf(path: Path, *, name: str | None = None) -> list[PageText]:
    """Every page's text, or a typed error naming the file when the PDF cannot be opened."""
    name = name or str(path)
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedDocument(
                "the PDF is password-protected; remove the protection and run `vigie run` again",
                path=name,
            ) from exc
        raise ExtractionError(f"not a readable PDF ({cause!r}); check the file is complete", path=name) from exc
    except PSException as exc:
        raise ExtractionError(f"not a readable PDF ({exc!r}); check the file is complete", path=name) from exc
    pages: list[PageText] = []
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                text = normalise(page_text(page))
                warnings: tuple[str, ...] = ()
                method = "text"
                if not text:
                    method = "needs_ocr"
                    warnings = (f"{name} page {number}: no text layer; the page needs OCR",)
            except Exception as exc:  # one bad page must not lose the others
                text, method = "", "text"
                warnings = (f"{name} page {number}: text could not be read ({type(exc).__name__}: {exc})",)
            finally:
                page.close()
            pages.append(PageText(number=number, text=text, method=method, warnings=warnings))
    return pages


def page_text(page: pdfplumber.page.Page) -> str:
    words = page.extract_words()
    if not words:
        return ""
    left, top, right, bottom = page.bbox
    gutters = find_gutters(words, left, right)
    if not gutters:
        return page.extract_text() or ""
    edges = [left, *gutters, right]
    parts: list[str] = []
    for band_top, band_bottom, spanning in _bands(words, gutters):
        y0, y1 = max(top, band_top - 1), min(bottom, band_bottom + 1)
        if spanning:
            parts.append(page.within_bbox((left, y0, right, y1)).extract_text() or "")
            continue
        for x0, x1 in zip(edges, edges[1:]):
            parts.append(page.within_bbox((x0, y0, x1, y1)).extract_text() or "")
    return "\n".join(part for part in parts if part.strip())


def find_gutters(words: list[dict], left: float, right: float) -> list[float]:
    """x positions of the vertical gaps that separate columns, left to right.

    A gutter is a band at least 8 pt wide that (almost) no word crosses;
    a few lines that span the page (a title, a header) may cross it.
    """
    width = right - left
    start, stop = int(left + width * _SEARCH_BAND[0]), int(left + width * _SEARCH_BAND[1])
    rows = len({round(w["top"]) for w in words})
    tolerance = max(1, rows // 10)
    clear = []
    for x in range(start, stop):
        crossing = sum(1 for w in words if w["x0"] < x < w["x1"])
        clear.append(crossing <= tolerance)
    gutters: list[float] = []
    run_start: int | None = None
    for offset, is_clear in enumerate([*clear, False]):
        if is_clear and run_start is None:
            run_start = offset
        elif not is_clear and run_start is not None:
            x0, x1 = start + run_start, start + offset - 1
            has_text_both_sides = any(w["x1"] <= x0 for w in words) and any(w["x0"] >= x1 for w in words)
            if x1 - x0 >= _MIN_GUTTER_PT and has_text_both_sides:
                gutters.append((x0 + x1) / 2)
            run_start = None
    return gutters


def _bands(words: list[dict], gutters: list[float]) -> list[tuple[float, float, bool]]:
    rows: dict[int, _Row] = {}
    for word in words:
        key = round(word["top"])
        crosses = any(word["x0"] < g < word["x1"] for g in gutters)
        row = rows.get(key)
        if row is None:
            rows[key] = _Row(word["top"], word["bottom"], crosses)
        else:
            rows[key] = _Row(min(row.top, word["top"]), max(row.bottom, word["bottom"]), row.spanning or crosses)
    bands: list[tuple[float, float, bool]] = []
    for row in sorted(rows.values(), key=lambda r: r.top):
        if bands and bands[-1][2] == row.spanning:
            bands[-1] = (bands[-1][0], max(bands[-1][1], row.bottom), row.spanning)
        else:
            bands.append((row.top, row.bottom, row.spanning))
    return bands
