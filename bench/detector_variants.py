"""Ablation of the detector's trained layer, on the real development split:
the rules alone, then classifiers trained with and without the static
vectors of fr_core_news_md (without them, only the hashed word features the
CNN and bag of words learn from the training split, as with
fr_core_news_sm, which has no vectors), and with and without the rules'
findings among their features; each alone and combined with the rules.

    python bench/detector_variants.py [--out bench/detector-variants.json]
    python bench/detector_variants.py --folds 3 [--out bench/detector-variants-cv.json]

With `--folds K`, the train and dev splits are pooled and cut into K folds
by source document; each variant with vectors is trained on K-1 folds and
scored on the last (thresholds chosen on it, alike for every variant), and
the figures are averaged: the dev split alone (430 sentences) is too small
to tell the variants apart. The test split is never read.

Trains four models (a few minutes each on 2 cores). The figures are on the
development split, the one the thresholds are tuned on: they compare
variants, they are not the detector's quality (that is `vigie eval`, on the
test split).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.launch import use_project_python  # noqa: E402

use_project_python()  # `bench/run` or `python bench/…` with any python3: restarts with .venv/bin/python

from config.platform import load_platform  # noqa: E402
from extract.corpus import read_items  # noqa: E402
from extract.detect import Detector  # noqa: E402
from extract.evaluation import read_labelled, score_detectors  # noqa: E402
from extract.nlp import load_pipeline  # noqa: E402
from extract.training import LABELLED, train  # noqa: E402

NO_VECTORS = {"paths.vectors": None, "components.tok2vec.model.embed.include_static_vectors": False}
VARIANTS = {
    "md vectors, rule features": ({}, True),
    "md vectors, words only": ({}, False),
    "no vectors, rule features": (NO_VECTORS, True),
    "no vectors, words only": (NO_VECTORS, False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=0)
    args = parser.parse_args()
    if args.folds:
        cross_validate(args.folds, args.out)
        return

    rules = Detector(load_platform(), load_pipeline("fr_core_news_sm"))
    train_items, dev_items = read_items(LABELLED / "real-train.jsonl"), read_items(LABELLED / "real-dev.jsonl")
    gold = read_labelled(LABELLED / "real-dev.jsonl")

    def figures(scored) -> dict:
        e = scored.evaluation
        return {
            "micro_p": round(e.micro.precision, 3), "micro_r": round(e.micro.recall, 3), "micro_f1": round(e.micro.f1, 3),
            "level_accuracy": round(e.level_accuracy, 3), "false_alarms": round(scored.false_alarms.rate, 3),
        }  # fmt: skip

    report = {"data": f"real dev split, {len(gold)} sentences", "rules": figures(score_detectors(rules, gold)["rules"])}
    with tempfile.TemporaryDirectory(prefix="vigie-variants-") as work:
        for name, (overrides, with_rules) in VARIANTS.items():
            model = train(rules, train_items, dev_items, Path(work) / "model", with_rules=with_rules, overrides=overrides)
            scored = score_detectors(Detector(rules.platform, rules.nlp, model), gold)
            report[name] = {"model": figures(scored["model"]), "combined": figures(scored["combined"])}
            print(name, json.dumps(report[name]), flush=True)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def cross_validate(folds: int, out: Path | None) -> None:
    from extract.corpus import split_by_document
    from extract.training import labelled

    rules = Detector(load_platform(), load_pipeline("fr_core_news_sm"))
    pool = read_items(LABELLED / "real-train.jsonl") + read_items(LABELLED / "real-dev.jsonl")
    parts = list(split_by_document(pool, {f"fold{k}": 1 / folds for k in range(folds)}).values())
    report: dict = {"data": f"real train and dev splits pooled, {len(pool)} sentences, {folds} folds by document"}
    for name, (overrides, with_rules) in VARIANTS.items():
        if overrides:
            continue
        totals = {"micro_f1": 0.0, "level_accuracy": 0.0, "false_alarms": 0.0}
        for k, held in enumerate(parts):
            rest = [item for j, part in enumerate(parts) if j != k for item in part]
            with tempfile.TemporaryDirectory(prefix="vigie-cv-") as work:
                model = train(rules, rest, held, Path(work) / "model", with_rules=with_rules, overrides=overrides)
                scored = score_detectors(Detector(rules.platform, rules.nlp, model), labelled(held))["combined"]
            totals["micro_f1"] += scored.evaluation.micro.f1 / folds
            totals["level_accuracy"] += scored.evaluation.level_accuracy / folds
            totals["false_alarms"] += scored.false_alarms.rate / folds
            print(name, k, round(scored.evaluation.micro.f1, 3), round(scored.evaluation.level_accuracy, 3), flush=True)
        report[name] = {key: round(value, 3) for key, value in totals.items()}
        print(name, report[name], flush=True)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if out:
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
