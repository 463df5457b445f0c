"""Extraction: pages of text in reading order, and typed errors for bad input."""

from pathlib import Path

import pytest

from config.errors import EmptyDocument, EncryptedDocument, ExtractionError, UnsupportedFormat
from extract.document import extract_document, sniff
from extract.html import decode_html
from extract.limits import ExtractionLimits
from extract.text import normalise
from tests.factories import make_html, make_pdf, make_two_column_pdf

LEFT = [
    "Nous créerons un centre de santé",
    "municipal avec des médecins salariés",
    "dans le quartier des Tanneries.",
]
RIGHT = [
    "La piscine du Halage sera rénovée",
    "et ouverte le dimanche.",
]


def test_a_two_column_page_is_read_column_by_column(tmp_path: Path) -> None:
    pdf = make_two_column_pdf(tmp_path / "tract.pdf", "Nos engagements pour Essai-sur-Mer", LEFT, RIGHT)
    text = extract_document(pdf).pages[0].text
    flat = " ".join(text.split())
    assert flat.startswith("Nos engagements pour Essai-sur-Mer")
    assert " ".join(LEFT) in flat
    assert " ".join(RIGHT) in flat
    assert flat.index(LEFT[-1]) < flat.index(RIGHT[0])


def test_a_single_column_page_keeps_its_lines_in_order(tmp_path: Path) -> None:
    lines = ["Premier paragraphe du programme.", "Deuxième ligne du même paragraphe.", "Troisième ligne."]
    text = extract_document(make_pdf(tmp_path / "simple.pdf", [lines])).pages[0].text
    assert text.splitlines() == lines


def test_pages_are_numbered_from_one(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "deux.pdf", [["Page un du tract."], ["Page deux du tract."]])
    pages = extract_document(pdf).pages
    assert [(p.number, p.text, p.method) for p in pages] == [
        (1, "Page un du tract.", "text"),
        (2, "Page deux du tract.", "text"),
    ]


def test_a_blank_page_is_reported_not_silently_empty(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "blanc.pdf", [["Une page lisible."], []])
    blank = extract_document(pdf).pages[1]
    assert blank.text == ""
    assert blank.warnings == (f"{pdf} page 2: blank page",)


def test_html_keeps_the_main_content_only(tmp_path: Path) -> None:
    html = make_html(
        tmp_path / "programme.html",
        "<h1>Notre programme</h1><h2>Santé</h2><p>Nous ouvrirons un centre de santé.</p>"
        "<ul><li>Des médecins salariés</li><li>Des horaires élargis</li></ul>",
    )
    text = extract_document(html).pages[0].text
    assert "Nous ouvrirons un centre de santé." in text
    assert "• Des médecins salariés" in text.splitlines()
    for noise in ("cookies", "Accueil", "Mentions légales", "tracker"):
        assert noise not in text
    assert "Santé\n\nNous ouvrirons" in text  # a heading is its own paragraph


def test_a_windows_1252_page_that_claims_utf8_is_decoded(tmp_path: Path) -> None:
    html = make_html(tmp_path / "vieux.html", "<p>Crèche, école, santé : 25 % de logements.</p>", encoding="cp1252", declared="utf-8")
    assert "Crèche, école, santé" in extract_document(html).pages[0].text
    assert decode_html("é".encode("cp1252")) == "é"


def test_a_pdf_named_html_is_read_as_a_pdf(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "x.pdf", [["Texte du tract."]])
    disguised = tmp_path / "programme.html"
    disguised.write_bytes(pdf.read_bytes())
    assert extract_document(disguised).media_type == "application/pdf"
    assert sniff(b"<!DOCTYPE html><html>") == "text/html"


def test_an_empty_file_is_an_empty_document(tmp_path: Path) -> None:
    empty = tmp_path / "vide.pdf"
    empty.write_bytes(b"")
    with pytest.raises(EmptyDocument, match="vide.pdf: the file is empty"):
        extract_document(empty)


def test_an_encrypted_pdf_says_so_and_what_to_do(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "protégé.pdf", [["Secret."]], password="motdepasse")
    with pytest.raises(EncryptedDocument, match="protégé.pdf: the PDF is password-protected; remove the protection"):
        extract_document(pdf)


def test_a_truncated_pdf_is_an_extraction_error_naming_the_file(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "entier.pdf", [["Texte."]]).read_bytes()
    broken = tmp_path / "tronqué.pdf"
    broken.write_bytes(whole[:200])
    with pytest.raises(ExtractionError, match="tronqué.pdf"):
        extract_document(broken)


def test_binary_junk_is_an_unsupported_format(tmp_path: Path) -> None:
    junk = tmp_path / "image.pdf"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(UnsupportedFormat, match="image.pdf: unsupported format"):
        extract_document(junk)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "gros.txt"
    big.write_text("programme " * 1000, encoding="utf-8")
    with pytest.raises(ExtractionError, match="gros.txt: .* over the limit"):
        extract_document(big, limits=ExtractionLimits(max_bytes=1000))


def test_normalise_folds_ligatures_quotes_spaces_and_bullets() -> None:
    assert normalise("l\u2019e\ufb00ort\u00a0:  25\u202f%\n\u25cf premier point") == "l'effort : 25 %\n• premier point"


def test_a_windows_1252_page_without_a_charset_is_decoded(tmp_path: Path) -> None:
    page = tmp_path / "ancien.html"
    page.write_bytes("<html><body><main><p>Les crèches de l'été.</p></main></body></html>".encode("cp1252"))
    assert extract_document(page).pages[0].text == "Les crèches de l'été."


def test_a_word_document_named_pdf_is_read_as_docx(tmp_path: Path) -> None:
    from tests.test_docx import document_xml, make_docx, para, run

    disguised = tmp_path / "programme.pdf"
    disguised.write_bytes(make_docx(document_xml(para(run("Nous ouvrirons un centre social.")))))
    document = extract_document(disguised)
    assert document.media_type.endswith("wordprocessingml.document")
    assert document.pages[0].text == "Nous ouvrirons un centre social."


def test_html_named_pdf_is_read_as_html_with_a_warning(tmp_path: Path) -> None:
    liar = make_html(tmp_path / "programme.pdf", "<p>Nous rouvrirons le guichet de la gare.</p>")
    document = extract_document(liar)
    assert document.pages[0].text == "Nous rouvrirons le guichet de la gare."
    assert document.warnings == (f"{liar}: the name says application/pdf but the file is text/html; read as text/html",)
