"""`vigie`: the command line, a thin shell over the stage functions and flows.

Each command lives in the module of its group (`cli.es`, `cli.reading`, …);
the root group imports only the module of the command being run, so that a
quick command does not pay for spaCy, Prefect or the web app (`cli.lazy`).
"""

from __future__ import annotations

import typer

from cli.common import main
from cli.lazy import LazyGroup

__all__ = ["app"]

app = typer.Typer(
    cls=LazyGroup, help="Vigie: municipal programmes checked against 14 demands for local public services.", no_args_is_help=True
)
app.callback()(main)
