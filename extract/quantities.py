"""Numbers a French programme sentence promises: counts, amounts, percentages,
dates, deadlines and durations, each with its offsets, so that a watchdog can
later check "500 logements sociaux d'ici 2028" against what was delivered.

Pure regular expressions over the raw text (no spaCy), in three steps:

1. *Skips*: numbers that are not promises are matched first, so they can win
   the overlap and vanish: phone numbers, postal codes (five bare digits with
   no noun after: "59000 Lille", "(59000)"), street numbers ("12 rue …"),
   ordinals ("1er", "2e adjoint", "XXIe siècle"), labels ("article 55",
   "liste n° 3", "loi n° 2000-1208", "ligne 12"), fractions ("1/3"), the low
   end of a range ("18-25 ans"), codes ("Covid-19").
2. *Quantities*: deadlines, dates, amounts, percentages, durations, hours,
   then counts, whose noun (the unit) stops where another match begins.
3. *Overlaps*: the longest match wins; on equal length, the order of the kinds
   above decides (a skip first, a count last). Skips are then dropped.

Conventions:

- ``value`` of a date or deadline is its year; a relative deadline ("dans les
  six premiers mois", "d'ici deux ans") has its number and unit ("mois", "ans");
  a deadline without a number ("dès la rentrée") has ``None``.
- A year range "2026-2032" is two dates, one per year: the kinds stay closed.
- Recurrences ("chaque année", "par an") and spans of the mandate ("tout au long
  du mandat") are durations with ``value`` None and the period as unit.
- Hours ("20 h", "19 heures", "24h/24") are counts with unit "heures".
- Amounts keep a rate in their text ("5 euros par habitant") and their unit is
  "EUR".
- A spelled-out count needs a lowercase noun after it ("trois crèches", not
  "les Trois Cités"); "un"/"une" alone are never counts (every "une crèche"
  would be one).
- A count's unit is up to three words after the number, lowercased, cut at a
  function word, a future or conditional verb ("ouvriront"), or another match.

Known limits: no part-of-speech tagging, so a unit may keep a present-tense
verb ("500 logements construisent"); ages read as durations ("les plus de 65
ans"); ranges keep only their high end ("de 3 à 6 ans" gives a bare count 3
and 6 ans); "la moitié", "doubler", "des centaines" carry no number; signs
("+30 %", "-10 %") are dropped; a dot before exactly three digits is a
thousands separator ("1.250" is 1250).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

KINDS = ("count", "percent", "amount", "date", "deadline", "duration")


@dataclass(frozen=True)
class Quantity:
    """One quantity: ``text == sentence[start:end]``; ``kind`` is one of KINDS;
    ``value`` is the number (the year for a date or deadline), None when there is
    none; ``unit`` is "EUR", "%", "année", "ans", "heures" or a count's noun."""

    text: str
    kind: str
    value: float | None
    unit: str | None
    start: int
    end: int


# --- building blocks ---------------------------------------------------------------------------

_APOS = r"['’]"
# Thousands are grouped by a space, a no-break space, a narrow no-break space or a dot.
_SPACES = " \u00a0\u202f\u2009"
_GROUP_SEP = f"[{_SPACES}.]"
_DIGITS = rf"(?<![\w.,])(?:\d{{1,3}}(?:{_GROUP_SEP}\d{{3}}){{1,6}}(?:,\d+)?|\d+(?:[,.]\d+)?)(?!\d)"

_WORD_VALUES = {
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100, "mille": 1000,
}  # fmt: skip
_W = "|".join(sorted(_WORD_VALUES, key=len, reverse=True))
# Bounded, so that a run of number words cannot make matching quadratic.
_WORDNUM = rf"(?<![\w-])(?:{_W})(?:[\s-]+(?:{_W})|(?:\s+et\s+|-et-)(?:une?|onze)){{0,8}}(?![\w-])"

