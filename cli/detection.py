"""`vigie detect`, `vigie eval` and `vigie train`: the detector, run, scored and trained."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import err, out, print_json, reports_errors, settings_of
from config.errors import ConfigError
from extract.corpus import read_items
from extract.detect import Detector
from extract.evaluation import (
    REAL_TEST_SPLIT,
    evaluate,
    false_alarms,
    identify_labelled,
    naive_baseline,
    read_labelled,
    score_detectors,
)
from extract.isolated import extract_isolated
from extract.limits import ExtractionLimits
from extract.training import LABELLED, corrections_items, is_current, train
from flows.stages import load_trained, make_detector

commands = typer.Typer()


@commands.command("detect")
@reports_errors
def detect_command(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="A PDF, HTML, DOCX or text programme.")] = None,
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help='Lines {"id", "text"} in ("-" for stdin); one result line out per line in, same order.')
    ] = None,
) -> None:
    """Detect the platform's demands, sentence by sentence.

    Example: vigie detect samples/programmes/moulins-en-commun.pdf
    Example: vigie detect --jsonl phrases.jsonl > detections.jsonl
    """
    if (file is None) == (jsonl is None):
        raise typer.BadParameter("give a FILE or --jsonl PATH, not both")
    settings = settings_of(ctx)
    detector = make_detector(settings)
    if jsonl is not None:
        _detect_jsonl(detector, jsonl)
        return
    extracted = extract_isolated(file, limits=ExtractionLimits.from_settings(settings))
    for page in extracted.pages:
        for item in detector.analyse(page.text):
            if not item.mentions:
                continue
            found = ", ".join(f"{m.demand} {m.level} {m.score:.2f}" for m in item.mentions)
            quantities = "; ".join(q.text for q in item.mentions[0].quantities)
            out.print(f"p.{page.number}  [{found}]{'  (' + quantities + ')' if quantities else ''}", highlight=False, markup=False)
            out.print(f"      {' '.join(item.sentence.text.split())}", highlight=False, markup=False)


def _detect_jsonl(detector, source: Path, batch: int = 256) -> None:
    handle = sys.stdin if str(source) == "-" else source.open(encoding="utf-8")
    with handle:
        pending: list[tuple[object, str]] = []
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                pending.append((item["id"], str(item["text"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f'expected {{"id": ..., "text": ...}} ({exc})', source=str(source), field=f"line {number}") from exc
            if len(pending) >= batch:
                _write_detections(detector, pending)
                pending = []
        _write_detections(detector, pending)


def _write_detections(detector, items: list[tuple[object, str]]) -> None:
    for (identifier, _), mentions in zip(items, detector.detect_texts(text for _, text in items)):
        sys.stdout.write(json.dumps({"id": identifier, "mentions": [m.to_json() for m in mentions]}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@commands.command("eval")
@reports_errors
def eval_command(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(help="Labelled JSON lines (default: the real test split).")] = REAL_TEST_SPLIT,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    errors: Annotated[int, typer.Option(help="Print this many misdetected sentences (of the detector the settings choose).")] = 0,
) -> None:
    """Score the detectors on labelled sentences: the rules alone, the trained
    model alone and both combined, beside a naive keyword baseline, with the
    false alarms on programme measures outside the platform.

    By default, on the real test split: sentences of real programmes and
    campaign pages whose source documents were never used to train or tune the
    detector. The output names the file and, when it is one of the project's
    labelled sets (by its content), which one and whether it was tuned on.

    Example: vigie eval --errors 20
    Example: vigie eval --data config/labelled/real-dev.jsonl
    """
    settings = settings_of(ctx)
    detector = make_detector(settings)
    gold = read_labelled(data)
    demands = [d.id for d in detector.platform.demands]
    scored = score_detectors(detector, gold)
    chosen = scored[detector.mode]
    guessed = naive_baseline(detector.platform, (item.text for item in gold))
    baseline = evaluate(gold, guessed, demands)
    known = identify_labelled(data)
    if as_json:
        print_json({
            "data": {"path": str(data), **(known.to_json() if known else {"set": None, "name": None, "tuned_on": None, "what": None})},
            "sentences": len(gold), "detector": detector.mode, "detectors": {mode: s.to_json() for mode, s in scored.items()},
            "baseline": {**baseline.to_json(), "false_alarms": false_alarms(gold, guessed).to_json()},
        })  # fmt: skip
        return
    what = known.what if known else "not one of the project's labelled sets: whether the detector was tuned on it is unknown"
    out.print(f"data: {data}, {what}", highlight=False, markup=False)
    out.print(f"{len(gold)} sentences, {sum(1 for g in gold if not g.labels)} without any demand", highlight=False)
    if detector.model is None:
        out.print(f"no trained detector at {settings.detector_model} (run `vigie train`): the rules alone", highlight=False)
    modes = list(scored)
    out.print("F1 per demand" + "".join(f"{mode:>10}" for mode in modes) + f"{'baseline':>10}", highlight=False)
    for demand in demands:
        row = "".join(f"{scored[mode].evaluation.per_demand[demand].f1:10.2f}" for mode in modes)
        out.print(f"{demand:13}{row}{baseline.per_demand[demand].f1:10.2f}", highlight=False)
    for name, value in (
        ("micro P", lambda e: e.micro.precision), ("micro R", lambda e: e.micro.recall), ("micro F1", lambda e: e.micro.f1),
        ("level acc.", lambda e: e.level_accuracy),
    ):  # fmt: skip
        out.print(f"{name:13}" + "".join(f"{value(scored[m].evaluation):10.2f}" for m in modes) + f"{value(baseline):10.2f}", highlight=False)
    alarms = {mode: s.false_alarms for mode, s in scored.items()}
    base_alarms = false_alarms(gold, guessed)
    out.print(
        f"{'false alarms':13}" + "".join(f"{alarms[m].rate:10.1%}" for m in modes) + f"{base_alarms.rate:10.1%}"
        + f"   (on {base_alarms.measures} programme measures outside the platform)",
        highlight=False,
    )
    confusion = ", ".join(f"{g}→{p} {n}" for (g, p), n in chosen.evaluation.confusion.most_common(8))
    out.print(f"most frequent confusions of {detector.mode} (gold→found): {confusion}", highlight=False)
    for item, guess in chosen.evaluation.errors[:errors]:
        out.print(f"\n{item.id}: {item.text}\n   gold {item.labels}  found {guess}", highlight=False, markup=False)


@commands.command("train")
@reports_errors
def train_command(
    ctx: typer.Context,
    corrections: Annotated[
        Path | None, typer.Option(help="Analysts' corrections (`vigie corrections export --out FILE`), added to the training data.")
    ] = None,
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Train only when the corpus, the platform or the config changed since the last training.")
    ] = False,
    rule_features: Annotated[
        bool, typer.Option(help="Also give the classifiers what the rules found (off by default: on the dev split it did worse).")
    ] = False,
    epochs: Annotated[int | None, typer.Option(min=1, help="Passes over the training data (default: config/detector.cfg's).")] = None,
) -> None:
    """Train the detector's classifiers on the real labelled corpus (and corrections), deterministically.

    Trains on the training split, chooses the thresholds on the development
    split, writes the model to VIGIE_DETECTOR_MODEL, and prints the real test
    split's figures before and after.

    Example: vigie train
    Example: vigie corrections export --out corrections.jsonl && vigie train --corrections corrections.jsonl
    """
    settings = settings_of(ctx)
    target = settings.detector_model
    rules = make_detector(settings.model_copy(update={"detector": "rules"}))
    try:
        before = make_detector(settings.model_copy(update={"detector": "combined"}))
    except ConfigError as exc:  # a broken or older model is what training replaces
        err.print(f"warning: {exc}", highlight=False, soft_wrap=True)
        before = rules
    train_items, dev_items = read_items(LABELLED / "real-train.jsonl"), read_items(LABELLED / "real-dev.jsonl")
    if if_stale and is_current(target, rules, train_items, dev_items, with_rules=rule_features):
        out.print(f"the trained detector at {target} is up to date", highlight=False)
        return
    gold = read_labelled(REAL_TEST_SPLIT)
    out.print(f"before, on the real test split ({len(gold)} sentences): {_scores_line(before, gold)}", highlight=False)
    added = corrections_items(corrections) if corrections else []
    out.print(f"training on {len(train_items)} sentences" + (f" and {len(added)} corrections" if added else ""), highlight=False)
    overrides = {"training.max_epochs": epochs} if epochs else None
    model = train(rules, [*train_items, *added], dev_items, target, with_rules=rule_features, overrides=overrides)
    load_trained.cache_clear()
    after = Detector(before.platform, before.nlp, model, "combined")
    out.print(f"thresholds chosen on the development split: {model.thresholds}", highlight=False)
    out.print(f"after, on the real test split: {_scores_line(after, gold)}", highlight=False)
    out.print(f"trained detector written to {target}", highlight=False)


def _scores_line(detector: Detector, gold) -> str:
    scored = score_detectors(detector, gold)[detector.mode]
    e = scored.evaluation
    return (
        f"{detector.mode}: micro P {e.micro.precision:.2f} R {e.micro.recall:.2f} F1 {e.micro.f1:.2f}, "
        f"level accuracy {e.level_accuracy:.2f}, false alarms {scored.false_alarms.rate:.1%}"
    )
