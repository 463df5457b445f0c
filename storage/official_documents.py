"""The catalogue's record of the Ministry's published documents: what each
listed document gave when collected (archived, unknown list, failed, or not
published when the site names the list with no document), so a re-run
fetches only what is new or failed, and coverage can say which lists the
Ministry published."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, insert, select

from storage.catalogue import Catalogue
from storage.schema import official_documents

ARCHIVED, UNKNOWN_LIST, FAILED, NOT_PUBLISHED = "archived", "unknown list", "failed", "not published"


def document_row(catalogue: Catalogue, key: dict[str, Any]) -> dict[str, Any] | None:
    """The row of one listed document (election, round, circonscription, commune_insee, panel, kind), or None."""
    where = [official_documents.c[name] == value for name, value in key.items()]
    with catalogue.engine.connect() as db:
        row = db.execute(select(official_documents).where(*where)).mappings().first()
    return None if row is None else dict(row)


def record_document(catalogue: Catalogue, row: dict[str, Any]) -> None:
    """Write (or replace) the row of one listed document."""
    key = {column.name: row[column.name] for column in official_documents.primary_key.columns}
    with catalogue.engine.begin() as db:
        db.execute(delete(official_documents).where(*[official_documents.c[name] == value for name, value in key.items()]))
        db.execute(insert(official_documents).values(**row, updated_at=datetime.now(timezone.utc)))


def document_rows(catalogue: Catalogue, *, status: str | None = None) -> list[dict[str, Any]]:
    """Every listed document (or those with `status`), by election, round, commune, panel and kind."""
    query = select(official_documents).order_by(*official_documents.primary_key.columns)
    if status is not None:
        query = query.where(official_documents.c.status == status)
    with catalogue.engine.connect() as db:
        return [dict(row) for row in db.execute(query).mappings()]
