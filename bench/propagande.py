"""Benchmark: `vigie collect propagande` at the scale of the whole country, on
a local replica of the Ministry's site (127.0.0.1, never the real one).

    python bench/propagande.py [--communes 4492] [--lists 11249] [--documents 3477] [--out bench/propagande.json]

The defaults are round 1 of the 2026 municipal election as a public mirror of
the site counts it: 3,477 published documents for 11,249 lists in 4,492
communes. The replica serves the site's JSON tree and one small PDF per
document; every list is imported, so each document goes the whole way (fetch,
archive, catalogue). The collector runs without its rate limit, which
measures its own cost per request, then again with nothing new. The time at
the polite default rate is requests / `VIGIE_PROPAGANDE_RATE`, since the
requests go one at a time: the site's answer times come on top. A
measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.launch import use_project_python  # noqa: E402

use_project_python()  # `python bench/…` with any python3: restarts with .venv/bin/python

from collect.fetch import FetchPolicy, new_client  # noqa: E402
from collect.propagande import collect_propagande  # noqa: E402
from collect.propagande_site import Site  # noqa: E402
from config.settings import Settings, load_settings  # noqa: E402
from storage.catalogue import Catalogue  # noqa: E402
from storage.records import CandidateList  # noqa: E402
from tests.factories import make_pdf  # noqa: E402
from tests.httpserver import ProgrammeServer  # noqa: E402
from tests.propagande_replica import Replica, candidate  # noqa: E402

DEPARTEMENTS = 101


def build(replica: Replica, communes: int, lists: int, documents: int, folder: Path) -> list[CandidateList]:
    """The replica's tree: `lists` spread over `communes` in 101 départements, the first `documents` lists with a PDF."""
    base = make_pdf(folder / "base.pdf", [["Nous ouvrirons un centre de santé municipal avec des médecins salariés."]]).read_bytes()
    declared: list[CandidateList] = []
    by_departement: dict[str, list[dict]] = {}
    published = 0
    for number in range(communes):
        departement = f"{number % DEPARTEMENTS + 1:02d}"
        insee = f"{departement}{number // DEPARTEMENTS + 1:03d}"
        by_departement.setdefault(departement, []).append({"id": insee, "com": f"Commune {insee}"})
        records = []
        for panel in range(1, lists // communes + 1 + (number < lists % communes)):
            document = f"{insee}-{panel}" if published < documents else "0"
            if document != "0":
                published += 1
                # A trailing comment makes each file its own, as every list's profession de foi is.
                replica.server.state.files[replica.document_path(document)] = base + f"\n% {document}\n".encode()
            records.append(candidate(panel, f"Tête de liste {panel}", pdf=f"{document}|1" if document != "0" else "0"))
            declared.append(CandidateList(insee, f"Commune {insee}", departement, panel, f"Liste {panel}", "LDIV", f"Tête {panel}"))
        replica.publish(f"1_candidats_com_{insee}", records)
    for departement, items in by_departement.items():
        replica.publish(f"1_communes_dpt_{departement}", items)
    replica.publish("1_departements", [{"id": code, "name": f"Département {code}"} for code in sorted(by_departement)])
    return declared


def timed_run(settings: Settings, catalogue: Catalogue, base_url: str) -> tuple[float, dict]:
    policy = FetchPolicy.from_settings(settings)
    with new_client(policy) as client:
        site = Site(base_url, client, policy, rate=1000.0)
        started = time.perf_counter()
        run = collect_propagande(settings, catalogue, site, elections=["municipales"], rounds=[1])
        return time.perf_counter() - started, run.to_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communes", type=int, default=4492)
    parser.add_argument("--lists", type=int, default=11249)
    parser.add_argument("--documents", type=int, default=3477)
    parser.add_argument("--out", type=Path, default=Path("bench/propagande.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, ProgrammeServer() as server:
        folder = Path(work)
        replica = Replica(server, folder)
        declared = build(replica, args.communes, args.lists, args.documents, folder)
        settings = load_settings(data_dir=folder / "data", fetch_allow_private=True, fetch_backoff_s=0.0)
        catalogue = Catalogue(settings.catalogue)
        for candidate_list in declared:
            catalogue.save_list(candidate_list)
        first_s, first = timed_run(settings, catalogue, replica.base_url)
        second_s, second = timed_run(settings, catalogue, replica.base_url)
    rate = load_settings().propagande_rate
    report = {
        "data": f"local replica: {args.communes} communes, {len(declared)} lists, {args.documents} documents",
        "first_run": {"seconds": round(first_s, 1), "requests": first["requests"], "new_versions": first["new_versions"],
                      "failed": first["failed"], "requests_per_second_unthrottled": round(first["requests"] / first_s, 1)},
        "second_run": {"seconds": round(second_s, 1), "requests": second["requests"], "new_versions": second["new_versions"]},
        "at_default_rate": {"rate_per_second": rate, "first_run_minutes": round(first["requests"] / rate / 60, 1),
                            "second_run_minutes": round(second["requests"] / rate / 60, 1)},
    }  # fmt: skip
    print(json.dumps(report, indent=2, ensure_ascii=False))
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
