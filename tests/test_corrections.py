"""Analysts' corrections of detected mentions: append-only, applied over the
detector's output at once and at every later indexing, exported as labelled
sentences for the evaluation set."""

import json

import pytest
from elasticsearch import helpers

from config.errors import ConfigError
from config.platform import load_platform
from extract.evaluation import read_labelled
from storage.catalogue import Catalogue
from tracking.corrections import correct, history, labelled_sentences, record_correction, verdicts_for_document
from flows.pipeline import RunSummary, process, programme_pipeline
from index.corrections import get_mention
from index.schema import alias_name
from index.scorecards import scorecards
from tests.conftest import SAMPLES

DEMANDS = [d.id for d in load_platform().demands]


def a_mention(**changes) -> dict:
    """An indexed mention record, as the index gives it."""
    return {
        "record_id": "59698-1-abc-p2-10-60-D07", "doc_id": "59698-1-abc", "list_key": "59698-1", "page": 2,
        "sentence": "Nous créerons un centre de santé\nmunicipal.", "demand": "D07", "level": "commitment", **changes,
    }  # fmt: skip


@pytest.fixture
def catalogue(tmp_path) -> Catalogue:
    return Catalogue(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")


def test_the_latest_correction_is_the_verdict_and_every_one_is_kept(catalogue) -> None:
    record_correction(catalogue, a_mention(), action="change", level="mention", by="camille", why="c'est un constat")
    record_correction(catalogue, a_mention(), action="confirm", by="dominique")
    [verdict] = verdicts_for_document(catalogue, "59698-1-abc").values()
    assert (verdict.action, verdict.demand_after, verdict.level_after, verdict.by) == ("confirm", "D07", "commitment", "dominique")
    steps = history(catalogue, "59698-1-abc-p2-10-60-D07")
    assert [(c.action, c.level_after, c.why) for c in steps] == [("change", "mention", "c'est un constat"), ("confirm", "commitment", None)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"action": "annuler"}, "action"),
        ({"action": "change", "demand": "D99"}, "demand"),
        ({"action": "change", "level": "promesse"}, "level"),
        ({"action": "change", "demand": "D07", "level": "commitment"}, "action"),
        ({"action": "confirm", "by": ""}, "by"),
    ],
)
def test_a_correction_that_means_nothing_is_refused(catalogue, changes, field) -> None:
    with pytest.raises(ConfigError) as refused:
        record_correction(catalogue, a_mention(), **{"by": "camille", **changes}, demands=DEMANDS)
    assert refused.value.field == field
    assert history(catalogue, a_mention()["record_id"]) == []


def test_corrections_export_as_labelled_sentences_the_evaluation_reads(catalogue, tmp_path) -> None:
    record_correction(catalogue, a_mention(), action="change", level="mention", by="camille")
    other = a_mention(record_id="59698-1-abc-p2-10-60-D08", demand="D08")
    record_correction(catalogue, other, action="reject", by="camille")
    [line] = list(labelled_sentences(catalogue))
    assert line["text"] == "Nous créerons un centre de santé municipal."
    assert line["labels"] == [{"demand": "D07", "level": "mention"}]
    assert line["reviewed"] == ["D07", "D08"]
    exported = tmp_path / "corrections.jsonl"
    exported.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    [read] = read_labelled(exported)
    assert read.labels == {"D07": "mention"} and read.text == line["text"]


def mentions_of(client, prefix, list_key) -> dict[str, dict]:
    query = {"query": {"term": {"list_key": list_key}}}
    return {hit["_id"]: hit["_source"] for hit in helpers.scan(client, index=alias_name(prefix, "mentions"), query=query)}


@pytest.mark.es
@pytest.mark.prefect
def test_a_verdict_shows_at_once_and_outlives_a_rebuild(es_settings, es_client, prefect_harness) -> None:
    programme_pipeline(sources_file=SAMPLES / "sources.csv", settings=es_settings)
    catalogue, prefix = Catalogue(es_settings.catalogue), es_settings.index_prefix
    found = mentions_of(es_client, prefix, "59698-2")
    water = next(key for key, m in found.items() if m["demand"] == "D03" and m["level"] == "opposition")
    wrong = next(key for key, m in found.items() if m["demand"] != "D03")

    changed = correct(catalogue, es_client, es_settings, DEMANDS, water, action="change", level="mention", by="camille", why="un constat")
    rejected = correct(catalogue, es_client, es_settings, DEMANDS, wrong, action="reject", by="camille")
    assert changed.in_index and rejected.in_index
    assert get_mention(es_client, prefix, water)["level"] == "mention"
    assert get_mention(es_client, prefix, water)["detector_level"] == "opposition"
    assert get_mention(es_client, prefix, wrong) is None

    def as_the_index_says() -> tuple:
        [card] = scorecards(es_client, prefix, DEMANDS, list_key="59698-2")
        return card.cells["D03"].level, {key: (m["demand"], m["level"]) for key, m in mentions_of(es_client, prefix, "59698-2").items()}

    corrected = as_the_index_says()
    levels = {m["level"] for m in mentions_of(es_client, prefix, "59698-2").values() if m["demand"] == "D03"}
    assert corrected[0] == ("opposition" if "opposition" in levels else "mention")

    rebuilt = process(es_settings, summary=RunSummary(), rebuild=True)
    assert rebuilt.failures == []
    assert as_the_index_says() == corrected
    assert get_mention(es_client, prefix, wrong) is None

    with pytest.raises(ConfigError, match="it was rejected"):
        correct(catalogue, es_client, es_settings, DEMANDS, wrong, action="confirm", by="dominique")
