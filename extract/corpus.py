"""The labelled corpus of real campaign sentences: its items, their checks,
the split by source document, and the agreement of two annotations.

Every item is a sentence copied from a real programme or campaign page, with
its source and its labels (demand and level, per the platform's conventions).
Splits never share a source document, so that the test split measures what
the detector does on programmes it has never seen.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from config.errors import ConfigError

LEVELS = ("commitment", "opposition", "mention")
SPLITS = {"train": 0.7, "dev": 0.15, "test": 0.15}


@dataclass(frozen=True)
class Label:
    demand: str
    level: str


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    document: str
    """The source document: a programme, a web page. Splits are made of whole documents."""
    source: dict
    labels: tuple[Label, ...] = ()
    commune: str | None = None
    year: int | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str | None:
        return self.source.get("url")

    def to_json(self) -> dict:
        return {
            "id": self.id, "text": self.text, "labels": [{"demand": l.demand, "level": l.level} for l in self.labels],
            "document": self.document, "source": self.source, "commune": self.commune, "year": self.year,
            "note": self.note, **self.extra,
        }  # fmt: skip


def item_from_json(data: dict, *, where: str) -> Item:
    try:
        labels = tuple(Label(label["demand"], label["level"]) for label in data.get("labels", ()))
        known = {"id", "text", "labels", "document", "source", "commune", "year", "note"}
        return Item(
            id=str(data["id"]), text=str(data["text"]), document=str(data["document"]), source=dict(data["source"]),
            labels=labels, commune=data.get("commune"), year=data.get("year"), note=data.get("note") or "",
            extra={key: value for key, value in data.items() if key not in known},
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"not a corpus item ({exc!r}); each line needs id, text, document, source and labels", source=where) from exc


def json_lines(path: Path, what: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-empty line of a JSON lines file of
    `what`; an unreadable file or a line that is not JSON raises a ConfigError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} ({exc.strerror})", source=str(path)) from exc
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"not JSON ({exc.msg})", source=str(path), field=f"line {number}") from exc


def read_items(path: Path) -> list[Item]:
    return [item_from_json(data, where=f"{path}:{number}") for number, data in json_lines(path, "corpus file")]


def write_items(path: Path, items: Iterable[Item]) -> None:
    path.write_text("".join(json.dumps(item.to_json(), ensure_ascii=False) + "\n" for item in items), encoding="utf-8")


def problems(items: list[Item], demands: set[str], reserved: set[str] = frozenset()) -> list[str]:
    """What is wrong with a corpus: duplicate ids or texts, unknown demands or
    levels, a demand labelled twice, an empty text, a reserved source."""
    found = []
    ids, texts = Counter(item.id for item in items), Counter(" ".join(item.text.split()) for item in items)
    found += [f"{identifier}: id used {count} times" for identifier, count in ids.items() if count > 1]
    found += [f"text found {count} times: {text[:60]}" for text, count in texts.items() if count > 1]
    for item in items:
        if not item.text.strip():
            found.append(f"{item.id}: empty text")
        seen = Counter(label.demand for label in item.labels)
        found += [f"{item.id}: {demand} labelled twice" for demand, count in seen.items() if count > 1]
        found += [f"{item.id}: unknown demand {label.demand}" for label in item.labels if label.demand not in demands]
        found += [f"{item.id}: unknown level {label.level}" for label in item.labels if label.level not in LEVELS]
        if item.url and _normal_url(item.url) in reserved:
            found.append(f"{item.id}: its source {item.url} is reserved for independent evaluation")
        if "data/elections/" in str(item.source.get("path", "")):
            found.append(f"{item.id}: data/elections/ is reserved for independent evaluation")
    return found


def reserved_urls(path: Path) -> set[str]:
    return {_normal_url(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}


def _normal_url(url: str) -> str:
    url = url.strip().lower().split("#")[0].rstrip("/")
    for prefix in ("https://", "http://"):
        url = url.removeprefix(prefix)
    return url.removeprefix("www.")


def split_by_document(items: list[Item], shares: dict[str, float] = SPLITS, fixed: dict[str, str] | None = None) -> dict[str, list[Item]]:
    """Whole documents to splits, deterministically. A document named in
    `fixed` (document → split: the splits already committed) stays where it
    is, so that adding to the corpus never moves a test document into
    training. The others go largest first, each to the split furthest below
    its share of sentences (ties by a hash of the document's key, not by the
    order the items came in)."""
    fixed = fixed or {}
    by_document: dict[str, list[Item]] = {}
    for item in items:
        by_document.setdefault(item.document, []).append(item)
    total = len(items)
    filled = {name: 0 for name in shares}
    splits: dict[str, list[Item]] = {name: [] for name in shares}
    for key, members in by_document.items():
        if fixed.get(key) in splits:
            splits[fixed[key]].extend(members)
            filled[fixed[key]] += len(members)
    new = sorted((key for key in by_document if fixed.get(key) not in splits), key=lambda key: (-len(by_document[key]), _digest(key)))
    for key in new:
        name = min(shares, key=lambda name: (filled[name] / total - shares[name], _digest(f"{name}|{key}")))
        splits[name].extend(by_document[key])
        filled[name] += len(by_document[key])
    return splits


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Agreement:
    items: int
    exact: float
    """Share of items whose two annotations are the same set of (demand, level)."""
    demands: float
    """Share of items whose demand sets are the same."""
    kappa: float
    """Cohen's kappa on each (item, demand) decision: addressed or not."""
    levels: float
    """Share of the (item, demand) pairs both annotations hold with the same level."""

    def to_json(self) -> dict:
        return {key: round(value, 4) if isinstance(value, float) else value for key, value in self.__dict__.items()}


