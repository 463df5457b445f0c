"""The archive: every collected file stored once, content-addressed, immutable.

It is the system of record; everything in Elasticsearch can be rebuilt from it
and the catalogue.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from extract.document import sniff

_EXTENSIONS = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt"}


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    path: Path
    size: int
    media_type: str


def archive_bytes(archive_dir: Path, data: bytes) -> ArchivedFile:
    """Store `data` under its sha256 (written once, atomically; never overwritten)."""
    digest = hashlib.sha256(data).hexdigest()
    media_type = sniff(data)
    target = archive_dir / digest[:2] / f"{digest}{_EXTENSIONS.get(media_type, '.bin')}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, prefix=".partial-") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o444)
        os.replace(handle.name, target)
    return ArchivedFile(sha256=digest, path=target, size=len(data), media_type=media_type)


@dataclass(frozen=True)
class ArchiveProblem:
    path: str
    sha256: str
    problem: str
    """"missing" or "altered"."""

    def __str__(self) -> str:
        return f"{self.path}: {self.problem} (expected sha256 {self.sha256})"


def verify_archive(files: Iterable[tuple[str, str]]) -> list[ArchiveProblem]:
    """Re-hash every (path, sha256) recorded in the catalogue; report files
    that are missing or whose bytes no longer match their hash."""
    problems = []
    for path, expected in sorted(set(files)):
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(2**20), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            problems.append(ArchiveProblem(path, expected, "missing"))
            continue
        if digest.hexdigest() != expected:
            problems.append(ArchiveProblem(path, expected, "altered"))
    return problems
