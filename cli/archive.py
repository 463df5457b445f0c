"""`vigie archive`: the archive of every programme version collected."""

from __future__ import annotations

import typer

from cli.common import err, out, reports_errors, settings_of
from collect.archive import verify_archive
from storage.catalogue import Catalogue

archive = typer.Typer(help="The archive of every programme version collected.", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(archive, name="archive")


@archive.command("verify")
@reports_errors
def archive_verify(ctx: typer.Context) -> None:
    """Re-hash every archived file; name any that is missing or altered (exit status 1).

    Example: vigie archive verify
    """
    versions = Catalogue(settings_of(ctx).catalogue).versions()
    problems = verify_archive((v.archive_path, v.sha256) for v in versions)
    files = len({v.archive_path for v in versions})
    for problem in problems:
        err.print(f"{problem}", highlight=False, markup=False)
    out.print(f"{files} archived files verified: {files - len(problems)} intact, {len(problems)} damaged", highlight=False)
    if problems:
        raise typer.Exit(1)
