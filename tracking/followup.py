"""Following the elected list's commitments after the election.

Watchdogs mark which list won a commune (`mark_elected`); each commitment of
its programme becomes a follow-up item whose status they update as the term
goes on, with dated notes and evidence links (`record_event`).

Nothing is ever overwritten or deleted, because the value of a follow-up is
its record: who said a commitment was kept, when, from what status, and why.
So the tables are append-only: an item's status is the fold of its events,
never a column that is updated, and marking another list elected adds a row
rather than replacing one (the items of the list marked before stay).

Two people may edit the same item at once. Each change names the revision it
was made from (`expected_revision`); a change made from an older revision is
refused with `StaleRevision` rather than silently undoing the other person's
work. The unique (item_id, revision) pair is what makes this safe on every
database: of two writers who both read revision N, only one can insert N+1.

Tables (in `storage.schema`): ``followup_elections``, ``followup_items``,
``followup_events``; their queries are in `storage.followup`, the rules here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from config.errors import ConfigError, VigieError
from collect.archive import archive_bytes
from extract.document import sniff
from storage import followup as store
from storage.catalogue import Catalogue
from storage.schema import followup_elections, followup_events, followup_items  # named in __all__ for callers and tests

__all__ = [
    "ATTACHABLE",
    "Commitment",
    "Event",
    "Evidence",
    "FollowupSummary",
    "Item",
    "STATUSES",
    "StaleRevision",
    "attach_document",
    "elected_list",
    "followup_elections",
    "followup_events",
    "followup_items",
    "item",
    "items_for_commune",
    "items_for_list",
    "mark_elected",
    "record_event",
    "stale",
    "summarise",
]

STATUSES = ("not started", "in progress", "kept", "partly kept", "broken", "abandoned")
_SOURCE = "follow-up"


class StaleRevision(VigieError):
    """The item changed since the revision the change was made from: saving it
    would silently undo someone else's work, so the user must look again."""

    def __init__(self, message: str, *, item_id: str, expected: int, current: int) -> None:
        self.item_id = item_id
        self.expected = expected
        self.current = current
        super().__init__(f"follow-up item {item_id}: {message}")


@dataclass(frozen=True)
class Commitment:
    """A commitment of the elected list's programme, as detection found it."""

    demand: str
    sentence: str
    page: int
    archive: str
    """The archived file path with ``#page=N``."""
    source_record: str
    """The mention record id it came from: the item's identity, so marking again duplicates nothing."""


@dataclass(frozen=True)
class Evidence:
    """A link backing a change: a web page (`url`) or an archived file (`archive`), exactly one.

    Only http(s) URLs are accepted, because evidence is shown as a link to
    readers and a ``javascript:`` or ``data:`` URL would run in their browser.
    """

    title: str
    url: str | None = None
    archive: str | None = None

    def __post_init__(self) -> None:
        if (self.url is None) == (self.archive is None):
            raise ConfigError(
                "a piece of evidence is either a web page (url) or an archived file (archive), exactly one of them",
                source=_SOURCE, field="evidence",
            )  # fmt: skip
        if self.url is not None and not _is_web_url(self.url):
            raise ConfigError(
                f"{self.url!r} is not a web address; give an http:// or https:// link", source=_SOURCE, field="evidence"
            )
        if self.archive is not None and not _is_archive_path(self.archive):
            raise ConfigError(
                f"{self.archive!r} is not an archived file path (such as archive/ab/cd.pdf#page=3)",
                source=_SOURCE, field="evidence",
            )  # fmt: skip

    def to_json(self) -> dict[str, str]:
        where = {"url": self.url} if self.url is not None else {"archive": self.archive}
        return {**where, "title": self.title}


def _is_web_url(url: str) -> bool:
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        return False  # browsers strip these, so "java\tscript:" would still run
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _is_archive_path(path: str) -> bool:
    if not path.strip() or any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return False
    scheme = urlsplit(path).scheme
    return len(scheme) <= 1  # a path, or a Windows drive letter; never javascript:, data:, http: …


@dataclass(frozen=True)
class Event:
    """One change to an item. `status_before` is the status in force when it
    was made; `status_after` is None when it only added a note or evidence."""

    revision: int
    by: str
    at: datetime
    status_before: str | None
    status_after: str | None
    note: str | None
    why: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Item:
    """A followed commitment: its status is the fold of its history ("not
    started" before any change), its revision the number of events."""

    item_id: str
    commune_insee: str
    list_key: str
    demand: str
    sentence: str
    page: int
    archive: str
    status: str
    revision: int
    updated_at: datetime
    history: tuple[Event, ...]
    """Oldest first."""

    def to_json(self) -> dict:
        """The item as the API and the reports give it: times in ISO 8601, evidence as a list."""
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment  # SQLite drops the zone


def _item_id(list_key: str, source_record: str) -> str:
    return f"{list_key}:{hashlib.sha256(source_record.encode('utf-8')).hexdigest()[:12]}"


def _required(value: str, field: str, what: str) -> str:
    if not value or not value.strip():
        raise ConfigError(f"{what} is required: the follow-up record names it for every change", source=_SOURCE, field=field)
    return value.strip()


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


