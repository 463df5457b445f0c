"""Word documents (.docx) to pages of text, with the standard library only.

A DOCX is a ZIP archive of XML parts, and the text is all in one of them,
``word/document.xml``: ``zipfile`` and ``xml.etree.ElementTree`` read it
without adding a dependency (and its own parsing stack) to Vigie. Reading the
entry ourselves also keeps the zip-bomb guard in our hands: sizes and
compression ratio are checked from the archive's directory before anything is
decompressed, and the XML is decompressed in bounded chunks and parsed as it
streams, so a hostile file can neither fill the memory nor the disk.

Pages are those Word recorded: explicit page breaks, and the
``w:lastRenderedPageBreak`` marks Word writes where pages broke when the
document was last laid out. Without any, the document is one page.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from config.errors import EmptyDocument, EncryptedDocument, ExtractionError, UnsupportedFormat
from extract.model import PageText
from extract.text import normalise

DOCUMENT_PART = "word/document.xml"
MAX_COMPRESSION_RATIO = 200  # real document.xml parts compress about 5 to 20 times
CHUNK_BYTES = 1 << 20

_W_NAMESPACES = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "Strict Open XML"
}
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Subtrees whose text is not in the document as read: mc:Fallback repeats the
# mc:Choice it stands for (text boxes would come twice), w:del and w:moveFrom
# are tracked deletions, w:pPrChange holds the paragraph's former properties.
_SKIPPED = {_MC + "Fallback"} | {
    f"{{{ns}}}{local}" for ns in _W_NAMESPACES for local in ("del", "moveFrom", "pPrChange")
}
# Markers of a DTD, as they appear in each encoding expat detects by itself.
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_RESAVE = "re-save it from Word or LibreOffice, or export it to PDF"


def extract_docx(data: bytes, *, name: str, max_uncompressed_bytes: int = 200 * 2**20) -> list[PageText]:
    """Pages of text of a DOCX given as bytes; `name` is how messages call the file."""
    archive = _open_archive(data, name)
    with archive:
        info = _document_entry(archive, name)
        _check_entries([info], max_uncompressed_bytes, name)
        chunks = _read_bounded(archive, info, max_uncompressed_bytes, name)
        pages = _Pages()
        for event, element in _parse(_refuse_dtd(chunks, name), name):
            pages.handle(event, element)
    texts = [normalise(text) for text in pages.texts()]
    if not any(texts):
        raise EmptyDocument(
            "no text in the Word document; if its pages are pictures (a scanned tract), export it to PDF "
            "so that it can be OCR'd",
            path=name,
        )
    return [PageText(number=n, text=text) for n, text in enumerate(texts, start=1)]


def _open_archive(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnsupportedFormat(
            f"not a readable ZIP archive, so not a Word document ({exc}); {_RESAVE}", path=name
        ) from exc


def _document_entry(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        info = archive.getinfo(DOCUMENT_PART)
    except KeyError:
        raise UnsupportedFormat(
            f"a ZIP archive but not a Word document (no {DOCUMENT_PART}); Vigie reads .docx, PDF, HTML "
            "and plain text: convert it to one of those",
            path=name,
        ) from None
    if info.flag_bits & 0x1:
        raise EncryptedDocument(
            "the Word document is encrypted; remove its password and submit it again", path=name
        )
    return info


def _check_entries(infos: Iterable[zipfile.ZipInfo], limit: int, name: str) -> None:
    """Refuse, from the archive's directory alone, entries that would expand too far."""
    infos = list(infos)
    if sum(info.file_size for info in infos) > limit:
        raise _bomb(limit, name)
    for info in infos:
        if info.file_size and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size:
            ratio = info.file_size / max(info.compress_size, 1)
            raise ExtractionError(
                f"{info.filename} is compressed {ratio:.0f} times (more than {MAX_COMPRESSION_RATIO}, "
                f"a zip bomb?); Vigie refuses it: {_RESAVE} if the file is genuine",
                path=name,
            )


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str) -> Iterator[bytes]:
    """The entry's bytes in chunks, failing as soon as more than `limit` came out."""
    # zipfile already stops at the size the header declares; counting here too
    # keeps the limit true whatever the header says and however zipfile changes.
    total = 0
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(CHUNK_BYTES):
                total += len(chunk)
                if total > limit:
                    raise _bomb(limit, name)
                yield chunk
    except NotImplementedError as exc:
        raise ExtractionError(
            f"{info.filename} uses a compression Vigie cannot read ({exc}); {_RESAVE}", path=name
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ExtractionError(f"the Word document is damaged ({exc}); {_RESAVE}", path=name) from exc


def _bomb(limit: int, name: str) -> ExtractionError:
    return ExtractionError(
        f"the DOCX expands to more than {_mib(limit)} (a zip bomb?); Vigie refuses it: {_RESAVE} "
        "if the file is genuine",
        path=name,
    )


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f}".removesuffix(".0") + " MiB"


