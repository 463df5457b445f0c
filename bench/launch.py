"""The benchmarks run with the project's Python, however they are started.

`bench/run --pages 2000` (its shebang finds the first `python3` on PATH) and
`python bench/detection.py` work as the README writes them after `make
setup`: a script started by an interpreter that does not have the project
installed starts itself again with the checkout's `.venv/bin/python`, with the
same arguments. Without that virtual environment it stops with one line
saying to run `make setup`. Standard library only: it runs before anything
the project needs is importable.

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.launch import use_project_python  # noqa: E402

    use_project_python()
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv"
PROJECT = "vigie"
"""The distribution `make setup` installs (pyproject.toml)."""
_RESTARTED = "BENCH_PROJECT_PYTHON_RESTARTED"
"""Set in the restarted process: it never restarts twice."""


def has_project() -> bool:
    """Whether this interpreter has the project and what it needs (pdfplumber, spaCy) installed."""
    try:
        importlib.metadata.distribution(PROJECT)
    except importlib.metadata.PackageNotFoundError:
        return False
    return all(importlib.util.find_spec(module) is not None for module in ("pdfplumber", "spacy"))


def use_project_python(venv: Path = VENV) -> None:
    """Return when this interpreter has the project; otherwise run this script again
    with `venv`'s Python (never returns), or exit with status 1 naming `make setup`."""
    if has_project():
        os.environ.pop(_RESTARTED, None)  # the benchmark's own children start afresh
        return
    script = sys.argv[0] or "bench"
    python = venv / "bin" / "python"
    if os.environ.get(_RESTARTED):
        sys.exit(f"{script}: {python} does not have the project installed; run `make setup` (it installs it into {venv})")
    if not os.access(python, os.X_OK):
        sys.exit(
            f"{script}: needs the project's Python, {python}, which does not exist; "
            f"run `make setup` first (it creates {venv} and installs the project)"
        )
    os.environ[_RESTARTED] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(python, [str(python), os.path.abspath(script), *sys.argv[1:]])
