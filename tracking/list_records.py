"""The lists index kept in step with the catalogue: each list's record
(details, result, scorecard) rewritten from its indexed mentions.

Called at the end of a processing run and after an analyst's correction;
a list stays due in the catalogue until its record is written, so a run
that could not reach the index leaves it for the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

from elasticsearch import Elasticsearch

from config.settings import Settings
from index.documents import refresh
from index.lists import ListFacts, write_list_records
from storage.catalogue import Catalogue


def list_facts(catalogue: Catalogue, keys: list[str]) -> list[ListFacts]:
    """What the catalogue knows of these lists: their details and, once imported, their result."""
    return [ListFacts(**details) for details in catalogue.list_details(keys)]


def update_list_records(
    client: Elasticsearch,
    settings: Settings,
    catalogue: Catalogue,
    demands: list[str],
    targets: Mapping[str, str],
    keys: list[str],
) -> int:
    """Rewrite the lists-index records of `keys` from the indexed mentions;
    they stop being due only once written. Returns the records written."""
    started = datetime.now(timezone.utc)
    refresh(client, targets, "documents", "mentions")
    written = write_list_records(client, settings.index_prefix, list_facts(catalogue, keys), demands, targets)
    catalogue.scorecards_written(keys, started)
    return written
