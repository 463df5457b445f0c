"""Sentences and the first detector, on spaCy's real French pipeline."""

import pytest

from config.platform import load_platform
from extract.detect import COMMITMENT, MENTION, OPPOSITION, Detector
from extract.sentences import split_sentences


@pytest.fixture(scope="module")
def detector(nlp) -> Detector:
    return Detector(load_platform(), nlp)


def levels(detector: Detector, sentence: str) -> dict[str, str]:
    [mentions] = detector.detect_texts([sentence])
    return {m.demand: m.level for m in mentions}


def test_sentences_carry_offsets_into_the_page(nlp) -> None:
    page = "Notre ville mérite mieux.\nNous créerons un centre\nde santé municipal. Il ouvrira en 2027.\n\n• Rénover les écoles\n• Planter 1 000 arbres"
    sentences = split_sentences(nlp, page)
    assert [s.text for s in sentences] == [
        "Notre ville mérite mieux.",
        "Nous créerons un centre\nde santé municipal.",
        "Il ouvrira en 2027.",
        "Rénover les écoles",
        "Planter 1 000 arbres",
    ]
    assert all(page[s.start : s.end] == s.text for s in sentences)


def test_a_promised_health_centre_is_a_commitment_to_d07(detector: Detector) -> None:
    assert levels(detector, "Nous créerons un centre de santé municipal avec des médecins salariés.") == {"D07": COMMITMENT}


def test_plural_and_lemma_forms_match(detector: Detector) -> None:
    assert "D07" in levels(detector, "Deux centres de santé ouvriront dans les quartiers.")


def test_handing_water_to_a_private_operator_is_an_opposition(detector: Detector) -> None:
    found = levels(detector, "Nous confierons la gestion de l'eau à un opérateur privé.")
    assert found["D03"] == OPPOSITION
    assert found["D14"] == OPPOSITION


def test_a_diagnosis_is_a_mention(detector: Detector) -> None:
    assert levels(detector, "Le guichet de la gare n'ouvre plus que deux matinées par semaine.") == {"D04": MENTION}


def test_an_infinitive_bullet_is_a_commitment(detector: Detector) -> None:
    assert levels(detector, "Rénover le groupe scolaire Jean-Moulin d'ici 2029.") == {"D09": COMMITMENT}


def test_a_false_friend_is_excluded(detector: Detector) -> None:
    assert "D12" not in levels(detector, "Le parc social de la ville compte 800 logements.")


def test_a_sentence_about_nothing_of_the_platform_has_no_mention(detector: Detector) -> None:
    assert levels(detector, "Nous remercions les bénévoles qui ont distribué nos tracts.") == {}


def test_evidence_offsets_point_into_the_page(detector: Detector) -> None:
    page = "Introduction.\n\n• Ouvrir une médiathèque le dimanche"
    [[], [bullet]] = [list(item.mentions) for item in detector.analyse(page)]
    assert bullet.demand == "D10"
    assert page[bullet.start : bullet.end] == bullet.evidence == "médiathèque"
