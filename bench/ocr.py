"""Benchmark: Tesseract's word accuracy on scanned pages whose text is known,
with the page rendered at the resolution extraction uses (300 dpi,
extract.ocr.OCR_RESOLUTION) and at 200 dpi, and what each costs.

The pages are generated campaign tracts (tests/tracts.py, as bench/corpus.py
makes them: a title on page 1, a running header and footer, one to three
columns of French prose and bullets), scanned as the bench corpus's scanned
programmes are (grey images only, 150 dpi by default), then read by Vigie's
own PDF extraction (extract.pdf.extract_pdf: its OCR, its text
normalisation). No word is cut at a line end (hyphenation off), so that what
is measured is the OCR, not the mending of cut words. The known text of a
page is its header, its title, its paragraphs in reading order and its
footer, as drawn.

Word accuracy = 1 - (word-level edit distance between the known text and the
page text) / (words of the known text): a paragraph read out of its place
costs up to twice its words. Words read right, order aside = the known text's
words found in the page text (as a multiset) / its words: the recognition
alone. A word is a run of letters and digits, hyphens and apostrophes inside
it kept ("centre-ville", "l'école"), case and accents kept; punctuation,
bullets and spacing are not counted.

    .venv/bin/python bench/ocr.py [--documents 4] [--pages 3] [--scan-dpi 150] [--out bench/ocr.json]

A measurement, not a test (tests/test_pdf.py checks that a scan is read in French).
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections import Counter
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import extract.pdf  # noqa: E402
from extract.limits import ExtractionLimits  # noqa: E402
from extract.ocr import OCR_RESOLUTION, ocr_languages  # noqa: E402
from extract.text import normalise  # noqa: E402
from tests.tracts import Tract, french_paragraphs, make_tract, scan_pdf  # noqa: E402

RESOLUTIONS = (OCR_RESOLUTION, 200)
COLUMNS = (1, 2, 3, 2)
PARAGRAPHS_PER_PAGE = 13
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def edit_distance(reference: list[str], read: list[str]) -> int:
    """Word insertions, deletions and substitutions that turn `read` into `reference`."""
    previous = list(range(len(read) + 1))
    for i, word in enumerate(reference, start=1):
        current = [i]
        for j, other in enumerate(read, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]


def known_text(tract: Tract, number: int) -> str:
    """What page `number` shows, in reading order: header, title and paragraphs, footer."""
    footer = tract.footer_template.format(n=number, total=len(tract.pages))
    return "\n".join([tract.header, *tract.pages[number - 1], footer])


def make_scans(folder: Path, documents: int, pages: int, scan_dpi: int) -> list[tuple[Tract, Path]]:
    made = []
    for number in range(1, documents + 1):
        label = f"Ensemble pour la commune {10_000 + number}"
        columns = COLUMNS[(number - 1) % len(COLUMNS)]
        tract = make_tract(
            folder / f"programme-{number}.pdf", french_paragraphs(pages * PARAGRAPHS_PER_PAGE, seed=7_000 + number),
            columns=columns, header=f"{label} — municipales 2026", footer_template=f"{label} · page {{n}} / {{total}}",
            title=f"{label} : notre programme", hyphenate=False,
        )  # fmt: skip
        made.append((tract, scan_pdf(tract.path, folder / f"programme-{number}.scan.pdf", dpi=scan_dpi)))
    return made


def measure(scans: list[tuple[Tract, Path]], resolution: int) -> dict:
    extract.pdf.OCR_RESOLUTION = resolution  # read at call time by extract.pdf._ocr_page
    limits = ExtractionLimits(max_pages=1000, page_timeout_s=600, document_timeout_s=3600)
    reference_words = errors = right = 0
    seconds = 0.0
    per_page, examples = [], []
    for tract, scan in scans:
        began = time.perf_counter()
        pages, _ = extract.pdf.extract_pdf(scan, limits=limits)
        seconds += time.perf_counter() - began
        for page in pages:
            if page.method != "ocr":
                raise SystemExit(f"{scan} page {page.number} was read as {page.method}, not by OCR")
            reference, read = words(known_text(tract, page.number)), words(page.text)
            distance = edit_distance(reference, read)
            reference_words, errors = reference_words + len(reference), errors + distance
            right += sum((Counter(reference) & Counter(read)).values())
            per_page.append(round(1 - distance / len(reference), 5))
            matcher = difflib.SequenceMatcher(a=reference, b=read, autojunk=False)
            examples += [
                f"{scan.name} p. {page.number}: {_short(reference[i1:i2])!r} read {_short(read[j1:j2])!r}"
                for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
            ]  # fmt: skip
    return {
        "ocr_dpi": resolution,
        "pages": len(per_page),
        "reference_words": reference_words,
        "word_errors": errors,
        "word_accuracy": round(1 - errors / reference_words, 5),
        "words_read_right_order_aside": round(right / reference_words, 5),
        "lowest_page_word_accuracy": min(per_page),
        "seconds_per_page": round(seconds / len(per_page), 2),
        "errors": examples,
    }


def _short(piece: list[str]) -> str:
    text = " ".join(piece)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(piece)} words)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=4, help="generated tracts (1, 2, 3, 2 columns, and again)")
    parser.add_argument("--pages", type=int, default=3, help="about this many pages each")
    parser.add_argument("--scan-dpi", type=int, default=150, help="resolution of the scans (bench/corpus.py's: 150)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if "fra" not in ocr_languages():
        raise SystemExit("needs Tesseract with French data (Debian: apt-get install tesseract-ocr tesseract-ocr-fra)")
    with tempfile.TemporaryDirectory() as folder:
        scans = make_scans(Path(folder), args.documents, args.pages, args.scan_dpi)
        results = [measure(scans, resolution) for resolution in RESOLUTIONS]
    report = {"scan_dpi": args.scan_dpi, "documents": args.documents, "by_ocr_dpi": results}
    first, second = results
    report["cost_saved_at_200_dpi"] = round(1 - second["seconds_per_page"] / first["seconds_per_page"], 3)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