_NUM = rf"(?:{_DIGITS}|{_WORDNUM})"
_SCALE = r"(?:millions?|milliards?)"
_SYMBOL_SCALE = r"(?:k|Mds|Md|Mrds|Mrd|M)"
_CURRENCY = r"(?:€|euros?(?!\w)|EUR(?!\w))"
_RATE = r"(?:an|année|mois|semaine|jour|habitants?|élèves?|enfants?|foyers?|ménages?|familles?|repas|personnes?|logements?|m²|m2)"
_TIME_UNIT = r"(?:ans?|années?|mois|semaines?|jours?)(?!\w)"
_YEAR = r"(?<![\w.,])(?:199\d|20\d\d|2100)(?![\w]|[,.]\d)"
_MONTH = r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)"
_DAY_MONTH = rf"(?:1er|\d{{1,2}})\s+{_MONTH}"
# A moment inside a year, before the year: "septembre 2026", "la rentrée 2026".
_MOMENT = (
    rf"(?:{_DAY_MONTH}|{_MONTH}|(?:le\s+)?printemps|l{_APOS}(?:été|automne|hiver)|été|automne|hiver"
    rf"|(?:la\s+)?rentrée(?:\s+scolaire)?|(?:le\s+)?début(?:\s+de\s+l{_APOS}année)?|mi-?|courant"
    rf"|(?:le\s+)?(?:premier|second)\s+semestre)"
)
_END_OF = rf"(?:la\s+)?fin\s+(?:de\s+l{_APOS}année\s+)?"
_MANDATE = r"(?:mandat|mandature)"
_OF_MANDATE = rf"(?:du|de\s+(?:notre|ce|cette|la))\s+(?:prochain\s+|prochaine\s+)?{_MANDATE}"
_DEADLINE_LEAD = (
    rf"(?:d{_APOS}ici(?:\s+(?:à|au|a))?|avant|au\s+plus\s+tard(?:\s+(?:en|à|au))?|dès"
    rf"|à\s+partir\s+(?:de|du)|à\s+compter\s+(?:de|du)|à\s+l{_APOS}horizon(?:\s+de)?|horizon"
    rf"|jusqu{_APOS}(?:en|à|au))"
)

_FLAGS = re.IGNORECASE


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _FLAGS)


# --- numbers -----------------------------------------------------------------------------------

_NUMBER_SPACES = re.compile(f"[{_SPACES}]")
_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_WORD_SPLIT = re.compile(r"[\s-]+")
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "md": 1e9, "mds": 1e9, "mrd": 1e9, "mrds": 1e9,
                "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}  # fmt: skip


def parse_number(text: str) -> float:
    """A French number as a float: 1 200 and 1.200 are 1200, 1,5 is 1.5, vingt-cinq is 25."""
    compact = _NUMBER_SPACES.sub("", text)
    if compact[:1].isdigit():
        if _DOT_GROUPED.fullmatch(compact):
            compact = compact.replace(".", "")
        return float(compact.replace(",", "."))
    return float(_parse_words(text))


def _parse_words(text: str) -> int:
    total, current = 0, 0
    for word in _WORD_SPLIT.split(text.lower()):
        if word == "et":
            continue
        value = _WORD_VALUES[word]
        if value == 100:
            current = (current or 1) * 100
        elif value == 1000:
            total += (current or 1) * 1000
            current = 0
        elif value == 20 and current % 100 == 4:
            current += 76  # quatre-vingt(s)
        else:
            current += value
    return total + current


def _scaled(number: str, scale: str | None) -> float:
    value = parse_number(number)
    return value * _MULTIPLIERS[scale.lower()] if scale else value


_ANY_YEAR = re.compile(r"(?:199\d|20\d\d|2100)(?!\d)")


def _year_in(text: str) -> float:
    return float(_ANY_YEAR.findall(text)[-1])


def _time_unit(word: str) -> str:
    word = word.lower()
    if word.startswith("an"):
        return "ans"
    if word == "mois":
        return "mois"
    return word if word.endswith("s") else word + "s"


# --- skips: numbers that are no promise --------------------------------------------------------

