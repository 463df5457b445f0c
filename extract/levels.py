"""Whether a sentence promises something, and whether for or against a demand.

Two questions, answered from the sentence's grammar (spaCy's French parse)
and a small vocabulary of campaign French:

- **mode**: does the list commit itself? Future and periphrastic future,
  engagement verbs ("nous nous engageons", "nous proposons"), programme
  bullets ("Créer…", "Création de…", "Objectif : …") and nominal bullets are
  promises; past tenses (the outgoing team's record), the conditional, "il
  faut", and a group's demands of others are mentions.
- **polarity**: is the promised act for or against the demand matched? Along
  the syntactic path from the matched words up to their clause's verb, each
  "against" cue flips the direction: destroying verbs and nouns ("fermer",
  "vente", "privatisation"), reducing verbs ("réduire", "baisser"), refusals
  ("refuser", "lutter contre"), negation ("ne … pas", "aucun", "zéro") and
  burdens ("prix", "artificialisation", "désert médical"). "Nous refuserons la
  fermeture de l'école" flips twice: a commitment; "nous vendrons une partie du
  parc social" once: an opposition.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from spacy.tokens import Span, Token

COMMITMENT, OPPOSITION, MENTION = "commitment", "opposition", "mention"

# The small French model often tags simple futures ("nous créerons") as
# present, so tense is also read from the ending against the lemma: future and
# conditional are built on the infinitive ("créer-ons", "mettr-ons").
_FUTURE_ENDING = re.compile(r"r(ai|as|a|ons|ez|ont)$")
_CONDITIONAL_ENDING = re.compile(r"r(ais|ait|ions|iez|aient)$")
_IRREGULAR_STEMS = ("ser", "aur", "fer", "ir", "pourr", "devr", "voudr", "verr", "saur", "faudr", "enverr", "courr", "vaudr", "recevr")

_ENGAGEMENT_LEMMAS = {
    "engager", "proposer", "vouloir", "souhaiter", "promettre", "garantir", "prévoir", "continuer", "poursuivre",
    "défendre", "soutenir", "agir", "porter", "refuser", "opposer", "préférer", "choisir", "assumer", "maintenir",
}
_ENGAGEMENT = re.compile(
    r"\b(nous nous engageons|je m'engage|on s'engage|nous proposons|je propose|nous voulons|je veux|"
    r"nous souhaitons|je souhaite|(notre|mon) (objectif|priorité|engagement|contrat|promesse|ambition)|"
    r"objectif\s*:|priorité\s*:|engagement\s*:)",
    re.IGNORECASE,
)
# Demanding of others, deploring, recording: the list does not commit itself.
_NOT_COMMITTING_LEMMAS = {"demander", "exiger", "regretter", "déplorer", "dénoncer", "constater", "rappeler", "réclamer", "appeler", "interpeller", "alerter", "interroger", "observer", "noter"}
_THIRD_PARTIES = {"état", "gouvernement", "région", "département", "préfet", "préfecture", "ars", "sncf", "majorité", "maire", "ministre", "opposition", "agglomération", "métropole"}
_HEDGES = re.compile(r"\b(étudier|étudierons|étudiera|examiner|examinerons|envisager|envisagerons|réfléchir|réfléchirons|la possibilité|si possible|dans la mesure du possible|si l'état|si la région|si les finances)\b", re.IGNORECASE)
_NORMATIVE = re.compile(r"^\W*(il faut|il faudra|il faudrait|il est (urgent|nécessaire|indispensable|temps))\b", re.IGNORECASE)
_NOMINAL_ACTIONS = {
    "création", "ouverture", "construction", "rénovation", "réhabilitation", "mise", "recrutement", "extension", "réouverture",
    "maintien", "gratuité", "développement", "installation", "lancement", "renforcement", "embauche", "titularisation",
    "remunicipalisation", "passage", "retour", "transformation", "agrandissement", "aménagement", "plantation", "végétalisation",
    "suppression", "fermeture", "vente", "privatisation", "externalisation", "objectif", "priorité", "doublement", "augmentation",
    "baisse", "réduction", "instauration", "généralisation", "relocalisation", "sanctuarisation", "protection", "reprise",
}

# Cues that flip the direction of an act relative to a demand.
_AGAINST_VERBS = {
    "fermer", "vendre", "supprimer", "privatiser", "externaliser", "céder", "démanteler", "abandonner", "dématérialiser",
    "délocaliser", "désaffecter", "réduire", "diminuer", "baisser", "limiter", "geler", "plafonner", "freiner", "contenir",
    "rationaliser", "mutualiser", "sous-traiter", "déléguer", "concéder", "transférer", "confier", "cesser", "dissoudre",
    "raser", "détruire", "démolir", "abattre", "toucher", "urbaniser", "artificialiser", "bétonner", "imperméabiliser",
    "consommer", "sacrifier", "déclasser", "regrouper", "fusionner",
}
_CHANGE_VERBS = {
    "réduire", "diminuer", "baisser", "limiter", "geler", "plafonner", "freiner", "contenir", "augmenter", "relever",
    "doubler", "tripler", "hausser", "multiplier", "majorer", "alourdir", "accroître",
}
_HANDING_OVER = {"déléguer", "concéder", "transférer", "confier"}  # against only towards the private sector
_REFUSALS = {"refuser", "opposer", "combattre", "empêcher", "stopper", "arrêter", "interdire", "lutter", "bloquer", "contester", "enrayer", "endiguer", "résister"}
# Acts against public services, named as nouns ("la fermeture de l'école").
_ACT_NOUNS = {
    "fermeture", "vente", "suppression", "privatisation", "externalisation", "démantèlement", "abandon", "disparition",
    "cession", "dématérialisation", "désengagement", "réduction", "baisse", "gel", "délégation", "dsp", "concession",
    "sous-traitance", "fin", "arrêt", "pénalité", "carence", "dissolution", "regroupement", "urbanisation",
}
# Problems and burdens: acting on them is fighting them ("réduire les délais",
# "un plan contre les déserts médicaux").
_PROBLEM_NOUNS = {
    "désert", "fracture", "exclusion", "non-recours", "mal-logement", "artificialisation", "bétonisation", "bétonnage",
    "spéculation", "étalement", "isolement", "précarité", "pauvreté", "inégalité", "vacance", "insalubrité", "marchand",
    "pollution", "fuite", "prix", "tarif", "coût", "facture", "loyer", "délai", "attente", "charge", "dette",
}
_NEGATIONS = {"ne", "n'", "pas", "jamais", "aucun", "aucune", "nul", "nulle", "zéro", "sans", "ni", "rien"}
_PRIVATE = re.compile(r"\b(priv[ée]e?s?|prestataires?|entreprises?|concurrence|opérateurs? privés?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mode:
    committed: bool
    score: float
    reason: str


def is_future(token: Token) -> bool:
    return "Fut" in token.morph.get("Tense") or _built_on_infinitive(token, _FUTURE_ENDING)


def is_conditional(token: Token) -> bool:
    return "Cnd" in token.morph.get("Mood") or _built_on_infinitive(token, _CONDITIONAL_ENDING)


def _built_on_infinitive(token: Token, ending: re.Pattern[str]) -> bool:
    if token.pos_ not in {"VERB", "AUX"}:
        return False
    match = ending.search(token.lower_)
    if match is None:
        return False
    stem, lemma = token.lower_[: match.start() + 1], token.lemma_.lower()
    if _plain(stem) in {_plain(lemma), _plain(lemma)[:-1]} or stem in _IRREGULAR_STEMS:
        return True
    # The lemmatizer fails on unusual spellings ("délèguerons"): judge the
    # stem, which for a future or conditional is an infinitive ("déléguer",
    # "mettr", "prendr"); "tirons" (tirer) is a present.
    if stem.endswith("ir"):
        return lemma != stem + "er"
    return stem.endswith(("er", "ttr", "dr"))


def _plain(word: str) -> str:
    """Accents off and doubled consonants single: "renouveller" and
    "délèguer" (future stems) meet "renouveler" and "déléguer"."""
    word = unicodedata.normalize("NFD", word)
    word = "".join(c for c in word if not unicodedata.combining(c))
    return re.sub(r"([lt])\1", r"\1", word)


def _is_past(token: Token) -> bool:
    """Passé composé ("nous avons créé", "a été fermée") or imperfect/simple past."""
    if token.pos_ == "AUX" and token.lemma_ in {"avoir", "être"} and "Pres" in token.morph.get("Tense"):
        head = token.head
        return head.pos_ == "VERB" and "Part" in head.morph.get("VerbForm") and "Past" in head.morph.get("Tense") and token.dep_ == "aux:tense"
    return bool({"Imp", "Past"} & set(token.morph.get("Tense"))) and "Fin" in token.morph.get("VerbForm")


def _first_person(span: Span) -> bool:
    return any(token.lower_ in {"nous", "je", "j'", "on"} and token.dep_.startswith("nsubj") for token in span)


def sentence_mode(span: Span, text: str | None = None) -> Mode:
    """Whether the sentence commits the list, with a confidence (`text` is `span.text`, when known)."""
    tokens = [token for token in span if not token.is_space and token.text not in {"•", "-", "–"}]
    if not tokens:
        return Mode(False, 0.5, "empty")
    text = span.text if text is None else text
    hedged = bool(_HEDGES.search(text))
    if any(is_conditional(token) for token in tokens):
        return Mode(False, 0.75, "conditional")
    if _NORMATIVE.search(text):
        return Mode(False, 0.7, "normative")
    finite = [t for t in tokens if "Fin" in t.morph.get("VerbForm")]
    root = span.root
    active_subject = any(child.dep_ == "nsubj" for child in root.children)
    if root.lemma_ in _NOT_COMMITTING_LEMMAS and active_subject and not is_future(root):
        return Mode(False, 0.7, "demand of others")
    if _ENGAGEMENT.search(text):
        return Mode(True, 0.8 if hedged else 0.92, "engagement")
    futures = [t for t in tokens if is_future(t) or _periphrastic(t)]
    if futures:
        verb = futures[0] if futures[0].dep_ not in {"aux", "aux:tense", "aux:pass", "cop"} else futures[0].head
        subjects = [c for c in verb.children if c.dep_.startswith("nsubj")]
        if subjects and subjects[0].lower_ in _THIRD_PARTIES and not _first_person(span):
            return Mode(False, 0.6, "future of a third party")
        score = 0.9 if _first_person(span) else 0.82
        return Mode(True, score - (0.2 if hedged else 0.0), "future")
    if any(_is_past(t) for t in finite) or any(_is_past(t) for t in tokens if t.pos_ == "AUX"):
        return Mode(False, 0.8, "past")
    first = tokens[0]
    if first.pos_ in {"VERB", "AUX"} and "Inf" in first.morph.get("VerbForm"):
        return Mode(True, 0.85, "infinitive bullet")
    if _opens_as_bullet(tokens, finite):
        return Mode(True, 0.8, "nominal bullet")
    if not finite and len(tokens) >= 3 and tokens[-1].text not in {".", "!", "?"}:
        return Mode(True, 0.65, "nominal bullet")
    if _first_person(span) and root.lemma_ in _ENGAGEMENT_LEMMAS:
        return Mode(True, 0.7, "first person engagement verb")
    return Mode(False, 0.65, "statement")


def _opens_as_bullet(tokens: list[Token], finite: list[Token]) -> bool:
    """A programme bullet: "Création d'un…", "Médiathèque : ouverture le
    dimanche", and, whatever the verbs, "Pas de…", "Zéro…", "Fin de…"."""
    if tokens[0].lower_ in {"pas", "zéro", "fin"}:
        return True
    if finite:
        return False
    heads = [tokens[0]]
    heads += [tokens[i + 1] for i, token in enumerate(tokens[:6]) if token.text == ":" and i + 1 < len(tokens)]
    return any(token.lemma_.lower() in _NOMINAL_ACTIONS or token.lower_ in {"aucun", "aucune"} for token in heads)


