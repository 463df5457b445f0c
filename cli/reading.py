"""`vigie`: the command line, a thin shell over the stage functions and flows."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from config.errors import ConfigError, VigieError
from config.settings import Settings, describe, load_settings, redact_url

app = typer.Typer(help="Vigie: municipal programmes checked against 14 demands for local public services.", no_args_is_help=True)
archive_app = typer.Typer(help="The archive of every programme version collected.", no_args_is_help=True)
es_app = typer.Typer(help="The Elasticsearch node: the local one Vigie runs, or VIGIE_ES_URL.", no_args_is_help=True)
app.add_typer(es_app, name="es")
app.add_typer(archive_app, name="archive")

# Paths and URLs stay whole, to copy or grep. No console markup: list labels,
# file names and programme text are data, and "[b]" in them must print as is.
out = Console(soft_wrap=True, markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False)
# Sentences of real programmes whose source documents were never used to build or tune the detector.
REAL_TEST_SPLIT = Path(__file__).resolve().parent.parent / "config" / "labelled" / "real-test.jsonl"

F = TypeVar("F", bound=Callable[..., None])


def reports_errors(command: F) -> F:
    """A VigieError becomes one line on stderr and exit status 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except VigieError as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True, style="red")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def settings_of(ctx: typer.Context) -> Settings:
    return ctx.obj


@app.callback()
@reports_errors
def main(ctx: typer.Context) -> None:
    ctx.obj = load_settings()


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


@app.command("settings")
@reports_errors
def settings_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the effective settings.

    Example: VIGIE_INDEX_PREFIX=essai vigie settings
    """
    values = describe(settings_of(ctx))
    if as_json:
        _print_json(values)
        return
    for name, value in values.items():
        out.print(f"{name} = {value}", highlight=False)


@es_app.command("install")
@reports_errors
def es_install(ctx: typer.Context) -> None:
    """Resolve Elasticsearch from Maven Central into the cache (VIGIE_ES_HOME).

    Example: vigie es install
    """
    from index.runtime import install_runtime

    out.print(f"Elasticsearch jars in {install_runtime(settings_of(ctx))}", highlight=False)


@es_app.command("start")
@reports_errors
def es_start(ctx: typer.Context) -> None:
    """Start the local node in the background (reuses a running one).

    Example: VIGIE_ES_PORT=9210 vigie es start
    """
    from index.runtime import start_node

    settings = settings_of(ctx)
    if not settings.local_node:
        out.print(f"VIGIE_ES_URL is set: using {redact_url(settings.elasticsearch_url)}, nothing to start", highlight=False)
        return
    info = start_node(settings)
    verb = "already running" if info.reused else f"started in {info.seconds:.1f} s"
    out.print(f"Elasticsearch {verb} at {info.url} (pid {info.pid})", highlight=False)


@es_app.command("stop")
@reports_errors
def es_stop(ctx: typer.Context) -> None:
    """Stop the local node this data directory started.

    Example: vigie es stop
    """
    from index.runtime import stop_node

    settings = settings_of(ctx)
    if not settings.local_node:
        out.print("VIGIE_ES_URL is set: Vigie started no node, nothing to stop", highlight=False)
        return
    stopped = stop_node(settings)
    out.print("Elasticsearch stopped" if stopped else "no local node was running", highlight=False)


@es_app.command("status")
@reports_errors
def es_status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Version reported by the server, URL, health and document counts.

    Example: vigie es status --json
    """
    from index.client import connect, server_info
    from index.schema import document_counts

    settings = settings_of(ctx)
    client = connect(settings)
    info = server_info(client)
    health = client.cluster.health()
    status = {
        "url": redact_url(settings.elasticsearch_url),
        "version": info["version"]["number"],
        "cluster": info["cluster_name"],
        "health": health["status"],
        "local_node": settings.local_node,
        "index_prefix": settings.index_prefix,
        "documents": document_counts(client, settings.index_prefix),
    }
    if as_json:
        _print_json(status)
        return
    out.print(f"Elasticsearch {status['version']} at {status['url']} ({status['cluster']}), health {status['health']}", highlight=False)
    counts = ", ".join(f"{kind}: {count}" for kind, count in status["documents"].items())
    out.print(f"prefix {settings.index_prefix!r}: {counts}", highlight=False)


