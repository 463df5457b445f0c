"""Build the Vigie sample corpus of municipal election programmes (2026).

Everything produced here is ENTIRELY FICTIONAL: the two communes
(Moulins-sur-Lys, Nord; Val-de-Sorvigny, Pas-de-Calais), their INSEE-like
codes (chosen outside the ranges allocated in départements 59 and 62), the
candidate lists, the people and the places are invented for testing only.
Any resemblance to real lists or persons is coincidental.

Rebuild the corpus (from the repository root)::

    python samples/make_samples.py

The script takes no arguments, downloads nothing and writes next to itself:

* ``sources.csv``   - one row per programme (commune, list, nuance, file);
* ``programmes/``   - PDF programmes (ReportLab, one- and two-column layouts)
                      and HTML programme pages.

Output is deterministic: PDFs are generated with ``invariant=1`` so running
the script twice yields byte-identical files.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    HRFlowable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

HERE = Path(__file__).resolve().parent
PROGRAMME_DIR = HERE / "programmes"
ELECTION = "Élections municipales des 15 et 22 mars 2026"
CSV_HEADER = [
    "commune_insee",
    "commune",
    "departement",
    "panel",
    "list_label",
    "nuance",
    "head_of_list",
    "source",
]


# --------------------------------------------------------------------------
# Content model
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    """A titled part of a programme.

    ``blocks`` holds paragraphs (str) and bullet lists (tuple of str), in
    reading order. ``level`` 1 is a chapter heading, 2 a normal section.
    ``new_page`` forces the section to start on a new PDF page.
    """

    title: str
    blocks: tuple = ()
    level: int = 2
    new_page: bool = False


@dataclass(frozen=True)
class Programme:
    slug: str
    fmt: str  # "pdf-2col", "pdf-1col" or "html"
    commune_insee: str
    commune: str
    departement: str
    panel: int
    list_label: str
    nuance: str
    head_of_list: str
    tagline: str
    colour: str
    sections: tuple = field(default_factory=tuple)
    closing: str = ""

    @property
    def filename(self) -> str:
        return f"{self.slug}.{'html' if self.fmt == 'html' else 'pdf'}"

    @property
    def source(self) -> str:
        return f"programmes/{self.filename}"


MOULINS = dict(commune_insee="59698", commune="Moulins-sur-Lys", departement="59")
SORVIGNY = dict(commune_insee="62991", commune="Val-de-Sorvigny", departement="62")


# --------------------------------------------------------------------------
# Programme texts
# --------------------------------------------------------------------------

MOULINS_EN_COMMUN = Programme(
    slug="moulins-en-commun",
    fmt="pdf-2col",
    **MOULINS,
    panel=1,
    list_label="Moulins en commun",
    nuance="LUG",
    head_of_list="Élise Vanderbeke-Moulard",
    tagline="Liste d'union de la gauche et des écologistes",
    colour="#2e7d32",
    sections=(
        Section("Édito", (
            "Moulinoises, Moulinois, depuis six ans notre ville a vu ses services "
            "publics reculer. Le bureau de poste du Haut-Pont a fermé en 2022, le "
            "guichet de la gare n'ouvre plus que deux matinées par semaine et plus "
            "de 1 200 familles attendent un logement social. Dans le quartier des "
            "Tanneries, trouver un médecin traitant relève de l'exploit.",
            "Nous sommes des militantes et militants associatifs, syndicaux, "
            "écologistes et socialistes, des parents d'élèves, des agents publics, "
            "des retraités. Nous avons choisi de nous rassembler parce que "
            "Moulins-sur-Lys mérite mieux qu'une gestion au fil de l'eau. Ce "
            "programme a été construit avec vous, lors de 14 réunions publiques et "
            "grâce aux 600 questionnaires recueillis sur les marchés.",
            "Notre boussole est simple : l'égalité d'accès aux services publics, "
            "partout dans la ville, et une transition écologique qui ne laisse "
            "personne au bord du chemin.",
        )),
        Section("Nos engagements", level=1),
        Section("Se loger dignement", (
            "Avec 14 % de logements sociaux, Moulins-sur-Lys reste très loin de "
            "l'objectif de 25 % fixé par la loi SRU, et la commune paie chaque "
            "année plus de 180 000 € de pénalités. Nous nous engageons à rattraper "
            "ce retard sans bétonner nos derniers espaces naturels.",
            (
                "Construire ou conventionner 500 logements sociaux d'ici 2030, dont "
                "au moins 30 % de logements très sociaux (PLAI).",
                "Mobiliser les logements vacants du centre-ville grâce à la taxe "
                "sur les logements vacants et à des baux à réhabilitation.",
                "Instaurer le permis de louer dans les rues les plus touchées par "
                "l'habitat indigne.",
                "Créer une Maison de l'habitat pour accompagner locataires et "
                "propriétaires modestes dans leurs travaux de rénovation.",
            ),
        )),
        Section("Protéger nos sols", (
            "Chaque année, l'équivalent de quatre terrains de football de terres "
            "agricoles disparaît sous les parkings et les zones commerciales de "
            "l'agglomération. Nous appliquerons l'objectif de zéro artificialisation "
            "nette dès 2027, trois ans avant l'échéance nationale.",
            (
                "Réviser le plan local d'urbanisme pour sanctuariser les 40 hectares "
                "du plateau du Moulin-Blanc.",
                "Réhabiliter la friche de l'ancienne filature du Halage en un "
                "quartier mixte de logements, d'ateliers et de jardins.",
                "Refuser toute nouvelle zone commerciale et désimperméabiliser les "
                "cours d'école.",
            ),
        )),
        Section("Eau, déchets, énergie : des biens communs", (
            "L'eau n'est pas une marchandise. Le contrat de délégation du service "
            "de l'eau arrive à échéance en 2028 : nous ne le renouvellerons pas et "
            "nous reprendrons la production et la distribution de l'eau en régie "
            "publique, avec un conseil d'exploitation ouvert aux usagers.",
            (
                "Instaurer une tarification sociale et progressive de l'eau, avec "
                "les premiers mètres cubes vitaux gratuits.",
                "Maintenir la collecte des déchets en régie et ouvrir une deuxième "
                "recyclerie au Haut-Pont.",
                "Créer une régie municipale de l'énergie pour couvrir de panneaux "
                "solaires les toits des écoles et des gymnases.",
            ),
        )),
        Section("Se déplacer librement", (
            "La gare est la porte d'entrée de notre ville. Nous exigerons de la "
            "Région la réouverture du guichet en semaine et le retour des 12 "
            "allers-retours quotidiens vers Lille supprimés en 2023.",
            (
                "Rendre les bus de l'agglomération gratuits pour les moins de 26 ans "
                "et les demandeurs d'emploi dès 2027.",
                "Créer une navette de quartier reliant les Tanneries, le Haut-Pont "
                "et la gare toutes les 20 minutes.",
                "Aménager 25 kilomètres de pistes cyclables sécurisées d'ici 2032.",
            ),
        )),
        Section("La santé, un droit pour toutes et tous", (
            "Dans le quartier des Tanneries, un habitant sur quatre n'a plus de "
            "médecin traitant et les urgences sont saturées chaque week-end. "
            "Nous créerons un centre de santé municipal avec des médecins salariés "
            "dans le quartier des Tanneries. Il ouvrira au plus tard en 2027, "
            "pratiquera le tiers payant intégral et accueillera aussi une "
            "sage-femme, un dentiste et une permanence de psychologue.",
            (
                "Défendre la maternité et les urgences du centre hospitalier "
                "intercommunal de la Lys, menacées de fermeture la nuit.",
                "Mettre des logements à disposition des internes en médecine qui "
                "choisissent Moulins-sur-Lys.",
                "Faire circuler un bus santé dans les hameaux et auprès des "
                "personnes âgées isolées.",
            ),
        ), new_page=True),
        Section("Des droits effectifs pour chacun", (
            "Trop d'habitants renoncent à leurs droits faute d'adresse ou de "
            "réponse. Le CCAS doit redevenir la porte d'entrée de la solidarité.",
            (
                "Garantir la domiciliation administrative au CCAS de toute personne "
                "sans domicile stable, en 15 jours au plus.",
                "Créer un guichet unique d'accès aux droits avec des permanences de "
                "la CAF, de la CPAM et de France Travail.",
                "Lancer une démarche d'« aller vers » contre le non-recours aux "
                "aides sociales.",
            ),
        )),
        Section("Des lieux pour faire ensemble", (
            "Les maisons de quartier font vivre la solidarité au quotidien. Nous "
            "rouvrirons la maison de quartier des Tanneries, fermée depuis 2021, "
            "et nous doterons chaque quartier d'un centre social agréé par la CAF.",
            (
                "Recruter 3 travailleurs sociaux supplémentaires au CCAS.",
                "Augmenter de 20 % les subventions aux associations de quartier "
                "dès 2026.",
            ),
        )),
        Section("L'école et la petite enfance d'abord", (
            (
                "Affecter une ATSEM dans chaque classe de maternelle dès la rentrée "
                "2026.",
                "Ouvrir une crèche municipale de 40 berceaux au Haut-Pont d'ici 2028.",
                "Rendre l'accueil périscolaire gratuit pour les familles dont le "
                "quotient familial est inférieur à 700 €.",
                "Rénover thermiquement les 9 groupes scolaires d'ici 2032.",
            ),
        )),
        Section("Bien manger à la cantine", (
            "La cuisine centrale restera publique. Nous atteindrons 50 % de "
            "produits bio et 30 % de produits locaux dans les assiettes dès 2027, "
            "grâce à une légumerie municipale approvisionnée par les maraîchers de "
            "la vallée de la Lys. Un menu végétarien sera proposé chaque jour et la "
            "tarification sera solidaire, à partir de 1 € le repas.",
        )),
        Section("Culture et sport pour tous", (
            "Nous ouvrirons la médiathèque de la Lys le dimanche et en soirée "
            "jusqu'à 20 heures, avec une inscription gratuite pour tous. Une "
            "bibliothèque de rue sillonnera les quartiers chaque été.",
            (
                "Rénover la piscine du Halage et la garder en gestion publique, avec "
                "des créneaux réservés aux écoles.",
                "Créer un terrain multisport en accès libre dans chaque quartier.",
                "Ramener à 10 € par an l'inscription des jeunes à l'école de "
                "musique municipale.",
            ),
        )),
        Section("Une ville verte et respirable", (
            (
                "Planter 5 000 arbres d'ici 2032, en priorité dans les cours d'école "
                "et les rues les plus chaudes.",
                "Créer un parc de 6 hectares sur la friche du Halage.",
                "Ouvrir des jardins partagés dans chaque quartier.",
            ),
        )),
        Section("Un accueil humain en mairie", (
            "La dématérialisation ne doit exclure personne. Nous maintiendrons un "
            "accueil physique en mairie du lundi au samedi et nous ouvrirons un "
            "espace France Services à la mairie annexe des Tanneries, avec 2 "
            "conseillers numériques.",
            (
                "Garantir qu'une personne réponde à chaque appel téléphonique.",
                "Conserver une alternative papier pour toutes les démarches "
                "municipales.",
            ),
        )),
        Section("Un service public municipal fort", (
            "Les agents municipaux sont la première richesse de notre ville. Nous "
            "ne privatiserons aucun service et nous réinternaliserons le nettoyage "
            "des bâtiments municipaux, aujourd'hui confié à une entreprise privée.",
            (
                "Titulariser les agents contractuels sur emploi permanent d'ici 2029.",
                "Revaloriser le régime indemnitaire des agents de catégorie C.",
                "Associer les représentants du personnel à chaque réorganisation.",
            ),
        )),
        Section("Comment nous financerons ce programme", (
            "Notre programme représente 62 millions d'euros d'investissement sur "
            "six ans. Il sera financé par la fin des pénalités SRU, l'abandon du "
            "projet de centre aquatique en partenariat public-privé, les "
            "subventions de l'État et de la Région et la renégociation des "
            "emprunts. Nous n'augmenterons pas les taux de la taxe foncière.",
        )),
        Section("Notre méthode", (
            "Un budget participatif de 500 000 € par an, des conseils de quartier "
            "dotés de moyens propres et un compte rendu de mandat public chaque "
            "année : la ville se construira avec vous.",
        )),
    ),
    closing="Les 15 et 22 mars 2026, votez et faites voter Moulins en commun !",
)

MOULINS_AVENIR = Programme(
    slug="moulins-avenir",
    fmt="pdf-1col",
    **MOULINS,
    panel=2,
    list_label="Moulins Avenir",
    nuance="LDVD",
    head_of_list="Bertrand Castelnoy",
    tagline="Rassemblement de la droite et du centre - une ville sûre, bien gérée, attractive",
    colour="#1f4e9a",
    sections=(
        Section("Le mot de Bertrand Castelnoy", (
            "Chers Moulinois, depuis six ans la dette de notre ville a augmenté de "
            "30 % et la taxe foncière de 8 %. Pendant ce temps, le centre-ville se "
            "vide, les commerces ferment et le sentiment d'insécurité progresse. "
            "Moulins-sur-Lys a besoin d'une gestion rigoureuse, d'une mairie "
            "efficace et d'un cap clair.",
            "Chef d'entreprise, adjoint aux finances de 2014 à 2020, je conduis une "
            "liste de rassemblement de la droite et du centre, largement ouverte à "
            "la société civile. Notre engagement : aucune hausse d'impôt pendant "
            "tout le mandat.",
        )),
        Section("Nos engagements", level=1),
        Section("Des finances assainies", (
            "Nous baisserons de 5 % le taux de la taxe foncière d'ici 2028. Pour y "
            "parvenir, nous réduirons les effectifs municipaux de 10 % sur le "
            "mandat, en ne remplaçant pas un départ à la retraite sur deux, et nous "
            "moderniserons l'administration.",
            "Nous confierons la gestion de l'eau à un opérateur privé. La mise en "
            "concurrence, à l'échéance du contrat actuel en 2028, permettra de "
            "faire baisser le prix du mètre cube et de financer la rénovation des "
            "canalisations sans peser sur le budget communal.",
            (
                "Nous confierons la collecte des déchets à un prestataire privé, "
                "avec des pénalités en cas de retard de ramassage.",
                "Mutualiser les services techniques avec l'agglomération.",
                "Publier chaque année un audit indépendant des comptes de la ville.",
            ),
        )),
        Section("Sécurité et tranquillité publique", (
            (
                "Doubler les effectifs de la police municipale d'ici 2027 et "
                "l'équiper de caméras-piétons.",
                "Installer 40 caméras de vidéoprotection supplémentaires, en "
                "priorité autour de la gare et des écoles.",
                "Créer une brigade de nuit opérationnelle 7 jours sur 7.",
            ),
        )),
        Section("Logement et urbanisme", (
            "Le quartier des Tanneries concentre déjà plus de 60 % des logements "
            "sociaux de la ville. Nous refuserons toute nouvelle construction de "
            "logements sociaux dans ce quartier et nous privilégierons l'accession "
            "à la propriété des jeunes ménages.",
            (
                "Réaliser 150 logements en accession sociale à la propriété d'ici "
                "2030.",
                "Aménager une zone d'activités de 25 hectares le long de la rocade "
                "pour attirer des entreprises et des emplois.",
                "Requalifier la friche du Halage en pôle commercial et de loisirs.",
            ),
        )),
        Section("Se déplacer", (
            (
                "Rendre gratuite la première heure de stationnement en centre-ville.",
                "Demander à la Région le maintien de la desserte TER de la gare.",
                "Remplacer les lignes de bus peu fréquentées par un service de "
                "transport à la demande.",
            ),
        )),
        Section("Familles, écoles et jeunesse", (
            (
                "Ouvrir une micro-crèche en partenariat avec une entreprise privée "
                "dès 2027.",
                "Équiper toutes les classes d'écrans numériques d'ici la rentrée "
                "2027.",
                "Servir 50 % de produits locaux dans les cantines, en travaillant "
                "avec les agriculteurs de la région.",
                "Étendre l'accueil périscolaire jusqu'à 19 heures.",
            ),
        )),
        Section("Santé", (
            "Nous favoriserons l'installation de médecins libéraux en construisant "
            "une maison de santé pluriprofessionnelle près de la gare, dont les "
            "locaux seront loués aux praticiens à un loyer modéré.",
        )),
        Section("Solidarité", (
            "Le CCAS sera recentré sur ses missions légales : aide aux personnes "
            "âgées, aux personnes handicapées et aux familles en difficulté. Nous "
            "renforcerons les contrôles pour lutter contre la fraude aux aides.",
        )),
        Section("Sport, culture et cadre de vie", (
            (
                "Construire un centre aquatique moderne en partenariat public-privé "
                "pour remplacer la piscine du Halage.",
                "Installer des boîtes à livres et lancer un portail numérique de la "
                "médiathèque.",
                "Entretenir et fleurir les parcs, et créer un espace canin.",
                "Organiser chaque été un grand festival sur les berges de la Lys.",
            ),
        )),
        Section("Une mairie moderne", (
            "Nous lancerons l'application « Moulins dans ma poche » pour effectuer "
            "100 % des démarches en ligne d'ici 2028. Les horaires d'accueil de la "
            "mairie annexe des Tanneries seront adaptés à la fréquentation réelle.",
        )),
    ),
    closing="Le 15 mars 2026, votez Moulins Avenir avec Bertrand Castelnoy !",
)

MOULINS_CITOYENS = Programme(
    slug="moulins-citoyens",
    fmt="html",
    **MOULINS,
    panel=3,
    list_label="Moulins Citoyens",
    nuance="LDIV",
    head_of_list="Nadia Sorbiac",
    tagline="Liste citoyenne sans étiquette",
    colour="#8e24aa",
    sections=(
        Section("Qui sommes-nous ?", (
            "Nous ne sommes pas des professionnels de la politique. Nous sommes 35 "
            "habitantes et habitants de tous les quartiers, sans étiquette, réunis "
            "depuis deux ans au sein du collectif Moulins Citoyens. Ce programme est "
            "issu de 4 assemblées citoyennes et d'un vote ouvert à toutes et à tous.",
        )),
        Section("Ce que vous nous avez dit", (
            "Le premier sujet, c'est la gare. Depuis que le guichet ferme l'après-"
            "midi, les personnes âgées ne peuvent plus acheter leur billet. Au "
            "Haut-Pont, le bus ne passe plus que toutes les 45 minutes. Viennent "
            "ensuite le manque de médecins, les loyers trop chers et le sentiment "
            "que la mairie ne répond plus.",
        )),
        Section("Transports et gare", (
            "Nous rouvrirons le guichet de la gare et maintiendrons chaque ligne de "
            "bus. Avec l'agglomération et la Région, la commune financera s'il le "
            "faut un agent d'accueil en gare, car un territoire sans guichet est un "
            "territoire abandonné.",
            (
                "Créer un comité des usagers du train et du bus.",
                "Installer un abri et un banc à chaque arrêt de bus d'ici 2028.",
                "Expérimenter la gratuité des bus le samedi.",
            ),
        )),
        Section("Des services publics près de chez vous", (
            (
                "Ouvrir une maison France Services en centre-ville, ouverte le "
                "samedi matin.",
                "Former des ambassadeurs du numérique bénévoles dans chaque quartier.",
                "Permettre à toute personne sans adresse d'être domiciliée au CCAS.",
                "Ne fermer aucun accueil physique de la mairie.",
            ),
        )),
        Section("Se loger et préserver la nature", (
            (
                "Atteindre 20 % de logements sociaux en 2032.",
                "Organiser un référendum local avant tout projet de plus de 50 "
                "logements.",
                "Protéger les terres agricoles du plateau du Moulin-Blanc.",
                "Planter un arbre pour chaque enfant né à Moulins-sur-Lys.",
            ),
        )),
        Section("Enfance, écoles et cantines", (
            (
                "Passer à 40 % de produits bio dans les cantines d'ici 2028.",
                "Créer un conseil des parents pour chaque groupe scolaire.",
                "Ouvrir l'accueil du mercredi dans toutes les écoles.",
            ),
        )),
        Section("Santé", (
            "Nous soutiendrons la création d'un centre de santé et nous mettrons en "
            "place un transport solidaire vers l'hôpital pour les personnes sans "
            "voiture.",
        )),
        Section("Vivre ensemble", (
            (
                "Confier la gestion des maisons de quartier à des comités "
                "d'habitants.",
                "Ouvrir la médiathèque le dimanche après-midi.",
                "Garder la piscine du Halage ouverte tout l'été.",
            ),
        )),
        Section("Une mairie transparente", (
            (
                "Publier en ligne tous les contrats et marchés de la ville.",
                "Réaliser un audit public de chaque délégation de service public "
                "avant son renouvellement.",
            ),
        )),
    ),
    closing="Le 15 mars 2026, reprenons la parole : votez Moulins Citoyens !",
)

SORVIGNY_SOLIDAIRE = Programme(
    slug="sorvigny-solidaire",
    fmt="pdf-1col",
    **SORVIGNY,
    panel=1,
    list_label="Sorvigny solidaire et écologique",
    nuance="LDVG",
    head_of_list="Francis Hennebelle-Caudron",
    tagline="Liste de gauche, écologiste et citoyenne",
    colour="#b3261e",
    sections=(
        Section("Notre ambition pour Val-de-Sorvigny", (
            "Ancienne cité minière de 8 400 habitants, Val-de-Sorvigny a su rester "
            "une ville solidaire. Mais la fermeture de la trésorerie, le départ de "
            "deux médecins généralistes et la suppression de classes fragilisent "
            "nos quartiers. Avec une équipe renouvelée, issue de la majorité "
            "sortante et du monde associatif, nous voulons protéger et développer "
            "nos services publics.",
        )),
        Section("Nos engagements", level=1),
        Section("Un logement digne pour chacun", (
            (
                "Rénover 300 logements miniers de la cité Saint-Éloi avec le "
                "bailleur social d'ici 2030.",
                "Garantir au moins 25 % de logements sociaux dans chaque nouvelle "
                "opération de plus de 10 logements.",
                "Lutter contre les marchands de sommeil grâce au permis de louer.",
            ),
        )),
        Section("Reconquérir nos friches", (
            "Nous réhabiliterons la friche de l'ancienne sucrerie plutôt que "
            "d'ouvrir de nouvelles zones à urbaniser.",
            (
                "Transformer le carreau de l'ancienne fosse n° 4 en parc paysager de "
                "12 hectares.",
                "Planter 8 kilomètres de haies bocagères le long des chemins ruraux.",
            ),
        )),
        Section("Énergie et déchets", (
            (
                "Créer une régie de chaleur alimentée par la géothermie des "
                "anciennes galeries pour chauffer l'école et la piscine.",
                "Maintenir la collecte des déchets en porte-à-porte chaque semaine.",
            ),
        )),
        Section("Santé", (
            "Nous ouvrirons un centre de santé municipal dans l'ancienne "
            "trésorerie, avec 3 médecins généralistes salariés, dès 2027.",
        )),
        Section("Écoles et petite enfance", (
            (
                "Refuser toute fermeture de classe et défendre l'école de la cité "
                "Saint-Éloi.",
                "Créer 20 places de crèche et un relais petite enfance.",
                "Maintenir une ATSEM par classe de maternelle.",
                "Servir 40 % de produits bio dans les cantines, avec un repas à 1 € "
                "pour les familles modestes.",
            ),
        )),
        Section("Solidarités", (
            (
                "Assurer la domiciliation au CCAS des personnes sans domicile stable.",
                "Ouvrir une épicerie solidaire et une maison de quartier à la cité "
                "Saint-Éloi.",
            ),
        )),
        Section("Culture, sport, mobilités", (
            "Notre ville n'a plus de gare depuis 1972 et un seul bus dessert le "
            "centre le dimanche. Sans voiture, impossible d'aller travailler, se "
            "soigner ou se cultiver : la mobilité est la première des égalités.",
            (
                "Ouvrir la médiathèque le samedi après-midi et la relier au réseau "
                "des communes voisines.",
                "Rénover la piscine intercommunale avec les communes voisines.",
                "Obtenir une ligne de bus directe vers la gare TER la plus proche.",
            ),
        )),
        Section("Une mairie proche de vous", (
            "Depuis la fermeture de la trésorerie en 2024, les habitants doivent "
            "faire 25 kilomètres pour une démarche fiscale. La mairie doit "
            "redevenir le guichet de tous les services publics, avec des agents "
            "formés et en nombre suffisant.",
            (
                "Ouvrir un espace France Services dans l'ancienne trésorerie.",
                "Maintenir l'accueil physique en mairie le samedi matin.",
                "Titulariser 15 agents contractuels et garder la cantine en régie.",
            ),
        )),
        Section("Une démocratie vivante", (
            "Nous créerons des comités de quartier dans le Bourg, à la cité "
            "Saint-Éloi et au hameau du Marais, dotés chacun d'un budget de "
            "20 000 € par an. Chaque grand projet fera l'objet d'une réunion "
            "publique avant d'être voté en conseil municipal.",
        )),
        Section("Un budget maîtrisé et juste", (
            "Nos engagements représentent 14 millions d'euros d'investissement "
            "sur le mandat. Ils seront financés par les subventions de l'État, de "
            "la Région et du Département, par les économies d'énergie réalisées "
            "dans nos bâtiments et par un recours raisonné à l'emprunt. Nous "
            "n'augmenterons pas les taux d'imposition communaux.",
        )),
    ),
    closing="Les 15 et 22 mars 2026, votez Sorvigny solidaire et écologique !",
)

CAP_SORVIGNY = Programme(
    slug="cap-sorvigny",
    fmt="html",
    **SORVIGNY,
    panel=2,
    list_label="Cap Sorvigny",
    nuance="LDVC",
    head_of_list="Sandrine Moreuil-Dachy",
    tagline="Liste d'union du centre - dynamisme, efficacité, proximité",
    colour="#ef6c00",
    sections=(
        Section("Notre projet", (
            "Val-de-Sorvigny a des atouts : sa jeunesse, son patrimoine minier, sa "
            "position entre deux agglomérations. Il lui manque une mairie qui "
            "gère avec sérieux et qui ose. Notre équipe de 27 candidates et "
            "candidats conjugue expérience et renouvellement.",
        )),
        Section("Une gestion efficace", (
            "Nous confierons la restauration scolaire à une société de restauration "
            "collective afin de maîtriser les coûts. Nous remplacerons l'accueil du "
            "samedi matin en mairie par des bornes numériques et un service de "
            "rendez-vous en ligne.",
            (
                "Stabiliser les impôts locaux pendant tout le mandat.",
                "Vendre le presbytère inoccupé pour financer les travaux de voirie.",
            ),
        )),
        Section("Cadre de vie et logement", (
            (
                "Rénover les façades de la cité Saint-Éloi avec le bailleur social.",
                "Aménager le carreau de fosse n° 4 en parc de loisirs.",
                "Accueillir une zone commerciale de 8 hectares à l'entrée de ville.",
            ),
        )),
        Section("Familles et santé", (
            (
                "Rénover le groupe scolaire Jean-Moulin d'ici 2029.",
                "Ouvrir une maison de santé pluriprofessionnelle avec des médecins "
                "libéraux.",
                "Créer un city-stade et moderniser la salle de sport.",
            ),
        )),
    ),
    closing="Le 15 mars 2026, mettons le Cap sur Sorvigny !",
)

PROGRAMMES = (
    MOULINS_EN_COMMUN,
    MOULINS_AVENIR,
    MOULINS_CITOYENS,
    SORVIGNY_SOLIDAIRE,
    CAP_SORVIGNY,
)


# --------------------------------------------------------------------------
# PDF rendering
# --------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 1.8 * cm
GUTTER = 1.2 * cm
FRAME_TOP = PAGE_H - 2.2 * cm
FRAME_BOTTOM = 2.0 * cm
TITLE_BLOCK_H = 3.6 * cm


def pdf_styles(prog: Programme, two_columns: bool) -> dict[str, ParagraphStyle]:
    colour = colors.HexColor(prog.colour)
    size = 9.5 if two_columns else 10.5
    body = ParagraphStyle(
        "body",
        fontName="Helvetica",
        fontSize=size,
        leading=size * 1.32,
        alignment=TA_JUSTIFY if two_columns else TA_LEFT,
        spaceAfter=5,
    )
    return {
        "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=24,
                                leading=28, textColor=colour, spaceAfter=4),
        "tagline": ParagraphStyle("tagline", fontName="Helvetica-Oblique",
                                  fontSize=12, leading=15, spaceAfter=2),
        "meta": ParagraphStyle("meta", fontName="Helvetica", fontSize=10,
                               leading=13, textColor=colors.HexColor("#444444")),
        "h1": ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=15,
                             leading=19, textColor=colors.white, backColor=colour,
                             borderPadding=(3, 4, 3, 4), spaceBefore=8,
                             spaceAfter=8, keepWithNext=1),
        "h2": ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=size + 2.5,
                             leading=(size + 2.5) * 1.25, textColor=colour,
                             spaceBefore=7, spaceAfter=4, keepWithNext=1),
        "body": body,
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12,
                                 bulletIndent=2, spaceAfter=3),
        "closing": ParagraphStyle("closing", parent=body, fontName="Helvetica-Bold",
                                  textColor=colour, spaceBefore=10),
    }


def title_block(prog: Programme, st: dict) -> list[Flowable]:
    return [
        Paragraph(escape(prog.list_label), st["title"]),
        Paragraph(escape(prog.tagline), st["tagline"]),
        Paragraph(escape(f"Liste conduite par {prog.head_of_list} · "
                         f"{prog.commune} ({prog.departement})"), st["meta"]),
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=1.5, color=colors.HexColor(prog.colour),
                   spaceBefore=2, spaceAfter=6),
    ]


def section_flowables(section: Section, st: dict) -> list[Flowable]:
    out: list[Flowable] = [PageBreak()] if section.new_page else []
    style = st["h1"] if section.level == 1 else st["h2"]
    out.append(Paragraph(escape(section.title), style))
    for block in section.blocks:
        if isinstance(block, tuple):
            out.extend(Paragraph(escape(item), st["bullet"], bulletText="–")
                       for item in block)
        else:
            out.append(Paragraph(escape(block), st["body"]))
    return out


def story(prog: Programme, st: dict, two_columns: bool) -> list[Flowable]:
    flow = title_block(prog, st)
    if two_columns:
        flow += [NextPageTemplate("columns"), FrameBreak()]
    for section in prog.sections:
        flow += section_flowables(section, st)
    if prog.closing:
        flow.append(Paragraph(escape(prog.closing), st["closing"]))
    return flow


def decorate_page(canv, doc, prog: Programme, total_pages: int) -> None:
    """Header line and numbered footer, drawn identically on every page."""
    colour = colors.HexColor(prog.colour)
    canv.saveState()
    canv.setStrokeColor(colour)
    canv.setLineWidth(0.8)
    canv.setFillColor(colour)
    canv.setFont("Helvetica-Bold", 9)
    canv.drawString(MARGIN, PAGE_H - 1.3 * cm, f"{prog.list_label} · {ELECTION}")
    canv.setFont("Helvetica", 9)
    canv.drawRightString(PAGE_W - MARGIN, PAGE_H - 1.3 * cm,
                         f"{prog.commune} ({prog.departement})")
    canv.line(MARGIN, PAGE_H - 1.5 * cm, PAGE_W - MARGIN, PAGE_H - 1.5 * cm)
    canv.line(MARGIN, 1.5 * cm, PAGE_W - MARGIN, 1.5 * cm)
    canv.setFillColor(colors.HexColor("#555555"))
    canv.setFont("Helvetica", 8)
    canv.drawString(MARGIN, 1.0 * cm,
                    f"Programme municipal 2026-2032 · liste conduite par {prog.head_of_list}")
    canv.drawRightString(PAGE_W - MARGIN, 1.0 * cm,
                         f"Page {doc.page} / {total_pages}")
    canv.restoreState()


def column_frames(top: float, prefix: str) -> list[Frame]:
    col_w = (PAGE_W - 2 * MARGIN - GUTTER) / 2
    height = top - FRAME_BOTTOM
    return [
        Frame(MARGIN + i * (col_w + GUTTER), FRAME_BOTTOM, col_w, height,
              leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
              id=f"{prefix}-col{i + 1}")
        for i in range(2)
    ]


def page_templates(prog: Programme, two_columns: bool, total: int) -> list[PageTemplate]:
    def on_page(canv, doc):
        decorate_page(canv, doc, prog, total)

    full_w = PAGE_W - 2 * MARGIN
    if not two_columns:
        frame = Frame(MARGIN, FRAME_BOTTOM, full_w, FRAME_TOP - FRAME_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                      id="body")
        return [PageTemplate("single", [frame], onPage=on_page)]
    title = Frame(MARGIN, FRAME_TOP - TITLE_BLOCK_H, full_w, TITLE_BLOCK_H,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                  id="title")
    first = [title] + column_frames(FRAME_TOP - TITLE_BLOCK_H, "first")
    return [
        PageTemplate("first", first, onPage=on_page),
        PageTemplate("columns", column_frames(FRAME_TOP, "next"), onPage=on_page),
    ]


def build_pdf(prog: Programme, target, total: int) -> int:
    two_columns = prog.fmt == "pdf-2col"
    doc = BaseDocTemplate(
        target,
        pagesize=A4,
        invariant=1,
        title=f"{prog.list_label} - programme municipal 2026 ({prog.commune})",
        author=prog.head_of_list,
        subject=ELECTION,
        creator="Vigie samples/make_samples.py (corpus fictif)",
    )
    doc.addPageTemplates(page_templates(prog, two_columns, total))
    doc.build(story(prog, pdf_styles(prog, two_columns), two_columns))
    return doc.page


def render_pdf(prog: Programme, path: Path) -> int:
    """Two passes: the first counts pages so the footer can show 'Page n / N'."""
    total = build_pdf(prog, io.BytesIO(), total=0)
    pages = build_pdf(prog, str(path), total=total)
    assert pages == total, (prog.slug, pages, total)
    return pages


# --------------------------------------------------------------------------
# HTML rendering
# --------------------------------------------------------------------------

HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: Arial, Helvetica, sans-serif; margin: 0; color: #222; }}
  header, nav, main, footer {{ padding: 0 1.5rem; }}
  header {{ background: {colour}; color: #fff; padding-top: .8rem; padding-bottom: .8rem; }}
  nav ul {{ list-style: none; display: flex; gap: 1.2rem; padding: .6rem 0; margin: 0; }}
  nav a {{ color: {colour}; text-decoration: none; font-weight: bold; }}
  main {{ max-width: 52rem; }}
  h1, h2 {{ color: {colour}; }}
  .cookie-banner {{ position: fixed; bottom: 0; left: 0; right: 0; background: #333;
                   color: #fff; padding: 1rem 1.5rem; }}
  footer {{ border-top: 1px solid #ccc; margin-top: 2rem; font-size: .85rem; color: #555; }}
</style>
</head>
<body>
<div class="cookie-banner" id="cookie-banner">
  <p>Ce site utilise des cookies de mesure d'audience. En poursuivant votre navigation, vous acceptez leur utilisation.
  <button type="button" id="cookie-accept">J'accepte</button>
  <button type="button" id="cookie-refuse">Je refuse</button>
  <a href="#confidentialite">Politique de confidentialité</a></p>
</div>
<header>
  <strong>{list_label}</strong> · {commune} · {election}
</header>
<nav aria-label="Menu principal">
  <ul>
    <li><a href="#accueil">Accueil</a></li>
    <li><a href="#equipe">L'équipe</a></li>
    <li><a href="#programme">Le programme</a></li>
    <li><a href="#agenda">Agenda</a></li>
    <li><a href="#contact">Nous contacter</a></li>
    <li><a href="#don">Faire un don</a></li>
  </ul>
</nav>
<main id="programme">
<h1>{h1}</h1>
<p class="chapeau">{tagline}, conduite par {head}.</p>
{body}
<p class="appel"><strong>{closing}</strong></p>
</main>
<footer>
  <p>{list_label} · {tagline} conduite par {head} · {commune} ({departement})</p>
  <p><a href="#mentions">Mentions légales</a> · <a href="#confidentialite">Confidentialité</a> ·
  Site réalisé par des bénévoles. Directeur de la publication : {head}.</p>
</footer>
<script>
  (function () {{
    var banner = document.getElementById("cookie-banner");
    function hide() {{ banner.style.display = "none"; }}
    document.getElementById("cookie-accept").addEventListener("click", hide);
    document.getElementById("cookie-refuse").addEventListener("click", hide);
  }})();
</script>
</body>
</html>
"""


