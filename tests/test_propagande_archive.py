"""The Ministry's professions de foi loaded from a local clone of the public
archive (regardscitoyens/professions-foi-candidats-2026), on a generated tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collect.propagande_archive import archive_documents, import_archive
from config.errors import ConfigError
from config.settings import load_settings
from storage import official_documents
from storage.catalogue import Catalogue
from storage.records import CandidateList
from tests.factories import make_pdf


def archive_file(root: Path, departement: str, insee: str, candidate: str, panel: int, round: int, falc: bool = False, text: str = "") -> Path:
    folder = root / "documents" / "MN26" / departement / insee
    folder.mkdir(parents=True, exist_ok=True)
    name = f"MN26-{departement}-{insee}-{candidate}-{panel}-tour{round}-profession_foi{'_falc' if falc else ''}.pdf"
    return make_pdf(folder / name, [[text or f"Programme de {candidate.replace('_', ' ')}."]])


@pytest.fixture
def clone(tmp_path) -> Path:
    root = tmp_path / "professions-foi-candidats-2026"
    archive_file(root, "59", "59350", "Mme_Marie_DUPONT", 1, 1, text="Nous créerons un centre de santé municipal.")
    archive_file(root, "59", "59350", "Mme_Marie_DUPONT", 1, 1, falc=True, text="Un centre de santé pour tous.")
    archive_file(root, "59", "59350", "M._Jean-François_BONTEMPS-HESDIN", 2, 2)
    archive_file(root, "59", "59009", "Mme_Anne_ROUX", 1, 1)
    (root / "documents" / "MN26" / "59" / "59009" / "notes.pdf").write_bytes(b"%PDF-1.4 hors nomenclature")
    metadata = {"59": {"name": "Nord", "communes": {"59350": {"name": "Lille", "candidats": [
        {"candidat": "Mme Marie DUPONT", "numPanneau": "1", "pdf": "ab12|1", "pdf_acc": "0", "falc": "cd34|1", "falc_acc": "0"},
    ]}}}}  # fmt: skip
    (root / "documents" / "MN26" / "MN26-tour1-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    sector = root / "documents" / "MN26ARR" / "13055" / "Marseille-S01"
    sector.mkdir(parents=True)
    make_pdf(sector / "MN26ARR-13055-Marseille-S01-Mme_Sophie_CAMARD-2-tour1-profession_foi.pdf", [["Une maison de santé par secteur."]])
    circonscription = root / "documents" / "MN26MET" / "69001"
    circonscription.mkdir(parents=True)
    make_pdf(circonscription / "MN26MET-69001-M._Jérôme_MOREL-1-tour2-profession_foi_falc.pdf", [["Des bus toutes les dix minutes."]])
    metropolitan = {"69001": {"name": "Lones et Coteaux", "candidats": [
        {"candidat": "M. Jérôme MOREL", "numPanneau": 1, "pdf": "2-69001-1", "pdf_acc": "0", "falc": "2-69001-1-falc", "falc_acc": "0"},
    ]}}  # fmt: skip
    (root / "documents" / "MN26MET" / "MN26MET-tour2-metadata.json").write_text(json.dumps(metropolitan), encoding="utf-8")
    return root


@pytest.fixture
def catalogue(tmp_path) -> Catalogue:
    catalogue = Catalogue(load_settings(data_dir=tmp_path / "data").catalogue)
    for panel, label in ((1, "Lille en commun"), (2, "Lille demain")):
        catalogue.save_list(CandidateList("59350", "Lille", "59", panel, label, "LDIV", "Tête de liste"))
    return catalogue


def test_the_archive_names_give_list_round_and_kind_even_with_hyphenated_names(clone) -> None:
    found = list(archive_documents(clone))
    listed = [item for item in found if not isinstance(item, str)]
    assert [(i.list_key, i.round, i.kind, i.document_id) for i in listed] == [
        ("59009-1", 1, "programme", "MN26-59-59009-Mme_Anne_ROUX-1-tour1-profession_foi.pdf"),
        ("59350-2", 2, "programme", "MN26-59-59350-M._Jean-François_BONTEMPS-HESDIN-2-tour2-profession_foi.pdf"),
        ("59350-1", 1, "programme", "ab12"),  # the site's id, from the round's metadata
        ("59350-1", 1, "falc", "cd34"),
        ("13055-Marseille-S01-2", 1, "programme", "MN26ARR-13055-Marseille-S01-Mme_Sophie_CAMARD-2-tour1-profession_foi.pdf"),
        ("69M-69001-1", 2, "falc", "2-69001-1-falc"),
    ]
    sector, metropolitan = listed[4], listed[5]
    assert (sector.election, sector.commune_insee, sector.place.circonscription) == ("elections-arrondissements-2026", "13055", "Marseille-S01")
    assert (metropolitan.election, metropolitan.place.circonscription_name) == ("elections-metropolitaines-2026", "Lones et Coteaux")
    assert listed[2].commune == "Lille" and listed[2].record["candidat"] == "Mme Marie DUPONT"
    [odd] = [item for item in found if isinstance(item, str)]
    assert "notes.pdf" in odd and "skipped" in odd


def test_an_import_archives_links_and_names_what_it_could_not(tmp_path, clone, catalogue) -> None:
    settings = load_settings(data_dir=tmp_path / "data")

    run = import_archive(settings, catalogue, clone)

    assert (run.listed, run.new_versions, run.unknown_list, run.registered_lists) == (6, 5, 1, 2)
    assert any("notes.pdf" in failure for failure in run.failures)
    assert {(v.list_key, v.kind) for v in catalogue.versions()} == {
        ("59350-1", "programme"), ("59350-1", "falc"), ("59350-2", "programme"),
        ("13055-Marseille-S01-2", "programme"), ("69M-69001-1", "falc"),  # lists registered from the archive's records
    }  # fmt: skip
    assert catalogue.candidate_list("69M-69001-1").label == "Lones et Coteaux : liste conduite par M. Jérôme MOREL"
    [lille] = [v for v in catalogue.versions() if v.list_key == "59350-1" and v.kind == "programme"]
    assert lille.source == "propagande:elections-municipales-2026/programme"
    rows = {(r["commune_insee"], r["panel"], r["kind"]): r for r in official_documents.document_rows(catalogue)}
    assert rows[("59350", 1, "programme")]["url"].endswith("MN26-59-59350-Mme_Marie_DUPONT-1-tour1-profession_foi.pdf")
    assert rows[("59009", 1, "programme")]["status"] == "unknown list"

    again = import_archive(settings, catalogue, clone)
    assert (again.new_versions, again.unchanged, again.registered_lists) == (0, 5, 0) and len(catalogue.versions()) == 5


def test_a_folder_that_is_not_the_archive_is_refused_with_what_to_give(tmp_path) -> None:
    with pytest.raises(ConfigError, match="professions-foi-candidats-2026"):
        list(archive_documents(tmp_path))


def test_the_command_imports_the_archive_and_names_what_it_could_not(tmp_path, clone) -> None:
    from typer.testing import CliRunner

    from cli import app

    ran = CliRunner().invoke(app, ["sources", "import-archive", str(clone)], env={"VIGIE_DATA_DIR": str(tmp_path / "cli-data")})

    assert ran.exit_code == 2, ran.output  # the badly named file is a failure, named
    assert "6 documents listed: 2 new, 0 unchanged, 4 for lists not imported, 1 failed" in ran.stdout
    assert "2 sector or metropolitan lists registered" in ran.stdout and "notes.pdf" in ran.stderr


@pytest.mark.es
@pytest.mark.prefect
def test_vigie_run_without_a_sources_file_processes_what_the_import_collected(es_settings, prefect_harness, clone) -> None:
    from typer.testing import CliRunner

    from cli import app

    catalogue = Catalogue(es_settings.catalogue)
    catalogue.save_list(CandidateList("59350", "Lille", "59", 1, "Lille en commun", "LDIV", "Tête de liste"))
    env = {"VIGIE_DATA_DIR": str(es_settings.data_dir), "VIGIE_ES_URL": es_settings.es_url, "VIGIE_INDEX_PREFIX": es_settings.index_prefix}
    runner = CliRunner()
    runner.invoke(app, ["sources", "import-archive", str(clone)], env=env)

    ran = runner.invoke(app, ["run", "--json"], env=env)

    assert ran.exit_code == 0, ran.output
    summary = json.loads(ran.stdout)
    # The list's programme and its FALC version, the Marseille sector's programme and the metropolitan FALC one.
    assert (summary["indexed"], summary["failures"]) == (4, [])
