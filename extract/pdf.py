"""PDF pages to text with pdfplumber, in human reading order.

Campaign tracts are laid out in one to three columns, under running headers
and above footers with page numbers. Reading them line by line across the
page interleaves the columns, so each page is rebuilt from its words:

1. gutters are found from the words' x positions (vertical bands no word crosses);
2. the page is cut into horizontal bands: bands whose lines cross a gutter
   (titles, headers) are read across the page, the others column by column;
3. words are grouped into lines, lines into paragraphs (a larger gap or a
   change of font size starts a paragraph);
4. across the document, lines repeated at the same place on most pages
   (headers, footers) and page numbers are dropped;
5. words hyphenated at a line end are joined ("loge-" "ments" → "logements"),
   compounds of proper names keep their hyphen ("Saint-" "Denis").

A page with no text layer but an image is OCR'd (extract.ocr).
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTFigure
from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.utils import MATRIX_IDENTITY
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import WordExtractor

from config.errors import EncryptedDocument, ExtractionError
from extract.limits import ExtractionLimits, PageTimeout, page_deadline
from extract.model import PageText
from extract.ocr import OCR_RESOLUTION, OcrUnavailable, ocr_image
from extract.text import normalise

_MIN_GUTTER_PT = 8.0
_CROSSING_ROWS = 2  # body rows that may cross a gutter (a centred subtitle)
_SEARCH_BAND = (0.15, 0.85)  # gutters are looked for away from the margins
_MARGIN = 0.12  # share of the page height where headers and footers live
_FIND_PAGE_FLOOR_S = 1.0
_MIN_TEXT_CHARS = 20  # fewer characters than this, over an image, is a scan
# A margin line that is a page number ("3", "- 3 -", "3/8"), or ends with one
# that says so ("Liste X · page 3 / 8", "p. 3", "3 / 8").
_PAGE_NUMBER = re.compile(
    r"^-?\s*\d{1,4}\s*-?$|(^|\s)((page|p\.)\s*\d{1,4}(\s*(/|sur)\s*\d{1,4})?|\d{1,4}\s*(/|sur)\s*\d{1,4})$",
    re.IGNORECASE,
)
_PARTICLES = {"sur", "sous", "en", "le", "la", "les", "de", "du", "des", "lès", "lez", "et", "aux", "au", "d'", "l'"}
# Common compounds whose hyphen falls at a line end ("centre-/ville"), when the
# document itself does not show the word whole elsewhere.
_COMPOUND_HEADS = {
    "centre", "rendez", "porte", "après", "avant", "arrière", "demi", "mi", "semi", "non", "vice", "grand",
    "grande", "petit", "petite", "bien", "peut", "vis", "sans", "garde", "haut", "basse", "long", "moyen",
    "plein", "sous", "tout", "toute", "celui", "celle", "ceux", "elle", "eux", "lui", "nous", "vous", "ex",
}
_COMPOUND_TAILS = {"ville", "vous", "être", "même", "mêmes", "ci", "là", "dessus", "dessous", "clé", "clés", "faire", "midi", "temps"}
_EDGE_PUNCTUATION = ".,;:!?»«()\"'"


@dataclass(frozen=True)
class Line:
    text: str
    top: float
    bottom: float
    size: float
    region: tuple[int, int]
    """(band, column): lines of one region are read top to bottom, regions in order."""


@dataclass
class _RawPage:
    number: int
    height: float
    lines: list[Line]
    method: str
    warnings: list[str]
    text: str | None = None  # set directly for OCR'd pages


def extract_pdf(path: Path, *, name: str | None = None, limits: ExtractionLimits = ExtractionLimits()) -> tuple[list[PageText], list[str]]:
    """Every page's text and the document's warnings; a PDF that cannot be
    opened raises a typed error naming the file."""
    name = name or str(path)
    began = time.monotonic()
    warnings: list[str] = []
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedDocument(
                "the PDF is password-protected; remove the protection and run `vigie run` again", path=name
            ) from exc
        raise ExtractionError(f"not a readable PDF ({cause!r}); check the file is complete", path=name) from exc
    except PSException as exc:
        raise ExtractionError(f"not a readable PDF ({exc!r}); check the file is complete", path=name) from exc
    raw_pages: list[_RawPage] = []
    with pdf:
        declared = _declared_page_count(pdf)
        if declared > limits.max_pages:
            warnings.append(
                f"{name}: {declared} pages; only the first {limits.max_pages} were read (VIGIE_EXTRACT_MAX_PAGES)"
            )
        try:
            for page in _pages(pdf, name, limits):
                if time.monotonic() - began > limits.document_timeout_s:
                    warnings.append(
                        f"{name} page {page.page_number}: stopped after {limits.document_timeout_s:.0f} s "
                        "(VIGIE_EXTRACT_DOCUMENT_TIMEOUT_S); later pages were not read"
                    )
                    break
                raw_pages.append(_read_page(page, name, limits))
                page.close()
        except ExtractionError as exc:
            if not raw_pages:
                raise
            warnings.append(f"{exc}; the pages before it were read")
    if not raw_pages:
        reason = f"no page could be read within {limits.document_timeout_s:g} s (VIGIE_EXTRACT_DOCUMENT_TIMEOUT_S)" if warnings else "the PDF has no pages"
        raise ExtractionError(reason, path=name)
    repeated = repeated_margin_lines(raw_pages)
    vocabulary = document_vocabulary(raw_pages)
    texts = [_page_text(raw, repeated, vocabulary) for raw in raw_pages]
    return mend_page_breaks(texts, vocabulary), warnings


def _pages(pdf: pdfplumber.PDF, name: str, limits: ExtractionLimits) -> Iterator[pdfplumber.page.Page]:
    """The pages, found one at a time in the page tree, each within the page
    time limit, and no further than the page limit.

    pdfplumber's `pdf.pages` walks the whole tree first: 200,000 pages cost
    seconds before any is read, and a tree that loops never ends."""
    tree = PDFPage.create_pages(pdf.doc)
    doctop = 0.0
    # Finding a page in a sound tree takes microseconds; the floor keeps a
    # tiny page limit about reading pages, not finding them.
    deadline = max(limits.page_timeout_s, _FIND_PAGE_FLOOR_S)
    for number in range(1, limits.max_pages + 1):
        try:
            with page_deadline(deadline):
                found = next(tree, None)
                page = None if found is None else pdfplumber.page.Page(pdf, found, page_number=number, initial_doctop=doctop)
        except PageTimeout:
            raise ExtractionError(
                f"page {number} could not be found and opened within {deadline:g} s "
                "(VIGIE_EXTRACT_PAGE_TIMEOUT_S): its page tree or objects loop, or are too large",
                path=name,
            ) from None
        except RecursionError:
            raise ExtractionError(f"the page tree is nested too deeply to be read (at page {number})", path=name) from None
        except Exception as exc:  # pdfminer raises many kinds on a broken tree
            raise ExtractionError(f"the page tree cannot be read at page {number} ({exc!r})", path=name) from exc
        if page is None:
            return
        doctop += float(page.height)
        yield page


def _declared_page_count(pdf: pdfplumber.PDF) -> int:
    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except Exception:  # a broken page tree is reported when pages are read
        return 0


def _read_page(page: pdfplumber.page.Page, name: str, limits: ExtractionLimits) -> _RawPage:
    number = page.page_number
    try:
        with page_deadline(limits.page_timeout_s):
            chars, has_image = page_chars(page)
            lines = page_lines(page, chars)
            if sum(len(line.text) for line in lines) >= _MIN_TEXT_CHARS or not has_image:
                warnings = [] if lines else [f"{name} page {number}: blank page"]
                return _RawPage(number, float(page.height), lines, "text", warnings)
            return _ocr_page(page, name, limits, lines)
    except PageTimeout:
        message = f"{name} page {number}: took longer than {limits.page_timeout_s:.0f} s (VIGIE_EXTRACT_PAGE_TIMEOUT_S); skipped"
    except Exception as exc:  # one bad page must not lose the others
        if isinstance(_root_cause(exc), MemoryError):
            message = f"{name} page {number}: needs more than {limits.memory_mb} MiB (VIGIE_EXTRACT_MEMORY_MB); skipped"
        else:
            message = f"{name} page {number}: text could not be read ({type(exc).__name__}: {exc})"
    return _RawPage(number, float(page.height), [], "failed", [message])


def _root_cause(exc: BaseException) -> BaseException:
    """The error under pdfplumber's wrapping (it keeps pdfminer's in its arguments) and under `raise from`."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
            exc = exc.args[0]
        elif exc.__cause__ is not None:
            exc = exc.__cause__
        else:
            break
    return exc


