"""`vigie export`, `vigie corrections` and `vigie report`: data out, for spreadsheets, scripts and print."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import err, reports_errors, settings_of
from config.errors import ConfigError
from config.platform import load_platform
from index.client import connect
from index.exports import (
    SCORECARD_COLUMNS, SEARCH_COLUMNS, all_hits, commune_report, commune_report_pdf, hit_row, scorecard_rows, to_csv,
)  # fmt: skip
from index.scorecards import scorecards
from index.search import SearchRequest
from storage.catalogue import Catalogue
from tracking.corrections import labelled_sentences

corrections = typer.Typer(help="Analysts' corrections of detected mentions (made in the web app).", no_args_is_help=True)
export = typer.Typer(help="Exports for spreadsheets and scripts: CSV (with --bom for Excel) or JSON.", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(corrections, name="corrections")
commands.add_typer(export, name="export")


def _write_export(text: str, out_file: Path | None) -> None:
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"written to {out_file}", highlight=False)


@corrections.command("export")
@reports_errors
def corrections_export(
    ctx: typer.Context,
    out_file: Annotated[Path | None, typer.Option("--out", help="A JSONL file instead of standard output.")] = None,
) -> None:
    """The corrected sentences as labelled data, in the detector's evaluation format (one JSON per line).

    Example: vigie corrections export --out corrections.jsonl && vigie eval --data corrections.jsonl
    """
    lines = [json.dumps(item, ensure_ascii=False) for item in labelled_sentences(Catalogue(settings_of(ctx).catalogue))]
    _write_export("".join(line + "\n" for line in lines), out_file)


@export.command("search")
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
    settings = settings_of(ctx)
    request = SearchRequest(query=query, commune=commune, departement=departement, nuance=nuance, demand=demand, level=level, all_versions=all_versions)
    rows = [hit_row(hit) for hit in all_hits(connect(settings), settings.index_prefix, request)]
    text = to_csv(rows, SEARCH_COLUMNS, bom=bom) if fmt == "csv" else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    _write_export(text, out_file)


@export.command("scorecard")
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
    settings = settings_of(ctx)
    demands = [d.id for d in load_platform().demands]
    cards = scorecards(connect(settings), settings.index_prefix, demands, list_key=list_key, commune=commune, departement=departement)
    rows = list(scorecard_rows(cards))
    text = to_csv(rows, SCORECARD_COLUMNS, bom=bom) if fmt == "csv" else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    _write_export(text, out_file)


@commands.command("report")
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
    settings = settings_of(ctx)
    platform = load_platform()
    cards = scorecards(connect(settings), settings.index_prefix, [d.id for d in platform.demands], commune=commune)
    if not cards:
        raise ConfigError("no programme indexed for this commune", source="vigie report", field="--commune")
    titles = {d.id: d.title for d in platform.demands}
    if fmt == "pdf":
        out_file.write_bytes(commune_report_pdf(cards[0].commune, cards, titles))
        err.print(f"written to {out_file}", highlight=False)
        return
    _write_export(commune_report(cards[0].commune, cards, titles), out_file)
