"""Build the sample Ministry election files read by `collect.official`.

Everything here is ENTIRELY FICTIONAL: the communes Moulins-sur-Lys (59698),
Val-de-Sorvigny (62991) and Ravine-des-Songes (97497), their lists, every
person and every figure are invented for testing only. The heads of the 2026
lists are those of ``samples/sources.csv``.

Rebuild (from the repository root)::

    python samples/elections/make_elections.py

Writes next to itself, deterministically (no clock, no randomness), in the
Ministry's layouts (see the project's data-formats notes):

* ``listes-2026-tour1.csv``    - 2026 candidate lists: ``;``, UTF-8 with BOM, quoted;
* ``listes-2020-tour1.txt``    - 2020 candidate lists: tab, Latin-1, a title line and a
                                 blank line before the header, a trailing tab on every
                                 line, and one row shifted one column right (its short
                                 label split by a tab), as in the real file;
* ``resultats-2026-tour1.csv`` - 2026 first-round results by commune: ``;``, UTF-8,
                                 18 commune columns then 13 columns per list.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER_2026 = [
    "Code département", "Département", "Code circonscription", "Circonscription", "Numéro de panneau",
    "Libellé abrégé de liste", "Libellé de la liste", "Code nuance de liste", "Nuance de liste", "Tête de liste",
    "Ordre", "Sexe", "Nom sur le bulletin de vote", "Prénom sur le bulletin de vote", "Nationalité",
    "Code personnalité", "CC",
]  # fmt: skip
HEADER_2020 = [
    "Code du département", "Libellé du département", "Code commune", "Libellé commune", "N° Panneau Liste",
    "Libellé abrégé liste", "Libellé Etendu Liste", "Nuance Liste", "N° candidat", "Sexe candidat", "Nom candidat",
    "Prénom candidat", "Nationalité", "Candidat au conseil communautaire",
]  # fmt: skip
RESULTS_FIXED = [
    "Code département", "Libellé département", "Code commune", "Libellé commune", "Inscrits", "Votants",
    "% Votants", "Abstentions", "% Abstentions", "Exprimés", "% Exprimés/inscrits", "% Exprimés/votants",
    "Blancs", "% Blancs/inscrits", "% Blancs/votants", "Nuls", "% Nuls/inscrits", "% Nuls/votants",
]  # fmt: skip
RESULTS_BLOCK = [
    "Numéro de panneau", "Nom candidat", "Prénom candidat", "Sexe candidat", "Nuance liste",
    "Libellé abrégé de liste", "Libellé de liste", "Voix", "% Voix/inscrits", "% Voix/exprimés", "Elu",
    "Sièges au CM", "Sièges au CC",
]  # fmt: skip

NUANCES = {
    "LUG": "Liste d'union de la gauche",
    "LDVG": "Liste divers gauche",
    "LDVC": "Liste divers centre",
    "LDVD": "Liste divers droite",
    "LDIV": "Liste divers",
    "": "",
}


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    departement_code: str
    departement: str

    @property
    def part_2020(self) -> str:
        """The 2020 file's commune code: the INSEE code without the département."""
        return self.insee[len(self.departement_code) :]


@dataclass(frozen=True)
class CandidateList:
    commune: Commune
    panel: int
    short_label: str
    label: str
    nuance: str
    people: tuple[tuple[str, str, str], ...]
    """(sex, first name, surname), head first."""
    community: int = 2
    """How many of the first candidates also stand for the community council."""


MOULINS = Commune("59698", "Moulins-sur-Lys", "59", "Nord")
SORVIGNY = Commune("62991", "Val-de-Sorvigny", "62", "Pas-de-Calais")
RAVINE = Commune("97497", "Ravine-des-Songes", "974", "La Réunion")

