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
from collections.abc import Iterator
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from config.errors import QueryError
from index.client import engine_errors
from index.engine import close_point_in_time, open_point_in_time
from index.schema import alias_name

HIGHLIGHT_TAGS = ("[", "]")
FACETS = ("commune", "departement", "nuance", "demand", "level")
_FACET_FIELDS = {"commune": "commune.raw", "departement": "departement", "nuance": "nuance", "demand": "demand", "level": "level"}
MAX_QUERY_CHARS = 2000
SORTS = ("relevance", "date")
SNAPSHOT_KEEP_ALIVE = "5m"


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
    list_key: str = ""
    commune_insee: str = ""
    kind: str = "programme"
    """"evidence" for a document attached to a follow-up item."""

    @property
    def citation(self) -> str:
        return f"{self.list_label} ({self.commune}), page {self.page}: {self.archive_path}#page={self.page}"

    def to_json(self) -> dict:
        """The hit as the CLI's `--json`, the API and the exports give it (exports keep the flat columns)."""
        return {
            "list": self.list_label,
            "commune": self.commune,
            "page": self.page,
            "version": self.version,
            "demand": self.demand,
            "level": self.level,
            "fragment": " … ".join(self.fragments),
            "archive": f"{self.archive_path}#page={self.page}",
            "source": self.source,
            "fragments": list(self.fragments),
            "score": self.score,
            "record_id": self.record_id,
            "list_key": self.list_key,
        }


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
    snapshot: bool = False
    """Page through one frozen view of the index (a point in time, kept
    `SNAPSHOT_KEEP_ALIVE` between pages): records indexed meanwhile neither
    appear nor shift the pages. Without it, pages are exact on a unique
    tiebreaker but see new records."""

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"sort by one of {SORTS}", field="sort")
        if len(self.query) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is longer than {MAX_QUERY_CHARS} characters; shorten it", field="query")
        if not 1 <= self.size <= 1000:
            raise QueryError("between 1 and 1000 hits per page", field="size")

    @property
    def on_mentions(self) -> bool:
        return bool(self.demand or self.level)


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    next_cursor: str | None = None

    def to_json(self) -> dict:
        return {"total": self.total, "next": self.next_cursor, "facets": self.facets, "hits": [hit.to_json() for hit in self.hits]}


def search(client: Elasticsearch, prefix: str, request: SearchRequest) -> SearchResult:
    """One page of hits for `request`, with facet counts and the cursor of the next page."""
    index, text_field = _searched(prefix, request)
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
    cursor = _decode_cursor(request.after) if request.after else None
    snapshot = cursor.snapshot if cursor else (_open_snapshot(client, index) if request.snapshot else None)
    try:
        with engine_errors(client, query=True, cursor=cursor is not None):
            if snapshot and snapshot.startswith(_SCROLL):
                response = (
                    client.scroll(scroll_id=snapshot.removeprefix(_SCROLL), params={"scroll": SNAPSHOT_KEEP_ALIVE})
                    if cursor
                    else client.search(index=index, body=body, params={"scroll": SNAPSHOT_KEEP_ALIVE})
                )
            else:
                if cursor:
                    body["search_after"] = cursor.after
                if snapshot:  # with a point in time, the index is the snapshot's
                    body["pit"] = {"id": snapshot, "keep_alive": SNAPSHOT_KEEP_ALIVE}
                response = client.search(body=body) if snapshot else client.search(index=index, body=body)
    except es_exceptions.NotFoundError as exc:
        if snapshot and cursor:
            raise QueryError(
                f"this cursor's snapshot expired ({SNAPSHOT_KEEP_ALIVE} without a page); run the search again", field="after"
            ) from exc
        return SearchResult(total=0, hits=())
    raw_hits = response["hits"]["hits"]
    hits = tuple(_hit(raw, text_field) for raw in raw_hits)
    facets = {
        name: {bucket["key"]: bucket["doc_count"] for bucket in aggregation["buckets"]}
        for name, aggregation in response.get("aggregations", {}).items()
    }
    total = int(response["hits"]["total"]["value"])
    seen = (cursor.seen if cursor else 0) + len(raw_hits)
    more = bool(raw_hits) and seen < total
    if snapshot:
        snapshot = _SCROLL + response["_scroll_id"] if snapshot.startswith(_SCROLL) else response.get("pit_id", snapshot)
        if not more:
            close_snapshot(client, snapshot)
    next_cursor = _Cursor(raw_hits[-1].get("sort", []), snapshot, seen).encode() if more else None
    return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor)


_SCROLL = "scroll:"


def _open_snapshot(client: Elasticsearch, index: str) -> str:
    """A point in time on `index` where the server offers one (OpenSearch;
    the API differs by server: `index.engine`); else (the Apache-2.0
    Elasticsearch 7.10 has none) a scroll, opened by the first page."""
    try:
        with engine_errors(client):
            return open_point_in_time(client, index, SNAPSHOT_KEEP_ALIVE) or _SCROLL
    except es_exceptions.TransportError:
        return _SCROLL


