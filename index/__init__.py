"""Elasticsearch: the local node, mappings, bulk indexing, and the read side
(search, scorecards, version diffs, exports)."""

from index.bulk import BulkReport, ItemError, bulk_index
from index.client import connect, server_info
from index.runtime import NodeInfo, install_runtime, node_pid, start_node, stop_node
from index.schema import (
    alias_name,
    create_index_version,
    document_counts,
    drop_indices,
    ensure_indices,
    index_name,
    new_generation,
    serve_generation,
    switch_alias,
)
from index.lists import ListFacts, ListQuery, ListSummary, find_lists, write_list_records
from index.scorecards import Cell, DemandCoverage, Scorecard, demand_coverage, scorecards
from index.search import Hit, SearchRequest, SearchResult, search, search_pages
from index.versions import VersionDiff, diff_versions

__all__ = [
    "BulkReport",
    "Cell",
    "DemandCoverage",
    "Hit",
    "ItemError",
    "ListFacts",
    "ListQuery",
    "ListSummary",
    "NodeInfo",
    "Scorecard",
    "SearchRequest",
    "SearchResult",
    "VersionDiff",
    "alias_name",
    "bulk_index",
    "connect",
    "create_index_version",
    "demand_coverage",
    "diff_versions",
    "document_counts",
    "drop_indices",
    "ensure_indices",
    "find_lists",
    "index_name",
    "install_runtime",
    "new_generation",
    "node_pid",
    "scorecards",
    "search",
    "search_pages",
    "serve_generation",
    "server_info",
    "start_node",
    "stop_node",
    "switch_alias",
    "write_list_records",
]
