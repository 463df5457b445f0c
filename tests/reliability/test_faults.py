"""Faults injected into real pipeline runs (real Elasticsearch, real Prefect):
the node killed mid-indexing, bulk requests refused with 429, the pipeline
killed with SIGKILL, a full disk, a corrupted archive file.

After each, the archive and the catalogue agree (`vigie archive verify`), a
re-run completes, and the index holds exactly the records of an undisturbed
run of the same corpus: the same ids, per kind, with the same contents.
Each test prints the time its recovery took (the re-run, and the node's
restart where it was killed) and keeps it in build/reliability/faults.json."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from config.settings import Settings, load_settings
from storage.catalogue import Catalogue
from flows.pipeline import programme_pipeline
from index.client import connect
from index.schema import drop_indices
from tests.conftest import free_local_port
from tests.reliability.faults import (
    PHOTO_PROGRAMME,
    PROGRAMMES,
    REPO,
    TOO_MANY_REQUESTS,
    EsProxy,
    IndexState,
    SmallDisk,
    build_corpus,
    differences,
    index_state,
    rejected_bulk,
    vigie,
    vigie_environment,
    wait_until,
)

pytestmark = [pytest.mark.es, pytest.mark.prefect]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The sources CSV of the corpus every test of this module runs."""
    return build_corpus(tmp_path_factory.mktemp("fault-corpus"))


