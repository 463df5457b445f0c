"""DOCX extraction: paragraphs, lists, tables and pages, and refusal of hostile archives."""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

import pytest

from config.errors import EmptyDocument, EncryptedDocument, ExtractionError, UnsupportedFormat
from extract.docx import extract_docx

NAME = "https://essai-sur-mer.example/programme.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
PAGE_BREAK = '<w:r><w:br w:type="page"/></w:r>'
RENDERED_BREAK = "<w:r><w:lastRenderedPageBreak/></w:r>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*runs: str, bullet: bool = False) -> str:
    numbering = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>' if bullet else ""
    return f"<w:p>{numbering}{''.join(runs)}</w:p>"


def table(rows: list[list[str]]) -> str:
    cells = ("".join(f"<w:tc>{para(run(cell))}</w:tc>" for cell in row) for row in rows)
    return "<w:tbl>" + "".join(f"<w:tr>{row}</w:tr>" for row in cells) + "</w:tbl>"


def document_xml(*blocks: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:mc="{MC}"><w:body>{"".join(blocks)}</w:body></w:document>'
    )


def make_docx(document: str | bytes, *, part: str = "word/document.xml") -> bytes:
    """A minimal DOCX in memory: content types and one document part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(part, document.encode("utf-8") if isinstance(document, str) else document)
    return buffer.getvalue()


def patch_headers(docx: bytes, *, flag_bits: int | None = None, file_size: int | None = None) -> bytes:
    """The archive with its document entry's headers (local and central) rewritten, as a forger would."""
    data = bytearray(docx)
    target = b"word/document.xml"
    for signature, flags_at, size_at, name_at in ((b"PK\x03\x04", 6, 22, 30), (b"PK\x01\x02", 8, 24, 46)):
        start = data.find(signature)
        while data[start + name_at : start + name_at + len(target)] != target:
            start = data.find(signature, start + 1)
        if flag_bits is not None:
            struct.pack_into("<H", data, start + flags_at, flag_bits)
        if file_size is not None:
            struct.pack_into("<I", data, start + size_at, file_size)
    return bytes(data)


def texts(docx: bytes, **options: int) -> list[tuple[int, str]]:
    return [(page.number, page.text) for page in extract_docx(docx, name=NAME, **options)]


def test_paragraphs_are_apart_and_list_items_become_bullets() -> None:
    docx = make_docx(
        document_xml(
            para(run("Notre programme pour Essai-sur-Mer")),
            para(run("Nous ouvrirons "), run("un centre de santé municipal.")),
            para(run("Des médecins salariés"), bullet=True),
            para(run("Des horaires élargis le samedi"), bullet=True),
            para(),
            para(run("La piscine du Halage sera rénovée.")),
        )
    )
    assert texts(docx) == [
        (
            1,
            "Notre programme pour Essai-sur-Mer\n\n"
            "Nous ouvrirons un centre de santé municipal.\n\n"
            "• Des médecins salariés\n"
            "• Des horaires élargis le samedi\n\n"
            "La piscine du Halage sera rénovée.",
        )
    ]


def test_tabs_become_spaces_and_line_breaks_newlines() -> None:
    docx = make_docx(
        document_xml(para("<w:r><w:t>Santé</w:t><w:tab/><w:t>Écoles</w:t><w:br/><w:t>Transports</w:t></w:r>"))
    )
    assert texts(docx) == [(1, "Santé Écoles\nTransports")]


def test_a_page_break_starts_a_new_page() -> None:
    docx = make_docx(
        document_xml(
            para(run("Page un : la santé.")),
            para(PAGE_BREAK),
            para(run("Page deux : les écoles."), PAGE_BREAK, run("Page trois : le logement.")),
        )
    )
    assert texts(docx) == [
        (1, "Page un : la santé."),
        (2, "Page deux : les écoles."),
        (3, "Page trois : le logement."),
    ]


def test_word_rendered_breaks_split_pages_without_doubling_explicit_ones() -> None:
    docx = make_docx(
        document_xml(
            para(RENDERED_BREAK, run("Première page.")),
            para(run("Fin de la première page ")),
            para(RENDERED_BREAK, run("Deuxième page."), PAGE_BREAK),
            para(RENDERED_BREAK, run("Troisième page.")),
        )
    )
    assert texts(docx) == [
        (1, "Première page.\n\nFin de la première page"),
        (2, "Deuxième page."),
        (3, "Troisième page."),
    ]


