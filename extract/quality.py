"""Quality measures of an extraction against the known text of its source.

A tract's text can be complete and still unreadable when columns are
interleaved; counting the sentences that come out whole and in the right
order measures both at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from extract.text import normalise

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
    return sum(found_in_order(source_sentences, extracted_text)) / len(source_sentences)


def found_in_order(sentences: list[str], text: str, *, normalised: bool = False) -> list[bool]:
    """For each sentence, whether it is found whole in `text` after the end of
    the previous one found (greedy, in order), once whitespace runs are
    collapsed and apostrophes straightened; with `normalised`, both sides are
    first normalised as extraction normalises text."""
    prepare = (lambda t: _comparable(normalise(t))) if normalised else _comparable
    haystack = prepare(text)
    position, found = 0, []
    for sentence in sentences:
        needle = prepare(sentence)
        index = haystack.find(needle, position)
        found.append(index >= 0)
        if index >= 0:
            position = index + len(needle)
    return found


@dataclass(frozen=True)
class GoldPage:
    """The body sentences of one page of a real document, in reading order, as a careful reader reads them."""

    number: int
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class GoldDocument:
    file: str
    pages: tuple[GoldPage, ...]


def load_gold(path: Path) -> GoldDocument:
    """A gold file: `{"file", "pages": [{"number", "sentences": [...]}]}` (see tests/data/real-programmes/)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return GoldDocument(
        file=data["file"],
        pages=tuple(GoldPage(page["number"], tuple(page["sentences"])) for page in data["pages"]),
    )


@dataclass(frozen=True)
class PageScore:
    number: int
    sentences: int
    found: int
    missed: tuple[str, ...]

    @property
    def score(self) -> float:
        return self.found / self.sentences if self.sentences else 1.0


def page_scores(gold: GoldDocument, page_texts: dict[int, str]) -> list[PageScore]:
    """For each gold page, the gold sentences found whole and in order in that
    page's extracted text (both sides normalised as extraction normalises text)."""
    scores = []
    for page in gold.pages:
        found = found_in_order(list(page.sentences), page_texts.get(page.number, ""), normalised=True)
        missed = tuple(sentence for sentence, hit in zip(page.sentences, found) if not hit)
        scores.append(PageScore(page.number, len(page.sentences), sum(found), missed))
    return scores


def document_score(scores: list[PageScore]) -> float:
    total = sum(score.sentences for score in scores)
    return sum(score.found for score in scores) / total if total else 1.0
