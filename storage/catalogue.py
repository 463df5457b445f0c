"""The catalogue: lists, document versions and each stage's status per document.

SQLite in the data directory by default, any SQLAlchemy URL (PostgreSQL for a
team) through `VIGIE_CATALOGUE_URL`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, func, insert, select, update

from storage.engine import open_engine
from storage.records import ArchivedFile, CandidateList, DocumentVersion, HttpInfo
from storage.schema import document_versions, lists, official_documents, results, scorecards_due, source_failures, stage_log, stages


@dataclass(frozen=True)
class CoverageFacts:
    lists: list
    """The declared lists in scope (rows of `lists`), by département, commune and panel."""
    programmes: list
    """Every programme version (rows of `document_versions`; evidence left out)."""
    fetch_failures: dict[str, str]
    """Why a list's source could not be collected, by list key."""
    failed_stages: dict[str, str | None]
    """The error of each version's failed stage, by version id."""
    official: list
    """The Ministry's published programmes, and lists it names with none (rows of `official_documents`, programmes only)."""


def mark_scorecards_due(db: Connection, keys: Iterable[str]) -> None:
    """Within the caller's transaction, so the change and the mark land together."""
    keys = sorted(set(keys))
    if not keys:
        return
    # Re-marking moves `since` forward: a computation already running may not clear it.
    db.execute(scorecards_due.delete().where(scorecards_due.c.list_key.in_(keys)))
    now = _now()
    db.execute(insert(scorecards_due), [{"list_key": key, "since": now} for key in keys])


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Catalogue:
    """The catalogue at a SQLAlchemy URL, migrated to the current schema on opening."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = open_engine(url)

    def save_list(self, candidate_list: CandidateList) -> None:
        """Record a list named in a sources file, unless it is known already:
        the Ministry's files (`vigie lists import`) are the reference for lists."""
        row = {
            "list_key": candidate_list.key,
            "commune_insee": candidate_list.commune_insee,
            "commune": candidate_list.commune,
            "departement": candidate_list.departement,
            "panel": candidate_list.panel,
            "label": candidate_list.label,
            "nuance": candidate_list.nuance,
            "head_of_list": candidate_list.head_of_list,
        }
        with self.engine.begin() as db:
            if not db.execute(select(lists.c.list_key).where(lists.c.list_key == candidate_list.key)).first():
                db.execute(insert(lists).values(**row))

    def record_version(
        self, list_key: str, source: str, archived: ArchivedFile, http: HttpInfo | None = None, *, kind: str = "programme"
    ) -> tuple[DocumentVersion, bool]:
        """The version of `source` holding these bytes, and whether it is new:
        the known one, or the next version number (older versions stay)."""
        validators = {} if http is None else {
            "http_status": http.status,
            "final_url": http.final_url,
            "content_type": http.content_type,
            "etag": http.etag,
            "last_modified": http.last_modified,
        }
        with self.engine.begin() as db:
            db.execute(source_failures.delete().where(source_failures.c.list_key == list_key, source_failures.c.source == source))
            known = db.execute(
                select(document_versions).where(
                    document_versions.c.list_key == list_key,
                    document_versions.c.source == source,
                    document_versions.c.sha256 == archived.sha256,
                )
            ).first()
            if known is not None:
                if validators:  # same bytes: keep the server's latest validators for the next conditional request
                    db.execute(update(document_versions).where(document_versions.c.version_id == known.version_id).values(**validators))
                return _version({**known._mapping, **validators}), False
            latest = db.execute(
                select(func.max(document_versions.c.version)).where(
                    document_versions.c.list_key == list_key, document_versions.c.source == source
                )
            ).scalar()
            row = {
                # A variant (an easy-to-read version…) may hold the programme's very bytes: its id names its kind.
                "version_id": f"{list_key}-{archived.sha256[:16]}" if kind in ("programme", "evidence") else f"{list_key}-{kind}-{archived.sha256[:16]}",
                "list_key": list_key,
                "source": source,
                "version": (latest or 0) + 1,
                "sha256": archived.sha256,
                "media_type": archived.media_type,
                "size": archived.size,
                "archive_path": str(archived.path),
                "fetched_at": _now(),
                "kind": None if kind == "programme" else kind,
                **validators,
            }
            db.execute(insert(document_versions).values(**row))
            return _version(row), True

    def latest_version(self, list_key: str, source: str) -> DocumentVersion | None:
        with self.engine.connect() as db:
            row = db.execute(
                select(document_versions)
                .where(document_versions.c.list_key == list_key, document_versions.c.source == source)
                .order_by(document_versions.c.version.desc())
                .limit(1)
            ).first()
        return None if row is None else _version(row._mapping)

    def version(self, version_id: str) -> DocumentVersion:
        with self.engine.connect() as db:
            row = db.execute(select(document_versions).where(document_versions.c.version_id == version_id)).first()
        if row is None:
            raise KeyError(version_id)
        return _version(row._mapping)

    def versions_of(self, list_key: str) -> list[DocumentVersion]:
        """Every version of a list's programmes (not evidence), newest first within each source."""
        with self.engine.connect() as db:
            rows = db.execute(
                select(document_versions)
                .where(document_versions.c.list_key == list_key, document_versions.c.kind.is_(None))
                .order_by(document_versions.c.source, document_versions.c.version.desc())
            ).all()
        return [_version(row._mapping) for row in rows]

    def versions(self) -> list[DocumentVersion]:
        """Every document version, oldest first within each source."""
        with self.engine.connect() as db:
            rows = db.execute(select(document_versions).order_by(document_versions.c.source, document_versions.c.version)).all()
        return [_version(row._mapping) for row in rows]

    def record_source_failure(self, list_key: str, source: str, error: str) -> None:
        with self.engine.begin() as db:
            db.execute(source_failures.delete().where(source_failures.c.list_key == list_key, source_failures.c.source == source))
            db.execute(insert(source_failures).values(list_key=list_key, source=source, error=error, updated_at=_now()))

    def stage_done(self, version_id: str, stage: str, key: str) -> bool:
        return self._stage_state(version_id, stage) == (key, "done")

    def stage_failed(self, version_id: str, stage: str, key: str) -> bool:
        return self._stage_state(version_id, stage) == (key, "failed")

    def _stage_state(self, version_id: str, stage: str) -> tuple[str, str] | None:
        with self.engine.connect() as db:
            row = db.execute(
                select(stages.c.key, stages.c.status).where(stages.c.version_id == version_id, stages.c.stage == stage)
            ).first()
        return None if row is None else (row.key, row.status)

    def done_key(self, version_id: str, stage: str) -> str | None:
        """The key of the stage's last successful result for this version, if any."""
        state = self._stage_state(version_id, stage)
        return state[0] if state is not None and state[1] == "done" else None

    def carry_stage(self, version_id: str, stage: str, key: str) -> None:
        """The stage's result stands for a new key without being redone (its
        inputs came out the same); logged as "carried", not as work done."""
        now = _now()
        with self.engine.begin() as db:
            db.execute(update(stages).where(stages.c.version_id == version_id, stages.c.stage == stage).values(key=key, status="done", error=None, updated_at=now))
            db.execute(insert(stage_log).values(version_id=version_id, stage=stage, key=key, status="carried", error=None, at=now))

    def mark_stage(self, version_id: str, stage: str, key: str, status: str, error: str | None = None) -> None:
        """The stage's current state for this version, and one more line in the work log."""
        now = _now()
        with self.engine.begin() as db:
            db.execute(stages.delete().where(stages.c.version_id == version_id, stages.c.stage == stage))
            db.execute(
                insert(stages).values(version_id=version_id, stage=stage, key=key, status=status, error=error, updated_at=now)
            )
            if status != "running":
                db.execute(insert(stage_log).values(version_id=version_id, stage=stage, key=key, status=status, error=error, at=now))

    def mark_stale(self, version_id: str, stage: str, why: str) -> None:
        """The stage's result is out of date (e.g. a correction to apply): the
        next run redoes it, keeping the stored inputs."""
        now = _now()
        with self.engine.begin() as db:
            db.execute(update(stages).where(stages.c.version_id == version_id, stages.c.stage == stage).values(status="stale", error=why, updated_at=now))

    def work_done(self) -> dict[str, int]:
        """How many times each stage has completed work, over the catalogue's life."""
        with self.engine.connect() as db:
            rows = db.execute(
                select(stage_log.c.stage, func.count()).where(stage_log.c.status == "done").group_by(stage_log.c.stage)
            ).all()
        return {stage: count for stage, count in rows}

    def candidate_list(self, list_key: str) -> CandidateList:
        with self.engine.connect() as db:
            row = db.execute(select(lists).where(lists.c.list_key == list_key)).first()
        if row is None:
            raise KeyError(list_key)
        return CandidateList(
            commune_insee=row.commune_insee,
            commune=row.commune,
            departement=row.departement,
            panel=row.panel,
            label=row.label,
            nuance=row.nuance,
            head_of_list=row.head_of_list,
        )

    def list_keys(self) -> list[str]:
        with self.engine.connect() as db:
            return list(db.execute(select(lists.c.list_key).order_by(lists.c.list_key)).scalars())

    def list_details(self, keys: list[str]) -> list[dict]:
        """Each list's details and, once imported, its result (None before), by list key."""
        details: list[dict] = []
        with self.engine.connect() as db:
            for start in range(0, len(keys), 500):
                rows = db.execute(
                    select(lists, results.c.elected, results.c.votes, results.c.percent_expressed, results.c.round)
                    .outerjoin(results, results.c.list_key == lists.c.list_key)
                    .where(lists.c.list_key.in_(keys[start : start + 500]))
                    .order_by(lists.c.list_key)
                ).all()
                details += [
                    {
                        "list_key": row.list_key,
                        "list_label": row.label,
                        "commune": row.commune,
                        "commune_insee": row.commune_insee,
                        "departement": row.departement,
                        "nuance": row.nuance,
                        "head_of_list": row.head_of_list,
                        "panel": row.panel,
                        "elected": row.elected,
                        "votes": row.votes,
                        "percent_expressed": row.percent_expressed,
                        "round": row.round,
                    }
                    for row in rows
                ]
        return details

    def mark_scorecards_due(self, keys: Iterable[str]) -> None:
        with self.engine.begin() as db:
            mark_scorecards_due(db, keys)

    def scorecards_due(self) -> list[str]:
        with self.engine.connect() as db:
            return list(db.execute(select(scorecards_due.c.list_key).order_by(scorecards_due.c.list_key)).scalars())

    def scorecards_written(self, keys: Iterable[str], started: datetime) -> None:
        """These lists' records were rewritten by a computation started at
        `started`; a list marked due again since then stays due."""
        keys = sorted(set(keys))
        with self.engine.begin() as db:
            for start in range(0, len(keys), 500):
                db.execute(
                    scorecards_due.delete().where(
                        scorecards_due.c.list_key.in_(keys[start : start + 500]), scorecards_due.c.since <= started
                    )
                )

    def coverage_facts(self, *, departement: str | None = None, commune: str | None = None) -> CoverageFacts:
        """What the coverage board is made of, read in one connection."""
        query = select(lists).order_by(lists.c.departement, lists.c.commune, lists.c.panel)
        if departement:
            query = query.where(lists.c.departement == departement)
        if commune:
            query = query.where((lists.c.commune_insee == commune) | (lists.c.commune == commune))
        with self.engine.connect() as db:
            return CoverageFacts(
                lists=db.execute(query).all(),
                programmes=db.execute(select(document_versions).where(document_versions.c.kind.is_(None))).all(),
                fetch_failures={row.list_key: row.error for row in db.execute(select(source_failures)).all()},
                failed_stages={
                    row.version_id: row.error for row in db.execute(select(stages).where(stages.c.status == "failed")).all()
                },
                official=db.execute(
                    select(official_documents)
                    .where(official_documents.c.kind == "programme")
                    .order_by(official_documents.c.list_key, official_documents.c.election, official_documents.c.round)
                ).all(),
            )

    def failures(self) -> list[tuple[str, str, str]]:
        """(what, stage, error) for every failed source and stage, for reports and re-runs."""
        with self.engine.connect() as db:
            failed_stages = db.execute(
                select(stages.c.version_id, stages.c.stage, stages.c.error).where(stages.c.status == "failed")
            ).all()
            failed_sources = db.execute(select(source_failures.c.source, source_failures.c.error)).all()
        return [(row.source, "collect", row.error) for row in failed_sources] + [
            (row.version_id, row.stage, row.error or "") for row in failed_stages
        ]


def _version(row) -> DocumentVersion:
    fetched_at = row["fetched_at"]
    if fetched_at.tzinfo is None:  # SQLite drops the zone
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)
    return DocumentVersion(
        version_id=row["version_id"],
        list_key=row["list_key"],
        source=row["source"],
        version=row["version"],
        sha256=row["sha256"],
        media_type=row["media_type"],
        archive_path=row["archive_path"],
        fetched_at=fetched_at,
        etag=row.get("etag"),
        last_modified=row.get("last_modified"),
        kind=row.get("kind") or "programme",
    )
