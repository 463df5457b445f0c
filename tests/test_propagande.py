"""Collecting the Ministry's published professions de foi, against a local
replica of the site on 127.0.0.1 (never the real one)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cli import app
from collect.fetch import FetchPolicy, new_client
from collect.propagande import collect_propagande
from collect.propagande_site import Constituency, Site, document_id, election_urls, listed_documents, parse_data
from config.errors import FetchError
from config.settings import Settings, load_settings
from storage import official_documents
from storage.catalogue import Catalogue
from storage.records import CandidateList
from tests.httpserver import ProgrammeServer
from tests.propagande_replica import CHALLENGE, ELECTION, METROPOLITAN, SECTORS, Replica, candidate


def known_list(insee: str, commune: str, panel: int, label: str) -> CandidateList:
    return CandidateList(insee, commune, insee[:2], panel, label, "LDIV", "Tête de liste")


@pytest.fixture
def replica(tmp_path) -> Iterator[Replica]:
    """Round 1 published for Nord (Lille and Villeneuve-d'Ascq) and Pas-de-Calais (Arras, whose
    candidates answer with a bot challenge); round 2 not published yet."""
    with ProgrammeServer() as server:
        site = Replica(server, tmp_path)
        site.commune(1, "59", "59350", "Lille", [
            candidate(1, "Mme Marie DUPONT", pdf="lille1|1", falc="lille1-falc|1"),
            candidate(2, "M. Karim BENALI", pdf_acc="lille2-acc|1"),
            candidate(3, "M. Paul MARTIN"),
        ])  # fmt: skip
        site.commune(1, "59", "59009", "Villeneuve-d'Ascq", [candidate(1, "Mme Anne ROUX", pdf="vda1|1")])
        site.commune(1, "62", "62041", "Arras", [candidate(1, "M. Jean PETIT", pdf="arras1|1")])
        server.state.files[site.json_path("1_candidats_com_62041")] = CHALLENGE
        server.state.types[site.json_path("1_candidats_com_62041")] = "text/html"
        site.document("lille1", ["Nous créerons un centre de santé municipal avec des médecins salariés."])
        site.document("lille1-falc", ["Un centre de santé pour tous."])
        site.document("lille2-acc", ["Nous rouvrirons le guichet de la gare."])
        site.document("vda1", ["Une cantine bio et locale dans chaque école."])
        yield site


@pytest.fixture
def settings(tmp_path, replica) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data", propagande_url=replica.base_url, fetch_allow_private=True, fetch_backoff_s=0.0, fetch_timeout_s=2.0
    )


@pytest.fixture
def catalogue(settings) -> Catalogue:
    catalogue = Catalogue(settings.catalogue)
    catalogue.save_list(known_list("59350", "Lille", 1, "Lille en commun"))
    catalogue.save_list(known_list("59350", "Lille", 2, "Lille demain"))
    return catalogue


def collect(settings: Settings, catalogue: Catalogue, waits: list[float] | None = None, **only):
    policy = FetchPolicy.from_settings(settings)
    with new_client(policy) as client:
        site = Site(settings.propagande_url, client, policy, settings.propagande_rate, sleep=(waits if waits is not None else []).append)
        return collect_propagande(settings, catalogue, site, **only)


# The site's records


def test_a_document_field_gives_its_id_and_0_means_none() -> None:
    assert [document_id(value) for value in ("4f2a|1", "4f2a", "0", "0|0", "", None)] == ["4f2a", "4f2a", None, None, None, None]


def test_the_profession_de_foi_is_the_programme_and_the_other_documents_are_variants() -> None:
    record = candidate(4, "Mme Léa BLANC", pdf="p|1", pdf_acc="pa|1", falc="f|1", falc_acc="f|1")
    listed = listed_documents(record, base_url="http://127.0.0.1/e/", place=Constituency("e", "59", "59350", "Lille"), round=1)
    assert [(item.kind, item.document_id, item.url) for item in listed] == [
        ("programme", "p", "http://127.0.0.1/e/data-pdf/p.pdf"),
        ("accessible", "pa", "http://127.0.0.1/e/data-pdf/pa.pdf"),
        ("falc", "f", "http://127.0.0.1/e/data-pdf/f.pdf"),  # the accessible FALC is the same file: listed once
    ]
    assert {item.list_key for item in listed} == {"59350-4"} and listed[0].source == "propagande:e/programme"
    only_accessible = candidate(5, "M. Yann LE GOFF", pdf_acc="pa|1")
    brest = Constituency("e", "29", "29019", "Brest")
    assert [(i.kind, i.document_id) for i in listed_documents(only_accessible, base_url="/", place=brest, round=2)] == [("programme", "pa")]
    [nothing] = listed_documents(candidate(6, "Mme Inès FAURE"), base_url="/", place=brest, round=2)
    assert (nothing.kind, nothing.document_id, nothing.list_key) == ("programme", "", "29019-6")  # named, with no document


def test_a_municipal_election_brings_its_sector_and_metropolitan_siblings() -> None:
    base = "http://127.0.0.1:8000/elections-municipales-2026/"
    assert election_urls(base) == [
        base, "http://127.0.0.1:8000/elections-arrondissements-2026/", "http://127.0.0.1:8000/elections-metropolitaines-2026/"
    ]
    assert election_urls(base, ["metropolitaines"]) == ["http://127.0.0.1:8000/elections-metropolitaines-2026/"]
    assert election_urls("http://127.0.0.1:8000/elections-arrondissements-2026/") == ["http://127.0.0.1:8000/elections-arrondissements-2026/"]
    sector = Constituency("elections-arrondissements-2026", "13", "13055", "Marseille", "Marseille-S01", "Marseille 1er secteur")
    metropolitan = Constituency("elections-metropolitaines-2026", "69", "69M", "Métropole de Lyon", "69001", "Lones et Coteaux")
    assert (sector.list_key(4), metropolitan.list_key(2), Constituency("e", "59", "59350", "Lille").list_key(1)) == (
        "13055-Marseille-S01-4", "69M-69001-2", "59350-1",
    )


def test_a_json_answer_that_is_a_challenge_page_or_malformed_is_an_error_naming_the_url() -> None:
    with pytest.raises(FetchError, match="bot protection") as caught:
        parse_data(CHALLENGE, "http://127.0.0.1/e/data-json/1_departements.json")
    assert "1_departements.json" in str(caught.value)
    with pytest.raises(FetchError, match="malformed JSON"):
        parse_data(b'{"data": [', "http://127.0.0.1/x.json")
    with pytest.raises(FetchError, match="no 'data' list"):
        parse_data(b'{"donnees": []}', "http://127.0.0.1/x.json")
    assert parse_data(b'\xef\xbb\xbf{"data": [{"id": "59"}]}', "http://127.0.0.1/x.json") == [{"id": "59"}]


# Collecting


def test_every_published_document_is_archived_and_linked_to_its_list(settings, catalogue, replica) -> None:
    run = collect(settings, catalogue)

    assert (run.listed, run.new_versions, run.unknown_list, run.failed) == (4, 3, 1, 0)
    assert run.unpublished == [
        f"{ELECTION} round 2", f"{SECTORS} round 1", f"{SECTORS} round 2", f"{METROPOLITAN} round 1", f"{METROPOLITAN} round 2"
    ]  # the replica publishes neither the sector nor the metropolitan election
    [challenge] = run.failures
    assert "1_candidats_com_62041.json" in challenge and "bot protection" in challenge
    versions = {(v.list_key, v.source, v.kind) for v in catalogue.versions()}
    assert versions == {
        ("59350-1", f"propagande:{ELECTION}/programme", "programme"),
        ("59350-1", f"propagande:{ELECTION}/falc", "falc"),
        ("59350-2", f"propagande:{ELECTION}/programme", "programme"),  # only its accessible version is published
    }
    [lille] = [v for v in catalogue.versions() if v.list_key == "59350-1" and v.kind == "programme"]
    assert lille.etag is not None and lille.media_type == "application/pdf"
    rows = {(row["commune_insee"], row["panel"], row["kind"]): row for row in official_documents.document_rows(catalogue)}
    assert json.loads(rows[("59350", 1, "programme")]["record"])["candidat"] == "Mme Marie DUPONT"
    assert rows[("59350", 1, "programme")]["url"] == replica.base_url + "data-pdf/lille1.pdf"
    unknown = rows[("59009", 1, "programme")]
    assert unknown["status"] == "unknown list" and "vigie lists import" in unknown["error"] and unknown["sha256"]
    not_published = rows[("59350", 3, "programme")]  # "0" everywhere: named by the site, with no document
    assert (not_published["status"], not_published["document_id"], not_published["list_key"]) == ("not published", "", "59350-3")
    assert run.not_published == 1


def test_a_second_run_fetches_only_the_json_and_writes_nothing_new(settings, catalogue, replica) -> None:
    collect(settings, catalogue)
    fetched_before, versions_before = len(replica.document_requests()), len(catalogue.versions())

    again = collect(settings, catalogue)

    assert len(replica.document_requests()) == fetched_before
    assert (again.new_versions, again.unchanged, len(catalogue.versions())) == (0, 3, versions_before)


def test_a_list_imported_later_gets_its_document_without_fetching_it_again(settings, catalogue, replica) -> None:
    collect(settings, catalogue)
    fetched_before = len(replica.document_requests())
    catalogue.save_list(known_list("59009", "Villeneuve-d'Ascq", 1, "Villeneuve ensemble"))

    linked = collect(settings, catalogue)

    assert (linked.new_versions, linked.unknown_list) == (1, 0)
    assert len(replica.document_requests()) == fetched_before
    assert [v.list_key for v in catalogue.versions_of("59009-1")] == ["59009-1"]


def test_a_replaced_document_is_a_new_version_of_the_lists_programme(settings, catalogue, replica) -> None:
    collect(settings, catalogue)
    replica.document("lille1-v2", ["Nous créerons deux centres de santé municipaux."])
    replica.publish("1_candidats_com_59350", [candidate(1, "Mme Marie DUPONT", pdf="lille1-v2|1", falc="lille1-falc|1")])

    revised = collect(settings, catalogue, communes=["59350"])

    assert revised.new_versions == 1
    programmes = [v for v in catalogue.versions_of("59350-1") if v.kind == "programme"]
    assert sorted(v.version for v in programmes) == [1, 2]


def test_a_429_is_waited_out_a_slow_answer_retried_and_a_failed_document_fetched_at_the_next_run(settings, catalogue, replica) -> None:
    replica.server.state.failures[replica.json_path("1_departements")] = [429]
    replica.server.state.slow_once.add(replica.json_path("1_communes_dpt_59"))
    replica.server.state.slow_seconds = 3.0  # over the 2 s timeout: the first answer is given up, the retry served
    replica.server.state.failures[replica.document_path("vda1")] = [500] * 10
    catalogue.save_list(known_list("59009", "Villeneuve-d'Ascq", 1, "Villeneuve ensemble"))
    waits: list[float] = []

    run = collect(settings, catalogue, waits, rounds=[1], departements=["59"])

    assert 0.0 in waits  # the replica's Retry-After: 0 was honoured
    assert run.new_versions == 3 and run.failed == 1
    [failure] = run.failures
    assert replica.document_path("vda1") in failure and "500" in failure
    replica.server.state.failures.clear()

    again = collect(settings, catalogue, rounds=[1], departements=["59"])
    assert (again.new_versions, again.failed, again.unchanged) == (1, 0, 3)


def test_requests_are_spaced_by_the_configured_rate(settings, catalogue, replica) -> None:
    settings = settings.model_copy(update={"propagande_rate": 4.0})
    waits: list[float] = []
    collect(settings, catalogue, waits, rounds=[1], communes=["59009"])
    spacing = [wait for wait in waits if wait > 0]
    assert spacing and all(wait <= 0.25 for wait in spacing)  # 4 per second, one at a time: never more than a quarter second apart to wait
    assert len(spacing) >= 2


def test_a_malformed_file_fails_its_commune_only(settings, catalogue, replica) -> None:
    replica.server.state.files[replica.json_path("1_candidats_com_59009")] = b'{"data": [{"candidat": '

    run = collect(settings, catalogue, rounds=[1], departements=["59"])

    [failure] = run.failures
    assert "1_candidats_com_59009.json" in failure and "malformed JSON" in failure
    assert run.new_versions == 3


def test_the_command_collects_and_says_what_failed(settings, replica, tmp_path) -> None:
    env = {
        "VIGIE_DATA_DIR": str(settings.data_dir), "VIGIE_PROPAGANDE_URL": replica.base_url, "VIGIE_FETCH_ALLOW_PRIVATE": "true",
        "VIGIE_FETCH_BACKOFF_S": "0", "VIGIE_PROPAGANDE_RATE": "50",
    }  # fmt: skip
    ran = CliRunner().invoke(app, ["collect", "propagande", "--tour", "1", "--json"], env=env)

    assert ran.exit_code == 2, ran.output  # the challenge page is a failure, named; the rest was collected
    summary = json.loads(ran.stdout)
    assert (summary["listed"], summary["unknown_list"], len(summary["failures"])) == (4, 4, 1)
    assert all("vigie lists import" not in line for line in summary["failures"])


@pytest.mark.es
@pytest.mark.prefect
def test_the_scheduled_flow_collects_then_processes_and_variants_are_searchable_but_never_scored(
    es_settings, es_client, prefect_harness, replica, catalogue
) -> None:
    from config.platform import load_platform
    from flows.pipeline import propagande
    from index.scorecards import scorecards
    from index.search import SearchRequest, search

    settings = es_settings.model_copy(
        update={"propagande_url": replica.base_url, "fetch_allow_private": True, "fetch_backoff_s": 0.0, "propagande_rate": 50.0}
    )
    summary = propagande(settings)

    assert (summary.new_versions, summary.indexed) == (3, 3)
    assert [failure for failure in summary.failures if "62041" in failure] == summary.failures and len(summary.failures) == 1
    easy = search(es_client, settings.index_prefix, SearchRequest(query='"pour tous"'))
    assert [(hit.list_key, hit.kind) for hit in easy.hits] == [("59350-1", "falc")]
    found = search(es_client, settings.index_prefix, SearchRequest(demand="D07"))
    assert {(hit.list_key, hit.kind) for hit in found.hits} == {("59350-1", "programme"), ("59350-1", "falc")}  # both detected
    demands = [d.id for d in load_platform().demands]
    [card] = scorecards(es_client, settings.index_prefix, demands, list_key="59350-1")
    health = card.cells["D07"]
    assert health.level == "commitment" and health.sentences == 1  # the programme's sentence, not the FALC one too
    assert "médecins salariés" in (health.quotation or "")


def test_a_round_refused_403_is_a_failure_not_a_round_unpublished(settings, catalogue, replica) -> None:
    replica.server.state.failures[replica.json_path("1_departements")] = [403]

    run = collect(settings, catalogue, rounds=[1])

    assert not [item for item in run.unpublished if item.startswith(ELECTION)] and run.listed == 0
    [failure] = run.failures
    assert "1_departements.json" in failure and "403" in failure


# The sector and metropolitan elections


@pytest.fixture
def sectors_and_metropolis(replica) -> Replica:
    """Round 1 of Marseille's first sector and of one circonscription of the Métropole de Lyon."""
    replica.sector(1, "13055", "Marseille", "Marseille-S01", "Marseille 1er secteur", [
        candidate(2, "Mme Sophie CAMARD", pdf="1-13055-S01-2", falc="1-13055-S01-2-falc"),
        candidate(3, "M. Paul REY"),
    ])  # fmt: skip
    replica.document("1-13055-S01-2", ["Une maison de santé dans chaque secteur."], SECTORS)
    replica.document("1-13055-S01-2-falc", ["Des médecins près de chez vous."], SECTORS)
    replica.circonscription(1, "69001", "Lones et Coteaux", [candidate(1, "M. Jérôme MOREL", pdf="1-69001-1")])
    replica.document("1-69001-1", ["Des bus toutes les dix minutes."], METROPOLITAN)
    return replica


