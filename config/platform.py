"""Load and validate the platform file: the demands Vigie detects."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError

DEFAULT_PLATFORM = Path(__file__).with_name("platform.toml")

_DEMAND_ID = re.compile(r"^D\d{2}$")
_DEMAND_KEYS = {"id", "title", "wording", "wording_status", "terms", "acronyms", "exclude", "not_with"}
_WORDING_STATUSES = {"published", "working"}


@dataclass(frozen=True)
class Demand:
    id: str
    title: str
    wording: str
    wording_status: str
    terms: tuple[str, ...]
    """Matched on accent-folded lowercase forms and on lemmas."""
    acronyms: tuple[str, ...]
    """Matched exactly as written (SRU, CCAS): in lowercase they are common words."""
    exclude: tuple[str, ...]
    """A match inside one of these expressions is a false friend."""
    not_with: tuple[str, ...]
    """In a sentence holding one of these, another demand is meant: this one is dropped."""


@dataclass(frozen=True)
class Platform:
    name: str
    demands: tuple[Demand, ...]
    version: str
    """First 12 hex digits of the file's sha256: detections carry it, so editing
    the platform makes them stale."""

    def demand(self, demand_id: str) -> Demand:
        for demand in self.demands:
            if demand.id == demand_id:
                return demand
        raise KeyError(demand_id)


def load_platform(path: Path = DEFAULT_PLATFORM) -> Platform:
    """Read a platform file; any problem raises a ConfigError naming the file and field."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the platform file ({exc.strerror})", source=source) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"not valid UTF-8 TOML: {exc}", source=source) from exc
    return parse_platform(data, source=source, version=hashlib.sha256(raw).hexdigest()[:12])


def parse_platform(data: dict, *, source: str, version: str) -> Platform:
    unknown = set(data) - {"platform", "demand"}
    if unknown:
        raise ConfigError(f"unknown section(s) {sorted(unknown)}", source=source, field=sorted(unknown)[0])
    name = str(data.get("platform", {}).get("name", "")).strip()
    if not name:
        raise ConfigError("the platform needs a name", source=source, field="platform.name")
    entries = data.get("demand")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("no [[demand]] entries", source=source, field="demand")
    demands: list[Demand] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        demands.append(_parse_demand(entry, source=source, where=f"demand #{position}"))
        if demands[-1].id in seen:
            raise ConfigError("duplicate id", source=source, field=f"demand #{position}.id ({demands[-1].id})")
        seen.add(demands[-1].id)
    return Platform(name=name, demands=tuple(demands), version=version)


def _parse_demand(entry: dict, *, source: str, where: str) -> Demand:
    unknown = set(entry) - _DEMAND_KEYS
    if unknown:
        raise ConfigError(f"unknown key(s) {sorted(unknown)}", source=source, field=f"{where}.{sorted(unknown)[0]}")
    for key in ("id", "title", "wording", "wording_status"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ConfigError("missing or empty", source=source, field=f"{where}.{key}")
    if not _DEMAND_ID.match(entry["id"]):
        raise ConfigError("ids look like D01, D02, …", source=source, field=f"{where}.id")
    where = f"{where} ({entry['id']})"
    if entry["wording_status"] not in _WORDING_STATUSES:
        raise ConfigError(
            f"must be one of {sorted(_WORDING_STATUSES)}", source=source, field=f"{where}.wording_status"
        )
    terms = _strings(entry.get("terms"), source=source, field=f"{where}.terms")
    if not terms:
        raise ConfigError("a demand needs at least one term to be detected", source=source, field=f"{where}.terms")
    exclude = _strings(entry.get("exclude", []), source=source, field=f"{where}.exclude")
    acronyms = _strings(entry.get("acronyms", []), source=source, field=f"{where}.acronyms")
    not_with = _strings(entry.get("not_with", []), source=source, field=f"{where}.not_with")
    return Demand(
        id=entry["id"],
        title=entry["title"].strip(),
        wording=entry["wording"].strip(),
        wording_status=entry["wording_status"],
        terms=terms,
        acronyms=acronyms,
        exclude=exclude,
        not_with=not_with,
    )


def _strings(value: object, *, source: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError("must be a list of strings", source=source, field=field)
    if any(not item.strip() for item in value):
        raise ConfigError("contains an empty expression", source=source, field=field)
    return tuple(item.strip() for item in value)
