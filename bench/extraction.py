"""Benchmark: the column-aware PDF extractor against pdfplumber's plain
`extract_text()`, on the same generated 200-page two-column programme, in one run.

    python bench/extraction.py [--pages 200] [--out bench/extraction.json]

Prints pages per second of both and their ratio; the extractor should cost at
most 1.5x plain extract_text(). A measurement, not a test: nothing asserts it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.limits import ExtractionLimits  # noqa: E402
from extract.pdf import extract_pdf  # noqa: E402
from extract.quality import reading_order_score  # noqa: E402
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