def test_sector_and_metropolitan_lists_are_registered_from_the_ministrys_record(settings, catalogue, sectors_and_metropolis) -> None:
    run = collect(settings, catalogue, rounds=[1])

    assert run.registered_lists == 3 and run.unknown_list == 1  # Villeneuve-d'Ascq's municipal list is still not imported
    versions = {(v.list_key, v.source) for v in catalogue.versions()}
    assert {
        ("13055-Marseille-S01-2", f"propagande:{SECTORS}/programme"),
        ("13055-Marseille-S01-2", f"propagande:{SECTORS}/falc"),
        ("69M-69001-1", f"propagande:{METROPOLITAN}/programme"),
    } <= versions
    marseille = catalogue.candidate_list("13055-Marseille-S01-2")
    assert (marseille.commune_insee, marseille.commune, marseille.head_of_list) == ("13055", "Marseille", "Mme Sophie CAMARD")
    assert marseille.label == "Marseille 1er secteur : liste conduite par Mme Sophie CAMARD"
    assert catalogue.candidate_list("69M-69001-1").commune == "Métropole de Lyon"
    rows = {row["list_key"]: row for row in official_documents.document_rows(catalogue) if row["kind"] == "programme"}
    assert rows["13055-Marseille-S01-3"]["status"] == "not published"  # named with no document: the list is known all the same

    again = collect(settings, catalogue, rounds=[1])
    assert (again.registered_lists, again.new_versions) == (0, 0)