_SKIPS: tuple[re.Pattern[str], ...] = (
    # Phone numbers: "03 20 12 34 56", "+33 3 20 12 34 56".
    _compile(r"(?<![\w+])(?:(?:\+|00)33\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?!\w)"),
    # Postal codes: five bare digits with no lowercase word, %, or € after (case matters),
    # with the town's capitalised name, which would otherwise read as a count's noun.
    re.compile(
        r"(?<![\w.,])\d{5}(?![\w]|[,.]\d)(?!\s*[a-zàâäçéèêëîïôöùûüÿœ%€])"
        r"(?:[\s-]+[A-ZÀ-ÖØ-Þ][\w'’]*)*"
    ),
    # Street numbers: "12 rue de la Paix", "3 bis avenue Foch".
    _compile(
        r"(?<![\w.,])\d+(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|allée|impasse|quai"
        r"|chemin|square|route|parvis|esplanade)(?!\w)[^,.;:()\n]*"
    ),
    # Labels: "article 55", "liste n° 3", "loi n° 2000-1208", "ligne 12" — unless a % or €
    # follows, as in "des bus 100 % électriques".
    _compile(
        r"(?<![\w])(?:(?:articles?|art\.|lois?|décrets?|arrêtés?|listes?|pages?|p\.|chapitres?"
        r"|annexes?|alinéas?|axes?|propositions?|engagements?|mesures?|priorités?|points?|étapes?"
        r"|lignes?|bus|tram(?:way)?|routes?|rd|rn)\s*(?:(?:n\s?[°º]|no\.?|numéros?|num\.)\s*)?"
        r"|(?:n\s?[°º]|no\.?|numéros?|num\.)\s*)"
        r"(?:[LRD]\.?\s*)?\d+(?:[-./]\d+)*(?:\s?(?:bis|ter))?(?!\w)"
        rf"(?![{_SPACES}]\d{{3}}(?!\d))"
        r"(?!\s*(?:%|€|pour\s*cent|euros?))"
    ),
    # Ordinals: "1er", "2e", "3ème", "2nde".
    _compile(r"(?<![\w])\d+(?:er|ère|ere|re|e|ème|eme|èmes|emes|es|nd|nde|nds|ndes)(?![\w])"),
    re.compile(r"(?<![\w])[IVXLCDM]+(?:e|er|ème|eme)(?![\w])"),
    # The low end of a range: "les 18-25 ans" promises no count of 18.
    _compile(r"(?<![\w.,-])\d{1,3}-(?=\d{1,3}(?!\d))"),
    # Fractions: "1/3 des places" promises no count of 1 nor of 3.
    _compile(r"(?<![\w/])\d{1,2}\s?/\s?\d{1,2}(?![\w/])"),
    # Codes: "Covid-19", "A-7"; but "mi-2027" is a date.
    _compile(r"(?<![\w-])(?!mi-)[^\W\d_]+-\d+(?!\w)"),
)


# --- quantities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    rank: int
    quantity: Quantity | None  # None: a skip, which takes its span and is then dropped


_Build = Callable[[re.Match[str]], tuple[float | None, str | None]]


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    build: _Build


def _rule(kind: str, pattern: str, build: _Build) -> _Rule:
    return _Rule(kind, _compile(pattern), build)


def _amount(m: re.Match[str]) -> tuple[float, str]:
    return _scaled(m["num"], m["scale"] or m["sym"]), "EUR"


def _percent(m: re.Match[str]) -> tuple[float, str]:
    return parse_number(m["num"]), "%"


def _year(m: re.Match[str]) -> tuple[float, str]:
    return _year_in(m.group()), "année"


def _relative(m: re.Match[str]) -> tuple[float, str]:
    return parse_number(m["num"]), _time_unit(m["tu"])


def _nothing(m: re.Match[str]) -> tuple[None, None]:
    return None, None


def _day(m: re.Match[str]) -> tuple[float | None, str | None]:
    return (float(m["year"]), "année") if m["year"] else (None, None)