def test_a_table_is_read_cell_by_cell_row_by_row() -> None:
    docx = make_docx(
        document_xml(
            para(run("Nos projets par quartier")),
            table([["Quartier", "Projet"], ["Tanneries", "Centre de santé"], ["Halage", "Piscine rénovée"]]),
        )
    )
    assert texts(docx) == [
        (
            1,
            "Nos projets par quartier\n\n"
            "Quartier\n\nProjet\n\nTanneries\n\nCentre de santé\n\nHalage\n\nPiscine rénovée",
        )
    ]


def test_text_box_fallbacks_and_tracked_deletions_are_not_read() -> None:
    box = (
        "<w:r><mc:AlternateContent>"
        f"<mc:Choice Requires=\"wps\"><w:txbxContent>{para(run('Encadré : cantine bio'))}</w:txbxContent></mc:Choice>"
        f"<mc:Fallback><w:txbxContent>{para(run('Encadré : cantine bio'))}</w:txbxContent></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )
    deleted = '<w:del w:id="1"><w:r><w:delText>gratuite</w:delText><w:tab/></w:r></w:del>'
    docx = make_docx(document_xml(para(run("Avant "), box, deleted, run("après."))))
    assert texts(docx) == [(1, "Avant\n\nEncadré : cantine bio\n\naprès.")]


def test_a_document_expanding_past_the_limit_is_refused_before_decompression() -> None:
    docx = make_docx(b"\0" * 5_000_000)
    with pytest.raises(ExtractionError, match="more than 1 MiB \\(a zip bomb\\?\\)") as caught:
        extract_docx(docx, name=NAME, max_uncompressed_bytes=1_000_000)
    assert NAME in str(caught.value)


def test_a_suspiciously_compressed_document_is_refused() -> None:
    padded = document_xml(para(run("Un programme")), " " * 500_000, para(run("bien rempli.")))
    docx = make_docx(padded)
    assert len(padded) < 200 * 2**20  # under the size limit: the ratio alone refuses it
    with pytest.raises(ExtractionError, match="compressed .* times .*zip bomb") as caught:
        extract_docx(docx, name=NAME)
    assert NAME in str(caught.value)


def test_a_header_understating_the_size_does_not_let_the_content_through() -> None:
    docx = patch_headers(make_docx(document_xml(para(run("Texte " * 200_000)))), file_size=10_000)
    with pytest.raises(ExtractionError, match="damaged") as caught:
        extract_docx(docx, name=NAME, max_uncompressed_bytes=1_000_000)
    assert NAME in str(caught.value)


def test_a_zip_that_is_not_a_word_document_is_unsupported() -> None:
    odt = make_docx("<office:document-content/>", part="content.xml")
    with pytest.raises(UnsupportedFormat, match="not a Word document \\(no word/document.xml\\)") as caught:
        extract_docx(odt, name=NAME)
    assert str(caught.value).startswith(NAME)


def test_bytes_that_are_not_a_zip_are_unsupported() -> None:
    with pytest.raises(UnsupportedFormat, match="not a readable ZIP archive") as caught:
        extract_docx(b"PK\x03\x04 tronque", name=NAME)
    assert NAME in str(caught.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_document_declaring_entities_is_refused(encoding: str) -> None:
    laughs = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<!DOCTYPE w:document [<!ENTITY rire "ha"><!ENTITY rires "&rire;&rire;&rire;&rire;&rire;">]>'
        f'<w:document xmlns:w="{W}"><w:body>{para(run("&rires;"))}</w:body></w:document>'
    ).replace("&amp;rires;", "&rires;")
    with pytest.raises(ExtractionError, match="DTD") as caught:
        extract_docx(make_docx(laughs.encode(encoding)), name=NAME)
    assert NAME in str(caught.value)


def test_malformed_xml_is_an_extraction_error() -> None:
    docx = make_docx(document_xml(para(run("Programme"))).replace("</w:body>", ""))
    with pytest.raises(ExtractionError, match="not well-formed XML") as caught:
        extract_docx(docx, name=NAME)
    assert NAME in str(caught.value)


def test_an_encrypted_entry_is_reported_as_such() -> None:
    docx = patch_headers(make_docx(document_xml(para(run("Secret")))), flag_bits=0x1)
    with pytest.raises(EncryptedDocument, match="encrypted") as caught:
        extract_docx(docx, name=NAME)
    assert NAME in str(caught.value)


def test_a_document_without_text_is_empty() -> None:
    docx = make_docx(document_xml(para(), para(run("   ")), para(PAGE_BREAK), table([[""]])))
    with pytest.raises(EmptyDocument, match="no text in the Word document") as caught:
        extract_docx(docx, name=NAME)
    assert NAME in str(caught.value)
