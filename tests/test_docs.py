"""The README documents every command and every setting, and the command lines it shows run as written."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from cli import app
from config.settings import ENV_PREFIX, Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def is_group(command) -> bool:
    """Typer builds its commands with the click it carries (`typer._click`), not the `click` package:
    a group is told by what it does, not by `isinstance(command, click.Group)`, which is never true."""
    return hasattr(command, "list_commands") and hasattr(command, "get_command")


def command_paths(typer_app, prefix: str = "vigie") -> list[str]:
    group = typer.main.get_group(typer_app)
    ctx = group.context_class(group)  # the root group is lazy: ask it, its `commands` dict is empty
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if is_group(command):
            paths += [f"{prefix} {name} {sub}" for sub in command.list_commands(ctx)]
        else:
            paths.append(f"{prefix} {name}")
    return paths


def test_every_command_is_in_the_readme() -> None:
    paths = command_paths(app)
    assert {"vigie es status", "vigie users token", "vigie web"} <= set(paths)  # sub-commands are walked too
    missing = [path for path in paths if f"`{path}" not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    missing = [ENV_PREFIX + name.upper() for name in Settings.model_fields if ENV_PREFIX + name.upper() not in README]
    assert missing == []


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "make test" in README


# --------------------------------------------------------------------------
# The command lines the README shows are accepted as written, options included
# --------------------------------------------------------------------------

_FENCED = re.compile(r"^```[^\n]*\n.*?^```", re.M | re.S)
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)
_ENV_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=\S*")
_PLACEHOLDER = re.compile(r"\[?[A-Z][A-Z0-9_]*\]?(\.\.\.|…)?")
"""QUERY, [SOURCES], FILE, N: a word the reader replaces."""
_COMMAND_START = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:vigie\b|bench/|(?:python3?|\.venv/bin/python3?)\s+bench/)")
PYTHONS = ("python", "python3", ".venv/bin/python", ".venv/bin/python3")


def readme_command_lines(readme: str = README) -> list[str]:
    """The command lines the README shows: the inline code spans and the lines of its `sh` blocks
    that start with `vigie` or run a benchmark (after any VAR=value), whitespace collapsed."""
    candidates = [re.sub(r"\s#.*", "", line) for block in _SH_BLOCK.findall(readme) for line in block.splitlines()]
    candidates += re.findall(r"`([^`]+)`", _FENCED.sub("", readme))
    return [" ".join(line.split()) for line in candidates if _COMMAND_START.match(" ".join(line.split()))]


def words(line: str) -> list[str]:
    """The line's words as a shell splits them (a table's `\\|` is `|`), without a comment or leading VAR=value."""
    tokens = shlex.split(line.replace("\\|", "|"), comments=True)
    while tokens and _ENV_ASSIGNMENT.fullmatch(tokens[0]):
        tokens.pop(0)
    return tokens


def options_of(command) -> dict:
    """Each option name of a command (`--elected` and `--not-elected` alike) and its parameter."""
    return {opt: param for param in command.params if param.param_type_name == "option" for opt in (*param.opts, *param.secondary_opts)}


def resolve(tokens: list[str]):
    """(command, its path, the words after it, the root context) of a `vigie …` line's words."""
    group = typer.main.get_group(app)
    ctx = group.context_class(group)
    command, path, rest = group, ["vigie"], tokens[1:]
    while is_group(command) and rest and not rest[0].startswith("-"):
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            raise LookupError(f"{' '.join(path)} has no command {rest[0]!r}")
        command, path, rest = sub, [*path, rest[0]], rest[1:]
    return command, path, rest, ctx


def cli_problems(line: str) -> list[str]:
    """What the `vigie` parser would refuse in a README line: an unknown command, an unknown option
    (or one given on the wrong command), too many arguments; with no placeholder left, any value
    the parser refuses (a type, a choice)."""
    try:
        tokens = words(line)
    except ValueError as exc:
        return [f"{line!r}: {exc}"]
    try:
        command, path, rest, ctx = resolve(tokens)
    except LookupError as exc:
        return [f"{line!r}: {exc}"]
    name = " ".join(path)
    options = options_of(command)
    arguments = [param for param in command.params if param.param_type_name == "argument"]
    room = float("inf") if any(param.nargs == -1 for param in arguments) else sum(param.nargs for param in arguments)
    problems, positional, index = [], 0, 0
    while index < len(rest):
        token = rest[index]
        if token.startswith("-") and token != "-" and not re.fullmatch(r"-\d.*", token):
            option, has_value, _ = token.partition("=")
            if option == "--help":
                pass
            elif option not in options:
                problems.append(f"{line!r}: {name} has no option {option}")
            elif not (options[option].is_flag or options[option].count or has_value):
                index += 1  # its value
        else:
            positional += 1
        index += 1
    if positional > room:
        problems.append(f"{line!r}: {name} takes {room} argument(s), the line gives {positional}")
    required = sum(param.nargs for param in arguments if param.required and param.nargs > 0)
    if is_group(command) or positional < required:  # a group's own line, or a command named in prose: options checked above
        return problems
    if not problems and not any(_PLACEHOLDER.fullmatch(token) for token in rest) and "--help" not in rest:
        try:
            command.make_context(path[-1], list(rest), parent=ctx)
        except Exception as exc:  # noqa: BLE001 - typer's click raises its own UsageError and BadParameter
            problems.append(f"{line!r}: {exc.format_message() if hasattr(exc, 'format_message') else exc!r}")
    return problems


