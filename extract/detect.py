"""Which demands a sentence addresses, and whether it is a promise.

A first, simple detector driven by the platform file: each demand's terms are
matched on lowercase forms and on lemmas (so "centres de santé" matches
"centre de santé"), exclusions remove false friends, and the sentence's
grammar gives the level.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span

from config.platform import Platform
from extract.sentences import Sentence, sentence_spans

COMMITMENT, OPPOSITION, MENTION = "commitment", "opposition", "mention"

_ENGAGEMENT = re.compile(
    r"\b(nous nous engageons|je m'engage|nous proposons|nous voulons|nous souhaitons|objectif\s*:)", re.IGNORECASE
)
# Acting against public services: a promise to do these is an opposition,
# unless negated ("nous ne fermerons pas").
_AGAINST_LEMMAS = {"vendre", "privatiser", "fermer", "supprimer", "externaliser", "céder"}
# Handing a service over, or cutting means, is against only with these objects.
_HANDED_TO_PRIVATE = re.compile(r"\bconfi\w+\b.*\b(priv[ée]e?s?|prestataire)", re.IGNORECASE)
_CUTS = re.compile(r"\br[ée]dui\w*\b.*\b(effectifs|postes|subventions|budget|horaires)", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    demand: str
    level: str
    score: float
    evidence: str
    start: int
    """Offset of the evidence in the analysed text (the page, for pages)."""
    end: int


@dataclass(frozen=True)
class SentenceMentions:
    sentence: Sentence
    mentions: tuple[Mention, ...]


class Detector:
    def __init__(self, platform: Platform, nlp: Language) -> None:
        self.platform = platform
        self.nlp = nlp
        self._forms = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._lemmas = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._exclusions = PhraseMatcher(nlp.vocab, attr="LOWER")
        for demand in platform.demands:
            terms = [term.lower() for term in demand.terms]
            self._forms.add(demand.id, [nlp.make_doc(term) for term in terms])
            # Lemma patterns must go through the pipeline to get lemmas.
            self._lemmas.add(demand.id, list(nlp.pipe(terms)))
            if demand.exclude:
                self._exclusions.add(demand.id, [nlp.make_doc(term.lower()) for term in demand.exclude])

    def analyse(self, text: str) -> Iterator[SentenceMentions]:
        """Every sentence of a page with the demands it addresses (offsets into `text`)."""
        for sentence, span in sentence_spans(self.nlp, text):
            # From offsets in spaCy's doc (one block) to offsets in the page.
            shift = sentence.start - span.start_char - (len(span.text) - len(span.text.lstrip(" •")))
            yield SentenceMentions(sentence, tuple(self.mentions_in(span, shift=shift)))

    def detect_texts(self, texts: Iterable[str]) -> Iterator[list[Mention]]:
        """Mentions of each text taken as one passage (offsets into that text)."""
        for doc in self.nlp.pipe(texts):
            yield list(self.mentions_in(doc[:], shift=0))

    def mentions_in(self, span: Span, *, shift: int) -> Iterator[Mention]:
        doc = span.doc
        excluded: set[tuple[str, int]] = set()
        for match_id, start, end in self._exclusions(doc):
            for i in range(start, end):
                excluded.add((doc.vocab.strings[match_id], i))
        best: dict[str, tuple[int, int]] = {}
        for matcher in (self._forms, self._lemmas):
            for match_id, start, end in matcher(doc):
                demand = doc.vocab.strings[match_id]
                if start < span.start or end > span.end or (demand, start) in excluded:
                    continue
                # Keep the longest evidence per demand.
                current = best.get(demand)
                if current is None or end - start > current[1] - current[0]:
                    best[demand] = (start, end)
        if not best:
            return
        level, score = sentence_level(span)
        for demand in sorted(best):
            start, end = best[demand]
            evidence = doc[start:end]
            yield Mention(
                demand=demand,
                level=level,
                score=score,
                evidence=evidence.text,
                start=evidence.start_char + shift,
                end=evidence.end_char + shift,
            )


# The small French model often tags simple futures ("nous créerons") as
# present, so tense is also read from the ending against the lemma: future and
# conditional are built on the infinitive ("créer-ons", "mettr-ons").
_FUTURE_ENDING = re.compile(r"r(ai|as|a|ons|ez|ont)$")
_CONDITIONAL_ENDING = re.compile(r"r(ais|ait|ions|iez|aient)$")
_IRREGULAR_STEMS = ("ser", "aur", "fer", "ir", "pourr", "devr", "voudr", "verr", "saur", "faudr", "enverr", "courr", "vaudr", "recevr")


def _built_on_infinitive(token, ending: re.Pattern[str]) -> bool:
    if token.pos_ not in {"VERB", "AUX"}:
        return False
    match = ending.search(token.lower_)
    if match is None:
        return False
    stem, lemma = token.lower_[: match.start() + 1], token.lemma_.lower()
    return stem in {lemma, lemma[:-1]} or stem in _IRREGULAR_STEMS or stem.endswith(("iendr", "ndr"))


def is_future(token) -> bool:
    return "Fut" in token.morph.get("Tense") or _built_on_infinitive(token, _FUTURE_ENDING)


def is_conditional(token) -> bool:
    return "Cnd" in token.morph.get("Mood") or _built_on_infinitive(token, _CONDITIONAL_ENDING)


def _periphrastic_future(tokens: list) -> bool:
    """"nous allons créer", "la ville va ouvrir"."""
    for i, token in enumerate(tokens[:-1]):
        if token.lemma_ == "aller" and "Inf" not in token.morph.get("VerbForm"):
            following = tokens[i + 1 : i + 3]
            if any("Inf" in t.morph.get("VerbForm") for t in following):
                return True
    return False


def sentence_level(span: Span) -> tuple[str, float]:
    """commitment / opposition / mention, with a confidence, from grammar and vocabulary."""
    tokens = [token for token in span if not token.is_space and token.text != "•"]
    if not tokens:
        return MENTION, 0.5
    if any(is_conditional(token) for token in tokens):
        return MENTION, 0.6
    future = any(is_future(token) for token in tokens) or _periphrastic_future(tokens)
    first_person = any(token.lower_ in {"nous", "je", "j'"} for token in tokens)
    engaged = bool(_ENGAGEMENT.search(span.text))
    programme_bullet = tokens[0].pos_ in {"VERB", "AUX"} and "Inf" in tokens[0].morph.get("VerbForm")
    if not (engaged or programme_bullet or future):
        return MENTION, 0.6
    negated = any(token.lower_ in {"ne", "n'", "jamais"} for token in tokens)
    against = (
        any(token.lemma_ in _AGAINST_LEMMAS for token in tokens)
        or _HANDED_TO_PRIVATE.search(span.text)
        or _CUTS.search(span.text)
    )
    if against and not negated:
        return OPPOSITION, 0.7
    score = 0.85 if (engaged or (future and first_person)) else 0.7
    return COMMITMENT, score
