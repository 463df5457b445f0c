"""The catalogue's side of analysts' corrections (`tracking.corrections` holds
the rules): an append-only table, read back in the order it was written.

Rows are plain dicts of the table's columns without its row id, with `at`
always in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timezone
from typing import Any

from sqlalchemy import ColumnElement, insert, select

from storage.catalogue import Catalogue
from storage.schema import corrections


def insert_correction(catalogue: Catalogue, row: Mapping[str, Any]) -> None:
    """Append one correction (every column but the row id), in its own transaction."""
    with catalogue.engine.begin() as db:
        db.execute(insert(corrections).values(**row))


def corrections_of_mention(catalogue: Catalogue, record_id: str) -> list[dict[str, Any]]:
    """Every correction of one mention, in the order they were recorded."""
    return _corrections(catalogue, corrections.c.record_id == record_id)


def corrections_of_document(catalogue: Catalogue, doc_id: str) -> list[dict[str, Any]]:
    """Every correction of the mentions of one document version, in the order they were recorded."""
    return _corrections(catalogue, corrections.c.doc_id == doc_id)


def all_corrections(catalogue: Catalogue) -> list[dict[str, Any]]:
    """Every correction, in the order they were recorded."""
    return _corrections(catalogue, None)


def _corrections(catalogue: Catalogue, where: ColumnElement[bool] | None) -> list[dict[str, Any]]:
    query = select(corrections).order_by(corrections.c.id)
    if where is not None:
        query = query.where(where)
    with catalogue.engine.connect() as db:
        return [_row(row) for row in db.execute(query).mappings()]


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values.pop("id")
    if values["at"].tzinfo is None:  # SQLite drops the zone
        values["at"] = values["at"].replace(tzinfo=timezone.utc)
    return values
