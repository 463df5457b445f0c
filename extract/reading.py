"""Ordered groups of items to blocks: each group's rows become lines, lines
become blocks with their kind (heading, body, list item, table row, caption,
sidebar), and a block that goes on with the one before it is marked so.

Step 5 of the segmentation described in `extract.layout`.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, replace

from extract.blocks import BODY, CAPTION, HEADING, LIST_ITEM, SIDEBAR, TABLE_ROW, Block, Item, Line
from extract.regions import xy_cut

_BULLET = re.compile(r"^([\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u2219\u27a2\u27a4\u2794\u25b6\u25ba\u2192\u2713\u2714\u2705\uf0a7\uf0b7\uf0d8\uf0fc\u25c6\u2666\u25c9\u2b9e\u2b95-]|\d{1,3}[.)])(\s|$)")
_BULLET_GLYPH = re.compile(r"^[\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u2219\u27a2\u27a4\u2794\u25b6\u25ba\u2713\u2714\u2705\u25c6\u2666\u25c9\u2b9e\u2b95\ue000-\uf8ff]$")
_FINAL = (".", "!", "?", "…", ";", ":")


def body_text_size(items: list[Item]) -> float:
    """The size most of the page's flat text is set in, to half a point."""
    sizes: Counter[float] = Counter()
    for item in items:
        if not item.tilted:
            sizes[round(item.size * 2) / 2] += len(item.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _rows(items: list[Item]) -> list[list[Item]]:
    rows: list[list[Item]] = []
    for item in sorted(items, key=lambda item: (item.top, item.x0)):
        if rows and abs(item.top - rows[-1][0].top) <= max(2.0, 0.3 * (item.bottom - item.top)) and not item.tilted and not rows[-1][0].tilted:
            rows[-1].append(item)
        else:
            rows.append([item])
    return [sorted(row, key=lambda item: item.x0) for row in rows]


@dataclass
class _Row:
    line: Line
    items: list[Item]
    kind: str
    starts: bool = False
    """The first line of a table row."""


def to_blocks(groups: list[list[Item]], body_size: float, rules: tuple = ()) -> list[Block]:
    """The groups' rows, in order, as blocks of their kind, continuations marked."""
    rows = _group_rows(groups, body_size, rules, boxed=False)
    usual_gap = _usual_gap(rows)
    blocks: list[list[_Row]] = []
    for row in rows:
        if blocks and _continues_block(blocks[-1], row, usual_gap):
            blocks[-1].append(row)
        else:
            blocks.append([row])
    return _mark_continuations([_block(rows_) for rows_ in blocks])


def _group_rows(groups: list[list[Item]], body_size: float, rules: tuple, boxed: bool) -> list[_Row]:
    rows: list[_Row] = []
    for group in groups:
        if len(group) == 1 and group[0].contents:
            rows.extend(_group_rows(xy_cut(group[0].contents, rules, 1), body_size, rules, boxed=True))
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


def _row_lines(row: list[Item], body_size: float) -> list[_Row]:
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