LISTS_2026 = (
    CandidateList(MOULINS, 1, "EN COMMUN", "Moulins en commun", "LUG", (
        ("F", "Élise", "Vanderbeke-Moulard"), ("M", "Karim", "Dessaulnoy"), ("F", "Josiane", "Quennelot"),
        ("M", "Pieter", "Van Haeverbeke"), ("F", "Maëlle", "Brunvaux"), ("M", "Théo", "Lestriez"),
        ("F", "Inès", "Morvillon"),
    )),
    CandidateList(MOULINS, 2, "MOULINS AVENIR", "Moulins Avenir", "LDVD", (
        ("M", "Bertrand", "Castelnoy"), ("F", "Anne-Sophie", "Pellegaud"), ("M", "Jean-Marc", "Tassimont"),
        ("F", "Céline", "Dambrisse"), ("M", "Hugues", "Verlacq"), ("F", "Océane", "Lhermitteau"),
        ("M", "Grégoire", "Fauchelin"),
    )),
    CandidateList(MOULINS, 3, "CITOYENS", "Moulins Citoyens", "LDIV", (
        ("F", "Nadia", "Sorbiac"), ("M", "Loïc", "Bernavelle"), ("F", "Fatou", "Kerbriand"),
        ("M", "Rémi", "Coustellier"), ("F", "Agathe", "Montrevel"), ("M", "Yanis", "Solangeot"),
        ("F", "Chloé", "Ravinelle"),
    )),
    CandidateList(SORVIGNY, 1, "SORVIGNY SOLIDAIRE", "Sorvigny solidaire et écologique", "LDVG", (
        ("M", "Francis", "Hennebelle-Caudron"), ("F", "Lucie", "Wattrelot"), ("M", "Mehdi", "Bourgeaux"),
        ("F", "Gisèle", "Fromentin-Dhaille"), ("M", "Arnaud", "Deschuyter"), ("F", "Nora", "Vasseurin"),
        ("M", "Paul", "Lecointrel"),
    )),
    CandidateList(SORVIGNY, 2, "CAP SORVIGNY", "Cap Sorvigny", "LDVC", (
        ("F", "Sandrine", "Moreuil-Dachy"), ("M", "Olivier", "Tranchemer"), ("F", "Hélène", "Courtebray"),
        ("M", "Bastien", "Malacourt"), ("F", "Sofia", "Delcambreux"), ("M", "Étienne", "Roussignol"),
        ("F", "Camille", "Fleurigny"),
    )),
    # A commune under 100 inhabitants: 7 seats, an incomplete list of 5, no nuance.
    CandidateList(RAVINE, 1, "RAVINE ENSEMBLE", "Ravine ensemble", "", (
        ("F", "Joséphine", "Payetanne"), ("M", "Jean-Claude", "Grondinet"), ("F", "Marie-Annick", "Técherel"),
        ("M", "Dimitri", "Lauretan"), ("F", "Noémie", "Badrouane"),
    ), community=1),
)  # fmt: skip

LISTS_2020 = (
    CandidateList(MOULINS, 1, "EN COMMUN", "Moulins en commun", "LUG", (
        ("F", "Élise", "Vanderbeke-Moulard"), ("M", "Karim", "Dessaulnoy"), ("F", "Josiane", "Quennelot"),
        ("M", "Théo", "Lestriez"), ("F", "Inès", "Morvillon"), ("M", "Lucien", "Brasseval"),
    )),
    CandidateList(MOULINS, 2, "MOULINS D'ABORD", "Moulins d'abord", "LDVD", (
        ("M", "Gérard", "Hautmesnil"), ("F", "Anne-Sophie", "Pellegaud"), ("M", "Bertrand", "Castelnoy"),
        ("F", "Céline", "Dambrisse"), ("M", "Hugues", "Verlacq"), ("F", "Odile", "Marquetterre"),
    )),
    CandidateList(SORVIGNY, 1, "SORVIGNY SOLIDAIRE", "Sorvigny solidaire", "LDVG", (
        ("M", "Francis", "Hennebelle-Caudron"), ("F", "Lucie", "Wattrelot"), ("M", "Mehdi", "Bourgeaux"),
        ("F", "Gisèle", "Fromentin-Dhaille"), ("M", "Arnaud", "Deschuyter"), ("F", "Nora", "Vasseurin"),
    )),
    CandidateList(SORVIGNY, 2, "SORVIGNY AUTREMENT", "Sorvigny autrement, ensemble", "LDVC", (
        ("F", "Sandrine", "Moreuil-Dachy"), ("M", "Olivier", "Tranchemer"), ("F", "Hélène", "Courtebray"),
        ("M", "Bastien", "Malacourt"), ("F", "Sofia", "Delcambreux"), ("M", "Étienne", "Roussignol"),
    )),
    CandidateList(RAVINE, 1, "RAVINE ENSEMBLE", "Ravine ensemble", "LDIV", (
        ("F", "Joséphine", "Payetanne"), ("M", "Jean-Claude", "Grondinet"), ("F", "Marie-Annick", "Técherel"),
        ("M", "Dimitri", "Lauretan"), ("F", "Noémie", "Badrouane"),
    ), community=1),
)  # fmt: skip

