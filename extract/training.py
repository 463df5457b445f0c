"""Training the detector's classifiers on real labelled sentences (`vigie train`).

The training split of the real corpus, plus the analysts' corrections when
given, becomes spaCy examples: each sentence's tokens (and what the rules
found in it, with `with_rules`; extract.learned.features), with its demands
and level as categories.
`spacy train` fits both classifiers from `config/detector.cfg` under the
config's seed; the thresholds that combine them with the rules are then
chosen on the development split, and stored beside the model. The test split
is never read here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.tokens import DocBin
from thinc.api import use_ops
from threadpoolctl import threadpool_limits

from config.errors import ConfigError
from extract.corpus import Item, Label, json_lines
from extract.detect import Detector
from extract.evaluation import Evaluation, Labelled, evaluate, false_alarms, measure_theme
from extract.learned import LEVEL_LABELS, META_FILE, Thresholds, TrainedModel, decide, feature_doc, features, write_meta
from extract.sentences import blocks

CONFIG = Path(__file__).resolve().parent.parent / "config" / "detector.cfg"
LABELLED = Path(__file__).resolve().parent.parent / "config" / "labelled"
_KEEP = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
_ADD = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
_LEVEL = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def labelled(items: Iterable[Item]) -> list[Labelled]:
    """Corpus items in the evaluation's form."""
    return [
        Labelled(item.id, item.text, {l.demand: l.level for l in item.labels}, theme=measure_theme(item.to_json())) for item in items
    ]


def corrections_items(path: Path) -> list[Item]:
    """Sentences an analyst corrected, from `vigie corrections export`: the
    demands they reviewed are known (present or not), the others unknown."""
    items = []
    for number, raw in json_lines(path, "corrections (export them with `vigie corrections export --out FILE`)"):
        try:
            labels = tuple(Label(label["demand"], label["level"]) for label in raw["labels"])
            source = raw.get("source") or {}
            items.append(Item(
                id=str(raw["id"]), text=str(raw["text"]), document=f"correction:{source.get('doc_id', raw['id'])}",
                source=source, labels=labels, extra={"reviewed": list(raw.get("reviewed", ()))},
            ))  # fmt: skip
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"line {number} is not a corrected sentence ({exc!r}); export them with `vigie corrections export`", source=str(path)) from exc
    return items


def is_correction(item: Item) -> bool:
    return item.document.startswith("correction:")


def is_current(
    model_dir: Path, rules_detector: Detector, train_items: Sequence[Item], dev_items: Sequence[Item], *, config: Path = CONFIG, with_rules: bool = False
) -> bool:
    """Whether the model there was trained from this corpus, platform, config
    and features (with or without corrections added): `vigie train --if-stale`."""
    try:
        meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    made_of = dict(config=config, platform_version=rules_detector.platform.version, with_rules=with_rules)
    return meta.get("corpus_key") == training_key(train_items, dev_items, **made_of)


def categories(item: Item, demands: Sequence[str]) -> dict[str, float]:
    """What the classifiers learn from one item. A correction says nothing of
    the demands nobody reviewed: they are left out, that is, unknown."""
    present = {label.demand for label in item.labels}
    known = demands if "reviewed" not in item.extra else [d for d in demands if d in present or d in item.extra["reviewed"]]
    cats = {demand: float(demand in present) for demand in known}
    if item.labels:
        # One level per sentence: nearly every sentence has one; the most frequent otherwise.
        level = Counter(label.level for label in item.labels).most_common(1)[0][0]
        cats.update({label: float(label == level) for label in LEVEL_LABELS})
    return cats


@dataclass
class Seen:
    """What the trained layer reads of an item: its features and what the rules found."""

    words: list[tuple[str, str]]
    rules: dict[str, str]


def seen(rules_detector: Detector, items: Sequence[Item], with_rules: bool) -> list[Seen]:
    texts = [item.text for item in items]
    parsed = rules_detector.parse(texts)
    found = rules_detector.detect_texts(texts, parsed=parsed)
    # An item's blocks are its sentences' context: what the detector reads in a page.
    docs = iter(parsed)
    out = []
    for text, mentions in zip(texts, found, strict=True):
        rules = {m.demand: m.level for m in mentions}
        tokens = [token for _ in range(_block_count(text)) for token in next(docs)]
        out.append(Seen(features(tokens, rules.items(), with_rules), rules))
    return out


def _block_count(text: str) -> int:
    return sum(1 for _, block in blocks(text) if block.strip())


