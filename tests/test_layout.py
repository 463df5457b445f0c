"""Designed pages read as a careful reader reads them: regions before
columns, each block with its kind, box and section heading."""

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from extract.document import extract_document
from extract.limits import ExtractionLimits
from extract.model import PageText
from tests.designed import DesignedPage
from tests.factories import make_pdf

LEFT = [
    "Nous construirons deux cents logements sociaux",
    "dans le quartier de la gare, avec des loyers",
    "encadrés pour les familles modestes.",
]
RIGHT = [
    "Nous ouvrirons un centre de santé municipal",
    "avec des médecins salariés, ouvert le samedi",
    "et accessible sans dépassement d'honoraires.",
]
SIDEBAR = [
    "La cantine bio à un euro",
    "pour chaque enfant dont la",
    "famille a un quotient modeste.",
]


def flat(text: str) -> str:
    return " ".join(text.split())


def page_of(path: Path) -> PageText:
    return extract_document(path).pages[0]


def position(text: str, sentence: str) -> int:
    index = flat(text).find(sentence)
    assert index >= 0, f"{sentence!r} not found whole in {flat(text)!r}"
    return index


def test_a_two_column_section_under_a_full_width_heading_beside_a_full_height_sidebar(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "magazine.pdf")
    page.heading(40, 40, "LOGEMENT, SANTÉ : PROTÉGER", size=14)
    page.lines(40, 70, LEFT, size=8)
    page.lines(232, 70, RIGHT, size=8)
    page.heading(420, 40, "POUVOIR D'ACHAT", size=14)
    page.lines(420, 70, SIDEBAR, size=8)
    page.lines(420, 110, ["Des tarifs solidaires dans", "tous les équipements."], size=8)
    text = page_of(page.save()).text
    order = [position(text, sentence) for sentence in (flat(" ".join(LEFT)), flat(" ".join(RIGHT)), flat(" ".join(SIDEBAR)))]
    assert order == sorted(order)


def test_paragraph_breaks_that_line_up_across_columns_do_not_interleave_the_columns(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "aligned.pdf")
    page.heading(40, 40, "NOS ENGAGEMENTS POUR LA VILLE", size=14)
    top = page.lines(40, 70, LEFT, size=9)
    page.lines(40, top + 10, ["Nous rénoverons les écoles", "et leurs cours de récréation."], size=9)
    top = page.lines(300, 70, RIGHT, size=9)
    page.lines(300, top + 10, ["Nous garderons la piscine", "municipale en régie publique."], size=9)
    text = flat(page_of(page.save()).text)
    assert text.index("familles modestes.") < text.index("Nous rénoverons les écoles et leurs cours") < text.index("Nous ouvrirons un centre")
    assert text.index("Nous ouvrirons un centre") < text.index("Nous garderons la piscine municipale en régie publique.")


def test_a_drop_capital_is_joined_to_its_word(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "lettrine.pdf")
    x = page.drop_capital(40, 60, "N")
    page.lines(x, 60, ["ous agirons pour un logement", "abordable et accessible à", "toutes les familles."], size=9)
    text = flat(page_of(page.save()).text)
    assert text.startswith("Nous agirons pour un logement abordable")


def test_letter_spaced_capitals_are_rejoined_into_words_and_read_as_a_heading(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "espace.pdf")
    page.spaced(40, 40, "VILLE DES FAMILLES")
    page.lines(40, 80, ["Nous ouvrirons trois crèches municipales."], size=10)
    extracted = page_of(page.save())
    heading = extracted.blocks[0]
    assert (heading.kind, flat(heading.text)) == ("heading", "VILLE DES FAMILLES")
    assert extracted.heading_at(extracted.text.index("Nous ouvrirons")) == "VILLE DES FAMILLES"


