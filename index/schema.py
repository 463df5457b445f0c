"""Index names, analyzers and mappings, written down rather than inferred.

Each kind of record lives in a versioned index (``<prefix>-pages-v1``) behind
an alias (``<prefix>-pages``); readers and writers use the alias, so a new
version can be built beside the old one and switched to atomically.
"""

from __future__ import annotations

import hashlib
import json

import re
import time
from dataclasses import dataclass

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from index.client import engine_errors

# Bump when a mapping changes: the next run builds the new version and re-indexes.
SCHEMA_VERSION = 7
KINDS = ("documents", "pages", "mentions", "lists")

# The built-in `french` analyzer has no ASCII folding; this one adds it after
# the stop filter so accented stop words ("à", "où") are still removed, and
# "Santé", "sante" and "santé" meet.
ANALYSIS = {
    "filter": {
        "french_elision": {
            "type": "elision",
            "articles_case": True,
            "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
        },
        "french_stop": {"type": "stop", "stopwords": "_french_"},
        "french_stemmer": {"type": "stemmer", "language": "light_french"},
    },
    "analyzer": {
        "french_folded": {
            "tokenizer": "standard",
            "filter": ["french_elision", "lowercase", "french_stop", "asciifolding", "french_stemmer"],
        },
        "exact_folded": {"tokenizer": "standard", "filter": ["lowercase"]},
    },
}

_FRENCH_TEXT = {
    "type": "text",
    "analyzer": "french_folded",
    "fields": {"exact": {"type": "text", "analyzer": "exact_folded"}},
}
_KEYWORD = {"type": "keyword"}
_LIST_FIELDS = {
    "list_key": _KEYWORD,
    "list_label": {"type": "text", "analyzer": "french_folded", "fields": {"raw": _KEYWORD}},
    "commune": {"type": "text", "analyzer": "french_folded", "fields": {"raw": _KEYWORD}},
    "commune_insee": _KEYWORD,
    "departement": _KEYWORD,
    "nuance": _KEYWORD,
    "head_of_list": {"type": "text", "analyzer": "french_folded", "fields": {"raw": _KEYWORD}},
    "panel": {"type": "integer"},
}
_DOCUMENT_FIELDS = {
    "record_id": _KEYWORD,  # the record's own id: the unique tiebreaker for deep pagination
    "latest": {"type": "boolean"},  # the newest version of its source: searches default to these
    "doc_id": _KEYWORD,
    "sha256": _KEYWORD,
    "source": _KEYWORD,
    "archive_path": _KEYWORD,
    "media_type": _KEYWORD,
    "fetched_at": {"type": "date"},
    "version": {"type": "integer"},
    "extractor_version": _KEYWORD,
    "kind": _KEYWORD,  # "programme", or "evidence" attached to a follow-up item (searchable, not in scorecards)
}

