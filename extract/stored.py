"""Where an archived file's extracted text is kept: beside the archive, named
by the file's sha256 and the extractor's version, so a new extractor never
reads an old extraction and the same bytes are extracted once."""

from __future__ import annotations

import json
from pathlib import Path

from extract.model import EXTRACTOR_VERSION, ExtractedDocument


def text_file(data_dir: Path, sha256: str) -> Path:
    return data_dir / "text" / f"{sha256}.{EXTRACTOR_VERSION}.json"


def stored_text(data_dir: Path, sha256: str) -> ExtractedDocument | None:
    """The text extracted from the file with this sha256, None when not extracted yet."""
    path = text_file(data_dir, sha256)
    return ExtractedDocument.from_json(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None
