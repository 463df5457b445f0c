"""Any supported file to pages of text: the format is sniffed from the bytes,
and the handler is picked from one table."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from config.errors import EmptyDocument, ExtractionError, UnsupportedFormat
from extract.docx import extract_docx
from extract.html import decode_html, html_text
from extract.limits import ExtractionLimits, PageTimeout, page_deadline
from extract.model import ExtractedDocument, PageText
from extract.pdf import extract_pdf
from extract.text import decode_utf8_or_cp1252, normalise

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_SUFFIXES = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html", ".docx": DOCX, ".txt": "text/plain"}
Handler = Callable[[Path, bytes, str, ExtractionLimits], tuple[list[PageText], list[str]]]


def sniff(data: bytes) -> str:
    """The media type the bytes really are, whatever the file name claims."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data[:1024].find(b"%PDF-") != -1:
        return "application/pdf"
    if head.startswith(b"pk\x03\x04"):
        return DOCX if _is_docx(data) else "application/zip"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<main", b"<meta")) or b"<html" in head:
        return "text/html"
    if b"\x00" in data[:1024]:
        return "application/octet-stream"
    return "text/plain"


def _is_docx(data: bytes) -> bool:
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


def _from_pdf(path: Path, data: bytes, name: str, limits: ExtractionLimits) -> tuple[list[PageText], list[str]]:
    return extract_pdf(path, name=name, limits=limits)


def _from_html(path: Path, data: bytes, name: str, limits: ExtractionLimits) -> tuple[list[PageText], list[str]]:
    return [PageText(number=1, text=normalise(html_text(decode_html(data))))], []


def _from_docx(path: Path, data: bytes, name: str, limits: ExtractionLimits) -> tuple[list[PageText], list[str]]:
    return extract_docx(data, name=name, max_uncompressed_bytes=limits.max_bytes * 4), []


def _from_text(path: Path, data: bytes, name: str, limits: ExtractionLimits) -> tuple[list[PageText], list[str]]:
    text = decode_utf8_or_cp1252(data.removeprefix(b"\xef\xbb\xbf"))
    # Form feeds separate pages in text exported from PDFs.
    return [PageText(number=n, text=normalise(chunk)) for n, chunk in enumerate(text.split("\f"), start=1)], []


HANDLERS: dict[str, Handler] = {
    "application/pdf": _from_pdf,
    "text/html": _from_html,
    DOCX: _from_docx,
    "text/plain": _from_text,
}


def extract_document(
    path: Path, *, limits: ExtractionLimits = ExtractionLimits(), name: str | None = None
) -> ExtractedDocument:
    """Pages of text of one file; typed errors name the file (and page) at fault.

    `name` is how messages call the file (its source URL or original path
    when `path` is its copy in the archive).
    """
    name = name or str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise ExtractionError(
                f"{size / 2**20:.1f} MiB is over the limit of {limits.max_bytes / 2**20:.1f} MiB (VIGIE_MAX_FILE_MB)",
                path=name,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror})", path=name) from exc
    if not data.strip():
        raise EmptyDocument("the file is empty", path=name)
    media_type = sniff(data)
    handler = HANDLERS.get(media_type)
    if handler is None:
        raise UnsupportedFormat(
            f"unsupported format ({media_type}); Vigie reads PDF, HTML, DOCX and plain text", path=name
        )
    if media_type == "application/pdf":  # the PDF extractor keeps its own page and document deadlines
        pages, warnings = handler(path, data, name, limits)
    else:
        pages, warnings = _read_in_one_pass(handler, media_type, path, data, name, limits)
    claimed = _SUFFIXES.get(Path(name.split("?")[0]).suffix.lower())
    if claimed and claimed != media_type:
        warnings = [f"{name}: the name says {claimed} but the file is {media_type}; read as {media_type}", *warnings]
    if not any(page.text for page in pages):
        if not any(page.method in {"needs_ocr", "failed"} for page in pages):
            raise EmptyDocument("no text could be extracted from any page", path=name)
        if all(page.method == "failed" for page in pages):
            raise _unreadable(pages, name)
    return ExtractedDocument(path=name, media_type=media_type, pages=tuple(pages), warnings=tuple(warnings))


def _read_in_one_pass(
    handler: Handler, media_type: str, path: Path, data: bytes, name: str, limits: ExtractionLimits
) -> tuple[list[PageText], list[str]]:
    """HTML, DOCX and text are parsed in one pass, within the document's time
    limit (and the page's, for a web page, which is one page): a malformed
    file (megabytes of unclosed tags) fails, named, instead of holding a worker."""
    one_page = media_type == "text/html"
    seconds, setting = (
        (limits.page_timeout_s, "VIGIE_EXTRACT_PAGE_TIMEOUT_S")
        if one_page and limits.page_timeout_s < limits.document_timeout_s
        else (limits.document_timeout_s, "VIGIE_EXTRACT_DOCUMENT_TIMEOUT_S")
    )
    try:
        with page_deadline(seconds):
            return handler(path, data, name, limits)
    except PageTimeout:
        raise ExtractionError(
            f"reading took longer than {seconds:g} s ({setting}) and was stopped; the file may be malformed "
            "(deeply nested or unclosed tags)",
            path=name,
            page=1 if one_page else None,
        ) from None


def _unreadable(pages: list[PageText], name: str) -> ExtractionError:
    """Every page failed (a decompression bomb, a page over its limits): the
    document fails, with the first page's reason, rather than being indexed empty."""
    first = pages[0]
    reason = first.warnings[0] if first.warnings else "text could not be read"
    reason = reason.removeprefix(f"{name} page {first.number}: ").removesuffix("; skipped")
    return ExtractionError(f"no page could be read; page {first.number}: {reason}", path=name)
