"""Quantities promised in French programme sentences: what a watchdog will check later."""

from __future__ import annotations

import pytest

from extract.quantities import KINDS, Quantity, find_quantities, parse_number

NNBSP = "\u202f"  # espace fine insécable
NBSP = "\u00a0"  # espace insécable


def found(text: str) -> list[tuple[str, str, float | None, str | None]]:
    return [(q.text, q.kind, q.value, q.unit) for q in find_quantities(text)]


def only(text: str) -> Quantity:
    quantities = find_quantities(text)
    assert len(quantities) == 1, found(text)
    return quantities[0]


def check(text: str, matched: str, kind: str, value: float | None, unit: str | None) -> None:
    q = only(text)
    assert (q.text, q.kind, q.unit) == (matched, kind, unit)
    assert q.value == pytest.approx(value) if value is not None else q.value is None


# --- formats des nombres -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("500", 500),
        ("1 200", 1200),
        (f"1{NNBSP}200", 1200),
        (f"1{NBSP}200", 1200),
        ("1.200", 1200),
        ("1 200 000", 1_200_000),
        ("1.200.000", 1_200_000),
        ("1,5", 1.5),
        ("2,5", 2.5),
        ("1 200,50", 1200.5),
        ("deux", 2),
        ("vingt", 20),
        ("vingt-cinq", 25),
        ("vingt et un", 21),
        ("soixante-dix", 70),
        ("quatre-vingts", 80),
        ("quatre-vingt-dix", 90),
        ("cent", 100),
        ("deux cents", 200),
        ("deux cent cinquante", 250),
        ("mille", 1000),
        ("trois mille", 3000),
    ],
)
def test_parse_number(written: str, value: float) -> None:
    assert parse_number(written) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "Nous construirons 1 200 logements.",
        f"Nous construirons 1{NNBSP}200 logements.",
        f"Nous construirons 1{NBSP}200 logements.",
        "Nous construirons 1.200 logements.",
    ],
)
def test_thousands_separators(text: str) -> None:
    q = only(text)
    assert (q.kind, q.value, q.unit) == ("count", 1200, "logements")


# --- comptes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "value", "unit"),
    [
        ("Nous construirons 500 logements sociaux.", "500 logements sociaux", 500, "logements sociaux"),
        ("Nous ouvrirons trois nouvelles crèches.", "trois nouvelles crèches", 3, "nouvelles crèches"),
        ("Recruter 10 médecins salariés.", "10 médecins salariés", 10, "médecins salariés"),
        ("Créer 200 places en crèche.", "200 places", 200, "places"),
        ("Planter mille arbres.", "mille arbres", 1000, "arbres"),
        ("Planter 2000 arbres.", "2000 arbres", 2000, "arbres"),
        ("Viser zéro pesticide.", "zéro pesticide", 0, "pesticide"),
        ("Ouvrir cent places de plus.", "cent places", 100, "places"),
        ("Deux médecins seront recrutés.", "Deux médecins", 2, "médecins"),
        ("Vingt et une classes rénovées.", "Vingt et une classes rénovées", 21, "classes rénovées"),
        ("Accueillir 2 millions de visiteurs.", "2 millions de visiteurs", 2_000_000, "visiteurs"),
        ("Planter un million d'arbres.", "un million d'arbres", 1_000_000, "arbres"),
        ("Aménager 20 000 m² de parcs.", "20 000 m²", 20_000, "m²"),
        ("Nous en construirons 500.", "500", 500, None),
    ],
)
def test_counts(text: str, matched: str, value: float, unit: str | None) -> None:
    check(text, matched, "count", value, unit)


def test_unit_keeps_at_most_three_words() -> None:
    q = only("Rénover 12 grands équipements sportifs municipaux anciens.")
    assert q.unit == "grands équipements sportifs"


def test_unit_is_lowercased() -> None:
    assert only("500 Logements Sociaux.").unit == "logements sociaux"


def test_a_capitalised_noun_after_a_spelled_number_is_a_place() -> None:
    assert found("Le quartier des Trois Cités sera rénové.") == []


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("500 logements seront construits.", "logements"),
        ("500 logements dont 100 sociaux.", "logements"),
        ("500 logements, dès maintenant.", "logements"),
        ("3 crèches pour les familles.", "crèches"),
        ("Trois nouvelles crèches ouvriront en 2027.", "nouvelles crèches"),
        ("Deux gymnases seraient rénovés.", "gymnases"),
        ("1 retrait gratuit par mois.", "retrait gratuit"),
    ],
)
def test_unit_stops_at_function_words_and_punctuation(text: str, unit: str) -> None:
    assert find_quantities(text)[0].unit == unit