def test_a_tilted_title_is_one_heading_read_in_its_own_direction(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "titre.pdf")
    page.tilted(60, 90, ["UNE VILLE", "QUI PROTÈGE"])
    page.lines(60, 150, ["Protéger les habitants, c'est agir pour la tranquillité publique."], size=10)
    extracted = page_of(page.save())
    assert extracted.blocks[0].kind == "heading"
    assert flat(extracted.blocks[0].text) == "UNE VILLE QUI PROTÈGE"
    assert "Protéger les habitants, c'est agir pour la tranquillité publique." in flat(extracted.text)


def test_a_ruled_table_of_numbered_measures_is_read_row_by_row(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "tableau.pdf")
    page.heading(40, 40, "Chapitre 3 — Solidarités", size=11)
    rows = [["N°", "Mesure"], ["74", "CCAS renforcé et plus proche"], ["75", "Épicerie solidaire municipale"], ["76", "Maison des seniors"]]
    page.table(40, 60, [40, 260], rows)
    extracted = page_of(page.save())
    text = flat(extracted.text)
    assert "74 CCAS renforcé et plus proche 75 Épicerie solidaire municipale 76 Maison des seniors" in text
    table_rows = [flat(block.text) for block in extracted.blocks if block.kind == "table_row"]
    assert table_rows[1:] == ["74 CCAS renforcé et plus proche", "75 Épicerie solidaire municipale", "76 Maison des seniors"]
    assert all(block.heading == "Chapitre 3 — Solidarités" for block in extracted.blocks if block.kind == "table_row")


def test_a_tinted_box_inside_a_column_is_read_after_the_text_it_interrupts(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "encart.pdf")
    top = page.lines(40, 60, LEFT, size=9)
    page.box(36, top + 6, 260, 50)
    page.lines(44, top + 14, ["En chiffres : 200 logements", "sociaux de plus d'ici 2032."], size=9)
    page.lines(40, top + 66, ["Nous créerons une régie publique", "de l'eau dès le premier budget."], size=9)
    extracted = page_of(page.save())
    text = flat(extracted.text)
    assert text.index("encadrés pour les familles modestes.") < text.index("Nous créerons une régie publique de l'eau dès le premier budget.")
    assert text.index("de l'eau dès le premier budget.") < text.index("En chiffres : 200 logements sociaux")
    assert [block.kind for block in extracted.blocks][-1] == "sidebar"


def test_a_caption_on_a_photo_is_kept_apart_from_the_body(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "photo.pdf")
    page.lines(40, 40, ["Nous ouvrirons un centre de santé municipal", "dans chaque quartier de la ville."], size=10)
    page.photo(40, 80, 300, 160)
    page.text(50, 225, "Le centre de santé des Tanneries", size=8)
    page.lines(40, 260, ["Les médecins y seront salariés par la commune."], size=10)
    extracted = page_of(page.save())
    text = flat(extracted.text)
    assert "dans chaque quartier de la ville. Les médecins y seront salariés" in text
    caption = [block for block in extracted.blocks if block.kind == "caption"]
    assert [flat(block.text) for block in caption] == ["Le centre de santé des Tanneries"]


def test_a_paragraph_set_over_a_photo_stays_in_the_flow(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "fond.pdf")
    page.lines(40, 40, ["Nous ouvrirons un centre de santé municipal."], size=10)
    page.photo(30, 70, 400, 200)
    page.lines(40, 90, [*LEFT, *RIGHT, *SIDEBAR], size=10)
    page.lines(40, 300, ["Les médecins y seront salariés par la commune."], size=10)
    extracted = page_of(page.save())
    text = flat(extracted.text)
    assert text.index("centre de santé municipal.") < text.index("familles modestes.") < text.index("Les médecins y seront")
    assert "caption" not in [block.kind for block in extracted.blocks]


def test_blocks_know_their_place_in_the_page_text(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "offsets.pdf")
    page.heading(40, 40, "SANTÉ", size=16)
    page.lines(40, 70, LEFT, size=9)
    page.lines(300, 70, RIGHT, size=9)
    extracted = page_of(page.save())
    assert [block.kind for block in extracted.blocks] == ["heading", "body", "body"]
    for block in extracted.blocks:
        assert extracted.text[block.start : block.end] == block.text
    assert extracted.heading_at(extracted.text.index("centre de santé")) == "SANTÉ"
    x0, top, x1, bottom = extracted.blocks[2].bbox
    assert 295 <= x0 < 305 and 65 < top < 75 and x1 > x0 and bottom > top


