"""`vigie search`, `vigie scorecard`, `vigie silences` and `vigie diff`: reading the index."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import out, print_json, reports_errors, settings_of
from config.platform import load_platform
from index.client import connect

from index.scorecards import demand_coverage, scorecards
from index.search import SearchRequest, search
from index.versions import diff_versions

commands = typer.Typer()

_LEVEL_MARKS = {"commitment": "✔", "opposition": "✘", "mention": "~", "absent": "·"}


@commands.command("search")
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
    settings = settings_of(ctx)
    request = SearchRequest(
        query=query, commune=commune, departement=departement, nuance=nuance, demand=demand, level=level,
        all_versions=all_versions, sort=sort, size=limit, after=after, snapshot=snapshot,
    )
    result = search(connect(settings), settings.index_prefix, request)
    if as_json:
        print_json(result.to_json())
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


@commands.command("scorecard")
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
    settings = settings_of(ctx)
    demands = [d.id for d in load_platform().demands]
    client = connect(settings)
    if not (list_key or commune):
        _demand_coverage(client, settings.index_prefix, demands, departement, as_json)
        return
    cards = scorecards(client, settings.index_prefix, demands, list_key=list_key, commune=commune, departement=departement)
    if as_json:
        print_json([card.to_json() for card in cards])
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


def _demand_coverage(client, prefix: str, demands: list[str], departement: str | None, as_json: bool) -> None:
    coverage = demand_coverage(client, prefix, demands, departement=departement)
    if as_json:
        print_json([c.to_json() for c in coverage])
        return
    lists = coverage[0].lists if coverage else 0
    out.print(f"{lists} list(s) with a programme{' in ' + departement if departement else ''}", highlight=False)
    for c in coverage:
        out.print(
            f"{c.demand}  {c.share_committing:6.1%} commit ({c.committing}), {c.opposing} oppose, "
            f"{c.mentioning} only mention, {c.silent} silent",
            highlight=False,
        )


@commands.command("silences")
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
    settings = settings_of(ctx)
    platform = load_platform()
    cards = scorecards(connect(settings), settings.index_prefix, [d.id for d in platform.demands], commune=commune, departement=departement)
    if as_json:
        print_json({card.list_key: card.silences for card in cards})
        return
    for card in cards:
        titles = ", ".join(f"{d} {platform.demand(d).title}" for d in card.silences) or "none"
        out.print(f"{card.list_label} ({card.commune}): silent on {titles}", highlight=False)


@commands.command("diff")
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
    settings = settings_of(ctx)
    result = diff_versions(connect(settings), settings.index_prefix, list_key, older=older, newer=newer)
    if as_json:
        print_json({"list": result.list_key, "older": result.older, "newer": result.newer,
                    "changes": [{**change.__dict__, "kind": change.kind} for change in result.changes]})
        return
    out.print(f"{result.list_key}: version {result.older} → {result.newer}, {len(result.changes)} change(s)", highlight=False)
    for change in result.changes:
        levels = f"{change.before or '—'} → {change.after or '—'}"
        out.print(f"  {change.kind:14} {change.demand} {levels}: {change.sentence}", highlight=False, markup=False)
