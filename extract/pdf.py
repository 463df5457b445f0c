"""PDF pages to text with pdfplumber, in human reading order.

Each page's characters are read by a lean pdfminer device (`_CharReader`),
with the boxes, rules and images the page draws; `extract.layout` turns
them into blocks in reading order (headings, body, list items, table rows,
captions, sidebars). Then, across the document:

1. lines repeated at the same place on most pages (headers, footers) and
   page numbers are dropped;
2. words hyphenated at a line end are joined ("loge-" "ments" → "logements"),
   compounds of proper names keep their hyphen ("Saint-" "Denis");
3. the page text is the blocks' text, a blank line between blocks, and each
   block keeps its offsets in it and the heading of its section.

A page with no text layer but an image is OCR'd (extract.ocr).
"""

from __future__ import annotations

import re
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
from extract.blocks import HEADING, TABLE_ROW, Block, Graphics, Line
from extract.limits import ExtractionLimits, PageTimeout, page_deadline
from extract.layout import page_blocks
from extract.model import PageBlock, PageText
from extract.ocr import OCR_RESOLUTION, OcrUnavailable, ocr_image
from extract.text import normalise

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


@dataclass
class _RawPage:
    number: int
    height: float
    blocks: list[Block]
    method: str
    warnings: list[str]
    text: str | None = None  # set directly for OCR'd pages

    @property
    def lines(self) -> list[Line]:
        return [line for block in self.blocks for line in block.lines]


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
            chars, has_image, graphics = page_content(page)
            blocks = page_blocks(chars, float(page.width), float(page.height), graphics)
            if sum(len(block.text) for block in blocks) >= _MIN_TEXT_CHARS or not has_image:
                warnings = [] if blocks else [f"{name} page {number}: blank page"]
                return _RawPage(number, float(page.height), blocks, "text", warnings)
            return _ocr_page(page, name, limits, blocks)
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


def _ocr_page(page: pdfplumber.page.Page, name: str, limits: ExtractionLimits, blocks: list[Block]) -> _RawPage:
    number = page.page_number
    try:
        image = page.to_image(resolution=OCR_RESOLUTION).original
        text = ocr_image(image, language=limits.ocr_language, timeout_s=limits.page_timeout_s)
    except OcrUnavailable as exc:
        return _RawPage(number, float(page.height), blocks, "needs_ocr", [f"{name} page {number}: scanned page, not read: {exc}"])
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
        self.images: list[tuple[float, float, float, float]] = []
        self.fills: list[tuple[float, float, float, float]] = []
        self.rules: list[tuple[float, float, float, float]] = []
        self.frames: list[tuple[float, float, float, float]] = []
        self._height, self._y_offset = float(page.height), page.mediabox[1]
        self._x_offset = page.mediabox[0]
        self._doctop = page.initial_doctop
        self._glyphs: dict[tuple[object, int], tuple[str, float]] = {}

    def render_image(self, name, stream) -> None:
        self.has_image = True
        self.images.append(self._box(((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))))

    def paint_path(self, graphicstate, stroke, fill, evenodd, path) -> None:
        # Only the box of each painted path: tinted boxes and rules separate regions.
        points = [(segment[i], segment[i + 1]) for segment in path for i in range(1, len(segment) - 1, 2)]
        if not points or not (stroke or fill):
            return
        x0, top, x1, bottom = box = self._box(points)
        if x1 - x0 > 2 and bottom - top > 2 and len(path) <= 6 and _is_rectangle(path):
            self.frames.append(box)
        if fill and not _is_white(graphicstate.ncolor) and x1 - x0 > 2 and bottom - top > 2:
            self.fills.append(box)
        elif (stroke or fill) and (x1 - x0 <= 2 or bottom - top <= 2) and max(x1 - x0, bottom - top) > 20:
            self.rules.append(box)

    def _box(self, points) -> tuple[float, float, float, float]:
        """Points of user space to a top-down box on the page."""
        a, b, c, d, e, f = self.ctm
        xs = [a * x + c * y + e for x, y in points]
        ys = [b * x + d * y + f for x, y in points]
        return (
            min(xs) + self._x_offset, self._height - max(ys) + self._y_offset,
            max(xs) + self._x_offset, self._height - min(ys) + self._y_offset,
        )  # fmt: skip

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
        fontname = font.fontname
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
                        "fontname": fontname, "matrix": (a, b, c, d, te, tf),
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
                "width": item.width, "height": item.height, "fontname": item.fontname, "matrix": item.matrix,
            })  # fmt: skip
        return end


def page_chars(page: pdfplumber.page.Page) -> tuple[list[dict], bool]:
    """The page's characters, with only what grouping them into words reads,
    and whether the page holds an image (see `_CharReader`)."""
    chars, has_image, _ = page_content(page)
    return chars, has_image


WORDS = WordExtractor(extra_attrs=["size"])


def page_content(page: pdfplumber.page.Page) -> tuple[list[dict], bool, Graphics]:
    """The page's characters (see `page_chars`), whether it holds an image, and what it draws besides text."""
    reader = _CharReader(page.pdf.rsrcmgr, page)
    PDFPageInterpreter(page.pdf.rsrcmgr, reader).process_page(page.page_obj)
    graphics = Graphics(
        fills=tuple(reader.fills), rules=tuple(reader.rules), images=tuple(reader.images), frames=tuple(reader.frames)
    )
    return reader.chars, reader.has_image, graphics


