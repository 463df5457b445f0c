"""`vigie sources`: the programme sources registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.collect import report_run
from cli.common import out, print_json, reports_errors, settings_of
from collect.fetch import check_url
from collect.propagande_archive import import_archive
from collect.sources import CandidateList, Source, add_source, read_sources
from config.errors import ConfigError
from storage.catalogue import Catalogue

sources = typer.Typer(help="The programme sources registry: which list publishes which programme, where.", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(sources, name="sources")


@sources.command("add")
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


@sources.command("list")
@reports_errors
def sources_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the registered sources with what was last collected from each.

    Example: vigie sources list --json
    """
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
        print_json(rows)
        return
    for row in rows:
        state = f"{row['versions']} version(s)" if row["versions"] else "not collected yet"
        if row["failure"]:
            state += f"; last attempt failed: {row['failure']}"
        out.print(f"{row['list']:10} {row['label']} ({row['commune']}): {row['source']} — {state}", highlight=False)


@sources.command("import-archive")
@reports_errors
def sources_import_archive(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A local clone of regardscitoyens/professions-foi-candidats-2026.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load the Ministry's professions de foi from a clone of the public archive, each linked to its list.

    The same kinds, sources and provenance as `vigie collect propagande`, without touching the Ministry's site.
    Example: vigie sources import-archive ~/professions-foi-candidats-2026
    """
    settings = settings_of(ctx)
    report_run(import_archive(settings, Catalogue(settings.catalogue), folder), as_json)
