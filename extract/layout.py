"""A PDF page's characters to blocks in human reading order.

Designed campaign documents are not one grid of columns: a full-width
heading sits over two columns beside a sidebar that runs the whole page
height, a band of short measures crosses the page bottom, a title is tilted,
a drop capital is as high as three lines. The page is segmented as a
careful reader reads it:

1. characters on a tilted or turned baseline are set apart and read as
   blocks of their own, in their own direction; the rest are grouped into
   words (pdfplumber's word grouping, in drawing order inside a line);
2. a drop capital is joined to its word, letter-spaced capitals to theirs;
3. regions that the page draws are taken whole: a ruled table (cells drawn
   side by side and one above the other) is read row by row; text on a
   tinted box is read as a page of its own, and after the text it
   interrupts when it is narrower than its region; words on a photo are its
   caption, read after the body;
4. the rest is ordered by a recursive XY-cut. A horizontal rule across a
   region separates above from below. A region with a gutter (a vertical
   band of whitespace, or a rule, that runs its whole height, between
   columns wide enough to be columns) is read column by column, unless
   its "columns" are the cells of a table (blocks padded apart at the same
   heights side by side). Otherwise it is cut into horizontal slabs at its
   blank rows, and consecutive slabs that share a gutter are regrouped, so
   that a two-column section is not read paragraph row by paragraph row
   where its breaks happen to line up; several lines of whitespace before
   new columns, or three padded slabs in a row with the same columns (rows
   of a table), end such a group;
5. the ordered lines become blocks (a gap larger than the page's line
   spacing, a change of size or kind, a bullet, a jump to another column
   starts one), each with its kind: heading, body, list item, table row,
   caption or sidebar.

Everything is linear or n log n in the number of words per level of the
cut, and the cut's depth is bounded, so a page of 100,000 characters or
5,000 tiny boxes costs seconds at worst, never a quadratic blow-up.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace

from pdfplumber.utils.text import WordExtractor

HEADING, BODY, LIST_ITEM, TABLE_ROW, CAPTION, SIDEBAR = "heading", "body", "list_item", "table_row", "caption", "sidebar"

_MAX_DEPTH = 40
_MAX_CUT_WORDS = 30_000  # beyond this many words a page is read in plain rows (a sane page has a few thousand)
_CAPTION_WORDS = 30
_TILT = 0.02  # |sin| of a baseline angle beyond which a character is on a tilted line (about 1.1 degrees)
_BULLET = re.compile(r"^([\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u2219\u27a2\u27a4\u2794\u25b6\u25ba\u2192\u2713\u2714\u2705\uf0a7\uf0b7\uf0d8\uf0fc\u25c6\u2666\u25c9\u2b9e\u2b95-]|\d{1,3}[.)])(\s|$)")
_BULLET_GLYPH = re.compile(r"^[\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u2219\u27a2\u27a4\u2794\u25b6\u25ba\u2713\u2714\u2705\u25c6\u2666\u25c9\u2b9e\u2b95\ue000-\uf8ff]$")
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultra", re.IGNORECASE)
_FINAL = (".", "!", "?", "…", ";", ":")
# Stream order, not x order, inside a line: a bullet's first letter drawn over the spaces before it stays in its word.
_WORDS = WordExtractor(extra_attrs=["size"], use_text_flow=True)


@dataclass(frozen=True)
class Line:
    text: str
    top: float
    bottom: float
    size: float
    x0: float = 0.0
    x1: float = 0.0
    bold: bool = False


@dataclass(frozen=True)
class Block:
    """A run of lines a reader reads as one piece, in reading order on its page."""

    kind: str
    bbox: tuple[float, float, float, float]
    """(x0, top, x1, bottom) in PDF points from the page's top left."""
    lines: tuple[Line, ...]
    continues: bool = False
    """The block goes on with the text of the block before it (a paragraph running into the next column)."""
    drawn_bullet: bool = False
    """A list item whose bullet is drawn (a shape, not a character of the text)."""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class _Item:
    """What the XY-cut places: a word, or a tilted block already read."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    spaced: bool = False
    tilted: tuple[Line, ...] = ()
    captioned: bool = False
    bulleted: bool = False
    """A drawn bullet (a small square, disc or check mark) stands just left of the word."""
    contents: list["_Item"] = field(default_factory=list)
    """For a box (text on a tinted background): the items inside it, read as a page of their own."""
    table: list[list[list["_Item"]]] = field(default_factory=list)
    """For a ruled table: its rows, top to bottom, of cells, left to right, of items."""


@dataclass(frozen=True)
class Graphics:
    """What the page draws besides text, as (x0, top, x1, bottom) boxes."""

    fills: tuple[tuple[float, float, float, float], ...] = ()
    """Tinted (not white) filled areas: background boxes and bands."""
    rules: tuple[tuple[float, float, float, float], ...] = ()
    """Thin lines: separators between columns and sections."""
    images: tuple[tuple[float, float, float, float], ...] = ()
    frames: tuple[tuple[float, float, float, float], ...] = ()
    """Rectangles drawn, filled or stroked in any colour: table cells among them."""


# ── entry point ───────────────────────────────────────────────────────────


def page_blocks(chars: list[dict], width: float, height: float, graphics: Graphics = Graphics()) -> list[Block]:
    """The page's blocks in reading order."""
    flat, tilted = _split_by_direction(chars)
    words = _words(flat)
    items = [_word_item(word) for word in words]
    items = _join_drop_capitals(items)
    items = _join_letter_spacing(items)
    items += [_tilted_item(lines) for lines in _tilted_blocks(tilted)]
    if not items:
        return []
    body_size = _body_size(items)
    if len(items) > _MAX_CUT_WORDS:
        return _blocks([sorted(items, key=lambda item: (round(item.top), item.x0))], body_size, graphics.rules)
    _mark_captions(items, graphics, width * height)
    _mark_bullets(items, graphics, body_size)
    # Captions are kept apart from the body: read after it, each on its own.
    captions = [item for item in items if item.captioned]
    items = _tables([item for item in items if not item.captioned], graphics, body_size, width * height)
    items = _boxes(items, graphics, width * height)
    groups = _xy_cut(items, graphics.rules, 0) if items else []
    if captions:
        groups += _xy_cut(captions, graphics.rules, 0)
    return _blocks(groups, body_size, graphics.rules)


