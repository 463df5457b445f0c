"""The catalogue's side of importing the Ministry's files: upserts of
communes, candidates, lists and results, in the caller's transactions.

Portable SQL (no ON CONFLICT), so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, and_, bindparam, delete, insert, select, text, update

from storage.catalogue import mark_scorecards_due
from storage.schema import candidates, communes, lists, results

Row = dict[str, Any]
Merge = Callable[[Row, Row], Row]

# One row per list seen by the running import: a list's head may come in a
# later batch than its first row, so lists are compared and counted at the end.
staged_lists = Table(
    "vigie_list_import",
    MetaData(),
    Column("list_key", String, primary_key=True),
    Column("commune_insee", String, nullable=False),
    Column("commune", String, nullable=False),
    Column("departement", String, nullable=False),
    Column("panel", Integer, nullable=False),
    Column("label", String, nullable=False),
    Column("nuance", String, nullable=False),
    Column("head_of_list", String, nullable=False),
    Column("max_rank", Integer, nullable=False),
    Column("first_line", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


def begin_list_import(db: Connection) -> None:
    """A fresh staging table for this connection's import."""
    with db.begin():
        db.execute(text(f"DROP TABLE IF EXISTS {staged_lists.name}"))
        staged_lists.create(db)


def end_list_import(db: Connection) -> None:
    with db.begin():
        staged_lists.drop(db)


def store_candidates(db: Connection, commune_rows: list[Row], candidate_rows: list[Row], staged_rows: list[Row]) -> None:
    """One batch of a list file (in the caller's transaction): communes and
    candidates upserted, the lists staged until the whole file is read."""
    upsert(db, communes, commune_rows)
    upsert(db, candidates, candidate_rows)
    upsert(db, staged_lists, staged_rows, merge=_merge_staged)


def _merge_staged(old: Row, new: Row) -> Row:
    """A list met again in a later batch: its first rows' details stay, the head and last rank accumulate."""
    return {**old, "head_of_list": old["head_of_list"] or new["head_of_list"], "max_rank": max(old["max_rank"], new["max_rank"])}


def apply_staged_lists(db: Connection, after: str, page_size: int) -> tuple[list[Row], tuple[int, int, int]]:
    """The next page of staged lists (keys after `after`) upserted into `lists`,
    in one transaction: a list whose head is missing keeps its recorded head,
    its candidates ranked after its last rank are deleted, and it is marked
    for its scorecard record. Returns the page and (new, updated, unchanged);
    an empty page when all are applied."""
    list_columns = [column.name for column in lists.columns]
    with db.begin():
        page = [
            dict(row)
            for row in db.execute(
                select(staged_lists).where(staged_lists.c.list_key > after).order_by(staged_lists.c.list_key).limit(page_size)
            ).mappings()
        ]
        if not page:
            return [], (0, 0, 0)
        rows = [{name: staged[name] for name in list_columns} for staged in page]
        counts = upsert(db, lists, rows, merge=_keep_known_head)
        mark_scorecards_due(db, [row["list_key"] for row in rows])
        db.execute(
            delete(candidates).where(candidates.c.list_key == bindparam("stale_key"), candidates.c.rank > bindparam("stale_after")),
            [{"stale_key": staged["list_key"], "stale_after": staged["max_rank"]} for staged in page],
        )
    return page, counts


def _keep_known_head(old: Row, new: Row) -> Row:
    return new if new["head_of_list"] else {**new, "head_of_list": old["head_of_list"]}


def store_results(db: Connection, rows: Mapping[str, Row], round: int) -> None:
    """One batch of results of `round` (in the caller's transaction); a list
    with a result of a later round keeps it."""
    rows = dict(rows)
    later = db.execute(select(results.c.list_key).where(results.c.list_key.in_(sorted(rows)), results.c.round > round)).scalars()
    for key in later:
        del rows[key]
    upsert(db, results, list(rows.values()))
    mark_scorecards_due(db, rows)


def upsert(db: Connection, table: Table, rows: list[Row], *, merge: Merge | None = None) -> tuple[int, int, int]:
    """Insert the new rows, update the changed ones; (new, updated, unchanged)."""
    if not rows:
        return 0, 0, 0
    keys = [column.name for column in table.primary_key.columns]
    found = db.execute(select(table).where(table.c[keys[0]].in_(sorted({row[keys[0]] for row in rows})))).mappings()
    existing = {tuple(row[k] for k in keys): dict(row) for row in found}
    new, changed, unchanged = [], [], 0
    for row in rows:
        old = existing.get(tuple(row[k] for k in keys))
        if old is None:
            new.append(row)
            continue
        if merge is not None:
            row = merge(old, row)
        if any(old[name] != value for name, value in row.items()):
            changed.append(row)
        else:
            unchanged += 1
    if new:
        db.execute(insert(table), new)
    if changed:
        where = and_(*(table.c[k] == bindparam(f"key_{k}") for k in keys))
        db.execute(
            update(table).where(where),
            [{**{f"key_{k}": row[k] for k in keys}, **{n: v for n, v in row.items() if n not in keys}} for row in changed],
        )
    return len(new), len(changed), unchanged