@app.command("run")
@reports_errors
def run_command(
    ctx: typer.Context,
    sources: Annotated[
        Path | None, typer.Argument(help="Sources CSV (list, commune, programme file or URL); default: the registry.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Run the programme pipeline (collect, extract, detect, index) on a sources file.

    Starts the local Elasticsearch when VIGIE_ES_URL is unset.

    Example: vigie run samples/sources.csv
    """
    settings = settings_of(ctx)
    sources = sources or settings.sources_registry
    if not sources.exists():
        raise ConfigError("no sources file; add sources with `vigie sources add`, or give a sources CSV", source=str(sources))
    if settings.local_node:
        from index.runtime import start_node

        start_node(settings)
    from rich.progress import Progress

    from flows.pipeline import programme_pipeline
    from flows.progress import reporting

    with Progress(console=err, transient=True) as progress:
        bars: dict[str, int] = {}

        def show(step: str, done: int, total: int) -> None:
            if step not in bars:
                bars[step] = progress.add_task({"collect": "collecting", "process": "processing"}.get(step, step), total=total)
            progress.update(bars[step], completed=done, total=total)

        with reporting(show):
            summary = programme_pipeline(sources_file=sources, settings=settings)
    if as_json:
        _print_json(summary.to_json())
    else:
        out.print(
            f"{summary.documents} documents ({summary.new_versions} new versions): {summary.indexed} indexed, {summary.unchanged} unchanged, "
            f"{len(summary.failures)} failed; {summary.pages} pages, {summary.mentions} mentions; {summary.lists} list scorecards; "
            f"{summary.alerts} new hits of saved searches",
            highlight=False,
        )
        for failure in summary.failures:
            err.print(f"failed: {failure}", highlight=False, soft_wrap=True)
    if summary.failures:
        raise typer.Exit(2)


@app.command("search")
@reports_errors
def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='French query; "quotes" for phrases, + | - for boolean, * for prefixes.')] = "",
    commune: Annotated[str | None, typer.Option(help="Only this commune (its name).")] = None,
    departement: Annotated[str | None, typer.Option(help="Only this département code.")] = None,
    nuance: Annotated[str | None, typer.Option(help="Only lists of this nuance code, e.g. LDVG.")] = None,
    demand: Annotated[str | None, typer.Option(help="Only sentences addressing this demand, e.g. D07.")] = None,
    level: Annotated[str | None, typer.Option(help="Only this level: commitment, opposition or mention.")] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Search older programme versions too.")] = False,
    sort: Annotated[str, typer.Option(help="relevance or date.")] = "relevance",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 10,
    after: Annotated[str | None, typer.Option(help="The cursor printed by the previous page.")] = None,
    snapshot: Annotated[bool, typer.Option("--snapshot", help="Page through one frozen view of the index (5 minutes between pages).")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search the programmes' pages, or with --demand/--level the sentences where demands were found.

    Example: vigie search '"centre de santé" médecins' --departement 59
    Example: vigie search --demand D07 --level commitment
    """
    from index.client import connect
    from index.exports import hit_row
    from index.search import SearchRequest, search

    settings = settings_of(ctx)
    request = SearchRequest(
        query=query, commune=commune, departement=departement, nuance=nuance, demand=demand, level=level,
        all_versions=all_versions, sort=sort, size=limit, after=after, snapshot=snapshot,
    )
    result = search(connect(settings), settings.index_prefix, request)
    if as_json:
        _print_json(
            {
                "total": result.total,
                "next": result.next_cursor,
                "facets": result.facets,
                "hits": [{**hit_row(hit), "fragments": list(hit.fragments), "score": hit.score} for hit in result.hits],
            }
        )
        return
    what = "sentence(s)" if request.on_mentions else "page(s)"
    out.print(f"{result.total} {what} match {query!r}", highlight=False)
    for hit in result.hits:
        found = f" [{hit.demand} {hit.level}]" if hit.demand else ""
        out.print(f"\n{hit.list_label} — {hit.commune}, page {hit.page}{found}", highlight=False, style="bold")
        for fragment in hit.fragments:
            out.print(f"  … {fragment} …", highlight=False, markup=False)
        out.print(f"  {hit.archive_path}#page={hit.page}", highlight=False, style="dim")
    for name, counts in result.facets.items():
        if counts:
            out.print(f"{name}: " + ", ".join(f"{key} ({n})" for key, n in counts.items()), highlight=False, style="dim")
    if result.next_cursor:
        out.print(f"next page: --after {result.next_cursor}", highlight=False, style="dim")


@app.command("extract")
def extract_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A PDF, HTML, DOCX or text file.")],
    as_json: Annotated[bool, typer.Option("--json", help="The stable JSON format, errors included.")] = False,
    debug_png: Annotated[
        Path | None,
        typer.Option("--debug-png", help="Write each page of a PDF to this folder as a PNG, its blocks drawn and numbered in reading order."),
    ] = None,
) -> None:
    """Print the text of a PDF, HTML, DOCX or text file, page by page.

    Example: vigie extract --json samples/programmes/moulins-en-commun.pdf
    Example: vigie extract programme.pdf --debug-png pages/
    """
    from extract.debug import write_debug_pngs
    from extract.isolated import extract_isolated
    from extract.limits import ExtractionLimits

    settings = settings_of(ctx)
    try:
        extracted = extract_isolated(file, limits=ExtractionLimits.from_settings(settings))
    except VigieError as exc:
        if as_json:
            _print_json({"file": str(file), "pages": [], "warnings": [], "errors": [str(exc)]})
        else:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True, style="red")
        raise typer.Exit(1) from None
    if debug_png is not None:
        if extracted.media_type != "application/pdf":
            err.print(f"error: {file}: --debug-png draws the pages of a PDF; this file is {extracted.media_type}", highlight=False)
            raise typer.Exit(1)
        try:
            written = write_debug_pngs(file, extracted, debug_png)
        except VigieError as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True, style="red")
            raise typer.Exit(1) from None
        err.print(f"{len(written)} pages drawn in {debug_png}", highlight=False, markup=False)
    if as_json:
        _print_json(extracted.to_json())
        return
    for warning in extracted.warnings:
        err.print(f"warning: {warning}", highlight=False, markup=False)
    for page in extracted.pages:
        out.print(f"── page {page.number} ({page.method}, {page.chars} characters)", highlight=False, markup=False)
        for warning in page.warnings:
            err.print(f"warning: {warning}", highlight=False, markup=False)
        out.print(page.text, highlight=False, markup=False)


