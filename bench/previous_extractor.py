"""Which gold sentences of the real programmes an earlier extractor found
whole and in order: the baseline the layout extractor must not lose.

    git worktree add /tmp/vigie-81dbd62 81dbd62
    python bench/previous_extractor.py /tmp/vigie-81dbd62 --write

reads each PDF of tests/data/real-programmes/ with the extractor of that
checkout (pdf-columns-3, the page-wide gutter heuristic) and, with `--write`,
stores the sentences it found under `found_by_previous_extractor` in each
page of the gold files; without it, prints them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.launch import use_project_python  # noqa: E402

use_project_python()  # `bench/run` or `python bench/…` with any python3: restarts with .venv/bin/python

REAL = ROOT / "tests" / "data" / "real-programmes"

_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from extract.document import extract_document
pages = extract_document(Path(sys.argv[2])).pages
print(json.dumps({page.number: page.text for page in pages}))
"""


def previous_texts(checkout: Path, pdf: Path) -> dict[int, str]:
    """The page texts the checkout's extractor gives, read in a process of its own (its modules, not ours)."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(checkout), str(pdf)], capture_output=True, text=True, check=True)
    return {int(number): text for number, text in json.loads(done.stdout).items()}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from extract.quality import load_gold, page_scores

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of the earlier extractor (e.g. commit 81dbd62)")
    parser.add_argument("--write", action="store_true", help="store the result in the gold files")
    args = parser.parse_args()
    for path in sorted((REAL / "gold").glob("*.json")):
        gold = load_gold(path)
        scores = page_scores(gold, previous_texts(args.checkout, REAL / gold.file))
        found = {score.number: [s for s in page.sentences if s not in score.missed] for score, page in zip(scores, gold.pages)}
        if args.write:
            data = json.loads(path.read_text(encoding="utf-8"))
            for page in data["pages"]:
                page["found_by_previous_extractor"] = found[page["number"]]
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        total = sum(len(f) for f in found.values())
        print(f"{gold.file}: {total} of {sum(len(p.sentences) for p in gold.pages)} gold sentences found by the previous extractor")


if __name__ == "__main__":
    main()