# The row the Ministry's export shifted: Sorvigny autrement, candidate 3.
SHIFTED_2020 = ("62991", 2, 3)

# Commune turnout (registered, voters, blank, null) and per list (votes, seats on
# the council, seats on the community council); seats empty where a second
# round is needed (no list has a majority in Moulins-sur-Lys).
TURNOUT_2026 = {MOULINS: (88, 71, 2, 1), SORVIGNY: (95, 70, 3, 1), RAVINE: (61, 40, 4, 2)}
VOTES_2026 = {
    ("59698", 1): (32, None, None),
    ("59698", 2): (22, None, None),
    ("59698", 3): (14, None, None),
    ("62991", 1): (38, 5, 1),
    ("62991", 2): (28, 2, 0),
    ("97497", 1): (34, 5, 1),
}


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}".replace(".", ",") + "%"


def lists_2026() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER_2026)
    for lst in LISTS_2026:
        c = lst.commune
        for rank, (sex, first, surname) in enumerate(lst.people, start=1):
            nationality = "BEL" if surname == "Van Haeverbeke" else "FRA"
            writer.writerow([
                c.departement_code, c.departement, c.insee, c.name, lst.panel, lst.short_label, lst.label,
                lst.nuance, NUANCES[lst.nuance], "OUI" if rank == 1 else "", rank, sex, surname, first,
                nationality, "", "OUI" if rank <= lst.community else "",
            ])  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def lists_2020() -> bytes:
    lines = ["Elections municipales et communautaires 2020 - Listes et candidats au 1er tour (communes fictives)", ""]
    lines.append("\t".join(HEADER_2020) + "\t")
    for lst in LISTS_2020:
        c = lst.commune
        for rank, (sex, first, surname) in enumerate(lst.people, start=1):
            short = lst.short_label
            if (c.insee, lst.panel, rank) == SHIFTED_2020:
                short = short.replace(" ", "\t", 1)
            cells = [
                c.departement_code, c.departement, c.part_2020, c.name, str(lst.panel), short, lst.label,
                lst.nuance, str(rank), sex, surname.upper(), first, "FRA", "O" if rank <= lst.community else "N",
            ]  # fmt: skip
            lines.append("\t".join(cells) + "\t")
    return "".join(line + "\r\n" for line in lines).encode("latin-1")


def results_2026() -> bytes:
    width = max(sum(1 for lst in LISTS_2026 if lst.commune == c) for c in TURNOUT_2026)
    header = RESULTS_FIXED + [f"{name} {i}" for i in range(1, width + 1) for name in RESULTS_BLOCK]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    for commune, (registered, voters, blank, null) in TURNOUT_2026.items():
        expressed = voters - blank - null
        row = [
            commune.departement_code, commune.departement, commune.insee, commune.name, registered, voters,
            percent(voters, registered), registered - voters, percent(registered - voters, registered), expressed,
            percent(expressed, registered), percent(expressed, voters), blank, percent(blank, registered),
            percent(blank, voters), null, percent(null, registered), percent(null, voters),
        ]  # fmt: skip
        for lst in (lst for lst in LISTS_2026 if lst.commune == commune):
            votes, seats, community = VOTES_2026[(commune.insee, lst.panel)]
            # First round: the candidate's name and "Elu" are left empty by the Ministry.
            row += [
                lst.panel, "", "", "", lst.nuance, lst.short_label, lst.label, votes, percent(votes, registered),
                percent(votes, expressed), "", "" if seats is None else seats, "" if community is None else community,
            ]  # fmt: skip
        if commune == SORVIGNY:
            row += [""] * (len(header) - len(row))  # some rows are padded to the full width, others stop early
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    (HERE / "listes-2026-tour1.csv").write_bytes(lists_2026())
    (HERE / "listes-2020-tour1.txt").write_bytes(lists_2020())
    (HERE / "resultats-2026-tour1.csv").write_bytes(results_2026())


if __name__ == "__main__":
    main()
