"""The reading-order score, and the tract fixtures it is measured on, checked
with pdfplumber alone (independently of Vigie's extractor)."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from extract.quality import reading_order_score
from tests.tracts import (
    FONT,
    Line,
    Tract,
    column_boxes,
    french_paragraphs,
    join_lines,
    make_tract,
    scan_pdf,
    split_sentences,
    wrap,
)

SENTENCES = ["Nous ouvrirons un centre de santé.", "La cantine sera bio.", "La piscine rouvrira.", "L'eau sera publique."]


# --- reading_order_score ---------------------------------------------------------------------


def test_all_sentences_in_order_score_one() -> None:
    assert reading_order_score(SENTENCES, "Programme. " + " ".join(SENTENCES) + " Votez !") == 1.0


def test_a_swapped_pair_loses_one_sentence() -> None:
    a, b, c, d = SENTENCES
    assert reading_order_score(SENTENCES, " ".join([a, c, b, d])) == 0.75


def test_a_sentence_broken_by_an_inserted_word_is_missing() -> None:
    a, b, c, d = SENTENCES
    text = " ".join([a, "La cantine sera Moulins en commun bio.", c, d])
    assert reading_order_score(SENTENCES, text) == 0.75


def test_whitespace_and_apostrophes_do_not_matter() -> None:
    text = "Nous ouvrirons un\ncentre  de santé.\n\nLa cantine\tsera bio. La piscine\u00a0rouvrira.\nL\u2019eau sera publique."
    assert reading_order_score(SENTENCES, text) == 1.0


def test_no_source_sentence_scores_one() -> None:
    assert reading_order_score([], "anything") == 1.0
    assert reading_order_score(SENTENCES, "") == 0.0


# --- line breaking ---------------------------------------------------------------------------


def _room_for(text: str, size: float = 10.5) -> float:
    return stringWidth(text, FONT, size) + 0.5


def test_a_long_word_is_cut_in_half_with_a_hyphen() -> None:
    lines = wrap("Nous construirons des logements", _room_for("Nous construirons des loge-"))
    assert lines == [Line("Nous construirons des loge-", "soft"), Line("ments")]
    assert join_lines(lines) == "Nous construirons des logements"


def test_a_compound_is_cut_after_its_own_hyphen() -> None:
    lines = wrap("La gare de Saint-Martin-des-Champs", _room_for("La gare de Saint-Martin-"))
    assert lines == [Line("La gare de Saint-Martin-", "hard"), Line("des-Champs")]
    assert join_lines(lines) == "La gare de Saint-Martin-des-Champs"


@pytest.mark.parametrize("word", ["maisons", "logements,", "l'accessibilité"])
def test_short_or_punctuated_words_wrap_whole(word: str) -> None:
    lines = wrap(f"Nous voulons des {word}", _room_for("Nous voulons des lo-"))
    assert lines == [Line("Nous voulons des"), Line(word)]


def test_no_cut_without_hyphenation() -> None:
    lines = wrap("Nous construirons des logements à Saint-Denis", 60, hyphenate=False)
    assert all(line.cut == "" and not line.text.endswith("-") for line in lines)


def test_french_spacing_never_starts_a_line() -> None:
    for width in range(30, 140, 3):
        lines = wrap("Une cantine 100 % bio : « locale » !", width)
        assert not any(line.text.startswith(("%", ":", "»", "!")) or line.text.endswith("«") for line in lines)


# --- generated text --------------------------------------------------------------------------


def test_paragraphs_are_deterministic_varied_and_drawable() -> None:
    paragraphs = french_paragraphs(60, seed=3)
    assert paragraphs == french_paragraphs(60, seed=3) != french_paragraphs(60, seed=4)
    text = " ".join(paragraphs)
    text.encode("cp1252")
    assert 5 <= sum(p.startswith(("• ", "- ")) for p in paragraphs) <= 20
    assert all(2 <= len(split_sentences(p)) <= 5 for p in paragraphs if not p.startswith(("• ", "- ")))
    assert re.search(r"\b20[23]\d\b", text) and " %" in text
    assert "Saint-" in text and "Moulins-sur-Lys" in text
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    assert len(set(sentences)) == len(sentences)


def test_sentences_drop_bullet_markers() -> None:
    assert split_sentences("• Une cantine bio") == ["Une cantine bio"]
    assert split_sentences("Un. Deux ! Trois ? « Quatre. » 25 %.") == ["Un.", "Deux !", "Trois ?", "« Quatre. » 25 %."]


# --- tracts, read with pdfplumber ------------------------------------------------------------


@pytest.fixture(scope="module")
def two_columns(tmp_path_factory: pytest.TempPathFactory) -> Tract:
    return make_tract(tmp_path_factory.mktemp("tracts") / "two.pdf", french_paragraphs(40, seed=4))


def _words(text: str) -> list[str]:
    """Words with every hyphen dropped: a cut word and its whole form compare equal."""
    return text.replace("-\n", "").replace("-", "").split()


def _column_texts(tract: Tract, columns: int) -> list[list[str]]:
    with pdfplumber.open(tract.path) as pdf:
        return [[page.within_bbox(box).extract_text() for box in column_boxes(columns)] for page in pdf.pages]


@pytest.mark.parametrize("columns", [1, 2, 3])
def test_columns_hold_the_page_text_in_order(tmp_path: Path, columns: int) -> None:
    tract = make_tract(tmp_path / "tract.pdf", french_paragraphs(24, seed=columns), columns=columns)
    texts = _column_texts(tract, columns)
    assert len(texts) == len(tract.pages) >= 2
    for page_columns, pieces in zip(texts, tract.pages):
        assert page_columns[0]
        assert _words("\n".join(page_columns)) == _words(" ".join(pieces))


def test_words_are_hyphenated_at_line_ends(two_columns: Tract) -> None:
    crops = [text for page in _column_texts(two_columns, 2) for text in page]
    cuts = [pair for crop in crops for pair in re.findall(r"(\w+)-\n(\w+)", crop)]
    assert any((head + tail).isalpha() and len(head + tail) >= 8 for head, tail in cuts)
    body = " ".join(piece for page in two_columns.pages for piece in page)
    assert all(f"{head}{tail}" in body or f"{head}-{tail}" in body for head, tail in cuts)


def test_sentences_run_across_columns_and_pages(two_columns: Tract) -> None:
    crops = [re.sub(r"-\n", "", text).replace("\n", " ") for page in _column_texts(two_columns, 2) for text in page]
    split = [s for s in two_columns.sentences if not any(s in crop for crop in crops)]
    assert split, "no sentence runs from one column to the next"
    paragraphs = french_paragraphs(40, seed=4)
    assert any(page[0] not in paragraphs for page in two_columns.pages[1:]), "no paragraph runs across a page break"


def test_header_and_footer_on_every_page(two_columns: Tract) -> None:
    with pdfplumber.open(two_columns.path) as pdf:
        total = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            lines = page.extract_text().splitlines()
            assert lines[0] == two_columns.header
            assert lines[-1] == two_columns.footer_template.format(n=number, total=total)


def test_title_on_the_first_page_only(tmp_path: Path) -> None:
    title = "Moulins en commun : un programme pour vivre mieux"
    tract = make_tract(tmp_path / "titled.pdf", french_paragraphs(24), columns=3, title=title)
    assert tract.pages[0][0] == title
    with pdfplumber.open(tract.path) as pdf:
        texts = [" ".join(page.extract_text().split()) for page in pdf.pages]
        assert [title in text for text in texts] == [True] + [False] * (len(texts) - 1)
        chars = pdf.pages[0].chars
        title_bottom = max(c["bottom"] for c in chars if c["size"] > 20)
        assert title_bottom < min(c["top"] for c in chars if c["size"] == 10.5)


def test_tracts_are_deterministic(tmp_path: Path) -> None:
    paragraphs = french_paragraphs(12)
    first = make_tract(tmp_path / "a.pdf", paragraphs)
    second = make_tract(tmp_path / "b.pdf", paragraphs)
    assert first.path.read_bytes() == second.path.read_bytes()


def test_characters_outside_winansi_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_tract(tmp_path / "bad.pdf", ["Un engagement \u2192 tenu."])


def test_a_scan_has_one_image_and_no_text_per_page(two_columns: Tract, tmp_path: Path) -> None:
    scanned = scan_pdf(two_columns.path, tmp_path / "scan.pdf", dpi=60)
    with pdfplumber.open(scanned) as pdf:
        assert len(pdf.pages) == len(two_columns.pages)
        assert all(not page.chars and len(page.images) == 1 for page in pdf.pages)