def _periphrastic(token: Token) -> bool:
    """"nous allons créer", "la ville va ouvrir"."""
    if token.lemma_ != "aller" or "Inf" in token.morph.get("VerbForm") or "Pres" not in token.morph.get("Tense"):
        return False
    return any("Inf" in child.morph.get("VerbForm") for child in token.children) or (
        token.i + 1 < len(token.doc) and "Inf" in token.doc[token.i + 1].morph.get("VerbForm")
    )


@dataclass(frozen=True)
class Polarity:
    against: bool
    cued: bool
    """Whether the path holds an act or a refusal: then it, rather than a
    bare mention elsewhere in the sentence, says what the list will do."""


def polarity(evidence: Span) -> Polarity:
    """Whether the act on the matched words goes against the demand: an odd
    number of "against" cues on the path from them to their clause's verb."""
    inside = range(evidence.start, evidence.end)
    if any(token.lemma_.lower() in _PROBLEM_NOUNS or token.lower_ in _PROBLEM_NOUNS for token in evidence):
        return Polarity(False, True)  # whatever the list does about a problem, it acts on it
    path = _path_to_clause(evidence.root)
    changing = bool({token.lemma_.lower() for token, _ in path} & _CHANGE_VERBS)
    private = bool(_PRIVATE.search(evidence.text))
    flips = int(private)  # the evidence names the private sector itself
    refused = False
    for token, coordinated in path:
        lemma = token.lemma_.lower()
        if lemma in _REFUSALS or (lemma == "mettre" and any(c.lower_ == "fin" for c in token.children)):
            refused = True
        elif coordinated:
            pass  # "ni privatisés ni externalisés": one act, said twice
        elif lemma in _HANDING_OVER:
            flips += not private and bool(_PRIVATE.search(evidence.sent.text))
        elif lemma in _AGAINST_VERBS:
            flips += 1
        elif token.pos_ in {"NOUN", "PROPN"} and (lemma in _ACT_NOUNS or token.lower_ in _ACT_NOUNS):
            flips += 1
        elif changing and lemma in _PROBLEM_NOUNS:
            flips += 1  # "augmenter les tarifs": a burden grows
        markers = [c.lower_ for c in token.children if c.i not in inside and c.dep_ in {"case", "advmod", "mark", "fixed"}]
        if {"contre", "non"} & set(markers):
            refused = True
    refused = refused or _rejected_alternative(evidence, path)
    negations = _negations([token for token, _ in path], inside)
    return Polarity((flips + refused + negations) % 2 == 1, bool(flips or refused))


