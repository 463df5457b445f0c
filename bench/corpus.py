"""A generator of realistic synthetic corpora for benchmarks: campaign
programmes of 4 to 40 pages in one to three columns (French prose, bullets,
hyphenation, running headers and footers), a share of scanned programmes
(images only, read by OCR) and programmes published as web pages, with the
sources file that lists them.

    python bench/corpus.py OUT_DIR [--pages 2000] [--seed 1]

Deterministic for a seed; the same pages every time.
"""

from __future__ import annotations

import argparse
import csv
import html
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collect.sources import COLUMNS  # noqa: E402
from tests.tracts import french_paragraphs, make_tract, scan_pdf  # noqa: E402

SCANNED_SHARE = 0.02
"""Share of pages in scanned programmes (OCR is slow: a real share, kept small, as in the field)."""
HTML_SHARE = 0.1
"""Share of programmes published as a web page (one page each)."""
PARAGRAPHS_PER_PAGE = {1: 13, 2: 13, 3: 13}
NUANCES = ["LDVG", "LDVD", "LDIV", "LUG", "LUD", "LECO", "LREN"]


@dataclass(frozen=True)
class Corpus:
    root: Path
    sources: Path
    documents: int
    pages: int
    scanned_pages: int
    html_documents: int


def generate(root: Path, pages: int, seed: int = 1) -> Corpus:
    """Programmes in `root/programmes/` until `pages` pages are reached, and `root/sources.csv`."""
    rng = random.Random(seed)
    folder = root / "programmes"
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, str]] = []
    made = scanned = html_documents = 0
    number = 0
    while made < pages:
        number += 1
        commune = 10_000 + number // 3
        panel = number % 3 + 1
        label = f"Ensemble pour la commune {commune} ({panel})"
        if rng.random() < HTML_SHARE:
            path = folder / f"programme-{number:05d}.html"
            _html_programme(path, label, french_paragraphs(rng.randint(8, 30), seed=seed * 100_000 + number))
            made += 1
            html_documents += 1
        else:
            length = rng.randint(4, min(40, max(4, pages - made)))
            columns = rng.choice((1, 2, 2, 3))
            path = folder / f"programme-{number:05d}.pdf"
            paragraphs = french_paragraphs(length * PARAGRAPHS_PER_PAGE[columns], seed=seed * 100_000 + number)
            tract = make_tract(
                path, paragraphs, columns=columns, header=f"{label} — municipales 2026",
                footer_template=f"{label} · page {{n}} / {{total}}", title=f"{label} : notre programme",
            )  # fmt: skip
            made_pages = len(tract.pages)
            if scanned + made_pages <= max(4, SCANNED_SHARE * pages) and made_pages <= 8:
                scan_pdf(path, path.with_suffix(".scan.pdf"), dpi=150)
                path.unlink()
                path = path.with_suffix(".scan.pdf")
                scanned += made_pages
            made += made_pages
        rows.append({
            "commune_insee": f"{commune:05d}", "commune": f"Commune {commune}", "departement": f"{commune % 95 + 1:02d}",
            "panel": str(panel), "list_label": label, "nuance": rng.choice(NUANCES), "head_of_list": f"Tête de liste {number}",
            "source": str(path.relative_to(root)),
        })  # fmt: skip
    sources = root / "sources.csv"
    with sources.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return Corpus(root, sources, len(rows), made, scanned, html_documents)


def _html_programme(path: Path, label: str, paragraphs: list[str]) -> None:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    path.write_text(
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{html.escape(label)}</title></head><body>'
        f'<nav><a href="/">Accueil</a> <a href="/equipe">L\'équipe</a></nav>'
        f"<main><h1>{html.escape(label)} : notre programme</h1>{body}</main>"
        "<footer>Mentions légales</footer></body></html>",
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    corpus = generate(args.out, args.pages, args.seed)
    print(f"{corpus.documents} programmes, {corpus.pages} pages ({corpus.scanned_pages} scanned, {corpus.html_documents} web pages) in {args.out}")


if __name__ == "__main__":
    main()
