"""Bulk indexing with a report per document, never all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exceptions

from index.client import unavailable


@dataclass(frozen=True)
class ItemError:
    index: str
    id: str
    reason: str


@dataclass
class BulkReport:
    indexed: int = 0
    errors: list[ItemError] = field(default_factory=list)


def bulk_index(
    client: Elasticsearch, actions: Iterable[dict], *, chunk_size: int = 500, max_retries: int = 3
) -> BulkReport:
    """Index `actions` (dicts with `_index`, `_id`, `_source`); rejected documents are
    reported one by one while the others are indexed. Requests refused with 429
    are retried with back-off. Elasticsearch going away raises IndexUnavailable."""
    report = BulkReport()
    try:
        for ok, item in helpers.streaming_bulk(
            client, actions, chunk_size=chunk_size, max_retries=max_retries, raise_on_error=False
        ):
            result = next(iter(item.values()))
            if ok:
                report.indexed += 1
            else:
                error = result.get("error", {})
                reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                report.errors.append(ItemError(index=result.get("_index", "?"), id=str(result.get("_id")), reason=reason))
    except es_exceptions.ConnectionError as exc:
        raise unavailable(client, exc) from exc
    return report