def _recurrence(m: re.Match[str]) -> tuple[None, str]:
    text = m.group().lower()
    if "mandat" in text:
        return None, "mandat"
    for period, unit in (("mois", "mois"), ("semaine", "semaine"), ("trimestre", "trimestre"), ("jour", "jour")):
        if period in text:
            return None, unit
    return None, "année"


def _hour(m: re.Match[str]) -> tuple[float, str]:
    minutes = float(m["min"]) / 60 if m["min"] else 0.0
    return parse_number(m["num"]) + minutes, "heures"


def _round_the_clock(m: re.Match[str]) -> tuple[float, str]:
    return (24.0, "heures") if "h" in m.group().lower() else (7.0, "jours")


# Rule order breaks ties between matches of equal length: earlier wins.
_RULES: tuple[_Rule, ...] = (
    _rule(
        "deadline",
        rf"(?<![\w]){_DEADLINE_LEAD}\s+(?:le\s+)?(?:{_END_OF}|{_MOMENT}\s*)?{_YEAR}|(?<![\w]){_END_OF}{_YEAR}",
        _year,
    ),
    _rule(
        "deadline",
        r"(?<![\w])(?:dans\s+les|au\s+cours\s+des|durant\s+les|pendant\s+les|lors\s+des)\s+"
        rf"(?P<num>{_NUM})\s+premi(?:er|ère)s\s+(?P<tu>{_TIME_UNIT})(?:\s+{_OF_MANDATE})?",
        _relative,
    ),
    _rule(
        "deadline",
        rf"(?<![\w])(?:d{_APOS}ici|sous|dans\s+les|dans\s+un\s+délai\s+de|au\s+plus\s+tard\s+dans|dans)\s+"
        rf"(?P<num>{_NUM})\s+(?P<tu>{_TIME_UNIT})",
        _relative,
    ),
    _rule(
        "deadline",
        rf"(?<![\w])(?:(?:(?:d{_APOS}ici|avant|à|pour|au\s+plus\s+tard\s+(?:à|avant))\s+la\s+fin\s+{_OF_MANDATE})"
        rf"|(?:d{_APOS}ici|avant)\s+la\s+fin\s+de\s+l{_APOS}année"
        rf"|(?:dès|d{_APOS}ici|avant|à\s+partir\s+de|pour)\s+la\s+rentrée(?:\s+(?:scolaire|prochaine))*"
        rf"|(?:dès|d{_APOS}ici|avant)\s+(?:l{_APOS}été|l{_APOS}automne|l{_APOS}hiver|le\s+printemps)(?:\s+prochain)?"
        rf"|(?:dès|d{_APOS}ici|avant)\s+l{_APOS}(?:an\s+prochain|année\s+prochaine)"
        rf"|dès\s+(?:le\s+début\s+{_OF_MANDATE}|notre\s+(?:élection|arrivée|installation)"
        rf"|le\s+premier\s+(?:budget|conseil\s+municipal)|les\s+premiers\s+mois|la\s+première\s+année)"
        rf"|(?:en|au)\s+début\s+(?:de\s+{_MANDATE}|{_OF_MANDATE})"
        rf"|en\s+fin\s+de\s+{_MANDATE}|à\s+mi-?\s*{_MANDATE}"
        rf"|au\s+cours\s+{_OF_MANDATE}"
        rf"|(?:dans|durant|au\s+cours\s+de)\s+la\s+première\s+année(?:\s+{_OF_MANDATE})?)(?!\w)",
        _nothing,
    ),
    _rule(
        "date",
        rf"(?<![\w])(?:(?:en\s+)?(?:{_MOMENT}\s*)?|(?:au|à)\s+{_MOMENT}\s*){_YEAR}",
        _year,
    ),
    # A day of any year ("8 mai 1945"), or of no year ("le 15 mars").
    _rule("date", rf"(?<![\w]){_DAY_MONTH}(?:\s+(?P<year>\d{{4}}))?(?!\w)", _day),
    _rule("date", r"(?<![\w/])\d{1,2}([/.])\d{1,2}\1(?:199\d|20\d\d|2100)(?!\w)", _year),
    _rule(
        "amount",
        rf"(?P<num>{_NUM})\s*(?:(?P<scale>{_SCALE})\s*(?:(?:d{_APOS}|de\s+)\s*)?{_CURRENCY}"
        rf"|(?P<sym>{_SYMBOL_SCALE})\s?(?:€|(?:d{_APOS}\s*)?euros?(?!\w))|{_CURRENCY})"
        rf"(?:\s+(?:HT|TTC)(?!\w))?(?:\s*(?:par|/)\s*{_RATE}(?!\w))?",
        _amount,
    ),
    _rule("percent", rf"(?P<num>{_NUM})\s*(?:%|pour\s*cents?(?!\w)|pourcents?(?!\w))", _percent),
    _rule(
        "duration",
        # Without a preposition, "un jour" is "some day", not one day.
        rf"(?<![\w])(?:(?:pendant|durant|sur|en|pour|depuis)\s+(?:les\s+)?|(?!une?\s))(?P<num>{_NUM})\s+"
        rf"(?:(?:prochain|premi[eè]r|derni[eè]r)e?s\s+)?(?P<tu>{_TIME_UNIT})",
        _relative,
    ),
    _rule(
        "duration",
        r"(?<![\w])(?:(?:chaque|tous\s+les|toutes\s+les)\s+(?:ans|années?|mois|semaines?|jours?|trimestres?)"
        r"|annuellement|une\s+fois\s+par\s+(?:an|mois|semaine|jour)|par\s+(?:an|mois|semaine|jour)"
        rf"|tout\s+au\s+long\s+{_OF_MANDATE}"
        rf"|(?:pendant|durant|sur)\s+(?:toute\s+)?(?:la\s+durée\s+{_OF_MANDATE}|le\s+{_MANDATE}|tout\s+le\s+{_MANDATE}))(?!\w)",
        _recurrence,
    ),
    _rule("count", r"(?<![\w])(?P<num>\d{1,2})\s?(?:h\s?/\s?24|j(?:ours?)?\s?(?:/|sur)\s?7)(?!\d)", _round_the_clock),
    _rule(
        "count",
        rf"(?<![\w])(?:jusqu{_APOS}(?:à|a)\s+)?(?P<num>{_NUM})\s*(?:h|heures?)"
        r"(?:\s*(?P<min>[0-5]\d))?(?!\w)",
        _hour,
    ),
)