@pytest.fixture(scope="module")
def reference(corpus, es_node, prefect_harness, tmp_path_factory) -> IndexState:
    """What an undisturbed run of the corpus leaves in the index."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("reference") / "data", es_url=es_node.elasticsearch_url, index_prefix="r" + uuid.uuid4().hex[:8]
    )
    summary = programme_pipeline(sources_file=corpus, settings=settings)
    assert summary.failures == [] and summary.indexed == PROGRAMMES
    client = connect(settings)
    state = index_state(client, settings.index_prefix)
    drop_indices(client, settings.index_prefix)
    assert state.counts()["documents"] == PROGRAMMES and state.counts()["mentions"] > 0
    print(f"\nreference run: {state.counts()}")
    return state


def quick(settings: Settings, **changes) -> Settings:
    """The same settings, with short Prefect retries so a fault is recorded quickly."""
    return load_settings(**{**settings.model_dump(), "task_retries": 1, "task_retry_delay_s": 0.5, **changes})


def archive_verify(settings: Settings) -> tuple[int, str]:
    done = vigie(["archive", "verify"], vigie_environment(settings, None))
    out, err = done.communicate(timeout=120)
    return done.returncode, out + err


def prefect_api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


REPORT = REPO / "build" / "reliability" / "faults.json"


def recovered(fault: str, seconds: float) -> None:
    """Print the time the recovery took, and keep it in build/reliability/faults.json."""
    print(f"\n{fault}: recovered in {seconds:.1f} s")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report[fault] = {"recovery_s": round(seconds, 1)}
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def stage_done(catalogue: Catalogue, stage: str) -> int:
    """Documents whose `stage` is done, as the catalogue says."""
    with catalogue.engine.connect() as db:
        return db.execute(text("SELECT count(*) FROM stages WHERE stage = :stage AND status = 'done'"), {"stage": stage}).scalar()


# --- Elasticsearch refuses bulk requests with 429 ----------------------------------------


def test_bulk_requests_refused_with_429_are_retried_and_a_document_refused_too_long_is_indexed_by_the_next_run(
    corpus, reference, es_settings, es_client, prefect_harness
) -> None:
    refused: dict[str, int] = {}
    limits = {"Liste 2": 1, "Liste 4": 99}  # Liste 2 refused once, Liste 4 until the node recovers

    def overloaded(method: str, path: str, body: bytes):
        if not path.startswith("/_bulk"):
            return None
        for label, times in limits.items():
            if f'"list_label":"{label}"'.encode() in body and refused.get(label, 0) < times:
                refused[label] = refused.get(label, 0) + 1
                # The whole request refused (a circuit breaker), then each of its records (a full write queue), in turn.
                return (429, TOO_MANY_REQUESTS) if refused[label] % 2 else (200, rejected_bulk(body))
        return None

    with EsProxy(es_settings.elasticsearch_url, overloaded) as proxy:
        # No Prefect retry of the refused document: the bulk helper's own back-off is what is tested.
        settings = quick(es_settings, es_url=proxy.url, task_retries=0)
        disturbed = programme_pipeline(sources_file=corpus, settings=settings)
        print(f"\n429: bulk requests refused per list: {refused}")
        assert refused == {"Liste 2": 1, "Liste 4": 4}  # Liste 4: the first try and its 3 retries
        assert disturbed.indexed == PROGRAMMES - 1
        [failure] = disturbed.failures
        assert failure.startswith(f"index {corpus.parent / 'programme-3.pdf'} (version 1): Elasticsearch at {proxy.url}: ")
        assert "429 (too many requests) after 3 retries" in failure and "run again later" in failure

        limits["Liste 4"] = 0  # the node recovers
        began = time.monotonic()
        rerun = programme_pipeline(sources_file=corpus, settings=settings)
        recovered("bulk requests refused with 429", time.monotonic() - began)
    assert (rerun.indexed, rerun.failures) == (1, [])
    assert differences(reference, index_state(es_client, es_settings.index_prefix)) == {}
    assert archive_verify(es_settings)[0] == 0


# --- the Elasticsearch node killed mid-indexing --------------------------------------------


@pytest.fixture
def own_node(tmp_path):
    """Settings of a node of this test's own (the session's node must survive)."""
    from config.errors import NodeError
    from index.runtime import start_node, stop_node

    for attempt in range(3):  # other test sessions on this machine may take the free port first
        settings = load_settings(data_dir=tmp_path / "data", es_port=free_local_port(), index_prefix="kill", es_heap_mb=512)
        try:
            start_node(settings)
            break
        except NodeError as exc:
            if "was taken" not in str(exc) or attempt == 2:
                raise
    try:
        yield settings
    finally:
        stop_node(settings)


def test_the_node_killed_mid_indexing_loses_nothing_once_restarted(corpus, reference, own_node, prefect_harness) -> None:
    from index.runtime import node_pid, start_node

    settings = quick(own_node)
    catalogue = Catalogue(settings.catalogue)
    killed: list[int] = []  # documents indexed when the node was killed

    def kill_when_two_documents_are_indexed() -> None:
        if wait_until(lambda: stage_done(catalogue, "index") >= 2, timeout_s=120):
            killed.append(stage_done(catalogue, "index"))
            os.kill(node_pid(settings), signal.SIGKILL)

    killer = threading.Thread(target=kill_when_two_documents_are_indexed)
    killer.start()
    disturbed = programme_pipeline(sources_file=corpus, settings=settings)
    killer.join()
    print(f"\nnode killed after {killed} documents indexed; failures: {disturbed.failures}")
    assert killed and killed[0] < PROGRAMMES  # killed while the run was indexing
    assert disturbed.indexed == stage_done(catalogue, "index") < PROGRAMMES
    assert len(disturbed.failures) >= PROGRAMMES - disturbed.indexed
    assert all("cannot be reached" in failure for failure in disturbed.failures), disturbed.failures
    assert archive_verify(settings)[0] == 0

    began = time.monotonic()
    start_node(settings)
    restarted = time.monotonic()
    rerun = programme_pipeline(sources_file=corpus, settings=settings)
    print(f"\nnode restarted in {restarted - began:.1f} s")
    recovered("node killed mid-indexing (restart and re-run)", time.monotonic() - began)
    assert rerun.failures == []
    assert (rerun.indexed, rerun.unchanged) == (PROGRAMMES - disturbed.indexed, disturbed.indexed)
    assert differences(reference, index_state(connect(settings), settings.index_prefix)) == {}


# --- the pipeline killed with SIGKILL -------------------------------------------------------


@pytest.mark.parametrize("stage, done", [("extract", 1), ("index", 2)], ids=["while-extracting", "while-indexing"])
def test_the_pipeline_killed_with_sigkill_leaves_a_sound_catalogue_and_archive_and_the_next_run_completes(
    stage, done, corpus, reference, es_settings, es_client, prefect_harness
) -> None:
    catalogue = Catalogue(es_settings.catalogue)
    run = vigie(["run", "--json", str(corpus)], vigie_environment(es_settings, prefect_api_url()))
    try:
        reached = wait_until(lambda: stage_done(catalogue, stage) >= done, timeout_s=180)
        processes = _group_members(run.pid)  # the flow's process and the extraction processes it started
        os.kill(run.pid, signal.SIGKILL)
        out, err = run.communicate(timeout=60)
        indexed = stage_done(catalogue, "index")
        print(
            f"\npipeline killed after {stage_done(catalogue, 'extract')} documents extracted and {indexed} indexed, "
            f"{len(processes)} processes of the run alive"
        )
        assert reached and run.returncode == -signal.SIGKILL, err[-2000:]
        assert indexed < PROGRAMMES  # killed mid-run

        # What the killed process started dies with it: no extraction or detection process is left behind.
        assert wait_until(lambda: not _group_members(run.pid), timeout_s=15), _group_members(run.pid)
    finally:
        if _group_members(run.pid):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=60)
    # The catalogue is a sound SQLite database; no half-written file is left in the data directory.
    with sqlite3.connect(es_settings.data_dir / "catalogue.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert [p for p in es_settings.data_dir.rglob("*") if "partial" in p.name] == []
    assert archive_verify(es_settings)[0] == 0

    began = time.monotonic()
    rerun = programme_pipeline(sources_file=corpus, settings=es_settings)
    recovered(f"pipeline killed with SIGKILL while {stage}ing (re-run)", time.monotonic() - began)
    assert (rerun.indexed, rerun.unchanged, rerun.failures) == (PROGRAMMES - indexed, indexed, [])
    assert differences(reference, index_state(es_client, es_settings.index_prefix)) == {}


def _group_members(pgid: int) -> list[str]:
    """The live processes of a process group: pid and command line."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] not in {"Z", "X"}:
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                members.append(f"{stat.parent.name} {command[:120]}")
        except OSError:  # gone meanwhile
            continue
    return members