def _ocr_page(page: pdfplumber.page.Page, name: str, limits: ExtractionLimits, lines: list[Line]) -> _RawPage:
    number = page.page_number
    try:
        image = page.to_image(resolution=OCR_RESOLUTION).original
        text = ocr_image(image, language=limits.ocr_language, timeout_s=limits.page_timeout_s)
    except OcrUnavailable as exc:
        return _RawPage(number, float(page.height), lines, "needs_ocr", [f"{name} page {number}: scanned page, not read: {exc}"])
    raw = _RawPage(number, float(page.height), [], "ocr", [])
    raw.text = text
    if not text.strip():
        raw.warnings.append(f"{name} page {number}: OCR found no text on this scanned page")
    return raw


class _CharReader(PDFTextDevice):
    """A pdfminer device that keeps, of each character drawn, only what
    grouping characters into words reads, and notes whether an image is drawn.

    pdfplumber's own `page.chars` resolves every attribute of every character
    (colours, graphic state, matrix), and even its `page.layout` builds a
    pdfminer object per character and per path: most of the time of reading
    a page. The boxes are computed with pdfminer's own arithmetic (`LTChar`,
    `apply_matrix_rect`) and converted as pdfplumber converts them (top-down,
    MediaBox offsets), so the words are those `page.extract_words` gives.
    """

    def __init__(self, rsrcmgr, page: pdfplumber.page.Page) -> None:
        super().__init__(rsrcmgr)
        self.chars: list[dict] = []
        self.has_image = False
        self._height, self._y_offset = float(page.height), page.mediabox[1]
        self._x_offset = page.mediabox[0]
        self._doctop = page.initial_doctop
        self._glyphs: dict[tuple[object, int], tuple[str, float]] = {}

    def render_image(self, name, stream) -> None:
        self.has_image = True

    def _glyph(self, font, cid: int) -> tuple[str, float]:
        key = (font, cid)
        glyph = self._glyphs.get(key)
        if glyph is None:
            try:
                text = font.to_unichr(cid)
            except PDFUnicodeNotDefined:
                text = f"(cid:{cid})"  # as pdfminer's handle_undefined_char
            glyph = self._glyphs[key] = (text, font.char_width(cid))
        return glyph

    def render_string_horizontal(
        self, seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs, graphicstate
    ):
        # pdfminer's PDFTextDevice.render_string_horizontal and LTChar, inlined:
        # the same operations in the same order, so the same floats.
        (x, y) = pos
        (a, b, c, d, e, f) = matrix
        upright = a * d * scaling > 0 and b * c <= 0
        lower = font.get_descent() * fontsize + rise
        upper = lower + fontsize
        plain = b == 0 and c == 0 and a > 0 and d > 0 and fontsize > 0
        height, x_offset, y_offset, doctop, chars = self._height, self._x_offset, self._y_offset, self._doctop, self.chars
        needcharspace = False
        for obj in seq:
            if isinstance(obj, (int, float)):
                x -= obj * dxscale
                needcharspace = True
            elif isinstance(obj, bytes):
                for cid in font.decode(obj):
                    if needcharspace:
                        x += charspace
                    text, textwidth = self._glyph(font, cid)
                    adv = textwidth * fontsize * scaling
                    te, tf = x * a + y * c + e, x * b + y * d + f
                    if plain and adv >= 0:  # unrotated, unmirrored: two corners are the extremes
                        x0, x1, y0, y1 = te, a * adv + te, d * lower + tf, d * upper + tf
                    else:
                        xs = (a * 0 + c * lower + te, a * adv + c * lower + te, a * adv + c * upper + te, a * 0 + c * upper + te)
                        ys = (b * 0 + d * lower + tf, b * adv + d * lower + tf, b * adv + d * upper + tf, b * 0 + d * upper + tf)
                        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
                    top, bottom = height - y1 + y_offset, height - y0 + y_offset
                    chars.append({
                        "text": text, "x0": x0 + x_offset, "x1": x1 + x_offset, "top": top, "bottom": bottom,
                        "doctop": doctop + top, "upright": upright, "size": y1 - y0, "width": x1 - x0, "height": y1 - y0,
                    })  # fmt: skip
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
        return (x, y)

    def render_string_vertical(self, seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs, graphicstate):
        # Vertical writing is rare in French tracts: pdfminer's own objects, converted
        # (a CJK font's vertical mode, a sideways title).
        aggregator = PDFPageAggregator(self.rsrcmgr)
        aggregator.cur_item = LTFigure("vertical", (0, 0, 0, 0), MATRIX_IDENTITY)
        aggregator.ctm = self.ctm
        end = aggregator.render_string_vertical(
            seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs, graphicstate
        )
        for item in aggregator.cur_item:
            top, bottom = self._height - item.y1 + self._y_offset, self._height - item.y0 + self._y_offset
            self.chars.append({
                "text": item.get_text(), "x0": item.x0 + self._x_offset, "x1": item.x1 + self._x_offset, "top": top,
                "bottom": bottom, "doctop": self._doctop + top, "upright": item.upright, "size": item.size,
                "width": item.width, "height": item.height,
            })  # fmt: skip
        return end