MAPPINGS: dict[str, dict] = {
    "documents": {
        "dynamic": "strict",
        "properties": {**_LIST_FIELDS, **_DOCUMENT_FIELDS, "pages": {"type": "integer"}, "warnings": _KEYWORD},
    },
    "pages": {
        "dynamic": "strict",
        "properties": {
            **_LIST_FIELDS,
            **_DOCUMENT_FIELDS,
            "page": {"type": "integer"},
            "text": _FRENCH_TEXT,
            "chars": {"type": "integer"},
            "method": _KEYWORD,
            "warnings": _KEYWORD,
        },
    },
    "mentions": {
        "dynamic": "strict",
        "properties": {
            **_LIST_FIELDS,
            **_DOCUMENT_FIELDS,
            "page": {"type": "integer"},
            "demand": _KEYWORD,
            "level": _KEYWORD,
            "score": {"type": "float"},
            "evidence": _KEYWORD,
            "sentence": _FRENCH_TEXT,
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "platform_version": _KEYWORD,
            # An analyst's verdict (see tracking.corrections): "confirmed" or "changed", and what the detector said.
            "corrected": _KEYWORD,
            "corrected_by": _KEYWORD,
            "detector_demand": _KEYWORD,
            "detector_level": _KEYWORD,
            "quantities": {
                "type": "nested",
                "properties": {"text": _KEYWORD, "kind": _KEYWORD, "value": {"type": "double"}, "unit": _KEYWORD},
            },
        },
    },
    # One record per list: its scorecard, stored for questions about lists (see `index.lists`).
    "lists": {
        "dynamic": "strict",
        "properties": {
            **_LIST_FIELDS,
            "record_id": _KEYWORD,
            "has_programme": {"type": "boolean"},
            "commitments": _KEYWORD,
            "oppositions": _KEYWORD,
            "mentions_only": _KEYWORD,
            "silences": _KEYWORD,
            "committed": {"type": "integer"},
            "opposed": {"type": "integer"},
            "mentioned": {"type": "integer"},
            "silent": {"type": "integer"},
            "cells": {
                "type": "nested",
                "properties": {
                    "demand": _KEYWORD,
                    "level": _KEYWORD,
                    "sentences": {"type": "integer"},
                    "quotation": {"type": "text", "analyzer": "french_folded"},
                    "page": {"type": "integer"},
                    "archive": _KEYWORD,
                    "quantities": _KEYWORD,
                },
            },
            "elected": {"type": "boolean"},
            "votes": {"type": "integer"},
            "percent_expressed": {"type": "float"},
            "round": {"type": "integer"},
            "updated_at": {"type": "date"},
        },
    },
}


def alias_name(prefix: str, kind: str) -> str:
    return f"{prefix}-{kind}"


def index_name(prefix: str, kind: str, version: int = SCHEMA_VERSION) -> str:
    return f"{prefix}-{kind}-v{version}"


@dataclass(frozen=True)
class Layout:
    """How each index is spread over a cluster: one shard and no replica on a
    lone node; several shards and a replica on a cluster of several nodes."""

    shards: int = 1
    replicas: int = 0


def put_templates(client: Elasticsearch, prefix: str, layout: Layout = Layout()) -> None:
    """Index templates so that every version of an index gets the same analysis and mapping.

    Each template carries a digest of its body: a run puts only those that
    changed (putting one rewrites the cluster state, a tenth of a second each)."""
    bodies = {
        alias_name(prefix, kind): {
            "index_patterns": [f"{alias_name(prefix, kind)}-v*"],
            "template": {
                # Searches see new records within 10 s; a run refreshes once at its end.
                "settings": {
                    "number_of_shards": layout.shards, "number_of_replicas": layout.replicas,
                    "refresh_interval": "10s", "analysis": ANALYSIS,
                },  # fmt: skip
                "mappings": MAPPINGS[kind],
            },
        }
        for kind in KINDS
    }
    # 404 when any is missing (a first run): then all are put.
    found = client.indices.get_index_template(name=",".join(bodies), ignore=404).get("index_templates", [])
    digests = {item["name"]: (item["index_template"].get("_meta") or {}).get("digest") for item in found}
    for name, body in bodies.items():
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        if digests.get(name) != digest:
            client.indices.put_index_template(name=name, body={**body, "_meta": {"digest": digest}})


def ensure_indices(client: Elasticsearch, prefix: str, layout: Layout = Layout()) -> dict[str, str]:
    """Create the templates, and point each alias at the index of the current
    schema version, creating it when missing. An alias still on an older
    version moves to the new, empty one (the old index is kept); the run's
    index key includes the schema version, so the run re-indexes everything.

    Returns the index each alias points to.
    """
    with engine_errors(client):
        put_templates(client, prefix, layout)
        current: dict[str, str] = {}
        for kind in KINDS:
            name = index_name(prefix, kind)
            alias = alias_name(prefix, kind)
            served = list(client.indices.get_alias(name=alias)) if client.indices.exists_alias(name=alias) else []
            if len(served) == 1 and _of_current_schema(served[0], alias):
                current[kind] = served[0]  # possibly a generation built by `vigie reindex`
                continue
            if not client.indices.exists(index=name):
                client.indices.create(index=name)
            switch_alias(client, prefix, kind, name)
            current[kind] = name
        return current


