"""What the catalogue holds, as the rest of Vigie sees it: plain records.

They live with the storage, not with the collection that makes them, so the
catalogue depends on nothing but its own package and the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class CandidateList:
    commune_insee: str
    commune: str
    departement: str
    panel: int
    label: str
    nuance: str
    head_of_list: str
    circonscription: str = ""
    """A sector of Paris, Lyon or Marseille or a circonscription of the Métropole de Lyon; empty for a commune's list."""

    @property
    def key(self) -> str:
        """Commune INSEE code and panel number, the Ministry's list key (with the sector or circonscription between them when there is one)."""
        return "-".join(part for part in (self.commune_insee, self.circonscription, str(self.panel)) if part)


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    path: Path
    size: int
    media_type: str


@dataclass(frozen=True)
class HttpInfo:
    status: int
    final_url: str
    content_type: str | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class DocumentVersion:
    version_id: str
    list_key: str
    source: str
    version: int
    sha256: str
    media_type: str
    archive_path: str
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    kind: str = "programme"
    """"programme", or "evidence" (attached to a follow-up item: searchable, never in scorecards)."""