def close_snapshot(client: Elasticsearch, snapshot: str) -> None:
    """Free the server's snapshot now rather than at its expiry."""
    try:
        if snapshot.startswith(_SCROLL):
            if snapshot != _SCROLL:
                client.clear_scroll(body={"scroll_id": [snapshot.removeprefix(_SCROLL)]})
        else:
            close_point_in_time(client, snapshot)
    except es_exceptions.TransportError:
        pass  # expired already


@dataclass(frozen=True)
class _Cursor:
    after: list
    """Sort values of the last hit given."""
    snapshot: str | None
    """The point in time (or `scroll:` and the scroll id) pages are read from."""
    seen: int
    """Hits given so far."""

    def encode(self) -> str:
        return base64.urlsafe_b64encode(json.dumps([self.after, self.snapshot, self.seen]).encode()).decode()


def _searched(prefix: str, request: SearchRequest) -> tuple[str, str]:
    """The index and the text field a request searches: sentences where
    demands were found when it names a demand or level, else pages."""
    return (alias_name(prefix, "mentions"), "sentence") if request.on_mentions else (alias_name(prefix, "pages"), "text")


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


def _decode_cursor(cursor: str) -> _Cursor:
    try:
        after, snapshot, seen = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise QueryError("not a cursor given by a previous search", field="after") from exc
    if not (isinstance(after, list) and isinstance(snapshot, (str, type(None))) and isinstance(seen, int)):
        raise QueryError("not a cursor given by a previous search", field="after")
    return _Cursor(after, snapshot, seen)


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
        list_key=source.get("list_key", ""),
        commune_insee=source.get("commune_insee", ""),
        kind=source.get("kind") or "programme",
    )


def matching_ids(client: Elasticsearch, prefix: str, request: SearchRequest) -> set[str]:
    """The ids of every record the search matches (a scroll, ids only)."""
    from elasticsearch import helpers

    index, text_field = _searched(prefix, request)
    try:
        with engine_errors(client, query=True):
            return {
                hit["_id"]
                for hit in helpers.scan(client, index=index, query={"query": _query(request, text_field), "_source": False}, size=2000)
            }
    except es_exceptions.NotFoundError:
        return set()


def hits_by_id(client: Elasticsearch, prefix: str, request: SearchRequest, ids: list[str]) -> list[Hit]:
    """The hits of `request` among these record ids, with their highlighted fragments."""
    index, text_field = _searched(prefix, request)
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
        with engine_errors(client, query=True):
            response = client.search(index=index, body=body)
        hits += [_hit(raw, text_field) for raw in response["hits"]["hits"]]
    return hits


EXPORT_ORDER = [{"departement": "asc"}, {"commune.raw": "asc"}, {"list_key": "asc"}, {"page": "asc"}, {"record_id": "asc"}]


def scroll_hits(client: Elasticsearch, prefix: str, request: SearchRequest) -> Iterator[Hit]:
    """Every hit of a search for a full export: one scroll, so one consistent
    view of the index however long the export takes, by département, commune,
    list and page."""
    from elasticsearch import helpers

    index, text_field = _searched(prefix, request)
    body = {
        "query": _query(request, text_field),
        "sort": EXPORT_ORDER,
        "highlight": {
            "pre_tags": [HIGHLIGHT_TAGS[0]], "post_tags": [HIGHLIGHT_TAGS[1]],
            "fields": {text_field: {"fragment_size": 160, "number_of_fragments": 3}},
        },
    }  # fmt: skip
    try:
        with engine_errors(client, query=True):
            for raw in helpers.scan(client, index=index, query=body, size=1000, scroll="2m", preserve_order=True):
                yield _hit(raw, text_field)
    except es_exceptions.NotFoundError:
        return


def list_mentions(client: Elasticsearch, prefix: str, list_key: str, *, level: str | None = None) -> list[dict]:
    """Every mention of a list's newest programmes (of one level, if given), by demand and page."""
    from elasticsearch import helpers

    filters: list[dict] = [{"term": {"list_key": list_key}}]
    if level:
        filters.append({"term": {"level": level}})
    body = {
        "query": {"bool": {"filter": filters, "must_not": [{"term": {"latest": False}}]}},
        "sort": [{"demand": "asc"}, {"page": "asc"}, {"start": "asc"}, {"record_id": "asc"}],
    }
    try:
        with engine_errors(client):
            return [
                hit["_source"]
                for hit in helpers.scan(client, index=alias_name(prefix, "mentions"), query=body, size=1000, preserve_order=True)
            ]
    except es_exceptions.NotFoundError:
        return []
