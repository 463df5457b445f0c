"""The coverage board: for each declared list, whether its programme is in
the archive, missing, failed, or only a scan; totals per commune and département.

Watchdogs use it to chase missing programmes before the vote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from config.settings import Settings
from extract.stored import stored_text
from storage.catalogue import Catalogue

ARCHIVED, MISSING, FAILED, SCAN_ONLY = "archived", "missing", "failed", "scan only"


@dataclass(frozen=True)
class ListCoverage:
    list_key: str
    label: str
    commune: str
    commune_insee: str
    departement: str
    status: str
    versions: int
    reason: str | None = None


@dataclass
class CoverageReport:
    lists: list[ListCoverage] = field(default_factory=list)

    def totals(self, by: str) -> dict[str, Counter[str]]:
        """Statuses counted per commune (`by="commune"`) or département."""
        counts: dict[str, Counter[str]] = {}
        for item in self.lists:
            counts.setdefault(getattr(item, by), Counter())[item.status] += 1
        return counts

    def to_json(self) -> dict:
        return {
            "lists": [item.__dict__ for item in self.lists],
            "by_commune": {k: dict(v) for k, v in self.totals("commune").items()},
            "by_departement": {k: dict(v) for k, v in self.totals("departement").items()},
        }


def coverage(
    catalogue: Catalogue, settings: Settings, *, departement: str | None = None, commune: str | None = None
) -> CoverageReport:
    held = catalogue.coverage_facts(departement=departement, commune=commune)
    declared, versions, fetch_failures, failed_stages = held.lists, held.programmes, held.fetch_failures, held.failed_stages
    by_list: dict[str, list] = {}
    for version in versions:
        by_list.setdefault(version.list_key, []).append(version)
    report = CoverageReport()
    for row in declared:
        held = by_list.get(row.list_key, [])
        status, reason = _status(held, fetch_failures.get(row.list_key), failed_stages, catalogue, settings)
        report.lists.append(
            ListCoverage(row.list_key, row.label, row.commune, row.commune_insee, row.departement, status, len(held), reason)
        )
    return report


def _status(held, fetch_failure, failed_stages, catalogue, settings) -> tuple[str, str | None]:
    if not held:
        return (FAILED, fetch_failure) if fetch_failure else (MISSING, None)
    failures = [failed_stages[v.version_id] for v in held if v.version_id in failed_stages]
    if len(failures) == len(held):
        return FAILED, failures[-1]
    texts = [stored_text(settings.data_dir, v.sha256) for v in held]
    readable = [t for t in texts if t is not None and any(page.method in {"text", "ocr"} and page.text for page in t.pages)]
    if texts and all(t is not None for t in texts) and not readable:
        return SCAN_ONLY, "scanned pages not read: install tesseract-ocr-fra and run again"
    return ARCHIVED, fetch_failure
