"""The Ministry's online publication of professions de foi ("propagande"),
collected by itself: every document it lists, archived and linked to its list.

The site serves, per round ``T``, JSON objects whose ``data`` key holds a list:
``data-json/T_departements.json`` (``id``, ``name``), then
``data-json/T_communes_dpt_<dép>.json`` (``id`` = INSEE code, ``com``), then
``data-json/T_candidats_com_<insee>.json``: one record per list, with its
``numPanneau`` and the ids of its documents (``pdf``, ``pdf_acc``, ``falc``,
``falc_acc``, each ``"<id>|…"`` or ``"0"`` when absent), at ``data-pdf/<id>.pdf``.

A document is linked to its list by commune and panel (the lists imported by
`vigie lists import`); one whose list is unknown is archived all the same and
recorded with the reason, and a later run links it without fetching it again.
Every document goes through the same fetch → archive → catalogue path as any
source. A round not yet published answers with an error or an empty list; a
JSON answer that is an HTML page (the site's bot protection) or malformed is
a failure naming its URL, and the walk goes on with the rest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from collect.archive import archive_bytes
from collect.fetch import Fetched, FetchPolicy, fetch
from config.errors import ExtractionError, FetchError, StorageError
from config.settings import Settings
from storage import official_documents as documents
from storage.catalogue import Catalogue
from storage.records import ArchivedFile, HttpInfo

ROUNDS = (1, 2)

# The document fields of a candidate's record, by the kind Vigie stores: the
# profession de foi is the list's programme (its accessible version stands in
# when only that one is published); the others are variants of it.
KIND_FIELDS = {
    "programme": ("pdf", "pdf_acc"),
    "accessible": ("pdf_acc",),
    "falc": ("falc", "falc_acc"),
    "falc_accessible": ("falc_acc",),
}
VARIANT_KINDS = ("accessible", "falc", "falc_accessible")
"""Stored and searchable, linked to the list, never counted in its scorecard."""


@dataclass(frozen=True)
class Listed:
    """One document the Ministry lists for a list and a round."""

    election: str
    round: int
    departement: str
    commune_insee: str
    commune: str
    panel: int
    candidate: str
    kind: str
    document_id: str
    url: str
    record: dict

    @property
    def list_key(self) -> str:
        return f"{self.commune_insee}-{self.panel}"

    @property
    def key(self) -> dict:
        return {"election": self.election, "round": self.round, "commune_insee": self.commune_insee, "panel": self.panel, "kind": self.kind}

    @property
    def source(self) -> str:
        """The catalogue's source of this kind of document of the list: a new round's document is its next version."""
        return f"propagande:{self.election}/{self.kind}"


@dataclass(frozen=True)
class WalkFailure:
    url: str
    error: str


def election_name(base_url: str) -> str:
    """The election of a publication URL (its last path segment)."""
    return urlsplit(base_url).path.rstrip("/").rsplit("/", 1)[-1] or "propagande"


def document_id(value: object) -> str | None:
    """The id in a document field ("<id>|<n>"), None for "0" or nothing."""
    if not isinstance(value, str):
        return None
    head = value.split("|", 1)[0].strip()
    return None if head in {"", "0"} else head


def listed_documents(record: dict, *, base_url: str, election: str, round: int, departement: str, commune_insee: str, commune: str) -> list[Listed]:
    """The documents of one candidate record; a variant identical to the programme (same id) is not listed twice."""
    panel = int(str(record.get("numPanneau", "")).strip())
    found: list[Listed] = []
    taken: set[str] = set()
    for kind, fields in KIND_FIELDS.items():
        ids = [document_id(record.get(name)) for name in fields]
        chosen = next((value for value in ids if value), None)
        if chosen is None or chosen in taken:
            continue
        taken.add(chosen)
        found.append(
            Listed(
                election, round, departement, commune_insee, commune, panel, str(record.get("candidat", "")), kind,
                chosen, f"{base_url}data-pdf/{chosen}.pdf", record,
            )
        )  # fmt: skip
    return found


class Site:
    """The publication's JSON and documents, asked one request at a time at
    most `rate` per second, with the fetch policy's retries (429 and 5xx,
    honouring Retry-After)."""

    def __init__(
        self,
        base_url: str,
        client: httpx.Client,
        policy: FetchPolicy,
        rate: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url, self.client, self.policy = base_url, client, policy
        self._interval, self._sleep, self._clock = 1.0 / rate, sleep, clock
        self._last: float | None = None
        self.requests = 0

    def _get(self, url: str, **validators) -> Fetched:
        if self._last is not None:
            wait = self._last + self._interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        try:
            return fetch(self.client, url, policy=self.policy, sleep=self._sleep, **validators)
        finally:
            self._last = self._clock()
            self.requests += 1

    def data(self, name: str) -> list[dict] | None:
        """The `data` list of `data-json/<name>.json`; None when the site does not publish it (yet)."""
        url = f"{self.base_url}data-json/{name}.json"
        try:
            fetched = self._get(url)
        except FetchError as exc:
            if exc.status in {404, 410}:  # a 403 is the bot protection refusing: a failure, not an absence
                return None
            raise
        return parse_data(fetched.data or b"", url) or None

    def document(self, url: str) -> Fetched:
        return self._get(url)


def parse_data(body: bytes, url: str) -> list[dict]:
    """The `data` list of a JSON answer; a clear error for an HTML page (a bot challenge) or a malformed answer."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text[:1] == "<":
        raise FetchError(
            "the site answered an HTML page instead of JSON (its bot protection asks for a challenge); "
            "nothing of it was kept: try again later, or load the public archive with `vigie sources import-archive`",
            url=url,
        )
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise FetchError(f"malformed JSON ({exc}); nothing of it was kept, the rest goes on", url=url) from None
    items = value.get("data") if isinstance(value, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise FetchError("the JSON has no 'data' list of records; nothing of it was kept, the rest goes on", url=url)
    return items


def departement_of(insee: str) -> str:
    """The département code of an INSEE commune code (three characters overseas)."""
    return insee[:3] if insee.startswith("97") else insee[:2]


def walk(site: Site, *, rounds: Iterable[int], departements: Iterable[str] = (), communes: Iterable[str] = ()) -> Iterator[Listed | WalkFailure | int]:
    """Every document listed for these rounds (all départements and communes
    unless named); a round yields its number when it is not published. A JSON
    failure is yielded and the walk goes on."""
    wanted_communes = set(communes)
    wanted = set(departements) | {departement_of(code) for code in wanted_communes}
    election = election_name(site.base_url)
    for round in rounds:
        try:
            listed_departements = site.data(f"{round}_departements")
        except FetchError as exc:
            yield WalkFailure(exc.url, str(exc))
            continue
        if listed_departements is None:
            yield round
            continue
        for departement in listed_departements:
            code = str(departement.get("id", ""))
            if wanted and code not in wanted:
                continue
            yield from _walk_departement(site, election, round, code, wanted_communes)


def _walk_departement(site: Site, election: str, round: int, departement: str, wanted: set[str]) -> Iterator[Listed | WalkFailure]:
    try:
        communes = site.data(f"{round}_communes_dpt_{departement}") or []
    except FetchError as exc:
        yield WalkFailure(exc.url, str(exc))
        return
    for commune in communes:
        insee = str(commune.get("id", ""))
        if wanted and insee not in wanted:
            continue
        try:
            records = site.data(f"{round}_candidats_com_{insee}") or []
        except FetchError as exc:
            yield WalkFailure(exc.url, str(exc))
            continue
        for record in records:
            try:
                yield from listed_documents(
                    record, base_url=site.base_url, election=election, round=round, departement=departement,
                    commune_insee=insee, commune=str(commune.get("com", "")),
                )  # fmt: skip
            except ValueError:
                yield WalkFailure(
                    f"{site.base_url}data-json/{round}_candidats_com_{insee}.json",
                    f"a record without a panel number ({json.dumps(record, ensure_ascii=False)[:200]}); skipped",
                )


@dataclass
class PropagandeRun:
    listed: int = 0
    new_versions: int = 0
    unchanged: int = 0
    unknown_list: int = 0
    failed: int = 0
    requests: int = 0
    unpublished_rounds: list[int] = field(default_factory=list)
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
    rounds: Iterable[int] = ROUNDS,
    departements: Iterable[str] = (),
    communes: Iterable[str] = (),
) -> PropagandeRun:
    """Archive every listed document not archived yet (or changed, or failed
    before), linked to its list; record each one's outcome."""
    run = PropagandeRun()
    for item in walk(site, rounds=rounds, departements=departements, communes=communes):
        if isinstance(item, int):
            run.unpublished_rounds.append(item)
        elif isinstance(item, WalkFailure):
            run.failures.append(item.error)
        else:
            run.listed += 1
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
    same = known is not None and known["document_id"] == listed.document_id
    if same and known["status"] == documents.ARCHIVED:
        run.unchanged += 1
        return
    row = {**listed.key, "document_id": listed.document_id, "url": listed.url, "record": json.dumps(listed.record, ensure_ascii=False)}
    try:
        archived, http = _archived(settings, listed, obtain, known if same else None)
        row["sha256"] = archived.sha256
        if not _list_known(catalogue, listed.list_key):
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


def _archived(settings: Settings, listed: Listed, obtain: Obtain, known: dict | None) -> tuple[ArchivedFile, HttpInfo | None]:
    """The document's archived copy: the one kept for a list unknown before
    (not obtained again), else obtained and archived."""
    archive = settings.data_dir / "archive"
    if known is not None and known["sha256"]:
        for path in (archive / known["sha256"][:2]).glob(f"{known['sha256']}.*"):
            return archive_bytes(archive, Path(path).read_bytes()), None
    data, http = obtain()
    return archive_bytes(archive, data), http


def _list_known(catalogue: Catalogue, list_key: str) -> bool:
    try:
        catalogue.candidate_list(list_key)
    except KeyError:
        return False
    return True


def _unknown_list(listed: Listed) -> str:
    return (
        f"no list {listed.list_key} (commune {listed.commune_insee}, panel {listed.panel}) in the catalogue; "
        "the document is archived: import the Ministry's list file (`vigie lists import`) and collect again to link it"
    )
