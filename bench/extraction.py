"""Benchmark: the layout extractor against pdfplumber's plain
`extract_text()`, on the same pages, in one run:

- the real 2026 programmes of tests/data/real-programmes/ (32 pages): cost,
  and the share of gold sentences found whole and in order, per document and
  per page (a development set: the extractor was tuned on these pages);
- a generated 200-page two-column programme: cost and reading order.

    .venv/bin/python bench/extraction.py [--pages 200] [--out bench/extraction.json]

The extractor should cost at most 1.5x plain extract_text(). A measurement,
not a test: nothing asserts the speed (tests/test_real_programmes.py asserts
the reading-order floors).
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

use_project_python()  # `bench/run` or `python bench/…` with any python3: restarts with .venv/bin/python

import pdfplumber  # noqa: E402

from extract.limits import ExtractionLimits  # noqa: E402
from extract.pdf import extract_pdf  # noqa: E402
from extract.quality import document_score, load_gold, page_scores, reading_order_score  # noqa: E402
from tests.tracts import french_paragraphs, make_tract  # noqa: E402


def plain_extract_text(path: Path) -> list[str]:
    texts = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            page.close()
    return texts


def timed(function, *args, repeat: int = 3):
    """Best of `repeat` wall-clock runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - began)
    return best, result


REAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "real-programmes"


def real_programmes(repeat: int) -> dict:
    """Cost and reading order on the real programmes, each document timed on its own pages."""
    documents, plain_total, ours_total, page_count = {}, 0.0, 0.0, 0
    limits = ExtractionLimits(max_pages=100_000, document_timeout_s=3600)
    for gold_path in sorted((REAL / "gold").glob("*.json")):
        gold = load_gold(gold_path)
        pdf = REAL / gold.file
        plain_s, plain_pages = timed(plain_extract_text, pdf, repeat=repeat)
        ours_s, (ours_pages, _) = timed(lambda: extract_pdf(pdf, limits=limits), repeat=repeat)
        ours = page_scores(gold, {page.number: page.text for page in ours_pages})
        plain = page_scores(gold, {number: text for number, text in enumerate(plain_pages, start=1)})
        plain_total, ours_total, page_count = plain_total + plain_s, ours_total + ours_s, page_count + len(ours_pages)
        documents[gold.file] = {
            "pages": len(ours_pages),
            "gold_sentences": sum(score.sentences for score in ours),
            "reading_order_vigie": round(document_score(ours), 4),
            "reading_order_plain": round(document_score(plain), 4),
            "lowest_page_vigie": min((round(score.score, 4), score.number) for score in ours),
            "cost_ratio": round(ours_s / plain_s, 2),
        }
    return {
        "documents": documents,
        "pages": page_count,
        "plain_extract_text_pages_per_s": round(page_count / plain_total, 1),
        "vigie_extractor_pages_per_s": round(page_count / ours_total, 1),
        "cost_ratio": round(ours_total / plain_total, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        # About 13 generated paragraphs fill a two-column page.
        paragraphs = french_paragraphs(args.pages * 13, seed=42)
        tract = make_tract(Path(folder) / "programme.pdf", paragraphs, columns=2, title="Programme municipal 2026")
        limits = ExtractionLimits(max_pages=100_000, document_timeout_s=3600)
        plain_s, plain_pages = timed(plain_extract_text, tract.path, repeat=args.repeat)
        ours_s, (ours_pages, _) = timed(lambda: extract_pdf(tract.path, limits=limits), repeat=args.repeat)

    pages = len(ours_pages)
    report = {
        "real": real_programmes(args.repeat),
        "pages": pages,
        "plain_extract_text_pages_per_s": round(pages / plain_s, 1),
        "vigie_extractor_pages_per_s": round(pages / ours_s, 1),
        "cost_ratio": round(ours_s / plain_s, 2),
        "reading_order_vigie": round(reading_order_score(tract.sentences, "\n".join(p.text for p in ours_pages)), 4),
        "reading_order_plain": round(reading_order_score(tract.sentences, "\n".join(plain_pages)), 4),
    }
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