def training_key(
    train: Sequence[Item], dev: Sequence[Item], *, config: Path, platform_version: str, with_rules: bool, overrides: dict | None = None
) -> str:
    """A digest of everything the model is made from: changes with any of them."""
    digest = hashlib.sha256()
    digest.update(config.read_bytes())
    for item in (*train, *dev):
        digest.update(json.dumps(item.to_json(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(f"{platform_version}|{with_rules}|spacy-{spacy.__version__}|{json.dumps(overrides or {}, sort_keys=True)}".encode())
    return digest.hexdigest()[:16]


def choose_thresholds(views: Sequence[Seen], cats: Sequence[dict[str, float]], gold: Sequence[Labelled], demands: Sequence[str]) -> tuple[Thresholds, Evaluation]:
    """The thresholds that score best on these (development) items, micro-F1
    first, then level accuracy, among those that raise no more false alarms
    on programme measures outside the platform than the rules alone: a
    watchdog reading a scorecard is misled by a police measure counted as a
    social centre more than helped by one more sentence found."""
    allowed = false_alarms(gold, [view.rules for view in views]).rate
    best: tuple[tuple[bool, float, float], Thresholds, Evaluation] | None = None
    for keep in _KEEP:
        for add in _ADD:
            for level in _LEVEL:
                thresholds = Thresholds(keep, add, level)
                predicted = [{d.demand: d.level for d in decide(v.rules, c, thresholds, demands)} for v, c in zip(views, cats)]
                result = evaluate(gold, predicted, demands)
                within = false_alarms(gold, predicted).rate <= allowed
                score = (within, round(result.micro.f1, 4), round(result.level_accuracy, 4))
                if best is None or score > best[0]:
                    best = (score, thresholds, result)
    assert best is not None
    return best[1], best[2]


def train(
    rules_detector: Detector,
    train_items: Sequence[Item],
    dev_items: Sequence[Item],
    out: Path,
    *,
    config: Path = CONFIG,
    with_rules: bool = False,
    overrides: dict | None = None,
) -> TrainedModel:
    """Train both classifiers on `train_items`, choose the thresholds on
    `dev_items`, and write the model to `out` (replaced only once complete)."""
    demands = [demand.id for demand in rules_detector.platform.demands]
    vocab = spacy.blank("fr").vocab
    made_of = dict(config=config, platform_version=rules_detector.platform.version, with_rules=with_rules, overrides=overrides)
    key = training_key(train_items, dev_items, **made_of)
    corpus_key = training_key([item for item in train_items if not is_correction(item)], dev_items, **made_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vigie-train-", dir=out.parent) as work:
        work_dir = Path(work)
        for name, items in (("train", train_items), ("dev", dev_items)):
            docs = DocBin(store_user_data=False)
            for item, view in zip(items, seen(rules_detector, items, with_rules), strict=True):
                doc = feature_doc(vocab, view.words)
                doc.cats = categories(item, demands)
                docs.add(doc)
            docs.to_disk(work_dir / f"{name}.spacy")
        # One BLAS thread and thinc's default CPU ops, whatever ran before in
        # this process: the same data must give the same model.
        with threadpool_limits(limits=1, user_api="blas"), use_ops("numpy"):
            spacy_train(
                config,
                work_dir / "output",
                overrides={"paths.train": str(work_dir / "train.spacy"), "paths.dev": str(work_dir / "dev.spacy"), **(overrides or {})},
            )
        model_dir = work_dir / "output" / "model-last"
        write_meta(model_dir, thresholds=Thresholds(), with_rules=with_rules, key=key, corpus_key=corpus_key, report={})
        model = TrainedModel.load(model_dir)
        views = seen(rules_detector, dev_items, with_rules)
        cats = model.scores([view.words for view in views])
        thresholds, result = choose_thresholds(views, cats, labelled(dev_items), demands)
        report = {
            "trained_on": len(train_items), "corrections": sum(map(is_correction, train_items)), "tuned_on": len(dev_items),
            "dev": {"micro_f1": round(result.micro.f1, 4), "level_accuracy": round(result.level_accuracy, 4)},
        }  # fmt: skip
        write_meta(model_dir, thresholds=thresholds, with_rules=with_rules, key=key, corpus_key=corpus_key, report=report)
        staged = out.with_name(out.name + ".new")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.move(str(model_dir), staged)
    shutil.rmtree(out, ignore_errors=True)
    staged.rename(out)
    return TrainedModel.load(out)
