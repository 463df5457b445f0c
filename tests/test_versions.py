"""Comparing two versions of a programme, on the real node."""

import pytest

from config.errors import ConfigError
from index.bulk import bulk_index
from index.client import connect
from index.schema import alias_name, ensure_indices
from index.versions import diff_versions

pytestmark = pytest.mark.es


def mention(prefix: str, version: int, demand: str, level: str, sentence: str) -> dict:
    record = f"v{version}-{demand}-{abs(hash(sentence))}"
    return {"_index": alias_name(prefix, "mentions"), "_id": record, "_source": {
        "record_id": record, "doc_id": f"59698-1-v{version}", "list_key": "59698-1", "version": version,
        "demand": demand, "level": level, "sentence": sentence, "page": 1, "start": 0, "end": 5,
    }}


def test_promises_that_appeared_disappeared_or_changed_level(es_settings) -> None:
    client, prefix = connect(es_settings), es_settings.index_prefix
    ensure_indices(client, prefix)
    bulk_index(client, [
        mention(prefix, 1, "D07", "commitment", "Nous ouvrirons un centre de santé."),
        mention(prefix, 1, "D03", "commitment", "Nous reprendrons l'eau en régie."),
        mention(prefix, 1, "D10", "mention", "La médiathèque ferme trop tôt."),
        mention(prefix, 2, "D07", "commitment", "Nous ouvrirons un centre de santé."),
        mention(prefix, 2, "D10", "commitment", "La médiathèque ferme trop tôt."),
        mention(prefix, 2, "D11", "commitment", "Nous rénoverons la piscine."),
    ])
    client.indices.refresh(index=alias_name(prefix, "mentions"))
    result = diff_versions(client, prefix, "59698-1")
    assert (result.older, result.newer) == (1, 2)
    assert {(c.kind, c.demand, c.before, c.after) for c in result.changes} == {
        ("disappeared", "D03", "commitment", None),
        ("changed level", "D10", "mention", "commitment"),
        ("appeared", "D11", None, "commitment"),
    }


def test_a_list_with_one_version_has_nothing_to_compare(es_settings) -> None:
    client, prefix = connect(es_settings), es_settings.index_prefix
    ensure_indices(client, prefix)
    bulk_index(client, [mention(prefix, 1, "D07", "commitment", "Nous ouvrirons un centre de santé.")])
    client.indices.refresh(index=alias_name(prefix, "mentions"))
    with pytest.raises(ConfigError, match="1 indexed version"):
        diff_versions(client, prefix, "59698-1")