@app.command("detect")
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
    from flows.stages import make_detector

    if (file is None) == (jsonl is None):
        raise typer.BadParameter("give a FILE or --jsonl PATH, not both")
    settings = settings_of(ctx)
    detector = make_detector(settings)
    if jsonl is not None:
        _detect_jsonl(detector, jsonl)
        return
    from extract.isolated import extract_isolated
    from extract.limits import ExtractionLimits

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


@app.command("eval")
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
    campaign pages whose source documents were never used to train or tune the detector.

    Example: vigie eval --errors 20
    Example: vigie eval --data config/labelled/real-dev.jsonl
    """
    from extract.evaluation import false_alarms, naive_baseline, read_labelled, score_detectors, evaluate
    from flows.stages import make_detector

    settings = settings_of(ctx)
    detector = make_detector(settings)
    gold = read_labelled(data)
    demands = [d.id for d in detector.platform.demands]
    scored = score_detectors(detector, gold)
    chosen = scored[detector.mode]
    guessed = naive_baseline(detector.platform, (item.text for item in gold))
    baseline = evaluate(gold, guessed, demands)
    if as_json:
        _print_json({
            "sentences": len(gold), "detector": detector.mode, "detectors": {mode: s.to_json() for mode, s in scored.items()},
            "baseline": {**baseline.to_json(), "false_alarms": false_alarms(gold, guessed).to_json()},
        })  # fmt: skip
        return
    what = "real test split (source documents never used to train or tune the detector)" if data == REAL_TEST_SPLIT else str(data)
    out.print(f"{what}: {len(gold)} sentences, {sum(1 for g in gold if not g.labels)} without any demand", highlight=False)
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


@app.command("train")
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
    from extract.corpus import read_items
    from extract.detect import Detector
    from extract.evaluation import read_labelled, score_detectors
    from extract.training import LABELLED, corrections_items, is_current, train
    from flows.stages import load_trained, make_detector

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

    def line(detector) -> str:
        scored = score_detectors(detector, gold)[detector.mode]
        e = scored.evaluation
        return (
            f"{detector.mode}: micro P {e.micro.precision:.2f} R {e.micro.recall:.2f} F1 {e.micro.f1:.2f}, "
            f"level accuracy {e.level_accuracy:.2f}, false alarms {scored.false_alarms.rate:.1%}"
        )

    out.print(f"before, on the real test split ({len(gold)} sentences): {line(before)}", highlight=False)
    added = corrections_items(corrections) if corrections else []
    out.print(f"training on {len(train_items)} sentences" + (f" and {len(added)} corrections" if added else ""), highlight=False)
    overrides = {"training.max_epochs": epochs} if epochs else None
    model = train(rules, [*train_items, *added], dev_items, target, with_rules=rule_features, overrides=overrides)
    load_trained.cache_clear()
    after = Detector(before.platform, before.nlp, model, "combined")
    out.print(f"thresholds chosen on the development split: {model.thresholds}", highlight=False)
    out.print(f"after, on the real test split: {line(after)}", highlight=False)
    out.print(f"trained detector written to {target}", highlight=False)


@archive_app.command("verify")
@reports_errors
def archive_verify(ctx: typer.Context) -> None:
    """Re-hash every archived file; name any that is missing or altered (exit status 1).

    Example: vigie archive verify
    """
    from collect.archive import verify_archive
    from storage.catalogue import Catalogue

    versions = Catalogue(settings_of(ctx).catalogue).versions()
    problems = verify_archive((v.archive_path, v.sha256) for v in versions)
    files = len({v.archive_path for v in versions})
    for problem in problems:
        err.print(f"{problem}", highlight=False, markup=False)
    out.print(f"{files} archived files verified: {files - len(problems)} intact, {len(problems)} damaged", highlight=False)
    if problems:
        raise typer.Exit(1)


lists_app = typer.Typer(help="The candidate lists declared at the prefectures (Ministry open data).", no_args_is_help=True)
results_app = typer.Typer(help="Election results by commune (Ministry open data).", no_args_is_help=True)
app.add_typer(lists_app, name="lists")
app.add_typer(results_app, name="results")


@lists_app.command("import")
@reports_errors
def lists_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A Ministry candidate-list file, 2026 (;) or 2020 (tab) layout.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import or update the declared lists and candidates; re-importing never duplicates.

    The lists' records in the index (`vigie lists find`) follow at the next processing run.

    Example: vigie lists import samples/elections/listes-2026-tour1.csv
    """
    from collect.official import import_lists

    _run_import(import_lists, file, ctx, as_json)


