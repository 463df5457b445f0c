"""The Ministry's candidate lists and results imported into the catalogue.

Upserts in batches, one transaction per batch, so memory does not grow with
the file (the 2026 first-round list file has 888,000 rows) and re-importing
the same file changes nothing. Lists whose details or result changed are
marked for their scorecard records to be rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, and_, bindparam, delete, insert, select, text, update

from collect.official import Candidate, RowWarning, read_candidates
from collect.official_results import ListResult, read_results
from storage.catalogue import Catalogue, mark_scorecards_due
from storage.schema import candidates, communes, lists, results

T = TypeVar("T")


# One row per list seen by the running import: a list's head may come in a
# later batch than its first row, so lists are compared and counted at the end.
_staged_lists = Table(
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


BATCH_ROWS = 2_000
"""Rows upserted per transaction: a few MB of Python objects at most."""


@dataclass
class ImportSummary:
    lists_new: int = 0
    lists_updated: int = 0
    lists_unchanged: int = 0
    candidates: int = 0
    warnings: int = 0

    def line(self) -> str:
        return (
            f"lists: {self.lists_new} new, {self.lists_updated} updated, {self.lists_unchanged} unchanged; "
            f"candidates: {self.candidates}; warnings: {self.warnings}"
        )

    def to_json(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class ResultsSummary:
    lists: int = 0
    elected: int = 0
    warnings: int = 0

    def line(self) -> str:
        return f"results: {self.lists} lists, {self.elected} elected; warnings: {self.warnings}"

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def import_lists(
    path: Path,
    catalogue: Catalogue,
    *,
    on_warning: Callable[[RowWarning], None] | None = None,
    batch_size: int = BATCH_ROWS,
) -> ImportSummary:
    """Upsert the communes, lists and candidates of a list file; counts lists new, updated and unchanged.

    Lists are never deleted (a file may cover part of France only); a list's
    candidates ranked after its last rank in the file are, so a shortened
    corrected list leaves no stale candidate. A list whose head row is missing
    keeps its recorded head.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    path = Path(path)
    summary = ImportSummary()
    warn = _counting(on_warning, summary)
    rows = read_candidates(path)
    first = next(rows, None)  # detect the layout (and fail) before touching the database
    with catalogue.engine.connect() as db:
        with db.begin():
            db.execute(text(f"DROP TABLE IF EXISTS {_staged_lists.name}"))
            _staged_lists.create(db)
        try:
            for batch in _batches(_chain(first, rows), batch_size, warn):
                with db.begin():
                    _store_candidates(db, batch)
                summary.candidates += len(batch)
            _apply_staged_lists(db, str(path), summary, warn, batch_size)
        finally:
            with db.begin():
                _staged_lists.drop(db)
    return summary


def _chain(first: T | None, rest: Iterator[T]) -> Iterator[T]:
    if first is not None:
        yield first
    yield from rest


def _counting(on_warning: Callable[[RowWarning], None] | None, summary: ImportSummary | ResultsSummary) -> Callable[[RowWarning], None]:
    def warn(warning: RowWarning) -> None:
        summary.warnings += 1
        if on_warning is not None:
            on_warning(warning)

    return warn


def _batches(items: Iterable[T | RowWarning], size: int, warn: Callable[[RowWarning], None]) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        if isinstance(item, RowWarning):
            warn(item)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_candidates(db: Connection, batch: list[Candidate]) -> None:
    _upsert(db, communes, list({c.commune_insee: _commune_row(c) for c in batch}.values()))
    _upsert(db, candidates, list({(c.list_key, c.rank): _candidate_row(c) for c in batch}.values()))
    staged: dict[str, dict[str, Any]] = {}
    for c in batch:
        row = staged.setdefault(c.list_key, _staged_row(c))
        row["max_rank"] = max(row["max_rank"], c.rank)
        if c.is_head and not row["head_of_list"]:
            row["head_of_list"] = c.full_name
    _upsert(db, _staged_lists, list(staged.values()), merge=_merge_staged)


def _commune_row(c: Candidate) -> dict[str, Any]:
    return {"commune_insee": c.commune_insee, "name": c.commune, "departement_code": c.departement_code, "departement": c.departement}


