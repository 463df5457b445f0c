"""The web app under load, served by uvicorn on 127.0.0.1 over the real node:
readers while a pipeline run indexes, and editors racing on one follow-up item.

Nothing here asserts a duration: latencies are measured and written to
build/reliability/load.json (and printed); the assertions are about answers
(every one right) and records (no change lost, none twice).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, REPO, SAMPLES
from tests.reliability.served import serve

pytestmark = [pytest.mark.es, pytest.mark.prefect]

REPORT = REPO / "build" / "reliability" / "load.json"
READERS = 8
REQUESTS = 320
"""In all, shared by the readers: a bounded load, the same on every machine."""
NEW_PROGRAMMES = 8
"""Programmes of the run that indexes while the readers read (four new communes of the Somme)."""
SIGN_INS = 24
"""Sign-ins by an editor during the reading (each checks a password: argon2id, 64 MiB)."""
EDITORS = 8
CHANGES_PER_EDITOR = 5


# --- the site --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_settings(es_node, tmp_path_factory, prefect_harness) -> Iterator:
    """A site of its own (data directory, index prefix) holding the sample corpus."""
    from config.settings import load_settings
    from storage.catalogue import Catalogue
    from flows.pipeline import programme_pipeline
    from tracking.accounts import add_user
    from index.client import connect
    from index.schema import drop_indices

    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("load") / "data", es_url=es_node.elasticsearch_url, index_prefix="l" + uuid.uuid4().hex[:9]
    )
    assert programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=settings).failures == []
    add_user(Catalogue(settings.catalogue), "lectrice.editrice", PASSWORD, "editor")
    yield settings
    drop_indices(connect(settings), settings.index_prefix)


@pytest.fixture(scope="module")
def site(site_settings) -> Iterator[str]:
    from web.app import create_app

    with serve(create_app(site_settings)) as url:
        yield url


def new_corpus(folder: Path) -> Path:
    """NEW_PROGRAMMES tracts of two to four pages in four new communes, and their sources CSV."""
    from tests.factories import make_sources
    from tests.tracts import french_paragraphs, make_tract

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for number in range(NEW_PROGRAMMES):
        commune, panel = divmod(number, 2)
        label = f"Somme {commune + 1} liste {panel + 1}"
        make_tract(folder / f"programme-{number}.pdf", french_paragraphs(14 + 3 * number, seed=900 + number), columns=1 + number % 2,
                   header=f"{label} — Élections municipales 2026", footer_template=f"{label} · page {{n}} / {{total}}")  # fmt: skip
        rows.append({"commune_insee": f"8010{commune}", "commune": f"Fictif-sur-Somme-{commune + 1}", "departement": "80",
                     "panel": str(panel + 1), "list_label": label, "source": f"programme-{number}.pdf"})  # fmt: skip
    return make_sources(folder / "sources.csv", rows)


def vigie_process(args: list[str], settings, cwd: Path, **env: str) -> subprocess.Popen:
    """`vigie ARGS` as its own process (group), on this site and the test's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")} | {
        "VIGIE_DATA_DIR": str(settings.data_dir), "VIGIE_ES_URL": settings.es_url, "VIGIE_INDEX_PREFIX": settings.index_prefix,
        "VIGIE_DETECTOR_MODEL": str(settings.detector_model), "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(REPO), **env,
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", "from cli import app; app()", *args], env=environment, cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> tuple[str, str]:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen | None = None, timeout_s: float = 300) -> None:
    """Wait until `condition` holds; a guard against hanging, not a measure."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout_s:.0f} s")
        time.sleep(0.05)


def record(key: str, value: dict) -> None:
    """Add one measure to build/reliability/load.json (kept by CI as an artefact)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else {}
    report[key] = value
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def percentiles(latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies * 2 if len(latencies) == 1 else latencies, n=100, method="inclusive")
    return {"n": len(latencies), "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "max_ms": round(max(latencies), 1)}


# --- readers while a run indexes -----------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    kind: str
    path: str
    check: Callable[[httpx.Response], bool]


def _html(marker: str, count: int | None = None) -> Callable[[httpx.Response], bool]:
    def check(answer: httpx.Response) -> bool:
        return answer.headers["content-type"].startswith("text/html") and (
            marker in answer.text if count is None else answer.text.count(marker) == count
        )

    return check


def _json(check: Callable[[object], bool]) -> Callable[[httpx.Response], bool]:
    return lambda answer: answer.headers["content-type"] == "application/json" and check(answer.json())


def reads(pdf_version: str) -> list[Read]:
    """The pages analysts and scripts read, with what a right answer holds."""
    queries = ['"centre de santé"', "logements sociaux", "cantine bio", "bibliothèque", "transports", "régie de l'eau", "crèche", "santé"]
    searches = [Read("search", f"/search?q={q}", _html('<section class="results">')) for q in queries]
    searches += [Read("search", f"/search?q={q}&demand=D07&level=commitment", _html('<section class="results">')) for q in ("santé", "")]
    searches += [Read("search", "/search?q=logements&departement=80", _html('<section class="results">'))]
    api = [Read("API search", f"/api/search?q={q}", _json(lambda body: isinstance(body["total"], int) and len(body["hits"]) <= 20)) for q in queries]
    return [
        *searches,
        *api,
        Read("overview", "/", _html("<meter", 14)),
        Read("list", "/lists/59698-1", _html("data-demand=", 14)),
        Read("list", "/lists/62991-2", _html("data-demand=", 14)),
        Read("commune", "/communes/59698", _html("<tr data-list=", 3)),
        Read("commune", "/communes/62991", _html("<tr data-list=", 2)),
        Read("follow-up", "/followup/62991", _html("Suivi des engagements")),
        Read("API coverage", "/api/coverage", _json(lambda body: len(body["coverage"]) == 14)),
        Read("API scorecards", "/api/communes/59698/scorecards", _json(lambda body: len(body["scorecards"]) == 3)),
        Read("API scorecards", "/api/lists/62991-1/scorecard", _json(lambda body: len(body["scorecards"]) == 1)),
        Read("document", f"/documents/{pdf_version}", lambda answer: answer.content.startswith(b"%PDF")),
    ]


def test_readers_get_every_page_right_while_a_pipeline_run_indexes(site, site_settings, tmp_path) -> None:
    from storage.catalogue import Catalogue
    from storage.schema import stages

    catalogue = Catalogue(site_settings.catalogue)
    pdf_version = next(v.version_id for v in catalogue.versions() if v.media_type == "application/pdf")
    rng = random.Random(7)
    kinds = reads(pdf_version)
    plan = [rng.choice(kinds) for _ in range(REQUESTS)]

    def indexed() -> int:
        with catalogue.engine.connect() as db:
            return db.execute(select(func.count()).select_from(stages).where(stages.c.stage == "index", stages.c.status == "done")).scalar()

    before = indexed()
    began = time.monotonic()
    run = vigie_process(["run", str(new_corpus(tmp_path / "corpus"))], site_settings, tmp_path)
    try:
        wait_for(lambda: indexed() > before, "first new document indexed", run)
        readers_began = time.monotonic()
        running = run.poll() is None
        signing_in = ThreadPoolExecutor(max_workers=1).submit(_sign_in_repeatedly, site, SIGN_INS)
        outcomes = _read_concurrently(site, plan, lambda: run.poll() is None)
        sign_ins = signing_in.result(timeout=600)
        stdout, stderr = run.communicate(timeout=600)
    finally:
        stop(run)
    run_seconds = time.monotonic() - began

    assert running  # the readers began while the run was indexing
    assert run.returncode == 0, stdout + stderr
    assert indexed() == before + NEW_PROGRAMMES
    wrong = [(o.kind, o.path, o.status, o.problem) for o in outcomes if o.problem]
    assert wrong == []
    assert len(outcomes) == REQUESTS
    assert [status for status, _ in sign_ins] == [303] * SIGN_INS
    during = sum(o.during_run for o in outcomes)
    assert during >= READERS  # at least the first wave of requests was answered while the run went on
    after = httpx.get(f"{site}/api/search", params={"q": "logements", "departement": "80"}).json()
    assert after["total"] > 0  # what the run indexed is searchable now

    latencies = [o.ms for o in outcomes]
    by_kind = {kind: percentiles([o.ms for o in outcomes if o.kind == kind]) for kind in sorted({o.kind for o in outcomes})}
    measures = {
        "readers": READERS, "requests": REQUESTS, "errors": len(wrong), "answered_while_indexing": during,
        "all": percentiles(latencies), "by_page": by_kind, "sign_ins": percentiles([ms for _, ms in sign_ins]),
        "pipeline_run": {"new_programmes": NEW_PROGRAMMES, "seconds": round(run_seconds, 1), "readers_began_after_s": round(readers_began - began, 1)},
    }  # fmt: skip
    record("readers_while_indexing", measures)
    print(f"\n{REQUESTS} requests by {READERS} readers while indexing ({during} answered during the run), 0 errors")
    for kind, figures in {"all": measures["all"], **by_kind, "sign-in": measures["sign_ins"]}.items():
        print(f"  {kind:<16} n={figures['n']:<4} p50 {figures['p50_ms']:>7.1f} ms   p95 {figures['p95_ms']:>7.1f} ms   max {figures['max_ms']:>7.1f} ms")


def _sign_in_repeatedly(site: str, times: int) -> list[tuple[int, float]]:
    """An editor signing in `times` times in a row: (status, milliseconds) of each."""
    answers = []
    for _ in range(times):
        with httpx.Client(base_url=site, follow_redirects=False, timeout=120) as http:
            csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/login").text).group(1)
            started = time.perf_counter()
            answer = http.post("/login", data={"csrf": csrf, "username": "lectrice.editrice", "password": PASSWORD})
            answers.append((answer.status_code, (time.perf_counter() - started) * 1000))
    return answers


@dataclass(frozen=True)
class Outcome:
    kind: str
    path: str
    status: int | None
    ms: float
    during_run: bool
    problem: str | None


def _read_concurrently(site: str, plan: list[Read], run_going: Callable[[], bool]) -> list[Outcome]:
    """`plan` shared by READERS threads, each with its own connection; every answer checked."""
    turn = iter(range(len(plan)))
    lock = threading.Lock()

    def reader() -> list[Outcome]:
        done = []
        with httpx.Client(base_url=site, timeout=120) as http:
            while True:
                with lock:
                    number = next(turn, None)
                if number is None:
                    return done
                read = plan[number]
                started = time.perf_counter()
                try:
                    answer = http.get(read.path)
                except httpx.HTTPError as exc:
                    done.append(Outcome(read.kind, read.path, None, (time.perf_counter() - started) * 1000, run_going(), repr(exc)))
                    continue
                ms = (time.perf_counter() - started) * 1000
                problem = None
                if answer.status_code != 200:
                    problem = f"HTTP {answer.status_code}: {answer.text[:300]}"
                else:
                    try:
                        if not read.check(answer):
                            problem = "unexpected content: " + answer.text[:300]
                    except (ValueError, KeyError, TypeError) as exc:
                        problem = f"unreadable answer ({exc!r}): {answer.text[:300]}"
                done.append(Outcome(read.kind, read.path, answer.status_code, ms, run_going(), problem))

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return [outcome for outcomes in pool.map(lambda _: reader(), range(READERS)) for outcome in outcomes]


# --- editors racing on one item ----------------------------------------------------------------


@dataclass
class Editor:
    number: int
    token: str
    server: str = ""
    conflicts: int = 0
    unexpected: list[str] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"redacteur.{self.number}"

    def change(self, k: int) -> dict[str, str]:
        """The k-th change this editor makes: a status and a note naming both."""
        from tracking.followup import STATUSES

        return {"status": STATUSES[(self.number + k) % len(STATUSES)], "note": f"{self.name} · changement {k}"}


def test_editors_racing_on_one_item_through_two_servers_lose_no_change_and_write_none_twice(site, site_settings, tmp_path) -> None:
    from storage.catalogue import Catalogue
    from tracking.accounts import add_user, new_api_token

    catalogue = Catalogue(site_settings.catalogue)
    editors = []
    for number in range(EDITORS):
        add_user(catalogue, f"redacteur.{number}", PASSWORD, "editor")
        editors.append(Editor(number, new_api_token(catalogue, f"redacteur.{number}")))
    item_id = _followed_item(site)

    port = _free_port()
    other = vigie_process(["web"], site_settings, tmp_path, VIGIE_WEB_PORT=str(port))
    second = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{second}/login"), "answer from the second server", other, timeout_s=120)
        for number, editor in enumerate(editors):
            editor.server = site if number % 2 == 0 else second  # half on each process, on the same catalogue
        start = int(httpx.get(f"{site}/api/followup/items/{item_id}").json()["revision"])
        everyone_read = threading.Barrier(EDITORS, timeout=60)
        first_round: list[int] = []

        def write(editor: Editor) -> None:
            events = f"{editor.server}/api/followup/items/{item_id}/events"
            headers = {"Authorization": f"Bearer {editor.token}"}
            with httpx.Client(timeout=120) as http:
                for k in range(CHANGES_PER_EDITOR):
                    for attempt in range(500):
                        if k == 0 and attempt == 0:
                            revision = start  # all read the same revision, then all write from it
                            everyone_read.wait()
                        else:
                            revision = http.get(f"{editor.server}/api/followup/items/{item_id}").json()["revision"]
                        started = time.perf_counter()
                        answer = http.post(events, json={"expected_revision": revision, **editor.change(k)}, headers=headers)
                        editor.write_ms.append((time.perf_counter() - started) * 1000)
                        if k == 0 and attempt == 0:
                            first_round.append(answer.status_code)
                        if answer.status_code == 201:
                            break
                        if answer.status_code == 409 and "reload the item and retry" in answer.json()["error"]:
                            editor.conflicts += 1
                            continue
                        editor.unexpected.append(f"HTTP {answer.status_code} on {editor.server}: {answer.text[:300]}")
                    else:
                        editor.unexpected.append(f"change {k} never landed")

        threads = [threading.Thread(target=write, args=(editor,)) for editor in editors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        _, other_stderr = stop(other)

    assert {editor.name: editor.unexpected for editor in editors} == {editor.name: [] for editor in editors}
    assert sorted(first_round) == [201] + [409] * (EDITORS - 1)  # of those who wrote from the same revision, one won
    item = httpx.get(f"{site}/api/followup/items/{item_id}").json()
    history = item["history"][start:]
    total = EDITORS * CHANGES_PER_EDITOR
    assert [event["revision"] for event in history] == list(range(start + 1, start + total + 1))  # consecutive, no gap, no double
    notes = [event["note"] for event in history]
    assert sorted(notes) == sorted(editor.change(k)["note"] for editor in editors for k in range(CHANGES_PER_EDITOR))
    for editor in editors:  # each editor's changes landed once each, in their order, under their name
        own = [event for event in history if event["note"].startswith(editor.name + " ")]
        assert [event["note"] for event in own] == [editor.change(k)["note"] for k in range(CHANGES_PER_EDITOR)]
        assert {event["by"] for event in own} == {editor.name}
    status = "not started"
    for event in item["history"]:  # every change was made from the state before it: nothing overwritten unseen
        assert event["status_before"] == status
        status = event["status_after"] or status
    assert item["revision"] == start + total
    assert "Traceback" not in other_stderr, other_stderr

    conflicts = sum(editor.conflicts for editor in editors)
    measures = {
        "editors": EDITORS, "servers": 2, "changes": total, "conflicts_409": conflicts, "writes": total + conflicts,
        "write_latency": percentiles([ms for editor in editors for ms in editor.write_ms]),
    }  # fmt: skip
    record("editors_on_one_item", measures)
    print(f"\n{EDITORS} editors on 2 servers: {total} changes landed once each, {conflicts} refused as stale (409) and retried")


def _followed_item(site: str) -> str:
    """A follow-up item of Val-de-Sorvigny's elected list (marked through the web app)."""
    visitor = httpx.Client(base_url=site, follow_redirects=False, timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', visitor.get("/login").text).group(1)
    assert visitor.post("/login", data={"csrf": csrf, "username": "redacteur.0", "password": PASSWORD}).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', visitor.get("/followup/62991").text).group(1)
    marked = visitor.post("/followup/62991/elected", data={"csrf": csrf, "list_key": "62991-1", "why": "résultats du premier tour"})
    assert marked.status_code == 303, marked.text
    return visitor.get("/api/followup/62991").json()["items"][0]["item_id"]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False
