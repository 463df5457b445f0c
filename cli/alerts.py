"""`vigie alerts`: saved searches and their new hits."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import err, out, print_json, reports_errors, settings_of
from config.errors import ConfigError
from index.client import connect
from index.search import SearchRequest
from storage.catalogue import Catalogue
from tracking.alerts import SavedSearch, message_text, remove_search, run_alerts, save_search, saved, take_report

alerts = typer.Typer(help="Saved searches, and their hits that are new since the last check (e-mail and webhook delivery).")
commands = typer.Typer()
commands.add_typer(alerts, name="alerts")


@alerts.callback(invoke_without_command=True)
@reports_errors
def alerts_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Check every saved search now, deliver what is pending (e-mail, webhook), and print the new hits not shown before.

    Runs after each pipeline run too. Example: vigie alerts
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_of(ctx)
    catalogue = Catalogue(settings.catalogue)
    run = run_alerts(catalogue, connect(settings), settings)
    report = take_report(catalogue)
    if as_json:
        print_json({**run.to_json(), "new": {alert.search.name: list(alert.hits) for alert in report}})
    else:
        if not report:
            out.print("no new hit for the saved searches", highlight=False)
        for alert in report:
            out.print(message_text(alert), highlight=False, markup=False, soft_wrap=True)
        for failure in run.failures:
            err.print(f"failed: {failure}", highlight=False, markup=False, soft_wrap=True)
    if run.failures:
        raise typer.Exit(2)


@alerts.command("save")
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
    settings = settings_of(ctx)
    request = SearchRequest(query=query, commune=commune, departement=departement, nuance=nuance, demand=demand, level=level)
    search = SavedSearch(name=name, request=request, email=email, webhook=webhook)
    baseline = save_search(Catalogue(settings.catalogue), connect(settings), settings, search)
    out.print(f"saved « {name} » ({search.describe()}): {baseline} hit(s) today, only new ones will be alerted", highlight=False, markup=False)


@alerts.command("list")
@reports_errors
def alerts_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The saved searches and where their alerts go."""
    searches = saved(Catalogue(settings_of(ctx).catalogue))
    if as_json:
        print_json([{"name": s.name, "search": s.describe(), "email": s.email, "webhook": s.webhook} for s in searches])
        return
    for s in searches:
        to = ", ".join(filter(None, [s.email, s.webhook])) or "vigie alerts only"
        out.print(f"{s.name}: {s.describe()} → {to}", highlight=False, markup=False)


@alerts.command("remove")
@reports_errors
def alerts_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Forget a saved search and its alerts."""
    if not remove_search(Catalogue(settings_of(ctx).catalogue), name):
        raise ConfigError(f"no saved search named {name!r}; see `vigie alerts list`", source="vigie alerts remove", field="NAME")
    out.print(f"removed « {name} »", highlight=False, markup=False)
