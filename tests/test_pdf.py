"""PDF extraction on generated campaign tracts: reading order, headers and
footers, hyphenation, scans, limits."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from config.errors import EncryptedDocument, ExtractionError
from extract.document import extract_document
from extract.isolated import extract_isolated
from extract.limits import ExtractionLimits
from extract.pdf import WORDS, extract_pdf, keeps_hyphen, page_chars
from extract.quality import reading_order_score
from tests.factories import make_pdf
from tests.tracts import Tract, column_boxes, french_paragraphs, make_tract, scan_pdf


def tract(tmp_path: Path, columns: int, *, seed: int = 3, paragraphs: int = 36, title: str | None = "Moulins en commun : nos engagements") -> Tract:
    return make_tract(tmp_path / f"tract-{columns}.pdf", french_paragraphs(paragraphs, seed=seed), columns=columns, title=title)


def extracted_text(path: Path, **limits) -> str:
    pages = extract_document(path, limits=ExtractionLimits(**limits)).pages
    return "\n".join(page.text for page in pages)


def flat(text: str) -> str:
    return " ".join(text.split())


WORD_KEYS = ("text", "x0", "x1", "top", "bottom", "doctop", "upright", "size", "width", "height", "fontname", "matrix")


def pdfplumber_chars(page) -> list[dict]:
    return [{key: char[key] for key in WORD_KEYS} for char in page.chars]


@pytest.mark.parametrize("columns", [1, 2, 3])
def test_the_lean_character_reader_finds_the_characters_and_words_pdfplumber_finds(tmp_path: Path, columns: int) -> None:
    source = make_tract(
        tmp_path / "tract.pdf", french_paragraphs(30, seed=columns), columns=columns,
        header="Moulins en commun — municipales 2026", footer_template="page {n} / {total}", title="Nos engagements",
    )  # fmt: skip
    scanned = scan_pdf(source.path, tmp_path / "scan.pdf", dpi=72)
    with pdfplumber.open(source.path) as pdf, pdfplumber.open(scanned) as scan:
        for page in [*pdf.pages, scan.pages[0]]:
            chars, has_image = page_chars(page)
            assert chars == pdfplumber_chars(page)
            assert WORDS.extract_words(chars) == page.extract_words(extra_attrs=["size"])
            assert has_image == bool(page.images)


def unusual_text_pdf(path: Path) -> Path:
    """Text turned, slanted, mirrored, written top to bottom and drawn from a
    reused form, and a page rotated to landscape."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    vertical = UnicodeCIDFont("HeiseiMin-W3", isVertical=True)
    pdfmetrics.registerFont(vertical)
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.drawString(72, 780, "Une ligne droite : la cantine à 1 €.")
    pdf.saveState()
    pdf.translate(300, 400)
    pdf.rotate(90)
    pdf.drawString(0, 0, "Texte tourné d'un quart de tour")
    pdf.rotate(135)
    pdf.drawString(0, 0, "Puis à l'envers, en biais")
    pdf.restoreState()
    pdf.saveState()
    pdf.transform(1, 0, 0.4, 1, 72, 300)  # slanted
    pdf.drawString(0, 0, "Une ligne penchée")
    pdf.restoreState()
    text = pdf.beginText(400, 200)
    text.setHorizScale(-100)  # mirrored: characters advance leftwards
    text.textLine("miroir")
    pdf.drawText(text)
    pdf.setFont(vertical.fontName, 14)
    pdf.drawString(500, 700, "Texte vertical")
    pdf.setFont("Helvetica", 12)
    pdf.beginForm("encart")
    pdf.drawString(10, 10, "Dans un encart réutilisé")
    pdf.endForm()
    pdf.saveState()
    pdf.translate(100, 100)
    pdf.scale(1.5, 0.8)
    pdf.doForm("encart")
    pdf.restoreState()
    pdf.showPage()
    pdf.setPageRotation(90)
    pdf.drawString(72, 700, "Une page posée en paysage")
    pdf.showPage()
    pdf.save()
    return path


def test_the_lean_character_reader_places_turned_slanted_mirrored_vertical_and_nested_text_as_pdfplumber_does(tmp_path: Path) -> None:
    with pdfplumber.open(unusual_text_pdf(tmp_path / "inhabituel.pdf")) as document:
        for page in document.pages:
            chars, has_image = page_chars(page)
            assert len(chars) > 20
            assert chars == pdfplumber_chars(page)
            assert not has_image


@pytest.mark.parametrize("columns", [1, 2, 3])
@pytest.mark.parametrize("seed", [3, 11])
def test_tracts_are_read_in_order(tmp_path: Path, columns: int, seed: int) -> None:
    source = tract(tmp_path, columns, seed=seed)
    assert reading_order_score(source.sentences, extracted_text(source.path)) >= 0.98


