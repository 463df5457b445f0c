"""Past one machine: the flows unchanged on a Dask cluster (Prefect's Dask task
runner), and the index on an Elasticsearch cluster of three nodes. Both run
on 127.0.0.1, started by the tests."""

from collections import Counter

import pytest

from config.settings import load_settings
from flows.pipeline import programme_pipeline
from index.client import connect
from index.schema import alias_name, document_counts, drop_indices
from tests.conftest import SAMPLES

pytestmark = [pytest.mark.es, pytest.mark.prefect]


@pytest.fixture
def dask_cluster():
    """A local Dask cluster of three worker processes. Workers must not be
    daemonic: each extraction runs in a child process of its worker."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        with LocalCluster(
            n_workers=3, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
            scheduler_port=0, silence_logs=50,
        ) as cluster:  # fmt: skip
            yield cluster


def test_the_pipeline_runs_unchanged_on_a_dask_cluster(es_settings, es_client, prefect_harness, dask_cluster) -> None:
    from distributed import Client, get_task_stream

    on_dask = load_settings(
        data_dir=es_settings.data_dir, es_url=es_settings.es_url, index_prefix=es_settings.index_prefix,
        dask_address=dask_cluster.scheduler_address,
    )  # fmt: skip
    with Client(dask_cluster.scheduler_address) as client, get_task_stream(client) as stream:
        summary = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=on_dask)
    assert summary.failures == [] and summary.indexed == 5
    workers = Counter(task["worker"] for task in stream.data)
    assert sum(workers.values()) >= 5  # every extraction ran on the cluster
    assert len(workers) >= 2, workers  # spread over several worker processes
    assert document_counts(es_client, es_settings.index_prefix)["documents"] == 5


def three_free_ports() -> int:
    """The first of three free consecutive ports: the runner gives node n the port of node 1 plus n - 1."""
    import socket

    def free(port: int) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) != 0

    for first in range(9240, 9298):
        if all(free(first + n) for n in range(3)):
            return first
    raise RuntimeError("no three free consecutive ports in 9240-9299")


@pytest.fixture
def three_nodes(tmp_path):
    from index.runtime import start_node, stop_node

    settings = load_settings(
        data_dir=tmp_path / "cluster", es_port=three_free_ports(), es_nodes=3, es_heap_mb=1024,
        index_prefix="cluster", index_shards=3, index_replicas=1,
    )  # fmt: skip
    start_node(settings)
    try:
        yield settings
    finally:
        stop_node(settings)


def test_the_index_spreads_over_a_three_node_cluster(three_nodes, prefect_harness) -> None:
    client = connect(three_nodes)
    health = client.cluster.health(wait_for_nodes="3", timeout="60s")
    assert health["number_of_nodes"] == 3

    summary = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=three_nodes)
    assert summary.failures == [] and summary.indexed == 5
    assert client.cluster.health(wait_for_status="green", timeout="60s")["status"] == "green"
    shards = client.cat.shards(index=alias_name("cluster", "mentions"), format="json")
    assert len(shards) == 3 * 2  # three primaries and their replicas
    assert len({shard["node"] for shard in shards}) == 3
    counts = document_counts(client, "cluster")
    assert counts["documents"] == 5 and counts["mentions"] == summary.mentions
    drop_indices(client, "cluster")
