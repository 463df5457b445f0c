"""`vigie run`, `vigie reindex` and `vigie serve`: the pipeline, once or on its schedules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from prefect import serve
from rich.progress import Progress

from cli.common import err, out, print_json, reports_errors, settings_of
from config.errors import ConfigError
from storage.catalogue import Catalogue
from flows.pipeline import RunSummary, deployments, process, programme_pipeline
from flows.progress import reporting
from index.runtime import start_node

commands = typer.Typer()


@commands.command("run")
@reports_errors
def run_command(
    ctx: typer.Context,
    sources: Annotated[
        Path | None, typer.Argument(help="Sources CSV (list, commune, programme file or URL); default: the registry.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Run the programme pipeline (collect, extract, detect, index) on a sources file.

    Starts the local Elasticsearch when VIGIE_ES_URL is unset. With no sources
    file and no registry, processes what was collected otherwise (the Ministry's
    publication).

    Example: vigie run samples/sources.csv
    """
    settings = settings_of(ctx)
    registry = sources is None
    sources = sources or settings.sources_registry
    # Without a registry, what other adapters collected (vigie collect propagande, vigie sources import-archive) is processed.
    collected_only = registry and not sources.exists() and bool(Catalogue(settings.catalogue).versions())
    if not sources.exists() and not collected_only:
        raise ConfigError(
            "no sources file; add sources with `vigie sources add`, collect the Ministry's publication with "
            "`vigie collect propagande`, or give a sources CSV",
            source=str(sources),
        )
    if settings.local_node:
        start_node(settings)
    with Progress(console=err, transient=True) as progress:
        bars: dict[str, int] = {}

        def show(step: str, done: int, total: int) -> None:
            if step not in bars:
                bars[step] = progress.add_task({"collect": "collecting", "process": "processing"}.get(step, step), total=total)
            progress.update(bars[step], completed=done, total=total)

        with reporting(show):
            summary = process(settings) if collected_only else programme_pipeline(sources_file=sources, settings=settings)
    if as_json:
        print_json(summary.to_json())
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


@commands.command("serve")
@reports_errors
def serve_command(ctx: typer.Context) -> None:
    """Serve the flows on their schedules (VIGIE_COLLECT_CRON, VIGIE_PROPAGANDE_CRON, VIGIE_PROCESS_CRON) until stopped.

    Example: VIGIE_COLLECT_CRON="0 */2 * * *" vigie serve
    """
    settings = settings_of(ctx)
    out.print(
        f"collect: {settings.collect_cron}; propagande: {settings.propagande_cron}; process: {settings.process_cron} (Ctrl-C to stop)",
        highlight=False,
    )
    serve(*deployments(settings))


@commands.command("reindex")
@reports_errors
def reindex_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Rebuild every index from the archive and the catalogue, then serve it in one atomic switch.

    Example: vigie reindex
    """
    settings = settings_of(ctx)
    if settings.local_node:
        start_node(settings)
    summary = process(settings, summary=RunSummary(), rebuild=True)
    if as_json:
        print_json(summary.to_json())
    else:
        out.print(f"{summary.indexed} versions reindexed; {summary.pages} pages, {summary.mentions} mentions", highlight=False)
        for failure in summary.failures:
            err.print(f"failed: {failure}", highlight=False)
    if summary.failures:
        err.print("the served indices are unchanged", highlight=False)
        raise typer.Exit(2)
