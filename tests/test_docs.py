"""The README documents every command and every setting."""

import click
import typer.main

from cli import app
from config.settings import ENV_PREFIX, Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def command_paths(typer_app, prefix: str = "vigie") -> list[str]:
    group = typer.main.get_group(typer_app)
    ctx = click.Context(group)  # the root group is lazy: ask it, its `commands` dict is empty
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            paths += [f"{prefix} {name} {sub}" for sub in command.list_commands(ctx)]
        else:
            paths.append(f"{prefix} {name}")
    return paths


def test_every_command_is_in_the_readme() -> None:
    missing = [path for path in command_paths(app) if f"`{path}" not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    missing = [ENV_PREFIX + name.upper() for name in Settings.model_fields if ENV_PREFIX + name.upper() not in README]
    assert missing == []


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "make test" in README