def test_unit_stops_where_a_deadline_begins() -> None:
    assert found("Rénover 20 écoles fin 2027.") == [
        ("20 écoles", "count", 20, "écoles"),
        ("fin 2027", "deadline", 2027, "année"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Nous ouvrirons une crèche.",  # « une » seul n'est pas un compte
        "Un centre de santé au cœur du quartier.",
        "Un bâtiment neuf et durable.",  # « neuf » adjectif
        "Des logements rénovés à neuf.",
        "Les deux-roues auront leur parking.",
        "Un jour, la ville sera verte.",  # « un jour » : un jour futur, pas une durée
    ],
)
def test_spelled_words_that_are_not_counts(text: str) -> None:
    assert found(text) == []


def test_neuf_as_a_number() -> None:
    check("Nous bâtirons neuf logements.", "neuf logements", "count", 9, "logements")


# --- montants ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "value"),
    [
        ("Un budget de 300 000 € pour la culture.", "300 000 €", 300_000),
        (f"Un budget de 300{NNBSP}000{NNBSP}€.", f"300{NNBSP}000{NNBSP}€", 300_000),
        ("Investir 2,5 millions d'euros dans les écoles.", "2,5 millions d'euros", 2_500_000),
        ("Investir 1,2 million d’euros.", "1,2 million d’euros", 1_200_000),
        ("Un plan de 15 M€.", "15 M€", 15_000_000),
        ("Un plan de 15M€.", "15M€", 15_000_000),
        ("Un plan de 4 M d'euros.", "4 M d'euros", 4_000_000),
        ("Une aide de 10 k€.", "10 k€", 10_000),
        ("Un fonds d'un million d'euros.", "un million d'euros", 1_000_000),
        ("Un programme de 1,5 Md€.", "1,5 Md€", 1_500_000_000),
        ("La cantine à 1 €.", "1 €", 1),
        ("Le repas à un euro.", "un euro", 1),
        ("Une prime de 500 euros.", "500 euros", 500),
        ("Six mille euros de subvention.", "Six mille euros", 6000),
        ("Le budget participatif sera de 5 euros par habitant.", "5 euros par habitant", 5),
        ("Une aide de 100 000 € par an.", "100 000 € par an", 100_000),
        ("Le repas à 2 €/repas.", "2 €/repas", 2),
    ],
)
def test_amounts(text: str, matched: str, value: float) -> None:
    check(text, matched, "amount", value, "EUR")


# --- pourcentages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "value"),
    [
        ("25 % de logements sociaux.", "25 %", 25),
        ("25% de logements sociaux.", "25%", 25),
        (f"25{NNBSP}% de logements sociaux.", f"25{NNBSP}%", 25),
        ("25 pour cent de logements sociaux.", "25 pour cent", 25),
        ("Une cantine 100 % bio.", "100 %", 100),
        ("Baisser les tarifs de 1,5 %.", "1,5 %", 1.5),
        ("Vingt pour cent de produits locaux.", "Vingt pour cent", 20),
        ("Des bus 100 % électriques.", "100 %", 100),
    ],
)
def test_percentages(text: str, matched: str, value: float) -> None:
    check(text, matched, "percent", value, "%")


# --- ordinaux ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Le 1er adjoint sera chargé de la santé.",
        "La 1re adjointe sera chargée de la santé.",
        "Le 2e adjoint sera chargé des finances.",
        "Le 3ème adjoint sera chargé des écoles.",
        "Une ville du XXIe siècle.",
        "Le 21e siècle sera écologique.",
        "Une seconde chance pour le quartier.",
    ],
)
def test_ordinals_are_not_counts(text: str) -> None:
    assert found(text) == []


# --- dates et échéances ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("La piscine rouvrira en 2027.", "en 2027"),
        ("La piscine rouvrira en septembre 2026.", "en septembre 2026"),
        ("La piscine rouvrira au printemps 2027.", "au printemps 2027"),
        ("La piscine rouvrira mi-2027.", "mi-2027"),
        ("La piscine rouvrira le 1er mai 2027.", "1er mai 2027"),
        ("La piscine rouvrira le 12/03/2027.", "12/03/2027"),
    ],
)
def test_dates(text: str, matched: str) -> None:
    check(text, matched, "date", int(matched[-4:]), "année")


