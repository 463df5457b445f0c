"""Scoring the detector against labelled sentences.

A labelled file is JSON lines: `{"id": ..., "text": ..., "labels": [{"demand":
"D07", "level": "commitment"}]}` (`labels` empty when the sentence addresses
no demand). A prediction counts per (sentence, demand): precision, recall and
F1 per demand and micro-averaged; level accuracy is measured on the demands
found that are right.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from config.errors import ConfigError
from config.platform import Platform
from extract.corpus import json_lines
from extract.detect import Detector, DetectorMode, fold
from extract.levels import COMMITMENT, MENTION, OPPOSITION

LEVELS = {COMMITMENT, OPPOSITION, MENTION}
NONE = "none"

_ROOT = Path(__file__).resolve().parent.parent
REAL_TEST_SPLIT = _ROOT / "config" / "labelled" / "real-test.jsonl"
"""Sentences of real programmes whose source documents were never used to
build, train or tune the detector; shipped with the package (config's package data)."""


@dataclass(frozen=True)
class LabelledSet:
    """One of the labelled sets the project keeps, and what figures on it mean."""

    key: str
    name: str
    tuned_on: bool
    """Whether the detector (its rules, classifiers or thresholds) was built, trained or tuned on it."""
    about: str
    path: Path

    @property
    def what(self) -> str:
        return f"{self.name}: {'tuned on' if self.tuned_on else 'never tuned on'} ({self.about})"

    def to_json(self) -> dict:
        return {"set": self.key, "name": self.name, "tuned_on": self.tuned_on, "what": self.what}


LABELLED_SETS = (
    LabelledSet(
        "real-test", "real test split", False,
        "sentences of real programmes whose source documents were never used to train or tune the detector", REAL_TEST_SPLIT,
    ),
    LabelledSet(
        "real-dev", "real development split", True,
        "real programmes' sentences on which the trained layer's thresholds were chosen", _ROOT / "config" / "labelled" / "real-dev.jsonl",
    ),
    LabelledSet(
        "real-train", "real training split", True,
        "real programmes' sentences the classifiers were trained on", _ROOT / "config" / "labelled" / "real-train.jsonl",
    ),
    LabelledSet(
        "detection-dev", "development set", True,
        "sentences written for the project, on which the rules were written and tuned", _ROOT / "tests" / "data" / "detection-dev.jsonl",
    ),
    LabelledSet(
        "detection-heldout", "held-out set", False,
        "sentences written for the project apart from the development set, never used to tune the rules",
        _ROOT / "bench" / "data" / "detection-heldout.jsonl",
    ),
)  # fmt: skip
"""The development and held-out sets live in the checkout (tests/, bench/), not in an installed package."""


def _content_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def identify_labelled(path: Path) -> LabelledSet | None:
    """Which of the project's labelled sets `path` is, by its content (a copy
    elsewhere is the same set; an edited one is none), or None."""
    digest = _content_digest(path)
    for known in LABELLED_SETS:
        if known.path.is_file() and _content_digest(known.path) == digest:
            return known
    return None


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    labels: dict[str, str]
    """demand → level."""
    theme: str | None = None
    """For a sentence without a demand that is a concrete programme measure
    outside the platform (police, CCTV, parking…): its theme."""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    per_demand: dict[str, Counts]
    micro: Counts
    level_right: int
    level_total: int
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(gold demand, predicted demand) on sentences where one was missed and
    the other found instead; "none" when there was nothing on that side."""
    errors: list[tuple[Labelled, dict[str, str]]] = field(default_factory=list)

    @property
    def level_accuracy(self) -> float:
        return self.level_right / self.level_total if self.level_total else 1.0

    def to_json(self) -> dict:
        def scores(counts: Counts) -> dict:
            return {
                "precision": round(counts.precision, 4),
                "recall": round(counts.recall, 4),
                "f1": round(counts.f1, 4),
                "tp": counts.tp,
                "fp": counts.fp,
                "fn": counts.fn,
            }

        return {
            "micro": scores(self.micro),
            "level_accuracy": round(self.level_accuracy, 4),
            "per_demand": {demand: scores(counts) for demand, counts in sorted(self.per_demand.items())},
            "confusion": [{"gold": g, "predicted": p, "count": n} for (g, p), n in self.confusion.most_common()],
        }


def measure_theme(raw: dict) -> str | None:
    """The theme of a labelled line that is a programme measure outside the platform, else None."""
    return str(raw.get("theme") or "other") if raw.get("measure") and not raw.get("labels") else None


def read_labelled(path: Path) -> list[Labelled]:
    """A labelled file; a bad line raises a ConfigError naming it."""
    items: list[Labelled] = []
    for number, raw in json_lines(path, "labelled file"):
        try:
            labels = {label["demand"]: label["level"] for label in raw["labels"]}
            item = Labelled(id=str(raw["id"]), text=str(raw["text"]), labels=labels, theme=measure_theme(raw))
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"not a labelled sentence ({exc})", source=str(path), field=f"line {number}") from exc
        if not set(labels.values()) <= LEVELS:
            raise ConfigError(f"levels are {sorted(LEVELS)}", source=str(path), field=f"line {number}")
        items.append(item)
    return items


def evaluate(gold: Sequence[Labelled], predicted: Sequence[dict[str, str]], demands: Iterable[str]) -> Evaluation:
    per_demand = {demand: Counts() for demand in demands}
    micro = Counts()
    evaluation = Evaluation(per_demand=per_demand, micro=micro, level_right=0, level_total=0)
    for item, guess in zip(gold, predicted, strict=True):
        for demand in set(item.labels) | set(guess):
            counts = per_demand.setdefault(demand, Counts())
            if demand in item.labels and demand in guess:
                counts.tp += 1
                micro.tp += 1
                evaluation.level_total += 1
                evaluation.level_right += item.labels[demand] == guess[demand]
            elif demand in guess:
                counts.fp += 1
                micro.fp += 1
            else:
                counts.fn += 1
                micro.fn += 1
        missed = sorted(set(item.labels) - set(guess))
        extra = sorted(set(guess) - set(item.labels))
        for gold_demand in missed or [NONE]:
            for predicted_demand in extra or [NONE]:
                if (gold_demand, predicted_demand) != (NONE, NONE):
                    evaluation.confusion[(gold_demand, predicted_demand)] += 1
        if missed or extra or any(item.labels[d] != guess[d] for d in set(item.labels) & set(guess)):
            evaluation.errors.append((item, guess))
    return evaluation


@dataclass(frozen=True)
class FalseAlarms:
    """How often the detector tags a programme measure that is outside the platform."""

    measures: int
    fired: int
    per_theme: dict[str, tuple[int, int]]
    """theme → (measures, on which the detector found a demand)."""

    @property
    def rate(self) -> float:
        return self.fired / self.measures if self.measures else 0.0

    def to_json(self) -> dict:
        return {
            "measures": self.measures, "fired": self.fired, "rate": round(self.rate, 4),
            "per_theme": {theme: {"measures": n, "fired": f} for theme, (n, f) in sorted(self.per_theme.items())},
        }  # fmt: skip


def false_alarms(gold: Sequence[Labelled], predicted: Sequence[dict[str, str]]) -> FalseAlarms:
    per_theme: dict[str, list[int]] = {}
    for item, guess in zip(gold, predicted, strict=True):
        if item.theme is not None:
            counts = per_theme.setdefault(item.theme, [0, 0])
            counts[0] += 1
            counts[1] += bool(guess)
    return FalseAlarms(
        measures=sum(n for n, _ in per_theme.values()),
        fired=sum(f for _, f in per_theme.values()),
        per_theme={theme: (n, f) for theme, (n, f) in per_theme.items()},
    )


def naive_baseline(platform: Platform, texts: Iterable[str]) -> list[dict[str, str]]:
    """The reference point: a demand is found when one of its terms or acronyms
    appears as a lowercase substring; every finding is called a commitment."""
    keywords = {d.id: [fold(term) for term in (*d.terms, *d.acronyms)] for d in platform.demands}
    found = []
    for text in texts:
        folded = fold(text)
        found.append({demand: COMMITMENT for demand, words in keywords.items() if any(word in folded for word in words)})
    return found


@dataclass(frozen=True)
class Scored:
    """One detector's figures on a labelled set."""

    mode: DetectorMode
    evaluation: Evaluation
    false_alarms: FalseAlarms

    def to_json(self) -> dict:
        return {**self.evaluation.to_json(), "false_alarms": self.false_alarms.to_json()}


def score_detectors(detector: Detector, gold: Sequence[Labelled]) -> dict[str, Scored]:
    """The rules alone, and with a trained model the model alone and the
    combination, on the same sentences (parsed once)."""
    demands = [demand.id for demand in detector.platform.demands]
    texts = [item.text for item in gold]
    parsed = detector.parse(texts)
    modes: list[DetectorMode] = ["rules"] + (["model", "combined"] if detector.model is not None else [])
    scored = {}
    for mode in modes:
        judge = Detector(detector.platform, detector.nlp, detector.model, mode)
        predicted = [{m.demand: m.level for m in mentions} for mentions in judge.detect_texts(texts, parsed=parsed)]
        scored[mode] = Scored(mode, evaluate(gold, predicted, demands), false_alarms(gold, predicted))
    return scored