# --- counts ------------------------------------------------------------------------------------

_COUNT = _compile(rf"(?P<num>{_NUM})(?!\w)(?:\s+(?P<scale>{_SCALE})(?:\s+de(?=\s)|\s*d{_APOS}(?=\w))?)?")
# After "millions d'" the noun follows the apostrophe directly.
_UNIT_WORD = re.compile(r"(?:\s+|(?<=['’]))((?:[^\W\d_]+(?:-[^\W\d_]+)*|m2|km2))(?![\w'’-])")
_UNIT_STOPS = frozenset(
    """
    de du des d la le les l un une et ou à au aux en dans par pour sur sous avec sans chez entre vers
    dont qui que qu où ce cet cette ces son sa ses leur leurs notre nos votre vos mon ma mes
    plus moins très tous toutes tout toute chaque plusieurs afin ainsi aussi mais donc car ni si
    avant après pendant durant depuis dès jusqu environ près minimum maximum
    fin début mi courant contre selon soit
    est sont sera seront serait seraient a ont va vont été être avoir doit doivent pourra pourront
    fera feront y ne pas il elle ils elles nous vous on se
    euro euros eur
    """.split()
    + list(_WORD_VALUES)
)
# Future and conditional verbs end a noun phrase: "trois crèches ouvriront".
_VERB_ENDINGS = ("ront", "rait", "raient", "era", "ira")
_NOT_VERBS = frozenset({"front", "affront", "caméra", "opéra", "choléra", "trait", "portrait", "retrait", "attrait", "extrait"})
# A year-like number after one of these is a date, never a count ("en 2027 logements").
_TEMPORAL = frozenset("en dès ici avant après depuis fin début horizon de du à au pour mi courant jusqu".split())
_YEAR_LIKE = re.compile(r"199\d|20\d\d|2100")
_LAST_WORD = re.compile(r"([^\W\d_]+)\W*$")


