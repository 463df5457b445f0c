"""`vigie collect`: collection adapters that find documents by themselves."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import err, out, print_json, reports_errors, settings_of
from collect.fetch import FetchPolicy, new_client
from collect.propagande import PropagandeRun, collect_propagande
from collect.propagande_site import ELECTIONS, ROUNDS, Site
from config.errors import ConfigError
from storage.catalogue import Catalogue

collect = typer.Typer(help="Collect documents from the sites that publish them (the Ministry's professions de foi).", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(collect, name="collect")


@collect.command("propagande")
@reports_errors
def collect_propagande_command(
    ctx: typer.Context,
    election: Annotated[
        list[str] | None,
        typer.Option("--election", help=f"Only this election of the site (repeatable): {', '.join(ELECTIONS)} (default: all three)."),
    ] = None,
    tour: Annotated[int | None, typer.Option("--tour", min=1, max=2, help="Only this round (default: every published one).")] = None,
    departement: Annotated[list[str] | None, typer.Option("--departement", help="Only this département (repeatable), e.g. 59.")] = None,
    commune: Annotated[list[str] | None, typer.Option("--commune", help="Only this commune's INSEE code (repeatable), e.g. 59350.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Archive the professions de foi the Ministry publishes (VIGIE_PROPAGANDE_URL), each linked to its list.

    The municipal election brings the sector elections of Paris, Lyon and Marseille and the Lyon metropolitan one.
    A second run fetches only the JSON and what is new, changed or failed.
    Example: vigie collect propagande --tour 1 --departement 59
    """
    settings = settings_of(ctx)
    unknown = sorted(set(election or ()) - set(ELECTIONS))
    if unknown:
        raise ConfigError(f"no election {', '.join(unknown)} on the site: name {', '.join(ELECTIONS)}", source="vigie collect propagande", field="--election")
    policy = FetchPolicy.from_settings(settings)
    with new_client(policy) as client:
        site = Site(settings.propagande_url, client, policy, settings.propagande_rate)
        run = collect_propagande(
            settings, Catalogue(settings.catalogue), site, elections=election or (),
            rounds=(tour,) if tour else ROUNDS, departements=departement or (), communes=commune or (),
        )  # fmt: skip
    report_run(run, as_json)


def report_run(run: PropagandeRun, as_json: bool) -> None:
    """What a collection of the Ministry's documents did; exit status 2 when something failed."""
    if as_json:
        print_json(run.to_json())
    else:
        out.print(
            f"{run.listed} documents listed: {run.new_versions} new, {run.unchanged} unchanged, "
            f"{run.unknown_list} for lists not imported, {run.failed} failed; {run.not_published} lists named with no document"
            + (f"; {run.registered_lists} sector or metropolitan lists registered" if run.registered_lists else "")
            + (f" ({run.requests} requests)" if run.requests else ""),
            highlight=False,
        )
        for round in run.unpublished:
            out.print(f"{round}: not published", highlight=False)
        for skipped in run.skipped:
            out.print(f"left out: {skipped}", highlight=False)
        for unknown in run.unknown:
            err.print(f"list not imported: {unknown}", highlight=False)
        for failure in run.failures:
            err.print(f"failed: {failure}", highlight=False)
    if run.failures:
        raise typer.Exit(2)
