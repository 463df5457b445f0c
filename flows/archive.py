"""The archive: every collected file stored once, content-addressed, immutable.

It is the system of record; everything in Elasticsearch can be rebuilt from it
and the catalogue.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
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
