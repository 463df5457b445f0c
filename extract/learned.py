"""The detector's trained layer: spaCy text classifiers that read a sentence
(and, when trained with `--rule-features`, what the platform's rules found
in it), trained on real campaign sentences by `vigie train` (extract.training).

The rules propose, the classifiers decide: a demand the rules found is kept
when the `demands` classifier gives it at least `keep`; a demand the rules
missed is added when it gives it at least `add`; the level is the `levels`
classifier's when it is at least `level` sure, the rules' otherwise. The
thresholds are chosen on the development split when the model is trained,
and stored beside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.vocab import Vocab
from spacy.tokens import Doc, Token

from config.errors import ConfigError
from extract.levels import COMMITMENT, MENTION, OPPOSITION
from extract.nlp import on_numpy_blas
from extract.text import fold

META_FILE = "vigie-detector.json"
DEMANDS, LEVELS = "demands", "levels"
LEVEL_LABELS = (COMMITMENT, OPPOSITION, MENTION)


@dataclass(frozen=True)
class Thresholds:
    keep: float = 0.05
    add: float = 0.5
    level: float = 0.5


MODEL_ALONE = Thresholds(keep=0.5, add=0.5, level=0.0)
"""The classifiers alone: a demand at 0.5 or more, their level always."""


@dataclass(frozen=True)
class Decision:
    demand: str
    level: str
    score: float
    by_rules: bool
    """Whether the rules found it (and so have evidence in the sentence)."""


def features(tokens: Iterable[Token | tuple[str, str]], found: Iterable[tuple[str, str]], with_rules: bool = False) -> list[tuple[str, str]]:
    """What the classifiers read, as (word, norm) pairs: the sentence's words
    with their accent-folded lemmas as norms (so that "centres" and "centre"
    are one feature); `with_rules`, then a token per demand the rules found
    and per (demand, level), so that the model may learn when the rules are
    right ("rule_d14" beside "police" is not D14)."""
    pairs = [token if isinstance(token, tuple) else (token.text, fold(token.lemma_ or token.text)) for token in tokens]
    pairs = [(word, norm) for word, norm in pairs if word.strip()]
    if with_rules:
        found = sorted(set(found))
        marks = [f"rule_{demand.lower()}" for demand, _ in found] + [f"rule_{demand.lower()}_{level}" for demand, level in found]
        pairs += [(mark, mark) for mark in marks]
    return pairs or [("∅", "∅")]


def decide(rules: dict[str, str], cats: dict[str, float], thresholds: Thresholds, demands: Sequence[str]) -> list[Decision]:
    """The demands and levels of one sentence from what the rules found
    (demand → level) and the classifiers' scores."""
    level_scores = {label: cats.get(label, 0.0) for label in LEVEL_LABELS}
    model_level = max(LEVEL_LABELS, key=lambda label: level_scores[label])
    sure = level_scores[model_level] >= thresholds.level
    decisions = []
    for demand in demands:
        score = cats.get(demand, 0.0)
        if demand in rules and score >= thresholds.keep:
            decisions.append(Decision(demand, model_level if sure else rules[demand], score, by_rules=True))
        elif demand not in rules and score >= thresholds.add:
            decisions.append(Decision(demand, model_level, score, by_rules=False))
    return decisions


@dataclass
class TrainedModel:
    nlp: Language
    thresholds: Thresholds
    with_rules: bool
    key: str
    """What it was trained from (data, config, seed): part of the detection stage's key."""
    path: Path

    @classmethod
    def load(cls, path: Path) -> "TrainedModel":
        meta_file = path / META_FILE
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            nlp = on_numpy_blas(spacy.load(path))
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(
                f"no usable trained detector here ({exc}); run `vigie train` to build it, or set VIGIE_DETECTOR=rules",
                source=str(path),
            ) from exc
        if not {DEMANDS, LEVELS} <= set(nlp.pipe_names):
            raise ConfigError(f"the trained detector lacks its {DEMANDS!r} and {LEVELS!r} components; run `vigie train` again", source=str(path))
        return cls(nlp=nlp, thresholds=Thresholds(**meta["thresholds"]), with_rules=meta["with_rules"], key=meta["key"], path=path)

    def scores(self, batch: Sequence[list[tuple[str, str]]]) -> list[dict[str, float]]:
        """Both classifiers' scores for each sentence's features."""
        return [dict(doc.cats) for doc in self.nlp.pipe((feature_doc(self.nlp.vocab, pairs) for pairs in batch), batch_size=256)]


def feature_doc(vocab: Vocab, pairs: Sequence[tuple[str, str]]) -> Doc:
    doc = Doc(vocab, words=[word for word, _ in pairs])
    for token, (_, norm) in zip(doc, pairs):
        token.norm_ = norm
    return doc


def write_meta(path: Path, *, thresholds: Thresholds, with_rules: bool, key: str, corpus_key: str, report: dict) -> None:
    meta = {"thresholds": asdict(thresholds), "with_rules": with_rules, "key": key, "corpus_key": corpus_key, "report": report}
    (path / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
