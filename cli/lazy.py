"""The root `vigie` group, lazy: it imports a command's module only when that command is wanted."""

from __future__ import annotations

import importlib

import click
import typer.core
import typer.main

# Every command and sub-app of `vigie`, in the order `vigie --help` lists them,
# and the module whose `commands` Typer defines it.
COMMANDS: dict[str, str] = {
    "settings": "cli.settings",
    "run": "cli.pipeline",
    "search": "cli.reading",
    "extract": "cli.extract",
    "detect": "cli.detection",
    "eval": "cli.detection",
    "train": "cli.detection",
    "coverage": "cli.coverage",
    "serve": "cli.pipeline",
    "scorecard": "cli.reading",
    "silences": "cli.reading",
    "diff": "cli.reading",
    "reindex": "cli.pipeline",
    "web": "cli.web",
    "report": "cli.export",
    "es": "cli.es",
    "archive": "cli.archive",
    "lists": "cli.lists",
    "results": "cli.lists",
    "sources": "cli.sources",
    "alerts": "cli.alerts",
    "users": "cli.users",
    "corrections": "cli.export",
    "export": "cli.export",
}


def module_group(module: str) -> click.Group:
    """The click group of a command module's `commands` Typer (its commands and sub-apps)."""
    return typer.main.get_group(importlib.import_module(module).commands)


class LazyGroup(typer.core.TyperGroup):
    """Lists every command from `COMMANDS`; builds one only when it is run or its help is shown."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        return None if module is None else module_group(module).commands.get(cmd_name)