def test_day_without_year_is_a_date_without_value() -> None:
    check("La fête aura lieu le 15 mars.", "15 mars", "date", None, None)


@pytest.mark.parametrize(
    ("text", "matched", "year"),
    [
        ("Nous agirons d'ici 2028.", "d'ici 2028", 2028),
        ("Nous agirons d’ici 2028.", "d’ici 2028", 2028),
        ("Sortir des pesticides d'ici à 2030.", "d'ici à 2030", 2030),
        ("Sortir des pesticides avant 2030.", "avant 2030", 2030),
        ("La crèche ouvrira au plus tard en 2029.", "au plus tard en 2029", 2029),
        ("La crèche ouvrira au plus tard fin 2029.", "au plus tard fin 2029", 2029),
        ("Gratuité dès 2027.", "dès 2027", 2027),
        ("Gratuité à partir de 2027.", "à partir de 2027", 2027),
        ("Gratuité à compter du 1er janvier 2027.", "à compter du 1er janvier 2027", 2027),
        ("La crèche ouvrira fin 2027.", "fin 2027", 2027),
        ("La crèche ouvrira d'ici fin 2027.", "d'ici fin 2027", 2027),
        ("Neutralité carbone à l'horizon 2030.", "à l'horizon 2030", 2030),
        ("Neutralité carbone horizon 2030.", "horizon 2030", 2030),
        ("Tarifs gelés jusqu'en 2030.", "jusqu'en 2030", 2030),
        ("Cantine gratuite dès la rentrée 2026.", "dès la rentrée 2026", 2026),
        ("Cantine gratuite d'ici la rentrée 2026.", "d'ici la rentrée 2026", 2026),
        ("Le parc ouvrira avant l'été 2027.", "avant l'été 2027", 2027),
    ],
)
def test_deadlines_with_a_year(text: str, matched: str, year: int) -> None:
    check(text, matched, "deadline", year, "année")


@pytest.mark.parametrize(
    "phrase",
    [
        "avant la fin du mandat",
        "d'ici la fin du mandat",
        "d’ici la fin de la mandature",
        "avant la fin de l'année",
        "dès la rentrée",
        "dès la rentrée prochaine",
        "en début de mandat",
        "au cours du mandat",
        "en fin de mandat",
        "dès notre élection",
        "dès le début du mandat",
        "dans la première année du mandat",
    ],
)
def test_deadlines_without_a_number(phrase: str) -> None:
    check(f"Nous rouvrirons la piscine {phrase}.", phrase, "deadline", None, None)


@pytest.mark.parametrize(
    ("phrase", "value", "unit"),
    [
        ("dans les six premiers mois", 6, "mois"),
        ("dans les 100 premiers jours", 100, "jours"),
        ("au cours des deux premières années", 2, "ans"),
        ("d'ici deux ans", 2, "ans"),
        ("d'ici un an", 1, "ans"),
        ("sous 6 mois", 6, "mois"),
        ("dans les deux ans", 2, "ans"),
    ],
)
def test_relative_deadlines(phrase: str, value: float, unit: str) -> None:
    check(f"Nous rouvrirons la piscine {phrase}.", phrase, "deadline", value, unit)


# --- durées et récurrences ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "value", "unit"),
    [
        ("Les tarifs seront gelés pendant six ans.", "pendant six ans", 6, "ans"),
        ("Un plan d'investissement sur 5 ans.", "sur 5 ans", 5, "ans"),
        ("Rénover toutes les écoles en 3 ans.", "en 3 ans", 3, "ans"),
        ("Un chantier de 18 mois.", "18 mois", 18, "mois"),
        ("Gratuité pendant un an.", "pendant un an", 1, "ans"),
        ("Un plan sur les six prochaines années.", "sur les six prochaines années", 6, "ans"),
        ("Un bilan chaque année.", "chaque année", None, "année"),
        ("Un bilan tous les ans.", "tous les ans", None, "année"),
        ("Un conseil de quartier chaque mois.", "chaque mois", None, "mois"),
        ("Un conseil de quartier une fois par mois.", "une fois par mois", None, "mois"),
        ("Une concertation tout au long du mandat.", "tout au long du mandat", None, "mandat"),
        ("Un suivi pendant toute la durée du mandat.", "pendant toute la durée du mandat", None, "mandat"),
    ],
)
def test_durations(text: str, matched: str, value: float | None, unit: str) -> None:
    check(text, matched, "duration", value, unit)