def test_the_checker_finds_the_readme_lines_and_refuses_what_the_parser_refuses() -> None:
    lines = readme_command_lines()
    assert {"vigie web --port 8765", "vigie lists find --departement 59 --min-commitments 10", "bench/run --pages 2000 --real ../shared/real-programmes --repeat 3"} <= set(lines)
    assert len([line for line in lines if line.startswith("vigie") and " -" in line]) >= 10  # lines with options are checked
    assert cli_problems("vigie web --port 8765") == []
    assert cli_problems("vigie web --prot 8765")[0] == "'vigie web --prot 8765': vigie web has no option --prot"
    assert cli_problems("vigie web --port huit") != []  # a value the parser refuses
    assert cli_problems("vigie es statut") == ["'vigie es statut': vigie es has no command 'statut'"]
    assert cli_problems("vigie search --json santé logement") == [
        "'vigie search --json santé logement': vigie search takes 1 argument(s), the line gives 2"
    ]
    assert readme_command_lines("Run `VIGIE_ES_PORT=9210 vigie es start`, not `vigie`'s `--help`.\n```\nvigie nothing\n```\n") == [
        "VIGIE_ES_PORT=9210 vigie es start", "vigie"
    ]


def test_every_vigie_command_line_of_the_readme_is_accepted_with_its_options() -> None:
    problems = [problem for line in readme_command_lines() if words(line)[:1] == ["vigie"] for problem in cli_problems(line)]
    assert problems == []


def row_options(row: str) -> tuple[list[str], list[str]]:
    """(the `vigie …` commands, the options) a row of the commands table names: options as their
    own spans (`--json`, `--sort relevance\\|date`, `--elected/--not-elected`)."""
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", row)]
    commands = [span for span in spans if span.startswith("vigie")]
    options = [part.partition("=")[0] for span in spans if span.startswith("--") for part in span.split()[0].split("/")]
    return commands, options


def row_option_problems(row: str) -> list[str]:
    """The options a row of the commands table names that none of the row's commands has."""
    commands, options = row_options(row)
    known = {"--help"}
    for line in commands:
        known |= set(options_of(resolve(words(line))[0]))
    return [f"{commands[0]}: no option {option} (on {', '.join(commands)})" for option in options if option not in known]


def test_every_option_the_commands_table_names_exists_on_its_command() -> None:
    rows = [line for line in README.splitlines() if line.startswith("| `vigie ")]
    assert len(rows) >= 30 and sum(len(row_options(row)[1]) for row in rows) >= 60  # what is checked is there
    assert row_option_problems("| `vigie web` | `--port`, `--json`, `--elected/--not-elected` |") == [
        "vigie web: no option --json (on vigie web)", "vigie web: no option --elected (on vigie web)",
        "vigie web: no option --not-elected (on vigie web)",
    ]  # fmt: skip
    assert [problem for row in rows for problem in row_option_problems(row)] == []


def bench_commands() -> list[tuple[str, list[str]]]:
    """(line, words) of each README line that runs a benchmark: `bench/run …` (run directly, as its
    shebang says) or `python bench/….py`; a bare `bench/x.py` or `bench/x.json` only names a file."""
    found = []
    for line in readme_command_lines():
        tokens = words(line)
        direct = tokens[0].startswith("bench/") and (len(tokens) > 1 or not Path(tokens[0]).suffix)
        if direct or (tokens[0] in PYTHONS and tokens[1].startswith("bench/")):
            found.append((line, tokens))
    return found


def python_without_the_project(folder: Path) -> Path:
    """A folder holding a `python3` that has none of the project's packages (the system's, as
    `#!/usr/bin/env python3` may find it after `make setup`): this Python without site-packages."""
    folder.mkdir(parents=True, exist_ok=True)
    python3 = folder / "python3"
    python3.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -S "$@"\n', encoding="utf-8")
    python3.chmod(0o755)
    return folder


def test_the_readme_finds_its_benchmark_commands() -> None:
    assert {tokens[0] if tokens[0].startswith("bench/") else tokens[1] for _, tokens in bench_commands()} >= {
        "bench/run", "bench/extraction.py", "bench/detection.py"
    }


@pytest.mark.parametrize(("line", "tokens"), bench_commands(), ids=[line for line, _ in bench_commands()])
def test_each_benchmark_command_of_the_readme_runs_as_written_after_make_setup(line: str, tokens: list[str], tmp_path: Path) -> None:
    """With a `python3` first on PATH that lacks the project (`python` stands for it too), the
    script's `--help` answers, naming the options the README gives it."""
    script = REPO / (tokens[0] if tokens[0].startswith("bench/") else tokens[1])
    assert script.is_file(), f"{line}: no {script}"
    if tokens[0].startswith("bench/"):
        assert os.access(script, os.X_OK), f"{line}: {script} is not executable"
        assert script.read_text(encoding="utf-8").startswith("#!"), f"{line}: {script} has no shebang"
        command, options = [str(script)], tokens[1:]
    elif tokens[0].startswith(".venv/"):
        command, options = [str(REPO / tokens[0]), str(script)], tokens[2:]
    else:
        command, options = [sys.executable, "-S", str(script)], tokens[2:]
    env = {**os.environ, "PATH": f"{python_without_the_project(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run([*command, "--help"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{line}: {done.stderr[-2000:]}"
    assert "usage:" in done.stdout
    named = [token.partition("=")[0] for token in options if token.startswith("--")]
    assert [option for option in named if option not in done.stdout] == []