# ── characters and words ──────────────────────────────────────────────────


def _split_by_direction(chars: list[dict]) -> tuple[list[dict], list[dict]]:
    flat, tilted = [], []
    for char in chars:
        a, b, c, d = char.get("matrix", (1.0, 0.0, 0.0, 1.0, 0, 0))[:4]
        scale = math.hypot(a, b) or 1.0
        if a > 0 and abs(b) / scale <= _TILT and d > 0 and char.get("upright", True):
            flat.append(char)
        else:
            tilted.append(char)
    return flat, tilted


def _words(chars: list[dict]) -> list[dict]:
    words = _WORDS.extract_words(chars)
    if words and any("fontname" in char for char in chars[:1]):
        # Bold is read from the fonts of a word's characters: pdfplumber's word
        # grouping would split words at each change of font.
        fonts = [(char["x0"], char["top"], char.get("fontname", "")) for char in chars if char["text"].strip()]
        index = {(round(top), round(x0, 1)): font for x0, top, font in fonts}
        for word in words:
            font = index.get((round(word["top"]), round(word["x0"], 1)), "")
            word["bold"] = bool(_BOLD.search(font))
    return words


def _word_item(word: dict) -> _Item:
    return _Item(
        text=word["text"], x0=word["x0"], x1=word["x1"], top=word["top"], bottom=word["bottom"],
        size=float(word.get("size") or (word["bottom"] - word["top"])), bold=word.get("bold", False),
    )  # fmt: skip


def _join_drop_capitals(items: list[_Item]) -> list[_Item]:
    """A capital as high as several lines, set left of a paragraph, is the
    first letter of the word that begins the paragraph's first line."""
    if len(items) < 3:
        return items
    usual = statistics.median(item.size for item in items)
    drops = [item for item in items if len(item.text) == 1 and item.text.isalpha() and item.size >= 2.2 * usual]
    if not drops or len(drops) > 20:  # more are a poster's letters, not drop capitals
        return items
    taken: set[int] = set()
    for drop in drops:
        best = None
        for item in items:
            if item is drop or id(item) in taken or item.size > 1.5 * usual:
                continue
            # The glyph's box runs from the font's descent to its ascent, not the
            # letter's: the first line may stand a third of it above the box's top.
            height = drop.bottom - drop.top
            if drop.x1 - 1 <= item.x0 <= drop.x1 + 2.5 * usual and drop.top - 0.3 * height <= item.top <= drop.top + 0.5 * height:
                if best is None or (item.top, item.x0) < (best.top, best.x0):
                    best = item
        if best is None or not best.text[:1].isalpha() or not best.text[:1].islower():
            continue
        best.text = drop.text + best.text
        taken.add(id(drop))
    return [item for item in items if id(item) not in taken]


def _join_letter_spacing(items: list[_Item]) -> list[_Item]:
    """Capitals set with wide letter spacing come out of word grouping one
    letter a word ("V I LL E"): runs of such letters on one row are joined
    back into words at the gaps that are wider than the spacing."""
    rows: dict[tuple[int, int], list[_Item]] = {}
    for item in items:
        rows.setdefault((round(item.top / 2), round(item.size)), []).append(item)
    replaced: dict[int, _Item | None] = {}
    for row in rows.values():
        if len(row) < 3:
            continue
        row.sort(key=lambda item: item.x0)
        run: list[_Item] = []
        for item in [*row, None]:
            if item is not None and _is_spaced_letter(item) and (not run or item.x0 - run[-1].x1 < 1.2 * item.size):
                run.append(item)
                continue
            # Three spaced capitals, or five single characters: French has no run of
            # five one-letter words, and "à" or "y" alone never make three.
            if len(run) >= 5 or (len(run) >= 3 and any(item.text.isupper() for item in run)):
                for word in _rejoin(run):
                    replaced[id(word[0])] = _merged(word)
                    for other in word[1:]:
                        replaced[id(other)] = None
            run = [item] if item is not None and _is_spaced_letter(item) else []
    if not replaced:
        return items
    out = []
    for item in items:
        if id(item) in replaced:
            if replaced[id(item)] is not None:
                out.append(replaced[id(item)])
        else:
            out.append(item)
    return out


def _is_spaced_letter(item: _Item) -> bool:
    """One or two capitals (kerned pairs such as "LL" stay together), or a single
    letter, digit or mark: what letter spacing leaves of a word."""
    text = item.text
    if len(text) == 1:
        return not text.isspace()
    return len(text) == 2 and all(ch.isupper() or not ch.isalnum() for ch in text) and any(ch.isalpha() for ch in text)


def _rejoin(run: list[_Item]) -> list[list[_Item]]:
    gaps = [b.x0 - a.x1 for a, b in zip(run, run[1:])]
    ordered = sorted(gaps)
    # The word gaps are the widest ones, clearly wider than the letter spacing.
    threshold = None
    for small, large in zip(ordered, ordered[1:]):
        if large > max(1.6 * small, small + 0.15 * run[0].size):
            threshold = (small + large) / 2
            break
    words, current = [], [run[0]]
    for gap, item in zip(gaps, run[1:]):
        if threshold is not None and gap > threshold:
            words.append(current)
            current = [item]
        else:
            current.append(item)
    words.append(current)
    return words