def test_a_commune_named_walks_its_sectors_and_the_rhone_the_metropolis(settings, catalogue, sectors_and_metropolis) -> None:
    marseille = collect(settings, catalogue, rounds=[1], communes=["13055"])
    assert {v.list_key for v in catalogue.versions()} == {"13055-Marseille-S01-2"}
    assert marseille.listed == 2

    rhone = collect(settings, catalogue, rounds=[1], departements=["69"])
    assert {v.list_key for v in catalogue.versions()} == {"13055-Marseille-S01-2", "69M-69001-1"} and rhone.new_versions == 1


def test_the_command_can_leave_out_elections_and_refuses_one_the_site_has_not(settings, sectors_and_metropolis) -> None:
    env = {
        "VIGIE_DATA_DIR": str(settings.data_dir), "VIGIE_PROPAGANDE_URL": sectors_and_metropolis.base_url,
        "VIGIE_FETCH_ALLOW_PRIVATE": "true", "VIGIE_FETCH_BACKOFF_S": "0", "VIGIE_PROPAGANDE_RATE": "50",
    }  # fmt: skip
    ran = CliRunner().invoke(app, ["collect", "propagande", "--election", "metropolitaines", "--json"], env=env)
    assert ran.exit_code == 0, ran.output
    summary = json.loads(ran.stdout)
    assert (summary["listed"], summary["new_versions"], summary["unpublished"]) == (1, 1, [f"{METROPOLITAN} round 2"])

    refused = CliRunner().invoke(app, ["collect", "propagande", "--election", "europeennes"], env=env)
    assert refused.exit_code != 0 and "europeennes" in refused.output and "municipales" in refused.output


