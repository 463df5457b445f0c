"""What differs between the servers Vigie talks to, in this one module.

Vigie speaks to Elasticsearch 7.10.2 and OpenSearch 3.x through the same
elasticsearch-py 7.13 client: index templates, mappings, the French analyzer,
bulk, search, highlighting, aggregations, aliases, scroll and
`delete_by_query` are the same requests on both. What is not:

- the point in time that snapshot paging reads from (`index.search`):
  Elasticsearch's `POST /<index>/_pit` and `DELETE /_pit` with `{"id"}`
  (only in Elastic's own builds: the Apache-2.0 7.10.2 Vigie runs has none,
  and snapshot paging falls back to a scroll there), against OpenSearch's
  `POST /<index>/_search/point_in_time` and `DELETE /_search/point_in_time`
  with `{"pit_id": [...]}`. A search on it is the same body on both
  (`"pit": {"id", "keep_alive"}`), and both answer its `pit_id`;
- the name a server gives itself: `GET /` answers `version.distribution ==
  "opensearch"` on OpenSearch and no distribution on Elasticsearch.

Which server it is comes from that answer, never from `VIGIE_ENGINE` (which
only chooses the local node Vigie starts): a `VIGIE_ES_URL` cluster of either
kind is told apart by what it says. The answer is asked once per client.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from urllib.parse import quote

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from index.client import server_info

ELASTICSEARCH = "elasticsearch"
OPENSEARCH = "opensearch"
_TITLES = {ELASTICSEARCH: "Elasticsearch", OPENSEARCH: "OpenSearch"}


@dataclass(frozen=True)
class Engine:
    """The server behind a client, as it describes itself."""

    distribution: str
    """"elasticsearch" or "opensearch"."""
    version: str

    @property
    def title(self) -> str:
        return _TITLES.get(self.distribution, self.distribution)

    @property
    def opensearch(self) -> bool:
        return self.distribution == OPENSEARCH


def describe(info: dict) -> Engine:
    """The engine a `GET /` answer (`server_info`) names."""
    version = info.get("version", {})
    return Engine(distribution=str(version.get("distribution") or ELASTICSEARCH).lower(), version=str(version.get("number", "")))


_KNOWN: weakref.WeakKeyDictionary[Elasticsearch, Engine] = weakref.WeakKeyDictionary()


def engine_of(client: Elasticsearch) -> Engine:
    """The server behind `client` (asked once per client)."""
    known = _KNOWN.get(client)
    if known is None:
        known = _KNOWN[client] = describe(server_info(client))
    return known


def open_point_in_time(client: Elasticsearch, index: str, keep_alive: str) -> str | None:
    """The id of a point in time on `index`, or None when the server has no
    point-in-time API (the Apache-2.0 Elasticsearch 7.10 reads `_pit` as a
    document type and refuses the request). Other refusals raise."""
    if engine_of(client).opensearch:
        response = client.transport.perform_request(
            "POST", f"/{quote(index, safe=',*')}/_search/point_in_time", params={"keep_alive": keep_alive}
        )
        return response["pit_id"]
    try:
        return client.open_point_in_time(index=index, params={"keep_alive": keep_alive})["id"]
    except es_exceptions.RequestError:
        return None


def close_point_in_time(client: Elasticsearch, pit_id: str) -> None:
    """Free a point in time now rather than at its expiry."""
    if engine_of(client).opensearch:
        client.transport.perform_request("DELETE", "/_search/point_in_time", body={"pit_id": [pit_id]})
    else:
        client.close_point_in_time(body={"id": pit_id})
