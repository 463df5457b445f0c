"""The catalogue's side of saved searches and alerts (`tracking.alerts` holds
the rules): the searches, the hits each one has seen, and when each hit was
delivered on each channel.

Requests and hits are kept as JSON text and handed back as plain dicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from storage.catalogue import Catalogue
from storage.schema import alert_hits, saved_searches

DELIVERY_BATCH = 500
"""Record ids per UPDATE when marking hits delivered, under every database's parameter limit."""


def replace_saved_search(
    catalogue: Catalogue,
    *,
    name: str,
    request: Mapping[str, Any],
    email: str | None,
    webhook: str | None,
    baseline: Iterable[str],
    now: datetime,
) -> None:
    """In one transaction: forget the search `name` and its hits, then store it
    anew with `baseline` as hits already seen (stored sorted, never delivered)."""
    with catalogue.engine.begin() as db:
        db.execute(delete(alert_hits).where(alert_hits.c.search == name))
        db.execute(delete(saved_searches).where(saved_searches.c.name == name))
        db.execute(
            insert(saved_searches).values(
                name=name, request=json.dumps(dict(request), ensure_ascii=False), email=email,
                webhook=webhook, created_at=now, checked_at=now,
            )
        )  # fmt: skip
        rows = [{"search": name, "record_id": rid, "found_at": now, "baseline": True} for rid in sorted(baseline)]
        if rows:
            db.execute(insert(alert_hits), rows)


def saved_search_rows(catalogue: Catalogue) -> list[dict[str, Any]]:
    """Every saved search by name: name, request (a dict), email, webhook."""
    with catalogue.engine.connect() as db:
        rows = db.execute(
            select(saved_searches.c.name, saved_searches.c.request, saved_searches.c.email, saved_searches.c.webhook)
            .order_by(saved_searches.c.name)
        ).mappings().all()  # fmt: skip
    return [{**row, "request": json.loads(row["request"])} for row in rows]


def delete_saved_search(catalogue: Catalogue, name: str) -> bool:
    """Forget the search and its hits, in one transaction; False when there was no such search."""
    with catalogue.engine.begin() as db:
        db.execute(delete(alert_hits).where(alert_hits.c.search == name))
        return db.execute(delete(saved_searches).where(saved_searches.c.name == name)).rowcount > 0


def seen_record_ids(catalogue: Catalogue, search: str) -> set[str]:
    """The record ids already stored for a search, baseline included."""
    with catalogue.engine.connect() as db:
        return set(db.execute(select(alert_hits.c.record_id).where(alert_hits.c.search == search)).scalars())


def record_check(catalogue: Catalogue, search: str, hits: Sequence[Mapping[str, Any]], now: datetime) -> None:
    """In one transaction: store `hits` (each with its "record_id") as new,
    undelivered hits of the search, and note that it was checked at `now`."""
    with catalogue.engine.begin() as db:
        if hits:
            db.execute(
                insert(alert_hits),
                [
                    {"search": search, "record_id": hit["record_id"], "found_at": now, "baseline": False,
                     "hit": json.dumps(dict(hit), ensure_ascii=False)}
                    for hit in hits
                ],
            )  # fmt: skip
        db.execute(update(saved_searches).where(saved_searches.c.name == search).values(checked_at=now))


def undelivered_hits(catalogue: Catalogue, search: str, column: str) -> list[dict[str, Any]]:
    """The stored hits of a search (baseline left out) whose delivery `column`
    (shown_at, emailed_at or posted_at) is empty, oldest first."""
    delivered_at = alert_hits.c[column]
    with catalogue.engine.connect() as db:
        rows = db.execute(
            select(alert_hits.c.hit)
            .where(alert_hits.c.search == search, alert_hits.c.baseline.is_(False), delivered_at.is_(None))
            .order_by(alert_hits.c.found_at, alert_hits.c.record_id)
        ).scalars()
        return [json.loads(hit) for hit in rows]


def mark_hits_delivered(catalogue: Catalogue, search: str, record_ids: Sequence[str], column: str, at: datetime) -> None:
    """Set the delivery `column` of these hits of a search to `at`, in one transaction."""
    with catalogue.engine.begin() as db:
        for start in range(0, len(record_ids), DELIVERY_BATCH):
            db.execute(
                update(alert_hits)
                .where(alert_hits.c.search == search, alert_hits.c.record_id.in_(record_ids[start : start + DELIVERY_BATCH]))
                .values({column: at})
            )
