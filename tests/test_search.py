"""Search for analysts, on the real node: the sample corpus, filters, facets,
hostile queries, versions, and pagination past 10,000 hits."""

import uuid

import pytest

from config.errors import QueryError
from index.bulk import bulk_index
from index.client import connect
from index.schema import alias_name, ensure_indices
from index.search import SearchRequest, search

pytestmark = [pytest.mark.es, pytest.mark.prefect]


def run(corpus, **request) -> object:
    client, prefix = corpus
    return search(client, prefix, SearchRequest(**request))


def test_a_phrase_finds_the_words_together_and_highlights_them(corpus) -> None:
    result = run(corpus, query='"centre de santé municipal"')
    assert {hit.list_label for hit in result.hits} == {"Moulins en commun", "Sorvigny solidaire et écologique"}
    assert all("[centre] de [santé] [municipal]" in " ".join(hit.fragments) for hit in result.hits)


def test_boolean_operators_include_and_exclude(corpus) -> None:
    with_pool = {hit.list_label for hit in run(corpus, query="piscine").hits}
    without_private = {hit.list_label for hit in run(corpus, query="piscine -privé").hits}
    assert without_private < with_pool
    assert "Moulins Avenir" in with_pool - without_private


def test_facets_count_and_filters_narrow(corpus) -> None:
    everything = run(corpus, query="logements")
    assert set(everything.facets["commune"]) == {"Moulins-sur-Lys", "Val-de-Sorvigny"}
    assert sum(everything.facets["commune"].values()) == everything.total
    in_62 = run(corpus, query="logements", departement="62")
    assert in_62.total == everything.facets["departement"]["62"]
    assert {hit.commune for hit in in_62.hits} == {"Val-de-Sorvigny"}
    ldvd = run(corpus, query="logements", nuance="LDVD")
    assert {hit.list_label for hit in ldvd.hits} == {"Moulins Avenir"}
    moulins = run(corpus, query="logements", commune="Moulins-sur-Lys")
    assert {hit.commune for hit in moulins.hits} == {"Moulins-sur-Lys"}


def test_demand_and_level_search_the_sentences(corpus) -> None:
    result = run(corpus, demand="D03", level="opposition", size=50)
    assert result.total >= 1
    assert {(hit.demand, hit.level) for hit in result.hits} == {("D03", "opposition")}
    assert any("opérateur privé" in " ".join(hit.fragments) for hit in result.hits)
    assert set(result.facets["level"]) == {"opposition"}


HOSTILE_PAGES = {
    "sante": "Nous créerons un centre de santé municipal avec des médecins salariés.",
    "loisirs": "Le centre de loisirs rouvrira ; le centre-ville sera piéton.",
    "piscine": "Nous rénoverons la piscine et le gymnase du quartier.",
    "script": "Le code source du script de la version 1 du site sera publié.",
    "script-seul": "Aucun script ne suivra vos visites.",
    "texte": "Le texte intégral du programme est affiché en mairie.",
    "and": "Santé and Co, une maison de santé qui vaut de l'or.",
}


@pytest.fixture(scope="module")
def hostile_pages(es_node):
    """(client, prefix) of an index of a few small French pages, one per record id of HOSTILE_PAGES."""
    from index.schema import drop_indices

    client, prefix = connect(es_node), "hostile" + uuid.uuid4().hex[:8]
    ensure_indices(client, prefix)
    pages = [
        {"_index": alias_name(prefix, "pages"), "_id": key, "_source": {
            "record_id": key, "doc_id": key, "version": 1, "latest": True, "list_label": "Essai", "commune": "Essai-sur-Mer",
            "page": 1, "source": "https://essai.example/p.pdf", "archive_path": f"/a/{key}.pdf", "text": text,
        }}  # fmt: skip
        for key, text in HOSTILE_PAGES.items()
    ]
    assert bulk_index(client, pages).indexed == len(pages)
    client.indices.refresh(index=alias_name(prefix, "pages"))
    yield client, prefix
    drop_indices(client, prefix)