# Coverage


def test_coverage_says_per_list_what_the_ministry_published_and_names_documents_of_lists_not_imported(settings, catalogue, replica) -> None:
    from tracking.coverage import coverage

    catalogue.save_list(known_list("59350", "Lille", 3, "Lille solidaire"))
    catalogue.save_list(known_list("62041", "Arras", 1, "Arras pour tous"))
    replica.server.state.failures[replica.document_path("lille2-acc")] = [500] * 10
    collect(settings, catalogue, rounds=[1])

    report = coverage(catalogue, settings, departement=None)

    ministry = {item.list_key: (item.ministry, item.ministry_reason) for item in report.lists}
    assert ministry["59350-1"] == ("published (round 1)", None)
    assert ministry["59350-3"] == ("not published (round 1)", None)
    assert ministry["59350-2"][0] == "failed (round 1)" and replica.document_path("lille2-acc") in ministry["59350-2"][1]
    assert ministry["62041-1"] == ("not collected", None)  # its commune's file was a challenge page: nothing is known of it
    assert report.unlinked == [f"59009-1 (round 1): {replica.base_url}data-pdf/vda1.pdf"]
    assert report.to_json()["lists"][0]["ministry"] == ministry[report.lists[0].list_key][0]

    ran = CliRunner().invoke(app, ["coverage", "--departement", "59"], env={"VIGIE_DATA_DIR": str(settings.data_dir)})
    assert ran.exit_code == 0, ran.output
    assert "Ministry: not published (round 1)" in ran.stdout and "list not imported: 59009-1" in ran.stdout
