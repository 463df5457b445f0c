"""Exports: every hit, spreadsheet-safe CSV, scorecards, the printable report."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from cli import app
from config.platform import load_platform
from index.exports import SEARCH_COLUMNS, commune_report, commune_report_pdf, safe_cell, scorecard_rows, to_csv
from index.scorecards import Cell, Scorecard, scorecards

DEMANDS = {d.id: d.title for d in load_platform().demands}


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x","clic")', "+33 1 23", "-1+2", "@SUM(A1)", "\tinjecté"])
def test_cells_a_spreadsheet_would_run_are_kept_as_text(formula: str) -> None:
    assert safe_cell(formula) == "'" + formula
    assert safe_cell("Liste « Demain » 2026") == "Liste « Demain » 2026"


def test_csv_has_a_header_and_an_optional_bom() -> None:
    rows = [{"list": "=1+1", "commune": "Moulins-sur-Lys", "page": 2}]
    plain, with_bom = to_csv(rows, SEARCH_COLUMNS), to_csv(rows, SEARCH_COLUMNS, bom=True)
    assert with_bom == "\ufeff" + plain
    parsed = list(csv.DictReader(io.StringIO(plain)))
    assert parsed[0]["list"] == "'=1+1" and parsed[0]["page"] == "2" and parsed[0]["demand"] == ""


@pytest.mark.es
@pytest.mark.prefect
def test_exports_and_the_report_come_from_the_indexed_corpus(corpus, tmp_path) -> None:
    client, prefix = corpus
    cards = scorecards(client, prefix, list(DEMANDS), commune="Moulins-sur-Lys")
    rows = list(scorecard_rows(cards))
    assert len(rows) == 3 * 14
    report = commune_report("Moulins-sur-Lys", cards, DEMANDS)
    assert report.count("<tr>") == 1 + 3
    assert "opérateur privé" in report and "<script" not in report

    host = client.transport.hosts[0]
    env = {"VIGIE_ES_URL": f"http://{host['host']}:{host['port']}", "VIGIE_INDEX_PREFIX": prefix, "VIGIE_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    exported = runner.invoke(app, ["export", "search", "--demand", "D07", "--format", "json"], env=env)
    assert exported.exit_code == 0, exported.output
    hits = json.loads(exported.output)
    assert hits and {hit["demand"] for hit in hits} == {"D07"}
    target = tmp_path / "moulins.html"
    made = runner.invoke(app, ["report", "--commune", "59698", "--out", str(target)], env=env)
    assert made.exit_code == 0, made.output
    assert "Moulins en commun" in target.read_text(encoding="utf-8")

    printed = tmp_path / "moulins.pdf"
    made = runner.invoke(app, ["report", "--commune", "59698", "--format", "pdf", "--out", str(printed)], env=env)
    assert made.exit_code == 0, made.output
    text = pdf_text(printed.read_bytes())
    assert "Moulins-sur-Lys : les listes face aux 14 exigences" in text
    assert all(label in text for label in ("Moulins en commun", "Moulins Avenir", "Moulins Citoyens"))
    water = cards[[c.list_label for c in cards].index("Moulins Avenir")].cells["D03"]
    assert " ".join(water.quotation.split()[:4]) in " ".join(text.split())


def pdf_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_the_pdf_report_prints_programme_text_as_text_never_as_markup() -> None:
    hostile = "<b>gras</b> & <script>alert(1)</script> <font size=40>"
    card = Scorecard(
        list_key="59999-1", list_label=hostile, commune="Essai-sur-Mer", commune_insee="59999", departement="59",
        nuance="LDIV", head_of_list="Camille Essai",
        cells={d: Cell(d, "absent") for d in DEMANDS} | {"D07": Cell("D07", "commitment", 1, f"Un centre de santé {hostile}", 1, "/a.pdf#page=1")},
    )  # fmt: skip
    text = " ".join(pdf_text(commune_report_pdf("Essai-sur-Mer", [card], DEMANDS)).split())
    assert "<b>gras</b> & <script>alert(1)</script> <font size=40>" in text
    assert "Un centre de santé <b>gras</b>" in text