# --- a full disk ---------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path) -> Iterator[SmallDisk]:
    """The data directory on a 1 MiB disk (tmpfs), or, where this process
    may not mount one, in a `vigie` process whose files may not grow past 1 MiB."""
    disk = SmallDisk(tmp_path / "disk", size=2**20)
    try:
        yield disk
    finally:
        disk.release()


def test_a_disk_filling_up_fails_only_the_documents_that_do_not_fit_and_a_run_after_space_is_freed_completes(
    corpus, reference, es_settings, es_client, small_disk, prefect_harness
) -> None:
    settings = load_settings(**{**es_settings.model_dump(), "data_dir": small_disk.folder / "data"})
    print(f"\ndisk filling up: {small_disk}")
    full = vigie(["run", "--json", str(corpus)], vigie_environment(settings, prefect_api_url()), **small_disk.limits())
    out, err = full.communicate(timeout=300)
    assert full.returncode == 2, err[-3000:]
    summary = json.loads(out)
    assert len(summary["failures"]) == 1, summary["failures"]
    [failure] = summary["failures"]
    # The programme with a photograph (1.3 MiB) does not fit; the others do.
    assert failure.startswith(f"collect {corpus.parent / PHOTO_PROGRAMME}: {settings.data_dir / 'archive'}/"), failure
    assert f"cannot write the archived copy ({small_disk.write_error})" in failure, failure
    assert "free space on the disk of the data directory (VIGIE_DATA_DIR)" in failure
    assert summary["indexed"] == PROGRAMMES - 1
    assert [p for p in settings.data_dir.rglob("*") if "partial" in p.name] == []
    verified = archive_verify(settings)
    assert verified[0] == 0, verified[1]

    small_disk.free()
    began = time.monotonic()
    rerun = programme_pipeline(sources_file=corpus, settings=settings)
    recovered("disk filling up (re-run once space is freed)", time.monotonic() - began)
    assert (rerun.new_versions, rerun.indexed, rerun.failures) == (1, 1, [])
    assert differences(reference, index_state(es_client, es_settings.index_prefix)) == {}
    assert archive_verify(settings)[0] == 0


