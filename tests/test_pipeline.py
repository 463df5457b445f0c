"""The programme-pipeline flow, on real Prefect and the real Elasticsearch node."""

from pathlib import Path

import pytest

from config.settings import load_settings
from storage.catalogue import Catalogue
from flows.pipeline import RunSummary, programme_pipeline
from collect.sources import read_sources
from index.schema import alias_name, document_counts
from index.search import search_pages
from tests.conftest import SAMPLES, free_local_port
from tests.factories import make_pdf, make_sources

pytestmark = [pytest.mark.es, pytest.mark.prefect]

HEALTH_CENTRE = "Nous créerons un centre de santé municipal avec des médecins salariés dans le quartier des Tanneries."


def test_the_sample_is_indexed_and_a_known_sentence_is_found_by_a_french_query(es_settings, es_client, prefect_harness) -> None:
    summary = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    assert summary.failures == []
    assert summary.indexed == len(read_sources(SAMPLES / "sources.csv"))

    hit = search_pages(es_client, es_settings.index_prefix, "centres de santé municipaux").hits[0]
    assert (hit.list_label, hit.commune, hit.page) == ("Moulins en commun", "Moulins-sur-Lys", 2)
    assert any("[centre] de [santé] [municipal]" in fragment for fragment in hit.fragments)
    assert Path(hit.archive_path).is_file()

    mentions = es_client.search(
        index=alias_name(es_settings.index_prefix, "mentions"),
        body={"query": {"bool": {"filter": [{"term": {"doc_id": hit.doc_id}}, {"term": {"demand": "D07"}}, {"term": {"page": 2}}]}}},
    )["hits"]["hits"]
    sentences = {m["_source"]["sentence"].replace("\n", " "): m["_source"]["level"] for m in mentions}
    assert sentences[HEALTH_CENTRE] == "commitment"


def test_a_second_run_without_changes_redoes_nothing(es_settings, es_client, prefect_harness) -> None:
    first = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    counts = document_counts(es_client, es_settings.index_prefix)
    second = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    assert (second.indexed, second.unchanged, second.failures) == (0, first.documents, [])
    assert document_counts(es_client, es_settings.index_prefix) == counts


def test_bad_files_are_recorded_with_their_reason_and_the_others_indexed(es_settings, tmp_path, prefect_harness) -> None:
    good = make_pdf(tmp_path / "bon.pdf", [["Nous ouvrirons une crèche de 40 places."]])
    empty = tmp_path / "vide.pdf"
    empty.write_bytes(b"")
    locked = make_pdf(tmp_path / "verrouillé.pdf", [["Secret."]], password="x")
    sources = make_sources(
        tmp_path / "sources.csv",
        [
            {"list_label": "Bon", "source": good.name},
            {"list_label": "Vide", "source": empty.name},
            {"list_label": "Verrouillé", "source": locked.name},
            {"list_label": "Absent", "source": "absent.pdf"},
        ],
    )
    summary = programme_pipeline(sources_file=sources, settings=es_settings)
    assert summary.indexed == 1
    failures = "\n".join(summary.failures)
    assert "vide.pdf: the file is empty" in failures
    assert "verrouillé.pdf: the PDF is password-protected" in failures
    assert "absent.pdf: cannot read the file" in failures
    assert len(Catalogue(es_settings.catalogue).failures()) == 3

    make_pdf(empty, [["Nous créerons un centre de santé."]])  # the list publishes a readable file
    rerun = programme_pipeline(sources_file=sources, settings=es_settings)
    assert (rerun.new_versions, rerun.indexed, rerun.unchanged) == (1, 1, 1)
    # The empty and the locked files are not read again until the extractor changes.
    assert rerun.known_failures == 2
    assert [f.split(":")[0] for f in rerun.failures] == [f"collect {tmp_path / 'absent.pdf'}"]


def test_when_elasticsearch_is_away_nothing_collected_is_lost(es_settings, es_client, prefect_harness) -> None:
    away = load_settings(
        data_dir=es_settings.data_dir,
        es_url=f"http://127.0.0.1:{free_local_port(9100, 9199)}",
        index_prefix=es_settings.index_prefix,
        task_retries=0,
    )
    down = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=away)
    assert down.indexed == 0
    assert len(down.failures) == down.documents
    assert all("cannot be reached" in failure for failure in down.failures)
    assert len(list((es_settings.data_dir / "archive").rglob("*.*"))) == down.documents

    back = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    assert (back.indexed, back.failures) == (down.documents, [])
    assert document_counts(es_client, es_settings.index_prefix)["documents"] == down.documents


def test_mentions_are_indexed_with_their_quantities(es_settings, es_client, prefect_harness) -> None:
    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    hits = es_client.search(
        index=alias_name(es_settings.index_prefix, "mentions"),
        body={
            "query": {
                "nested": {
                    "path": "quantities",
                    "query": {"bool": {"filter": [{"term": {"quantities.kind": "deadline"}}, {"term": {"quantities.value": 2030}}]}},
                }
            }
        },
    )["hits"]["hits"]
    assert any("500 logements" in hit["_source"]["sentence"].replace("\n", " ") for hit in hits)


