"""Analysts' corrections of detected mentions: confirm, reject, or change the
demand or level. Append-only (who, when, before, after, why); the latest
correction of a mention is its verdict.

A mention is known by its record id, derived from its document version,
page, offsets and detected demand, so a verdict outlives re-runs of the
pipeline: indexing applies the verdicts (`verdicts_for_document`), a rejected
mention is left out and a changed one carries the analyst's demand and level.
The verdicts are also the labelled sentences the detector's evaluation set
can grow from (`labelled_sentences`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from config.errors import ConfigError, IndexUnavailable
from index.corrections import apply_verdict, get_mention
from index.schema import served_targets
from tracking.list_records import update_list_records
from storage import corrections as stored
from storage.catalogue import Catalogue

ACTIONS = ("confirm", "reject", "change")
LEVELS = ("commitment", "opposition", "mention")


@dataclass(frozen=True)
class Correction:
    record_id: str
    doc_id: str
    list_key: str
    page: int
    sentence: str
    action: str
    demand_before: str
    level_before: str
    demand_after: str | None
    """None when the mention is rejected."""
    level_after: str | None
    by: str
    at: datetime
    why: str | None


def record_correction(
    catalogue: Catalogue,
    mention: Mapping,
    *,
    action: str,
    by: str,
    demand: str | None = None,
    level: str | None = None,
    why: str | None = None,
    demands: Iterable[str] = (),
) -> Correction:
    """Append a correction of `mention` (its indexed record: record_id, doc_id,
    list_key, page, sentence, and the detector's demand and level)."""
    demands = set(demands)
    if action not in ACTIONS:
        raise ConfigError(f"a correction is one of {', '.join(ACTIONS)}", source="correction", field="action")
    detected = (str(mention.get("detector_demand") or mention["demand"]), str(mention.get("detector_level") or mention["level"]))
    if action == "change":
        demand, level = demand or detected[0], level or detected[1]
        if demands and demand not in demands:
            raise ConfigError(f"{demand!r} is not a demand of the platform (D01 to D14)", source="correction", field="demand")
        if level not in LEVELS:
            raise ConfigError(f"a level is one of {', '.join(LEVELS)}", source="correction", field="level")
        if (demand, level) == detected:
            raise ConfigError("this changes nothing: confirm the mention instead", source="correction", field="action")
    elif action == "confirm":
        demand, level = detected
    else:
        demand = level = None
    if not by:
        raise ConfigError("a correction needs its author", source="correction", field="by")
    row = {
        "record_id": str(mention["record_id"]),
        "doc_id": str(mention["doc_id"]),
        "list_key": str(mention["list_key"]),
        "page": int(mention["page"]),
        "sentence": " ".join(str(mention["sentence"]).split()),
        "action": action,
        "demand_before": detected[0],
        "level_before": detected[1],
        "demand_after": demand,
        "level_after": level,
        "by": by,
        "at": datetime.now(timezone.utc),
        "why": why or None,
    }
    stored.insert_correction(catalogue, row)
    return Correction(**row)


def history(catalogue: Catalogue, record_id: str) -> list[Correction]:
    """Every correction of one mention, oldest first."""
    return [Correction(**row) for row in stored.corrections_of_mention(catalogue, record_id)]


def verdicts_for_document(catalogue: Catalogue, doc_id: str) -> dict[str, Correction]:
    """The latest correction of each corrected mention of a document version."""
    return _latest(stored.corrections_of_document(catalogue, doc_id))


def all_verdicts(catalogue: Catalogue) -> dict[str, Correction]:
    """The latest correction of each corrected mention."""
    return _latest(stored.all_corrections(catalogue))


def _latest(rows: Iterable[Mapping]) -> dict[str, Correction]:
    """Rows oldest first: a later correction of a mention replaces the earlier ones."""
    return {row["record_id"]: Correction(**row) for row in rows}


def labelled_sentences(catalogue: Catalogue) -> Iterator[dict]:
    """One line per corrected sentence in the detector's evaluation format
    (`{"id", "text", "labels": [{"demand", "level"}]}`, read by `vigie eval
    --data`): the labels are the analysts' verdicts on that sentence (a
    rejected mention gives none), with who reviewed it and the source."""
    by_sentence: dict[tuple[str, int, str], list[Correction]] = {}
    for verdict in all_verdicts(catalogue).values():
        by_sentence.setdefault((verdict.doc_id, verdict.page, verdict.sentence), []).append(verdict)
    for (doc_id, page, sentence), verdicts in sorted(by_sentence.items()):
        labels = {v.demand_after: v.level_after for v in verdicts if v.demand_after and v.level_after}
        yield {
            "id": f"correction-{doc_id}-p{page}-{min(int(v.record_id.rsplit('-', 3)[-3]) for v in verdicts)}",
            "text": sentence,
            "labels": [{"demand": demand, "level": level} for demand, level in sorted(labels.items())],
            "reviewed": sorted({v.demand_before for v in verdicts}),
            "by": sorted({v.by for v in verdicts}),
            "source": {"doc_id": doc_id, "page": page},
        }


@dataclass(frozen=True)
class Applied:
    correction: Correction
    in_index: bool
    """False when the index could not be reached: the next run applies it."""


def correct(
    catalogue: Catalogue,
    client,
    settings,
    demands: list[str],
    record_id: str,
    *,
    action: str,
    by: str,
    demand: str | None = None,
    level: str | None = None,
    why: str | None = None,
) -> Applied:
    """Record an analyst's verdict on an indexed mention and show it in search
    and scorecards at once; when the index is away, the document's indexing
    is marked stale so the next run applies it."""

    mention = get_mention(client, settings.index_prefix, record_id)
    if mention is None:
        known = history(catalogue, record_id)
        hint = "it was rejected; its history is kept" if known and known[-1].action == "reject" else "check the mention's id"
        raise ConfigError(f"no indexed mention {record_id} ({hint})", source="correction", field="record_id")
    verdict = record_correction(catalogue, mention, action=action, by=by, demand=demand, level=level, why=why, demands=demands)
    catalogue.mark_scorecards_due([verdict.list_key])
    try:
        apply_verdict(client, settings.index_prefix, mention, verdict)
    except IndexUnavailable:
        catalogue.mark_stale(verdict.doc_id, "index", f"correction of {record_id} to apply")
        return Applied(verdict, in_index=False)
    try:
        update_list_records(client, settings, catalogue, demands, served_targets(settings.index_prefix), [verdict.list_key])
    except IndexUnavailable:
        pass  # the list stays due: the next run rewrites it
    return Applied(verdict, in_index=True)
