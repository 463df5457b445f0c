"""Benchmark: search latency (p50/p95) for a mix of analyst queries on a
generated corpus of mentions, on the configured Elasticsearch (the local node
when VIGIE_ES_URL is unset).

    python bench/search.py [--mentions 1000000] [--queries 300] [--out bench/search.json]

It indexes the corpus under its own index prefix (`bench-search`), measures,
and leaves the indices for a re-run (`--reuse`). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.launch import use_project_python  # noqa: E402

use_project_python()  # `bench/run` or `python bench/…` with any python3: restarts with .venv/bin/python

from config.settings import load_settings  # noqa: E402
from index.bulk import bulk_index  # noqa: E402
from index.client import connect  # noqa: E402
from index.lists import ListFacts, ListQuery, find_lists, write_list_records  # noqa: E402
from index.runtime import start_node  # noqa: E402
from index.schema import alias_name, document_counts, drop_indices, ensure_indices  # noqa: E402
from index.scorecards import demand_coverage, scorecards  # noqa: E402
from index.search import SearchRequest, search  # noqa: E402
from tests.tracts import french_paragraphs  # noqa: E402

PREFIX = "bench-search"
DEMANDS = [f"D{n:02d}" for n in range(1, 15)]
LEVELS = ["commitment", "commitment", "mention", "opposition"]
COMMUNES, PANELS = 3000, 4
NUANCES = ["LDVG", "LDVD", "LDIV", "LUG"]


def list_facts() -> list[ListFacts]:
    return [
        ListFacts(
            list_key=f"{commune:05d}-{panel}", list_label=f"Liste {panel} de la commune {commune}", commune=f"Commune {commune}",
            commune_insee=f"{commune:05d}", departement=f"{commune % 95 + 1:02d}", nuance=NUANCES[(commune + panel) % 4],
            head_of_list=f"Tête {panel}", panel=panel,
        )  # fmt: skip
        for commune in range(COMMUNES)
        for panel in range(1, PANELS + 1)
    ]


def programmes(facts: list[ListFacts]):
    """One programme document per list, which scorecards need to know the list."""
    for f in facts:
        doc_id = f"{f.list_key}-v1"
        yield {
            "_index": alias_name(PREFIX, "documents"),
            "_id": doc_id,
            "_source": {
                "record_id": doc_id, "doc_id": doc_id, "list_key": f.list_key, "list_label": f.list_label, "commune": f.commune,
                "commune_insee": f.commune_insee, "departement": f.departement, "nuance": f.nuance, "head_of_list": f.head_of_list,
                "panel": f.panel, "source": "https://exemple.test/p.pdf", "archive_path": "/archive/p.pdf", "latest": True, "version": 1,
            },
        }  # fmt: skip


def mentions(count: int, seed: int = 1):
    rng = random.Random(seed)
    sentences = [s for p in french_paragraphs(400, seed=seed) for s in p.split(". ") if len(s) > 30]
    for i in range(count):
        commune = rng.randrange(COMMUNES)
        panel = rng.randrange(1, PANELS + 1)
        yield {
            "_index": alias_name(PREFIX, "mentions"),
            "_id": f"m{i}",
            "_source": {
                "record_id": f"m{i}", "doc_id": f"{commune}-{panel}-v1", "list_key": f"{commune:05d}-{panel}",
                "list_label": f"Liste {panel} de la commune {commune}", "commune": f"Commune {commune}",
                "commune_insee": f"{commune:05d}", "departement": f"{commune % 95 + 1:02d}", "nuance": NUANCES[(commune + panel) % 4],
                "page": rng.randrange(1, 30), "source": "https://exemple.test/p.pdf", "archive_path": "/archive/p.pdf",
                "demand": rng.choice(DEMANDS), "level": rng.choice(LEVELS), "score": round(rng.random(), 2),
                "sentence": rng.choice(sentences), "start": 0, "end": 10, "latest": True,
            },
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="Measure the corpus already indexed.")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    settings = load_settings()
    if settings.local_node:
        start_node(settings)
    client = connect(settings)
    began = time.perf_counter()
    if not args.reuse:
        drop_indices(client, PREFIX)
        ensure_indices(client, PREFIX)
        client.indices.put_settings(index=alias_name(PREFIX, "mentions"), body={"index": {"refresh_interval": "-1"}})
        report = bulk_index(client, mentions(args.mentions), chunk_size=2000)
        client.indices.put_settings(index=alias_name(PREFIX, "mentions"), body={"index": {"refresh_interval": "1s"}})
        client.indices.refresh(index=alias_name(PREFIX, "mentions"))
        client.indices.forcemerge(index=alias_name(PREFIX, "mentions"), max_num_segments=5)
        assert not report.errors, report.errors[:3]
        assert not bulk_index(client, programmes(list_facts())).errors
        client.indices.refresh(index=alias_name(PREFIX, "documents"))
    indexing_s = time.perf_counter() - began
    began = time.perf_counter()
    if not args.reuse:
        write_list_records(client, PREFIX, list_facts(), DEMANDS)
        client.indices.refresh(index=alias_name(PREFIX, "lists"))
    list_records_s = time.perf_counter() - began
    rng = random.Random(7)
    words = ["centre de santé", "logements sociaux", "cantine bio", "piscine", "régie", "gare", "médiathèque", "crèche"]
    requests = [
        lambda: SearchRequest(query=f'"{rng.choice(words)}"', demand=rng.choice(DEMANDS)),
        lambda: SearchRequest(query=rng.choice(words), departement=f"{rng.randrange(1, 96):02d}", level="commitment"),
        lambda: SearchRequest(demand=rng.choice(DEMANDS), level="opposition", nuance="LDVD"),
        lambda: SearchRequest(query=f"{rng.choice(words)} -privé", demand=rng.choice(DEMANDS), sort="date"),
    ]
    latencies: dict[str, list[float]] = {
        "search": [], "scorecard (département)": [], "coverage (département)": [], "coverage (all)": [], "lists ≥ 10 commitments": [],
    }  # fmt: skip
    for i in range(args.queries):
        began = time.perf_counter()
        search(client, PREFIX, requests[i % len(requests)]())
        latencies["search"].append(time.perf_counter() - began)
        if i % 10 == 0:
            began = time.perf_counter()
            scorecards(client, PREFIX, DEMANDS, departement=f"{rng.randrange(1, 96):02d}")
            latencies["scorecard (département)"].append(time.perf_counter() - began)
            began = time.perf_counter()
            demand_coverage(client, PREFIX, DEMANDS, departement=f"{rng.randrange(1, 96):02d}")
            latencies["coverage (département)"].append(time.perf_counter() - began)
            began = time.perf_counter()
            demand_coverage(client, PREFIX, DEMANDS)
            latencies["coverage (all)"].append(time.perf_counter() - began)
            began = time.perf_counter()
            find_lists(client, PREFIX, ListQuery(departement=f"{rng.randrange(1, 96):02d}", min_commitments=10))
            latencies["lists ≥ 10 commitments"].append(time.perf_counter() - began)
    stats = client.indices.stats(index=alias_name(PREFIX, "mentions"))["_all"]["primaries"]
    result = {
        "mentions": document_counts(client, PREFIX)["mentions"],
        "index_size_mib": round(stats["store"]["size_in_bytes"] / 2**20, 1),
        "lists": document_counts(client, PREFIX)["lists"],
        "indexing_s": round(indexing_s, 1),
        "list_records_s": round(list_records_s, 1),
        "latency_ms": {
            name: {"p50": round(statistics.median(values) * 1000, 1), "p95": round(sorted(values)[int(0.95 * (len(values) - 1))] * 1000, 1), "n": len(values)}
            for name, values in latencies.items()
        },
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
