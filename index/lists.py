"""The lists index: one record per candidate list, with its 14-demand scorecard
and, once known, its election result.

Scorecards are computed from the mentions by aggregations (`index.scorecards`)
and stored here so that questions about lists ("which lists of the Nord commit
to at least 10 demands?", coverage per demand of a département) are one query
on small records instead of aggregations over every mention. The pipeline
refreshes the records of the lists it touched at the end of each run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from config.errors import IndexingError
from index.bulk import bulk_index
from index.client import client_url, engine_errors
from index.schema import alias_name
from index.scorecards import ABSENT, Scorecard, scorecards

CHUNK = 500
"""Lists per scorecard aggregation: bounded requests, whatever the country's size."""


@dataclass(frozen=True)
class ListFacts:
    """What the catalogue knows of a list, whether or not it published a programme."""

    list_key: str
    list_label: str
    commune: str
    commune_insee: str
    departement: str
    nuance: str
    head_of_list: str
    panel: int
    elected: bool | None = None
    """None until the results are imported."""
    votes: int | None = None
    percent_expressed: float | None = None
    round: int | None = None


def list_record(target: str, facts: ListFacts, card: Scorecard | None, demands: Sequence[str], now: datetime) -> dict:
    """The bulk action for one list; `card` is None when no programme is indexed."""
    cells = list(card.cells.values()) if card else []
    by_level = {level: [c.demand for c in cells if c.level == level] for level in ("commitment", "opposition", "mention", ABSENT)}
    source = {
        "record_id": facts.list_key,
        "list_key": facts.list_key,
        "list_label": facts.list_label,
        "commune": facts.commune,
        "commune_insee": facts.commune_insee,
        "departement": facts.departement,
        "nuance": facts.nuance,
        "head_of_list": facts.head_of_list,
        "panel": facts.panel,
        "has_programme": card is not None,
        "commitments": by_level["commitment"],
        "oppositions": by_level["opposition"],
        "mentions_only": by_level["mention"],
        "silences": by_level[ABSENT] if card else [],
        "committed": len(by_level["commitment"]),
        "opposed": len(by_level["opposition"]),
        "mentioned": len(by_level["mention"]),
        "silent": len(by_level[ABSENT]) if card else 0,
        "cells": [
            {
                "demand": c.demand,
                "level": c.level,
                "sentences": c.sentences,
                "quotation": c.quotation,
                "page": c.page,
                "archive": c.archive,
                "quantities": list(c.quantities),
            }
            for c in cells
            if c.demand in demands
        ],
        "elected": facts.elected,
        "votes": facts.votes,
        "percent_expressed": facts.percent_expressed,
        "round": facts.round,
        "updated_at": now.isoformat(),
    }
    return {"_index": target, "_id": facts.list_key, "_source": source}


def _chunks(items: Sequence[ListFacts], size: int) -> Iterator[Sequence[ListFacts]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_list_records(
    client: Elasticsearch,
    prefix: str,
    lists: Iterable[ListFacts],
    demands: Sequence[str],
    targets: Mapping[str, str] | None = None,
) -> int:
    """Compute the scorecards of `lists` and store one record per list.

    `targets` names the indices to read and write when they are not the
    served ones (a rebuild). The mentions must be refreshed beforehand.
    Returns the number of records written."""
    targets = targets or {kind: alias_name(prefix, kind) for kind in ("documents", "mentions", "lists")}
    now = datetime.now(timezone.utc)
    written = 0
    for chunk in _chunks(list(lists), CHUNK):
        cards = {
            card.list_key: card
            for card in scorecards(client, prefix, list(demands), list_key=[f.list_key for f in chunk], targets=targets)
        }
        actions = [list_record(targets["lists"], facts, cards.get(facts.list_key), demands, now) for facts in chunk]
        report = bulk_index(client, actions)
        if report.errors:
            first = report.errors[0]
            raise IndexingError(f"{len(report.errors)} list record(s) rejected, first {first.id}: {first.reason}", url=client_url(client))
        written += report.indexed
    return written


@dataclass(frozen=True)
class ListSummary:
    list_key: str
    list_label: str
    commune: str
    departement: str
    nuance: str
    head_of_list: str
    has_programme: bool
    committed: int
    opposed: int
    mentioned: int
    silent: int
    commitments: tuple[str, ...]
    silences: tuple[str, ...]
    elected: bool | None
    votes: int | None = None
    percent_expressed: float | None = None

    @classmethod
    def from_source(cls, source: Mapping) -> ListSummary:
        return cls(
            **{name: source.get(name) for name in ("list_key", "list_label", "commune", "departement", "nuance", "head_of_list")},
            **{name: int(source.get(name) or 0) for name in ("committed", "opposed", "mentioned", "silent")},
            has_programme=bool(source.get("has_programme")),
            commitments=tuple(source.get("commitments") or ()),
            silences=tuple(source.get("silences") or ()),
            elected=source.get("elected"),
            votes=source.get("votes"),
            percent_expressed=source.get("percent_expressed"),
        )


@dataclass(frozen=True)
class ListQuery:
    """Lists matching all the given conditions."""

    commune: str | None = None
    """INSEE code or exact name."""
    departement: str | None = None
    nuance: str | None = None
    min_commitments: int | None = None
    committing_to: tuple[str, ...] = ()
    """Demands the list must commit to, all of them."""
    silent_on: tuple[str, ...] = ()
    """Demands the list's programme must never address."""
    elected: bool | None = None
    with_programme: bool | None = None

    def to_query(self) -> dict:
        filters: list[dict] = []
        if self.commune:
            filters.append({"bool": {"should": [{"term": {"commune_insee": self.commune}}, {"term": {"commune.raw": self.commune}}]}})
        for name, value in (("departement", self.departement), ("nuance", self.nuance)):
            if value:
                filters.append({"term": {name: value}})
        if self.min_commitments is not None:
            filters.append({"range": {"committed": {"gte": self.min_commitments}}})
        filters += [{"term": {"commitments": demand}} for demand in self.committing_to]
        filters += [{"term": {"silences": demand}} for demand in self.silent_on]
        if self.elected is not None:
            filters.append({"term": {"elected": self.elected}})
        if self.with_programme is not None:
            filters.append({"term": {"has_programme": self.with_programme}})
        return {"bool": {"filter": filters}}


def find_lists(client: Elasticsearch, prefix: str, query: ListQuery, *, size: int = 10_000) -> list[ListSummary]:
    """Lists matching `query`, the most committed first."""
    try:
        with engine_errors(client):
            found = client.search(
                index=alias_name(prefix, "lists"),
                body={
                    "size": size,
                    "query": query.to_query(),
                    "sort": [{"committed": "desc"}, {"departement": "asc"}, {"commune.raw": "asc"}, {"list_key": "asc"}],
                    "_source": {"excludes": ["cells"]},
                },
            )
    except es_exceptions.NotFoundError:
        return []
    return [ListSummary.from_source(hit["_source"]) for hit in found["hits"]["hits"]]