def test_a_sentence_running_over_a_column_break_is_recovered_whole(tmp_path: Path) -> None:
    source = tract(tmp_path, 2, title=None)
    with pdfplumber.open(source.path) as pdf:
        left, right = (pdf.pages[0].crop(box).extract_text().splitlines() for box in column_boxes(2))
    end_of_left, start_of_right = left[-1], right[0]
    assert not end_of_left.endswith((".", "-")), "the fixture should break a sentence between the columns"
    assert f"{end_of_left} {start_of_right}" in flat(extracted_text(source.path))


def test_running_headers_footers_and_page_numbers_are_dropped(tmp_path: Path) -> None:
    source = tract(tmp_path, 2)
    pages = extract_document(source.path).pages
    assert len(pages) >= 2
    for page in pages:
        assert source.header not in page.text
        assert not re.search(r"page \d+ / \d+", page.text)
    assert pages[0].text.startswith("Moulins en commun : nos engagements")


def test_words_cut_at_line_ends_are_joined_and_compounds_keep_their_hyphen(tmp_path: Path) -> None:
    source = tract(tmp_path, 3)
    text = extracted_text(source.path)
    assert not re.search(r"[a-zà-ÿ]-\n[a-zà-ÿ]", text)
    for sentence in source.sentences:
        for compound in re.findall(r"\b[A-Z][a-zé]+(?:-[a-zA-Zé]+)+", sentence):
            assert compound in text
    assert reading_order_score(source.sentences, text) == 1.0


@pytest.mark.parametrize(
    ("left", "right", "vocabulary", "keeps"),
    [
        ("loge", "ments", set(), False),
        ("Saint", "Denis", set(), True),
        ("Moulins", "sur-Lys", set(), True),
        ("Villeneuve-la", "Rivière", set(), True),
        ("centre", "ville", set(), True),
        ("auto", "nomie", {"autonomie"}, False),
        ("rendez", "vous", set(), True),
        ("porte", "parole", {"porte-parole"}, True),
    ],
)
def test_a_hyphen_at_a_line_end_is_kept_only_in_compounds(left: str, right: str, vocabulary: set[str], keeps: bool) -> None:
    assert keeps_hyphen(left, right, vocabulary) is keeps


def test_paragraphs_are_separated_by_a_blank_line(tmp_path: Path) -> None:
    source = tract(tmp_path, 1, title=None, paragraphs=30)
    text = extract_document(source.path).pages[0].text
    first, second = source.pages[0][:2]
    assert text.split("\n\n")[:2] == [first, second] or [flat(p) for p in text.split("\n\n")[:2]] == [first, second]


def test_a_scanned_page_is_read_by_ocr_in_french(tmp_path: Path) -> None:
    paragraphs = ["Nous construirons des logements sociaux et un centre de santé municipal.", "La médiathèque ouvrira le dimanche."]
    source = make_tract(tmp_path / "texte.pdf", paragraphs, columns=1, font_size=14, hyphenate=False)
    scanned = scan_pdf(source.path, tmp_path / "scan.pdf", dpi=200)
    [page] = extract_document(scanned).pages
    assert page.method == "ocr"
    for word in ("logements", "sociaux", "santé", "médiathèque", "dimanche"):
        assert word in page.text


def test_without_ocr_data_a_scan_is_marked_needs_ocr_with_what_to_install(tmp_path: Path) -> None:
    source = make_tract(tmp_path / "texte.pdf", ["Une page de programme."], columns=1)
    scanned = scan_pdf(source.path, tmp_path / "scan.pdf")
    [page] = extract_document(scanned, limits=ExtractionLimits(ocr_language="xyz")).pages
    assert page.method == "needs_ocr"
    assert f"{scanned} page 1: scanned page, not read" in page.warnings[0]
    assert "tesseract-ocr-xyz" in page.warnings[0]


def test_pages_beyond_the_limit_are_left_out_with_a_warning(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "long.pdf", [[f"Page {n} du programme, consacrée aux crèches."] for n in range(1, 6)])
    document = extract_document(pdf, limits=ExtractionLimits(max_pages=2))
    assert [page.number for page in document.pages] == [1, 2]
    assert document.warnings == (f"{pdf}: 5 pages; only the first 2 were read (VIGIE_EXTRACT_MAX_PAGES)",)


