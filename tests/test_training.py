"""Training the detector on real labelled sentences, and detecting with it:
`vigie train`, `vigie eval` and `vigie detect --jsonl` as a user runs them."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from cli.detection import REAL_TEST_SPLIT
from config.platform import load_platform
from config.settings import load_settings
from extract.corpus import read_items
from extract.detect import Detector
from extract.evaluation import read_labelled, score_detectors
from extract.learned import META_FILE, TrainedModel
from extract.training import LABELLED, is_current, train
from flows.stages import stage_keys

runner = CliRunner()
QUICK = {"training.max_epochs": 2}


def small_corpus() -> tuple[list, list]:
    """A few whole documents of each split: enough to learn something in seconds."""
    return read_items(LABELLED / "real-train.jsonl")[:300], read_items(LABELLED / "real-dev.jsonl")[:120]


@pytest.fixture(scope="session")
def small_model(nlp, tmp_path_factory) -> TrainedModel:
    train_items, dev_items = small_corpus()
    return train(Detector(load_platform(), nlp), train_items, dev_items, tmp_path_factory.mktemp("detector") / "model", overrides=QUICK)


def vigie(*args: str, **env: str):
    return runner.invoke(app, list(args), env={f"VIGIE_{k.upper()}": str(v) for k, v in env.items()})


def test_training_twice_on_the_same_data_gives_the_same_model(nlp, small_model, tmp_path) -> None:
    train_items, dev_items = small_corpus()
    again = train(Detector(load_platform(), nlp), train_items, dev_items, tmp_path / "again", overrides=QUICK)
    assert again.key == small_model.key and again.thresholds == small_model.thresholds
    batch = [[("Créer", "creer"), ("une", "un"), ("médiathèque", "mediatheque")], [("rule_d14", "rule_d14")]]
    assert again.scores(batch) == small_model.scores(batch)


def test_the_model_is_current_until_its_corpus_changes(nlp, small_model) -> None:
    train_items, dev_items = small_corpus()
    rules = Detector(load_platform(), nlp)
    meta = json.loads((small_model.path / META_FILE).read_text(encoding="utf-8"))
    assert meta["report"]["trained_on"] == 300 and meta["report"]["tuned_on"] == 120
    # The quick model was trained with other epochs than the config's: not the config's model.
    assert not is_current(small_model.path, rules, train_items, dev_items)
    assert not is_current(small_model.path.parent / "nothing-here", rules, train_items, dev_items)


def test_detect_jsonl_keeps_its_format_with_the_trained_detector(small_model, tmp_path) -> None:
    lines = tmp_path / "phrases.jsonl"
    lines.write_text(
        '{"id": 1, "text": "Nous créerons un centre de santé municipal avec des médecins salariés."}\n'
        '{"id": "b", "text": "Il fait beau."}\n',
        encoding="utf-8",
    )
    result = vigie("detect", "--jsonl", str(lines), detector_model=str(small_model.path))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["id"] for row in rows] == [1, "b"]
    for mention in rows[0]["mentions"]:
        assert set(mention) == {"demand", "level", "score", "evidence", "start", "end", "quantities"}
        assert 0.0 <= mention["score"] <= 1.0


def test_eval_reports_rules_model_and_combined_with_the_evaluations_figures(nlp, small_model) -> None:
    result = vigie("eval", "--json", detector_model=str(small_model.path))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["detector"] == "combined" and set(report["detectors"]) == {"rules", "model", "combined"}
    expected = score_detectors(Detector(load_platform(), nlp, small_model), read_labelled(REAL_TEST_SPLIT))
    for mode, scored in expected.items():
        assert report["detectors"][mode] == json.loads(json.dumps(scored.to_json()))
    assert report["detectors"]["rules"]["false_alarms"]["measures"] >= 50

    table = vigie("eval", detector_model=str(small_model.path))
    assert table.exit_code == 0, table.output
    micro = next(line for line in table.output.splitlines() if line.startswith("micro F1"))
    figures = [float(value) for value in micro.split()[2:]]
    assert figures[:3] == [round(expected[m].evaluation.micro.f1, 2) for m in ("rules", "model", "combined")]
    assert "false alarms" in table.output


def test_the_detection_stage_goes_stale_when_the_detector_is_trained(small_model, tmp_path) -> None:
    rules_only = load_settings(detector_model=tmp_path / "none")
    trained = load_settings(detector_model=small_model.path)
    assert stage_keys(rules_only, "p1").detect != stage_keys(trained, "p1").detect
    assert stage_keys(trained, "p1").detect == stage_keys(load_settings(detector_model=small_model.path), "p1").detect
    assert stage_keys(load_settings(detector_model=small_model.path, detector="rules"), "p1").detect == stage_keys(rules_only, "p1").detect


def test_train_adds_the_analysts_corrections_and_prints_before_and_after(tmp_path) -> None:
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(
        json.dumps({
            "id": "correction-doc1-p1-0", "text": "Recruter dix agents de police municipale supplémentaires.", "labels": [],
            "reviewed": ["D14"], "by": ["analyste"], "source": {"doc_id": "doc1", "page": 1},
        }, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    target = tmp_path / "detector"
    target.mkdir()
    (target / META_FILE).write_text("{}", encoding="utf-8")  # a broken model: training replaces it
    result = vigie("train", "--corrections", str(corrections), "--epochs", "1", detector_model=str(target))
    assert result.exit_code == 0, result.output
    assert "before, on the real test split" in result.output and "rules: micro P" in result.output
    assert "and 1 corrections" in result.output
    assert "after, on the real test split: combined: micro P" in result.output
    meta = json.loads((target / META_FILE).read_text(encoding="utf-8"))
    assert meta["report"]["corrections"] == 1


def test_a_missing_or_broken_trained_detector_says_how_to_build_it(tmp_path) -> None:
    broken = tmp_path / "detector"
    broken.mkdir()
    (broken / META_FILE).write_text("{}", encoding="utf-8")
    result = vigie("detect", "--jsonl", "-", detector_model=str(broken))
    assert result.exit_code == 1
    assert "vigie train" in result.output and str(broken) in result.output


def test_detection_workers_load_the_trained_detector_the_settings_name(small_model, tmp_path) -> None:
    from config.platform import DEFAULT_PLATFORM
    from extract.model import ExtractedDocument, PageText
    from flows.stages import DetectionPool, make_detector

    settings = load_settings(detector_model=small_model.path, workers=1)
    page = "Nous créerons un centre de santé municipal avec des médecins salariés.\n\nIl fait beau."
    pool = DetectionPool(settings, DEFAULT_PLATFORM, workers=1)
    try:
        detected = pool.submit(ExtractedDocument("x.pdf", "application/pdf", (PageText(1, page),)), tmp_path / "d.json", None).result()
    finally:
        pool.close()
    in_process = list(make_detector(settings).analyse(page))
    assert [item.mentions for item in detected.analysed[0]] == [item.mentions for item in in_process]
