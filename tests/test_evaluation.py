"""Scoring the detector: the metrics, the floors it must keep on the development set, and the labelled sets."""

import itertools
import os
import re
import shutil
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.platform import load_platform
from extract.detect import Detector
from extract.evaluation import (
    LABELLED_SETS,
    REAL_TEST_SPLIT,
    Labelled,
    evaluate,
    identify_labelled,
    naive_baseline,
    read_labelled,
)
from tests.conftest import REPO

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


def test_each_labelled_set_is_known_by_its_content_wherever_it_is(tmp_path: Path) -> None:
    assert REAL_TEST_SPLIT.is_file()
    for known in LABELLED_SETS:
        assert identify_labelled(known.path) is known, known.key
        copy = tmp_path / f"{known.key}.copy"
        copy.write_bytes(known.path.read_bytes())
        assert identify_labelled(copy) is known, known.key
        copy.write_bytes(known.path.read_bytes() + b'{"id": "x", "text": "Une phrase de plus.", "labels": []}\n')
        assert identify_labelled(copy) is None, known.key
    assert [known.key for known in LABELLED_SETS if not known.tuned_on] == ["real-test", "detection-heldout"]
    assert identify_labelled(REAL_TEST_SPLIT).what.startswith("real test split: never tuned on")
    assert identify_labelled(DEV_SET).what.startswith("development set: tuned on")


def normalised(text: str) -> str:
    """Letters and digits only, case and accents folded: "19h" and "19 h", ’ and ' are the same."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


def words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return frozenset(re.findall(r"\w+", "".join(c for c in folded if not unicodedata.combining(c))))


def shared_sentences(a: list[Labelled], b: list[Labelled]) -> set[tuple[str, str]]:
    """(id in a, id in b) of the sentences that are the same once normalised, or
    near duplicates (four words or more, 80 % of their words in common)."""
    found = set()
    by_text = {}
    for item in b:
        by_text.setdefault(normalised(item.text), []).append(item.id)
    b_words = [(item.id, words(item.text)) for item in b]
    for item in a:
        found |= {(item.id, other) for other in by_text.get(normalised(item.text), [])}
        mine = words(item.text)
        if len(mine) < 4:
            continue
        for other, theirs in b_words:
            if len(theirs) >= 4 and 0.8 * len(mine) <= len(theirs) <= len(mine) / 0.8 and len(mine & theirs) >= 0.8 * len(mine | theirs):
                found.add((item.id, other))
    return found


def test_the_labelled_sets_share_no_sentence() -> None:
    # A set that scores the detector says nothing if its sentences are also where it was built, trained or tuned.
    sets = {known.key: read_labelled(known.path) for known in LABELLED_SETS}
    for (a, first), (b, second) in itertools.combinations(sets.items(), 2):
        shared = shared_sentences(first, second)
        if {a, b} == {"real-train", "real-dev"}:
            # Two sentences that a list of Strasbourg wrote as did lists of Puteaux and Quimper: in training, and in
            # the split that only chooses the thresholds (dev id, train id); neither is near the test split.
            assert shared == {("D-0298", "C-0036"), ("C-0320", "C-0095")}
        else:
            assert shared == set(), (a, b)


def test_the_near_duplicate_check_sees_a_respaced_or_reworded_sentence() -> None:
    gold = [Labelled("a", "L'accueil de la mairie sera ouvert le samedi matin et jusqu'à 19 h le jeudi.", {})]
    assert shared_sentences(gold, [Labelled("b", "L’accueil de la mairie sera ouvert le samedi matin et jusqu’à 19h le jeudi.", {})])
    assert shared_sentences(gold, [Labelled("c", "L'accueil de la mairie sera ouvert le samedi matin et jusqu'à 19 h le vendredi.", {})])
    assert not shared_sentences(gold, [Labelled("d", "La mairie ouvrira un accueil le samedi matin.", {})])


def test_the_real_test_split_is_shipped_with_the_package(tmp_path: Path) -> None:
    # What a wheel holds: setuptools' build_py of the packages pyproject.toml declares, in a copy of the sources.
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "labelled/*.jsonl" in config["package-data"]["config"]
    source = tmp_path / "source"
    for package in config["packages"]:
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "--build-lib", str(built)],
        cwd=source, check=True, capture_output=True,
    )  # fmt: skip
    shipped = built / REAL_TEST_SPLIT.relative_to(REPO)
    assert shipped.read_bytes() == REAL_TEST_SPLIT.read_bytes()
    # Installed, `vigie eval`'s default is that shipped file, not a file of the checkout.
    found = subprocess.run(
        [sys.executable, "-c", "from extract.evaluation import REAL_TEST_SPLIT; print(REAL_TEST_SPLIT)"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(built)}, check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert found.stdout.strip() == str(shipped)
