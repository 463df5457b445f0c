"""The detector on spaCy's real French pipeline: which demands, which level."""

import pytest

from config.platform import load_platform
from extract.detect import COMMITMENT, MENTION, OPPOSITION, Detector, fold
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


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Nous créerons un centre de santé municipal avec des médecins salariés.", {"D07": COMMITMENT}),
        ("Deux centres de santé ouvriront dans les quartiers.", {"D07": COMMITMENT}),
        ("Rénover le groupe scolaire Jean-Moulin d'ici 2029.", {"D09": COMMITMENT}),
        ("Création d'une crèche municipale de 40 places", {"D09": COMMITMENT}),
        ("Nous allons rouvrir le guichet de la gare.", {"D04": COMMITMENT}),
        ("Nous nous engageons à atteindre 25 % de logements sociaux.", {"D01": COMMITMENT}),
        ("La cantine sera 100 % bio d'ici 2028.", {"D06": COMMITMENT}),
    ],
)
def test_promises_in_their_usual_forms_are_commitments(detector: Detector, sentence: str, expected: dict) -> None:
    assert levels(detector, sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Nous vendrons une partie du parc social.", {"D01": OPPOSITION}),
        ("Nous confierons la gestion de l'eau à un opérateur privé.", {"D03": OPPOSITION, "D14": OPPOSITION}),
        ("Nous fermerons l'antenne de mairie du quartier nord.", {"D13": OPPOSITION}),
        ("Nous réduirons les effectifs municipaux de 10 %.", {"D14": OPPOSITION}),
        ("Nous augmenterons les tarifs de la cantine.", {"D06": OPPOSITION}),
    ],
)
def test_acting_against_a_demand_is_an_opposition(detector: Detector, sentence: str, expected: dict) -> None:
    assert levels(detector, sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Nous ne fermerons aucune classe.", {"D09": COMMITMENT}),
        ("Aucune école ne fermera pendant le mandat.", {"D09": COMMITMENT}),
        ("Nous refuserons la vente des logements sociaux.", {"D01": COMMITMENT}),
        ("Nous lutterons contre les déserts médicaux.", {"D07": COMMITMENT}),
        ("Nous réduirons le prix de l'eau.", {"D03": COMMITMENT}),
        ("Les services publics municipaux ne seront ni privatisés ni externalisés.", {"D14": COMMITMENT}),
        ("Nous refuserons toute nouvelle construction de logements sociaux.", {"D01": OPPOSITION}),
    ],
)
def test_negations_and_refusals_turn_the_direction(detector: Detector, sentence: str, expected: dict) -> None:
    assert levels(detector, sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Le guichet de la gare n'ouvre plus que deux matinées par semaine.", {"D04": MENTION}),
        ("Nous avons créé le centre social des Tilleuls en 2021.", {"D08": MENTION}),
        ("Il faut plus de places en crèche.", {"D09": MENTION}),
        ("Nous pourrions reprendre la cantine en régie.", {"D06": MENTION, "D14": MENTION}),
        ("Nous demandons au maire de rouvrir la piscine.", {"D11": MENTION}),
    ],
)
def test_records_diagnoses_wishes_and_conditionals_are_mentions(detector: Detector, sentence: str, expected: dict) -> None:
    assert levels(detector, sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Le parc automobile de la mairie sera renouvelé.",
        "Un radar pédagogique sera installé devant chaque école.",
        "Notre équipe a de l'énergie à revendre.",
        "Une culture du résultat sera instaurée dans chaque service.",
        "Nous remercions les bénévoles qui ont distribué nos tracts.",
        "Le quartier de la gare aura sa fête des voisins.",
    ],
)
def test_false_friends_places_and_metaphors_are_not_demands(detector: Detector, sentence: str) -> None:
    assert levels(detector, sentence) == {}


def test_spellings_without_accents_and_acronyms_match(detector: Detector) -> None:
    assert levels(detector, "Ouvrir une creche et recruter des ATSEM") == {"D09": COMMITMENT}
    assert levels(detector, "Nous respecterons la loi SRU.") == {"D01": COMMITMENT}
    assert levels(detector, "Nous aurons plus de places.") == {}  # "PLUS" the loan is written in capitals
    assert fold("Crèche Œuvre") == "creche oeuvre"


def test_the_domiciliation_at_the_ccas_is_access_to_rights_not_social_action(detector: Detector) -> None:
    assert levels(detector, "Nous garantirons la domiciliation au CCAS.") == {"D05": COMMITMENT}


def test_bullets_under_a_committing_heading_are_promises(detector: Detector) -> None:
    page = "Nos engagements\n\n• La médiathèque ouvre le dimanche\n\nNotre bilan\n\n• La piscine ouvre le dimanche"
    found = {item.sentence.text: [m.level for m in item.mentions] for item in detector.analyse(page)}
    assert found["La médiathèque ouvre le dimanche"] == [COMMITMENT]
    assert found["La piscine ouvre le dimanche"] == [MENTION]


def test_mentions_carry_evidence_offsets_and_quantities(detector: Detector) -> None:
    page = "Introduction.\n\n• Construire 500 logements sociaux d'ici 2030"
    [_, bullet] = list(detector.analyse(page))
    [mention] = bullet.mentions
    assert page[mention.start : mention.end] == mention.evidence == "logements sociaux"
    assert [(q.kind, q.value) for q in mention.quantities] == [("count", 500.0), ("deadline", 2030.0)]
    assert all(page[q.start : q.end] == q.text for q in mention.quantities)


PAGES = [
    "Nos engagements\n\n• Ouvrir un centre de santé municipal en 2027\n• Rénover les écoles",
    "Nous refusons la privatisation de l'eau. La piscine fermera en 2026.",
    "",
]


def test_a_kept_parse_gives_the_detections_of_a_fresh_one(detector: Detector) -> None:
    fresh = list(detector.analyse_many(PAGES))
    assert fresh and list(detector.analyse_many(PAGES, parsed=detector.parse(PAGES))) == fresh


def test_a_parse_of_other_texts_is_refused(detector: Detector) -> None:
    parsed = detector.parse(PAGES)
    with pytest.raises(ValueError, match="not those of these texts"):
        list(detector.analyse_many([PAGES[1], PAGES[0]], parsed=parsed))
    with pytest.raises(ValueError, match="not those of these texts"):
        list(detector.analyse_many(PAGES[:1], parsed=parsed))


def test_the_pipeline_multiplies_on_numpys_blas_with_one_thread_per_process(nlp) -> None:
    # Measured: the same detections as with thinc's default BLIS, in 23 ms of CPU a page
    # instead of 35 (bench/run); one thread, since a process runs per core.
    from threadpoolctl import threadpool_info

    models = [proc.model for _, proc in nlp.pipeline if hasattr(getattr(proc, "model", None), "walk")]
    assert models and all(not node.ops.use_blis for model in models for node in model.walk())
    assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == [1]
