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

Each stage has its module, on the model of `extract.blocks` (lines, blocks,
graphics, the items placed): `extract.words` (steps 1 and 2),
`extract.regions` (3 and 4), `extract.reading` (5). This module wires them,
and marks the items that stand on a photo (captions) or beside a drawn
bullet.
"""

from __future__ import annotations

import bisect

from extract.blocks import Block, Graphics, Item
from extract.reading import body_text_size, to_blocks
from extract.regions import area, cuts_lines, ruled_tables, tinted_boxes, within, xy_cut
from extract.words import page_items

_MAX_CUT_WORDS = 30_000  # beyond this many words a page is read in plain rows (a sane page has a few thousand)
_CAPTION_WORDS = 30


# ── entry point ───────────────────────────────────────────────────────────


def page_blocks(chars: list[dict], width: float, height: float, graphics: Graphics = Graphics()) -> list[Block]:
    """The page's blocks in reading order."""
    items = page_items(chars)
    if not items:
        return []
    body_size = body_text_size(items)
    if len(items) > _MAX_CUT_WORDS:
        return to_blocks([sorted(items, key=lambda item: (round(item.top), item.x0))], body_size, graphics.rules)
    _mark_captions(items, graphics, width * height)
    _mark_bullets(items, graphics, body_size)
    # Captions are kept apart from the body: read after it, each on its own.
    captions = [item for item in items if item.captioned]
    items = ruled_tables([item for item in items if not item.captioned], graphics, body_size, width * height)
    items = tinted_boxes(items, graphics, width * height)
    groups = xy_cut(items, graphics.rules, 0) if items else []
    if captions:
        groups += xy_cut(captions, graphics.rules, 0)
    return to_blocks(groups, body_size, graphics.rules)


# ── captions and bullets ──────────────────────────────────────────────────


def _mark_captions(items: list[Item], graphics: Graphics, page_area: float) -> None:
    """Words set on a photo are its caption."""
    photos = [box for box in graphics.images if 0.01 * page_area < area(box) < 0.6 * page_area]
    if not photos:
        return
    on_photo: dict[tuple, list[Item]] = {}
    for item in items:
        centre = ((item.x0 + item.x1) / 2, (item.top + item.bottom) / 2)
        holding = [box for box in photos if within(centre, box)] if not item.tilted else []
        if holding:
            on_photo.setdefault(holding[0], []).append(item)
    for words in on_photo.values():
        # A caption is a line or two; a paragraph set over a photo is body text.
        if len(words) <= _CAPTION_WORDS:
            for item in words:
                item.captioned = True
    # A line that runs off the photo is body text set over its edge, not a caption.
    rows: dict[int, list[Item]] = {}
    for item in items:
        rows.setdefault(round(item.top), []).append(item)
    changed, passes = True, 0
    while changed and passes < 50:  # along the line, word by word: a line is a caption whole or not at all
        changed, passes = False, passes + 1
        for item in items:
            if item.captioned and cuts_lines([item], rows, same=lambda other: other.captioned):
                item.captioned = False
                changed = True


def _mark_bullets(items: list[Item], graphics: Graphics, body_size: float) -> None:
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