def _rejected_alternative(evidence: Span, path: list[tuple[Token, bool]]) -> bool:
    """"plutôt que de bétonner", "au lieu de fermer": the act is what the list
    will not do."""
    verbs = [token for token, _ in path if token.pos_ in {"VERB", "AUX"}] or [evidence.root]
    start = min(verbs[0].i, evidence.start)
    before = " ".join(token.lower_ for token in evidence.doc[max(0, start - 4) : start])
    return bool(re.search(r"\b(plutôt qu[e']|au lieu d[e']?)", before))


def _negations(path: list[Token], inside: range) -> int:
    """French negation spans a clause ("aucune école ne fermera" is one); each
    "sans" is one more ("aucune demande ne restera sans réponse" is none).
    Words of the evidence itself ("sans domicile") do not count."""
    on_path = {token.i for token in path}
    children = [child for token in path for child in token.children if child.i not in inside]
    core = any(child.lower_ in _NEGATIONS - {"sans"} for child in children) or any(
        token.lower_ in {"pas", "zéro", "aucun", "aucune"} and token.i not in inside for token in path
    )
    sans = sum(1 for child in children if child.lower_ == "sans" and child.dep_ in {"case", "mark", "advmod"})
    clause = path[-1]
    sans += sum(
        1
        for child in clause.children
        if clause.pos_ in {"VERB", "AUX"} and child.i not in on_path and child.i not in inside
        and child.pos_ in {"NOUN", "PRON"} and child.dep_ not in {"nsubj", "obj"}
        for grandchild in child.children
        if grandchild.lower_ == "sans" and grandchild.dep_ == "case"
    )
    return int(core) + sans