def _is_rectangle(path) -> bool:
    """A path of one rectangle (`re`, or four straight sides): a frame or a table cell."""
    points = [(segment[1], segment[2]) for segment in path if segment[0] in "ml" and len(segment) == 3]
    if len(points) < 4 or any(segment[0] not in "mlh" for segment in path):
        return False
    xs = {round(x, 1) for x, _ in points}
    ys = {round(y, 1) for _, y in points}
    return len(xs) == 2 and len(ys) == 2


def _is_white(colour) -> bool:
    if isinstance(colour, (int, float)):
        return colour >= 0.97
    if isinstance(colour, tuple) and all(isinstance(v, (int, float)) for v in colour):
        if len(colour) == 1:
            return colour[0] >= 0.97
        if len(colour) == 3:
            return min(colour) >= 0.97
        if len(colour) == 4:
            return max(colour) <= 0.03
    return False



def _margin_lines(page: _RawPage) -> dict[int, tuple[str, int]]:
    """Header and footer candidates, by index in `page.lines`: the two top and
    two bottom rows of the page, inside its margins; keyed by text (digits
    aside, so "page 2 / 3" matches "page 3 / 3") and position."""
    rows = sorted({round(line.top) for line in page.lines})
    if len(rows) < 3:  # a page of one or two lines has no header apart from its text
        return {}
    edge_rows = set(rows[:2] + rows[-2:])
    # Display titles are not running headers, even when two pages open with the same words,
    # and the number of a table's first row is no page number.
    kinds = [block.kind for block in page.blocks for _ in block.lines]
    headings = {index for index, kind in enumerate(kinds) if kind == HEADING}
    cells = {index for index, kind in enumerate(kinds) if kind == TABLE_ROW}
    candidates = {}
    for index, line in enumerate(page.lines):
        in_margin = line.top < _MARGIN * page.height or line.bottom > (1 - _MARGIN) * page.height
        if index in cells:
            continue
        if in_margin and round(line.top) in edge_rows and (index not in headings or _PAGE_NUMBER.search(line.text)):
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
        mended[index] = replace(here, text=joined, blocks=_shifted(here.blocks, joined, 0))
        shift = len(there.text) - len(rest.lstrip())
        mended[index + 1] = replace(there, text=rest.lstrip(), blocks=_shifted(there.blocks, rest.lstrip(), shift))
    return mended


def _shifted(blocks: tuple[PageBlock, ...], text: str, shift: int) -> tuple[PageBlock, ...]:
    """Blocks placed again in their page text once `shift` characters left its start
    (or, with no shift, once its end grew: the last block takes the rest)."""
    out = []
    for number, block in enumerate(blocks):
        start, end = max(block.start - shift, 0), max(block.end - shift, 0)
        if shift == 0 and number == len(blocks) - 1:
            end = len(text)
        if end > start:
            out.append(replace(block, start=start, end=end, text=text[start:end]))
    return tuple(out)


def _page_text(raw: _RawPage, repeated: set[tuple[str, int]], vocabulary: set[str]) -> PageText:
    if raw.text is not None:
        return PageText(number=raw.number, text=normalise(raw.text), method=raw.method, warnings=tuple(raw.warnings))
    margins = _margin_lines(raw)
    dropped = {
        index for index, key in margins.items() if key in repeated or _PAGE_NUMBER.search(raw.lines[index].text)
    }
    blocks, index = [], 0
    for block in raw.blocks:
        kept = tuple(line for offset, line in enumerate(block.lines) if index + offset not in dropped)
        index += len(block.lines)
        if kept:
            blocks.append(replace(block, lines=kept) if len(kept) != len(block.lines) else block)
    text, placed = blocks_text(blocks, vocabulary)
    return PageText(number=raw.number, text=text, method=raw.method, warnings=tuple(raw.warnings), blocks=tuple(placed))


def blocks_text(blocks: list[Block], vocabulary: set[str] = frozenset()) -> tuple[str, list[PageBlock]]:
    """The page text the blocks make, and each block as it stands in it (its
    text, offsets, and the heading of its section): blocks are separated by a
    blank line, unless one goes on with the one before; lines by a line
    break; words cut at a line end are joined."""
    text = ""
    placed: list[PageBlock] = []
    heading: str | None = None
    for block in blocks:
        lines = [line for line in (normalise(line.text) for line in block.lines) if line]
        if not lines:
            continue
        if block.drawn_bullet and not lines[0].startswith("•"):
            lines[0] = "• " + lines[0]  # the bullet drawn as a shape, written as the text writes every bullet
        if text:
            text += "\n" if block.continues else "\n\n"
        for number, line in enumerate(lines):
            if number:
                text += "\n"
            text = _join_hyphenated(text, line, vocabulary)
            if number == 0:  # a word cut at the end of the block before is mended into it
                start = len(text) - len(line)
        block_text = text[start:]
        if block.kind == HEADING:
            # Headings that follow each other are one title set in parts (a kicker, a title, a subtitle).
            part = " ".join(block_text.split())
            heading = f"{heading} {part}" if placed and placed[-1].kind == HEADING and heading else part
        placed.append(
            PageBlock(
                kind=block.kind, bbox=block.bbox, text=block_text, start=start, end=len(text),
                heading=None if block.kind == HEADING else heading,
            )
        )  # fmt: skip
    return text, placed


def _join_hyphenated(text: str, next_line: str, vocabulary: set[str] = frozenset()) -> str:
    """Append `next_line` after the separator, mending a word cut at the line end."""
    body, separator = text.rstrip("\n"), text[len(text.rstrip("\n")) :]
    if separator == "\n" and re.search(r"\d[–-]$", body) and next_line[:1].isdigit():
        return body + next_line  # a range of numbers wrapped in a narrow cell ("0–" "3")
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