def _merged(items: list[_Item]) -> _Item:
    return _Item(
        text="".join(item.text for item in items), x0=min(i.x0 for i in items), x1=max(i.x1 for i in items),
        top=min(i.top for i in items), bottom=max(i.bottom for i in items), size=max(i.size for i in items),
        bold=items[0].bold, spaced=len(items) > 1 or items[0].spaced,
    )  # fmt: skip


# ── tilted and turned text ────────────────────────────────────────────────


def _direction(char: dict) -> tuple[float, float]:
    a, b = char.get("matrix", (1.0, 0.0))[:2]
    if not char.get("upright", True) and abs(b) < 1e-9 and a > 0:  # vertical writing mode
        return (0.0, -1.0)
    scale = math.hypot(a, b) or 1.0
    return (a / scale, b / scale)


def _tilted_blocks(chars: list[dict]) -> list[tuple[Line, ...]]:
    """Tilted characters, in the order they are drawn, as lines along their
    own baseline, and lines of one direction stacked together as blocks."""
    if not chars:
        return []
    runs: list[list[dict]] = []
    previous = None
    for char in chars:
        size = max(char.get("size", 0.0), 1.0)
        direction = _direction(char)
        centre = ((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2)
        if previous is not None:
            p_dir, p_centre, p_size = previous
            close = math.dist(centre, p_centre) < 1.6 * max(size, p_size)
            same = abs(direction[0] - p_dir[0]) + abs(direction[1] - p_dir[1]) < 0.03
            if close and same:
                runs[-1].append(char)
            else:
                runs.append([char])
        else:
            runs.append([char])
        previous = (direction, centre, size)
    lines = [_tilted_line(run) for run in runs]
    # Lines of one direction whose boxes touch (one line's height apart) form a block.
    blocks: list[list[tuple[Line, tuple[float, float], float]]] = []
    for line, direction in lines:
        # Lines of one title are drawn one after the other: the last blocks are enough to look in.
        for block in reversed(blocks[-30:]):
            if _same_direction(block[0][1], direction) and any(_near(line, other, line.size) for other, _, _ in block[-30:]):
                block.append((line, direction, _across(line, direction)))
                break
        else:
            blocks.append([(line, direction, _across(line, direction))])
    return [tuple(line for line, _, _ in sorted(block, key=lambda entry: entry[2])) for block in blocks]


def _tilted_line(run: list[dict]) -> tuple[Line, tuple[float, float]]:
    direction = _direction(run[0])
    along = sorted(run, key=lambda char: _along(char, direction))
    text = ""
    for previous, char in zip([None, *along], along):
        if previous is not None and text and not text.endswith(" ") and char["text"] != " ":
            gap = _along(char, direction) - _along(previous, direction) - (_extent(previous, direction) + _extent(char, direction)) / 2
            if gap > 0.25 * max(char.get("size", 1.0), 1.0):
                text += " "
        text += char["text"]
    line = Line(
        text=" ".join(text.split()), top=min(c["top"] for c in run), bottom=max(c["bottom"] for c in run),
        size=statistics.median(c.get("size", 0.0) for c in run), x0=min(c["x0"] for c in run), x1=max(c["x1"] for c in run),
        bold=bool(_BOLD.search(run[0].get("fontname", ""))),
    )  # fmt: skip
    return line, direction


def _along(char: dict, direction: tuple[float, float]) -> float:
    # Page coordinates run downwards: a baseline rising to the right has a negative y component here.
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return x * direction[0] - y * direction[1]


def _extent(char: dict, direction: tuple[float, float]) -> float:
    width, height = char["x1"] - char["x0"], char["bottom"] - char["top"]
    return max(width * abs(direction[0]), height * abs(direction[1]))


def _across(line: Line, direction: tuple[float, float]) -> float:
    x, y = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
    return x * direction[1] + y * direction[0]


def _same_direction(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) + abs(a[1] - b[1]) < 0.06


def _near(a: Line, b: Line, size: float) -> bool:
    gap_x = max(a.x0 - b.x1, b.x0 - a.x1, 0.0)
    gap_y = max(a.top - b.bottom, b.top - a.bottom, 0.0)
    # The lines of one title are set a line's spacing apart; a gap of half the
    # smaller size is already another title below it.
    return gap_x < 1.5 * size and gap_y < 0.5 * min(size, b.size)


def _tilted_item(lines: tuple[Line, ...]) -> _Item:
    return _Item(
        text=" ".join(line.text for line in lines), x0=min(l.x0 for l in lines), x1=max(l.x1 for l in lines),
        top=min(l.top for l in lines), bottom=max(l.bottom for l in lines), size=max(l.size for l in lines),
        tilted=lines,
    )  # fmt: skip


# ── graphics ──────────────────────────────────────────────────────────────


def _mark_captions(items: list[_Item], graphics: Graphics, page_area: float) -> None:
    """Words set on a photo are its caption."""
    photos = [box for box in graphics.images if 0.01 * page_area < _area(box) < 0.6 * page_area]
    if not photos:
        return
    on_photo: dict[tuple, list[_Item]] = {}
    for item in items:
        centre = ((item.x0 + item.x1) / 2, (item.top + item.bottom) / 2)
        holding = [box for box in photos if _inside(centre, box)] if not item.tilted else []
        if holding:
            on_photo.setdefault(holding[0], []).append(item)
    for words in on_photo.values():
        # A caption is a line or two; a paragraph set over a photo is body text.
        if len(words) <= _CAPTION_WORDS:
            for item in words:
                item.captioned = True
    # A line that runs off the photo is body text set over its edge, not a caption.
    rows: dict[int, list[_Item]] = {}
    for item in items:
        rows.setdefault(round(item.top), []).append(item)
    changed, passes = True, 0
    while changed and passes < 50:  # along the line, word by word: a line is a caption whole or not at all
        changed, passes = False, passes + 1
        for item in items:
            if item.captioned and _cuts_lines([item], rows, same=lambda other: other.captioned):
                item.captioned = False
                changed = True


def _mark_bullets(items: list[_Item], graphics: Graphics, body_size: float) -> None:
    markers = [
        box for box in graphics.fills
        if 0.25 * body_size <= box[2] - box[0] <= 1.6 * body_size and 0.25 * body_size <= box[3] - box[1] <= 1.6 * body_size
    ]  # fmt: skip
    if not markers or len(markers) > 2000:
        return
    markers.sort()
    lefts = [box[0] for box in markers]
    for item in items:
        # One marker ending within a size and a half left of the word's start,
        # centred on its line; several small shapes there are an icon, not a bullet.
        first = bisect.bisect_left(lefts, item.x0 - 3 * item.size)
        near = []
        for box in markers[first:]:
            if box[0] >= item.x0:
                break
            if box[1] < item.bottom + item.size and item.top - item.size < box[3]:
                near.append(box)
        bullets = [
            box for box in near
            if box[2] <= item.x0 + 1 and item.x0 - box[2] < 1.5 * item.size and item.top <= (box[1] + box[3]) / 2 <= item.bottom
        ]  # fmt: skip
        item.bulleted = len(bullets) == 1 and len(near) <= 2


def _tables(items: list[_Item], graphics: Graphics, body_size: float, page_area: float) -> list[_Item]:
    """A ruled table (cells drawn as rectangles side by side and one above the
    other) is one region, read row by row and, in a row, cell by cell."""
    cells = sorted(
        {
            box for box in graphics.frames
            if box[2] - box[0] >= 1.5 * body_size and box[3] - box[1] >= 1.2 * body_size and _area(box) < 0.3 * page_area
        }
    )  # fmt: skip
    if len(cells) < 4 or len(cells) > 5000:
        return items
    holding: dict[tuple, list[_Item]] = {}
    lefts = [cell[0] for cell in cells]
    for item in items:
        centre = ((item.x0 + item.x1) / 2, (item.top + item.bottom) / 2)
        inside = [cell for cell in cells[: bisect.bisect_right(lefts, centre[0])] if _inside(centre, cell)]
        if inside:
            holding.setdefault(min(inside, key=_area), []).append(item)
    if len(holding) < 4:
        return items
    taken: set[int] = set()
    tables: list[_Item] = []
    for group in _touching_groups(sorted(holding)):
        rows: list[list[tuple]] = []
        for cell in sorted(group, key=lambda cell: (cell[1], cell[0])):
            if rows and abs(cell[1] - rows[-1][0][1]) <= 2.5:
                rows[-1].append(cell)
            else:
                rows.append([cell])
        if len(rows) < 2 or max(len(row) for row in rows) < 2:
            continue
        table = [[holding[cell] for cell in sorted(row)] for row in rows]
        members = [item for row in table for cell in row for item in cell]
        tables.append(
            _Item(
                text="", x0=min(c[0] for c in group), x1=max(c[2] for c in group), top=min(c[1] for c in group),
                bottom=max(c[3] for c in group), size=statistics.median(i.size for i in members), table=table,
            )
        )  # fmt: skip
        taken.update(id(item) for item in members)
    if not tables:
        return items
    return [item for item in items if id(item) not in taken] + tables


def _touching_groups(cells: list[tuple]) -> list[list[tuple]]:
    """Cells that share an edge, transitively."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_left = sorted(range(len(cells)), key=lambda i: cells[i][0])
    lefts = [cells[i][0] for i in by_left]
    for i, a in enumerate(cells):
        # Neighbours start before this cell ends (plus the tolerance): a bounded window when cells are many.
        stop = bisect.bisect_right(lefts, a[2] + 2.5)
        for j in by_left[:stop]:
            b = cells[j]
            if j == i or b[2] < a[0] - 2.5:
                continue
            beside = (abs(b[0] - a[2]) <= 2.5 or abs(a[0] - b[2]) <= 2.5) and min(a[3], b[3]) - max(a[1], b[1]) > 1
            stacked = (abs(b[1] - a[3]) <= 2.5 or abs(a[1] - b[3]) <= 2.5) and min(a[2], b[2]) - max(a[0], b[0]) > 1
            if beside or stacked:
                parent[root(i)] = root(j)
    groups: dict[int, list[tuple]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    return [group for group in groups.values() if len(group) >= 4]


def _boxes(items: list[_Item], graphics: Graphics, page_area: float) -> list[_Item]:
    """Text on a tinted box (an inset, a sidebar, a band of key measures) is
    one region: the cut places the box as a whole, and reads it as a page of
    its own. A highlight behind a word or a badge behind a number is no box."""
    sizes = sorted(item.size for item in items)
    usual = sizes[len(sizes) // 2]
    candidates = [
        box for box in graphics.fills
        if box[3] - box[1] >= 2.2 * usual and box[2] - box[0] >= 4 * usual and _area(box) < 0.5 * page_area
    ]  # fmt: skip
    # The largest hundred are the boxes a page can have; the rest is drawing.
    candidates = sorted(candidates, key=_area, reverse=True)[:100]
    candidates = [box for box in candidates if not any(_overlap(box, image) > 0.9 for image in graphics.images[:200])]
    if not candidates:
        return items
    inside: dict[tuple, list[_Item]] = {}
    for item in items:
        centre = ((item.x0 + item.x1) / 2, (item.top + item.bottom) / 2)
        holding = [box for box in candidates if _inside(centre, box)]
        if holding:
            inside.setdefault(max(holding, key=_area), []).append(item)
    rows: dict[int, list[_Item]] = {}
    for item in items:
        rows.setdefault(round(item.top), []).append(item)
    boxed: dict[int, _Item] = {}
    for box, contents in inside.items():
        size = max(item.size for item in contents)
        if box[3] - box[1] < 2.2 * size or box[2] - box[0] < 4 * size or len(contents) < 2:
            continue
        if _cuts_lines(contents, rows):
            continue  # an illustration behind part of a column, not a box around text
        if _touches_another(box, graphics.fills):
            continue  # a cell or a striped row of a table
        region = _Item(
            text="", x0=min(i.x0 for i in contents), x1=max(i.x1 for i in contents), top=min(i.top for i in contents),
            bottom=max(i.bottom for i in contents), size=statistics.median(i.size for i in contents), contents=contents,
        )  # fmt: skip
        for item in contents:
            boxed[id(item)] = region
    if not boxed:
        return items
    out, placed = [], set()
    for item in items:
        region = boxed.get(id(item))
        if region is None:
            out.append(item)
        elif id(region) not in placed:
            placed.add(id(region))
            out.append(region)
    return out


def _touches_another(box: tuple[float, float, float, float], fills: tuple) -> bool:
    for other in fills:
        if other == box:
            continue
        beside = abs(other[0] - box[2]) < 2.5 or abs(box[0] - other[2]) < 2.5
        stacked = abs(other[1] - box[3]) < 2.5 or abs(box[1] - other[3]) < 2.5
        overlap_y = min(box[3], other[3]) - max(box[1], other[1]) > 0.5 * (box[3] - box[1])
        overlap_x = min(box[2], other[2]) - max(box[0], other[0]) > 0.5 * (box[2] - box[0])
        if (beside and overlap_y) or (stacked and overlap_x):
            return True
    return False


def _cuts_lines(contents: list[_Item], rows: dict[int, list[_Item]], same=None) -> bool:
    """Whether a line runs from these items to others beside them."""
    members = {id(item) for item in contents}
    for item in contents:
        for key in (round(item.top) - 1, round(item.top), round(item.top) + 1):
            for other in rows.get(key, ()):
                inside = id(other) in members or (same is not None and same(other))
                if not inside and max(other.x0 - item.x1, item.x0 - other.x1) < 1.5 * item.size:
                    return True
    return False


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Share of `a` covered by `b`."""
    x = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0)
    y = max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
    return x * y / (_area(a) or 1.0)


