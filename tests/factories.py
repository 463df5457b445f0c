"""Small builders for test data: PDFs, HTML pages, sources files."""

from __future__ import annotations

import csv
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from collect.sources import COLUMNS


def make_pdf(path: Path, pages: list[list[str]], *, password: str | None = None) -> Path:
    """A one-column PDF, one list of lines per page."""
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=password)
    for lines in pages:
        y = 780
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return path


def make_two_column_pdf(path: Path, title: str, left: list[str], right: list[str]) -> Path:
    """A page with a title across the width, then two columns of lines."""
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 800, title)
    pdf.setFont("Helvetica", 10)
    for x, lines in ((56, left), (316, right)):
        y = 760
        for line in lines:
            pdf.drawString(x, y, line)
            y -= 14
    pdf.showPage()
    pdf.save()
    return path


def make_html(path: Path, main: str, *, encoding: str = "utf-8", declared: str | None = None) -> Path:
    declared = declared or encoding
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{declared}"><title>Programme</title>'
        "<script>var tracker = 'menu accueil';</script></head><body>"
        '<nav><a href="/">Accueil</a> <a href="/equipe">Notre équipe</a></nav>'
        '<div class="cookie-banner">Nous utilisons des cookies. Accepter</div>'
        f"<main>{main}</main>"
        "<footer>Mentions légales - Liste fictive</footer></body></html>"
    )
    path.write_bytes(page.encode(encoding))
    return path


def make_sources(path: Path, rows: list[dict[str, str]]) -> Path:
    """A sources CSV; each row gives at least list_label and source."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for number, row in enumerate(rows, start=1):
            writer.writerow(
                {
                    "commune_insee": "59999",
                    "commune": "Essai-sur-Mer",
                    "departement": "59",
                    "panel": str(number),
                    "nuance": "LDIV",
                    "head_of_list": "Camille Essai",
                    **row,
                }
            )
    return path