def _refuse_dtd(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    """The chunks unchanged, unless the XML declares a DTD: Word never writes one, and
    its entities are how "billion laughs" files expand in memory."""
    overlap = max(len(marker) for marker in _DTD_MARKERS) - 1
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if any(marker in window for marker in _DTD_MARKERS):
            raise ExtractionError(
                f"{DOCUMENT_PART} declares a DTD (<!DOCTYPE or <!ENTITY), which Word never writes and "
                f"which can hide an entity bomb; Vigie refuses it: {_RESAVE} if the file is genuine",
                path=name,
            )
        tail = window[-overlap:]
        yield chunk


def _parse(chunks: Iterable[bytes], name: str) -> Iterator[tuple[str, ET.Element]]:
    """Start and end events in document order, without holding the whole tree."""
    parser = ET.XMLPullParser(events=("start", "end"))
    try:
        for chunk in chunks:
            parser.feed(chunk)
            yield from _drain(parser)
        parser.close()
        yield from _drain(parser)
    except ET.ParseError as exc:
        raise ExtractionError(f"{DOCUMENT_PART} is not well-formed XML ({exc}); {_RESAVE}", path=name) from exc


def _drain(parser: ET.XMLPullParser) -> Iterator[tuple[str, ET.Element]]:
    for event, element in parser.read_events():
        yield event, element
        if event == "end" and _word_name(element) == "p":
            element.clear()  # its text is taken: free the subtree


def _word_name(element: ET.Element) -> str | None:
    """The local name of a WordprocessingML element, None for any other."""
    namespace, _, local = element.tag[1:].partition("}")
    return local if element.tag.startswith("{") and namespace in _W_NAMESPACES else None


def _word_attribute(element: ET.Element, local: str) -> str | None:
    namespace = element.tag[1:].partition("}")[0]
    return element.get(f"{{{namespace}}}{local}")


@dataclass
class _Paragraph:
    bullet: bool = False
    parts: list[str] = field(default_factory=list)


_CHARACTERS = {"tab": " ", "ptab": " ", "cr": "\n", "noBreakHyphen": "-"}


class _Pages:
    """Builds pages of paragraphs from the parse events of document.xml."""

    def __init__(self) -> None:
        self.pages: list[list[tuple[bool, str]]] = [[]]  # (bullet, text) per paragraph
        self.open: list[_Paragraph] = []  # more than one inside text boxes
        self.skipping = 0
        # Word marks the first run of each page it laid out, so a rendered break
        # right after an explicit one (or at the very start) is the same break.
        self.at_page_start = True

    def handle(self, event: str, element: ET.Element) -> None:
        if self.skipping or (event == "start" and element.tag in _SKIPPED):
            self.skipping += 1 if event == "start" else -1
            return
        local = _word_name(element)
        if local == "t" and event == "end":
            self.add_text(element.text or "")
        elif event == "start" and local is not None:
            self.start(local, element)
        elif event == "end" and local == "p":
            self.flush()
            self.open.pop()

    def start(self, local: str, element: ET.Element) -> None:
        if local == "p":
            self.flush()  # text before a nested (text box) paragraph stays before it
            self.open.append(_Paragraph())
        elif local == "numPr" and self.open:
            self.open[-1].bullet = True
        elif local == "numId" and self.open and _word_attribute(element, "val") == "0":
            self.open[-1].bullet = False  # numbering explicitly removed
        elif local == "br":
            if _word_attribute(element, "type") == "page":
                self.page_break()
            else:
                self.add_text("\n")
        elif local == "lastRenderedPageBreak" and not self.at_page_start:
            self.page_break()
        elif local in _CHARACTERS:
            self.add_text(_CHARACTERS[local])

    def add_text(self, text: str) -> None:
        if self.open:
            self.open[-1].parts.append(text)
            self.at_page_start = self.at_page_start and not text.strip()

    def page_break(self) -> None:
        self.flush()
        self.pages.append([])
        self.at_page_start = True

    def flush(self) -> None:
        """Move the open paragraph's text so far to the current page."""
        if not self.open:
            return
        paragraph = self.open[-1]
        text = "".join(paragraph.parts)
        paragraph.parts.clear()
        if text.strip():
            self.pages[-1].append((paragraph.bullet, text))
            paragraph.bullet = False  # the rest of it, if any, continues the item

    def texts(self) -> list[str]:
        return [_page_text(paragraphs) for paragraphs in self.pages]


def _page_text(paragraphs: list[tuple[bool, str]]) -> str:
    """Paragraphs apart by a blank line, consecutive list items by a newline only."""
    text = ""
    previous_bullet = False
    for bullet, paragraph in paragraphs:
        if text:
            text += "\n" if bullet and previous_bullet else "\n\n"
        text += f"• {paragraph}" if bullet else paragraph
        previous_bullet = bullet
    return text