def _path_to_clause(token: Token) -> list[tuple[Token, bool]]:
    """The token, then its heads up to the first finite verb (or the root),
    climbing through infinitives ("refuser de fermer"). A head reached from a
    coordinated word is flagged: its own act is parallel, not applied to it."""
    path = [(token, False)]
    current = token
    while current.head.i != current.i:
        coordinated = current.dep_ == "conj"
        if coordinated and current.pos_ in {"VERB", "AUX"}:
            break  # "fermer X et ouvrir Y": Y's act is its own
        head = current.head
        between = token.doc[min(head.i, current.i) + 1 : max(head.i, current.i)]
        if head.pos_ not in {"VERB", "AUX"} and any(t.text in {",", ";", ":"} for t in between):
            break  # in a list ("pas de X, pas de Y"), each item is its own
        current = head
        path.append((current, coordinated))
        if current.pos_ in {"VERB", "AUX"} and "Fin" in current.morph.get("VerbForm") and not _periphrastic(current):
            break
    return path


def level_of(evidence: Span, mode: Mode) -> tuple[str, float, bool]:
    """The level of one matched demand in a sentence of the given mode, its
    score, and whether an act or refusal bears on the match."""
    found = polarity(evidence)
    if not mode.committed:
        return MENTION, mode.score, found.cued
    if found.against:
        return OPPOSITION, round(mode.score - 0.05, 2), found.cued
    return COMMITMENT, mode.score, found.cued
