"""What the Ministry's online publication of professions de foi lists, read
from its JSON: every document of every list, for the three 2026 elections the
site publishes, each by its own tree.

Under an election's base URL, per round ``T``, JSON objects whose ``data`` key
holds a list, and the documents at ``data-pdf/<id>.pdf``:

- the municipal election (``elections-municipales-2026``):
  ``T_departements`` (``id``, ``name``) → ``T_communes_dpt_<dép>`` (``id`` =
  INSEE code, ``com``) → ``T_candidats_com_<insee>``;
- the Paris, Lyon and Marseille sector elections (``elections-arrondissements-2026``):
  ``T_communes`` (``id``, ``name``) → ``T_sects_com_<insee>`` (``id``, ``sect``)
  → ``T_candidats_sect_<sector>``;
- the Lyon metropolitan election (``elections-metropolitaines-2026``):
  ``T_circonscriptions`` (``codeCirco``, ``circo``) → ``T_candidats_circo_<code>``.

A candidate record holds its ``numPanneau`` and the ids of its documents
(``pdf``, ``pdf_acc``, ``falc``, ``falc_acc``, each ``"<id>|…"`` or ``"0"``
when absent). A round not yet published answers with an error or an empty
list; a JSON answer that is an HTML page (the site's bot protection) or
malformed is a failure naming its URL, and the walk goes on with the rest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from collect.fetch import Fetched, FetchPolicy, fetch
from config.errors import FetchError

ROUNDS = (1, 2)
MUNICIPAL, SECTORS, METROPOLITAN = "municipales", "arrondissements", "metropolitaines"
ELECTIONS = (MUNICIPAL, SECTORS, METROPOLITAN)
METROPOLIS = "69M"
"""The Métropole de Lyon's code in the State's files: its lists belong to no commune."""

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
class Constituency:
    """Where a list stands: a commune, a sector of Paris, Lyon or Marseille, or a circonscription of the Métropole de Lyon."""

    election: str
    departement: str
    commune_insee: str
    """The commune's INSEE code; the Métropole de Lyon's code for its circonscriptions."""
    commune: str
    circonscription: str = ""
    """The sector or circonscription id as the site writes it; empty for a commune."""
    circonscription_name: str = ""

    def list_key(self, panel: int) -> str:
        """The catalogue's key of the list with this panel: `<insee>-<panel>`, the Ministry's key, for a commune;
        `<insee>-<sector>-<panel>` or `69M-<circonscription>-<panel>` for the other two elections."""
        parts = [self.commune_insee, self.circonscription, str(panel)]
        return "-".join(part for part in parts if part)


@dataclass(frozen=True)
class Listed:
    """One document the Ministry lists for a list and a round (or, with no
    `document_id`, a list it lists with no document for that round)."""

    place: Constituency
    round: int
    panel: int
    candidate: str
    kind: str
    document_id: str
    url: str
    record: dict

    @property
    def election(self) -> str:
        return self.place.election

    @property
    def commune_insee(self) -> str:
        return self.place.commune_insee

    @property
    def commune(self) -> str:
        return self.place.commune

    @property
    def list_key(self) -> str:
        return self.place.list_key(self.panel)

    @property
    def key(self) -> dict:
        """The catalogue row's key of this document."""
        return {
            "election": self.election, "round": self.round, "circonscription": self.place.circonscription,
            "commune_insee": self.commune_insee, "panel": self.panel, "kind": self.kind,
        }  # fmt: skip

    @property
    def source(self) -> str:
        """The catalogue's source of this kind of document of the list: a new round's document is its next version."""
        return f"propagande:{self.election}/{self.kind}"


@dataclass(frozen=True)
class WalkFailure:
    url: str
    error: str


@dataclass(frozen=True)
class Unpublished:
    """A round of an election the site does not publish (yet)."""

    election: str
    round: int

    def __str__(self) -> str:
        return f"{self.election} round {self.round}"


def election_name(base_url: str) -> str:
    """The election of a publication URL (its last path segment)."""
    return urlsplit(base_url).path.rstrip("/").rsplit("/", 1)[-1] or "propagande"


def election_kind(base_url: str) -> str:
    """Which of the site's trees an election URL serves (a URL of no known election is read as a municipal one)."""
    name = election_name(base_url)
    return next((kind for kind in ELECTIONS if f"-{kind}-" in f"-{name}-"), MUNICIPAL)


def election_urls(base_url: str, only: Iterable[str] = ()) -> list[str]:
    """The elections to walk: a municipal election's URL brings its sector and
    metropolitan siblings on the same site (same year), unless `only` names some."""
    wanted = tuple(only) or ELECTIONS
    name = election_name(base_url)
    if election_kind(base_url) != MUNICIPAL or f"-{MUNICIPAL}-" not in f"-{name}-":
        return [base_url]
    root = base_url[: base_url.rstrip("/").rindex("/") + 1]
    return [root + name.replace(MUNICIPAL, kind) + "/" for kind in ELECTIONS if kind in wanted]


def document_id(value: object) -> str | None:
    """The id in a document field ("<id>|<n>"), None for "0" or nothing."""
    if value is None:
        return None
    head = str(value).split("|", 1)[0].strip()
    return None if head in {"", "0"} else head