def test_a_yearly_count_is_a_count_and_a_recurrence() -> None:
    assert found("Construire 300 logements par an.") == [
        ("300 logements", "count", 300, "logements"),
        ("par an", "duration", None, "année"),
    ]


# --- heures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "value"),
    [
        ("La médiathèque ouvrira jusqu'à 20 h.", "jusqu'à 20 h", 20),
        ("La médiathèque ouvrira jusqu’à 20h.", "jusqu’à 20h", 20),
        ("La médiathèque fermera à 19 heures.", "19 heures", 19),
        ("La médiathèque fermera à 20h30.", "20h30", 20.5),
        ("Un accueil 24h/24.", "24h/24", 24),
    ],
)
def test_hours(text: str, matched: str, value: float) -> None:
    check(text, matched, "count", value, "heures")


def test_opening_hours_range() -> None:
    assert [q.value for q in find_quantities("Ouverture de 9 h à 12 h.")] == [9, 12]


def test_twenty_hectares_are_not_hours() -> None:
    check("Protéger 20 ha de forêt.", "20 ha", "count", 20, "ha")


# --- ce qui n'est pas une promesse -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Appelez-nous au 03 20 12 34 56.",
        "Appelez-nous au 03.20.12.34.56.",
        "Appelez-nous au 0320123456.",
        "Appelez-nous au +33 3 20 12 34 56.",
        "Mairie de Lille, 59000 Lille.",
        "Mairie, 75001 Paris Centre.",
        "Permanence au 12 rue de la Paix.",
        "Permanence au 3 bis avenue Foch.",
        "Permanence à Lille (59000).",
        "Code postal : 59000",
        "Votez pour la liste n° 3.",
        "Votez pour la liste n°3.",
        "Votez pour la liste numéro 3.",
        "Notre tête de liste, N° 3 sur le bulletin.",
        "Respecter l'article 55 de la loi SRU.",
        "Appliquer l'article L. 302-5 du code.",
        "Appliquer la loi n° 2000-1208.",
        "Voir page 12 et engagement 7.",
        "Prolonger la ligne 12 du tram.",
        "Tirer les leçons du Covid-19.",
        "Couvrir la ville en 5G.",
        "Un tiers, soit 1/3 des places.",
    ],
)
def test_numbers_that_are_not_promises(text: str) -> None:
    assert found(text) == []


def test_article_number_skipped_but_the_percentage_kept() -> None:
    assert found("L'article 55 de la loi SRU impose 25 % de logements sociaux.") == [
        ("25 %", "percent", 25, "%"),
    ]


def test_the_low_end_of_a_range_is_skipped() -> None:
    assert found("Pour les 18-25 ans.") == [("25 ans", "duration", 25, "ans")]


def test_five_digits_before_a_noun_are_a_count_not_a_postal_code() -> None:
    check("Planter 10000 arbres.", "10000 arbres", "count", 10_000, "arbres")


@pytest.mark.parametrize("text", ["Notre programme 2026-2032.", "Notre programme 2026–2032.", "Le mandat 2026/2032."])
def test_a_year_range_is_two_dates(text: str) -> None:
    assert [(q.kind, q.value) for q in find_quantities(text)] == [("date", 2026), ("date", 2032)]


@pytest.mark.parametrize(
    "text",
    [
        "D'ici 2028 500 logements seront construits.",
        "En 2026 100 000 arbres seront plantés.",
    ],
)
def test_a_year_never_swallows_the_next_number(text: str) -> None:
    kinds = [q.kind for q in find_quantities(text)]
    assert kinds[1] == "count" and kinds[0] in ("date", "deadline")


def test_a_year_after_a_time_word_is_not_a_count() -> None:
    assert [q.kind for q in find_quantities("Nous agirons dès 2027 logements compris.")] == ["deadline"]