# --------------------------------------------------------------------------
# The elected list
# --------------------------------------------------------------------------


def mark_elected(
    catalogue: Catalogue, commune_insee: str, list_key: str, commitments: list[Commitment], *, by: str, why: str
) -> list[Item]:
    """Record that `list_key` won the commune and follow each of its commitments.

    Idempotent: an item's id derives from the list and the commitment's source
    record, so marking again (with the same or more commitments) adds only the
    new ones, and a commitment already followed keeps its item and history as
    they are. Items of a list marked before stay: history is never deleted.
    Returns every item of `list_key`.
    """
    by = _required(by, "by", "who marks the list")
    why = _required(why, "why", "why this list is marked elected")
    if not list_key.startswith(f"{commune_insee}-"):
        raise ConfigError(
            f"list {list_key!r} is not a list of commune {commune_insee} (its key starts with {commune_insee}-)",
            source=_SOURCE, field="list_key",
        )  # fmt: skip
    for commitment in commitments:
        if not commitment.source_record.strip():
            raise ConfigError(
                f"the commitment {commitment.sentence[:60]!r} has no source record; it names the mention it came from",
                source=_SOURCE, field="commitment",
            )  # fmt: skip
    for attempt in range(2):
        try:
            with catalogue.engine.begin() as db:
                _mark(db, commune_insee, list_key, commitments, by=by, why=why)
            break
        except IntegrityError:
            if attempt:  # someone marked the same items at the same moment: the second pass skips them
                raise
    return items_for_list(catalogue, list_key)


def _mark(db: Connection, commune_insee: str, list_key: str, commitments: list[Commitment], *, by: str, why: str) -> None:
    now = _now()
    store.add_election(db, commune_insee=commune_insee, list_key=list_key, by=by, at=now, why=why)
    wanted = {_item_id(list_key, c.source_record): c for c in commitments}
    known = set(store.item_ids_of_list(db, list_key))
    rows = [
        {
            "item_id": item_id, "commune_insee": commune_insee, "list_key": list_key, "demand": c.demand,
            "sentence": c.sentence, "page": c.page, "archive": c.archive, "source_record": c.source_record,
            "created_at": now, "created_by": by,
        }
        for item_id, c in wanted.items()
        if item_id not in known
    ]  # fmt: skip
    store.add_items(db, rows)


def elected_list(catalogue: Catalogue, commune_insee: str) -> str | None:
    """The list followed for the commune: the latest one a watchdog marked,
    else the one the imported results say was elected, else None.

    A manual mark wins over the results because it is a deliberate act by
    someone who checked (a second round, a corrected result, a re-run election).
    """
    with catalogue.engine.connect() as db:
        marked = store.latest_marked_list(db, commune_insee)
        if marked is not None:
            return marked
        return store.elected_in_results(db, commune_insee)


# --------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------


def record_event(
    catalogue: Catalogue,
    item_id: str,
    *,
    by: str,
    expected_revision: int,
    status: str | None = None,
    note: str | None = None,
    why: str | None = None,
    evidence: Sequence[Evidence] = (),
) -> Item:
    """Append one change to an item, made from revision `expected_revision`.

    Refused with `StaleRevision` when the item has changed since that revision,
    so nobody overwrites a change they have not seen. A status equal to the
    current one is no status change; an event that changes nothing (no new
    status, no note, no evidence) is refused, so the history only holds acts.
    """
    by = _required(by, "by", "who makes the change")
    if status is not None and status not in STATUSES:
        raise ConfigError(
            f"unknown status {status!r}; use one of: {', '.join(STATUSES)}", source=_SOURCE, field="status"
        )
    note, why, evidence = _text(note), _text(why), tuple(evidence)
    for piece in evidence:
        if not isinstance(piece, Evidence):
            raise ConfigError(f"{piece!r} is not an Evidence", source=_SOURCE, field="evidence")
    try:
        with catalogue.engine.begin() as db:
            found = _load(db, [item_id])
            if not found:
                raise _unknown(item_id)
            [current] = found
            if expected_revision != current.revision:
                raise stale(item_id, expected_revision, current.revision)
            status_after = status if status is not None and status != current.status else None
            if status_after is None and note is None and not evidence:
                raise ConfigError(
                    f"item {item_id}: this change changes nothing (the status is already {current.status!r} and there is "
                    "no note nor evidence); give a new status, a note or a piece of evidence",
                    source=_SOURCE, field="event",
                )  # fmt: skip
            # The new revision is exactly expected + 1, so of two writers who
            # read the same revision the unique (item_id, revision) lets one in.
            store.add_event(
                db, item_id=item_id, revision=expected_revision + 1, by=by, at=_now(),
                status_before=current.status, status_after=status_after, note=note, why=why,
                evidence=[piece.to_json() for piece in evidence],
            )  # fmt: skip
            [changed] = _load(db, [item_id])
            return changed
    except IntegrityError as exc:
        with catalogue.engine.connect() as db:
            [now_at] = _load(db, [item_id])
        raise stale(item_id, expected_revision, now_at.revision) from exc


