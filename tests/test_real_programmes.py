"""Real 2026 programmes read in the order a careful reader reads them.

The gold sentences of every page (tests/data/real-programmes/gold/) were
written by reading the rendered pages. The extractor was developed on these
pages: the figures are those of a development set, kept here as floors so
that no change makes a real page read worse."""

from functools import cache
from pathlib import Path

import pytest

from extract.document import extract_document
from extract.model import ExtractedDocument
from extract.quality import GoldDocument, document_score, load_gold, page_scores

REAL = Path(__file__).parent / "data" / "real-programmes"
GOLD_FILES = sorted((REAL / "gold").glob("*.json"))
PAGE_FLOOR, DOCUMENT_FLOOR = 0.85, 0.95


@cache
def extracted(file: str) -> ExtractedDocument:
    return extract_document(REAL / file)


def gold_of(path: Path) -> GoldDocument:
    return load_gold(path)


def test_every_real_programme_has_a_gold_page_for_each_of_its_pages() -> None:
    assert {path.stem for path in GOLD_FILES} == {path.stem for path in REAL.glob("*.pdf")}
    for path in GOLD_FILES:
        gold = gold_of(path)
        assert [page.number for page in gold.pages] == [page.number for page in extracted(gold.file).pages]
        assert sum(len(page.sentences) for page in gold.pages) >= 20


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda path: path.stem)
def test_real_pages_are_read_whole_and_in_order(path: Path) -> None:
    gold = gold_of(path)
    scores = page_scores(gold, {page.number: page.text for page in extracted(gold.file).pages})
    weak = {score.number: (round(score.score, 2), score.missed[:2]) for score in scores if score.score < PAGE_FLOOR}
    assert not weak, f"pages under {PAGE_FLOOR}: {weak}"
    assert document_score(scores) >= DOCUMENT_FLOOR


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda path: path.stem)
def test_no_sentence_the_previous_extractor_read_whole_is_lost(path: Path) -> None:
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    gold = gold_of(path)
    scores = {score.number: score for score in page_scores(gold, {p.number: p.text for p in extracted(gold.file).pages})}
    lost = {
        page["number"]: sorted(set(page["found_by_previous_extractor"]) & set(scores[page["number"]].missed))
        for page in data["pages"]
    }
    assert not any(lost.values()), lost


def test_sentences_of_real_pages_know_their_section_heading() -> None:
    page = extracted("clermont-bianchi-2026-p1-4.pdf").pages[1]
    offset = page.text.index("Nous instaurerons la gratuité du stationnement")
    assert page.heading_at(offset) == "LOGEMENT, SANTÉ : DES PROTECTIONS ESSENTIELLES"
    assert page.heading_at(page.text.index("Un deuxième commissariat")) == "SÉCURITÉ : PRÉSENCE, PROXIMITÉ, EFFICACITÉ"


def test_a_drop_capital_and_a_tilted_title_of_a_real_page_are_read_whole() -> None:
    page = extracted("clermont-bianchi-2026-p1-4.pdf").pages[1]
    assert "Nous agirons pour un logement abordable" in " ".join(page.text.split())
    assert (page.blocks[0].kind, " ".join(page.blocks[0].text.split())) == ("heading", "UNE VILLE QUI PROTÈGE")


def test_letter_spaced_and_tilted_display_headings_of_a_real_tract_come_out_as_words() -> None:
    text = " ".join(extracted("paris-dati-2026-tract-2.pdf").pages[1].text.split())
    assert "CETTE VILLE, J'EN FERAI LE PARADIS DES FAMILLES" in text
    assert "JE PROPOSERAI" in text
    assert "V I LL E" not in text


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda path: path.stem)
def test_every_block_of_a_real_page_is_where_its_offsets_say(path: Path) -> None:
    """Also across the page breaks where a cut word was mended into the page before."""
    for page in extracted(gold_of(path).file).pages:
        assert page.blocks
        for block in page.blocks:
            assert page.text[block.start : block.end] == block.text
        assert [block.start for block in page.blocks] == sorted(block.start for block in page.blocks)