@lists_app.command("find")
@reports_errors
def lists_find(
    ctx: typer.Context,
    commune: Annotated[str | None, typer.Option(help="INSEE code or name.")] = None,
    departement: Annotated[str | None, typer.Option()] = None,
    nuance: Annotated[str | None, typer.Option()] = None,
    min_commitments: Annotated[int | None, typer.Option(help="Lists committing to at least this many demands.")] = None,
    commits_to: Annotated[list[str] | None, typer.Option("--commits-to", help="A demand the list commits to (repeat for several).")] = None,
    silent_on: Annotated[list[str] | None, typer.Option("--silent-on", help="A demand the programme never addresses (repeat for several).")] = None,
    elected: Annotated[bool | None, typer.Option("--elected/--not-elected", help="Only the lists that won, or lost.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Lists by what their programme commits to, the most committed first.

    Example: vigie lists find --departement 59 --min-commitments 10
    """
    from index.client import connect
    from index.lists import ListQuery, find_lists

    settings = settings_of(ctx)
    query = ListQuery(
        commune=commune, departement=departement, nuance=nuance, min_commitments=min_commitments,
        committing_to=tuple(commits_to or ()), silent_on=tuple(silent_on or ()), elected=elected,
    )  # fmt: skip
    found = find_lists(connect(settings), settings.index_prefix, query)
    if as_json:
        _print_json([summary.__dict__ for summary in found])
        return
    out.print(f"{len(found)} list(s)", highlight=False)
    for s in found:
        won = {True: ", elected", False: "", None: ""}[s.elected]
        programme = (
            f"{s.committed} commitments, {s.opposed} oppositions, {s.mentioned} mentions, silent on {s.silent}"
            if s.has_programme else "no programme indexed"
        )  # fmt: skip
        out.print(f"{s.list_key}  {s.list_label} ({s.commune}, {s.nuance}{won}): {programme}", highlight=False, markup=False)


@results_app.command("import")
@reports_errors
def results_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A Ministry results-by-commune file (2026 layout).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record each list's votes and seats, and mark the lists that won.

    The lists' records in the index (`vigie lists find`) follow at the next processing run.

    Example: vigie results import samples/elections/resultats-2026-tour1.csv
    """
    from collect.official import import_results

    _run_import(import_results, file, ctx, as_json)


def _run_import(importer, file: Path, ctx: typer.Context, as_json: bool) -> None:
    from storage.catalogue import Catalogue

    summary = importer(
        file, Catalogue(settings_of(ctx).catalogue), on_warning=lambda w: err.print(f"warning: {w}", highlight=False, markup=False)
    )
    if as_json:
        _print_json(summary.to_json())
    else:
        out.print(summary.line(), highlight=False)


sources_app = typer.Typer(help="The programme sources registry: which list publishes which programme, where.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


@sources_app.command("add")
@reports_errors
def sources_add(
    ctx: typer.Context,
    commune_insee: Annotated[str, typer.Argument(help="INSEE code of the commune, e.g. 59698.")],
    panel: Annotated[int, typer.Argument(help="The list's panel number in the commune.")],
    location: Annotated[str, typer.Argument(help="URL of the programme (PDF or web page), or a local file.")],
    label: Annotated[str | None, typer.Option(help="List name, when the list was not imported.")] = None,
    commune: Annotated[str | None, typer.Option(help="Commune name, when the list was not imported.")] = None,
) -> None:
    """Register a programme source for a list (the list comes from `vigie lists import`).

    Example: vigie sources add 59698 1 https://moulins-en-commun.example/programme.pdf
    """
    from storage.catalogue import Catalogue
    from collect.fetch import check_url
    from collect.sources import CandidateList, Source, add_source

    settings = settings_of(ctx)
    if "://" in location:
        check_url(location, allow_private=True)  # the scheme and host; addresses are checked when fetched
    elif not Path(location).is_file():
        raise ConfigError(f"{location} is neither a URL nor an existing file", source="vigie sources add", field="LOCATION")
    else:
        location = str(Path(location).resolve())
    key = f"{commune_insee}-{panel}"
    try:
        known = Catalogue(settings.catalogue).candidate_list(key)
    except KeyError:
        if not (label and commune):
            raise ConfigError(
                f"list {key} is unknown; import the candidate lists (`vigie lists import FILE`) or give --label and --commune",
                source="vigie sources add",
                field="COMMUNE_INSEE PANEL",
            ) from None
        known = CandidateList(commune_insee, commune, commune_insee[:2], panel, label, "", "")
    added = add_source(settings.sources_registry, Source(known, location))
    verb = "added to" if added else "already in"
    out.print(f"{known.label} ({known.commune}): {location} {verb} {settings.sources_registry}", highlight=False)


@sources_app.command("list")
@reports_errors
def sources_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the registered sources with what was last collected from each.

    Example: vigie sources list --json
    """
    from storage.catalogue import Catalogue
    from collect.sources import read_sources

    settings = settings_of(ctx)
    registry = settings.sources_registry
    if not registry.exists():
        raise ConfigError("no sources registered yet; add one with `vigie sources add`", source=str(registry))
    catalogue = Catalogue(settings.catalogue)
    failures = {where: error for where, stage, error in catalogue.failures() if stage == "collect"}
    rows = []
    for source in read_sources(registry):
        latest = catalogue.latest_version(source.candidate_list.key, source.location)
        rows.append(
            {
                "list": source.candidate_list.key,
                "label": source.candidate_list.label,
                "commune": source.candidate_list.commune,
                "source": source.location,
                "versions": latest.version if latest else 0,
                "last_fetched": latest.fetched_at.isoformat() if latest else None,
                "failure": failures.get(source.location),
            }
        )
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        state = f"{row['versions']} version(s)" if row["versions"] else "not collected yet"
        if row["failure"]:
            state += f"; last attempt failed: {row['failure']}"
        out.print(f"{row['list']:10} {row['label']} ({row['commune']}): {row['source']} — {state}", highlight=False)


@app.command("coverage")
@reports_errors
def coverage_command(
    ctx: typer.Context,
    departement: Annotated[str | None, typer.Option(help="Only this département code, e.g. 59.")] = None,
    commune: Annotated[str | None, typer.Option(help="Only this commune (INSEE code or name).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """For each declared list: programme archived (how many versions), missing, failed or scan only.

    Example: vigie coverage --departement 59
    """
    from storage.catalogue import Catalogue
    from tracking.coverage import coverage

    settings = settings_of(ctx)
    report = coverage(Catalogue(settings.catalogue), settings, departement=departement, commune=commune)
    if as_json:
        _print_json(report.to_json())
        return
    for item in report.lists:
        detail = f"{item.versions} version(s)" if item.versions else ""
        reason = f" — {item.reason}" if item.reason else ""
        out.print(f"{item.list_key:10} {item.label} ({item.commune}): {item.status} {detail}{reason}", highlight=False)
    for commune_name, counts in report.totals("commune").items():
        out.print(f"{commune_name}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), highlight=False)
    for code, counts in report.totals("departement").items():
        out.print(f"département {code}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), highlight=False)


@app.command("serve")
@reports_errors
def serve_command(ctx: typer.Context) -> None:
    """Serve the flows on their schedules (VIGIE_COLLECT_CRON, VIGIE_PROCESS_CRON) until stopped.

    Example: VIGIE_COLLECT_CRON="0 */2 * * *" vigie serve
    """
    from prefect import serve

    from flows.pipeline import deployments

    settings = settings_of(ctx)
    out.print(f"collect: {settings.collect_cron}; process: {settings.process_cron} (Ctrl-C to stop)", highlight=False)
    serve(*deployments(settings))


_LEVEL_MARKS = {"commitment": "✔", "opposition": "✘", "mention": "~", "absent": "·"}


@app.command("scorecard")
@reports_errors
def scorecard_command(
    ctx: typer.Context,
    list_key: Annotated[str | None, typer.Option("--list", help="One list: INSEE code and panel, e.g. 59698-1.")] = None,
    commune: Annotated[str | None, typer.Option(help="A commune's lists side by side (INSEE code or name).")] = None,
    departement: Annotated[str | None, typer.Option(help="Coverage of each demand across the lists of a département.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The 14-demand scorecard of a list or a commune's lists, or coverage per demand.

    Example: vigie scorecard --commune Moulins-sur-Lys
    """
    from rich.table import Table

    from config.platform import load_platform
    from index.client import connect
    from index.scorecards import demand_coverage, scorecards

    settings = settings_of(ctx)
    demands = [d.id for d in load_platform().demands]
    client = connect(settings)
    if not (list_key or commune):
        coverage = demand_coverage(client, settings.index_prefix, demands, departement=departement)
        if as_json:
            _print_json([{**c.__dict__, "silent": c.silent, "share_committing": round(c.share_committing, 4)} for c in coverage])
            return
        lists = coverage[0].lists if coverage else 0
        out.print(f"{lists} list(s) with a programme{' in ' + departement if departement else ''}", highlight=False)
        for c in coverage:
            out.print(
                f"{c.demand}  {c.share_committing:6.1%} commit ({c.committing}), {c.opposing} oppose, "
                f"{c.mentioning} only mention, {c.silent} silent",
                highlight=False,
            )
        return
    cards = scorecards(client, settings.index_prefix, demands, list_key=list_key, commune=commune, departement=departement)
    if as_json:
        _print_json([card.to_json() for card in cards])
        return
    if not cards:
        out.print("no programme indexed for this list or commune", highlight=False)
        return
    table = Table(title="✔ commitment  ✘ opposition  ~ mention  · absent")
    table.add_column("list", no_wrap=True, min_width=12, max_width=36)
    for demand in demands:
        table.add_column(demand.removeprefix("D"), justify="center", no_wrap=True)
    for card in cards:
        table.add_row(f"{card.list_label} ({card.commune})", *(_LEVEL_MARKS[card.cells[d].level] for d in demands))
    out.print(table)
    if list_key:
        for cell in cards[0].cells.values():
            if cell.quotation:
                quantities = f" [{'; '.join(cell.quantities)}]" if cell.quantities else ""
                out.print(f"{cell.demand} {cell.level} ({cell.sentences} sentences), page {cell.page}: « {cell.quotation} »{quantities}", highlight=False, markup=False)


@app.command("silences")
@reports_errors
def silences_command(
    ctx: typer.Context,
    commune: Annotated[str | None, typer.Option(help="A commune (INSEE code or name).")] = None,
    departement: Annotated[str | None, typer.Option(help="A département code.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The demands each list's programme never addresses at all.

    Example: vigie silences --departement 59
    """
    from config.platform import load_platform
    from index.client import connect
    from index.scorecards import scorecards

    settings = settings_of(ctx)
    platform = load_platform()
    cards = scorecards(connect(settings), settings.index_prefix, [d.id for d in platform.demands], commune=commune, departement=departement)
    if as_json:
        _print_json({card.list_key: card.silences for card in cards})
        return
    for card in cards:
        titles = ", ".join(f"{d} {platform.demand(d).title}" for d in card.silences) or "none"
        out.print(f"{card.list_label} ({card.commune}): silent on {titles}", highlight=False)


@app.command("diff")
@reports_errors
def diff_command(
    ctx: typer.Context,
    list_key: Annotated[str, typer.Option("--list", help="The list: INSEE code and panel, e.g. 59698-1.")],
    older: Annotated[int | None, typer.Option(help="Older version number (default: the one before the newest).")] = None,
    newer: Annotated[int | None, typer.Option(help="Newer version number (default: the newest).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What changed between two versions of a list's programme: promises that appeared, disappeared or changed level.

    Example: vigie diff --list 59698-1
    """
    from index.client import connect
    from index.versions import diff_versions

    settings = settings_of(ctx)
    result = diff_versions(connect(settings), settings.index_prefix, list_key, older=older, newer=newer)
    if as_json:
        _print_json({"list": result.list_key, "older": result.older, "newer": result.newer,
                     "changes": [{**change.__dict__, "kind": change.kind} for change in result.changes]})
        return
    out.print(f"{result.list_key}: version {result.older} → {result.newer}, {len(result.changes)} change(s)", highlight=False)
    for change in result.changes:
        levels = f"{change.before or '—'} → {change.after or '—'}"
        out.print(f"  {change.kind:14} {change.demand} {levels}: {change.sentence}", highlight=False, markup=False)


@app.command("reindex")
@reports_errors
def reindex_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Rebuild every index from the archive and the catalogue, then serve it in one atomic switch.

    Example: vigie reindex
    """
    from flows.pipeline import RunSummary, process

    settings = settings_of(ctx)
    if settings.local_node:
        from index.runtime import start_node

        start_node(settings)
    summary = process(settings, summary=RunSummary(), rebuild=True)
    if as_json:
        _print_json(summary.to_json())
    else:
        out.print(f"{summary.indexed} versions reindexed; {summary.pages} pages, {summary.mentions} mentions", highlight=False)
        for failure in summary.failures:
            err.print(f"failed: {failure}", highlight=False)
    if summary.failures:
        err.print("the served indices are unchanged", highlight=False)
        raise typer.Exit(2)


alerts_app = typer.Typer(
    help="Saved searches, and their hits that are new since the last check (e-mail and webhook delivery)."
)
app.add_typer(alerts_app, name="alerts")


@alerts_app.callback(invoke_without_command=True)
@reports_errors
def alerts_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Check every saved search now, deliver what is pending (e-mail, webhook), and print the new hits not shown before.

    Runs after each pipeline run too. Example: vigie alerts
    """
    if ctx.invoked_subcommand is not None:
        return
    from tracking.alerts import run_alerts, take_report, message_text
    from storage.catalogue import Catalogue
    from index.client import connect

    settings = settings_of(ctx)
    catalogue = Catalogue(settings.catalogue)
    run = run_alerts(catalogue, connect(settings), settings)
    report = take_report(catalogue)
    if as_json:
        _print_json({**run.to_json(), "new": {alert.search.name: list(alert.hits) for alert in report}})
    else:
        if not report:
            out.print("no new hit for the saved searches", highlight=False)
        for alert in report:
            out.print(message_text(alert), highlight=False, markup=False, soft_wrap=True)
        for failure in run.failures:
            err.print(f"failed: {failure}", highlight=False, markup=False, soft_wrap=True)
    if run.failures:
        raise typer.Exit(2)


@alerts_app.command("save")
@reports_errors
def alerts_save(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the search, e.g. 'eau en régie 31'.")],
    query: Annotated[str, typer.Argument(help="The same query syntax as `vigie search` (may be empty).")] = "",
    commune: Annotated[str | None, typer.Option()] = None,
    departement: Annotated[str | None, typer.Option()] = None,
    nuance: Annotated[str | None, typer.Option()] = None,
    demand: Annotated[str | None, typer.Option()] = None,
    level: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option(help="Send new hits to this address (VIGIE_SMTP_* settings).")] = None,
    webhook: Annotated[str | None, typer.Option(help="POST new hits as JSON to this URL.")] = None,
) -> None:
    """Save a search: from now on, its new hits are alerted. The hits it has today are not.

    Example: vigie alerts save "régies D03 en Haute-Garonne" --demand D03 --level commitment --departement 31 --email veille@exemple.org
    """
    from tracking.alerts import SavedSearch, save_search
    from storage.catalogue import Catalogue
    from index.client import connect
    from index.search import SearchRequest

    settings = settings_of(ctx)
    request = SearchRequest(query=query, commune=commune, departement=departement, nuance=nuance, demand=demand, level=level)
    saved = SavedSearch(name=name, request=request, email=email, webhook=webhook)
    baseline = save_search(Catalogue(settings.catalogue), connect(settings), settings, saved)
    out.print(f"saved « {name} » ({saved.describe()}): {baseline} hit(s) today, only new ones will be alerted", highlight=False, markup=False)


@alerts_app.command("list")
@reports_errors
def alerts_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The saved searches and where their alerts go."""
    from tracking.alerts import saved
    from storage.catalogue import Catalogue

    searches = saved(Catalogue(settings_of(ctx).catalogue))
    if as_json:
        _print_json([{"name": s.name, "search": s.describe(), "email": s.email, "webhook": s.webhook} for s in searches])
        return
    for s in searches:
        to = ", ".join(filter(None, [s.email, s.webhook])) or "vigie alerts only"
        out.print(f"{s.name}: {s.describe()} → {to}", highlight=False, markup=False)


@alerts_app.command("remove")
@reports_errors
def alerts_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Forget a saved search and its alerts."""
    from tracking.alerts import remove_search
    from storage.catalogue import Catalogue

    if not remove_search(Catalogue(settings_of(ctx).catalogue), name):
        raise ConfigError(f"no saved search named {name!r}; see `vigie alerts list`", source="vigie alerts remove", field="NAME")
    out.print(f"removed « {name} »", highlight=False, markup=False)


@app.command("web")
@reports_errors
def web_command(ctx: typer.Context) -> None:
    """Serve the web app (search, scorecards, follow-up) on VIGIE_WEB_HOST:VIGIE_WEB_PORT until stopped.

    Starts the local Elasticsearch node when VIGIE_ES_URL is unset. Example: vigie web
    """
    import uvicorn

    from web.app import create_app

    settings = settings_of(ctx)
    if settings.local_node:
        from index.runtime import start_node

        start_node(settings)
    out.print(f"Vigie on http://{settings.web_host}:{settings.web_port} (Ctrl-C to stop)", highlight=False)
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port, log_level="warning")


users_app = typer.Typer(help="Accounts of the web app: editors write follow-up records, admins manage accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
@reports_errors
def users_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Lower-case letters, digits, . _ -")],
    role: Annotated[str, typer.Option(help="editor or admin")] = "editor",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create an account (the password is asked twice, or read with --password-stdin).

    Example: vigie users add camille --role editor
    """
    from storage.catalogue import Catalogue
    from web.auth import add_user

    user = add_user(Catalogue(settings_of(ctx).catalogue), username, _new_password(password_stdin), role)
    out.print(f"account {user.username} ({user.role}) created", highlight=False)


@users_app.command("password")
@reports_errors
def users_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Set a new password for an account."""
    from storage.catalogue import Catalogue
    from web.auth import set_password

    set_password(Catalogue(settings_of(ctx).catalogue), username, _new_password(password_stdin))
    out.print(f"password of {username} changed", highlight=False)


@users_app.command("role")
@reports_errors
def users_role(ctx: typer.Context, username: Annotated[str, typer.Argument()], role: Annotated[str, typer.Argument(help="editor or admin")]) -> None:
    """Change an account's role."""
    from storage.catalogue import Catalogue
    from web.auth import set_role

    set_role(Catalogue(settings_of(ctx).catalogue), username, role)
    out.print(f"{username} is now {role}", highlight=False)


@users_app.command("disable")
@reports_errors
def users_disable(ctx: typer.Context, username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account: it can no longer sign in, and its API token stops working."""
    from storage.catalogue import Catalogue
    from web.auth import disable_user

    disable_user(Catalogue(settings_of(ctx).catalogue), username)
    out.print(f"{username} disabled", highlight=False)


@users_app.command("list")
@reports_errors
def users_list(ctx: typer.Context) -> None:
    """The active accounts and their roles."""
    from storage.catalogue import Catalogue
    from web.auth import list_users

    for user in list_users(Catalogue(settings_of(ctx).catalogue)):
        out.print(f"{user.username} ({user.role})", highlight=False)


@users_app.command("token")
@reports_errors
def users_token(ctx: typer.Context, username: Annotated[str, typer.Argument()]) -> None:
    """A new API token for scripted updates (shown once; the previous one stops working).

    Example: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/followup/59698
    """
    from storage.catalogue import Catalogue
    from web.auth import new_api_token

    out.print(new_api_token(Catalogue(settings_of(ctx).catalogue), username), highlight=False)


corrections_app = typer.Typer(help="Analysts' corrections of detected mentions (made in the web app).", no_args_is_help=True)
app.add_typer(corrections_app, name="corrections")


@corrections_app.command("export")
@reports_errors
def corrections_export(
    ctx: typer.Context,
    out_file: Annotated[Path | None, typer.Option("--out", help="A JSONL file instead of standard output.")] = None,
) -> None:
    """The corrected sentences as labelled data, in the detector's evaluation format (one JSON per line).

    Example: vigie corrections export --out corrections.jsonl && vigie eval --data corrections.jsonl
    """
    from storage.catalogue import Catalogue
    from tracking.corrections import labelled_sentences

    lines = [json.dumps(item, ensure_ascii=False) for item in labelled_sentences(Catalogue(settings_of(ctx).catalogue))]
    _write_export("".join(line + "\n" for line in lines), out_file)


export_app = typer.Typer(help="Exports for spreadsheets and scripts: CSV (with --bom for Excel) or JSON.", no_args_is_help=True)
app.add_typer(export_app, name="export")


def _write_export(text: str, out_file: Path | None) -> None:
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"written to {out_file}", highlight=False)


@export_app.command("search")
@reports_errors
def export_search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The same query syntax as `vigie search`.")] = "",
    commune: Annotated[str | None, typer.Option()] = None,
    departement: Annotated[str | None, typer.Option()] = None,
    nuance: Annotated[str | None, typer.Option()] = None,
    demand: Annotated[str | None, typer.Option()] = None,
    level: Annotated[str | None, typer.Option()] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions")] = False,
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    bom: Annotated[bool, typer.Option("--bom", help="Start the CSV with a BOM, for spreadsheets.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="A file instead of standard output.")] = None,
) -> None:
    """Every hit of a search (not only the first page), as CSV or JSON.

    Example: vigie export search --demand D07 --level commitment --bom --out sante.csv
    """
    from index.client import connect
    from index.exports import SEARCH_COLUMNS, all_hits, hit_row, to_csv
    from index.search import SearchRequest

    settings = settings_of(ctx)
    request = SearchRequest(query=query, commune=commune, departement=departement, nuance=nuance, demand=demand, level=level, all_versions=all_versions)
    rows = [hit_row(hit) for hit in all_hits(connect(settings), settings.index_prefix, request)]
    text = to_csv(rows, SEARCH_COLUMNS, bom=bom) if fmt == "csv" else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    _write_export(text, out_file)


@export_app.command("scorecard")
@reports_errors
def export_scorecard(
    ctx: typer.Context,
    list_key: Annotated[str | None, typer.Option("--list")] = None,
    commune: Annotated[str | None, typer.Option()] = None,
    departement: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    bom: Annotated[bool, typer.Option("--bom", help="Start the CSV with a BOM, for spreadsheets.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out")] = None,
) -> None:
    """Scorecards, one row per list and demand, as CSV or JSON.

    Example: vigie export scorecard --departement 59 --bom --out nord.csv
    """
    from config.platform import load_platform
    from index.client import connect
    from index.exports import SCORECARD_COLUMNS, scorecard_rows, to_csv
    from index.scorecards import scorecards

    settings = settings_of(ctx)
    demands = [d.id for d in load_platform().demands]
    cards = scorecards(connect(settings), settings.index_prefix, demands, list_key=list_key, commune=commune, departement=departement)
    rows = list(scorecard_rows(cards))
    text = to_csv(rows, SCORECARD_COLUMNS, bom=bom) if fmt == "csv" else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    _write_export(text, out_file)


@app.command("report")
@reports_errors
def report_command(
    ctx: typer.Context,
    commune: Annotated[str, typer.Option(help="The commune (INSEE code or name).")],
    out_file: Annotated[Path | None, typer.Option("--out", help="A file instead of standard output (required for PDF).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html or pdf")] = "html",
) -> None:
    """A printable report for a commune, HTML or PDF: its lists side by side on the 14 demands, with quotations.

    Example: vigie report --commune 59698 --format pdf --out moulins.pdf
    """
    if fmt not in ("html", "pdf"):
        raise ConfigError("html or pdf", source="vigie report", field="--format")
    if fmt == "pdf" and out_file is None:
        raise ConfigError("a PDF report needs a file: add --out FILE.pdf", source="vigie report", field="--out")
    from config.platform import load_platform
    from index.client import connect
    from index.exports import commune_report
    from index.scorecards import scorecards

    settings = settings_of(ctx)
    platform = load_platform()
    cards = scorecards(connect(settings), settings.index_prefix, [d.id for d in platform.demands], commune=commune)
    if not cards:
        raise ConfigError("no programme indexed for this commune", source="vigie report", field="--commune")
    titles = {d.id: d.title for d in platform.demands}
    if fmt == "pdf":
        from index.exports import commune_report_pdf

        out_file.write_bytes(commune_report_pdf(cards[0].commune, cards, titles))
        err.print(f"written to {out_file}", highlight=False)
        return
    _write_export(commune_report(cards[0].commune, cards, titles), out_file)
