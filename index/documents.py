"""A document version's records in the index: replaced whole, the older
versions of the same source retired from default searches, and mentions
left unchanged by a new platform retagged in place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from elasticsearch import Elasticsearch

from config.errors import IndexingError
from extract.detect import SentenceMentions
from extract.model import ExtractedDocument
from index.bulk import bulk_index
from index.client import client_url, engine_errors
from index.records import document_records


@dataclass(frozen=True)
class IndexedCounts:
    pages: int
    mentions: int


def replace_version_records(
    client: Elasticsearch,
    targets: Mapping[str, str],
    base: dict,
    extracted: ExtractedDocument,
    analysed: list[list[SentenceMentions]],
    platform_version: str,
    verdicts: Mapping[str, object] | None = None,
) -> IndexedCounts:
    """Replace the records of the version `base["doc_id"]` (its fields in
    `base`); a rejected record fails with IndexingError naming its source."""
    with engine_errors(client):
        # Mentions of an older platform version would otherwise linger. No
        # refresh here: forcing one per document costs the node more than the
        # indexing itself; the run refreshes once at its end.
        client.delete_by_query(
            index=targets["mentions"],
            body={"query": {"term": {"doc_id": base["doc_id"]}}},
            conflicts="proceed",
        )
    actions = list(document_records(targets, base, extracted, analysed, platform_version, verdicts))
    report = bulk_index(client, actions)
    if report.errors:
        first = report.errors[0]
        raise IndexingError(
            f"{len(report.errors)} record(s) of {base['source']} rejected, first {first.id}: {first.reason}",
            url=client_url(client),
        )
    mentions = sum(1 for action in actions if action["_index"] == targets["mentions"])
    return IndexedCounts(pages=len(extracted.pages), mentions=mentions)


def retire_older_versions(client: Elasticsearch, targets: Mapping[str, str], list_key: str, source: str, doc_id: str) -> None:
    """The source's other versions stop being `latest` (searched by default)."""
    query = {
        "bool": {
            "filter": [{"term": {"list_key": list_key}}, {"term": {"source": source}}, {"term": {"latest": True}}],
            "must_not": [{"term": {"doc_id": doc_id}}],
        }
    }
    with engine_errors(client):
        client.update_by_query(
            index=",".join(targets[kind] for kind in ("documents", "pages", "mentions")),
            body={"query": query, "script": {"source": "ctx._source.latest = false", "lang": "painless"}},
            conflicts="proceed",
        )


def retag_platform_version(client: Elasticsearch, targets: Mapping[str, str], doc_ids: list[str], platform_version: str) -> None:
    """Mentions a new platform left exactly as they were: only their platform version changes."""
    with engine_errors(client):
        for start in range(0, len(doc_ids), 1000):
            client.update_by_query(
                index=targets["mentions"],
                body={
                    "query": {"terms": {"doc_id": doc_ids[start : start + 1000]}},
                    "script": {"source": "ctx._source.platform_version = params.v", "params": {"v": platform_version}, "lang": "painless"},
                },
                conflicts="proceed",
            )


def refresh(client: Elasticsearch, targets: Mapping[str, str], *kinds: str) -> None:
    """Make what was indexed into these kinds of index visible to searches."""
    with engine_errors(client):
        client.indices.refresh(index=",".join(targets[kind] for kind in kinds))