def agreement(first: dict[str, tuple[Label, ...]], second: dict[str, tuple[Label, ...]], demands: list[str]) -> Agreement:
    """How far two annotations of the same items agree (items both annotated)."""
    shared = sorted(set(first) & set(second))
    if not shared:
        raise ValueError("the two annotations share no item")
    exact = sum(set(first[key]) == set(second[key]) for key in shared) / len(shared)
    same_demands = sum({l.demand for l in first[key]} == {l.demand for l in second[key]} for key in shared) / len(shared)
    a = [demand in {l.demand for l in first[key]} for key in shared for demand in demands]
    b = [demand in {l.demand for l in second[key]} for key in shared for demand in demands]
    observed = sum(x == y for x, y in zip(a, b)) / len(a)
    pa, pb = sum(a) / len(a), sum(b) / len(b)
    expected = pa * pb + (1 - pa) * (1 - pb)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    both = [(key, demand) for key in shared for demand in demands if demand in {l.demand for l in first[key]} & {l.demand for l in second[key]}]
    level_of = lambda labels, demand: next(l.level for l in labels if l.demand == demand)  # noqa: E731
    levels = sum(level_of(first[key], demand) == level_of(second[key], demand) for key, demand in both) / len(both) if both else 1.0
    return Agreement(items=len(shared), exact=exact, demands=same_demands, kappa=kappa, levels=levels)


def summary(items: list[Item]) -> dict:
    """Counts a reader of the corpus checks first: negatives, positives per demand, levels."""
    per_demand = Counter(label.demand for item in items for label in item.labels)
    levels = Counter(label.level for item in items for label in item.labels)
    negatives = sum(1 for item in items if not item.labels)
    return {
        "items": len(items), "documents": len({item.document for item in items}), "negatives": negatives,
        "negative_share": round(negatives / len(items), 3) if items else 0.0,
        "positives_per_demand": dict(sorted(per_demand.items())), "levels": dict(sorted(levels.items())),
    }  # fmt: skip


def build(batches: list[Path], out: Path, demands: set[str], reserved: set[str]) -> dict:
    """Annotators' batches to the committed splits: checked, split by document
    (documents already in `out` keep their split), counted."""
    items = [item for batch in batches for item in read_items(batch)]
    found = problems(items, demands, reserved)
    if found:
        raise ConfigError("; ".join(found[:20]) + (f"; and {len(found) - 20} more" if len(found) > 20 else ""), source=str(batches[0].parent))
    out.mkdir(parents=True, exist_ok=True)
    fixed = {
        item.document: name for name in SPLITS if (out / f"real-{name}.jsonl").exists() for item in read_items(out / f"real-{name}.jsonl")
    }  # fmt: skip
    splits = split_by_document(sorted(items, key=lambda item: item.id), fixed=fixed)
    report = {}
    for name, split in splits.items():
        write_items(out / f"real-{name}.jsonl", sorted(split, key=lambda item: item.id))
        report[name] = summary(split)
    report["all"] = summary(items)
    return report


def main() -> None:
    import argparse

    from config.platform import load_platform

    parser = argparse.ArgumentParser(description="Check annotators' batches and write the real corpus split by source document.")
    parser.add_argument("batches", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "config" / "labelled")
    parser.add_argument("--reserved", type=Path, help="the list of sources kept for independent evaluation")
    args = parser.parse_args()
    demands = {demand.id for demand in load_platform().demands}
    report = build(args.batches, args.out, demands, reserved_urls(args.reserved) if args.reserved else set())
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