def test_work_is_redone_only_where_its_inputs_changed(es_settings, tmp_path, prefect_harness) -> None:
    from config.platform import DEFAULT_PLATFORM, load_platform

    catalogue = Catalogue(es_settings.catalogue)
    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    after_first = catalogue.work_done()
    assert after_first == {"extract": 5, "detect": 5, "index": 5}
    parses = {path: path.stat().st_mtime_ns for path in (es_settings.data_dir / "parses").iterdir()}
    assert len(parses) == 5  # the spaCy parse of each document, kept

    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    assert catalogue.work_done() == after_first  # nothing extracted, detected or indexed again

    # An edit no sample document is concerned by: detected again, nothing re-indexed.
    edited = tmp_path / "platform.toml"
    edited.write_text(DEFAULT_PLATFORM.read_text(encoding="utf-8").replace('"HLM", ', ""), encoding="utf-8")
    unconcerned = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings, platform_file=edited)
    assert (unconcerned.indexed, unconcerned.carried) == (0, 5)
    assert catalogue.work_done() == {"extract": 5, "detect": 10, "index": 5}
    assert mention_platform_versions(es_settings) == {load_platform(edited).version}

    # An edit that changes some documents' mentions: those, and only those, are re-indexed.
    pools = tmp_path / "platform-without-pools.toml"
    pools.write_text(edited.read_text(encoding="utf-8").replace('"piscine", "piscines", ', ""), encoding="utf-8")
    concerned = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings, platform_file=pools)
    assert concerned.indexed >= 1 and concerned.carried == 5 - concerned.indexed
    assert catalogue.work_done() == {"extract": 5, "detect": 15, "index": 5 + concerned.indexed}
    assert mention_platform_versions(es_settings) == {load_platform(pools).version}
    # Both platform edits were detected on the kept parses: none parsed again.
    assert {path: path.stat().st_mtime_ns for path in (es_settings.data_dir / "parses").iterdir()} == parses


def mention_platform_versions(settings) -> set[str]:
    from elasticsearch import helpers

    from index.client import connect

    client = connect(settings)
    client.indices.refresh(index=alias_name(settings.index_prefix, "mentions"))
    return {hit["_source"]["platform_version"] for hit in helpers.scan(client, index=alias_name(settings.index_prefix, "mentions"))}


def test_the_served_deployments_carry_the_schedules_of_the_settings(tmp_path) -> None:
    from flows.pipeline import deployments

    settings = load_settings(data_dir=tmp_path, collect_cron="0 */2 * * *", process_cron="15 3 * * *", propagande_cron="5 */4 * * *")
    collect, propagande, process = deployments(settings)
    assert (collect.name, propagande.name, process.name) == ("vigie-collect", "vigie-propagande", "vigie-process")
    assert [s.schedule.cron for s in collect.schedules] == ["0 */2 * * *"]
    assert [s.schedule.cron for s in propagande.schedules] == ["5 */4 * * *"]
    assert [s.schedule.cron for s in process.schedules] == ["15 3 * * *"]
    assert collect.parameters == {"sources_file": str(tmp_path / "sources.csv")}


def test_a_run_reports_its_progress_to_whoever_watches(es_settings, prefect_harness) -> None:
    from flows.progress import reporting

    seen: list[tuple[str, int, int]] = []
    with reporting(lambda step, done, total: seen.append((step, done, total))):
        programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    assert [s for s in seen if s[0] == "collect"][-1] == ("collect", 5, 5)
    assert [s for s in seen if s[0] == "process"][-1] == ("process", 5, 5)
    assert ("process", 0, 5) in seen


def test_reindex_rebuilds_every_index_from_the_archive_alone(es_settings, es_client, prefect_harness) -> None:
    from config.platform import load_platform
    from flows.pipeline import process
    from index.schema import drop_indices
    from index.scorecards import scorecards

    demands = [d.id for d in load_platform().demands]
    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    counts = document_counts(es_client, es_settings.index_prefix)
    cards = scorecards(es_client, es_settings.index_prefix, demands)
    drop_indices(es_client, es_settings.index_prefix)
    assert document_counts(es_client, es_settings.index_prefix) == {"documents": 0, "pages": 0, "mentions": 0, "lists": 0}

    rebuilt = process(es_settings, summary=RunSummary(), rebuild=True)
    assert rebuilt.failures == [] and rebuilt.indexed == 5
    assert document_counts(es_client, es_settings.index_prefix) == counts
    assert scorecards(es_client, es_settings.index_prefix, demands) == cards
    served = next(iter(es_client.indices.get_alias(name=alias_name(es_settings.index_prefix, "pages"))))
    assert served.startswith(f"{es_settings.index_prefix}-pages-v")  # a rebuilt generation serves
    assert programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings).indexed == 0  # and stays current


def test_detection_in_worker_processes_finds_what_the_flow_process_finds(es_settings, es_client, prefect_harness, monkeypatch, tmp_path) -> None:
    import flows.pipeline
    from config.platform import load_platform
    from index.scorecards import scorecards

    demands = [d.id for d in load_platform().demands]
    in_process = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    def cells(prefix: str) -> dict:
        return {
            (card.list_key, demand): (cell.level, cell.sentences, cell.quotation, cell.page)
            for card in scorecards(es_client, prefix, demands)
            for demand, cell in card.cells.items()
        }

    expected = cells(es_settings.index_prefix)

    monkeypatch.setattr(flows.pipeline, "POOL_FROM_DOCUMENTS", 1)
    pooled_settings = load_settings(data_dir=tmp_path / "pooled", es_url=es_settings.es_url, index_prefix=es_settings.index_prefix + "p")
    pooled = programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=pooled_settings)
    try:
        assert (pooled.indexed, pooled.mentions, pooled.failures) == (in_process.indexed, in_process.mentions, [])
        assert cells(pooled_settings.index_prefix) == expected
    finally:
        from index.schema import drop_indices

        drop_indices(es_client, pooled_settings.index_prefix)
