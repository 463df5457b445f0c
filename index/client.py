"""Connecting to Elasticsearch, with its failures translated once, here.

Every call to the cluster in `index/` runs inside `engine_errors(client)`:

    with engine_errors(client, query=True):
        response = client.search(index=index, body=body)

`translate` is the one table from elasticsearch-py's exceptions to Vigie's:

- a connection refused, reset or timed out → IndexUnavailable;
- 429 (too many requests), where the caller retried (`overload_retries`) → IndexOverloaded;
- 400 on a search the user wrote (`query=True`) → QueryError, on the cursor
  when the search continues one (`cursor=True`), else on the query.

Anything else (a missing index, 409, 429 where nothing retried) passes
through untouched: callers that make a decision on it (an absent index is an
empty result) catch it themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from config.errors import IndexOverloaded, IndexUnavailable, QueryError, VigieError
from config.settings import Settings

TOO_MANY_REQUESTS = 429


def connect(settings: Settings) -> Elasticsearch:
    """A client for the configured cluster (the local node when `VIGIE_ES_URL` is unset)."""
    return Elasticsearch([settings.elasticsearch_url], timeout=30, max_retries=2, retry_on_timeout=True)


def client_url(client: Elasticsearch) -> str:
    host = client.transport.hosts[0]
    return f"{host.get('scheme', 'http')}://{host['host']}:{host['port']}"


def server_info(client: Elasticsearch) -> dict:
    """The server's own description of itself (version number, cluster name)."""
    with engine_errors(client):
        return client.info()


def translate(
    client: Elasticsearch,
    exc: BaseException,
    *,
    query: bool = False,
    cursor: bool = False,
    overload_retries: int | None = None,
) -> VigieError | None:
    """The Vigie error `exc` stands for, or None when it is left to the caller."""
    if isinstance(exc, es_exceptions.ConnectionError):  # ConnectionTimeout and SSLError included
        return unavailable(client, exc)
    if not isinstance(exc, es_exceptions.TransportError):
        return None
    if overload_retries is not None and exc.status_code == TOO_MANY_REQUESTS:
        return overloaded(client, overload_retries, "the requests")
    if query and isinstance(exc, es_exceptions.RequestError):
        if cursor:
            return QueryError("not a cursor given by a previous search of this query", field="after")
        return QueryError(f"the server refused this search ({exc.error}); simplify the query", field="query")
    return None


@contextmanager
def engine_errors(
    client: Elasticsearch, *, query: bool = False, cursor: bool = False, overload_retries: int | None = None
) -> Iterator[None]:
    """Run Elasticsearch calls with their failures translated by `translate`
    (same keywords), raised `from` the original; the rest re-raised as is."""
    try:
        yield
    except es_exceptions.TransportError as exc:
        error = translate(client, exc, query=query, cursor=cursor, overload_retries=overload_retries)
        if error is None:
            raise
        raise error from exc


def unavailable(client: Elasticsearch, exc: Exception) -> IndexUnavailable:
    hint = (
        "cannot be reached; start the local node with `vigie es start`, "
        "or check VIGIE_ES_URL"
    )
    return IndexUnavailable(f"{hint} ({type(exc).__name__})", url=client_url(client))


def overloaded(client: Elasticsearch, retries: int, what: str) -> IndexOverloaded:
    """`what` was still refused with 429 after `retries` retries with back-off."""
    return IndexOverloaded(
        f"the node refused {what} with 429 (too many requests) after {retries} retries with back-off; "
        "it is overloaded: run again later (the next run indexes what is missing), "
        "or give it more heap (VIGIE_ES_HEAP_MB) or fewer workers (VIGIE_WORKERS)",
        url=client_url(client),
    )
