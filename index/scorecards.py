"""Scorecards: for each list, the strongest level found on each demand, with
its best quotation; coverage of each demand across lists; silences.

Computed by Elasticsearch aggregations over the newest version of each
programme, not by loops over records in Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from index.client import engine_errors
from index.schema import alias_name

STRENGTH = ("commitment", "opposition", "mention")
"""Strongest first: a list that commits and also merely mentions, commits."""
ABSENT = "absent"
_LIST_FIELDS = ["list_key", "list_label", "commune", "commune_insee", "departement", "nuance", "head_of_list"]
_MAX_LISTS = 10_000

# Searchable documents that are not a list's programme: a watchdog's evidence,
# and the easy-to-read and accessible variants of a profession de foi.
NOT_SCORED = ("evidence", "accessible", "falc", "falc_accessible")


@dataclass(frozen=True)
class Cell:
    demand: str
    level: str
    sentences: int = 0
    """Sentences found on this demand, all levels."""
    quotation: str | None = None
    page: int | None = None
    archive: str | None = None
    quantities: tuple[str, ...] = ()
    doc_id: str | None = None
    """The document version the quotation comes from."""
    record_id: str | None = None
    """The quoted mention's id (to correct it)."""


@dataclass(frozen=True)
class Scorecard:
    list_key: str
    list_label: str
    commune: str
    commune_insee: str
    departement: str
    nuance: str
    head_of_list: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def silences(self) -> list[str]:
        """Demands the programme never addresses: an absence is information too."""
        return [demand for demand, cell in self.cells.items() if cell.level == ABSENT]

    def to_json(self) -> dict:
        return {**{name: getattr(self, name) for name in _LIST_FIELDS}, "cells": [cell.__dict__ for cell in self.cells.values()]}


def _scope(list_key: str | Sequence[str] | None, commune: str | None, departement: str | None) -> dict:
    filters = []
    if isinstance(list_key, str):
        filters.append({"term": {"list_key": list_key}})
    elif list_key is not None:
        filters.append({"terms": {"list_key": list(list_key)}})
    if commune:
        filters.append({"bool": {"should": [{"term": {"commune_insee": commune}}, {"term": {"commune.raw": commune}}]}})
    if departement:
        filters.append({"term": {"departement": departement}})
    return {"bool": {"filter": filters, "must_not": [{"term": {"latest": False}}, {"terms": {"kind": list(NOT_SCORED)}}]}}


def scorecards(
    client: Elasticsearch,
    prefix: str,
    demands: list[str],
    *,
    list_key: str | Sequence[str] | None = None,
    commune: str | None = None,
    departement: str | None = None,
    targets: Mapping[str, str] | None = None,
) -> list[Scorecard]:
    """One scorecard per list with a programme in scope, lists side by side.

    `list_key` is one list or several; `targets` names the indices to read
    when they are not the served ones (a generation being rebuilt)."""
    scope = _scope(list_key, commune, departement)
    targets = targets or {kind: alias_name(prefix, kind) for kind in ("documents", "mentions")}
    try:
        with engine_errors(client):
            programmes = client.search(
                index=targets["documents"],
                body={
                    "size": 0,
                    "query": scope,
                    "aggs": {"lists": {"terms": {"field": "list_key", "size": _MAX_LISTS}, "aggs": {
                        "about": {"top_hits": {"size": 1, "_source": _LIST_FIELDS}}}}},
                },
            )
            found = client.search(
                index=targets["mentions"],
                body={
                    "size": 0,
                    "query": scope,
                    "aggs": {"lists": {"terms": {"field": "list_key", "size": _MAX_LISTS}, "aggs": {
                        "demands": {"terms": {"field": "demand", "size": 100}, "aggs": {
                            "levels": {"terms": {"field": "level", "size": 3}, "aggs": {
                                "best": {"top_hits": {
                                    "size": 3,
                                    "sort": [{"score": "desc"}, {"page": "asc"}, {"record_id": "asc"}],
                                    "_source": ["sentence", "page", "archive_path", "quantities", "doc_id", "record_id"],
                                }}}}}}}}},
                },
            )
    except es_exceptions.NotFoundError:
        return []
    by_list = {bucket["key"]: bucket["demands"]["buckets"] for bucket in found["aggregations"]["lists"]["buckets"]}
    cards = []
    for bucket in programmes["aggregations"]["lists"]["buckets"]:
        about = bucket["about"]["hits"]["hits"][0]["_source"]
        cells = {demand: Cell(demand, ABSENT) for demand in demands}
        for demand_bucket in by_list.get(bucket["key"], []):
            cells[demand_bucket["key"]] = _cell(demand_bucket)
        cards.append(Scorecard(**{name: about.get(name, "") for name in _LIST_FIELDS}, cells=cells))
    return sorted(cards, key=lambda card: (card.departement, card.commune, card.list_key))