def test_a_page_over_its_time_limit_is_skipped_and_named(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "lent.pdf", [["Une page."], ["Une autre page."]])
    pages, _ = extract_pdf(pdf, limits=ExtractionLimits(page_timeout_s=1e-6))
    assert [page.method for page in pages] == ["failed", "failed"]
    assert pages[1].warnings == (f"{pdf} page 2: took longer than 0 s (VIGIE_EXTRACT_PAGE_TIMEOUT_S); skipped",)
    # A document none of whose pages could be read fails, with the first page's reason.
    with pytest.raises(ExtractionError, match=r"lent\.pdf: no page could be read; page 1: took longer than 0 s"):
        extract_document(pdf, limits=ExtractionLimits(page_timeout_s=1e-6))


def test_a_document_over_its_time_limit_stops_with_an_error_naming_it(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "interminable.pdf", [["Une page."]])
    with pytest.raises(ExtractionError, match=r"interminable\.pdf.*VIGIE_EXTRACT_DOCUMENT_TIMEOUT_S"):
        extract_document(pdf, limits=ExtractionLimits(document_timeout_s=1e-9))


def test_a_pdf_with_an_empty_user_password_is_read(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "ouvert.pdf", [["Nous rénoverons la piscine."]], password="")
    assert extract_document(pdf).pages[0].text == "Nous rénoverons la piscine."


def test_the_isolated_extraction_gives_the_same_pages(tmp_path: Path) -> None:
    source = tract(tmp_path, 2, paragraphs=10)
    assert extract_isolated(source.path) == extract_document(source.path)


def test_the_isolated_extraction_does_not_run_the_callers_main_script_again(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "programme.pdf", [["Nous ouvrirons un centre de santé."]])
    runs = tmp_path / "runs.txt"
    script = tmp_path / "main_script.py"
    script.write_text(
        "from pathlib import Path\n"
        f"with Path({str(runs)!r}).open('a') as runs:\n"
        "    runs.write('imported\\n')\n"
        "if __name__ == '__main__':\n"
        "    from extract.isolated import extract_isolated\n"
        f"    print(extract_isolated(Path({str(pdf)!r})).pages[0].text)\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Nous ouvrirons un centre de santé."
    assert runs.read_text().splitlines() == ["imported"]  # by the caller only, not again in the child


def test_errors_come_back_from_the_isolated_process_typed_and_named(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "secret.pdf", [["Secret."]], password="motdepasse")
    with pytest.raises(EncryptedDocument) as error:
        extract_isolated(pdf, name="https://exemple.test/secret.pdf")
    assert error.value.path == "https://exemple.test/secret.pdf"
    assert str(error.value).startswith("https://exemple.test/secret.pdf: the PDF is password-protected")


def test_an_extraction_over_its_memory_limit_fails_alone_and_named(tmp_path: Path) -> None:
    source = make_tract(tmp_path / "texte.pdf", ["Nous rénoverons les écoles."], columns=1)
    scanned = scan_pdf(source.path, tmp_path / "scan.pdf")
    # Reading a scan renders the page at 300 dpi (tens of MiB, always fresh
    # memory): under a 16 MiB address-space limit, that cannot succeed. The
    # page fails, named; or, when the process itself cannot go on, the document.
    try:
        [page] = extract_isolated(scanned, limits=ExtractionLimits(memory_mb=16)).pages
    except ExtractionError as error:
        assert re.search(r"scan\.pdf: .*VIGIE_EXTRACT_MEMORY_MB", str(error))
    else:
        assert page.method == "failed"
        assert page.warnings == (f"{scanned} page 1: needs more than 16 MiB (VIGIE_EXTRACT_MEMORY_MB); skipped",)
    assert extract_isolated(source.path).pages  # the next document is not affected


def test_a_2000_page_pdf_is_read_up_to_the_page_limit_at_a_bounded_cost(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "annuaire.pdf", [[f"Page {n}. Les équipements sportifs du quartier."] for n in range(1, 2001)])
    document = extract_isolated(pdf, limits=ExtractionLimits(max_pages=25))
    assert len(document.pages) == 25
    assert "2000 pages; only the first 25 were read" in document.warnings[0]


def test_a_page_with_a_huge_image_and_no_text_fails_alone_and_named(tmp_path: Path) -> None:
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = tmp_path / "affiche.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.drawString(72, 780, "Notre programme pour les écoles et les crèches, en page 2.")
    pdf.showPage()
    pdf.drawImage(ImageReader(Image.new("L", (5000, 7000), 255)), 0, 0, *A4)
    pdf.showPage()
    pdf.save()
    document = extract_isolated(path)
    assert document.pages[0].text.startswith("Notre programme")
    assert document.pages[1].method == "ocr"
    assert document.pages[1].warnings == (f"{path} page 2: OCR found no text on this scanned page",)
