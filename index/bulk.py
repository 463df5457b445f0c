"""Bulk indexing with a report per document, never all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch, helpers

from index.client import TOO_MANY_REQUESTS, engine_errors, overloaded


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
    reported one by one while the others are indexed. Requests and records
    refused with 429 (a full write queue, a circuit breaker) are retried with
    back-off (2, 4, 8 s); when the node still refuses them, IndexOverloaded is
    raised, as Elasticsearch going away raises IndexUnavailable: the same
    records can be sent again later."""
    report = BulkReport()
    refused = 0
    with engine_errors(client, overload_retries=max_retries):
        for ok, item in helpers.streaming_bulk(
            client, actions, chunk_size=chunk_size, max_retries=max_retries, raise_on_error=False
        ):
            result = next(iter(item.values()))
            if ok:
                report.indexed += 1
            elif result.get("status") == TOO_MANY_REQUESTS:
                refused += 1
            else:
                error = result.get("error", {})
                reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                report.errors.append(ItemError(index=result.get("_index", "?"), id=str(result.get("_id")), reason=reason))
    if refused:
        raise overloaded(client, max_retries, f"{refused} record(s)")
    return report
