"""The index layer against the real Elasticsearch node."""

import pytest
from elasticsearch import Elasticsearch

from index.bulk import bulk_index
from index.schema import SCHEMA_VERSION, alias_name, create_index_version, drop_indices, ensure_indices, index_name, switch_alias
from index.search import search_pages

pytestmark = pytest.mark.es


def page(doc_id: str, number: int, text: str, **fields) -> dict:
    source = {
        "doc_id": doc_id,
        "list_label": "Essai en commun",
        "commune": "Essai-sur-Mer",
        "source": f"/programmes/{doc_id}.pdf",
        "archive_path": f"/archive/{doc_id}.pdf",
        "page": number,
        "text": text,
        **fields,
    }
    return {"_id": f"{doc_id}-p{number}", "_source": source}


def index_pages(client: Elasticsearch, prefix: str, *pages: dict) -> None:
    ensure_indices(client, prefix)
    report = bulk_index(client, [{**p, "_index": alias_name(prefix, "pages")} for p in pages])
    assert report.errors == []
    client.indices.refresh(index=alias_name(prefix, "pages"))


def analyse(client: Elasticsearch, prefix: str, text: str) -> list[str]:
    ensure_indices(client, prefix)
    tokens = client.indices.analyze(index=alias_name(prefix, "pages"), body={"field": "text", "text": text})["tokens"]
    return [token["token"] for token in tokens]


def test_the_french_analyzer_makes_plural_capitalised_and_singular_forms_meet(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    forms = {analyse(es_client, prefix, word)[0] for word in ("logements", "Logement", "logement")}
    assert len(forms) == 1
    index_pages(es_client, prefix, page("a", 1, "Nous construirons 500 logements sociaux."))
    for query in ("logement", "Logement", "logements"):
        assert search_pages(es_client, prefix, query).total == 1, query


def test_accents_elisions_and_stop_words_are_folded(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    assert analyse(es_client, prefix, "l'école") == analyse(es_client, prefix, "ecole")
    assert analyse(es_client, prefix, "Santé") == analyse(es_client, prefix, "sante")
    assert analyse(es_client, prefix, "de la") == []


def test_a_hit_after_an_elision_is_highlighted_on_the_word(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    index_pages(es_client, prefix, page("a", 2, "Nous reprendrons la gestion de l'eau en régie publique."))
    [hit] = search_pages(es_client, prefix, "eau").hits
    # The standard tokenizer keeps "l'eau" as one token: the article is highlighted with the word.
    assert "de [l'eau] en" in hit.fragments[0]
    assert (hit.list_label, hit.commune, hit.page) == ("Essai en commun", "Essai-sur-Mer", 2)
    assert hit.citation.endswith("/archive/a.pdf#page=2")


def test_the_phrase_ranks_first_and_odd_syntax_never_raises(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    index_pages(
        es_client,
        prefix,
        page("loin", 1, "Le centre-ville attend. La santé des enfants compte."),
        page("près", 1, "Nous ouvrirons un centre de santé municipal."),
    )
    assert search_pages(es_client, prefix, "centre de santé").hits[0].doc_id == "près"
    for hostile in ('"centre de', "santé AND (", "+-|*~", "text:/.*/", "{\"script\": 1}"):
        search_pages(es_client, prefix, hostile)  # must not raise


def test_bulk_reports_a_malformed_document_and_indexes_the_others(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    ensure_indices(es_client, prefix)
    pages = alias_name(prefix, "pages")
    good = [{**page(f"doc{i}", 1, "Une crèche de plus."), "_index": pages} for i in range(3)]
    bad = {**page("cassé", 1, "Texte."), "_index": pages}
    bad["_source"]["page"] = "pas un nombre"
    report = bulk_index(es_client, [good[0], bad, good[1], good[2]])
    assert report.indexed == 3
    assert [error.id for error in report.errors] == ["cassé-p1"]
    assert "page" in report.errors[0].reason
    es_client.indices.refresh(index=pages)
    assert es_client.count(index=pages)["count"] == 3


def test_switching_the_alias_serves_the_new_index_version(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    index_pages(es_client, prefix, page("ancien", 1, "Ancienne version du programme : piscine."))
    fresh = create_index_version(es_client, prefix, "pages", SCHEMA_VERSION + 1)
    bulk_index(es_client, [{**page("nouveau", 1, "Nouvelle version du programme : piscine."), "_index": fresh}])
    es_client.indices.refresh(index=fresh)
    assert [h.doc_id for h in search_pages(es_client, prefix, "piscine").hits] == ["ancien"]
    switch_alias(es_client, prefix, "pages", fresh)
    assert [h.doc_id for h in search_pages(es_client, prefix, "piscine").hits] == ["nouveau"]
    assert list(es_client.indices.get_alias(name=alias_name(prefix, "pages"))) == [index_name(prefix, "pages", SCHEMA_VERSION + 1)]


def test_two_prefixes_never_see_each_other(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    other = prefix + "-autre"
    try:
        index_pages(es_client, prefix, page("ici", 1, "Une médiathèque ouverte le dimanche."))
        ensure_indices(es_client, other)
        assert search_pages(es_client, prefix, "médiathèque").total == 1
        assert search_pages(es_client, other, "médiathèque").total == 0
    finally:
        drop_indices(es_client, other)


def test_an_alias_on_an_older_schema_moves_to_the_current_one(es_client, es_settings) -> None:
    prefix = es_settings.index_prefix
    old = create_index_version(es_client, prefix, "pages", SCHEMA_VERSION - 1)
    switch_alias(es_client, prefix, "pages", old)
    ensure_indices(es_client, prefix)
    assert list(es_client.indices.get_alias(name=alias_name(prefix, "pages"))) == [index_name(prefix, "pages")]
    assert es_client.indices.exists(index=old)  # kept, to go back to


def test_templates_are_put_again_only_when_they_change(es_client, es_settings) -> None:
    from index.schema import Layout, put_templates

    prefix = es_settings.index_prefix
    put_templates(es_client, prefix)
    state = es_client.cluster.state(metric="version")["version"]
    put_templates(es_client, prefix)
    assert es_client.cluster.state(metric="version")["version"] == state  # nothing rewritten

    put_templates(es_client, prefix, Layout(shards=2))
    template = es_client.indices.get_index_template(name=alias_name(prefix, "mentions"))["index_templates"][0]
    assert template["index_template"]["template"]["settings"]["index"]["number_of_shards"] == "2"
    for kind in ("documents", "pages", "mentions", "lists"):
        es_client.indices.delete_index_template(name=alias_name(prefix, kind))