def page_chars(page: pdfplumber.page.Page) -> tuple[list[dict], bool]:
    """The page's characters, with only what grouping them into words reads,
    and whether the page holds an image (see `_CharReader`)."""
    reader = _CharReader(page.pdf.rsrcmgr, page)
    PDFPageInterpreter(page.pdf.rsrcmgr, reader).process_page(page.page_obj)
    return reader.chars, reader.has_image


WORDS = WordExtractor(extra_attrs=["size"])


def page_lines(page: pdfplumber.page.Page, chars: list[dict] | None = None) -> list[Line]:
    """The page's lines in reading order."""
    words = WORDS.extract_words(page_chars(page)[0] if chars is None else chars)
    if not words:
        return []
    left, top, right, bottom = page.bbox
    gutters = find_gutters(words, left, right, top, bottom)
    bands = _bands(words, gutters)
    edges = [left, *gutters, right]
    regions: dict[tuple[int, int], list[dict]] = {}
    for word in words:
        band = _band_of(word, bands)
        spanning = bands[band][2]
        centre = (word["x0"] + word["x1"]) / 2
        column = 0 if spanning else sum(1 for edge in edges[1:-1] if centre > edge)
        regions.setdefault((band, column), []).append(word)
    lines: list[Line] = []
    for region in sorted(regions):
        lines += _group_lines(regions[region], region)
    return lines


