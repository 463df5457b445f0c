"""The reading of the naive sequential reference of `bench/run`: pdfplumber's
plain `extract_text`, page by page, and, when asked, OCR of the scanned pages
as the pipeline does it (the same choice of pages as `extract.pdf`, the same
resolution, `extract.ocr.OCR_RESOLUTION`, the same Tesseract call and
language), one page at a time, in the calling process.
"""

from __future__ import annotations

import time
from pathlib import Path


def needs_ocr(text: str, has_image: bool) -> bool:
    """Whether the pipeline sends a page to OCR, as `extract.pdf` decides it:
    an image drawn, and fewer than `_MIN_TEXT_CHARS` characters of text
    (here counted on the plain text, its outer whitespace left out)."""
    from extract.pdf import _MIN_TEXT_CHARS

    return has_image and len(text.strip()) < _MIN_TEXT_CHARS


def plain_pages(path: str, ocr_language: str | None = None, ocr_timeout_s: float = 600.0) -> list[tuple[str, float | None]]:
    """Each page's text, and the seconds its OCR took (None when the page was
    not OCR'd): pdfplumber's plain extract_text, page by page (a web page is
    one page of text). With `ocr_language`, a scanned page (`needs_ocr`) is
    rendered at the pipeline's resolution and read by Tesseract in that
    language, here, one page at a time; without, its text is what
    extract_text finds on it (nothing)."""
    if path.endswith(".html"):
        from extract.document import extract_document

        return [(page.text, None) for page in extract_document(Path(path)).pages]
    import pdfplumber

    from extract import ocr

    pages: list[tuple[str, float | None]] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            text, ocr_s = page.extract_text() or "", None
            if ocr_language is not None and needs_ocr(text, bool(page.images)):
                began = time.perf_counter()
                image = page.to_image(resolution=ocr.OCR_RESOLUTION).original
                text = ocr.ocr_image(image, language=ocr_language, timeout_s=ocr_timeout_s)
                ocr_s = time.perf_counter() - began
            pages.append((text, ocr_s))
            page.close()
    return pages


def plain_texts(path: str) -> list[str]:
    """pdfplumber's plain extract_text, page by page, no OCR (a web page is one page of text)."""
    return [text for text, _ in plain_pages(path)]


def ocr_page_numbers(path: str) -> list[int]:
    """The pages of a PDF that `plain_pages` reads by OCR (without reading them)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.page_number for page in pdf.pages if needs_ocr(page.extract_text() or "", bool(page.images))]
