"""`vigie settings`."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import out, print_json, reports_errors, settings_of
from config.settings import describe

commands = typer.Typer()


@commands.command("settings")
@reports_errors
def settings_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the effective settings.

    Example: VIGIE_INDEX_PREFIX=essai vigie settings
    """
    values = describe(settings_of(ctx))
    if as_json:
        print_json(values)
        return
    for name, value in values.items():
        out.print(f"{name} = {value}", highlight=False)
