"""Where a page's items are read together: ruled tables and tinted boxes taken
whole, then the recursive XY-cut (rules across, gutters between columns,
horizontal slabs regrouped while they share a gutter) that orders the rest.

Steps 3 and 4 of the segmentation described in `extract.layout`; the
geometry helpers (`area`, `within`, `cuts_lines`) serve its marks too.
"""

from __future__ import annotations

import bisect
import math
import statistics

from extract.blocks import Graphics, Item

_MAX_DEPTH = 40


# ── ruled tables and tinted boxes ─────────────────────────────────────────


def ruled_tables(items: list[Item], graphics: Graphics, body_size: float, page_area: float) -> list[Item]:
    """A ruled table (cells drawn as rectangles side by side and one above the
    other) is one region, read row by row and, in a row, cell by cell."""
    cells = sorted(
        {
            box for box in graphics.frames
            if box[2] - box[0] >= 1.5 * body_size and box[3] - box[1] >= 1.2 * body_size and area(box) < 0.3 * page_area
        }
    )  # fmt: skip
    if len(cells) < 4 or len(cells) > 5000:
        return items
    holding: dict[tuple, list[Item]] = {}
    lefts = [cell[0] for cell in cells]
    for item in items:
        centre = ((item.x0 + item.x1) / 2, (item.top + item.bottom) / 2)
        inside = [cell for cell in cells[: bisect.bisect_right(lefts, centre[0])] if within(centre, cell)]
        if inside:
            holding.setdefault(min(inside, key=area), []).append(item)
    if len(holding) < 4:
        return items
    taken: set[int] = set()
    tables: list[Item] = []
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
            Item(
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


def tinted_boxes(items: list[Item], graphics: Graphics, page_area: float) -> list[Item]:
    """Text on a tinted box (an inset, a sidebar, a band of key measures) is
    one region: the cut places the box as a whole, and reads it as a page of
    its own. A highlight behind a word or a badge behind a number is no box."""
    sizes = sorted(item.size for item in items)
    usual = sizes[len(sizes) // 2]
    candidates = [
        box for box in graphics.fills
        if box[3] - box[1] >= 2.2 * usual and box[2] - box[0] >= 4 * usual and area(box) < 0.5 * page_area
    ]  # fmt: skip
    # The largest hundred are the boxes a page can have; the rest is drawing.
    candidates = sorted(candidates, key=area, reverse=True)[:100]
    candidates = [box for box in candidates if not any(_overlap(box, image) > 0.9 for image in graphics.images[:200])]
    if not candidates:
        return items
    inside: dict[tuple, list[Item]] = {}
    for item in items:
        centre = ((item.x0 + item.x1) / 2, (item.top + item.bottom) / 2)
        holding = [box for box in candidates if within(centre, box)]
        if holding:
            inside.setdefault(max(holding, key=area), []).append(item)
    rows: dict[int, list[Item]] = {}
    for item in items:
        rows.setdefault(round(item.top), []).append(item)
    boxed: dict[int, Item] = {}
    for box, contents in inside.items():
        size = max(item.size for item in contents)
        if box[3] - box[1] < 2.2 * size or box[2] - box[0] < 4 * size or len(contents) < 2:
            continue
        if cuts_lines(contents, rows):
            continue  # an illustration behind part of a column, not a box around text
        if _touches_another(box, graphics.fills):
            continue  # a cell or a striped row of a table
        region = Item(
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


def cuts_lines(contents: list[Item], rows: dict[int, list[Item]], same=None) -> bool:
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
    return x * y / (area(a) or 1.0)


def area(box: tuple[float, float, float, float]) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def within(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


# ── the XY-cut ────────────────────────────────────────────────────────────


def xy_cut(items: list[Item], rules: tuple, depth: int) -> list[list[Item]]:
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
        (boxes if inset else flow).extend(xy_cut(part, rules, depth + 1))
    return flow + boxes


def _split_at_rules(items: list[Item], rules: tuple) -> list[list[Item]]:
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
    parts: list[list[Item]] = [[] for _ in range(len(cuts) + 1)]
    for item in items:
        parts[bisect.bisect_left(cuts, (item.top + item.bottom) / 2)].append(item)
    parts = [part for part in parts if part]
    return parts if len(parts) > 1 else []


def _leaf(items: list[Item]) -> list[list[Item]]:
    plain = [item for item in items if not item.contents and not item.table]
    boxes = [[item] for item in sorted(items, key=lambda item: item.top) if item.contents or item.table]
    return ([plain] if plain else []) + boxes


def _slabs(items: list[Item]) -> list[list[Item]]:
    """Horizontal slabs, top to bottom, cut where no item spans the row."""
    ordered = sorted(items, key=lambda item: item.top)
    slabs: list[list[Item]] = [[ordered[0]]]
    bottom = ordered[0].bottom
    for item in ordered[1:]:
        if item.top >= bottom - 0.2 * min(item.size, bottom - slabs[-1][-1].top if slabs[-1] else item.size):
            slabs.append([item])
        else:
            slabs[-1].append(item)
        bottom = max(bottom, item.bottom) if len(slabs[-1]) > 1 else item.bottom
    return slabs


def _regroup(slabs: list[list[Item]], rules: tuple) -> list[list[Item]]:
    """Consecutive slabs are read together while they share a gutter: the
    rows of a column section, whatever lines up across its columns."""
    runs: list[list[Item]] = []
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


def _table_row_breaks(slabs: list[list[Item]], gutters: list[list[float]]) -> set[int]:
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


def _padded(previous: list[Item], slab: list[Item]) -> bool:
    size = min(item.size for item in slab)
    return min(item.top for item in slab) - max(item.bottom for item in previous) > 0.9 * size


def _tight(previous: list[Item], slab: list[Item]) -> bool:
    size = min(item.size for item in slab)
    return min(item.top for item in slab) - max(item.bottom for item in previous) < 0.6 * size


def _section_break(previous: list[Item], slab: list[Item]) -> bool:
    """Whitespace of several lines across the whole region, before slabs with
    columns of their own, ends a section: what follows is laid out anew, even
    where its gutter happens to line up with the one above."""
    size = min(statistics.median(item.size for item in slab), statistics.median(item.size for item in previous))
    return min(item.top for item in slab) - max(item.bottom for item in previous) > 2.5 * size


def _split_columns(items: list[Item], rules: tuple) -> list[list[Item]]:
    gutters = _Coverage(items).gutters(rules)
    if not gutters:
        return []
    columns: list[list[Item]] = [[] for _ in range(len(gutters) + 1)]
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


def _line_rows(items: list[Item]) -> list[tuple[float, float]]:
    """(top, bottom) of each row of text, top to bottom."""
    rows: list[list[float]] = []
    for item in sorted(items, key=lambda item: item.top):
        if rows and item.top - rows[-1][0] <= 2:
            rows[-1][1] = max(rows[-1][1], item.bottom)
        else:
            rows.append([item.top, item.bottom])
    return [(top, bottom) for top, bottom in rows]


def _cells_of_a_table(left: list[Item], right: list[Item]) -> bool:
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

    def __init__(self, items: list[Item]) -> None:
        self.left = math.floor(min(item.x0 for item in items))
        self.right = math.ceil(max(item.x1 for item in items))
        self.count = [0] * (self.right - self.left + 1)
        self.sizes: list[float] = []
        self.rows: set[int] = set()
        self.top = min(item.top for item in items)
        self.bottom = max(item.bottom for item in items)
        self._add(items)

    def plus(self, items: list[Item]) -> "_Coverage":
        left = min(self.left, math.floor(min(item.x0 for item in items)))
        right = max(self.right, math.ceil(max(item.x1 for item in items)))
        trial = _Coverage.__new__(_Coverage)
        trial.left, trial.right = left, right
        trial.count = [0] * (self.left - left) + list(self.count) + [0] * (right - self.right)
        trial.sizes, trial.rows = list(self.sizes), set(self.rows)
        trial.top, trial.bottom = self.top, self.bottom
        trial._add(items)
        return trial

    def _add(self, items: list[Item]) -> None:
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