def _area(box: tuple[float, float, float, float]) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


# ── the XY-cut ────────────────────────────────────────────────────────────


def _xy_cut(items: list[_Item], rules: tuple, depth: int) -> list[list[_Item]]:
    """Groups of items in reading order; each group is read in rows, a box
    is a group of its own. A box narrower than the region it stands in
    interrupts that region's flow: it is read after it."""
    if len(items) <= 1 or depth > _MAX_DEPTH:
        return _leaf(items)
    width = max(item.x1 for item in items) - min(item.x0 for item in items)
    parts = _split_at_rules(items, rules) or _split_columns(items, rules)
    if not parts:
        slabs = _slabs(items)
        if len(slabs) == 1:
            return _leaf(items)
        parts = _regroup(slabs, rules)
        if len(parts) == 1:
            return _leaf(items)
    flow, boxes = [], []
    for part in parts:
        inset = len(part) == 1 and part[0].contents and part[0].x1 - part[0].x0 < 0.8 * width
        (boxes if inset else flow).extend(_xy_cut(part, rules, depth + 1))
    return flow + boxes


def _split_at_rules(items: list[_Item], rules: tuple) -> list[list[_Item]]:
    """A horizontal rule drawn across the whole region, between its lines,
    separates what is above from what is below, whatever columns each has."""
    left, right = min(item.x0 for item in items), max(item.x1 for item in items)
    top, bottom = min(item.top for item in items), max(item.bottom for item in items)
    width = right - left
    cuts = sorted(
        (rule[1] + rule[3]) / 2 for rule in rules
        if rule[3] - rule[1] <= 2 and rule[0] <= left + 0.1 * width and rule[2] >= right - 0.1 * width
        and top < rule[1] and rule[3] < bottom
    )  # fmt: skip
    cuts = [y for y in cuts if not any(item.top < y < item.bottom for item in items)]
    if not cuts:
        return []
    parts: list[list[_Item]] = [[] for _ in range(len(cuts) + 1)]
    for item in items:
        parts[bisect.bisect_left(cuts, (item.top + item.bottom) / 2)].append(item)
    parts = [part for part in parts if part]
    return parts if len(parts) > 1 else []


