"""The local Elasticsearch node Vigie starts: isolated per data directory."""

import httpx
import pytest

from config.settings import load_settings
from index.runtime import cluster_name, node_pid, start_node, stop_node
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
