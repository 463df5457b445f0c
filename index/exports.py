"""Exports for analysts: CSV (optionally with a BOM for spreadsheets) and
JSON of search results and scorecards, and a printable commune report.

Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
carriage return first) are prefixed with an apostrophe: a list's label such
as `=HYPERLINK(…)` must reach the analyst as text.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable, Iterator, Sequence

from elasticsearch import Elasticsearch

from index.scorecards import Scorecard
from index.search import Hit, SearchRequest, scroll_hits

SEARCH_COLUMNS = ("list", "commune", "page", "version", "demand", "level", "fragment", "archive", "source")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(rows: Iterable[dict], columns: Sequence[str], *, bom: bool = False) -> str:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def all_hits(client: Elasticsearch, prefix: str, request: SearchRequest) -> Iterator[Hit]:
    """Every hit of a search (not only a page), by département, commune, list and page."""
    return scroll_hits(client, prefix, request)


def hit_row(hit: Hit) -> dict:
    """A hit's columns of a search export (`SEARCH_COLUMNS`), from its one serialisation."""
    serialised = hit.to_json()
    return {column: serialised[column] for column in SEARCH_COLUMNS}


def scorecard_rows(cards: Iterable[Scorecard]) -> Iterator[dict]:
    """One row per list and demand."""
    for card in cards:
        for cell in card.cells.values():
            yield {
                "list_key": card.list_key,
                "list": card.list_label,
                "commune": card.commune,
                "departement": card.departement,
                "nuance": card.nuance,
                "demand": cell.demand,
                "level": cell.level,
                "sentences": cell.sentences,
                "quotation": cell.quotation,
                "page": cell.page,
                "archive": cell.archive,
                "quantities": "; ".join(cell.quantities),
            }


SCORECARD_COLUMNS = ("list_key", "list", "commune", "departement", "nuance", "demand", "level", "sentences", "quotation", "page", "archive", "quantities")
_MARKS = {"commitment": ("✔", "#1b7f3b"), "opposition": ("✘", "#b3261e"), "mention": ("~", "#8a6d00"), "absent": ("·", "#999")}


def commune_report(commune: str, cards: Sequence[Scorecard], titles: dict[str, str]) -> str:
    """A printable HTML page: the lists side by side on every demand, then the quotations."""
    esc = html.escape
    demands = list(titles)
    head = "".join(f"<th title='{esc(titles[d])}'>{esc(d)}</th>" for d in demands)
    rows = "".join(
        f"<tr><th>{esc(card.list_label)}<br><small>{esc(card.head_of_list)} · {esc(card.nuance)}</small></th>"
        + "".join(
            f"<td style='color:{_MARKS[card.cells[d].level][1]}'>{_MARKS[card.cells[d].level][0]}</td>" for d in demands
        )
        + "</tr>"
        for card in cards
    )
    quotes = "".join(
        f"<h2>{esc(card.list_label)}</h2><ul>"
        + "".join(
            f"<li><b>{esc(d)} {esc(titles[d])}</b> — {esc(card.cells[d].level)}, page {card.cells[d].page}: "
            f"« {esc(card.cells[d].quotation or '')} »"
            + (f" <i>({esc('; '.join(card.cells[d].quantities))})</i>" if card.cells[d].quantities else "")
            + f" <a href='{esc(card.cells[d].archive or '')}'>source</a></li>"
            for d in demands
            if card.cells[d].quotation
        )
        + "</ul>"
        for card in cards
    )
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{esc(commune)} — engagements des listes</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 6px;text-align:center}th{text-align:left}"
        "@media print{a{color:inherit}}</style></head><body>"
        f"<h1>{esc(commune)} : les listes face aux 14 exigences</h1>"
        "<p>✔ engagement · ✘ opposition · ~ mention · · absent</p>"
        f"<table><tr><th>Liste</th>{head}</tr>{rows}</table>{quotes}"
        "<p><small>Produit par Vigie à partir des programmes archivés.</small></p></body></html>"
    )


_PDF_MARKS = {"commitment": ("E", "#b7e1c1"), "opposition": ("O", "#f4c7c3"), "mention": ("M", "#fbe8a6"), "absent": ("", "#ffffff")}


def commune_report_pdf(commune: str, cards: Sequence[Scorecard], titles: dict[str, str]) -> bytes:
    """The printable report as a PDF (A4 landscape): the comparison table, then
    the quotations. Programme text is escaped: it is never read as markup."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    demands = list(titles)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=f"{commune} — engagements des listes", author="Vigie",
        leftMargin=1.5 * cm, rightMargin=1.5 * cm, topMargin=1.5 * cm, bottomMargin=1.5 * cm,
    )  # fmt: skip
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    story = [
        Paragraph(escape(f"{commune} : les listes face aux 14 exigences"), styles["Title"]),
        Paragraph("E engagement · O opposition · M mention · case vide : absent du programme", styles["BodyText"]),
        Spacer(1, 0.4 * cm),
    ]
    rows = [["Liste", *demands]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
    ]
    for row, card in enumerate(cards, start=1):
        label = f"<b>{escape(card.list_label)}</b><br/>{escape(card.head_of_list)} · {escape(card.nuance)}"
        rows.append([Paragraph(label, cell), *(_PDF_MARKS[card.cells[d].level][0] for d in demands)])
        for column, demand in enumerate(demands, start=1):
            style.append(("BACKGROUND", (column, row), (column, row), colors.HexColor(_PDF_MARKS[card.cells[demand].level][1])))
    story.append(Table(rows, colWidths=[7 * cm] + [1.3 * cm] * len(demands), repeatRows=1, style=TableStyle(style)))
    for card in cards:
        story.append(Paragraph(escape(card.list_label), styles["Heading2"]))
        for demand in demands:
            found = card.cells[demand]
            if not found.quotation:
                continue
            quantities = f" <i>({escape('; '.join(found.quantities))})</i>" if found.quantities else ""
            story.append(
                Paragraph(
                    f"<b>{escape(demand)} {escape(titles[demand])}</b> — {escape(found.level)}, page {found.page} : "
                    f"« {escape(found.quotation)} »{quantities}<br/><font size=7>{escape(found.archive or '')}</font>",
                    cell,
                )
            )
    story.append(Spacer(1, 0.4 * cm))
    story.append(Paragraph("Produit par Vigie à partir des programmes archivés.", cell))
    document.build(story)
    return buffer.getvalue()