def _leaf(items: list[_Item]) -> list[list[_Item]]:
    plain = [item for item in items if not item.contents and not item.table]
    boxes = [[item] for item in sorted(items, key=lambda item: item.top) if item.contents or item.table]
    return ([plain] if plain else []) + boxes


def _slabs(items: list[_Item]) -> list[list[_Item]]:
    """Horizontal slabs, top to bottom, cut where no item spans the row."""
    ordered = sorted(items, key=lambda item: item.top)
    slabs: list[list[_Item]] = [[ordered[0]]]
    bottom = ordered[0].bottom
    for item in ordered[1:]:
        if item.top >= bottom - 0.2 * min(item.size, bottom - slabs[-1][-1].top if slabs[-1] else item.size):
            slabs.append([item])
        else:
            slabs[-1].append(item)
        bottom = max(bottom, item.bottom) if len(slabs[-1]) > 1 else item.bottom
    return slabs


def _regroup(slabs: list[list[_Item]], rules: tuple) -> list[list[_Item]]:
    """Consecutive slabs are read together while they share a gutter: the
    rows of a column section, whatever lines up across its columns."""
    runs: list[list[_Item]] = []
    coverage: _Coverage | None = None
    gutters = [_Coverage(slab).gutters(rules) for slab in slabs]
    row_breaks = _table_row_breaks(slabs, gutters)
    for index, (previous, slab) in enumerate(zip([None, *slabs], slabs)):
        own = gutters[index]
        table = index in row_breaks
        if coverage is not None and not table and not (own and _section_break(previous, slab)):
            trial = coverage.plus(slab)
            if trial.gutters(rules) or (not own and not coverage.gutters(rules) and _tight(previous, slab)):
                # Lines of one paragraph stay together until a column section begins beside them.
                coverage = trial
                runs[-1].extend(slab)
                continue
        coverage = _Coverage(slab)
        runs.append(list(slab))
    return runs


