"""The programme sources file: which list publishes which programme, where.

A CSV with a header; ``source`` is a URL or a path relative to the CSV file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError

COLUMNS = ("commune_insee", "commune", "departement", "panel", "list_label", "nuance", "head_of_list", "source")


@dataclass(frozen=True)
class CandidateList:
    commune_insee: str
    commune: str
    departement: str
    panel: int
    label: str
    nuance: str
    head_of_list: str

    @property
    def key(self) -> str:
        """Commune INSEE code and panel number: the Ministry's list key."""
        return f"{self.commune_insee}-{self.panel}"


@dataclass(frozen=True)
class Source:
    candidate_list: CandidateList
    location: str
    """A URL, or an absolute path to a local file."""


def read_sources(path: Path) -> list[Source]:
    """Every row of a sources file; a bad row raises a ConfigError naming its line."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ConfigError(f"cannot read the sources file ({exc.strerror})", source=str(path)) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ConfigError(f"missing column(s) {missing}; expected {list(COLUMNS)}", source=str(path), field="line 1")
        sources = []
        for row in reader:
            where = f"line {reader.line_num}"
            if not all((row.get(column) or "").strip() for column in ("commune_insee", "commune", "panel", "list_label", "source")):
                raise ConfigError("commune_insee, commune, panel, list_label and source are required", source=str(path), field=where)
            try:
                panel = int(row["panel"])
            except ValueError as exc:
                raise ConfigError(f"panel must be a number, not {row['panel']!r}", source=str(path), field=where) from exc
            location = row["source"].strip()
            if "://" not in location:
                location = str((path.parent / location).resolve())
            sources.append(
                Source(
                    candidate_list=CandidateList(
                        commune_insee=row["commune_insee"].strip(),
                        commune=row["commune"].strip(),
                        departement=(row.get("departement") or "").strip(),
                        panel=panel,
                        label=row["list_label"].strip(),
                        nuance=(row.get("nuance") or "").strip(),
                        head_of_list=(row.get("head_of_list") or "").strip(),
                    ),
                    location=location,
                )
            )
    return sources


def add_source(registry: Path, source: Source) -> bool:
    """Append `source` to the registry (created with its header when missing);
    False when this list already has this source."""
    if registry.exists() and any(
        s.candidate_list.key == source.candidate_list.key and s.location == source.location for s in read_sources(registry)
    ):
        return False
    registry.parent.mkdir(parents=True, exist_ok=True)
    new_file = not registry.exists()
    with registry.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new_file:
            writer.writerow(COLUMNS)
        lst = source.candidate_list
        writer.writerow(
            [lst.commune_insee, lst.commune, lst.departement, lst.panel, lst.label, lst.nuance, lst.head_of_list, source.location]
        )
    return True