def _count_candidates(text: str, taken: bytearray, rank: int) -> Iterator[_Candidate]:
    for m in _COUNT.finditer(text):
        words, end = _read_unit(text, m.end(), taken)
        if not words:
            end = m.end("scale") if m["scale"] else m.end("num")
        if not _plausible_count(text, m, words):
            continue
        unit = " ".join(words).lower() if words else None
        value = _scaled(m["num"], m["scale"])
        yield _Candidate(m.start(), end, rank, Quantity(text[m.start() : end], "count", value, unit, m.start(), end))


def _read_unit(text: str, position: int, taken: bytearray) -> tuple[list[str], int]:
    """Up to three words after a number, stopping at a function word or where
    another match begins ("20 écoles fin 2027")."""
    words: list[str] = []
    end = position
    for _ in range(3):
        m = _UNIT_WORD.match(text, end)
        if m is None or _ends_unit(m[1]) or any(taken[m.start(1) : m.end(1)]):
            break
        words.append(m[1])
        end = m.end(1)
    return words, end


def _ends_unit(word: str) -> bool:
    word = word.lower()
    return word in _UNIT_STOPS or (word.endswith(_VERB_ENDINGS) and word not in _NOT_VERBS)


def _plausible_count(text: str, m: re.Match[str], words: list[str]) -> bool:
    number = m["num"].lower()
    if not number[0].isdigit():
        return _plausible_spelled_count(number, words, bool(m["scale"]))
    if _YEAR_LIKE.fullmatch(number) and not m["scale"]:
        return bool(words) and _previous_word(text, m.start()) not in _TEMPORAL
    return True


def _plausible_spelled_count(number: str, words: list[str], scaled: bool) -> bool:
    # A capitalised noun makes a place name: "les Trois Cités", "Quatre Chemins".
    if not words or not words[0][0].islower():
        return False
    if number in ("un", "une"):
        return scaled
    if number == "neuf":
        # "un bâtiment neuf": the adjective; "neuf logements": the number.
        return words[0].endswith(("s", "x"))
    return True


def _previous_word(text: str, position: int) -> str:
    m = _LAST_WORD.search(text, max(0, position - 40), position)
    return m[1].lower() if m else ""


# --- overlaps ----------------------------------------------------------------------------------


def _skip_candidates(text: str) -> Iterator[_Candidate]:
    for pattern in _SKIPS:
        for m in pattern.finditer(text):
            yield _Candidate(m.start(), m.end(), 0, None)


def _rule_candidates(text: str) -> Iterator[_Candidate]:
    for rank, rule in enumerate(_RULES, start=1):
        for m in rule.pattern.finditer(text):
            value, unit = rule.build(m)
            quantity = Quantity(m.group(), rule.kind, value, unit, m.start(), m.end())
            yield _Candidate(m.start(), m.end(), rank, quantity)


def _mask(length: int, candidates: list[_Candidate]) -> bytearray:
    taken = bytearray(length)
    for c in candidates:
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
    return taken


def _resolve(candidates: list[_Candidate], length: int) -> list[_Candidate]:
    """Longest first, then by rank; a candidate overlapping a kept one is dropped."""
    taken = bytearray(length)
    kept: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: (c.start - c.end, c.rank, c.start)):
        if c.end > c.start and not any(taken[c.start : c.end]):
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def find_quantities(text: str) -> list[Quantity]:
    """Numbers, amounts, percentages, counts and deadlines promised in a French sentence, in text order."""
    candidates = [*_skip_candidates(text), *_rule_candidates(text)]
    candidates += _count_candidates(text, _mask(len(text), candidates), rank=len(_RULES) + 1)
    return [c.quantity for c in _resolve(candidates, len(text)) if c.quantity is not None]
