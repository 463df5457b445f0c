"""`vigie coverage`: which declared lists have their programme archived.

Its own module: `tracking.coverage` loads the detector's stages, which the
quick reading commands should not wait for.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import out, print_json, reports_errors, settings_of
from storage.catalogue import Catalogue
from tracking.coverage import coverage

commands = typer.Typer()


@commands.command("coverage")
@reports_errors
def coverage_command(
    ctx: typer.Context,
    departement: Annotated[str | None, typer.Option(help="Only this département code, e.g. 59.")] = None,
    commune: Annotated[str | None, typer.Option(help="Only this commune (INSEE code or name).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """For each declared list: programme archived (how many versions), missing, failed or scan only, and what the Ministry published.

    The Ministry's column comes from `vigie collect propagande` or `vigie sources import-archive`.

    Example: vigie coverage --departement 59
    """
    settings = settings_of(ctx)
    report = coverage(Catalogue(settings.catalogue), settings, departement=departement, commune=commune)
    if as_json:
        print_json(report.to_json())
        return
    for item in report.lists:
        detail = f"{item.versions} version(s)" if item.versions else ""
        reason = f" — {item.reason}" if item.reason else ""
        ministry = f"; Ministry: {item.ministry}" + (f" — {item.ministry_reason}" if item.ministry_reason else "")
        out.print(f"{item.list_key:10} {item.label} ({item.commune}): {item.status} {detail}{reason}{ministry}", highlight=False)
    for unlinked in report.unlinked:
        out.print(f"published by the Ministry for a list not imported: {unlinked}", highlight=False)
    for commune_name, counts in report.totals("commune").items():
        out.print(f"{commune_name}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), highlight=False)
    for code, counts in report.totals("departement").items():
        out.print(f"département {code}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), highlight=False)
