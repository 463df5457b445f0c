"""Page text to sentences, with character offsets into the page."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

# A block ends at a blank line, and a bullet starts a block of its own, so
# each bullet is a sentence even without final punctuation.
_BLOCK_BREAK = re.compile(r"\n\s*\n|\n(?=• )")
_EDGE = " •"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def blocks(text: str) -> Iterator[tuple[int, str]]:
    """(offset, block) pairs: paragraphs and bullets."""
    position = 0
    for match in _BLOCK_BREAK.finditer(text):
        yield position, text[position : match.start()]
        position = match.end()
    yield position, text[position:]


def sentence_spans(nlp: Language, text: str, batch_size: int = 64) -> Iterator[tuple[Sentence, Span]]:
    """Each sentence with its offsets into `text` and its spaCy span, for the detector."""
    for _, sentence, span, _ in sentence_spans_of(nlp, [text], batch_size):
        yield sentence, span


def _flattened(texts: Sequence[str]) -> Iterator[tuple[str, tuple[int, int]]]:
    """Each non-empty block as (text to parse, (index of the text, offset))."""
    # Line breaks inside a paragraph are layout, not punctuation: spaces keep offsets.
    for index, text in enumerate(texts):
        for offset, block in blocks(text):
            if block.strip():
                yield block.replace("\n", " "), (index, offset)


def parse_blocks(nlp: Language, texts: Sequence[str], batch_size: int = 64) -> list[Doc]:
    """The parsed blocks of `texts`, in order: what `sentence_spans_of` reads,
    to keep and reuse while the texts and the pipeline stay the same."""
    return list(nlp.pipe((block for block, _ in _flattened(texts)), batch_size=batch_size))


def sentence_spans_of(
    nlp: Language, texts: Sequence[str], batch_size: int = 64, parsed: Sequence[Doc] | None = None
) -> Iterator[tuple[int, Sentence, Span, str]]:
    """(index of the text, sentence, span, the span's text) for many texts in
    one `nlp.pipe` stream, so that short texts are batched together; `parsed`,
    the blocks `parse_blocks` gave for the same texts, saves parsing them again."""
    # A doc's text is its parsed block: `Doc.text` and `Span.text` would join
    # their tokens again at each call (a fifth of the detection rules' time).
    flattened = list(_flattened(texts))
    if parsed is None:
        stream = zip(nlp.pipe((block for block, _ in flattened), batch_size=batch_size), flattened)
    else:
        if len(flattened) != len(parsed):
            raise ValueError("the parsed blocks are not those of these texts")
        stream = zip(parsed, flattened)
    for doc, (block, (index, offset)) in stream:
        if parsed is not None and doc.text != block:
            raise ValueError("the parsed blocks are not those of these texts")
        text = texts[index]
        for sent in _punctuated_sentences(doc, block):
            raw = block[sent.start_char : sent.end_char]
            stripped = raw.strip(_EDGE)
            if not stripped:
                continue
            start = offset + sent.start_char + (len(raw) - len(raw.lstrip(_EDGE)))
            end = start + len(stripped)
            yield index, Sentence(start=start, end=end, text=text[start:end]), sent, raw


_FINAL = (".", "!", "?", "…", ";")


def _punctuated_sentences(doc: Doc, text: str) -> Iterator[Span]:
    """spaCy's sentences, merged where a boundary follows no final punctuation:
    on short bullets and wrapped lines the parser cuts in mid-phrase. `text` is `doc.text`."""
    start = None
    for sent in doc.sents:
        if start is None:
            start = sent.start
        if text[sent.start_char : sent.end_char].rstrip().endswith(_FINAL):
            yield doc[start : sent.end]
            start = None
    if start is not None:
        yield doc[start : len(doc)]


def split_sentences(nlp: Language, text: str) -> list[Sentence]:
    """spaCy's French sentence segmentation inside each block; `text[s.start:s.end] == s.text`."""
    return [sentence for sentence, _ in sentence_spans(nlp, text)]
