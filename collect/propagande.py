"""The Ministry's online publication of professions de foi ("propagande"),
collected by itself: every document it lists (`collect.propagande_site`),
archived and linked to its list.

A municipal list's document is linked to its list by commune and panel (the
lists imported by `vigie lists import`); one whose list is unknown is archived
all the same and recorded with the reason, and a later run links it without
fetching it again. The sector lists of Paris, Lyon and Marseille and the
Métropole de Lyon's lists are in no list file Vigie reads: the Ministry's
record of the list (its head and panel) registers it. A list the site names
with no document is recorded as not published, so coverage can say so.
Every document goes through the same fetch → archive → catalogue path as any
source.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collect.archive import archive_bytes
from collect.propagande_site import MUNICIPAL, ROUNDS, Listed, Site, Unpublished, WalkFailure, election_kind, election_urls, walk
from config.errors import ExtractionError, FetchError, StorageError
from config.settings import Settings
from storage import official_documents as documents
from storage.catalogue import Catalogue
from storage.records import ArchivedFile, CandidateList, HttpInfo


@dataclass
class PropagandeRun:
    listed: int = 0
    """Documents the site lists (lists with none are counted in `not_published`)."""
    new_versions: int = 0
    unchanged: int = 0
    unknown_list: int = 0
    failed: int = 0
    not_published: int = 0
    """Lists the site names, for a round, with no document."""
    registered_lists: int = 0
    """Sector and metropolitan lists registered from the Ministry's record."""
    requests: int = 0
    unpublished: list[str] = field(default_factory=list)
    """The elections' rounds the site does not publish (yet)."""
    failures: list[str] = field(default_factory=list)
    """What failed, each naming its URL: JSON answers and documents."""
    unknown: list[str] = field(default_factory=list)
    """Documents archived whose list is not in the catalogue, each with its list key and URL."""
    skipped: list[str] = field(default_factory=list)
    """What was left out on purpose, and why."""

    def to_json(self) -> dict:
        return dict(self.__dict__)


def collect_propagande(
    settings: Settings,
    catalogue: Catalogue,
    site: Site,
    *,
    elections: Iterable[str] = (),
    rounds: Iterable[int] = ROUNDS,
    departements: Iterable[str] = (),
    communes: Iterable[str] = (),
) -> PropagandeRun:
    """Archive every listed document not archived yet (or changed, or failed
    before), linked to its list; record each one's outcome. `elections` are
    the site's trees to walk (`municipales`, `arrondissements`,
    `metropolitaines`; default: all the configured URL brings)."""
    run = PropagandeRun()
    rounds = tuple(rounds)
    for election_url in election_urls(site.base_url, elections):
        for item in walk(site, election_url, rounds=rounds, departements=departements, communes=communes):
            if isinstance(item, Unpublished):
                run.unpublished.append(str(item))
            elif isinstance(item, WalkFailure):
                run.failures.append(item.error)
            else:
                _collect_document(settings, catalogue, site, item, run)
    run.requests = site.requests
    return run


def _collect_document(settings: Settings, catalogue: Catalogue, site: Site, listed: Listed, run: PropagandeRun) -> None:
    def fetched() -> tuple[bytes, HttpInfo | None]:
        answer = site.document(listed.url)
        if not answer.data:
            raise FetchError("the site sent an empty document", url=listed.url, status=answer.status)
        return answer.data, HttpInfo(answer.status, answer.final_url, answer.content_type, answer.etag, answer.last_modified)

    record_listed(settings, catalogue, listed, fetched, run)


Obtain = Callable[[], tuple[bytes, HttpInfo | None]]
"""The bytes of a listed document (and what the server said), from wherever it is published."""


