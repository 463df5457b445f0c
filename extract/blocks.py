"""The layout's model: the lines, blocks and drawn graphics of a page, and the
items the reading order places.

`Line`, `Block` and `Graphics` are what `extract.pdf` hands to and gets back
from `extract.layout.page_blocks`; `Item` and the block kinds are shared by
the layout's stages (`extract.words`, `extract.regions`, `extract.reading`).
This module imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEADING, BODY, LIST_ITEM, TABLE_ROW, CAPTION, SIDEBAR = "heading", "body", "list_item", "table_row", "caption", "sidebar"


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
class Item:
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
    contents: list["Item"] = field(default_factory=list)
    """For a box (text on a tinted background): the items inside it, read as a page of their own."""
    table: list[list[list["Item"]]] = field(default_factory=list)
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