def text(value: str) -> str:
    """Escape a text node (apostrophes stay readable: l'eau, not l&#x27;eau)."""
    return html.escape(value, quote=False)


def html_section(section: Section) -> str:
    css = ' class="chapitre"' if section.level == 1 else ""
    parts = [f"<section>\n<h2{css}>{text(section.title)}</h2>"]
    for block in section.blocks:
        if isinstance(block, tuple):
            items = "\n".join(f"  <li>{text(item)}</li>" for item in block)
            parts.append(f"<ul>\n{items}\n</ul>")
        else:
            parts.append(f"<p>{text(block)}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(prog: Programme, path: Path) -> None:
    e = text
    page = HTML_TEMPLATE.format(
        title=e(f"Notre programme - {prog.list_label} - {prog.commune} 2026"),
        colour=prog.colour,
        list_label=e(prog.list_label),
        commune=e(prog.commune),
        departement=e(prog.departement),
        election=e(ELECTION),
        h1=e(f"{prog.list_label} : notre programme pour {prog.commune} 2026-2032"),
        tagline=e(prog.tagline),
        head=e(prog.head_of_list),
        body="\n".join(html_section(s) for s in prog.sections),
        closing=e(prog.closing),
    )
    path.write_text(page, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------


def write_sources(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for p in PROGRAMMES:
            writer.writerow([p.commune_insee, p.commune, p.departement, p.panel,
                             p.list_label, p.nuance, p.head_of_list, p.source])


def main() -> None:
    PROGRAMME_DIR.mkdir(parents=True, exist_ok=True)
    summary = []
    for prog in PROGRAMMES:
        path = PROGRAMME_DIR / prog.filename
        if prog.fmt == "html":
            render_html(prog, path)
            summary.append(f"{prog.source:40} HTML ({prog.commune}, {prog.list_label})")
        else:
            pages = render_pdf(prog, path)
            layout = "2 colonnes" if prog.fmt == "pdf-2col" else "1 colonne"
            summary.append(f"{prog.source:40} PDF, {pages} pages, {layout} "
                           f"({prog.commune}, {prog.list_label})")
    write_sources(HERE / "sources.csv")
    summary.append(f"{'sources.csv':40} {len(PROGRAMMES)} programmes")
    print(f"Corpus fictif écrit dans {HERE}:")
    print("\n".join("  " + line for line in summary))


if __name__ == "__main__":
    main()