def _table_row_breaks(slabs: list[list[_Item]], gutters: list[list[float]]) -> set[int]:
    """Indexes of slabs that start a row of a table: three slabs or more in a
    row, padded apart, whose columns stand at the same places. Two columns of
    text may end a paragraph at the same height once; a table does it at every row."""
    def same_columns(a: list[float], b: list[float]) -> bool:
        return bool(a) and len(a) == len(b) and all(abs(x - y) <= 4.0 for x, y in zip(a, b))

    breaks: set[int] = set()
    start = 0
    for index in range(1, len(slabs) + 1):
        continues = index < len(slabs) and same_columns(gutters[index - 1], gutters[index]) and _padded(slabs[index - 1], slabs[index])
        if not continues:
            if index - start >= 3:
                breaks.update(range(start + 1, index))
                if index < len(slabs):
                    breaks.add(index)
            start = index
    return breaks


def _padded(previous: list[_Item], slab: list[_Item]) -> bool:
    size = min(item.size for item in slab)
    return min(item.top for item in slab) - max(item.bottom for item in previous) > 0.9 * size


def _tight(previous: list[_Item], slab: list[_Item]) -> bool:
    size = min(item.size for item in slab)
    return min(item.top for item in slab) - max(item.bottom for item in previous) < 0.6 * size


def _section_break(previous: list[_Item], slab: list[_Item]) -> bool:
    """Whitespace of several lines across the whole region, before slabs with
    columns of their own, ends a section: what follows is laid out anew, even
    where its gutter happens to line up with the one above."""
    size = min(statistics.median(item.size for item in slab), statistics.median(item.size for item in previous))
    return min(item.top for item in slab) - max(item.bottom for item in previous) > 2.5 * size


def _split_columns(items: list[_Item], rules: tuple) -> list[list[_Item]]:
    gutters = _Coverage(items).gutters(rules)
    if not gutters:
        return []
    columns: list[list[_Item]] = [[] for _ in range(len(gutters) + 1)]
    for item in items:
        centre = (item.x0 + item.x1) / 2
        columns[sum(1 for gutter in gutters if centre > gutter)].append(item)
    columns = [column for column in columns if column]
    # Cells of a table are columns only to the eye: a table is read row by row.
    merged = [columns[0]]
    for column in columns[1:]:
        if _cells_of_a_table(merged[-1], column):
            merged[-1] = merged[-1] + column
        else:
            merged.append(column)
    return merged if len(merged) > 1 else []


def _count_rows(tops: set[int]) -> int:
    rows, last = 0, None
    for top in sorted(tops):
        if last is None or top - last > 2:
            rows += 1
        last = top
    return rows


def _line_rows(items: list[_Item]) -> list[tuple[float, float]]:
    """(top, bottom) of each row of text, top to bottom."""
    rows: list[list[float]] = []
    for item in sorted(items, key=lambda item: item.top):
        if rows and item.top - rows[-1][0] <= 2:
            rows[-1][1] = max(rows[-1][1], item.bottom)
        else:
            rows.append([item.top, item.bottom])
    return [(top, bottom) for top, bottom in rows]


def _cells_of_a_table(left: list[_Item], right: list[_Item]) -> bool:
    """Side by side, cells (runs of lines padded apart by more than a line's
    spacing) that stand at the same heights, top-aligned or centred: columns
    of a table, read row by row, not two columns of running text."""
    size = statistics.median(item.size for item in left + right)
    a, b = _cells(_line_rows(left), size), _cells(_line_rows(right), size)
    fewer, other = (a, b) if len(a) <= len(b) else (b, a)
    tops = sorted(top for top, _ in other)
    centres = sorted((top + bottom) / 2 for top, bottom in other)
    aligned = sum(
        1 for top, bottom in fewer
        if _has_near(tops, top, 2.0) or _has_near(centres, (top + bottom) / 2, max(2.0, 0.6 * size))
    )  # fmt: skip
    # Two pairs of blocks side by side are as often a heading and a paragraph in each of two columns.
    return len(fewer) >= 3 and aligned >= 0.7 * len(fewer)


def _cells(rows: list[tuple[float, float]], size: float) -> list[tuple[float, float]]:
    cells: list[list[float]] = []
    for top, bottom in rows:
        if cells and top - cells[-1][1] <= 0.9 * size:
            cells[-1][1] = max(cells[-1][1], bottom)
        else:
            cells.append([top, bottom])
    return [(top, bottom) for top, bottom in cells]


