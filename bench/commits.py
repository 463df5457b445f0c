"""Benchmark: the first run of the `programme-pipeline` flow at several commits,
on one generated corpus, one Elasticsearch node and one Python environment.

    python bench/commits.py 81dbd62 HEAD [--pages 800] [--repeat 2] [--out bench/commits.json]

Two bench runs on different days differ by more than the code between them
(the machine, the packages `make setup` installed that day): this compares
code alone. Each commit is checked out in a temporary git worktree and its
flow runs in a process of its own with that worktree first on the path, on
the same corpus (generated once by this checkout's `bench/corpus.py`), each
time into a fresh data directory and index prefix, commits taken in turn,
`--repeat` rounds. It reports wall time and the machine's busy CPU-seconds
(all processes, the node's included: run it on an otherwise quiet machine).
A commit must have `programme_pipeline(sources_file, settings)` in
`flows/pipeline.py` (every commit since 2026-11-27 does). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_RESULT = "COMMIT-RESULT "


def _busy_ticks() -> int:
    # bench/run's _machine_cpu reads the same line, but the child may import nothing from this checkout
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # all but idle and iowait


def one_run(data: Path, prefix: str, sources: Path) -> None:
    """In the child, whose working directory is the commit's worktree: its code, not this checkout's."""
    sys.path.insert(0, os.getcwd())
    from config.settings import load_settings
    from flows.pipeline import programme_pipeline

    settings = load_settings(data_dir=data, index_prefix=prefix)
    ticks, began = _busy_ticks(), time.perf_counter()
    summary = programme_pipeline(sources_file=sources, settings=settings)
    seconds = time.perf_counter() - began
    cpu = (_busy_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
    if summary.failures:  # a run that skipped documents did less work: its time would compare nothing
        raise SystemExit(f"{len(summary.failures)} failure(s), first: {summary.failures[0]}")
    figures = {"wall_s": round(seconds, 1), "machine_cpu_s": round(cpu, 1), "pages": summary.pages, "mentions": summary.mentions}
    print(_RESULT + json.dumps(figures), flush=True)


def _commit_of(name: str) -> str:
    return subprocess.run(["git", "rev-parse", "--short", name], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def compare(commits: list[str], pages: int, repeat: int, work: Path) -> dict:
    from bench.corpus import generate
    from config.settings import load_settings
    from index.runtime import start_node, stop_node

    corpus = generate(work / "corpus", pages)
    node = load_settings(data_dir=work / "node")
    url = start_node(node).url if node.local_node else node.elasticsearch_url
    trees: dict[str, Path] = {}
    runs: dict[str, list[dict]] = {commit: [] for commit in commits}
    try:
        for commit in commits:
            trees[commit] = work / f"tree-{commit}"
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(trees[commit]), commit], cwd=REPO, check=True)
        for round_ in range(1, repeat + 1):
            for commit in commits:
                label = f"{commit}-{round_}"
                env = {**os.environ, "VIGIE_ES_URL": url, "PREFECT_HOME": str(work / f"prefect-{label}")}
                data, prefix = work / f"data-{label}", f"bench-commits-{label}"
                command = [sys.executable, str(Path(__file__).resolve()), "--one", str(data), prefix, str(corpus.sources)]
                done = subprocess.run(command, cwd=trees[commit], env=env, capture_output=True, text=True)
                lines = [line for line in done.stdout.splitlines() if line.startswith(_RESULT)]
                if done.returncode != 0 or not lines:
                    raise SystemExit(f"{label}: the run failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
                runs[commit].append(json.loads(lines[-1][len(_RESULT):]))
                print(label, runs[commit][-1], flush=True)
    finally:
        for tree in trees.values():
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
        if node.local_node:
            stop_node(node)
    return {
        "corpus": {"documents": corpus.documents, "pages": corpus.pages, "scanned_pages": corpus.scanned_pages},
        "commits": {
            commit: {
                "median_wall_s": statistics.median(r["wall_s"] for r in rs),
                "median_machine_cpu_s": statistics.median(r["machine_cpu_s"] for r in rs),
                "runs": rs,
            }
            for commit, rs in runs.items()
        },
        "what": "first run of programme_pipeline per commit, same corpus, node and Python environment; wall seconds and "
        "the machine's busy CPU-seconds (Elasticsearch included)",
    }


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        one_run(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
        return
    sys.path.insert(0, str(REPO))
    from bench.launch import use_project_python

    use_project_python()  # `python bench/…` with any python3: restarts with .venv/bin/python
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commits", nargs="+", help="Commits to compare (any git revision; HEAD is this checkout's last commit).")
    parser.add_argument("--pages", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=2, help="Rounds; each runs every commit once, in turn.")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "commits.json")
    args = parser.parse_args()
    commits = [_commit_of(name) for name in args.commits]
    work = Path(tempfile.mkdtemp(prefix="vigie-commits-"))
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect"))
    try:
        report = compare(commits, args.pages, args.repeat, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for commit, figures in report["commits"].items():
        print(f"{commit}: {figures['median_wall_s']} s, {figures['median_machine_cpu_s']} CPU-s (median of {args.repeat})")


if __name__ == "__main__":
    main()