@pytest.mark.parametrize(
    ("hostile", "matches"),
    [
        ('"centre de', {"sante", "loisirs"}),  # the unclosed phrase: its words, nothing more
        ("*santé", {"sante", "and"}),  # a leading * is no wildcard matching everything
        ('santé AND (( OR "', {"and"}),  # AND and OR are words here, the brackets nothing
        ("+-|~*\\\\/:!{}[]^", set()),  # operators alone match nothing, not everything
        ("text:/.*/", {"texte"}),  # no field nor regular expression syntax: the word "text"
        ('{"script": {"source": "1"}}', {"script"}),  # the words script, source and 1, all of them; nothing runs
        ("é" * 1500, set()),
    ],
    ids=["unclosed-phrase", "leading-star", "operators-as-words", "operators-alone", "field-regexp", "json-script", "long-word"],
)
def test_hostile_queries_match_what_their_words_match_never_a_server_error(hostile_pages, hostile: str, matches: set) -> None:
    assert run(hostile_pages).total == len(HOSTILE_PAGES)  # every page is there to be matched
    result = run(hostile_pages, query=hostile, size=50)
    assert {hit.record_id for hit in result.hits} == matches
    assert result.total == len(matches)


def test_a_10_kb_query_gets_a_clear_message(corpus) -> None:
    with pytest.raises(QueryError, match="^search, query: the query is longer than 2000 characters; shorten it"):
        run(corpus, query="logement " * 1200)


def test_a_forged_cursor_the_server_refuses_is_the_users_to_fix(es_client, es_settings) -> None:
    from elasticsearch.exceptions import RequestError

    from index.search import _Cursor

    ensure_indices(es_client, es_settings.index_prefix)
    forged = _Cursor(["pas un score", "x"], None, 0).encode()  # well-formed, but no search sorts on a string score
    with pytest.raises(QueryError, match="^search, after: not a cursor given by a previous search of this query$") as refused:
        search(es_client, es_settings.index_prefix, SearchRequest(query="logements", after=forged))
    assert refused.value.field == "after" and isinstance(refused.value.__cause__, RequestError)


def test_a_search_the_server_cannot_parse_is_a_query_error(es_client, es_settings) -> None:
    """Refused the way the node refuses it (simple_query_string itself never is)."""
    from index.client import engine_errors

    client, prefix = es_client, es_settings.index_prefix
    ensure_indices(client, prefix)
    with pytest.raises(QueryError, match=r"^search, query: the server refused this search \(\w+\); simplify the query$"):
        with engine_errors(client, query=True):
            client.search(index=alias_name(prefix, "pages"), body={"query": {"pas_une_requete": {}}})


def test_only_the_newest_version_is_searched_unless_asked(es_settings) -> None:
    client, prefix = connect(es_settings), es_settings.index_prefix
    ensure_indices(client, prefix)
    old, new = (
        {"_index": alias_name(prefix, "pages"), "_id": f"v{n}-p1", "_source": {
            "record_id": f"v{n}-p1", "doc_id": f"v{n}", "version": n, "latest": n == 2, "list_label": "Essai",
            "commune": "Essai-sur-Mer", "page": 1, "source": "https://essai.example/p.pdf", "archive_path": f"/a/{n}.pdf",
            "text": f"Version {n} : nous rénoverons la piscine.",
        }}
        for n in (1, 2)
    )
    bulk_index(client, [old, new])
    client.indices.refresh(index=alias_name(prefix, "pages"))
    assert [h.version for h in search(client, prefix, SearchRequest(query="piscine")).hits] == [2]
    assert sorted(h.version for h in search(client, prefix, SearchRequest(query="piscine", all_versions=True)).hits) == [1, 2]


