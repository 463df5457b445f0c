"""The archive: every collected file stored once, content-addressed, immutable.

It is the system of record; everything in Elasticsearch can be rebuilt from it
and the catalogue.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from config.errors import StorageError
from extract.document import sniff
from storage.records import ArchivedFile

logger = logging.getLogger(__name__)

_EXTENSIONS = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt"}


def archive_bytes(archive_dir: Path, data: bytes) -> ArchivedFile:
    """Store `data` under its sha256 (written once, atomically; never overwritten
    while intact).

    A copy found damaged (its bytes no longer hash to its name: a disk or a
    hand altered it) is restored from `data`, which by their hash are its
    true content. A write that fails (a full disk) leaves nothing behind, not
    even the partial file, and raises StorageError."""
    digest = hashlib.sha256(data).hexdigest()
    media_type = sniff(data)
    target = archive_dir / digest[:2] / f"{digest}{_EXTENSIONS.get(media_type, '.bin')}"
    if not target.exists():
        write_atomically(target, data, what="the archived copy", archived=True)
    elif file_sha256(target) != digest:
        logger.warning("%s: the archived copy was damaged (its sha256 no longer matches); restored from its source", target)
        write_atomically(target, data, what="the archived copy", archived=True)
    return ArchivedFile(sha256=digest, path=target, size=len(data), media_type=media_type)


def write_atomically(target: Path, data: bytes, *, what: str = "the file", archived: bool = False) -> None:
    """Write `data` at `target` whole or not at all: through a partial file of
    its own (two writers of one target never meet), which a failed write (a
    full disk) does not leave behind; the failure is a StorageError saying
    what to do. An `archived` copy, the record itself, is synced to disk and
    made read-only; derived files (text, detections, parses) can be redone."""
    partial: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, prefix=".partial-") as handle:
            partial = handle.name
            handle.write(data)
            if archived:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(partial, 0o444 if archived else 0o644)
        os.replace(partial, target)
    except OSError as exc:
        if partial is not None:
            Path(partial).unlink(missing_ok=True)
        raise StorageError(
            f"cannot write {what} ({exc.strerror or exc}); "
            "free space on the disk of the data directory (VIGIE_DATA_DIR), or check its permissions, then run again",
            path=str(target),
        ) from exc


def file_sha256(path: Path) -> str | None:
    """The file's sha256, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(2**20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


@dataclass(frozen=True)
class ArchiveProblem:
    path: str
    sha256: str
    problem: str
    """"missing", "unreadable" or "altered"."""

    def __str__(self) -> str:
        return f"{self.path}: {self.problem} (expected sha256 {self.sha256})"


def verify_archive(files: Iterable[tuple[str, str]]) -> list[ArchiveProblem]:
    """Re-hash every (path, sha256) recorded in the catalogue; report files
    that are missing, cannot be read, or whose bytes no longer match their hash."""
    problems = []
    for path, expected in sorted(set(files)):
        if not Path(path).exists():
            problems.append(ArchiveProblem(path, expected, "missing"))
            continue
        actual = file_sha256(Path(path))
        if actual is None:
            problems.append(ArchiveProblem(path, expected, "unreadable"))
        elif actual != expected:
            problems.append(ArchiveProblem(path, expected, "altered"))
    return problems
