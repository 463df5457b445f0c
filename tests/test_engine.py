"""What differs between Elasticsearch and OpenSearch (index/engine.py): the
server's name for itself and the point in time snapshot paging reads from."""

import base64
import json

import httpx
import pytest

from config.settings import load_settings
from index.bulk import bulk_index
from index.client import connect
from index.engine import describe, engine_of
from index.schema import alias_name, ensure_indices
from index.search import SearchRequest, search

ELASTICSEARCH_ANSWER = {"version": {"number": "7.10.2", "build_flavor": "unknown"}, "tagline": "You Know, for Search"}
OPENSEARCH_ANSWER = {"version": {"distribution": "opensearch", "number": "3.8.0"}, "tagline": "The OpenSearch Project: https://opensearch.org/"}


def test_the_server_is_told_by_its_own_answer() -> None:
    assert (describe(ELASTICSEARCH_ANSWER).distribution, describe(ELASTICSEARCH_ANSWER).title) == ("elasticsearch", "Elasticsearch")
    opensearch = describe(OPENSEARCH_ANSWER)
    assert (opensearch.distribution, opensearch.version, opensearch.title, opensearch.opensearch) == ("opensearch", "3.8.0", "OpenSearch", True)


def snapshot_of(cursor: str) -> str:
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))[1]


@pytest.mark.es
def test_snapshot_pages_read_a_point_in_time_on_opensearch_and_a_scroll_on_elasticsearch(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    ensure_indices(es_client, prefix)
    pages = [
        {"_index": alias_name(prefix, "pages"), "_id": f"d{n}-p1", "_source": {
            "doc_id": f"d{n}", "list_label": f"Liste {n}", "commune": "Essai-sur-Mer", "source": f"/p/{n}.pdf",
            "archive_path": f"/a/{n}.pdf", "page": 1, "text": "Un centre de santé municipal.", "record_id": f"d{n}-p1"}}
        for n in range(5)
    ]  # fmt: skip
    assert bulk_index(es_client, pages).errors == []
    es_client.indices.refresh(index=alias_name(prefix, "pages"))
    engine = engine_of(es_client)
    assert engine.distribution == httpx.get(es_settings.elasticsearch_url).json()["version"].get("distribution", "elasticsearch")
    # A VIGIE_ES_URL cluster is told by its answer, whatever VIGIE_ENGINE (the local node's) says.
    for local in ("elasticsearch", "opensearch"):
        assert engine_of(connect(load_settings(es_url=es_settings.elasticsearch_url, engine=local))) == engine

    first = search(es_client, prefix, SearchRequest(query="santé", size=2, snapshot=True))
    snapshot = snapshot_of(first.next_cursor)
    assert snapshot.startswith("scroll:") != engine.opensearch
    if engine.opensearch:
        open_pits = httpx.get(f"{es_settings.elasticsearch_url}/_search/point_in_time/_all").json()["pits"]
        assert snapshot in {pit["pit_id"] for pit in open_pits}
    # A page indexed now is not seen by the snapshot's later pages.
    late = {**pages[0], "_id": "late-p1", "_source": {**pages[0]["_source"], "doc_id": "late", "record_id": "late-p1"}}
    assert bulk_index(es_client, [late]).errors == []
    es_client.indices.refresh(index=alias_name(prefix, "pages"))
    seen, cursor = [hit.record_id for hit in first.hits], first.next_cursor
    while cursor:
        page = search(es_client, prefix, SearchRequest(query="santé", size=2, snapshot=True, after=cursor))
        seen += [hit.record_id for hit in page.hits]
        cursor = page.next_cursor
    assert sorted(seen) == sorted(p["_id"] for p in pages)
    if engine.opensearch:  # closed with the last page
        open_pits = httpx.get(f"{es_settings.elasticsearch_url}/_search/point_in_time/_all").json()["pits"]
        assert snapshot not in {pit["pit_id"] for pit in open_pits}
