"""Shared fixtures: a real Elasticsearch node for the session, a unique index
prefix per test, one Prefect test harness, and a clean environment.

`--engine opensearch` runs the session's node (and every node a test starts
itself) as OpenSearch instead, and runs only the tests that touch a node:
those marked `es` and those using the `es_node` fixture (marked `es` here).
`make test` runs pytest twice: everything on Elasticsearch, then those on
OpenSearch.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect reads its home at import: keep the tests' Prefect state out of ~/.prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="vigie-test-prefect-"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no traffic beyond 127.0.0.1
# The trained detector `make setup` builds is the developer's: in tests, session
# fixtures included, the rules alone detect unless a test trains or names its own.
NO_TRAINED_DETECTOR = str(Path(tempfile.gettempdir()) / "vigie-test-no-trained-detector")
os.environ["VIGIE_DETECTOR_MODEL"] = NO_TRAINED_DETECTOR

from config.settings import Settings, load_settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
ENGINES = ("elasticsearch", "opensearch")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default=ENGINES[0],
        help="the local node the tests start (default elasticsearch); "
        "with opensearch, only the tests that touch a node run",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "es_node" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.es)
    if config.getoption("--engine") == ENGINES[0]:
        return
    # The other tests do not depend on the engine: they ran in the default run.
    selected = [item for item in items if item.get_closest_marker("es")]
    deselected = [item for item in items if not item.get_closest_marker("es")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_report_header(config: pytest.Config) -> str:
    return f"vigie engine: {config.getoption('--engine')}"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """No VIGIE_* variable of the developer's shell leaks into a test; the
    engine of the run (`--engine`) is every test's VIGIE_ENGINE."""
    for name in list(os.environ):
        if name.startswith("VIGIE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VIGIE_DETECTOR_MODEL", NO_TRAINED_DETECTOR)
    engine = request.config.getoption("--engine")
    if engine != ENGINES[0]:
        monkeypatch.setenv("VIGIE_ENGINE", engine)
    monkeypatch.chdir(tempfile.gettempdir())  # no .env of the checkout is read


def free_local_port(low: int = 9240, high: int = 9299) -> int:
    """A port the cluster runner accepts (it refuses ports above 9299)."""
    for port in range(low, high + 1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {low}-{high} for the test Elasticsearch node")


@pytest.fixture(scope="session")
def es_node(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[Settings]:
    """Settings of the session's own local node (of the `--engine` run), started here and stopped at the end."""
    from index.runtime import start_node, stop_node

    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("es-node"), es_port=free_local_port(), index_prefix="session",
        engine=pytestconfig.getoption("--engine"),
    )  # fmt: skip
    start_node(settings)
    yield settings
    stop_node(settings)


@pytest.fixture
def es_settings(es_node: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings for one test: its own data directory and index prefix, on the session node."""
    prefix = "t" + uuid.uuid4().hex[:10]
    settings = load_settings(data_dir=tmp_path / "data", es_url=es_node.elasticsearch_url, index_prefix=prefix)
    yield settings
    from index.client import connect
    from index.schema import drop_indices

    drop_indices(connect(settings), prefix)


@pytest.fixture
def es_client(es_settings: Settings):
    from index.client import connect

    return connect(es_settings)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=300):
        yield


@pytest.fixture(scope="session")
def nlp():
    from extract.nlp import load_pipeline

    return load_pipeline("fr_core_news_sm")


@pytest.fixture(scope="module")
def corpus(es_node, tmp_path_factory, prefect_harness):
    """(client, index prefix) of the sample corpus, run through the pipeline once per test module."""
    from flows.pipeline import programme_pipeline
    from index.client import connect
    from index.schema import drop_indices

    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("corpus"), es_url=es_node.elasticsearch_url, index_prefix="c" + uuid.uuid4().hex[:8]
    )
    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=settings)
    client = connect(settings)
    yield client, settings.index_prefix
    drop_indices(client, settings.index_prefix)


HOSTILE_LABEL = "<b>Liste</b> <script>alert('label')</script>"
HOSTILE_TEXT = "<script>alert('programme')</script> Nous créerons un centre de santé municipal à Essai-sur-Mer."
PASSWORD = "un mot de passe assez long"


@pytest.fixture(scope="session")
def web_site(es_node, tmp_path_factory, prefect_harness):
    """Settings of a site for web tests: the sample corpus, its first-round
    results, one programme whose list label and text hold HTML and script,
    an editor (camille) and an admin (dominique), all with PASSWORD."""
    import csv

    from storage.catalogue import Catalogue
    from collect.official_import import import_results
    from flows.pipeline import RunSummary, process, programme_pipeline
    from index.client import connect
    from index.schema import drop_indices
    from tests.factories import make_pdf
    from tracking.accounts import add_user

    root = tmp_path_factory.mktemp("web")
    settings = load_settings(
        data_dir=root / "data", es_url=es_node.elasticsearch_url, index_prefix="w" + uuid.uuid4().hex[:8], web_session_hours=1
    )
    sources = root / "sources.csv"
    with sources.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in csv.reader((SAMPLES / "sources.csv").open(encoding="utf-8")):
            writer.writerow(row if row[0] == "commune_insee" else [*row[:-1], str(SAMPLES / row[-1])])
        make_pdf(root / "hostile.pdf", [[HOSTILE_TEXT]])
        writer.writerow(["59999", "Essai-sur-Mer", "59", "1", HOSTILE_LABEL, "LDIV", "Camille <i>Essai</i>", str(root / "hostile.pdf")])
    programme_pipeline(sources_file=sources, settings=settings)
    catalogue = Catalogue(settings.catalogue)
    import_results(SAMPLES / "elections" / "resultats-2026-tour1.csv", catalogue)
    process(settings, summary=RunSummary())  # the lists' records take the results
    add_user(catalogue, "camille", PASSWORD, "editor")
    add_user(catalogue, "dominique", PASSWORD, "admin")
    yield settings
    drop_indices(connect(settings), settings.index_prefix)
