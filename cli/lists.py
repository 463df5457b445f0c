"""`vigie lists` and `vigie results`: the Ministry's open data on lists and results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import err, out, print_json, reports_errors, settings_of
from collect.official_import import import_lists, import_results
from index.client import connect
from index.lists import ListQuery, find_lists
from storage.catalogue import Catalogue

lists = typer.Typer(help="The candidate lists declared at the prefectures (Ministry open data).", no_args_is_help=True)
results = typer.Typer(help="Election results by commune (Ministry open data).", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(lists, name="lists")
commands.add_typer(results, name="results")


@lists.command("import")
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
    _run_import(import_lists, file, ctx, as_json)


@lists.command("find")
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
    settings = settings_of(ctx)
    query = ListQuery(
        commune=commune, departement=departement, nuance=nuance, min_commitments=min_commitments,
        committing_to=tuple(commits_to or ()), silent_on=tuple(silent_on or ()), elected=elected,
    )  # fmt: skip
    found = find_lists(connect(settings), settings.index_prefix, query)
    if as_json:
        print_json([summary.__dict__ for summary in found])
        return
    out.print(f"{len(found)} list(s)", highlight=False)
    for s in found:
        won = {True: ", elected", False: "", None: ""}[s.elected]
        programme = (
            f"{s.committed} commitments, {s.opposed} oppositions, {s.mentioned} mentions, silent on {s.silent}"
            if s.has_programme else "no programme indexed"
        )  # fmt: skip
        out.print(f"{s.list_key}  {s.list_label} ({s.commune}, {s.nuance}{won}): {programme}", highlight=False, markup=False)


@results.command("import")
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
    _run_import(import_results, file, ctx, as_json)


def _run_import(importer, file: Path, ctx: typer.Context, as_json: bool) -> None:
    summary = importer(
        file, Catalogue(settings_of(ctx).catalogue), on_warning=lambda w: err.print(f"warning: {w}", highlight=False, markup=False)
    )
    if as_json:
        print_json(summary.to_json())
    else:
        out.print(summary.line(), highlight=False)
