"""Benchmark: sentences per second of the detector (lean pipeline, `nlp.pipe`
in batches, no NER) beside spaCy's full pipeline run one text at a time, on
the same generated programme text, in one run; with `--trained PATH` (the
detector `vigie train` built, by default where it writes it) also the rules
and the trained classifiers combined, as the pipeline runs them.

    python bench/detection.py [--paragraphs 400] [--model fr_core_news_sm] [--trained PATH] [--out bench/detection.json]

A measurement, not a test: nothing asserts it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.launch import use_project_python  # noqa: E402

use_project_python()  # `bench/run` or `python bench/…` with any python3: restarts with .venv/bin/python

import spacy  # noqa: E402

from config.platform import load_platform  # noqa: E402
from config.settings import load_settings  # noqa: E402
from extract.detect import Detector  # noqa: E402
from extract.learned import META_FILE, TrainedModel  # noqa: E402
from extract.nlp import load_pipeline  # noqa: E402
from tests.tracts import french_paragraphs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=400)
    parser.add_argument("--model", default="fr_core_news_sm")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--trained", type=Path, default=load_settings().detector_model, help="a trained detector (skipped when absent)")
    args = parser.parse_args()

    pages = ["\n\n".join(french_paragraphs(10, seed=seed)) for seed in range(args.paragraphs // 10)]

    detector = Detector(load_platform(), load_pipeline(args.model))
    detector.detect_texts(["Échauffement."])
    began = time.perf_counter()
    analysed = [list(detector.analyse(page)) for page in pages]
    lean_s = time.perf_counter() - began
    sentences = sum(len(page) for page in analysed)
    mentions = sum(len(item.mentions) for page in analysed for item in page)

    combined = {}
    if (args.trained / META_FILE).exists():
        trained = Detector(detector.platform, detector.nlp, TrainedModel.load(args.trained), "combined")
        trained.detect_texts(["Échauffement."])
        began = time.perf_counter()
        analysed_combined = [list(trained.analyse(page)) for page in pages]
        combined_s = time.perf_counter() - began
        combined = {
            "combined_sentences_per_s": round(sum(len(page) for page in analysed_combined) / combined_s, 1),
            "combined_mentions": sum(len(item.mentions) for page in analysed_combined for item in page),
        }

    full = spacy.load(args.model)  # every component, NER included
    began = time.perf_counter()
    full_sentences = sum(len(list(full(page).sents)) for page in pages)
    full_s = time.perf_counter() - began

    report = {
        "model": args.model,
        "pages": len(pages),
        "sentences": sentences,
        "mentions": mentions,
        "detector_sentences_per_s": round(sentences / lean_s, 1),
        **combined,
        "full_pipeline_sentences_per_s": round(full_sentences / full_s, 1),
        "speedup": round(full_s / lean_s, 2),
        "components": detector.nlp.pipe_names,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