def _candidate_row(c: Candidate) -> dict[str, Any]:
    return {
        "list_key": c.list_key,
        "rank": c.rank,
        "sex": c.sex,
        "surname": c.surname,
        "first_name": c.first_name,
        "nationality": c.nationality,
        "community_council": c.community_council,
        "is_head": c.is_head,
    }


def _staged_row(c: Candidate) -> dict[str, Any]:
    return {
        "list_key": c.list_key,
        "commune_insee": c.commune_insee,
        "commune": c.commune,
        "departement": c.departement_code,
        "panel": c.panel,
        "label": c.list_label,
        "nuance": c.nuance_code,
        "head_of_list": "",
        "max_rank": c.rank,
        "first_line": c.line,
    }


def _merge_staged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A list met again in a later batch: its first rows' details stay, the head and last rank accumulate."""
    return {**old, "head_of_list": old["head_of_list"] or new["head_of_list"], "max_rank": max(old["max_rank"], new["max_rank"])}


def _apply_staged_lists(db: Connection, path: str, summary: ImportSummary, warn: Callable[[RowWarning], None], page_size: int) -> None:
    last = ""
    list_columns = [column.name for column in lists.columns]
    while True:
        with db.begin():
            page = db.execute(
                select(_staged_lists).where(_staged_lists.c.list_key > last).order_by(_staged_lists.c.list_key).limit(page_size)
            ).mappings().all()
            if not page:
                return
            for staged in page:
                if not staged["head_of_list"]:
                    warn(_headless(path, staged))
            rows = [{name: staged[name] for name in list_columns} for staged in page]
            new, updated, unchanged = _upsert(db, lists, rows, merge=_keep_known_head)
            mark_scorecards_due(db, [row["list_key"] for row in rows])
            db.execute(
                delete(candidates).where(candidates.c.list_key == bindparam("stale_key"), candidates.c.rank > bindparam("stale_after")),
                [{"stale_key": staged["list_key"], "stale_after": staged["max_rank"]} for staged in page],
            )
        summary.lists_new += new
        summary.lists_updated += updated
        summary.lists_unchanged += unchanged
        last = page[-1]["list_key"]


def _headless(path: str, staged: Any) -> RowWarning:
    return RowWarning(
        path, staged["first_line"], None,
        f"list {staged['list_key']} has no head of list (no 'Tête de liste' = OUI in 2026, no candidate number 1 "
        "in 2020); its recorded head, if any, is kept. Check the list's rows in the file",
    )  # fmt: skip


def _keep_known_head(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return new if new["head_of_list"] else {**new, "head_of_list": old["head_of_list"]}


def _upsert(
    db: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    merge: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None,
) -> tuple[int, int, int]:
    """Insert the new rows, update the changed ones; (new, updated, unchanged). Portable SQL, no ON CONFLICT."""
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


def import_results(
    path: Path,
    catalogue: Catalogue,
    *,
    round: int | None = None,
    on_warning: Callable[[RowWarning], None] | None = None,
    batch_size: int = BATCH_ROWS,
) -> ResultsSummary:
    """Upsert one row per list into `results`. A result from an earlier round never replaces a later one."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    path = Path(path)
    summary = ResultsSummary()
    warn = _counting(on_warning, summary)
    items = read_results(path, round=round)
    first = next(items, None)
    with catalogue.engine.connect() as db:
        for batch in _batches(_chain(first, items), batch_size, warn):
            with db.begin():
                _store_results(db, batch)
            summary.lists += len(batch)
            summary.elected += sum(result.elected for result in batch)
    return summary


def _store_results(db: Connection, batch: list[ListResult]) -> None:
    rows = {result.list_key: _result_row(result) for result in batch}
    round = batch[0].round  # one file, one round
    later = db.execute(select(results.c.list_key).where(results.c.list_key.in_(sorted(rows)), results.c.round > round)).scalars()
    for key in later:
        del rows[key]
    _upsert(db, results, list(rows.values()))
    mark_scorecards_due(db, rows)


def _result_row(result: ListResult) -> dict[str, Any]:
    return {
        "list_key": result.list_key,
        "votes": result.votes,
        "percent_expressed": result.percent_expressed,
        "elected": result.elected,
        "seats_council": result.seats_council,
        "seats_community": result.seats_community,
        "round": result.round,
    }
