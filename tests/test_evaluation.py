"""Scoring the detector: the metrics, and the floors it must keep on the development set."""

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.platform import load_platform
from extract.detect import Detector
from extract.evaluation import Labelled, evaluate, naive_baseline, read_labelled

DEV_SET = Path(__file__).parent / "data" / "detection-dev.jsonl"


def labelled(text: str, **labels: str) -> Labelled:
    return Labelled(id=text[:10], text=text, labels=labels)


def test_scores_count_per_sentence_and_demand() -> None:
    gold = [labelled("a", D01="commitment"), labelled("b", D02="mention"), labelled("c")]
    predicted = [{"D01": "commitment", "D03": "mention"}, {}, {"D02": "opposition"}]
    result = evaluate(gold, predicted, ["D01", "D02", "D03"])
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (1, 2, 1)
    assert result.per_demand["D01"].f1 == 1.0
    assert result.per_demand["D02"].recall == 0.0
    assert result.level_accuracy == 1.0
    assert result.confusion[("D02", "none")] == 1
    assert result.confusion[("none", "D02")] == 1
    assert len(result.errors) == 3


def test_level_accuracy_counts_only_demands_found_right() -> None:
    gold = [labelled("a", D01="commitment"), labelled("b", D01="opposition")]
    result = evaluate(gold, [{"D01": "commitment"}, {"D01": "commitment"}], ["D01"])
    assert result.micro.f1 == 1.0
    assert result.level_accuracy == 0.5


def test_a_broken_labelled_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "jeu.jsonl"
    path.write_text('{"id": 1, "text": "x", "labels": []}\n{"id": 2, "text": "y"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"jeu\.jsonl, line 2"):
        read_labelled(path)


def test_the_naive_baseline_finds_substrings_and_calls_everything_a_commitment() -> None:
    [found] = naive_baseline(load_platform(), ["Le parc automobile sera vendu."])
    assert found == {"D12": "commitment"}


def test_the_development_set_is_varied_enough_to_mean_something() -> None:
    gold = read_labelled(DEV_SET)
    assert len(gold) >= 250
    assert sum(1 for item in gold if not item.labels) / len(gold) >= 0.40
    demands = {demand for item in gold for demand in item.labels}
    assert demands == {f"D{n:02d}" for n in range(1, 15)}
    assert {level for item in gold for level in item.labels.values()} == {"commitment", "opposition", "mention"}


def test_the_detector_keeps_its_floors_on_the_development_set(nlp) -> None:
    platform = load_platform()
    detector = Detector(platform, nlp)
    gold = read_labelled(DEV_SET)
    demands = [d.id for d in platform.demands]
    predicted = [{m.demand: m.level for m in mentions} for mentions in detector.detect_texts(g.text for g in gold)]
    result = evaluate(gold, predicted, demands)
    baseline = evaluate(gold, naive_baseline(platform, (g.text for g in gold)), demands)
    assert result.micro.f1 >= 0.90
    assert result.level_accuracy >= 0.85
    assert result.micro.f1 >= baseline.micro.f1 + 0.15
    assert result.level_accuracy >= baseline.level_accuracy + 0.2
