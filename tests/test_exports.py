"""Exports: every hit, spreadsheet-safe CSV, scorecards, the printable report."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from config.platform import load_platform
from flows.cli import app
from index.exports import SEARCH_COLUMNS, commune_report, safe_cell, scorecard_rows, to_csv
from index.scorecards import scorecards

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
