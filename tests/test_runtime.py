"""The local node Vigie starts (Elasticsearch, or OpenSearch with
`--engine opensearch`): isolated per data directory, on fixed libraries."""

import re
from pathlib import Path

import httpx
import pytest

from config.errors import JavaNotFound, NodeError
from config.settings import load_settings
from index.client import connect
from index.engine import engine_of
from index.runtime import (
    cluster_name,
    distribution,
    find_java,
    install_runtime,
    jar_versions,
    lib_dir,
    manifest_digest,
    node_pid,
    start_node,
    stop_node,
)
from tests.conftest import free_local_port

pytestmark = pytest.mark.es


def test_two_data_directories_run_two_separate_clusters(es_node, tmp_path) -> None:
    other = load_settings(data_dir=tmp_path / "autre", es_port=free_local_port(), index_prefix=es_node.index_prefix)
    start_node(other)
    try:
        for settings in (es_node, other):
            nodes = httpx.get(f"{settings.elasticsearch_url}/_cat/nodes?format=json").json()
            assert len(nodes) == 1  # never joined the other one
        names = {httpx.get(s.elasticsearch_url).json()["cluster_name"] for s in (es_node, other)}
        assert names == {cluster_name(es_node), cluster_name(other)} and len(names) == 2
    finally:
        assert stop_node(other)
    assert node_pid(other) is None
    assert node_pid(es_node) is not None  # stopping one leaves the other alone


# --- the node's jars and JVM: no known-vulnerable log4j, no JNDI lookups ----------------------

FIXED_LOG4J = (2, 17, 1)
"""The first log4j 2 release with none of the Log4Shell CVEs (CVE-2021-44228, -45046, -45105, -44832)."""


def release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("-")[0])[:3])


def test_the_node_runs_no_known_vulnerable_log4j_and_no_lookups(es_node) -> None:
    lib = lib_dir(es_node)
    assert (lib / ".complete").read_text() == manifest_digest(es_node)  # the lib folder the node runs from
    versions = jar_versions(lib)
    assert release(versions["log4j-core"]) >= FIXED_LOG4J, versions["log4j-core"]
    assert release(versions["log4j-api"]) >= FIXED_LOG4J, versions["log4j-api"]
    # The other libraries the 7.10.2 runner brought at vulnerable releases.
    assert release(versions["netty-codec-http"]) >= (4, 1, 118), versions["netty-codec-http"]
    assert release(versions["jackson-core"]) >= (2, 15, 0), versions["jackson-core"]
    assert release(versions["snakeyaml"]) >= (2, 0), versions["snakeyaml"]
    command = Path(f"/proc/{node_pid(es_node)}/cmdline").read_bytes().split(b"\0")
    assert b"-Dlog4j2.formatMsgNoLookups=true" in command
    assert f"{lib}/*".encode() in command


def test_a_cache_resolved_from_another_pom_is_resolved_again(tmp_path, monkeypatch) -> None:
    settings = load_settings(data_dir=tmp_path / "data", es_home=tmp_path / "cache")
    lib = lib_dir(settings)
    lib.mkdir(parents=True)
    (lib / "log4j-core-2.11.1.jar").write_bytes(b"")
    (lib / ".complete").write_text("7.10.2.0")  # what an older Vigie wrote
    monkeypatch.setattr("index.runtime.shutil.which", lambda name: None)
    with pytest.raises(NodeError, match="Maven"):
        install_runtime(settings)  # not reused: Maven is asked again
    (lib / ".complete").write_text(manifest_digest(settings))
    assert install_runtime(settings) == lib  # resolved from this pom: reused


def fake_jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\nexit 0\n")
    (home / "bin" / "java").chmod(0o755)
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


def test_opensearch_runs_on_the_newest_jdk_found_and_names_what_to_install_without_one(tmp_path, monkeypatch) -> None:
    jvms = tmp_path / "jvm"
    java17 = fake_jdk(jvms, "java-17-openjdk-amd64", "17.0.15")
    monkeypatch.setattr("index.runtime.JVM_ROOT", jvms)
    monkeypatch.setenv("JAVA_HOME", str(java17))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    elasticsearch = load_settings(data_dir=tmp_path, engine="elasticsearch")
    opensearch = load_settings(data_dir=tmp_path, engine="opensearch")
    assert find_java(elasticsearch) == java17 / "bin" / "java"
    with pytest.raises(JavaNotFound, match=r"OpenSearch 3\.8\.0 needs Java 21 or newer.*Java 17\).*install a JDK 21\+"):
        find_java(opensearch)
    java25 = fake_jdk(jvms, "temurin-25-jdk-amd64", "25.0.1")
    fake_jdk(jvms, "temurin-21-jdk-amd64", "21.0.8")
    assert find_java(opensearch) == java25 / "bin" / "java"
    assert find_java(elasticsearch) == java17 / "bin" / "java"  # JAVA_HOME first, when recent enough
    with pytest.raises(JavaNotFound, match="VIGIE_JAVA_HOME=.*is Java 17"):
        find_java(load_settings(data_dir=tmp_path, engine="opensearch", java_home=java17))
    assert find_java(load_settings(data_dir=tmp_path, engine="elasticsearch", java_home=java25)) == java25 / "bin" / "java"


def test_the_server_names_its_distribution_and_version(es_node) -> None:
    engine = engine_of(connect(es_node))
    dist = distribution(es_node)
    assert (engine.distribution, engine.version) == (dist.engine, dist.version)