def record_listed(settings: Settings, catalogue: Catalogue, listed: Listed, obtain: Obtain, run: PropagandeRun) -> None:
    """Archive one listed document unless it is already (same document id),
    link it to its list when the list is known, and record the outcome."""
    known = documents.document_row(catalogue, listed.key)
    if not listed.document_id:
        _record_not_published(catalogue, listed, known, run)
        return
    run.listed += 1
    same = known is not None and known["document_id"] == listed.document_id
    if same and known["status"] == documents.ARCHIVED:
        run.unchanged += 1
        return
    row = {
        **listed.key, "list_key": listed.list_key, "document_id": listed.document_id, "url": listed.url,
        "record": json.dumps(listed.record, ensure_ascii=False),
    }  # fmt: skip
    try:
        archived, http = _archived(settings, listed, obtain, known if same else None)
        row["sha256"] = archived.sha256
        if not _list_known(catalogue, listed, run):
            run.unknown_list += 1
            run.unknown.append(f"{listed.list_key} ({listed.commune}, {listed.candidate}): {listed.url}")
            row.update(status=documents.UNKNOWN_LIST, error=_unknown_list(listed))
        else:
            version, new = catalogue.record_version(listed.list_key, listed.source, archived, http, kind=listed.kind)
            run.new_versions += new
            run.unchanged += not new
            row.update(status=documents.ARCHIVED, error=None, version_id=version.version_id)
    except (FetchError, StorageError, ExtractionError) as exc:
        run.failed += 1
        run.failures.append(str(exc))
        row.update(status=documents.FAILED, error=str(exc))
    documents.record_document(catalogue, row)


def _record_not_published(catalogue: Catalogue, listed: Listed, known: dict | None, run: PropagandeRun) -> None:
    """A list named with no document this round: recorded once, so coverage
    says "not published" rather than nothing (a document archived before for
    this round stays, its row too)."""
    run.not_published += 1
    if known is not None:
        return
    _list_known(catalogue, listed, run)
    row = {
        **listed.key, "list_key": listed.list_key, "document_id": "", "url": "",
        "record": json.dumps(listed.record, ensure_ascii=False), "status": documents.NOT_PUBLISHED,
    }  # fmt: skip
    documents.record_document(catalogue, row)


def _archived(settings: Settings, listed: Listed, obtain: Obtain, known: dict | None) -> tuple[ArchivedFile, HttpInfo | None]:
    """The document's archived copy: the one kept for a list unknown before
    (not obtained again), else obtained and archived."""
    archive = settings.data_dir / "archive"
    if known is not None and known["sha256"]:
        for path in (archive / known["sha256"][:2]).glob(f"{known['sha256']}.*"):
            return archive_bytes(archive, Path(path).read_bytes()), None
    data, http = obtain()
    return archive_bytes(archive, data), http


def _list_known(catalogue: Catalogue, listed: Listed, run: PropagandeRun) -> bool:
    """Whether the document's list is in the catalogue; a sector or
    metropolitan list is registered from the Ministry's record when it is not."""
    try:
        catalogue.candidate_list(listed.list_key)
    except KeyError:
        if election_kind(listed.election) == MUNICIPAL:
            return False
        catalogue.save_list(_list_of_record(listed))
        run.registered_lists += 1
    return True


def _list_of_record(listed: Listed) -> CandidateList:
    place = listed.place
    head = listed.candidate.strip()
    where = place.circonscription_name or place.circonscription
    return CandidateList(
        commune_insee=place.commune_insee, commune=place.commune, departement=place.departement, panel=listed.panel,
        label=f"{where} : liste conduite par {head}" if head else f"{where} : liste n° {listed.panel}",
        nuance=str(listed.record.get("nuance", "") or ""), head_of_list=head, circonscription=place.circonscription,
    )  # fmt: skip


def _unknown_list(listed: Listed) -> str:
    return (
        f"no list {listed.list_key} (commune {listed.commune_insee}, panel {listed.panel}) in the catalogue; "
        "the document is archived: import the Ministry's list file (`vigie lists import`) and collect again to link it"
    )
