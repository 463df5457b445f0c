"""Pictures of how a page was read: each page rendered (pypdfium2) with its
blocks drawn and numbered in reading order (Pillow), to check a doubtful
citation or a layout the extractor gets wrong."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from PIL import Image, ImageDraw, ImageFont

from config.errors import ExtractionError
from extract.model import ExtractedDocument

_SCALE = 1.5  # 108 dpi: the words stay legible, a page stays under a megabyte
# One colour per kind, readable on white and on photos.
_COLOURS = {
    "heading": (200, 30, 90),
    "body": (20, 90, 200),
    "list_item": (0, 140, 90),
    "table_row": (150, 90, 0),
    "caption": (120, 120, 120),
    "sidebar": (140, 40, 180),
}


def write_debug_pngs(pdf: Path, extracted: ExtractedDocument, folder: Path) -> list[Path]:
    """One PNG a page, `<file stem>-p<N>.png` in `folder`, with the blocks of
    `extracted` (the same file's extraction) drawn and numbered; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except pypdfium2.PdfiumError as exc:
        raise ExtractionError(f"cannot render the PDF to draw its blocks ({exc})", path=str(pdf)) from exc
    written = []
    font = ImageFont.load_default(size=14)
    try:
        for page in extracted.pages:
            if page.number > len(document):
                break
            image = document[page.number - 1].render(scale=_SCALE).to_pil().convert("RGB")
            _draw_blocks(image, page.blocks, font)
            path = folder / f"{pdf.stem}-p{page.number}.png"
            image.save(path)
            written.append(path)
    finally:
        document.close()
    return written


def _draw_blocks(image: Image.Image, blocks, font) -> None:
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for order, block in enumerate(blocks, start=1):
        colour = _COLOURS.get(block.kind, (0, 0, 0))
        x0, top, x1, bottom = (value * _SCALE for value in block.bbox)
        draw.rectangle((x0 - 2, top - 2, x1 + 2, bottom + 2), outline=(*colour, 255), width=2, fill=(*colour, 28))
        label = f"{order} {block.kind}"
        width = draw.textlength(label, font=font)
        draw.rectangle((x0 - 2, top - 18, x0 + width + 4, top - 2), fill=(*colour, 230))
        draw.text((x0 + 1, top - 17), label, fill=(255, 255, 255, 255), font=font)
    image.paste(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"))
