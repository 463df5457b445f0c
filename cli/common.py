"""What the command modules share: the consoles, the settings object, one-line errors, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

import typer
from rich.console import Console

from config.errors import VigieError
from config.settings import Settings, load_settings

# Paths and URLs stay whole, to copy or grep. No console markup: list labels,
# file names and programme text are data, and "[b]" in them must print as is.
out = Console(soft_wrap=True, markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False)

F = TypeVar("F", bound=Callable[..., None])


def reports_errors(command: F) -> F:
    """A VigieError becomes one line on stderr and exit status 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except VigieError as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True, style="red")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def settings_of(ctx: typer.Context) -> Settings:
    return ctx.obj


# The root callback: the settings are built once here, and every command reads them with settings_of.
@reports_errors
def main(ctx: typer.Context) -> None:
    ctx.obj = load_settings()


def print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