def _has_near(sorted_values: list[float], value: float, tolerance: float) -> bool:
    index = bisect.bisect_left(sorted_values, value - tolerance)
    return index < len(sorted_values) and sorted_values[index] <= value + tolerance


class _Coverage:
    """How many items cover each point of x, over a set of items that grows slab by slab."""

    def __init__(self, items: list[_Item]) -> None:
        self.left = math.floor(min(item.x0 for item in items))
        self.right = math.ceil(max(item.x1 for item in items))
        self.count = [0] * (self.right - self.left + 1)
        self.sizes: list[float] = []
        self.rows: set[int] = set()
        self.top = min(item.top for item in items)
        self.bottom = max(item.bottom for item in items)
        self._add(items)

    def plus(self, items: list[_Item]) -> "_Coverage":
        left = min(self.left, math.floor(min(item.x0 for item in items)))
        right = max(self.right, math.ceil(max(item.x1 for item in items)))
        trial = _Coverage.__new__(_Coverage)
        trial.left, trial.right = left, right
        trial.count = [0] * (self.left - left) + list(self.count) + [0] * (right - self.right)
        trial.sizes, trial.rows = list(self.sizes), set(self.rows)
        trial.top, trial.bottom = self.top, self.bottom
        trial._add(items)
        return trial

    def _add(self, items: list[_Item]) -> None:
        # A difference array would be cheaper per word, but the widths are a few
        # hundred points: marking each word's span is linear in the page's words.
        count, left = self.count, self.left
        for item in items:
            first, last = max(int(item.x0) + 1 - left, 0), min(int(item.x1) - left, len(count) - 1)
            for x in range(first, last + 1):
                count[x] += 1
            self.sizes.append(item.size)
            self.rows.add(round(item.top))
            self.top, self.bottom = min(self.top, item.top), max(self.bottom, item.bottom)

    def gutters(self, rules: tuple) -> list[float]:
        """x of each vertical band of whitespace that runs the whole height and
        separates columns wide enough to be columns."""
        if len(self.rows) < 2:
            single_row = True
        else:
            single_row = False
        size = statistics.median(self.sizes) if self.sizes else 10.0
        min_gap = max(6.0, 0.9 * size) * (2.5 if single_row else 1.0)
        # A column is wide enough to be one; in a block of two or three lines
        # (a row of a table, a numbered item) a narrow first cell is one too.
        min_column = 0.0 if 2 <= _count_rows(self.rows) <= 3 else max(36.0, 5.0 * size)
        count = self.count
        runs: list[tuple[int, int]] = []
        start = None
        for x, covered in enumerate(count):
            if covered == 0 and start is None:
                start = x
            elif covered and start is not None:
                runs.append((start, x - 1))
                start = None
        gutters: list[float] = []
        last_edge = 0
        for first, last in runs:
            if first == 0:
                continue  # the margins are not gutters
            width = last - first + 1
            ruled = any(
                rule[2] - rule[0] < 2 and self.left + first <= rule[0] <= self.left + last + 1
                and rule[1] <= self.top + 0.2 * (self.bottom - self.top) and rule[3] >= self.bottom - 0.2 * (self.bottom - self.top)
                for rule in rules
            )  # fmt: skip
            if width < (min(min_gap, 3.0) if ruled else min_gap):
                continue
            if first - last_edge < min_column or len(count) - 1 - last < min_column:
                continue
            gutters.append(self.left + (first + last) / 2)
            last_edge = last
        return gutters


# ── blocks ────────────────────────────────────────────────────────────────