def stale(item_id: str, expected: int, current: int) -> StaleRevision:
    """The refusal of a change made from `expected` when the item is at `current`."""
    if expected > current:
        message = f"revision {expected} does not exist (the item is at revision {current}); reload the item and retry your change"
    else:
        message = (
            f"someone else changed this item since revision {expected} (it is now at revision {current}); "
            "reload the item and retry your change"
        )
    return StaleRevision(message, item_id=item_id, expected=expected, current=current)


def _unknown(item_id: str) -> ConfigError:
    return ConfigError(
        f"no follow-up item {item_id!r}; list the items of the elected list to find its id", source=_SOURCE, field="item"
    )


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def item(catalogue: Catalogue, item_id: str) -> Item:
    """One item with its full history, oldest first."""
    with catalogue.engine.connect() as db:
        found = _load(db, [item_id])
    if not found:
        raise _unknown(item_id)
    return found[0]


def items_for_list(catalogue: Catalogue, list_key: str) -> list[Item]:
    """The items of a list, by demand, then page, then id."""
    with catalogue.engine.connect() as db:
        return _load(db, store.item_ids_of_list(db, list_key))


def items_for_commune(catalogue: Catalogue, commune_insee: str) -> list[Item]:
    """The items of the commune's elected list (none when no list is known to have won)."""
    list_key = elected_list(catalogue, commune_insee)
    return [] if list_key is None else items_for_list(catalogue, list_key)


def _load(db: Connection, item_ids: Iterable[str]) -> list[Item]:
    """The items, each folded from its events, by demand, page and id."""
    found = store.items_with_events(db, item_ids)
    found.sort(key=lambda pair: (pair[0].demand, pair[0].page, pair[0].item_id))
    return [_fold(row, tuple(_event(event) for event in events)) for row, events in found]


def _event(row: dict) -> Event:
    return Event(
        revision=row["revision"],
        by=row["by"],
        at=_utc(row["at"]),
        status_before=row["status_before"],
        status_after=row["status_after"],
        note=row["note"],
        why=row["why"],
        evidence=tuple(
            Evidence(title=piece["title"], url=piece.get("url"), archive=piece.get("archive")) for piece in row["evidence"]
        ),
    )


def _fold(row, history: tuple[Event, ...]) -> Item:
    status = "not started"
    for event in history:
        if event.status_after is not None:
            status = event.status_after
    return Item(
        item_id=row.item_id,
        commune_insee=row.commune_insee,
        list_key=row.list_key,
        demand=row.demand,
        sentence=row.sentence,
        page=row.page,
        archive=row.archive,
        status=status,
        revision=len(history),
        updated_at=history[-1].at if history else _utc(row.created_at),
        history=history,
    )


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowupSummary:
    """Where a commune's commitments stand, for its report."""

    total: int
    by_status: dict[str, int]
    """Every status of `STATUSES`, in that order, with 0 for those unused."""
    kept: int
    partly: int
    """Partly kept."""
    broken: int
    """Broken or abandoned."""
    pending: int
    """Not started or in progress."""

    def to_json(self) -> dict:
        return asdict(self)


def summarise(items: Iterable[Item]) -> FollowupSummary:
    by_status = dict.fromkeys(STATUSES, 0)
    for followed in items:
        by_status[followed.status] += 1
    return FollowupSummary(
        total=sum(by_status.values()),
        by_status=by_status,
        kept=by_status["kept"],
        partly=by_status["partly kept"],
        broken=by_status["broken"] + by_status["abandoned"],
        pending=by_status["not started"] + by_status["in progress"],
    )


ATTACHABLE = ("application/pdf", "text/html", "text/plain", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def attach_document(catalogue: Catalogue, archive_dir: Path, item_id: str, filename: str, data: bytes, *, max_bytes: int) -> Evidence:
    """Archive a document backing a follow-up item (a deliberation, a budget)
    as a version of its list's sources of kind "evidence": the next processing
    run extracts and indexes it, so it is searchable like a programme, but it
    never counts in scorecards. Returns the evidence to record with an event."""

    found = item(catalogue, item_id)
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)[:120] or "document"
    if not data:
        raise ConfigError(f"{filename}: the file is empty", source=_SOURCE, field="evidence")
    if len(data) > max_bytes:
        raise ConfigError(
            f"{filename}: {len(data) / 2**20:.1f} MiB is over the limit of {max_bytes / 2**20:.0f} MiB (VIGIE_MAX_FILE_MB)",
            source=_SOURCE, field="evidence",
        )  # fmt: skip
    media_type = sniff(data)
    if media_type not in ATTACHABLE:
        raise ConfigError(
            f"{filename}: a {media_type} file cannot be read; attach a PDF, an HTML page, a DOCX or a text file",
            source=_SOURCE, field="evidence",
        )  # fmt: skip
    archived = archive_bytes(archive_dir, data)
    version, _ = catalogue.record_version(found.list_key, f"evidence:{item_id}/{name}", archived, kind="evidence")
    return Evidence(title=filename, archive=version.version_id)
