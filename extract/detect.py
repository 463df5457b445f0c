"""Which demands a sentence addresses, and whether it promises them.

Driven by the platform file: each demand's terms are matched on
accent-folded lowercase forms (so "creche" finds "crèche") and on lemmas (so
"centres de santé" finds "centre de santé"), its acronyms exactly as written,
and its exclusions drop false friends ("parc automobile" is not a park). The
level comes from `extract.levels`: the sentence's mode (promise or not) and
the direction of the act on the matched words. Numbers and dates promised
come from `extract.quantities`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from config.platform import Platform
from extract.learned import MODEL_ALONE, TrainedModel, decide, features
from extract.levels import COMMITMENT, MENTION, OPPOSITION, Mode, level_of, sentence_mode
from extract.quantities import Quantity, find_quantities
from extract.sentences import Sentence, blocks, parse_blocks, sentence_spans_of
from extract.text import fold

__all__ = ["COMMITMENT", "MENTION", "OPPOSITION", "Detector", "DetectorMode", "Mention", "SentenceMentions", "fold"]

DetectorMode = Literal["rules", "model", "combined"]
"""rules: the platform's terms and rules alone; model: the trained
classifiers alone; combined: the rules propose and the classifiers decide."""
_BATCH = 256

FOLD_COMPONENT = "vigie_fold_norm"
_COMMITTING_HEADING = re.compile(
    r"^\W*((nos|mes|les) (engagements|propositions|priorités|mesures|actions|promesses)|notre programme|mon programme|"
    r"nous nous engageons|je m'engage|ce que nous (ferons|proposons)|concrètement|demain,? nous|notre projet)",
    re.IGNORECASE,
)


@Language.component(FOLD_COMPONENT)
def fold_norm(doc: Doc) -> Doc:
    """Accent-folded NORM, set after the statistical components that read NORM."""
    for token in doc:
        token.norm_ = fold(token.text)
    return doc


@dataclass(frozen=True)
class Mention:
    demand: str
    level: str
    score: float
    evidence: str
    start: int
    """Offset of the evidence in the analysed text (the page, for pages)."""
    end: int
    quantities: tuple[Quantity, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        """The stable `vigie detect --jsonl` form of a mention."""
        return {
            "demand": self.demand,
            "level": self.level,
            "score": self.score,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
            "quantities": [
                {"text": q.text, "kind": q.kind, "value": q.value, "unit": q.unit} for q in self.quantities
            ],
        }


    def to_record(self) -> dict:
        """Everything, offsets of quantities included, to store and reload."""
        return {**self.to_json(), "quantities": [q.__dict__ for q in self.quantities]}

    @classmethod
    def from_record(cls, data: dict) -> "Mention":
        return cls(
            **{k: v for k, v in data.items() if k != "quantities"},
            quantities=tuple(Quantity(**q) for q in data["quantities"]),
        )


@dataclass(frozen=True)
class SentenceMentions:
    sentence: Sentence
    mentions: tuple[Mention, ...]

    def to_record(self) -> dict:
        return {"sentence": self.sentence.__dict__, "mentions": [m.to_record() for m in self.mentions]}

    @classmethod
    def from_record(cls, data: dict) -> "SentenceMentions":
        return cls(Sentence(**data["sentence"]), tuple(Mention.from_record(m) for m in data["mentions"]))


class Detector:
    def __init__(self, platform: Platform, nlp: Language, model: TrainedModel | None = None, mode: DetectorMode = "combined") -> None:
        """Without a trained `model`, the rules alone decide whatever the `mode`."""
        self.platform = platform
        self.nlp = nlp
        self.model = model
        self.mode: DetectorMode = mode if model is not None else "rules"
        self._demand_ids = [demand.id for demand in platform.demands]
        if FOLD_COMPONENT not in nlp.pipe_names:
            nlp.add_pipe(FOLD_COMPONENT, last=True)
        self._forms = PhraseMatcher(nlp.vocab, attr="NORM")
        self._lemmas = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._acronyms = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._exclusions = PhraseMatcher(nlp.vocab, attr="NORM")
        self._elsewhere = PhraseMatcher(nlp.vocab, attr="NORM")
        for demand in platform.demands:
            self._forms.add(demand.id, [self._folded_doc(term) for term in demand.terms])
            # Lemma patterns must go through the pipeline to get lemmas.
            self._lemmas.add(demand.id, list(nlp.pipe(term.lower() for term in demand.terms)))
            if demand.acronyms:
                self._acronyms.add(demand.id, [nlp.make_doc(acronym) for acronym in demand.acronyms])
            if demand.exclude:
                self._exclusions.add(demand.id, [self._folded_doc(term) for term in demand.exclude])
            if demand.not_with:
                self._elsewhere.add(demand.id, [self._folded_doc(term) for term in demand.not_with])

    def _folded_doc(self, text: str) -> Doc:
        if text.endswith(("'", "’")):
            # An elided article at the end ("culture d'") only splits off before a word.
            return fold_norm(self.nlp.make_doc(text + "a")[:-1].as_doc())
        return fold_norm(self.nlp.make_doc(text))

    def analyse(self, text: str) -> Iterator[SentenceMentions]:
        """Every sentence of a page with the demands it addresses (offsets into
        `text`). Bullets under a heading such as "Nos engagements" are promises."""
        for _, item in self.analyse_many([text]):
            yield item

    def parse(self, texts: Sequence[str]) -> list[Doc]:
        """The texts' blocks through the spaCy pipeline: the costly part of
        `analyse_many`, and the same whatever the platform says."""
        return parse_blocks(self.nlp, texts)

    def analyse_many(self, texts: Sequence[str], parsed: Sequence[Doc] | None = None) -> Iterator[tuple[int, SentenceMentions]]:
        """`analyse` for many texts (the pages of a document, lines to detect),
        in one batched stream; each result carries the index of its text.
        `parsed` is what `parse` gave for these texts, when it was kept."""
        page_blocks = [[(offset, block) for offset, block in blocks(text) if block.strip()] for text in texts]
        starts = [[offset for offset, _ in text_blocks] for text_blocks in page_blocks]
        committing_section, current = False, (-1, -1)
        pending: list[tuple[int, Sentence, Span, str, int, tuple[Mention, ...]]] = []
        for index, sentence, span, span_text in sentence_spans_of(self.nlp, texts, parsed=parsed):
            block = bisect.bisect_right(starts[index], sentence.start) - 1
            offset, text = page_blocks[index][block]
            if (index, block) != current:
                if index != current[0]:
                    committing_section = False
                current = (index, block)
                committing_section = _section_after(text, committing_section)
            in_committing_list = committing_section and _is_bullet(text)
            # A span's offsets are into its block, which starts at `offset` in the page.
            mentions = tuple(self.mentions_in(span, shift=offset, committing_section=in_committing_list, text=span_text))
            if self.mode == "rules":
                yield index, SentenceMentions(sentence, mentions)
                continue
            pending.append((index, sentence, span, span_text, offset, mentions))
            if len(pending) >= _BATCH:
                yield from self._decided(pending)
                pending = []
        yield from self._decided(pending)

    def _decided(self, pending: list[tuple[int, Sentence, Span, str, int, tuple["Mention", ...]]]) -> Iterator[tuple[int, SentenceMentions]]:
        """The trained classifiers' decisions on a batch of sentences and what the rules found in them."""
        if not pending:
            return
        assert self.model is not None
        batch = [
            features(span, ((m.demand, m.level) for m in mentions), self.model.with_rules)
            for _, _, span, _, _, mentions in pending
        ]
        for (index, sentence, span, text, offset, mentions), cats in zip(pending, self.model.scores(batch), strict=True):
            found = {m.demand: m for m in mentions}
            rules = {m.demand: m.level for m in mentions} if self.mode == "combined" else {}
            thresholds = self.model.thresholds if self.mode == "combined" else MODEL_ALONE
            decided = []
            for decision in decide(rules, cats, thresholds, self._demand_ids):
                score = round(decision.score, 4)
                if decision.by_rules:
                    decided.append(replace(found[decision.demand], level=decision.level, score=score))
                else:
                    # The classifiers read the whole sentence: it is their evidence.
                    decided.append(
                        Mention(decision.demand, decision.level, score, sentence.text, sentence.start, sentence.end, _quantities(span, text, offset))
                    )
            yield index, SentenceMentions(sentence, tuple(decided))

    def detect_texts(self, texts: Iterable[str], parsed: Sequence[Doc] | None = None) -> list[list[Mention]]:
        """Mentions in each text, a sentence or a short passage judged alone
        (offsets into that text), in the order of the texts; `parsed` as for `analyse_many`."""
        texts = list(texts)
        found: list[list[Mention]] = [[] for _ in texts]
        for index, item in self.analyse_many(texts, parsed=parsed):
            found[index].extend(item.mentions)
        return found

    def mentions_in(self, span: Span, *, shift: int, committing_section: bool = False, text: str | None = None) -> Iterator[Mention]:
        """The demands the sentence `span` addresses; `shift` turns offsets in
        its doc into offsets in the analysed text, `text` is `span.text` when known."""
        matches = self._matches(span)
        if not matches:
            return
        text = span.text if text is None else text
        mode = sentence_mode(span, text)
        if committing_section and not mode.committed and mode.reason in {"statement", "nominal bullet"}:
            mode = Mode(True, 0.75, "bullet under a committing heading")
        quantities = _quantities(span, text, shift)
        for demand in sorted(matches):
            # An act against the demand anywhere in the sentence decides
            # ("nous regrouperons les écoles et fermerons l'école de Vaux").
            # The match an act or a refusal bears on says what the list will
            # do; among several, an act against the demand decides ("nous
            # regrouperons les écoles et fermerons l'école de Vaux").
            judged = [(*level_of(evidence, mode), evidence) for evidence in matches[demand]]
            cued = [found for found in judged if found[2]] or judged
            level, score, _, evidence = next(
                (found for found in cued if found[0] == OPPOSITION), max(cued, key=lambda found: len(found[3]))
            )
            yield Mention(
                demand=demand,
                level=level,
                score=score,
                evidence=evidence.text,
                start=evidence.start_char + shift,
                end=evidence.end_char + shift,
                quantities=quantities,
            )

    def _matches(self, span: Span) -> dict[str, list[Span]]:
        """Each demand's matches inside the span, without false friends,
        places, or demands another one's vocabulary rules out."""
        doc = span.doc
        excluded: set[tuple[str, int]] = set()
        for match_id, start, end in self._exclusions(doc):
            excluded.update((doc.vocab.strings[match_id], i) for i in range(start, end))
        ruled_out = {
            doc.vocab.strings[match_id]
            for match_id, start, end in self._elsewhere(doc)
            if span.start <= start and end <= span.end
        }
        found: dict[str, dict[tuple[int, int], Span]] = {}
        for matcher in (self._forms, self._lemmas, self._acronyms):
            for match_id, start, end in matcher(doc):
                demand = doc.vocab.strings[match_id]
                if start < span.start or end > span.end or demand in ruled_out:
                    continue
                if any((demand, i) in excluded for i in range(start, end)) or is_place(doc[start:end]):
                    continue
                found.setdefault(demand, {})[(start, end)] = doc[start:end]
        # Within a demand, a match inside a longer one is the same evidence.
        return {
            demand: [
                evidence
                for (start, end), evidence in sorted(spans.items())
                if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)
            ]
            for demand, spans in found.items()
        }


