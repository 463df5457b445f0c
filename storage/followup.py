"""The follow-up tables' queries: plain reads and appends, no rules.

`tracking.followup` holds what a follow-up means (statuses, revisions,
evidence, the fold of events into an item); this module only reads and
appends rows of ``followup_elections``, ``followup_items`` and
``followup_events``, within the connection (and so the transaction) the
caller opened. Nothing here updates or deletes: the tables are append-only.

Every function takes a `Connection` so the caller decides how wide the
transaction is; an `IntegrityError` (a second writer inserting the same
(item_id, revision), or the same item_id) is left to the caller, who knows
what it means.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, Row, insert, select

from storage.schema import followup_elections, followup_events, followup_items, results

__all__ = [
    "add_election",
    "add_event",
    "add_items",
    "elected_in_results",
    "item_ids_of_list",
    "items_with_events",
    "latest_marked_list",
]

_CHUNK = 500
"""Item ids per IN (...) query, well under every database's parameter limit."""


def add_election(db: Connection, *, commune_insee: str, list_key: str, by: str, at: datetime, why: str) -> None:
    """Append the mark that `list_key` won the commune."""
    db.execute(insert(followup_elections).values(commune_insee=commune_insee, list_key=list_key, by=by, at=at, why=why))


def latest_marked_list(db: Connection, commune_insee: str) -> str | None:
    """The list a watchdog marked last for the commune, if any."""
    return db.execute(
        select(followup_elections.c.list_key)
        .where(followup_elections.c.commune_insee == commune_insee)
        .order_by(followup_elections.c.at.desc(), followup_elections.c.id.desc())
        .limit(1)
    ).scalar()


def elected_in_results(db: Connection, commune_insee: str) -> str | None:
    """The list the imported results say was elected in the commune: latest
    round first, then most votes, then list key; None when none is."""
    return db.execute(
        select(results.c.list_key)
        .where(results.c.list_key.startswith(f"{commune_insee}-", autoescape=True), results.c.elected.is_(True))
        .order_by(results.c.round.desc(), results.c.votes.desc(), results.c.list_key)
        .limit(1)
    ).scalar()


def item_ids_of_list(db: Connection, list_key: str) -> list[str]:
    """The ids of the items followed for a list, in no particular order."""
    return list(db.execute(select(followup_items.c.item_id).where(followup_items.c.list_key == list_key)).scalars())


def add_items(db: Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """Append items, one row (a mapping of ``followup_items`` columns) each;
    an id already present raises `IntegrityError`."""
    if rows:
        db.execute(insert(followup_items), list(rows))


def add_event(
    db: Connection,
    *,
    item_id: str,
    revision: int,
    by: str,
    at: datetime,
    status_before: str | None,
    status_after: str | None,
    note: str | None,
    why: str | None,
    evidence: Sequence[Mapping[str, str]],
) -> None:
    """Append one event to an item; `evidence` is stored as a JSON list.

    The unique (item_id, revision) raises `IntegrityError` when another
    writer inserted this revision first."""
    db.execute(
        insert(followup_events).values(
            item_id=item_id, revision=revision, by=by, at=at,
            status_before=status_before, status_after=status_after, note=note, why=why,
            evidence=json.dumps([dict(piece) for piece in evidence], ensure_ascii=False),
        )
    )  # fmt: skip


def items_with_events(db: Connection, item_ids: Iterable[str]) -> list[tuple[Row, list[dict]]]:
    """Each known item's row with its events, oldest first, in no particular
    item order; unknown ids are left out.

    An event is a dict of its ``followup_events`` columns, with ``evidence``
    decoded into a list of dicts (``title`` and ``url`` or ``archive``)."""
    item_ids = sorted(set(item_ids))
    items: list[Row] = []
    events: dict[str, list[dict]] = {}
    for start in range(0, len(item_ids), _CHUNK):
        chunk = item_ids[start : start + _CHUNK]
        items += db.execute(select(followup_items).where(followup_items.c.item_id.in_(chunk))).all()
        for row in db.execute(
            select(followup_events).where(followup_events.c.item_id.in_(chunk)).order_by(followup_events.c.revision)
        ):
            events.setdefault(row.item_id, []).append({**row._asdict(), "evidence": json.loads(row.evidence or "[]")})
    return [(row, events.get(row.item_id, [])) for row in items]
