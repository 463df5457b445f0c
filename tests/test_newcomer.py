"""What a newcomer types after `make setup`, as the README writes it: the
benchmarks started with whatever `python3` comes first, `vigie web --port`,
and the end of `make demo` saying what is left running and where to look."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import REPO

runner = CliRunner()


def vigie(*args: str, **env: str):
    return runner.invoke(app, list(args), env={f"VIGIE_{k.upper()}": str(v) for k, v in env.items()})


# --------------------------------------------------------------------------
# bench/: started by a Python without the project, it restarts with .venv's
# --------------------------------------------------------------------------

LAUNCHED = """\
import sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from bench.launch import use_project_python
use_project_python(venv=Path(sys.argv[1]))
import pdfplumber
print("project python:", sys.prefix, sys.argv[2:])
"""


def launched(tmp_path: Path, venv: Path, *args: str) -> subprocess.CompletedProcess:
    """A script using the launcher, started by this Python without its site-packages
    (as the system's `python3` is: no pdfplumber, no spaCy)."""
    script = tmp_path / "script.py"
    script.write_text(LAUNCHED.format(repo=str(REPO)), encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if name != "BENCH_PROJECT_PYTHON_RESTARTED"}
    return subprocess.run([sys.executable, "-S", str(script), str(venv), *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_benchmark_started_without_the_project_restarts_with_the_venv_python(tmp_path: Path) -> None:
    done = launched(tmp_path, REPO / ".venv", "--pages", "20")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"project python: {REPO / '.venv'} ['--pages', '20']\n"


def test_without_the_venv_a_benchmark_says_to_run_make_setup(tmp_path: Path) -> None:
    done = launched(tmp_path, tmp_path / "no-venv")
    assert done.returncode == 1 and done.stdout == ""
    assert re.fullmatch(
        rf".*script\.py: needs the project's Python, {re.escape(str(tmp_path))}/no-venv/bin/python, which does not exist; "
        r"run `make setup` first .*\n",
        done.stderr,
    ), done.stderr


def test_a_venv_without_the_project_is_named_once_never_restarted_in_a_loop(tmp_path: Path) -> None:
    venv = tmp_path / "bare-venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n', encoding="utf-8")  # a Python without the project
    python.chmod(0o755)
    done = launched(tmp_path, venv)
    assert done.returncode == 1
    assert f"{python} does not have the project installed; run `make setup`" in done.stderr


# --------------------------------------------------------------------------
# vigie web --host --port
# --------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict:
    """What `vigie web` hands to uvicorn, instead of serving."""
    import uvicorn

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(app=app, **options))
    return seen


def test_vigie_web_listens_where_the_settings_say_by_default(served: dict, tmp_path: Path) -> None:
    result = vigie("web", data_dir=str(tmp_path), es_url="http://127.0.0.1:9", web_host="127.0.0.2", web_port="8123")
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.2", 8123)
    assert "Vigie on http://127.0.0.2:8123 (Ctrl-C to stop)" in result.output


def test_vigie_web_port_and_host_options_override_the_settings(served: dict, tmp_path: Path) -> None:
    result = vigie("web", "--port", "8765", "--host", "::1", data_dir=str(tmp_path), es_url="http://127.0.0.1:9", web_port="8123")
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("::1", 8765)
    assert "Vigie on http://[::1]:8765 (Ctrl-C to stop)" in result.output
    assert served["app"].state.vigie.settings.web_port == 8765  # the app is told the address it serves on


@pytest.mark.parametrize("port", ["0", "65536", "huit"])
def test_vigie_web_refuses_a_port_that_cannot_be(served: dict, tmp_path: Path, port: str) -> None:
    result = vigie("web", "--port", port, data_dir=str(tmp_path), es_url="http://127.0.0.1:9")
    assert result.exit_code == 2 and "--port" in result.output
    assert served == {}


@pytest.mark.es
def test_vigie_web_port_serves_the_app_on_that_port(es_node, tmp_path: Path) -> None:
    from tests.conftest import free_local_port

    port = free_local_port(8700, 8799)
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIGIE_")}
    env.update(VIGIE_DATA_DIR=str(tmp_path), VIGIE_ES_URL=es_node.elasticsearch_url)
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "vigie"), "web", "--port", str(port)], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/search", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"vigie web --port {port} did not serve: {process.communicate(timeout=10)}") from None
                time.sleep(0.2)
        assert answer.status_code == 200 and "<html" in answer.text.lower()
    finally:
        process.terminate()
        stdout, _ = process.communicate(timeout=30)
    assert f"Vigie on http://127.0.0.1:{port} (Ctrl-C to stop)" in stdout


# --------------------------------------------------------------------------
# The end of `make demo`: what is left running, how to stop it, the web app
# --------------------------------------------------------------------------


def test_make_demo_ends_with_what_vigie_es_status_says() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M).group(1).splitlines()
    assert recipe[-1].strip() == "@$(BIN)/vigie es status"


@pytest.mark.es
def test_es_status_of_the_local_node_says_it_is_left_running_how_to_stop_it_and_where_the_web_app_is(es_node) -> None:
    from index.runtime import distribution, node_pid

    env = {"data_dir": str(es_node.data_dir), "es_port": str(es_node.es_port), "index_prefix": es_node.index_prefix}
    result = vigie("es", "status", **env, web_port="8765")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        f"the local {distribution(es_node).title} node is left running at http://127.0.0.1:{es_node.es_port} (pid {node_pid(es_node)}); "
        "stop it with `vigie es stop`",
        "the same results in the web app: run `vigie web`, then open http://127.0.0.1:8765",
    ]


@pytest.mark.es
def test_es_status_of_a_cluster_url_says_vigie_started_nothing(es_node, tmp_path: Path) -> None:
    result = vigie("es", "status", data_dir=str(tmp_path), es_url=es_node.elasticsearch_url, index_prefix="nothing")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        f"VIGIE_ES_URL is set: {es_node.elasticsearch_url} is a cluster Vigie did not start, and Vigie leaves nothing running",
        "the same results in the web app: run `vigie web`, then open http://127.0.0.1:8000",
    ]
    assert "vigie es stop" not in result.output


@pytest.mark.es
def test_es_status_of_a_node_another_data_directory_started_leaves_it_alone(es_node, tmp_path: Path) -> None:
    result = vigie("es", "status", data_dir=str(tmp_path), es_port=str(es_node.es_port), index_prefix="nothing")
    assert result.exit_code == 0, result.output
    assert (
        f"http://127.0.0.1:{es_node.es_port} is served by a process this data directory did not start ({tmp_path}); "
        "`vigie es stop` leaves it alone"
    ) in result.output
