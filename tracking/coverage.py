"""The coverage board: for each declared list, whether its programme is in
the archive, missing, failed, or only a scan, and whether the Ministry
published its profession de foi; totals per commune and département.

Watchdogs use it to chase missing programmes before the vote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from collect.propagande_site import departement_of
from config.settings import Settings
from extract.stored import stored_text
from storage.catalogue import Catalogue

ARCHIVED, MISSING, FAILED, SCAN_ONLY = "archived", "missing", "failed", "scan only"
NOT_COLLECTED = "not collected"
"""The Ministry's publication was not walked for the list (`vigie collect propagande`, or the archive import)."""


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
    ministry: str = NOT_COLLECTED
    """What the Ministry's publication gave for the list, per round: "published (round 1)", "not published (round 2)", "failed (round 1)"."""
    ministry_reason: str | None = None
    """Why the Ministry's document could not be collected, naming its URL."""


@dataclass
class CoverageReport:
    lists: list[ListCoverage] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)
    """Documents the Ministry published for lists not imported, each with its list key and URL."""

    def totals(self, by: str) -> dict[str, Counter[str]]:
        """Statuses counted per commune (`by="commune"`) or département."""
        counts: dict[str, Counter[str]] = {}
        for item in self.lists:
            counts.setdefault(getattr(item, by), Counter())[item.status] += 1
        return counts

    def to_json(self) -> dict:
        return {
            "lists": [item.__dict__ for item in self.lists],
            "unlinked": self.unlinked,
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
    official: dict[str, list] = {}
    for document in held.official:
        official.setdefault(document.list_key, []).append(document)
    report = CoverageReport()
    for row in declared:
        versions_held = by_list.get(row.list_key, [])
        status, reason = _status(versions_held, fetch_failures.get(row.list_key), failed_stages, catalogue, settings)
        ministry, ministry_reason = _ministry(official.pop(row.list_key, []))
        report.lists.append(
            ListCoverage(
                row.list_key, row.label, row.commune, row.commune_insee, row.departement, status, len(versions_held), reason,
                ministry, ministry_reason,
            )
        )  # fmt: skip
    for documents in official.values():
        for document in documents:
            in_scope = (not commune or document.commune_insee == commune) and (
                not departement or departement_of(document.commune_insee) == departement
            )
            if document.status == "unknown list" and in_scope:
                report.unlinked.append(f"{document.list_key} (round {document.round}): {document.url}")
    return report


def _ministry(documents: list) -> tuple[str, str | None]:
    """What the Ministry's rows of one list say, round by round."""
    if not documents:
        return NOT_COLLECTED, None
    said = {
        "archived": "published", "unknown list": "published, not linked yet: collect again",
        "not published": "not published", "failed": "failed",
    }  # fmt: skip
    by_round: dict[int, str] = {}
    reason = None
    for document in documents:
        by_round.setdefault(document.round, said.get(document.status, document.status))
        if document.status == "failed":
            reason = document.error
    parts: dict[str, list[int]] = {}
    for round, state in sorted(by_round.items()):
        parts.setdefault(state, []).append(round)
    return ", ".join(f"{state} (round {', '.join(map(str, rounds))})" for state, rounds in parts.items()), reason


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
