"""What changed in a list's programme between two versions: the promises
that appeared, disappeared, or changed level."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exceptions

from config.errors import ConfigError
from index.client import engine_errors
from index.schema import alias_name


@dataclass(frozen=True)
class Change:
    demand: str
    sentence: str
    before: str | None
    """Level in the older version; None when the sentence appeared."""
    after: str | None
    """Level in the newer version; None when it disappeared."""

    @property
    def kind(self) -> str:
        return "appeared" if self.before is None else "disappeared" if self.after is None else "changed level"


@dataclass(frozen=True)
class VersionDiff:
    list_key: str
    older: int
    newer: int
    changes: tuple[Change, ...]


def _key(sentence: str) -> str:
    return " ".join(sentence.split()).lower()


def diff_versions(
    client: Elasticsearch, prefix: str, list_key: str, *, older: int | None = None, newer: int | None = None
) -> VersionDiff:
    """Compare the mentions of two versions of a list's programme (by default
    the two newest)."""
    found: dict[int, dict[tuple[str, str], tuple[str, str]]] = defaultdict(dict)
    try:
        with engine_errors(client):
            for hit in helpers.scan(
                client,
                index=alias_name(prefix, "mentions"),
                query={"query": {"term": {"list_key": list_key}}, "_source": ["version", "demand", "sentence", "level"]},
            ):
                source = hit["_source"]
                found[int(source["version"])][(source["demand"], _key(source["sentence"]))] = (
                    source["level"],
                    " ".join(source["sentence"].split()),
                )
    except es_exceptions.NotFoundError:
        pass
    versions = sorted(found)
    if older is None or newer is None:
        if len(versions) < 2:
            raise ConfigError(
                f"list {list_key} has {len(versions)} indexed version(s) with mentions; nothing to compare",
                source="vigie diff",
                field="--list",
            )
        older, newer = versions[-2], versions[-1]
    before, after = found.get(older, {}), found.get(newer, {})
    changes = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was and now and was[0] == now[0]:
            continue
        changes.append(Change(key[0], (now or was)[1], was[0] if was else None, now[0] if now else None))
    return VersionDiff(list_key, older, newer, tuple(changes))