def find_gutters(words: list[dict], left: float, right: float, top: float = 0.0, bottom: float = 1e9) -> list[float]:
    """x positions of the vertical gaps that separate columns, left to right.

    The running header and footer, and rows that run across the page
    without a gap (titles, the lines of a one-column page), are set aside; a
    gutter is then a band at least 8 pt wide that (almost) no other word
    crosses (a centred subtitle may), with text on both sides.
    """
    width = right - left
    start, stop = int(left + width * _SEARCH_BAND[0]), int(left + width * _SEARCH_BAND[1])
    rows = sorted(_rows(words), key=lambda row: row[0]["top"])
    # The running header and footer are the page's first and last rows.
    if rows and rows[0][0]["top"] < top + _MARGIN * (bottom - top):
        rows = rows[1:]
    if rows and rows[-1][0]["bottom"] > bottom - _MARGIN * (bottom - top):
        rows = rows[:-1]
    columnar = [word for row in rows if not _runs_across(row, width) for word in row]
    tolerance = min(_CROSSING_ROWS, len(rows) // 10)
    # How many words cover each x, by a difference array: linear in words + width.
    delta = [0] * (stop - start + 2)
    for word in columnar:
        first, last = max(start, int(word["x0"]) + 1), min(stop, int(word["x1"]))
        if first <= last:
            delta[first - start] += 1
            delta[last - start + 1] -= 1
    gutters: list[float] = []
    covering, run_start = 0, None
    for offset in range(stop - start + 1):
        covering += delta[offset]
        clear = covering <= tolerance
        if clear and run_start is None:
            run_start = offset
        if (not clear or offset == stop - start) and run_start is not None:
            x0, x1 = start + run_start, start + offset - (0 if clear else 1)
            x1 = min(x1, _next_column_edge(columnar, x0 + _MIN_GUTTER_PT, x1))
            if x1 - x0 >= _MIN_GUTTER_PT and _text_on_both_sides(columnar, x0, x1):
                gutters.append((x0 + x1) / 2)
            run_start = None
    return gutters


def _next_column_edge(words: list[dict], after: float, before: float) -> float:
    """Where a column of one or two lines starts inside a clear band: the
    first left edge two words share."""
    edges = Counter(round(word["x0"]) for word in words if after <= word["x0"] < before)
    shared = [edge for edge, count in edges.items() if count >= 2]
    return min(shared) - 1 if shared else before


def _rows(words: list[dict]) -> list[list[dict]]:
    rows: dict[int, list[dict]] = {}
    for word in words:
        rows.setdefault(round(word["top"]), []).append(word)
    return [sorted(row, key=lambda w: w["x0"]) for row in rows.values()]


def _runs_across(row: list[dict], width: float) -> bool:
    """A wide row with no gap a gutter could pass through."""
    extent = row[-1]["x1"] - row[0]["x0"]
    widest_gap = max((b["x0"] - a["x1"] for a, b in zip(row, row[1:])), default=0.0)
    return extent > 0.55 * width and widest_gap < _MIN_GUTTER_PT


def _text_on_both_sides(words: list[dict], x0: float, x1: float) -> bool:
    """Three words at least on each side, in rows that the band separates
    (a row with a word inside the band is one line, not two columns)."""
    on_left = on_right = 0
    for row in _rows(words):
        if any(word["x0"] < x1 and x0 < word["x1"] for word in row):
            continue
        on_left += sum(1 for word in row if word["x1"] <= x0)
        on_right += sum(1 for word in row if word["x0"] >= x1)
    # A lone page number or signature is no column; a short last column is one.
    return min(on_left, on_right) >= 3


def _bands(words: list[dict], gutters: list[float]) -> list[tuple[float, float, bool]]:
    """Horizontal bands (top, bottom, spanning), top to bottom."""
    rows: dict[int, list[float | bool]] = {}
    for word in words:
        key = round(word["top"])
        crosses = any(word["x0"] < gutter < word["x1"] for gutter in gutters)
        row = rows.setdefault(key, [word["top"], word["bottom"], False])
        row[0], row[1] = min(row[0], word["top"]), max(row[1], word["bottom"])
        row[2] = row[2] or crosses
    bands: list[tuple[float, float, bool]] = []
    for top, bottom, spanning in sorted(rows.values(), key=lambda row: row[0]):
        if bands and bands[-1][2] == spanning:
            bands[-1] = (bands[-1][0], max(bands[-1][1], bottom), spanning)
        else:
            bands.append((top, bottom, bool(spanning)))
    return bands


def _band_of(word: dict, bands: list[tuple[float, float, bool]]) -> int:
    for index, (top, bottom, _) in enumerate(bands):
        if top - 0.5 <= word["top"] <= bottom:
            return index
    return len(bands) - 1


def _group_lines(words: list[dict], region: tuple[int, int]) -> list[Line]:
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= max(2.0, 0.3 * (word["bottom"] - word["top"])):
            lines[-1].append(word)
        else:
            lines.append([word])
    return [
        Line(
            text=" ".join(w["text"] for w in sorted(line, key=lambda w: w["x0"])),
            top=min(w["top"] for w in line),
            bottom=max(w["bottom"] for w in line),
            size=max(float(w.get("size", 0)) for w in line),
            region=region,
        )
        for line in lines
    ]


def _margin_lines(page: _RawPage) -> dict[int, tuple[str, int]]:
    """Header and footer candidates, by index in `page.lines`: the two top and
    two bottom rows of the page, inside its margins; keyed by text (digits
    aside, so "page 2 / 3" matches "page 3 / 3") and position."""
    rows = sorted({round(line.top) for line in page.lines})
    if len(rows) < 3:  # a page of one or two lines has no header apart from its text
        return {}
    edge_rows = set(rows[:2] + rows[-2:])
    candidates = {}
    for index, line in enumerate(page.lines):
        in_margin = line.top < _MARGIN * page.height or line.bottom > (1 - _MARGIN) * page.height
        if in_margin and round(line.top) in edge_rows:
            candidates[index] = (re.sub(r"\d+", "#", line.text.lower()), round(line.top / 6))
    return candidates


def repeated_margin_lines(pages: list[_RawPage]) -> set[tuple[str, int]]:
    """Header and footer lines: the same text (digits aside) at the same place
    on at least half the pages, and on two pages at least."""
    counts: Counter[tuple[str, int]] = Counter()
    for page in pages:
        counts.update(set(_margin_lines(page).values()))
    threshold = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= threshold}


