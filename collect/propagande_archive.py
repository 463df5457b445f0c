"""The Ministry's professions de foi from a local clone of the public archive
(regardscitoyens/professions-foi-candidats-2026), without touching the site.

The archive keeps ``documents/<code>/<dép>/<insee>/<code>-<dép>-<insee>-<Civilité_Prénom_NOM>-<panneau>-tour<N>-profession_foi[_falc].pdf``
(``MN26`` for the communes; the sector and metropolitan trees, ``MN26ARR`` and
``MN26MET``, are named but not read yet) and, per round, the JSON it walked
(``<code>-tour<N>-metadata.json``), whose candidate record becomes the
document's provenance. Each file goes through the same archive and catalogue
path as the site's documents: the same list linking, kinds and sources, so a
document met on both is one version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from collect.propagande import Listed, PropagandeRun, record_listed
from config.errors import ConfigError, ExtractionError
from config.settings import Settings
from storage.catalogue import Catalogue
from storage.records import HttpInfo

ELECTIONS = {"MN26": "elections-municipales-2026"}
NOT_READ_YET = {"MN26ARR": "elections-arrondissements-2026", "MN26MET": "elections-metropolitaines-2026"}

_FILE = re.compile(
    r"^(?P<code>MN26)-(?P<departement>[0-9AB]{2,3})-(?P<insee>[0-9AB]{5})-(?P<candidate>.+)-(?P<panel>\d+)"
    r"-tour(?P<round>[12])-profession_foi(?P<falc>_falc)?\.pdf$"
)


def archive_documents(folder: Path) -> Iterator[Listed | str]:
    """Every document file of the archive's communes tree, as the site would
    list it; a file whose name does not follow the archive's pattern is
    yielded as a message naming it."""
    root = folder / "documents" if (folder / "documents").is_dir() else folder
    if not (root / "MN26").is_dir():
        raise ConfigError(
            "no documents/MN26 folder: give the folder of a clone of regardscitoyens/professions-foi-candidats-2026",
            source=str(folder),
        )
    records = _metadata(root / "MN26")
    for path in sorted((root / "MN26").glob("*/*/*.pdf")):
        found = _FILE.match(path.name)
        if found is None:
            yield f"{path}: not named <code>-<dép>-<insee>-<candidat>-<panneau>-tour<N>-profession_foi[_falc].pdf; skipped"
            continue
        round, insee, panel = int(found["round"]), found["insee"], int(found["panel"])
        record = records.get((round, insee, panel)) or {"candidat": found["candidate"].replace("_", " "), "numPanneau": str(panel)}
        yield Listed(
            election=ELECTIONS[found["code"]], round=round, departement=found["departement"], commune_insee=insee,
            commune=str(record.get("_commune", "")), panel=panel, candidate=str(record.get("candidat", "")),
            kind="falc" if found["falc"] else "programme", document_id=_document_id(record, bool(found["falc"])) or path.name,
            url=str(path), record={key: value for key, value in record.items() if key != "_commune"},
        )  # fmt: skip


def _metadata(tree: Path) -> dict[tuple[int, str, int], dict]:
    """The candidate records of the rounds' metadata files, by (round, commune, panel)."""
    records: dict[tuple[int, str, int], dict] = {}
    for round in (1, 2):
        path = tree / f"MN26-tour{round}-metadata.json"
        if not path.exists():
            continue
        try:
            departements = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ConfigError(f"malformed JSON ({exc}); fix or remove the file", source=str(path)) from None
        for departement in departements.values():
            for insee, commune in departement.get("communes", {}).items():
                for record in commune.get("candidats", []):
                    try:
                        records[(round, insee, int(record["numPanneau"]))] = {**record, "_commune": commune.get("name", "")}
                    except (KeyError, TypeError, ValueError):
                        continue
    return records


def _document_id(record: dict, falc: bool) -> str | None:
    """The site's id of the file the archive kept (its accessible version when there is one, as the archive does)."""
    fields = ("falc_acc", "falc") if falc else ("pdf_acc", "pdf")
    for name in fields:
        value = str(record.get(name, "0")).split("|", 1)[0]
        if value not in {"", "0"}:
            return value
    return None


def import_archive(settings: Settings, catalogue: Catalogue, folder: Path) -> PropagandeRun:
    """Archive and link every document of the archive's communes tree (a second import changes nothing)."""
    run = PropagandeRun()
    limit = int(settings.max_file_mb * 2**20)
    for item in archive_documents(Path(folder)):
        if isinstance(item, str):
            run.failed += 1
            run.failures.append(item)
            continue
        run.listed += 1

        def read(listed: Listed = item) -> tuple[bytes, HttpInfo | None]:
            path = Path(listed.url)
            try:
                if path.stat().st_size > limit:
                    raise ExtractionError(f"over the limit of {settings.max_file_mb} MiB (VIGIE_MAX_FILE_MB)", path=listed.url)
                return path.read_bytes(), None
            except OSError as exc:
                raise ExtractionError(f"cannot read the file ({exc.strerror})", path=listed.url) from exc

        record_listed(settings, catalogue, item, read, run)
    for code in NOT_READ_YET:
        if any((Path(folder) / "documents" / code).glob("*")) or any((Path(folder) / code).glob("*")):
            run.skipped.append(f"{Path(folder)}: the {code} tree ({NOT_READ_YET[code]}) is not read yet; its documents were left out")
    return run
