"""The programme sources file: which list publishes which programme, where.

A CSV with a header; ``source`` is a URL or a path relative to the CSV file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError
from storage.records import CandidateList

# A commune's INSEE code: département (two digits, 2A or 2B) and three digits.
# It names files (list keys are part of version ids), so nothing else is taken.
_INSEE = re.compile(r"(\d{2}|2[AB])\d{3}")
COLUMNS = ("commune_insee", "commune", "departement", "panel", "list_label", "nuance", "head_of_list", "source")


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
            insee = row["commune_insee"].strip().upper()
            if not _INSEE.fullmatch(insee):
                raise ConfigError(
                    f"commune_insee must be a commune's INSEE code (5 characters, e.g. 59698 or 2A004), not {insee!r}",
                    source=str(path),
                    field=where,
                )
            location = row["source"].strip()
            if "://" not in location:
                location = _local_file(path, location, where)
            sources.append(
                Source(
                    candidate_list=CandidateList(
                        commune_insee=insee,
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


def _local_file(sources_file: Path, location: str, where: str) -> str:
    """The absolute path of a local source. A relative path is read from the
    sources file's folder and may not climb out of it (``../``, or a link
    pointing elsewhere); an absolute path is taken as written."""
    folder = sources_file.parent.resolve()
    target = (folder / location).resolve()
    if not Path(location).is_absolute() and not target.is_relative_to(folder):
        raise ConfigError(
            f"{location} leads out of the sources file's folder ({folder}); move the file into that folder "
            "or give its absolute path",
            source=str(sources_file),
            field=where,
        )
    return str(target)


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
