"""Analysts' verdicts applied to the indexed mentions at once, so search and
scorecards show them without waiting for the next run (which applies them
too, from the catalogue, whenever it re-indexes a document)."""

from __future__ import annotations

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from index.client import engine_errors
from index.records import corrected_fields
from index.schema import alias_name


def get_mention(client: Elasticsearch, prefix: str, record_id: str) -> dict | None:
    """The indexed mention, or None when there is none (never detected, or rejected)."""
    try:
        with engine_errors(client):
            return client.get(index=alias_name(prefix, "mentions"), id=record_id)["_source"]
    except es_exceptions.NotFoundError:
        return None


def apply_verdict(client: Elasticsearch, prefix: str, mention: dict, verdict) -> None:
    """Delete a rejected mention, or set the analyst's demand and level on it;
    searchable when this returns."""
    index = alias_name(prefix, "mentions")
    with engine_errors(client):
        if verdict.action == "reject":
            client.delete(index=index, id=mention["record_id"], refresh=True, ignore=[404])
            return
        detector = (mention.get("detector_demand") or mention["demand"], mention.get("detector_level") or mention["level"])
        client.update(index=index, id=mention["record_id"], body={"doc": corrected_fields(*detector, verdict)}, refresh=True)
