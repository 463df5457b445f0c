"""Full-text search over programme pages or demand mentions, with filters,
facets, highlighted fragments, citations, and pagination past 10,000 hits.

The query syntax is Elasticsearch's `simple_query_string`: "phrases", `+`,
`|`, `-`, `*` suffixes, and it never raises on malformed input nor runs a
script, so whatever an analyst types is safe. Pages are searched; with a
demand or level filter, the sentences where demands were found are.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from config.errors import ConfigError
from index.client import unavailable
from index.schema import alias_name

HIGHLIGHT_TAGS = ("[", "]")
FACETS = ("commune", "departement", "nuance", "demand", "level")
_FACET_FIELDS = {"commune": "commune.raw", "departement": "departement", "nuance": "nuance", "demand": "demand", "level": "level"}
MAX_QUERY_CHARS = 2000
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Hit:
    list_label: str
    commune: str
    page: int
    source: str
    archive_path: str
    fragments: tuple[str, ...]
    score: float
    doc_id: str
    version: int = 1
    demand: str | None = None
    level: str | None = None
    record_id: str = ""
    """The page's or the mention's own id: what tells a hit already seen from a new one."""

    @property
    def citation(self) -> str:
        return f"{self.list_label} ({self.commune}), page {self.page}: {self.archive_path}#page={self.page}"


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    commune: str | None = None
    departement: str | None = None
    nuance: str | None = None
    demand: str | None = None
    level: str | None = None
    all_versions: bool = False
    """By default only the newest version of each programme is searched."""
    sort: str = "relevance"
    size: int = 10
    after: str | None = None
    """The cursor of the previous page (`SearchResult.next_cursor`)."""

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ConfigError(f"sort by one of {SORTS}", source="search", field="sort")
        if len(self.query) > MAX_QUERY_CHARS:
            raise ConfigError(f"the query is longer than {MAX_QUERY_CHARS} characters; shorten it", source="search", field="query")
        if not 1 <= self.size <= 1000:
            raise ConfigError("between 1 and 1000 hits per page", source="search", field="size")

    @property
    def on_mentions(self) -> bool:
        return bool(self.demand or self.level)


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    next_cursor: str | None = None


def search(client: Elasticsearch, prefix: str, request: SearchRequest) -> SearchResult:
    """One page of hits for `request`, with facet counts and the cursor of the next page."""
    text_field = "sentence" if request.on_mentions else "text"
    body: dict = {
        "query": _query(request, text_field),
        "highlight": {
            "pre_tags": [HIGHLIGHT_TAGS[0]],
            "post_tags": [HIGHLIGHT_TAGS[1]],
            "fields": {text_field: {"fragment_size": 160, "number_of_fragments": 3}},
        },
        "size": request.size,
        "track_total_hits": True,
        # A unique tiebreaker makes `search_after` exact past 10,000 hits.
        "sort": (["_score"] if request.sort == "relevance" else [{"fetched_at": "desc"}]) + [{"record_id": "asc"}],
        "aggs": {
            name: {"terms": {"field": _FACET_FIELDS[name], "size": 100}}
            for name in FACETS
            if request.on_mentions or name not in {"demand", "level"}
        },
    }
    if request.after:
        body["search_after"] = _decode_cursor(request.after)
    index = alias_name(prefix, "mentions" if request.on_mentions else "pages")
    try:
        response = client.search(index=index, body=body)
    except es_exceptions.NotFoundError:
        return SearchResult(total=0, hits=())
    except es_exceptions.ConnectionError as exc:
        raise unavailable(client, exc) from exc
    except es_exceptions.RequestError as exc:  # a query the server refuses is the user's to fix
        raise ConfigError(f"the server refused this search ({exc.error}); simplify the query", source="search", field="query") from exc
    raw_hits = response["hits"]["hits"]
    hits = tuple(_hit(raw, text_field) for raw in raw_hits)
    facets = {
        name: {bucket["key"]: bucket["doc_count"] for bucket in aggregation["buckets"]}
        for name, aggregation in response.get("aggregations", {}).items()
    }
    total = int(response["hits"]["total"]["value"])
    more = len(raw_hits) == request.size and not (request.after is None and total <= request.size)
    cursor = _encode_cursor(raw_hits[-1]["sort"]) if more else None
    return SearchResult(total=total, hits=hits, facets=facets, next_cursor=cursor)


def search_pages(client: Elasticsearch, prefix: str, query: str, *, size: int = 10) -> SearchResult:
    """Pages matching `query`, best first (the newest versions)."""
    return search(client, prefix, SearchRequest(query=query, size=size))


def _query(request: SearchRequest, text_field: str) -> dict:
    filters = [
        {"term": {_FACET_FIELDS[name]: value}}
        for name in FACETS
        if (value := getattr(request, name)) is not None
    ]
    query: dict = {"bool": {"filter": filters}}
    if not request.all_versions:
        query["bool"]["must_not"] = [{"term": {"latest": False}}]
    if request.query.strip():
        phrase = request.query.replace('"', " ").strip()
        query["bool"]["must"] = {
            "simple_query_string": {
                "query": request.query,
                "fields": [text_field, f"{text_field}.exact^2"],
                "default_operator": "and",
            }
        }
        # Pages holding the words together, as typed, come first.
        query["bool"]["should"] = {"match_phrase": {f"{text_field}.exact": {"query": phrase, "slop": 2, "boost": 3}}}
    return query


def _encode_cursor(sort_values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(sort_values).encode()).decode()


def _decode_cursor(cursor: str) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ConfigError("not a cursor given by a previous search", source="search", field="after") from exc
    if not isinstance(values, list):
        raise ConfigError("not a cursor given by a previous search", source="search", field="after")
    return values


def _hit(raw: dict, text_field: str) -> Hit:
    source = raw["_source"]
    fragments = raw.get("highlight", {}).get(text_field) or [source[text_field][:160]]
    return Hit(
        list_label=source["list_label"],
        commune=source["commune"],
        page=int(source["page"]),
        source=source["source"],
        archive_path=source["archive_path"],
        fragments=tuple(" ".join(fragment.split()) for fragment in fragments),
        score=float(raw["_score"] or 0.0),
        doc_id=source["doc_id"],
        version=int(source.get("version", 1)),
        demand=source.get("demand"),
        level=source.get("level"),
        record_id=source.get("record_id", raw.get("_id", "")),
    )


def matching_ids(client: Elasticsearch, prefix: str, request: SearchRequest) -> set[str]:
    """The ids of every record the search matches (a scroll, ids only)."""
    from elasticsearch import helpers

    text_field = "sentence" if request.on_mentions else "text"
    index = alias_name(prefix, "mentions" if request.on_mentions else "pages")
    try:
        return {
            hit["_id"]
            for hit in helpers.scan(client, index=index, query={"query": _query(request, text_field), "_source": False}, size=2000)
        }
    except es_exceptions.NotFoundError:
        return set()
    except es_exceptions.ConnectionError as exc:
        raise unavailable(client, exc) from exc
    except es_exceptions.RequestError as exc:
        raise ConfigError(f"the server refused this search ({exc.error}); simplify the query", source="search", field="query") from exc


def hits_by_id(client: Elasticsearch, prefix: str, request: SearchRequest, ids: list[str]) -> list[Hit]:
    """The hits of `request` among these record ids, with their highlighted fragments."""
    text_field = "sentence" if request.on_mentions else "text"
    index = alias_name(prefix, "mentions" if request.on_mentions else "pages")
    hits: list[Hit] = []
    for start in range(0, len(ids), 500):
        query = _query(request, text_field)
        query["bool"]["filter"] = [*query["bool"]["filter"], {"ids": {"values": ids[start : start + 500]}}]
        body = {
            "query": query,
            "size": 500,
            "sort": [{"record_id": "asc"}],
            "highlight": {"pre_tags": [HIGHLIGHT_TAGS[0]], "post_tags": [HIGHLIGHT_TAGS[1]], "fields": {text_field: {"fragment_size": 160, "number_of_fragments": 2}}},
        }
        try:
            response = client.search(index=index, body=body)
        except es_exceptions.ConnectionError as exc:
            raise unavailable(client, exc) from exc
        hits += [_hit(raw, text_field) for raw in response["hits"]["hits"]]
    return hits