def test_a_disk_full_before_the_run_stops_it_with_one_clear_error_and_a_run_after_space_is_freed_completes(
    corpus, reference, es_settings, es_client, small_disk, prefect_harness
) -> None:
    settings = load_settings(**{**es_settings.model_dump(), "data_dir": small_disk.folder / "data"})
    small_disk.fill()
    print(f"\ndisk full before the run: {small_disk}")
    full = vigie(["run", str(corpus)], vigie_environment(settings, prefect_api_url()), **small_disk.limits())
    out, err = full.communicate(timeout=300)
    assert full.returncode == 1, err[-3000:]
    # One error line of ours, among Prefect's log of the failed flow run (which may go on after it).
    [line] = [line for line in err.splitlines() if line.startswith("error: ")]
    assert line.startswith(f"error: sqlite:///{settings.data_dir / 'catalogue.sqlite'}: the catalogue cannot be written "), line
    assert line.endswith("free space on its disk, then run again (what it recorded before is intact)"), line

    small_disk.free()
    began = time.monotonic()
    rerun = programme_pipeline(sources_file=corpus, settings=settings)
    recovered("disk full before the run (re-run once space is freed)", time.monotonic() - began)
    assert (rerun.indexed, rerun.failures) == (PROGRAMMES, [])
    assert differences(reference, index_state(es_client, es_settings.index_prefix)) == {}
    assert archive_verify(settings)[0] == 0


# --- a corrupted archive file --------------------------------------------------------------


def test_a_corrupted_archive_file_is_named_by_verify_and_restored_from_its_source_by_the_next_run(
    corpus, reference, es_settings, es_client, prefect_harness
) -> None:
    first = programme_pipeline(sources_file=corpus, settings=es_settings)
    assert first.failures == []
    [damaged] = [v.archive_path for v in Catalogue(es_settings.catalogue).versions() if v.source.endswith("programme-2.pdf")]
    data = bytearray(Path(damaged).read_bytes())
    data[len(data) // 2 : len(data) // 2 + 16] = bytes(b ^ 0xFF for b in data[len(data) // 2 : len(data) // 2 + 16])
    os.chmod(damaged, 0o644)
    Path(damaged).write_bytes(bytes(data))

    status, output = archive_verify(es_settings)
    assert status == 1
    assert [line for line in output.splitlines() if "/archive/" in line] == [
        f"{damaged}: altered (expected sha256 {Path(damaged).name.removesuffix('.pdf')})"
    ]
    assert f"{PROGRAMMES} archived files verified: {PROGRAMMES - 1} intact, 1 damaged" in output

    began = time.monotonic()
    rerun = programme_pipeline(sources_file=corpus, settings=es_settings)
    recovered("archived file corrupted (re-run)", time.monotonic() - began)
    assert (rerun.new_versions, rerun.indexed, rerun.failures) == (0, 0, [])  # the index was made from the intact bytes
    assert archive_verify(es_settings)[0] == 0
    assert oct(Path(damaged).stat().st_mode & 0o777) == oct(0o444)
    assert differences(reference, index_state(es_client, es_settings.index_prefix)) == {}


def test_an_archived_file_corrupted_before_extraction_is_never_indexed_and_is_extracted_once_restored(
    corpus, reference, es_settings, es_client, prefect_harness
) -> None:
    from flows.pipeline import collect, process

    collect(corpus, es_settings)
    [damaged] = [v.archive_path for v in Catalogue(es_settings.catalogue).versions() if v.source.endswith("programme-3.pdf")]
    os.chmod(damaged, 0o644)
    Path(damaged).write_bytes(Path(damaged).read_bytes()[:-200] + b"%% altered %%")

    processed = process(es_settings)
    assert processed.indexed == PROGRAMMES - 1
    [failure] = processed.failures
    assert "extract" in failure and damaged in failure and "no longer matches its sha256" in failure

    began = time.monotonic()
    rerun = programme_pipeline(sources_file=corpus, settings=es_settings)  # collecting restores the copy
    recovered("archived file corrupted before extraction (re-run)", time.monotonic() - began)
    assert (rerun.indexed, rerun.failures) == (1, [])
    assert archive_verify(es_settings)[0] == 0
    assert differences(reference, index_state(es_client, es_settings.index_prefix)) == {}