def _cell(demand_bucket: dict) -> Cell:
    levels = {bucket["key"]: bucket for bucket in demand_bucket["levels"]["buckets"]}
    strongest = next(level for level in STRENGTH if level in levels)
    best = [hit["_source"] for hit in levels[strongest]["best"]["hits"]["hits"]]
    quantities = tuple(dict.fromkeys(q["text"] for hit in best for q in hit.get("quantities", [])))
    return Cell(
        demand=demand_bucket["key"],
        level=strongest,
        sentences=demand_bucket["doc_count"],
        quotation=" ".join(best[0]["sentence"].split()),
        page=best[0]["page"],
        archive=f"{best[0]['archive_path']}#page={best[0]['page']}",
        quantities=quantities,
        doc_id=best[0].get("doc_id"),
        record_id=best[0].get("record_id"),
    )


@dataclass(frozen=True)
class DemandCoverage:
    """How the lists with a programme stand on one demand, each counted once at
    its strongest level; the rest are silent on it."""

    demand: str
    lists: int
    """Lists in scope with a programme."""
    committing: int
    opposing: int
    mentioning: int

    @property
    def silent(self) -> int:
        return self.lists - self.committing - self.opposing - self.mentioning

    @property
    def share_committing(self) -> float:
        return self.committing / self.lists if self.lists else 0.0

    def to_json(self) -> dict:
        return {
            "demand": self.demand,
            "lists": self.lists,
            "committing": self.committing,
            "opposing": self.opposing,
            "mentioning": self.mentioning,
            "silent": self.silent,
            "share_committing": round(self.share_committing, 4),
        }


def demand_coverage(
    client: Elasticsearch, prefix: str, demands: list[str], *, departement: str | None = None, nuance: str | None = None
) -> list[DemandCoverage]:
    """For each demand, how many lists commit to it, oppose it, or only mention it.

    One aggregation over the lists index (one small record per list, see
    `index.lists`), not over every mention: a département or the whole
    country costs about the same."""
    filters: list[dict] = [{"term": {"has_programme": True}}]
    filters += [{"term": {name: value}} for name, value in (("departement", departement), ("nuance", nuance)) if value]
    fields = {"commitment": "commitments", "opposition": "oppositions", "mention": "mentions_only"}
    try:
        with engine_errors(client):
            found = client.search(
                index=alias_name(prefix, "lists"),
                body={
                    "size": 0,
                    "track_total_hits": True,
                    "query": {"bool": {"filter": filters}},
                    "aggs": {level: {"terms": {"field": name, "size": 100}} for level, name in fields.items()},
                },
            )
    except es_exceptions.NotFoundError:
        return []
    total = int(found["hits"]["total"]["value"])
    counts = {level: {b["key"]: b["doc_count"] for b in found["aggregations"][level]["buckets"]} for level in fields}
    return [
        DemandCoverage(
            demand=demand,
            lists=total,
            committing=counts["commitment"].get(demand, 0),
            opposing=counts["opposition"].get(demand, 0),
            mentioning=counts["mention"].get(demand, 0),
        )
        for demand in demands
    ]


def coverage_by_departement(client: Elasticsearch, prefix: str, demands: list[str]) -> dict[str, dict[str, int]]:
    """Per département: how many lists have a programme (key "lists") and, per
    demand, how many commit to it. One aggregation over the lists index."""
    try:
        with engine_errors(client):
            found = client.search(
                index=alias_name(prefix, "lists"),
                body={
                    "size": 0,
                    "query": {"term": {"has_programme": True}},
                    "aggs": {"departements": {"terms": {"field": "departement", "size": 1000, "order": {"_key": "asc"}}, "aggs": {
                        "commit": {"terms": {"field": "commitments", "size": 100}}}}},
                },
            )
    except es_exceptions.NotFoundError:
        return {}
    table: dict[str, dict[str, int]] = {}
    for bucket in found["aggregations"]["departements"]["buckets"]:
        commits = {b["key"]: b["doc_count"] for b in bucket["commit"]["buckets"]}
        table[bucket["key"]] = {"lists": bucket["doc_count"], **{demand: commits.get(demand, 0) for demand in demands}}
    return table