def test_a_word_cut_at_the_page_end_is_mended_and_the_blocks_of_both_pages_stay_in_place(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "coupure.pdf", [["SANTÉ", "Nous construirons deux cents loge-"], ["ments sociaux près de la gare.", "Et une crèche."]])
    pages = extract_document(pdf).pages
    assert flat(pages[0].text).endswith("deux cents logements")
    assert flat(pages[1].text).startswith("sociaux près de la gare.")
    for page in pages:
        for block in page.blocks:
            assert page.text[block.start : block.end] == block.text


def test_extract_json_adds_the_blocks_of_each_page_in_reading_order(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "json.pdf")
    page.heading(40, 40, "SANTÉ", size=16)
    page.lines(40, 70, LEFT, size=9)
    result = CliRunner().invoke(app, ["extract", "--json", str(page.save())])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["extractor_version"] == "pdf-layout-1"
    blocks = data["pages"][0]["blocks"]
    assert [(block["order"], block["kind"]) for block in blocks] == [(1, "heading"), (2, "body")]
    assert blocks[1]["heading"] == "SANTÉ"
    assert flat(blocks[1]["text"]) == flat(" ".join(LEFT))
    assert len(blocks[1]["bbox"]) == 4


def test_debug_png_draws_each_page_with_its_blocks(tmp_path: Path) -> None:
    page = DesignedPage(tmp_path / "dessin.pdf")
    page.heading(40, 40, "SANTÉ", size=16)
    page.lines(40, 70, LEFT, size=9)
    result = CliRunner().invoke(app, ["extract", str(page.save()), "--debug-png", str(tmp_path / "pages")])
    assert result.exit_code == 0, result.output
    from PIL import Image

    drawn = Image.open(tmp_path / "pages" / "dessin-p1.png").convert("RGB")
    assert drawn.size[0] > 800
    # The heading's frame is drawn in its colour around where the heading stands.
    row = [drawn.getpixel((x, int(40 * 1.5) - 3)) for x in range(int(40 * 1.5), int(120 * 1.5))]
    assert sum(1 for r, g, b in row if r > 180 and g < 90 and b < 130) > 20


def test_debug_png_refuses_a_file_that_is_not_a_pdf(tmp_path: Path) -> None:
    text = tmp_path / "programme.txt"
    text.write_text("Nous ouvrirons un centre de santé.", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(text), "--debug-png", str(tmp_path / "pages")])
    assert result.exit_code == 1
    assert "draws the pages of a PDF" in result.output


def crowded_page(path: Path, *, characters: int, boxes: int) -> Path:
    """One page of tiny type, `characters` of it, over `boxes` tiny tinted squares."""
    page = DesignedPage(path)
    for index in range(boxes):
        page.box(10 + (index % 100) * 5.8, 10 + (index // 100) * 16, 3, 3, grey=0.6)
    per_line = 400
    words = ("santé logement école cantine régie piscine crèche " * 20)[:per_line]
    for line in range(characters // per_line):
        page.text(10, 10 + line * 3.2, words, size=1.5)
    return page.save()


def test_a_page_of_100000_characters_over_5000_tiny_boxes_is_read_within_its_time_limit(tmp_path: Path) -> None:
    """Segmentation stays linear in the page's words: a quadratic cut would
    take hours on this page and be stopped by the page limit."""
    pdf = crowded_page(tmp_path / "foule.pdf", characters=100_000, boxes=5_000)
    document = extract_document(pdf, limits=ExtractionLimits(page_timeout_s=60))
    page = document.pages[0]
    assert page.method == "text", page.warnings
    assert page.text.count("cantine") >= 1000