# --- chevauchements ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "kind"),
    [
        ("Nous agirons d'ici 2028.", "d'ici 2028", "deadline"),  # pas la date « 2028 »
        ("Cantine gratuite dès la rentrée 2026.", "dès la rentrée 2026", "deadline"),  # pas « dès la rentrée »
        ("Investir 2,5 millions d'euros.", "2,5 millions d'euros", "amount"),  # pas le compte « 2,5 millions »
        ("La crèche ouvrira au plus tard en 2029.", "au plus tard en 2029", "deadline"),  # pas « en 2029 »
        ("Rénover les écoles d'ici deux ans.", "d'ici deux ans", "deadline"),  # pas la durée « deux ans »
        ("Ouvert jusqu'à 19 heures.", "jusqu'à 19 heures", "count"),  # pas le compte « 19 heures »
    ],
)
def test_longest_match_wins(text: str, matched: str, kind: str) -> None:
    q = only(text)
    assert (q.text, q.kind) == (matched, kind)


# --- phrases de programme réalistes ------------------------------------------------------------

PROGRAMME = [
    "Nous construirons 500 logements sociaux d'ici 2028, soit 25 % de la production neuve.",
    "Trois nouvelles crèches ouvriront dès la rentrée 2026, avec 120 places supplémentaires.",
    "Un plan vélo de 2,5 millions d'euros créera 40 km de pistes cyclables avant la fin du mandat.",
    "La cantine sera 100 % bio et locale à l'horizon 2030, pour 1 € le repas.",
    f"Nous investirons 300{NNBSP}000{NNBSP}€ par an dans la rénovation des écoles pendant six ans.",
    "Le centre de santé municipal recrutera 6 médecins salariés dans les six premiers mois.",
    "Les médiathèques ouvriront jusqu'à 20 h du mardi au samedi, et le dimanche dès 2027.",
    "Un budget participatif de 5 euros par habitant sera voté chaque année par les habitants.",
    "Conformément à l'article 55 de la loi SRU, nous atteindrons 25 % de logements sociaux en 2030.",
    "La liste n° 3, « Lille en commun », vous donne rendez-vous au 03 20 12 34 56.",
    "Pour le mandat 2026-2032, nous planterons 10 000 arbres, soit un million d'euros sur 5 ans.",
    "Le 2e adjoint sera chargé de la tranquillité publique et de 15 médiateurs de nuit.",
    "Nous rénoverons 1.200 logements du parc public au plus tard en 2029.",
    "Les tarifs de la piscine baisseront de 30 % à partir de 2027 pour les moins de 25 ans.",
    "Un plan de 15 M€ financera deux nouveaux gymnases et une salle de spectacle d'ici à 2030.",
    "Nous ouvrirons 4 maisons France Services en début de mandat, dans chaque quartier.",
    f"La gratuité des transports pour les 18-25 ans coûtera 1{NBSP}200{NBSP}000 € par an.",
    "Un conseil citoyen se réunira une fois par mois au cours du mandat.",
    "Nous réduirons de moitié les pesticides en 3 ans et viserons zéro pesticide fin 2027.",
    "Le plan climat, doté de 10 k€ par quartier, sera évalué tous les ans d’ici la fin du mandat.",
]


@pytest.mark.parametrize("sentence", PROGRAMME)
def test_offsets_match_the_text(sentence: str) -> None:
    for q in find_quantities(sentence):
        assert sentence[q.start : q.end] == q.text
        assert q.kind in KINDS


@pytest.mark.parametrize("sentence", PROGRAMME)
def test_quantities_are_in_text_order_and_disjoint(sentence: str) -> None:
    quantities = find_quantities(sentence)
    for before, after in zip(quantities, quantities[1:]):
        assert before.end <= after.start


def test_a_whole_programme_sentence() -> None:
    assert found(PROGRAMME[0]) == [
        ("500 logements sociaux", "count", 500, "logements sociaux"),
        ("d'ici 2028", "deadline", 2028, "année"),
        ("25 %", "percent", 25, "%"),
    ]


def test_a_sentence_with_only_non_promises() -> None:
    assert found(PROGRAMME[9]) == []


def test_every_other_sentence_promises_something() -> None:
    assert [s for s in PROGRAMME if not find_quantities(s)] == [PROGRAMME[9]]


def test_offsets_inside_a_longer_text() -> None:
    text = "Préambule.\n\n" + PROGRAMME[1]
    for q in find_quantities(text):
        assert text[q.start : q.end] == q.text
    assert find_quantities(text)[0].start == len("Préambule.\n\n")


def test_empty_text() -> None:
    assert find_quantities("") == []