def _quantities(span: Span, text: str, shift: int) -> tuple[Quantity, ...]:
    """Numbers and dates in the sentence `span` (whose text is `text`), offsets into the analysed text."""
    return tuple(
        Quantity(q.text, q.kind, q.value, q.unit, q.start + span.start_char + shift, q.end + span.start_char + shift)
        for q in find_quantities(text)
    )


_SPATIAL_CASES = {"devant", "derrière", "autour", "près", "aux abords", "vers"}
_SPATIAL_HEADS = {
    "abord", "abords", "alentours", "proximité", "côté", "face", "quartier", "rue", "avenue", "boulevard", "parking",
    "hall", "entrée", "sortie", "parvis", "lieu-dit", "rond-point", "carrefour",
}


def is_place(evidence: Span) -> bool:
    """A demand's word used as an address, not a topic: "devant chaque école",
    "le quartier de la gare", "le parking de l'hôpital"."""
    root = evidence.root
    if any(child.lower_ in _SPATIAL_CASES for child in root.children):
        return True
    head = root.head
    spatial_head = head.lemma_.lower() in _SPATIAL_HEADS or head.lower_ in _SPATIAL_HEADS
    return root.dep_ in {"nmod", "obl", "obl:mod"} and spatial_head and head.i not in range(evidence.start, evidence.end)


def _is_bullet(block: str) -> bool:
    return block.lstrip().startswith("•")


def _section_after(block: str, committing: bool) -> bool:
    """Whether the bullets after this block are promises: a heading or an
    introduction ("Nous nous engageons à :") opens or closes such a section."""
    stripped = block.strip()
    if _is_bullet(stripped):
        return committing
    if _COMMITTING_HEADING.search(stripped) or stripped.endswith(":"):
        return True
    is_heading = len(stripped.split()) <= 8 and not stripped.endswith((".", "!", "?", ";"))
    return False if is_heading else committing
