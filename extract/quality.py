"""Quality measures of an extraction against the known text of its source.

A tract's text can be complete and still unreadable when columns are
interleaved; counting the sentences that come out whole and in the right
order measures both at once.
"""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _comparable(text: str) -> str:
    return _WHITESPACE.sub(" ", text.translate(_APOSTROPHES)).strip()


def reading_order_score(source_sentences: list[str], extracted_text: str) -> float:
    """Fraction of source sentences found whole and in order in the extracted text.

    Each sentence is looked for after the end of the previous one found (greedy,
    in order), once whitespace runs are collapsed and apostrophes straightened.
    """
    if not source_sentences:
        return 1.0
    haystack = _comparable(extracted_text)
    position = found = 0
    for sentence in source_sentences:
        needle = _comparable(sentence)
        index = haystack.find(needle, position)
        if index >= 0:
            found += 1
            position = index + len(needle)
    return found / len(source_sentences)
