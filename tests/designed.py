"""A small builder of designed pages, as campaign tracts lay them out:
headings across the page, columns, sidebars, tinted boxes, tilted and
letter-spaced titles, drop capitals, ruled tables, photos with captions.

Coordinates are in points from the page's top left, as the extractor's
boxes are; the builder turns them into reportlab's bottom-left ones.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

BODY = "Helvetica"
BOLD = "Helvetica-Bold"


class DesignedPage:
    def __init__(self, path: Path, size: tuple[float, float] = A4) -> None:
        self.path = path
        self.width, self.height = size
        self.pdf = canvas.Canvas(str(path), pagesize=size, invariant=1)

    def _y(self, top: float, size: float) -> float:
        return self.height - top - size  # the baseline of a line whose box starts at `top`

    def text(self, x: float, top: float, line: str, *, size: float = 10, font: str = BODY) -> None:
        self.pdf.setFont(font, size)
        self.pdf.drawString(x, self._y(top, size), line)

    def lines(self, x: float, top: float, lines: list[str], *, size: float = 10, leading: float = 12, font: str = BODY) -> float:
        """Lines one under the other; returns the top of the next line."""
        for line in lines:
            self.text(x, top, line, size=size, font=font)
            top += leading
        return top

    def heading(self, x: float, top: float, line: str, *, size: float = 18) -> None:
        self.text(x, top, line, size=size, font=BOLD)

    def spaced(self, x: float, top: float, line: str, *, size: float = 16, tracking: float = 6) -> None:
        """Capitals set with wide letter spacing (each letter drawn on its own)."""
        self.pdf.setFont(BOLD, size)
        y = self._y(top, size)
        for word in line.split():
            for letter in word:
                self.pdf.drawString(x, y, letter)
                x += stringWidth(letter, BOLD, size) + tracking
            x += 3 * tracking

    def tilted(self, x: float, top: float, lines: list[str], *, size: float = 22, angle: float = 6) -> None:
        """A display title set on a rising baseline."""
        self.pdf.saveState()
        self.pdf.translate(x, self._y(top, size))
        self.pdf.rotate(angle)
        self.pdf.setFont(BOLD, size)
        for number, line in enumerate(lines):
            self.pdf.drawString(0, -number * size * 1.1, line)
        self.pdf.restoreState()

    def drop_capital(self, x: float, top: float, letter: str, *, size: float = 36) -> float:
        """A capital as high as three lines; returns where the lines beside it start."""
        self.pdf.setFont(BOLD, size)
        self.pdf.drawString(x, self.height - top - size * 0.75, letter)
        return x + stringWidth(letter, BOLD, size) + 2

    def box(self, x: float, top: float, width: float, height: float, *, grey: float = 0.88) -> None:
        self.pdf.setFillGray(grey)
        self.pdf.rect(x, self.height - top - height, width, height, stroke=0, fill=1)
        self.pdf.setFillGray(0)

    def rule(self, x0: float, top: float, x1: float) -> None:
        self.pdf.setLineWidth(1)
        self.pdf.line(x0, self.height - top, x1, self.height - top)

    def table(self, x: float, top: float, widths: list[float], rows: list[list[str]], *, row_height: float = 22, size: float = 9) -> float:
        """A ruled table: every cell a stroked rectangle, its text on one line; returns its bottom."""
        for row in rows:
            cx = x
            for width, cell in zip(widths, row):
                self.pdf.rect(cx, self.height - top - row_height, width, row_height, stroke=1, fill=0)
                self.text(cx + 6, top + (row_height - size) / 2, cell, size=size)
                cx += width
            top += row_height
        return top

    def photo(self, x: float, top: float, width: float, height: float) -> None:
        image = Image.new("RGB", (60, 40), (90, 140, 190))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        self.pdf.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), x, self.height - top - height, width, height)

    def save(self) -> Path:
        self.pdf.showPage()
        self.pdf.save()
        return self.path
