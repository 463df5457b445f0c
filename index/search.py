"""Full-text search over programme pages, with highlighted fragments and citations."""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from index.client import unavailable
from index.schema import alias_name

HIGHLIGHT_TAGS = ("[", "]")


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

    @property
    def citation(self) -> str:
        return f"{self.list_label} ({self.commune}), page {self.page}: {self.archive_path}#page={self.page}"


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]


def search_pages(client: Elasticsearch, prefix: str, query: str, *, size: int = 10) -> SearchResult:
    """Pages matching `query`, best first.

    `simple_query_string` takes phrases ("centre de santé"), `+`, `|`, `-`
    and never raises on malformed input, so whatever a user types is safe.
    """
    phrase = query.replace('"', " ").strip()
    body = {
        "query": {
            "bool": {
                "must": {
                    "simple_query_string": {
                        "query": query,
                        "fields": ["text", "text.exact^2"],
                        "default_operator": "and",
                    }
                },
                # Pages holding the words together, as typed, come first.
                "should": {"match_phrase": {"text.exact": {"query": phrase, "slop": 2, "boost": 3}}},
            }
        },
        "highlight": {
            "pre_tags": [HIGHLIGHT_TAGS[0]],
            "post_tags": [HIGHLIGHT_TAGS[1]],
            "fields": {"text": {"fragment_size": 160, "number_of_fragments": 3}},
        },
        "size": size,
        "track_total_hits": True,
    }
    try:
        response = client.search(index=alias_name(prefix, "pages"), body=body)
    except es_exceptions.NotFoundError:
        return SearchResult(total=0, hits=())
    except es_exceptions.ConnectionError as exc:
        raise unavailable(client, exc) from exc
    hits = tuple(_hit(raw) for raw in response["hits"]["hits"])
    return SearchResult(total=int(response["hits"]["total"]["value"]), hits=hits)


def _hit(raw: dict) -> Hit:
    source = raw["_source"]
    fragments = raw.get("highlight", {}).get("text") or [source["text"][:160]]
    return Hit(
        list_label=source["list_label"],
        commune=source["commune"],
        page=int(source["page"]),
        source=source["source"],
        archive_path=source["archive_path"],
        fragments=tuple(" ".join(fragment.split()) for fragment in fragments),
        score=float(raw["_score"] or 0.0),
        doc_id=source["doc_id"],
    )
