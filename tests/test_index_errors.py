"""Elasticsearch's exceptions, translated in one place (`index.client`), on the
client's own exception objects: no server needed."""

import pickle

import pytest
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from config.errors import ConfigError, IndexOverloaded, IndexUnavailable, QueryError, VigieError
from index.client import engine_errors, translate
from index.search import SearchRequest, _decode_cursor

URL = "http://127.0.0.1:9299"
REFUSED_QUERY = es_exceptions.RequestError(
    400, "search_phase_execution_exception", {"error": {"root_cause": [{"type": "parse_exception", "reason": "bad"}]}}
)


@pytest.fixture
def client() -> Elasticsearch:
    return Elasticsearch([URL])  # never contacted


@pytest.mark.parametrize(
    "exc",
    [
        es_exceptions.ConnectionError("N/A", "Connection refused", ConnectionRefusedError(111, "refused")),
        es_exceptions.ConnectionTimeout("TIMEOUT", "Read timed out", TimeoutError()),
        es_exceptions.SSLError("N/A", "certificate verify failed", OSError()),
    ],
)
def test_a_node_out_of_reach_is_unavailable_with_what_to_do(client, exc) -> None:
    error = translate(client, exc)
    assert type(error) is IndexUnavailable and error.url == URL
    assert str(error) == (
        f"Elasticsearch at {URL}: cannot be reached; start the local node with `vigie es start`, "
        f"or check VIGIE_ES_URL ({type(exc).__name__})"
    )


def test_429_is_overloaded_only_where_the_caller_retried(client) -> None:
    too_many = es_exceptions.TransportError(429, "es_rejected_execution_exception", {})
    assert translate(client, too_many) is None
    error = translate(client, too_many, overload_retries=3)
    assert isinstance(error, IndexOverloaded) and isinstance(error, IndexUnavailable)
    assert "refused the requests with 429 (too many requests) after 3 retries with back-off" in str(error)
    assert "VIGIE_ES_HEAP_MB" in str(error)


def test_a_refused_search_is_the_users_query_to_fix(client) -> None:
    error = translate(client, REFUSED_QUERY, query=True)
    assert type(error) is QueryError and error.field == "query"
    assert str(error) == "search, query: the server refused this search (search_phase_execution_exception); simplify the query"


def test_a_refused_search_that_continues_a_cursor_blames_the_cursor(client) -> None:
    error = translate(client, REFUSED_QUERY, query=True, cursor=True)
    assert type(error) is QueryError and error.field == "after"
    assert str(error) == "search, after: not a cursor given by a previous search of this query"


@pytest.mark.parametrize(
    "exc",
    [
        REFUSED_QUERY,  # not a user's query: a bug of Vigie's, shown as such
        es_exceptions.NotFoundError(404, "index_not_found_exception", {}),
        es_exceptions.ConflictError(409, "version_conflict_engine_exception", {}),
        es_exceptions.TransportError(500, "internal_server_error", {}),
        ValueError("not from Elasticsearch"),
    ],
)
def test_the_rest_is_left_to_the_caller(client, exc) -> None:
    assert translate(client, exc) is None


def test_engine_errors_raises_the_translation_from_the_original(client) -> None:
    with pytest.raises(QueryError) as refused, engine_errors(client, query=True):
        raise REFUSED_QUERY
    assert refused.value.__cause__ is REFUSED_QUERY


def test_engine_errors_lets_what_callers_decide_on_through_untouched(client) -> None:
    missing = es_exceptions.NotFoundError(404, "index_not_found_exception", {})
    with pytest.raises(es_exceptions.NotFoundError) as passed, engine_errors(client, query=True):
        raise missing
    assert passed.value is missing
    with engine_errors(client):
        pass  # nothing raised, nothing changed


def test_engine_errors_returns_from_inside(client) -> None:
    def value() -> int:
        with engine_errors(client):
            return 7

    assert value() == 7


@pytest.mark.parametrize(
    ("request_fields", "field", "message"),
    [
        ({"sort": "alphabet"}, "sort", "sort by one of ('relevance', 'date')"),
        ({"size": 0}, "size", "between 1 and 1000 hits per page"),
        ({"query": "é" * 2001}, "query", "the query is longer than 2000 characters; shorten it"),
    ],
)
def test_an_invalid_search_is_a_query_error_naming_its_field(request_fields, field, message) -> None:
    with pytest.raises(QueryError) as invalid:
        SearchRequest(**request_fields)
    assert invalid.value.field == field and str(invalid.value) == f"search, {field}: {message}"
    assert not isinstance(invalid.value, ConfigError) and isinstance(invalid.value, VigieError)


@pytest.mark.parametrize("cursor", ["%%%pas-du-base64", "bnVsbA==", "WzEsIDIsIDNd"])  # garbage, null, [1, 2, 3]
def test_a_cursor_that_no_search_gave_is_a_query_error(cursor) -> None:
    with pytest.raises(QueryError, match=r"^search, after: not a cursor given by a previous search$"):
        _decode_cursor(cursor)


def test_a_query_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(QueryError("between 1 and 1000 hits per page", field="size")))
    assert type(error) is QueryError and error.field == "size" and str(error) == "search, size: between 1 and 1000 hits per page"