def _body_size(items: list[_Item]) -> float:
    sizes: Counter[float] = Counter()
    for item in items:
        if not item.tilted:
            sizes[round(item.size * 2) / 2] += len(item.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _rows(items: list[_Item]) -> list[list[_Item]]:
    rows: list[list[_Item]] = []
    for item in sorted(items, key=lambda item: (item.top, item.x0)):
        if rows and abs(item.top - rows[-1][0].top) <= max(2.0, 0.3 * (item.bottom - item.top)) and not item.tilted and not rows[-1][0].tilted:
            rows[-1].append(item)
        else:
            rows.append([item])
    return [sorted(row, key=lambda item: item.x0) for row in rows]


@dataclass
class _Row:
    line: Line
    items: list[_Item]
    kind: str
    starts: bool = False
    """The first line of a table row."""


def _blocks(groups: list[list[_Item]], body_size: float, rules: tuple = ()) -> list[Block]:
    rows = _group_rows(groups, body_size, rules, boxed=False)
    usual_gap = _usual_gap(rows)
    blocks: list[list[_Row]] = []
    for row in rows:
        if blocks and _continues_block(blocks[-1], row, usual_gap):
            blocks[-1].append(row)
        else:
            blocks.append([row])
    return _mark_continuations([_block(rows_) for rows_ in blocks])


def _group_rows(groups: list[list[_Item]], body_size: float, rules: tuple, boxed: bool) -> list[_Row]:
    rows: list[_Row] = []
    for group in groups:
        if len(group) == 1 and group[0].contents:
            rows.extend(_group_rows(_xy_cut(group[0].contents, rules, 1), body_size, rules, boxed=True))
            continue
        if len(group) == 1 and group[0].table:
            for table_row in group[0].table:
                first = True
                for cell in table_row:
                    for row in _rows(cell):
                        for made in _row_lines(row, body_size):
                            made.kind, made.starts = TABLE_ROW, first
                            first = False
                            rows.append(made)
            continue
        captions: list[_Row] = []
        for row in _rows(group):
            for made in _row_lines(row, body_size):
                if boxed and made.kind == BODY:
                    made.kind = SIDEBAR
                # A caption set beside a column is read after the column, not inside its sentences.
                (captions if made.kind == CAPTION else rows).append(made)
        rows.extend(captions)
    return rows


def _row_lines(row: list[_Item], body_size: float) -> list[_Row]:
    if row[0].tilted:
        item = row[0]
        kind = HEADING if item.size >= 1.15 * body_size else BODY
        return [_Row(line, [item], kind) for line in item.tilted]
    text = row[0].text
    for previous, item in zip(row, row[1:]):
        # Touching words were split only by a shift of height: an exponent ("1er"), a change of font.
        shifted = abs(item.size - previous.size) > 0.15 * max(item.size, previous.size) or abs(item.top - previous.top) > 0.2 * item.size
        text += ("" if item.x0 - previous.x1 < 0.3 and shifted and not item.tilted else " ") + item.text
    line = Line(
        text=text, top=min(i.top for i in row), bottom=max(i.bottom for i in row), size=max(i.size for i in row),
        x0=row[0].x0, x1=max(i.x1 for i in row), bold=sum(i.bold for i in row) * 2 > len(row),
    )  # fmt: skip
    spaced = any(item.spaced for item in row)
    widest = max((b.x0 - a.x1 for a, b in zip(row, row[1:])), default=0.0)
    if spaced or line.size >= 1.4 * body_size:
        kind = HEADING
    elif all(item.captioned for item in row) and line.size <= body_size * 1.05:
        kind = CAPTION
    elif len(row) > 1 and widest >= 1.5 * line.size and re.fullmatch(r"\d{1,4}", row[0].text):
        kind = TABLE_ROW
    elif row[0].bulleted or _BULLET.match(text) or _BULLET_GLYPH.match(row[0].text):
        kind = LIST_ITEM
    else:
        kind = BODY
    return [_Row(line, list(row), kind)]


def _usual_gap(rows: list[_Row]) -> float:
    """The usual space between two lines of a paragraph on this page."""
    gaps = []
    for a, b in zip(rows, rows[1:]):
        height = max(a.line.bottom - a.line.top, 1.0)
        gap = b.line.top - a.line.bottom
        if -0.5 * height <= gap < 1.2 * height and min(a.line.x1, b.line.x1) > max(a.line.x0, b.line.x0):
            gaps.append(gap)
    return statistics.median(gaps) if gaps else 0.0


def _continues_block(rows: list[_Row], row: _Row, usual_gap: float) -> bool:
    last = rows[-1]
    if last.items[0].spaced and row.items[0].spaced and abs(row.line.top - last.line.top) < 1:
        return True  # the words of a letter-spaced line, however wide its word gaps
    if last.kind == TABLE_ROW and row.kind == TABLE_ROW and (row.starts or rows[0].starts):
        return not row.starts  # a ruled table's row is one block, whatever its cells hold
    if row.kind in (LIST_ITEM, TABLE_ROW):
        return False  # a bullet, or a numbered measure, begins a block of its own
    if (last.kind == HEADING) != (row.kind == HEADING) or (last.kind == CAPTION) != (row.kind == CAPTION):
        return False
    if (last.kind == SIDEBAR) != (row.kind == SIDEBAR):
        return False
    if last.items[0].tilted or row.items[0].tilted:
        return bool(last.items[0].tilted) and row.items[0] is last.items[0]
    previous, line = last.line, row.line
    height = max(previous.bottom - previous.top, line.bottom - line.top, 1.0)
    if line.top < previous.top or line.top - previous.bottom > max(usual_gap, 0.0) + 0.4 * height:
        return False
    if min(previous.x1, line.x1) - max(previous.x0, line.x0) <= 0:
        return False
    if abs(previous.size - line.size) > 0.15 * max(previous.size, line.size):
        return False
    return True


def _block(rows: list[_Row]) -> Block:
    kinds = [row.kind for row in rows]
    kind = kinds[0]
    lines = tuple(row.line for row in rows)
    if kind == BODY and len(lines) <= 2 and all(line.bold for line in lines) and not lines[-1].text.rstrip().endswith(_FINAL) and len(" ".join(l.text for l in lines).split()) <= 12:
        kind = HEADING
    if kind == BODY and lines[0].size >= 1.15 * _usual(rows) and len(lines) <= 3 and not lines[-1].text.rstrip().endswith(_FINAL):
        kind = HEADING
    x0 = min(line.x0 for line in lines)
    x1 = max(line.x1 for line in lines)
    return Block(
        kind=kind, bbox=(round(x0, 1), round(lines[0].top, 1), round(x1, 1), round(max(l.bottom for l in lines), 1)),
        lines=lines, drawn_bullet=kind == LIST_ITEM and rows[0].items[0].bulleted,
    )  # fmt: skip


def _usual(rows: list[_Row]) -> float:
    return min(row.line.size for row in rows)


def _mark_continuations(blocks: list[Block]) -> list[Block]:
    """A body block whose last line ends mid-sentence, followed by one that
    starts lower-case (in the next column, after a photo), goes on with it."""
    out: list[Block] = []
    for block in blocks:
        if out and block.kind in (BODY, SIDEBAR) and out[-1].kind == block.kind:
            previous_text = out[-1].lines[-1].text.rstrip()
            first = block.lines[0].text.lstrip()
            moved_up = block.bbox[1] < out[-1].bbox[1]  # into the next column
            if previous_text and not previous_text.endswith(_FINAL) and (first[:1].islower() or (moved_up and block.kind == BODY)):
                block = replace(block, continues=True)
        out.append(block)
    return out