def document_vocabulary(pages: list[_RawPage]) -> set[str]:
    """Every word the document shows whole on a line, lowercased: tells a
    compound ("centre-ville") from a word cut at a line end ("loge-ments")."""
    words: set[str] = set()
    for page in pages:
        for line in page.lines:
            words.update(word.strip(_EDGE_PUNCTUATION).lower() for word in line.text.split() if not word.endswith("-"))
        if page.text:
            words.update(word.strip(_EDGE_PUNCTUATION).lower() for word in page.text.split())
    return words


def mend_page_breaks(pages: list[PageText], vocabulary: set[str]) -> list[PageText]:
    """A word cut at the end of a page is completed on that page."""
    mended = list(pages)
    for index in range(len(mended) - 1):
        here, there = mended[index], mended[index + 1]
        if not re.search(r"\w-$", here.text) or not there.text[:1].isalpha():
            continue
        first, _, rest = there.text.partition(" ") if " " in there.text.split("\n", 1)[0] else there.text.partition("\n")
        joined = _join_hyphenated(here.text + "\n", first, vocabulary)
        mended[index] = replace(here, text=joined)
        mended[index + 1] = replace(there, text=rest.lstrip())
    return mended


def _page_text(raw: _RawPage, repeated: set[tuple[str, int]], vocabulary: set[str]) -> PageText:
    if raw.text is not None:
        text = normalise(raw.text)
    else:
        margins = _margin_lines(raw)
        kept = [
            line
            for index, line in enumerate(raw.lines)
            if index not in margins or not (margins[index] in repeated or _PAGE_NUMBER.search(line.text))
        ]
        text = normalise(join_lines(kept, vocabulary))
    return PageText(number=raw.number, text=text, method=raw.method, warnings=tuple(raw.warnings))


