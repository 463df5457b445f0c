"""Campaign-tract PDF fixtures whose text, page by page, is known exactly.

A small layout engine on reportlab's canvas: a running header, a footer with
"page n / total", an optional title across page 1, and a body flowed column
by column, page by page, with ragged-right Helvetica lines, paragraph spacing,
bullets and line-end hyphenation. `scan_pdf` turns such a PDF into images only.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pdfplumber
import pypdfium2
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

FONT = "Helvetica"
TITLE_FONT = "Helvetica-Bold"
MARGIN = 1.8 * cm
GUTTER = 0.9 * cm
LEADING = 1.3  # line height, in font sizes
PARAGRAPH_GAP = 0.8  # extra space between paragraphs, in lines
HEADER_SIZE = 8.0
TITLE_SIZE = 22.0
BULLETS = ("• ", "- ")
_ACCENT = HexColor("#a4262c")
_GREY = Color(0.35, 0.35, 0.35)
# Glue kept with its neighbour, as French typography never starts or ends a line with it.
_GLUE_BEFORE = re.compile(r"^[»:;!?%€]+[.,]?$")
_GLUE_AFTER = "«"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-ÞŒ«])")

Cut = Literal["", "soft", "hard"]


@dataclass(frozen=True)
class Tract:
    path: Path
    pages: list[list[str]]
    """Per page, the title (page 1) and paragraphs or paragraph pieces drawn on it, in reading order."""
    sentences: list[str]
    header: str
    footer_template: str


@dataclass(frozen=True)
class Line:
    text: str
    """As drawn, with the hyphen of a split word."""
    cut: Cut = ""
    """How the line's last word goes on: whole (""), split with an added "-" ("soft"),
    split after its own hyphen ("hard")."""


@dataclass(frozen=True)
class _Placed:
    line: Line
    x: float
    y: float
    paragraph: int
    marker: str = ""


@dataclass(frozen=True)
class _Geometry:
    width: float
    height: float
    columns: int

    @property
    def column_width(self) -> float:
        return (self.width - 2 * MARGIN - (self.columns - 1) * GUTTER) / self.columns

    def column_x(self, column: int) -> float:
        return MARGIN + column * (self.column_width + GUTTER)

    @property
    def header_y(self) -> float:
        return self.height - MARGIN - HEADER_SIZE

    @property
    def body_top(self) -> float:
        return self.header_y - 16

    @property
    def footer_y(self) -> float:
        return MARGIN

    @property
    def body_bottom(self) -> float:
        return self.footer_y + 20


def column_boxes(columns: int, page_size: tuple[float, float] = A4) -> list[tuple[float, float, float, float]]:
    """pdfplumber bounding boxes (x0, top, x1, bottom) of the body columns of a page
    without title, each widened by half a gutter and clear of header and footer."""
    geometry = _Geometry(*page_size, columns)
    top, bottom = geometry.height - geometry.body_top, geometry.height - geometry.body_bottom + 4
    return [
        (x - GUTTER / 2, top, x + geometry.column_width + GUTTER / 2, bottom)
        for x in map(geometry.column_x, range(columns))
    ]


# --- line breaking ---------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for word in text.split():
        if tokens and (_GLUE_BEFORE.match(word) or tokens[-1].endswith(_GLUE_AFTER)):
            tokens[-1] += " " + word
        else:
            tokens.append(word)
    return tokens


def _split(word: str, room: float, size: float) -> tuple[str, str, Cut] | None:
    """The head that fits in `room` and the tail of a word cut at a line end, if allowed."""
    if "-" in word[1:-1]:
        for index in reversed([i for i, char in enumerate(word[1:-1], start=1) if char == "-"]):
            if stringWidth(word[: index + 1], FONT, size) <= room:
                return word[: index + 1], word[index + 1 :], "hard"
        return None
    if len(word) >= 8 and word.isalpha():
        half = len(word) // 2
        if stringWidth(word[:half] + "-", FONT, size) <= room:
            return word[:half] + "-", word[half:], "soft"
    return None


def wrap(text: str, width: float, *, size: float = 10.5, hyphenate: bool = True) -> list[Line]:
    """Ragged-right lines of at most `width` points (a word wider than a line overflows it)."""
    lines: list[Line] = []
    current: list[str] = []
    for token in _tokens(text):
        while token:
            if not current or stringWidth(" ".join([*current, token]), FONT, size) <= width:
                current.append(token)
                break
            room = width - stringWidth(" ".join(current) + " ", FONT, size)
            cut = _split(token, room, size) if hyphenate else None
            if cut is None:
                lines.append(Line(" ".join(current)))
                current = []
                continue
            head, token, kind = cut
            lines.append(Line(" ".join([*current, head]), kind))
            current = []
    if current:
        lines.append(Line(" ".join(current)))
    return lines


def join_lines(lines: list[Line]) -> str:
    """The text of consecutive lines, split words mended."""
    text = ""
    for previous, line in zip([None, *lines], lines):
        if previous is None:
            text = line.text
        elif previous.cut == "soft":
            text = text[:-1] + line.text
        elif previous.cut == "hard":
            text += line.text
        else:
            text += " " + line.text
    return text


# --- layout ----------------------------------------------------------------------------------


def _bullet(paragraph: str) -> tuple[str, str]:
    for marker in BULLETS:
        if paragraph.startswith(marker):
            return marker.strip(), paragraph[len(marker) :].strip()
    return "", paragraph


class _Flow:
    """A cursor moving down the columns of successive pages (page 1's start under the title)."""

    def __init__(self, geometry: _Geometry, size: float, first_top: float) -> None:
        self.geometry, self.size, self.first_top = geometry, size, first_top
        self.pages: list[list[_Placed]] = [[]]
        self.column = 0
        self.y = first_top - size
        self.fresh = True

    def gap(self) -> None:
        if not self.fresh:
            self.y -= PARAGRAPH_GAP * LEADING * self.size

    def place(self, line: Line, paragraph: int, marker: str, indent: float) -> None:
        if self.y < self.geometry.body_bottom:
            self._next_column()
        x = self.geometry.column_x(self.column)
        self.pages[-1].append(_Placed(line, x + indent, self.y, paragraph, marker))
        self.y -= LEADING * self.size
        self.fresh = False

    def _next_column(self) -> None:
        self.column += 1
        if self.column == self.geometry.columns:
            self.column = 0
            self.pages.append([])
        top = self.first_top if len(self.pages) == 1 else self.geometry.body_top
        self.y = top - self.size
        self.fresh = True


def _title_lines(title: str | None, geometry: _Geometry) -> list[Line]:
    if not title:
        return []
    return wrap(title, geometry.width - 2 * MARGIN, size=TITLE_SIZE, hyphenate=False)


def _layout(
    paragraphs: list[str], geometry: _Geometry, size: float, hyphenate: bool, title_lines: list[Line]
) -> list[list[_Placed]]:
    first_top = geometry.body_top - len(title_lines) * TITLE_SIZE * 1.2 - (0.8 * TITLE_SIZE if title_lines else 0)
    flow = _Flow(geometry, size, first_top)
    indent = 1.1 * size
    for number, paragraph in enumerate(paragraphs):
        marker, text = _bullet(paragraph)
        shift = indent if marker else 0.0
        flow.gap()
        for index, line in enumerate(wrap(text, geometry.column_width - shift, size=size, hyphenate=hyphenate)):
            flow.place(line, number, marker if index == 0 else "", shift)
    return flow.pages


def _page_texts(placed: list[_Placed]) -> list[str]:
    pieces: list[str] = []
    for number in dict.fromkeys(p.paragraph for p in placed):
        lines = [p for p in placed if p.paragraph == number]
        prefix = f"{lines[0].marker} " if lines[0].marker else ""
        pieces.append(prefix + join_lines([p.line for p in lines]))
    return pieces


# --- drawing ---------------------------------------------------------------------------------


def _draw_furniture(pdf: canvas.Canvas, geometry: _Geometry, header: str, footer: str) -> None:
    pdf.setFillColor(_GREY)
    pdf.setStrokeColor(_ACCENT)
    pdf.setLineWidth(0.6)
    pdf.setFont(FONT, HEADER_SIZE)
    pdf.drawCentredString(geometry.width / 2, geometry.header_y, header)
    pdf.line(MARGIN, geometry.header_y - 5, geometry.width - MARGIN, geometry.header_y - 5)
    pdf.drawCentredString(geometry.width / 2, geometry.footer_y, footer)
    pdf.line(MARGIN, geometry.footer_y + 11, geometry.width - MARGIN, geometry.footer_y + 11)


def _draw_title(pdf: canvas.Canvas, geometry: _Geometry, lines: list[Line]) -> None:
    pdf.setFillColor(_ACCENT)
    pdf.setFont(TITLE_FONT, TITLE_SIZE)
    y = geometry.body_top - TITLE_SIZE
    for line in lines:
        pdf.drawString(MARGIN, y, line.text)
        y -= TITLE_SIZE * 1.2


def _draw_body(pdf: canvas.Canvas, placed: list[_Placed], size: float) -> None:
    pdf.setFillColor(Color(0, 0, 0))
    pdf.setFont(FONT, size)
    for item in placed:
        if item.marker == "•":
            _draw_bullet(pdf, item.x - 1.1 * size, item.y, size)
        elif item.marker:
            pdf.drawString(item.x - 1.1 * size, item.y, item.marker)
        pdf.drawString(item.x, item.y, item.line.text)


def _draw_bullet(pdf: canvas.Canvas, x: float, y: float, size: float) -> None:
    """"•" as WinAnsi code 0x95: reportlab writes it as 0x7F, valid PDF that pdfminer
    reads as "(cid:127)", a quirk of reportlab that real tracts do not have."""
    font = pdf._doc.getInternalFontName(FONT)
    pdf.addLiteral(f"BT {font} {size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm (\\225) Tj ET")


def _check_winansi(texts: list[str]) -> None:
    for text in texts:
        try:
            text.encode("cp1252")
        except UnicodeEncodeError as error:
            raise ValueError(f"not drawable in WinAnsi with the standard fonts: {text!r}") from error


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, bullet marker dropped."""
    _, text = _bullet(paragraph)
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]


def make_tract(
    path: Path,
    paragraphs: list[str],
    *,
    columns: int = 2,
    header: str = "Moulins en commun — Élections municipales 2026",
    footer_template: str = "Moulins en commun · page {n} / {total}",
    font_size: float = 10.5,
    title: str | None = None,
    hyphenate: bool = True,
    page_size: tuple[float, float] = A4,
) -> Tract:
    """A tract PDF at `path` with `paragraphs` flowed into `columns` columns."""
    if columns not in (1, 2, 3):
        raise ValueError(f"1, 2 or 3 columns, not {columns}")
    paragraphs = [" ".join(p.split()) for p in paragraphs if p.strip()]
    _check_winansi([*paragraphs, header, footer_template, title or ""])
    geometry = _Geometry(*page_size, columns)
    title_lines = _title_lines(title, geometry)
    layout = _layout(paragraphs, geometry, font_size, hyphenate, title_lines)
    pdf = canvas.Canvas(str(path), pagesize=page_size, invariant=1)
    pages: list[list[str]] = []
    for number, placed in enumerate(layout, start=1):
        _draw_furniture(pdf, geometry, header, footer_template.format(n=number, total=len(layout)))
        if number == 1 and title_lines:
            _draw_title(pdf, geometry, title_lines)
        _draw_body(pdf, placed, font_size)
        pdf.showPage()
        pages.append(([join_lines(title_lines)] if number == 1 and title_lines else []) + _page_texts(placed))
    pdf.save()
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    return Tract(path, pages, sentences, header, footer_template)


# --- scans -----------------------------------------------------------------------------------


def scan_pdf(source: Path, target: Path, *, dpi: int = 200) -> Path:
    """`source` rasterised in grey, one full-page image per page and no text layer."""
    document = pypdfium2.PdfDocument(source)
    pdf = canvas.Canvas(str(target), invariant=1)
    try:
        for page in document:
            width, height = page.get_size()
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            pdf.setPageSize((width, height))
            pdf.drawImage(ImageReader(image), 0, 0, width=width, height=height)
            pdf.showPage()
            page.close()
    finally:
        document.close()
    pdf.save()
    _check_scan(target)
    return target


def _check_scan(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if page.chars or len(page.images) != 1:
                raise AssertionError(f"{path} page {page.page_number} is not a bare scan")


# --- programme text --------------------------------------------------------------------------

PLACES = ["Moulins-sur-Lys", "Saint-Denis", "Saint-Martin-des-Champs", "Villeneuve-la-Rivière", "Bois-le-Roi"]
QUARTERS = ["de la Croix-Rouge", "des Tilleuls", "du Pont-Neuf", "de Bellevue", "des Hauts-de-Lys", "des Glycines"]

TOPICS: dict[str, list[str]] = {
    "logement": [
        "Nous construirons {big} logements sociaux d'ici {year}, dont un tiers réservés aux familles modestes.",
        "Aucun loyer du parc municipal n'augmentera de plus de {small} % pendant le mandat.",
        "Un permis de louer sera instauré dans le quartier {quarter} pour lutter contre les marchands de sommeil.",
        "La rénovation thermique de {big} logements anciens sera financée avec l'intercommunalité.",
        "Les logements vacants depuis plus de deux ans seront recensés et remis en location avant {year}.",
    ],
    "santé": [
        "Un centre de santé municipal ouvrira en {year} avec {n} médecins salariés.",
        "Les consultations y seront sans dépassement d'honoraires et possibles sans rendez-vous le samedi matin.",
        "Nous soutiendrons l'installation de jeunes praticiens à {place} par une aide au logement.",
        "Une permanence de prévention sera assurée chaque semaine dans le quartier {quarter}.",
    ],
    "cantine": [
        "La cantine scolaire servira {pct} % de produits biologiques et locaux dès la rentrée {year}.",
        "Le prix du repas sera calculé selon le quotient familial, à partir de {cents} centimes.",
        "Un repas végétarien quotidien sera proposé dans tous les restaurants scolaires.",
        "Nous créerons une cuisine centrale publique pour ne plus dépendre des prestataires privés.",
    ],
    "bibliothèque": [
        "La médiathèque ouvrira le dimanche et jusqu'à {hour} heures en semaine.",
        "L'inscription restera gratuite pour tous les habitants, sans condition d'âge ni de ressources.",
        "Une bibliothèque ouvrira dans le quartier {quarter} avec un espace numérique accompagné.",
        "Le budget d'acquisition des collections augmentera de {pct} % dès {year}.",
    ],
    "piscine": [
        "La piscine municipale sera rénovée et rouverte au public avant l'été {year}.",
        "Chaque enfant des écoles élémentaires apprendra à nager grâce à {n} séances gratuites par an.",
        "Les horaires d'ouverture seront élargis le soir pour les salariés et les étudiants.",
    ],
    "gare": [
        "Nous défendrons la réouverture du guichet de la gare de {place} face à la SNCF et à la région.",
        "Une navette gratuite reliera la gare au centre-ville toutes les {n} minutes.",
        "Les abonnements de bus seront gratuits pour les moins de {age} ans.",
        "Des pistes cyclables sécurisées relieront le quartier {quarter} à la gare avant {year}.",
    ],
    "eau": [
        "La distribution de l'eau reviendra en régie publique à l'échéance du contrat de délégation en {year}.",
        "Les {n} premiers mètres cubes, indispensables à la vie, seront facturés au tarif le plus bas.",
        "Un comité d'usagers contrôlera chaque année les tarifs et les investissements de la régie.",
        "Le renouvellement des canalisations réduira les fuites d'un tiers d'ici {year}.",
    ],
    "crèches": [
        "Nous ouvrirons {n} nouvelles places en crèche municipale avant {year}.",
        "Les horaires d'accueil seront adaptés aux parents qui travaillent en horaires décalés.",
        "Une crèche à vocation d'insertion professionnelle verra le jour à {place}.",
        "Les assistantes maternelles bénéficieront d'un relais petite enfance rénové.",
    ],
    "espaces verts": [
        "Nous planterons {big} arbres d'ici {year} dans les cours d'école et le long des boulevards.",
        "Le parc du quartier {quarter} sera agrandi et ouvert tard le soir en été.",
        "Les jardins partagés seront développés avec les associations d'habitants.",
        "Aucun espace vert public ne sera vendu à des promoteurs immobiliers.",
    ],
    "mairie": [
        "L'accueil en mairie sera ouvert le samedi matin et un soir par semaine jusqu'à {hour} heures.",
        "Chaque démarche pourra être faite au guichet, sans obligation de passer par internet.",
        "Une mairie annexe ouvrira au cœur du quartier {quarter}.",
        "Les agents d'accueil seront formés à l'accompagnement des démarches numériques.",
    ],
    "démocratie": [
        "Un budget participatif de {n} euros par habitant et par an sera décidé directement par les habitants.",
        "Les conseils municipaux seront retransmis en direct et leurs délibérations publiées sous {n} jours.",
        "Un référendum local pourra être organisé à la demande de {small} % des électeurs.",
    ],
    "écoles": [
        "Toutes les cours d'école seront végétalisées avant {year}.",
        "Les classes de plus de {age} élèves seront dédoublées en lien avec l'Éducation nationale.",
        "Les accueils périscolaires seront gratuits pour les familles aux revenus modestes.",
    ],
    "services publics": [
        "Nous refuserons la fermeture du bureau de poste de {place} et proposerons des locaux municipaux.",
        "Une maison des services publics rassemblera la CAF, la CPAM et France Travail.",
        "Les agents municipaux précaires seront titularisés d'ici {year}.",
    ],
    "aînés": [
        "Un service municipal de portage de repas sera proposé aux personnes âgées isolées.",
        "Les résidences autonomie seront rénovées pour un coût de {n} millions d'euros.",
        "Un transport à la demande permettra aux aînés de {place} de se rendre au marché.",
    ],
}
GENERIC = [
    "Avec vous, nous ferons de {place} une ville plus juste et plus solidaire.",
    "Ces engagements seront chiffrés et publiés dès le premier budget de {year}.",
    "Ce programme a été construit avec plus de {big} habitants lors de nos réunions publiques.",
    "Chaque année, un bilan public permettra de vérifier que la parole donnée est tenue.",
]
OPENERS = [
    "Dès {year}, ",
    "Avec l'intercommunalité, ",
    "Comme promis lors de nos réunions publiques, ",
    "À {place} comme ailleurs, ",
    "Concrètement, ",
    "Pendant tout le mandat, ",
    "Parce que c'est une priorité, ",
]
BULLET_ITEMS = [
    "Une cantine {pct} % bio et locale dans toutes les écoles",
    "{n} places de crèche supplémentaires d'ici {year}",
    "La gratuité des transports pour les moins de {age} ans",
    "Un centre de santé public ouvert six jours sur sept",
    "La régie publique de l'eau dès {year}",
    "{big} logements sociaux et aucun loyer en hausse de plus de {small} %",
    "La piscine rouverte et des cours de natation gratuits",
    "Une médiathèque ouverte le dimanche à {place}",
    "Des permanences d'accueil en mairie le samedi matin",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        big=rng.choice([120, 150, 200, 250, 300, 400, 500, 600, 800]),
        small=rng.choice([1, 2, 3, 5]),
        pct=rng.choice([10, 15, 20, 25, 30, 40, 50, 75, 100]),
        n=rng.randint(3, 12),
        cents=rng.choice([50, 80, 90]),
        hour=rng.choice([19, 20, 21]),
        age=rng.choice([18, 20, 24, 25, 26]),
        year=rng.randint(2027, 2032),
        place=rng.choice(PLACES),
        quarter=rng.choice(QUARTERS),
    )


def _unique(template: str, used: set[str], rng: random.Random) -> str:
    """The template filled, with an opener if need be, so as not to repeat a sentence
    (repeats would blur reading-order scores)."""
    for attempt in range(60):
        sentence = _fill(template, rng)
        if attempt >= 10:
            sentence = _fill(rng.choice(OPENERS), rng) + sentence[0].lower() + sentence[1:]
        if sentence not in used:
            break
    used.add(sentence)
    return sentence


def _prose(rng: random.Random, used: set[str]) -> str:
    topic = TOPICS[rng.choice(sorted(TOPICS))]
    count = rng.randint(2, 5)
    templates = [topic[i] for i in sorted(rng.sample(range(len(topic)), min(count, len(topic))))]
    templates += rng.sample(GENERIC, count - len(templates))
    return " ".join(_unique(template, used, rng) for template in templates)


def french_paragraphs(n: int, seed: int = 0) -> list[str]:
    """n campaign-programme paragraphs: prose of 2 to 5 sentences, about one in five a bullet item."""
    rng = random.Random(seed)
    used: set[str] = set()
    paragraphs: list[str] = []
    while len(paragraphs) < n:
        if rng.random() < 0.1 and paragraphs and not paragraphs[-1].startswith(BULLETS):
            marker = "• " if rng.random() < 0.75 else "- "
            paragraphs += [marker + _unique(item, used, rng) for item in rng.sample(BULLET_ITEMS, rng.randint(2, 3))]
        else:
            paragraphs.append(_prose(rng, used))
    return paragraphs[:n]
