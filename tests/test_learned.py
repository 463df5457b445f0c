"""The detector's trained layer: what the classifiers read, how their scores
and the rules' findings become detections, and what training learns from."""

from extract.corpus import Item, Label
from extract.evaluation import Labelled, false_alarms
from extract.learned import Thresholds, decide, features
from extract.training import Seen, categories, choose_thresholds, corrections_items

DEMANDS = ["D01", "D05", "D14"]


def cats(**scores: float) -> dict[str, float]:
    return {"D01": 0.0, "D05": 0.0, "D14": 0.0, "commitment": 0.0, "opposition": 0.0, "mention": 0.0, **scores}


def test_the_classifiers_read_the_words_and_what_the_rules_found() -> None:
    words = features([("Recruter", "recruter"), (" ", " "), ("agents", "agent")], [("D14", "commitment")], with_rules=True)
    assert words == [("Recruter", "recruter"), ("agents", "agent"), ("rule_d14", "rule_d14"), ("rule_d14_commitment", "rule_d14_commitment")]
    assert features([("Recruter", "recruter")], [("D14", "commitment")]) == [("Recruter", "recruter")]
    assert features([], []) == [("∅", "∅")]


def test_the_words_norms_are_their_folded_lemmas(nlp) -> None:
    doc = nlp("Nous ouvrirons des crèches.")
    assert ("crèches", "creche") in features(doc, [])


def test_a_demand_the_rules_found_is_dropped_when_the_classifier_does_not_believe_it() -> None:
    thresholds = Thresholds(keep=0.2, add=0.9, level=0.6)
    # "Recruter des agents de police municipale": the rules read staff (D14), the model knows police is not.
    assert decide({"D14": "commitment"}, cats(D14=0.05, commitment=0.9), thresholds, DEMANDS) == []
    [kept] = decide({"D14": "commitment"}, cats(D14=0.4, commitment=0.9), thresholds, DEMANDS)
    assert (kept.demand, kept.by_rules) == ("D14", True)


def test_a_demand_the_rules_missed_is_added_only_when_the_classifier_is_sure() -> None:
    thresholds = Thresholds(keep=0.2, add=0.8, level=0.6)
    assert decide({}, cats(D05=0.7), thresholds, DEMANDS) == []
    [added] = decide({}, cats(D05=0.85, commitment=0.7), thresholds, DEMANDS)
    assert (added.demand, added.level, added.by_rules) == ("D05", "commitment", False)


def test_the_level_is_the_classifiers_when_sure_and_the_rules_otherwise() -> None:
    thresholds = Thresholds(keep=0.1, add=0.9, level=0.6)
    [sure] = decide({"D01": "mention"}, cats(D01=0.9, commitment=0.8, mention=0.2), thresholds, DEMANDS)
    [unsure] = decide({"D01": "mention"}, cats(D01=0.9, commitment=0.5, mention=0.4), thresholds, DEMANDS)
    assert (sure.level, unsure.level) == ("commitment", "mention")


def test_a_sentence_of_the_corpus_teaches_every_demand_and_its_level() -> None:
    item = Item("x", "Créer un centre de santé.", "doc", {}, labels=(Label("D05", "commitment"),))
    learned = categories(item, DEMANDS)
    assert learned == {"D01": 0.0, "D05": 1.0, "D14": 0.0, "commitment": 1.0, "opposition": 0.0, "mention": 0.0}
    assert "commitment" not in categories(Item("y", "Bonjour.", "doc", {}), DEMANDS)


def test_a_correction_teaches_only_the_demands_an_analyst_reviewed(tmp_path) -> None:
    export = tmp_path / "corrections.jsonl"
    export.write_text(
        '{"id": "correction-a-p1-0", "text": "Doubler les effectifs de la police municipale.", "labels": [], '
        '"reviewed": ["D14"], "by": ["ana"], "source": {"doc_id": "a", "page": 1}}\n',
        encoding="utf-8",
    )
    [item] = corrections_items(export)
    assert item.document == "correction:a"
    assert categories(item, DEMANDS) == {"D14": 0.0}


def test_false_alarms_count_measures_outside_the_platform_on_which_something_fired() -> None:
    gold = [
        Labelled("a", "Armer la police municipale.", {}, theme="security"),
        Labelled("b", "Installer des caméras.", {}, theme="cctv"),
        Labelled("c", "La sécurité est la première des libertés.", {}),
        Labelled("d", "Créer un centre de santé.", {"D07": "commitment"}),
    ]
    alarms = false_alarms(gold, [{"D14": "commitment"}, {}, {"D13": "mention"}, {"D07": "commitment"}])
    assert (alarms.measures, alarms.fired, alarms.rate) == (2, 1, 0.5)
    assert alarms.per_theme == {"security": (1, 1), "cctv": (1, 0)}


def test_thresholds_are_chosen_without_raising_false_alarms_above_the_rules() -> None:
    views = [Seen([("x", "x")], {}), Seen([("y", "y")], {})]
    scores = [cats(D05=0.95, commitment=0.9), cats(D05=0.95, commitment=0.9)]
    gold = [Labelled("a", "Ouvrir une permanence d'accès aux droits.", {"D05": "commitment"}), Labelled("b", "Armer la police.", {}, theme="security")]
    # Adding D05 on both would find the first (F1 0.67) but fire on a police measure, where the rules are silent.
    thresholds, result = choose_thresholds(views, scores, gold, DEMANDS)
    assert thresholds.add > 0.95 and result.micro.tp == 0
