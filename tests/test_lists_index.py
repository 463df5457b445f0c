"""The lists index: one record per list with its scorecard, kept current by the
pipeline, and the questions it answers about lists."""

from datetime import datetime, timedelta, timezone

import pytest
from elasticsearch import helpers

from config.platform import load_platform
from config.settings import load_settings
from storage.catalogue import Catalogue
from collect.official_import import import_results
from flows.pipeline import RunSummary, process, programme_pipeline
from index.lists import ListQuery, find_lists
from index.schema import alias_name
from index.scorecards import scorecards
from tests.conftest import SAMPLES, free_local_port

DEMANDS = [d.id for d in load_platform().demands]


def list_records(client, prefix) -> dict[str, dict]:
    return {hit["_id"]: hit["_source"] for hit in helpers.scan(client, index=alias_name(prefix, "lists"))}


def levels_of(card, level: str) -> list[str]:
    return [d for d in DEMANDS if card.cells[d].level == level]


@pytest.mark.es
@pytest.mark.prefect
def test_each_list_has_one_record_holding_its_scorecard(corpus) -> None:
    client, prefix = corpus
    records = list_records(client, prefix)
    cards = scorecards(client, prefix, DEMANDS)
    assert set(records) == {card.list_key for card in cards}
    for card in cards:
        record = records[card.list_key]
        assert record["has_programme"] is True
        assert record["commitments"] == levels_of(card, "commitment")
        assert record["oppositions"] == levels_of(card, "opposition")
        assert record["silences"] == card.silences
        assert record["committed"] + record["opposed"] + record["mentioned"] + record["silent"] == len(DEMANDS)
        quoted = {cell["demand"]: cell for cell in record["cells"]}
        for demand in levels_of(card, "commitment"):
            assert quoted[demand]["quotation"] == card.cells[demand].quotation
            assert quoted[demand]["page"] == card.cells[demand].page


@pytest.mark.es
@pytest.mark.prefect
def test_lists_are_found_by_how_many_demands_they_commit_to(corpus) -> None:
    client, prefix = corpus
    cards = scorecards(client, prefix, DEMANDS)
    committed = {card.list_key: len(levels_of(card, "commitment")) for card in cards}
    threshold = sorted(committed.values())[len(committed) // 2]
    found = find_lists(client, prefix, ListQuery(min_commitments=threshold))
    assert {s.list_key for s in found} == {key for key, n in committed.items() if n >= threshold}
    assert [s.committed for s in found] == sorted((s.committed for s in found), reverse=True)

    health = {card.list_key for card in cards if card.cells["D07"].level == "commitment"}
    assert {s.list_key for s in find_lists(client, prefix, ListQuery(committing_to=("D07",)))} == health
    silent = {card.list_key for card in cards if "D12" in card.silences}
    assert {s.list_key for s in find_lists(client, prefix, ListQuery(silent_on=("D12",)))} == silent
    in_62 = find_lists(client, prefix, ListQuery(departement="62"))
    assert len(in_62) == 2 and {s.departement for s in in_62} == {"62"}


@pytest.mark.es
@pytest.mark.prefect
def test_an_imported_result_reaches_the_list_records_at_the_next_run(es_settings, es_client, prefect_harness) -> None:
    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    catalogue = Catalogue(es_settings.catalogue)
    assert catalogue.scorecards_due() == []
    assert find_lists(es_client, es_settings.index_prefix, ListQuery(elected=True)) == []

    import_results(SAMPLES / "elections" / "resultats-2026-tour1.csv", catalogue)
    assert "59698-1" in catalogue.scorecards_due()

    rerun = process(es_settings, summary=RunSummary())
    assert rerun.indexed == 0 and rerun.failures == []
    assert catalogue.scorecards_due() == []
    winners = find_lists(es_client, es_settings.index_prefix, ListQuery(elected=True))
    assert {s.list_key for s in winners} == {"62991-1"}  # Moulins goes to a second round
    assert list_records(es_client, es_settings.index_prefix)["59698-1"]["votes"] == 32


@pytest.mark.es
@pytest.mark.prefect
def test_list_records_the_index_could_not_take_stay_due_for_the_next_run(es_settings, es_client, prefect_harness) -> None:
    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    catalogue = Catalogue(es_settings.catalogue)
    import_results(SAMPLES / "elections" / "resultats-2026-tour1.csv", catalogue)
    due = catalogue.scorecards_due()
    away = load_settings(
        data_dir=es_settings.data_dir,
        es_url=f"http://127.0.0.1:{free_local_port(9100, 9199)}",
        index_prefix=es_settings.index_prefix,
    )
    process(away, summary=RunSummary())
    assert catalogue.scorecards_due() == due

    back = process(es_settings, summary=RunSummary())
    assert back.lists == len(set(due) & set(catalogue.list_keys())) and catalogue.scorecards_due() == []


def test_a_list_marked_due_while_its_record_was_computed_stays_due(tmp_path) -> None:
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    catalogue.mark_scorecards_due(["59698-1", "59698-2"])
    started = datetime.now(timezone.utc)
    catalogue.mark_scorecards_due(["59698-2"])  # its programme changed during the computation
    catalogue.scorecards_written(["59698-1", "59698-2"], started)
    assert catalogue.scorecards_due() == ["59698-2"]
    catalogue.scorecards_written(["59698-2"], started + timedelta(seconds=5))
    assert catalogue.scorecards_due() == []


def test_a_list_query_combines_its_conditions() -> None:
    query = ListQuery(departement="59", min_commitments=10, committing_to=("D03", "D07"), elected=True).to_query()
    assert query == {
        "bool": {
            "filter": [
                {"term": {"departement": "59"}},
                {"range": {"committed": {"gte": 10}}},
                {"term": {"commitments": "D03"}},
                {"term": {"commitments": "D07"}},
                {"term": {"elected": True}},
            ]
        }
    }