def _of_current_schema(index: str, alias: str) -> bool:
    return re.fullmatch(rf"{re.escape(alias)}-v{SCHEMA_VERSION}(-\d+)?", index) is not None


def served_targets(prefix: str) -> dict[str, str]:
    """Where a normal run writes: the aliases."""
    return {kind: alias_name(prefix, kind) for kind in KINDS}


def new_generation(client: Elasticsearch, prefix: str, layout: Layout = Layout()) -> dict[str, str]:
    """Fresh, empty indices of the current schema, not yet served, for a rebuild."""
    put_templates(client, prefix, layout)
    stamp = time.strftime("%Y%m%d%H%M%S") + f"{time.time_ns() % 1000:03d}"
    targets = {kind: f"{index_name(prefix, kind)}-{stamp}" for kind in KINDS}
    for name in targets.values():
        client.indices.create(index=name)
    return targets


def serve_generation(client: Elasticsearch, prefix: str, targets: dict[str, str]) -> list[str]:
    """Move every alias to the rebuilt indices in one atomic step; delete the
    indices served before. Returns their names."""
    actions: list[dict] = []
    retired: list[str] = []
    for kind, index in targets.items():
        alias = alias_name(prefix, kind)
        if client.indices.exists_alias(name=alias):
            for old in client.indices.get_alias(name=alias):
                actions.append({"remove": {"index": old, "alias": alias}})
                retired.append(old)
        actions.append({"add": {"index": index, "alias": alias}})
    client.indices.update_aliases(body={"actions": actions})
    for old in retired:
        client.indices.delete(index=old)
    return retired


def create_index_version(client: Elasticsearch, prefix: str, kind: str, version: int) -> str:
    """A new, empty index for `kind`, built from the template, not yet served."""
    put_templates(client, prefix)
    name = index_name(prefix, kind, version)
    client.indices.create(index=name)
    return name


def switch_alias(client: Elasticsearch, prefix: str, kind: str, new_index: str) -> None:
    """Serve `new_index` under the alias in one atomic step."""
    alias = alias_name(prefix, kind)
    actions: list[dict] = []
    if client.indices.exists_alias(name=alias):
        actions += [{"remove": {"index": old, "alias": alias}} for old in client.indices.get_alias(name=alias)]
    actions.append({"add": {"index": new_index, "alias": alias}})
    client.indices.update_aliases(body={"actions": actions})


def document_counts(client: Elasticsearch, prefix: str) -> dict[str, int]:
    """Number of records behind each alias of this prefix (0 when missing)."""
    counts: dict[str, int] = {}
    for kind in KINDS:
        alias = alias_name(prefix, kind)
        try:
            with engine_errors(client):
                counts[kind] = int(client.count(index=alias)["count"])
        except es_exceptions.NotFoundError:
            counts[kind] = 0
    return counts


def abandon_generation(client: Elasticsearch, targets: dict[str, str]) -> None:
    """Delete a rebuild's indices, never served: the served ones stay as they were."""
    with engine_errors(client):
        for index in targets.values():
            client.indices.delete(index=index, ignore=[404])


def drop_indices(client: Elasticsearch, prefix: str) -> list[str]:
    """Delete every index and template of this prefix (named one by one: the
    local node refuses wildcard deletes). Returns the deleted index names."""
    names: list[str] = []
    for kind in KINDS:
        names += list(client.indices.get(index=f"{alias_name(prefix, kind)}-v*", ignore_unavailable=True))
        client.indices.delete_index_template(name=alias_name(prefix, kind), ignore=[404])
    for name in names:
        client.indices.delete(index=name)
    return names


def refresh(client: Elasticsearch, prefix: str) -> None:
    """Make everything indexed so far searchable now (at the end of a run)."""
    with engine_errors(client):
        client.indices.refresh(index=",".join(alias_name(prefix, kind) for kind in KINDS))
