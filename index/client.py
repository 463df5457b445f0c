"""Connecting to Elasticsearch, with its failures translated once, here."""

from __future__ import annotations

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from config.errors import IndexUnavailable
from config.settings import Settings


def connect(settings: Settings) -> Elasticsearch:
    """A client for the configured cluster (the local node when `VIGIE_ES_URL` is unset)."""
    return Elasticsearch([settings.elasticsearch_url], timeout=30, max_retries=2, retry_on_timeout=True)


def client_url(client: Elasticsearch) -> str:
    host = client.transport.hosts[0]
    return f"{host.get('scheme', 'http')}://{host['host']}:{host['port']}"


def server_info(client: Elasticsearch) -> dict:
    """The server's own description of itself (version number, cluster name)."""
    try:
        return client.info()
    except es_exceptions.ConnectionError as exc:
        raise unavailable(client, exc) from exc


def unavailable(client: Elasticsearch, exc: Exception) -> IndexUnavailable:
    hint = (
        "cannot be reached; start the local node with `vigie es start`, "
        "or check VIGIE_ES_URL"
    )
    return IndexUnavailable(f"{hint} ({type(exc).__name__})", url=client_url(client))
