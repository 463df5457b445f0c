"""Elasticsearch: the local node, mappings, bulk indexing and search."""

from index.bulk import BulkReport, ItemError, bulk_index
from index.client import connect, server_info
from index.runtime import NodeInfo, install_runtime, node_pid, start_node, stop_node
from index.schema import (
    alias_name,
    create_index_version,
    document_counts,
    ensure_indices,
    index_name,
    switch_alias,
)
from index.search import Hit, SearchResult, search_pages

__all__ = [
    "BulkReport",
    "Hit",
    "ItemError",
    "NodeInfo",
    "SearchResult",
    "alias_name",
    "bulk_index",
    "connect",
    "create_index_version",
    "document_counts",
    "ensure_indices",
    "index_name",
    "install_runtime",
    "node_pid",
    "search_pages",
    "server_info",
    "start_node",
    "stop_node",
    "switch_alias",
]