def join_lines(lines: list[Line], vocabulary: set[str] = frozenset()) -> str:
    """Lines to text: paragraphs separated by a blank line, hyphenated words joined."""
    if not lines:
        return ""
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:]) if a.region == b.region and b.top > a.bottom - 1]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    text = lines[0].text
    for previous, line in zip(lines, lines[1:]):
        text += _separator(previous, line, usual_gap)
        text = _join_hyphenated(text, line.text, vocabulary)
    return text


def _separator(previous: Line, line: Line, usual_gap: float) -> str:
    if previous.region[0] != line.region[0]:
        return "\n\n"  # a band across the page (a title) is its own paragraph
    if previous.region != line.region:
        return "\n"  # the next column continues the text
    height = max(previous.bottom - previous.top, line.bottom - line.top, 1.0)
    if line.top - previous.bottom > usual_gap + 0.5 * height:
        return "\n\n"
    if previous.size and line.size and abs(previous.size - line.size) > 0.15 * max(previous.size, line.size):
        return "\n\n"  # a heading in another size
    return "\n"


def _join_hyphenated(text: str, next_line: str, vocabulary: set[str] = frozenset()) -> str:
    """Append `next_line` after the separator, mending a word cut at the line end."""
    body, separator = text.rstrip("\n"), text[len(text.rstrip("\n")) :]
    if separator != "\n" or not next_line or not body.endswith(("-", "\u00ad")) or len(body) < 2:
        return text + next_line
    if body.endswith("\u00ad"):
        return body[:-1] + next_line
    left = body.split()[-1][:-1].lstrip(_EDGE_PUNCTUATION)
    right = next_line.split()[0].rstrip(_EDGE_PUNCTUATION)
    if not left or not right or not left[-1].isalpha() or not right[0].isalnum():
        return text + next_line
    return (body if keeps_hyphen(left, right, vocabulary) else body[:-1]) + next_line


def keeps_hyphen(left: str, right: str, vocabulary: set[str] = frozenset()) -> bool:
    """Whether "left-" at a line end and "right" on the next line form a
    hyphenated compound ("Saint-Denis", "centre-ville") rather than one word
    cut by the typesetter ("loge-ments")."""
    if right[0].isupper() or right[0].isdigit() or "-" in right:
        return True
    if left[0].isupper() and right.lower() in _PARTICLES:
        return True
    if f"{left}-{right}".lower() in vocabulary:
        return True
    if f"{left}{right}".lower() in vocabulary:
        return False
    return left.lower() in _COMPOUND_HEADS or right.lower() in _COMPOUND_TAILS
