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

from sqlalchemy import Connection

from collect.official import Candidate, RowWarning, read_candidates
from collect.official_results import ListResult, read_results
from storage import official
from storage.catalogue import Catalogue

T = TypeVar("T")


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
        official.begin_list_import(db)
        try:
            for batch in _batches(_chain(first, rows), batch_size, warn):
                with db.begin():
                    _store_candidates(db, batch)
                summary.candidates += len(batch)
            _apply_staged_lists(db, str(path), summary, warn, batch_size)
        finally:
            official.end_list_import(db)
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
    staged: dict[str, dict[str, Any]] = {}
    for c in batch:
        row = staged.setdefault(c.list_key, _staged_row(c))
        row["max_rank"] = max(row["max_rank"], c.rank)
        if c.is_head and not row["head_of_list"]:
            row["head_of_list"] = c.full_name
    official.store_candidates(
        db,
        list({c.commune_insee: _commune_row(c) for c in batch}.values()),
        list({(c.list_key, c.rank): _candidate_row(c) for c in batch}.values()),
        list(staged.values()),
    )


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


def _apply_staged_lists(db: Connection, path: str, summary: ImportSummary, warn: Callable[[RowWarning], None], page_size: int) -> None:
    last = ""
    while True:
        page, (new, updated, unchanged) = official.apply_staged_lists(db, last, page_size)
        if not page:
            return
        for staged in page:
            if not staged["head_of_list"]:
                warn(_headless(path, staged))
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
    official.store_results(db, {result.list_key: _result_row(result) for result in batch}, batch[0].round)  # one file, one round


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