def listed_documents(record: dict, *, base_url: str, place: Constituency, round: int) -> list[Listed]:
    """The documents of one candidate record; a variant identical to the
    programme (same id) is not listed twice. A record with no document gives
    one `Listed` with no id, so the list is known as not published."""
    panel = int(str(record.get("numPanneau", "")).strip())
    candidate = str(record.get("candidat", ""))
    found: list[Listed] = []
    taken: set[str] = set()
    for kind, fields in KIND_FIELDS.items():
        chosen = next((value for value in (document_id(record.get(name)) for name in fields) if value), None)
        if chosen is None or chosen in taken:
            continue
        taken.add(chosen)
        found.append(Listed(place, round, panel, candidate, kind, chosen, f"{base_url}data-pdf/{chosen}.pdf", record))
    return found or [Listed(place, round, panel, candidate, "programme", "", "", record)]


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

    def _get(self, url: str) -> Fetched:
        if self._last is not None:
            wait = self._last + self._interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        try:
            return fetch(self.client, url, policy=self.policy, sleep=self._sleep)
        finally:
            self._last = self._clock()
            self.requests += 1

    def data(self, election_url: str, name: str) -> list[dict] | None:
        """The `data` list of `data-json/<name>.json`; None when the site does not publish it (yet)."""
        url = f"{election_url}data-json/{name}.json"
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


@dataclass(frozen=True)
class Only:
    """The départements and communes a walk is limited to (none: the whole country)."""

    departements: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, departements: Iterable[str] = (), communes: Iterable[str] = ()) -> Only:
        communes = frozenset(communes)
        return cls(frozenset(departements) | {departement_of(code) for code in communes}, communes)

    def departement(self, code: str) -> bool:
        return not self.departements or code in self.departements

    def commune(self, insee: str) -> bool:
        return (not self.communes or insee in self.communes) and self.departement(departement_of(insee))


Step = Listed | WalkFailure | Unpublished


def walk(
    site: Site, election_url: str, *, rounds: Iterable[int] = ROUNDS, departements: Iterable[str] = (), communes: Iterable[str] = ()
) -> Iterator[Step]:
    """Every document listed for these rounds of one election (all
    départements and communes unless named). A JSON failure is yielded and
    the walk goes on."""
    only = Only.of(departements, communes)
    trees = {MUNICIPAL: _municipal, SECTORS: _sectors, METROPOLITAN: _metropolitan}
    tree = trees[election_kind(election_url)]
    for round in rounds:
        yield from tree(site, election_url, round, only)


def _records(site: Site, election_url: str, round: int, name: str, place: Constituency) -> Iterator[Step]:
    """The documents of one constituency's candidate file."""
    try:
        records = site.data(election_url, f"{round}_{name}") or []
    except FetchError as exc:
        yield WalkFailure(exc.url, str(exc))
        return
    for record in records:
        try:
            yield from listed_documents(record, base_url=election_url, place=place, round=round)
        except ValueError:
            yield WalkFailure(
                f"{election_url}data-json/{round}_{name}.json",
                f"a record without a panel number ({json.dumps(record, ensure_ascii=False)[:200]}); skipped",
            )


def _top(site: Site, election_url: str, round: int, name: str) -> tuple[list[dict] | None, Step | None]:
    """A round's first file: its items, or what to report instead (not published, or failed)."""
    try:
        items = site.data(election_url, f"{round}_{name}")
    except FetchError as exc:
        return None, WalkFailure(exc.url, str(exc))
    if items is None:
        return None, Unpublished(election_name(election_url), round)
    return items, None


def _municipal(site: Site, election_url: str, round: int, only: Only) -> Iterator[Step]:
    election = election_name(election_url)
    departements, stop = _top(site, election_url, round, "departements")
    if stop is not None:
        yield stop
        return
    for departement in departements or []:
        code = str(departement.get("id", ""))
        if not only.departement(code):
            continue
        try:
            communes = site.data(election_url, f"{round}_communes_dpt_{code}") or []
        except FetchError as exc:
            yield WalkFailure(exc.url, str(exc))
            continue
        for commune in communes:
            insee = str(commune.get("id", ""))
            if only.commune(insee):
                place = Constituency(election, code, insee, str(commune.get("com", "")))
                yield from _records(site, election_url, round, f"candidats_com_{insee}", place)


def _sectors(site: Site, election_url: str, round: int, only: Only) -> Iterator[Step]:
    election = election_name(election_url)
    communes, stop = _top(site, election_url, round, "communes")
    if stop is not None:
        yield stop
        return
    for commune in communes or []:
        insee = str(commune.get("id", ""))
        if not only.commune(insee):
            continue
        try:
            sectors = site.data(election_url, f"{round}_sects_com_{insee}") or []
        except FetchError as exc:
            yield WalkFailure(exc.url, str(exc))
            continue
        for sector in sectors:
            sector_id = str(sector.get("id", ""))
            place = Constituency(
                election, departement_of(insee), insee, str(commune.get("name", "")), sector_id, str(sector.get("sect", sector_id))
            )
            yield from _records(site, election_url, round, f"candidats_sect_{sector_id}", place)


def _metropolitan(site: Site, election_url: str, round: int, only: Only) -> Iterator[Step]:
    if only.communes or not (only.departement("69") or only.departement(METROPOLIS)):
        return  # its circonscriptions are no commune's: walked for the whole country or the Rhône
    election = election_name(election_url)
    circonscriptions, stop = _top(site, election_url, round, "circonscriptions")
    if stop is not None:
        yield stop
        return
    for circonscription in circonscriptions or []:
        code = str(circonscription.get("codeCirco", ""))
        place = Constituency(election, "69", METROPOLIS, "Métropole de Lyon", code, str(circonscription.get("circo", code)))
        yield from _records(site, election_url, round, f"candidats_circo_{code}", place)
