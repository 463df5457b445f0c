"""The Ministry's professions de foi from a local clone of the public archive
(regardscitoyens/professions-foi-candidats-2026), without touching the site.

The archive keeps one tree per election, each file named after the JSON
record it came from (the accessible version when there is one):

- ``documents/MN26/<dép>/<insee>/MN26-<dép>-<insee>-<Civilité_Prénom_NOM>-<panneau>-tour<N>-profession_foi[_falc].pdf``
- ``documents/MN26ARR/<insee>/<secteur>/MN26ARR-<insee>-<secteur>-<…>-<panneau>-tour<N>-profession_foi[_falc].pdf``
- ``documents/MN26MET/<circonscription>/MN26MET-<circonscription>-<…>-<panneau>-tour<N>-profession_foi[_falc].pdf``

and, per round, the JSON it walked (``<code>-tour<N>-metadata.json``), whose
candidate record becomes the document's provenance. Each file goes through
the same archive and catalogue path as the site's documents: the same list
linking, kinds and sources, so a document met on both is one version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collect.propagande import PropagandeRun, record_listed
from collect.propagande_site import METROPOLIS, Constituency, Listed, document_id
from config.errors import ConfigError, ExtractionError
from config.settings import Settings
from storage.catalogue import Catalogue
from storage.records import HttpInfo

_TAIL = re.compile(r"^(?P<candidate>.+)-(?P<panel>\d+)-tour(?P<round>[12])-profession_foi(?P<falc>_falc)?\.pdf$")


@dataclass(frozen=True)
class Tree:
    """One election's tree of the archive."""

    code: str
    election: str
    depth: int
    """Folders between the tree and a document."""

    def place(self, folders: tuple[str, ...], names: dict) -> Constituency:
        """The constituency of a document in these folders (names from the metadata, when it has them)."""
        if self.code == "MN26":
            departement, insee = folders
            return Constituency(self.election, departement, insee, names.get(insee, ""))
        if self.code == "MN26ARR":
            insee, sector = folders
            return Constituency(self.election, insee[:2], insee, names.get(insee, ""), sector, names.get((insee, sector), sector))
        [circonscription] = folders
        return Constituency(self.election, "69", METROPOLIS, "Métropole de Lyon", circonscription, names.get(circonscription, circonscription))


TREES = (
    Tree("MN26", "elections-municipales-2026", 2),
    Tree("MN26ARR", "elections-arrondissements-2026", 2),
    Tree("MN26MET", "elections-metropolitaines-2026", 1),
)


def archive_documents(folder: Path) -> Iterator[Listed | str]:
    """Every document file of the archive's trees, as the site would list it;
    a file whose name does not follow the archive's pattern is yielded as a
    message naming it."""
    root = folder / "documents" if (folder / "documents").is_dir() else folder
    if not any((root / tree.code).is_dir() for tree in TREES):
        raise ConfigError(
            "no documents/MN26 folder: give the folder of a clone of regardscitoyens/professions-foi-candidats-2026",
            source=str(folder),
        )
    for tree in TREES:
        if (root / tree.code).is_dir():
            yield from _tree_documents(root / tree.code, tree)


def _tree_documents(base: Path, tree: Tree) -> Iterator[Listed | str]:
    records, names = _metadata(base, tree)
    for path in sorted(base.glob("/".join(["*"] * tree.depth) + "/*.pdf")):
        folders = path.relative_to(base).parts[:-1]
        prefix = "-".join((tree.code, *folders)) + "-"
        found = _TAIL.match(path.name[len(prefix) :]) if path.name.startswith(prefix) else None
        if found is None:
            yield f"{path}: not named {prefix}<candidat>-<panneau>-tour<N>-profession_foi[_falc].pdf; skipped"
            continue
        round, panel, falc = int(found["round"]), int(found["panel"]), bool(found["falc"])
        place = tree.place(folders, names)
        record = records.get((round, place.commune_insee, place.circonscription, panel)) or {
            "candidat": found["candidate"].replace("_", " "), "numPanneau": str(panel),
        }  # fmt: skip
        yield Listed(
            place, round, panel, str(record.get("candidat", "")), "falc" if falc else "programme",
            _document_id(record, falc) or path.name, str(path), record,
        )  # fmt: skip


def _metadata(base: Path, tree: Tree) -> tuple[dict[tuple, dict], dict]:
    """The candidate records of the rounds' metadata files, by (round, commune,
    circonscription, panel), and the names of the communes and circonscriptions."""
    records: dict[tuple, dict] = {}
    names: dict = {}
    for round in (1, 2):
        path = base / f"{tree.code}-tour{round}-metadata.json"
        if not path.exists():
            continue
        try:
            tops = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ConfigError(f"malformed JSON ({exc}); fix or remove the file", source=str(path)) from None
        for (insee, circonscription), name, candidates in _constituencies(tree, tops, names):
            names[circonscription or insee] = name
            for record in candidates:
                try:
                    records[(round, insee, circonscription, int(record["numPanneau"]))] = record
                except (KeyError, TypeError, ValueError):
                    continue
    return records, names


def _constituencies(tree: Tree, tops: dict, names: dict) -> Iterator[tuple[tuple[str, str], str, list]]:
    """((commune, circonscription), name, candidate records) of one metadata file, in its tree's shape."""
    for code, top in tops.items():
        if tree.code == "MN26":
            for insee, commune in top.get("communes", {}).items():
                yield (insee, ""), commune.get("name", ""), commune.get("candidats", [])
        elif tree.code == "MN26ARR":
            names[code] = top.get("name", "")
            for sector, held in top.get("secteurs", {}).items():
                names[(code, sector)] = held.get("name", sector)
                yield (code, sector), held.get("name", sector), held.get("candidats", [])
        else:
            yield (METROPOLIS, code), top.get("name", code), top.get("candidats", [])


def _document_id(record: dict, falc: bool) -> str | None:
    """The site's id of the file the archive kept (its accessible version when there is one, as the archive does)."""
    fields = ("falc_acc", "falc") if falc else ("pdf_acc", "pdf")
    return next((value for value in (document_id(record.get(name)) for name in fields) if value), None)


def import_archive(settings: Settings, catalogue: Catalogue, folder: Path) -> PropagandeRun:
    """Archive and link every document of the archive's trees (a second import changes nothing)."""
    run = PropagandeRun()
    limit = int(settings.max_file_mb * 2**20)
    for item in archive_documents(Path(folder)):
        if isinstance(item, str):
            run.failed += 1
            run.failures.append(item)
            continue

        def read(listed: Listed = item) -> tuple[bytes, HttpInfo | None]:
            path = Path(listed.url)
            try:
                if path.stat().st_size > limit:
                    raise ExtractionError(f"over the limit of {settings.max_file_mb} MiB (VIGIE_MAX_FILE_MB)", path=listed.url)
                return path.read_bytes(), None
            except OSError as exc:
                raise ExtractionError(f"cannot read the file ({exc.strerror})", path=listed.url) from exc

        record_listed(settings, catalogue, item, read, run)
    return run
