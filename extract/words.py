"""A page's characters to the items the reading order places: words, with
drop capitals and letter-spaced capitals joined back to their words, and
text on a tilted or turned baseline read as blocks of its own.

Steps 1 and 2 of the segmentation described in `extract.layout`.
"""

from __future__ import annotations

import math
import re
import statistics

from pdfplumber.utils.text import WordExtractor

from extract.blocks import Item, Line

_TILT = 0.02  # |sin| of a baseline angle beyond which a character is on a tilted line (about 1.1 degrees)
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultra", re.IGNORECASE)
# Stream order, not x order, inside a line: a bullet's first letter drawn over the spaces before it stays in its word.
_WORDS = WordExtractor(extra_attrs=["size"], use_text_flow=True)


def page_items(chars: list[dict]) -> list[Item]:
    """The page's words, then its tilted blocks, as items for the cut."""
    flat, tilted = _split_by_direction(chars)
    words = _words(flat)
    items = [_word_item(word) for word in words]
    items = _join_drop_capitals(items)
    items = _join_letter_spacing(items)
    items += [_tilted_item(lines) for lines in _tilted_blocks(tilted)]
    return items


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


def _word_item(word: dict) -> Item:
    return Item(
        text=word["text"], x0=word["x0"], x1=word["x1"], top=word["top"], bottom=word["bottom"],
        size=float(word.get("size") or (word["bottom"] - word["top"])), bold=word.get("bold", False),
    )  # fmt: skip


def _join_drop_capitals(items: list[Item]) -> list[Item]:
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


def _join_letter_spacing(items: list[Item]) -> list[Item]:
    """Capitals set with wide letter spacing come out of word grouping one
    letter a word ("V I LL E"): runs of such letters on one row are joined
    back into words at the gaps that are wider than the spacing."""
    rows: dict[tuple[int, int], list[Item]] = {}
    for item in items:
        rows.setdefault((round(item.top / 2), round(item.size)), []).append(item)
    replaced: dict[int, Item | None] = {}
    for row in rows.values():
        if len(row) < 3:
            continue
        row.sort(key=lambda item: item.x0)
        run: list[Item] = []
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


def _is_spaced_letter(item: Item) -> bool:
    """One or two capitals (kerned pairs such as "LL" stay together), or a single
    letter, digit or mark: what letter spacing leaves of a word."""
    text = item.text
    if len(text) == 1:
        return not text.isspace()
    return len(text) == 2 and all(ch.isupper() or not ch.isalnum() for ch in text) and any(ch.isalpha() for ch in text)


def _rejoin(run: list[Item]) -> list[list[Item]]:
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


def _merged(items: list[Item]) -> Item:
    return Item(
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


def _tilted_item(lines: tuple[Line, ...]) -> Item:
    return Item(
        text=" ".join(line.text for line in lines), x0=min(l.x0 for l in lines), x1=max(l.x1 for l in lines),
        top=min(l.top for l in lines), bottom=max(l.bottom for l in lines), size=max(l.size for l in lines),
        tilted=lines,
    )  # fmt: skip
