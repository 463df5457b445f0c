"""Collecting programmes from the web into the archive, through the real
pipeline flow (Prefect, Elasticsearch), from a local HTTP server."""

from pathlib import Path

import pytest

from config.settings import load_settings
from storage.catalogue import Catalogue
from flows.pipeline import programme_pipeline
from tests.conftest import SAMPLES
from tests.factories import make_sources
from tests.httpserver import ProgrammeServer

pytestmark = [pytest.mark.es, pytest.mark.prefect]

PROGRAMME = (SAMPLES / "programmes" / "moulins-en-commun.pdf").read_bytes()
REVISED = (SAMPLES / "programmes" / "moulins-avenir.pdf").read_bytes()
OTHER = (SAMPLES / "programmes" / "sorvigny-solidaire.pdf").read_bytes()


@pytest.fixture
def server():
    with ProgrammeServer() as running:
        running.state.slow_seconds = 1.5
        yield running


def web_settings(es_settings):
    return load_settings(
        data_dir=es_settings.data_dir,
        es_url=es_settings.elasticsearch_url,
        index_prefix=es_settings.index_prefix,
        fetch_allow_private=True,  # the test server is on 127.0.0.1
        fetch_retries=2,
        fetch_backoff_s=0,
        fetch_timeout_s=1.0,
        max_file_mb=0.5,
    )


def versions_by_source(settings) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for version in Catalogue(settings.catalogue).versions():
        found.setdefault(version.source.rsplit("/", 1)[-1], []).append(version.version)
    return found


def test_a_scheduled_collection_keeps_every_version_and_records_every_failure(es_settings, server, tmp_path, prefect_harness) -> None:
    state = server.state
    state.files.update({"/programme.pdf": PROGRAMME, "/flaky.pdf": OTHER, "/slow.pdf": OTHER, "/liar.pdf": REVISED})
    state.files["/enorme.pdf"] = PROGRAMME + b"%" * 600_000
    state.failures["/flaky.pdf"] = [500]
    state.slow_once.add("/slow.pdf")
    state.types["/liar.pdf"] = "text/html; charset=utf-8"
    state.redirects["/fichier.pdf"] = "file:///etc/passwd"
    names = ["programme", "flaky", "slow", "liar", "enorme", "fichier"]
    sources = make_sources(tmp_path / "sources.csv", [{"list_label": n, "source": f"{server.url}/{n}.pdf"} for n in names])
    settings = web_settings(es_settings)

    first = programme_pipeline(sources_file=sources, settings=settings)
    assert (first.new_versions, first.indexed) == (4, 4)
    failures = "\n".join(first.failures)
    assert f"{server.url}/enorme.pdf (HTTP 200): larger than 0.5 MiB (VIGIE_MAX_FILE_MB)" in failures
    assert f"{server.url}/fichier.pdf: only http and https are fetched, not file URL" in failures
    assert versions_by_source(settings) == {n + ".pdf": [1] for n in ("programme", "flaky", "slow", "liar")}
    liar = next(v for v in Catalogue(settings.catalogue).versions() if v.source.endswith("liar.pdf"))
    assert liar.media_type == "application/pdf"  # sniffed from the bytes, not the header

    state.files["/programme.pdf"] = REVISED  # the list revises its programme
    second = programme_pipeline(sources_file=sources, settings=settings)
    assert (second.new_versions, second.indexed, second.unchanged) == (1, 1, 4)  # version 1 stays, indexed
    assert versions_by_source(settings)["programme.pdf"] == [1, 2]
    unchanged_requests = [etag for path, etag in state.requests[-8:] if path == "/flaky.pdf"]
    assert unchanged_requests and unchanged_requests[-1]  # asked conditionally, answered 304
    assert all(Path(v.archive_path).is_file() for v in Catalogue(settings.catalogue).versions())
    assert len(Catalogue(settings.catalogue).failures()) == 2

    from index.client import connect
    from index.versions import diff_versions

    changes = diff_versions(connect(settings), settings.index_prefix, "59999-1").changes
    kinds = {change.kind for change in changes}
    assert {"appeared", "disappeared"} <= kinds  # the revised programme promises other things
    assert any(c.demand == "D03" and c.after == "opposition" for c in changes)  # "nous confierons l'eau au privé" is new


def test_archive_verify_names_exactly_the_altered_and_missing_files(es_settings, prefect_harness) -> None:
    import os

    from typer.testing import CliRunner

    from cli import app

    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    env = {"VIGIE_DATA_DIR": str(es_settings.data_dir), "VIGIE_ES_URL": es_settings.elasticsearch_url}
    runner = CliRunner()
    clean = runner.invoke(app, ["archive", "verify"], env=env)
    assert clean.exit_code == 0 and "5 archived files verified: 5 intact, 0 damaged" in clean.output

    altered, removed = sorted(p for p in (es_settings.data_dir / "archive").rglob("*.*"))[:2]
    os.chmod(altered, 0o644)
    altered.write_bytes(altered.read_bytes() + "%%EOF falsifié".encode())
    removed.unlink()
    damaged = runner.invoke(app, ["archive", "verify"], env=env)
    assert damaged.exit_code == 1
    assert f"{altered}: altered (expected sha256 {altered.name.split('.')[0]})" in damaged.output
    assert f"{removed}: missing" in damaged.output
    assert "5 archived files verified: 3 intact, 2 damaged" in damaged.output


def test_the_coverage_board_tells_archived_missing_failed_and_scan_only(es_settings, server, tmp_path, prefect_harness) -> None:
    from tracking.coverage import coverage
    from collect.official_import import import_lists
    from tests.tracts import make_tract, scan_pdf

    settings = load_settings(
        data_dir=es_settings.data_dir,
        es_url=es_settings.elasticsearch_url,
        index_prefix=es_settings.index_prefix,
        fetch_allow_private=True,
        fetch_retries=0,
        ocr_language="xyz",  # no OCR data: scans stay unread
    )
    catalogue = Catalogue(settings.catalogue)
    import_lists(SAMPLES / "elections" / "listes-2026-tour1.csv", catalogue)
    scan = scan_pdf(make_tract(tmp_path / "t.pdf", ["Nous rénoverons les écoles."], columns=1).path, tmp_path / "scan.pdf")
    sources = make_sources(
        tmp_path / "sources.csv",
        [
            {"commune_insee": "59698", "panel": "1", "list_label": "Moulins en commun", "source": str(SAMPLES / "programmes" / "moulins-en-commun.pdf")},
            {"commune_insee": "59698", "panel": "2", "list_label": "Moulins Avenir", "source": f"{server.url}/disparu.pdf"},
            {"commune_insee": "62991", "panel": "1", "list_label": "Sorvigny", "source": str(scan)},
        ],
    )
    programme_pipeline(sources_file=sources, settings=settings)
    board = {item.list_key: (item.status, item.versions) for item in coverage(catalogue, settings).lists}
    assert board == {
        "59698-1": ("archived", 1),
        "59698-2": ("failed", 0),
        "59698-3": ("missing", 0),
        "62991-1": ("scan only", 1),
        "62991-2": ("missing", 0),
        "97497-1": ("missing", 0),
    }
    failed = next(item for item in coverage(catalogue, settings, commune="59698").lists if item.list_key == "59698-2")
    assert "answered 404" in failed.reason
    assert coverage(catalogue, settings, departement="62").totals("commune") == {"Val-de-Sorvigny": {"scan only": 1, "missing": 1}}