def health_mention(i: int, prefix: str) -> dict:
    return {"_index": alias_name(prefix, "mentions"), "_id": f"m{i}", "_source": {
        "record_id": f"m{i}", "doc_id": f"d{i % 37}", "list_key": f"59999-{i % 7}", "list_label": "Essai",
        "commune": "Essai-sur-Mer", "departement": "59", "page": i % 11, "source": "s", "archive_path": "/a.pdf",
        "demand": "D07", "level": "commitment", "sentence": f"Nous ouvrirons le centre de santé numéro {i}.", "start": 0, "end": 10,
    }}  # fmt: skip


MANY = 10_500


@pytest.fixture(scope="module")
def many_mentions(es_node):
    """(client, prefix) of an index holding more mentions than one search window (10,000)."""
    from index.schema import drop_indices

    client, prefix = connect(es_node), "deep" + uuid.uuid4().hex[:8]
    ensure_indices(client, prefix)
    assert bulk_index(client, (health_mention(i, prefix) for i in range(MANY)), chunk_size=2000).indexed == MANY
    client.indices.refresh(index=alias_name(prefix, "mentions"))
    yield client, prefix
    drop_indices(client, prefix)


def every_page(client, prefix, request: SearchRequest, between_pages=lambda: None) -> list:
    hits, cursor = [], None
    while True:
        page = search(client, prefix, SearchRequest(**{**request.__dict__, "after": cursor}))
        hits += page.hits
        cursor = page.next_cursor
        if cursor is None:
            return hits
        between_pages()


def test_pagination_goes_past_10000_hits_returning_each_once(many_mentions) -> None:
    client, prefix = many_mentions
    hits = every_page(client, prefix, SearchRequest(query="santé", demand="D07", size=1000))
    assert len(hits) == MANY and len({hit.record_id for hit in hits}) == MANY


def test_a_snapshot_pages_through_one_frozen_view_of_the_index(many_mentions) -> None:
    client, prefix = many_mentions
    added = iter(range(MANY, MANY + 50))

    def meanwhile_a_run_indexes_more() -> None:
        bulk_index(client, [health_mention(next(added), prefix)])
        client.indices.refresh(index=alias_name(prefix, "mentions"))

    request = SearchRequest(query="santé", demand="D07", size=1000, snapshot=True)
    try:
        hits = every_page(client, prefix, request, between_pages=meanwhile_a_run_indexes_more)
        assert {hit.record_id for hit in hits} == {f"m{i}" for i in range(MANY)}
        assert len(hits) == MANY
        assert search(client, prefix, SearchRequest(query="santé", demand="D07", size=1)).total > MANY  # they are indexed
    finally:  # the other tests of this module count on MANY mentions
        added_ids = [f"m{i}" for i in range(MANY, MANY + 50)]
        client.delete_by_query(index=alias_name(prefix, "mentions"), body={"query": {"ids": {"values": added_ids}}}, refresh=True)


def test_a_used_up_snapshot_cursor_says_to_search_again(many_mentions) -> None:
    client, prefix = many_mentions
    request = SearchRequest(demand="D07", size=1000, snapshot=True)
    cursors, cursor = [], None
    while True:
        page = search(client, prefix, SearchRequest(**{**request.__dict__, "after": cursor}))
        if page.next_cursor is None:
            break  # the snapshot is closed with the last page
        cursors.append(cursor := page.next_cursor)
    with pytest.raises(QueryError, match="^search, after: this cursor's snapshot expired"):
        search(client, prefix, SearchRequest(**{**request.__dict__, "after": cursors[-1]}))


def test_a_full_export_scrolls_every_hit_once_in_list_and_page_order(many_mentions) -> None:
    from index.exports import all_hits

    client, prefix = many_mentions
    hits = list(all_hits(client, prefix, SearchRequest(query="santé", demand="D07")))
    assert len(hits) == MANY and len({hit.record_id for hit in hits}) == MANY
    assert [(h.list_key, h.page) for h in hits] == sorted((h.list_key, h.page) for h in hits)
    assert all("[santé]" in hit.fragments[0] for hit in hits[:100])
