"""Importing the Ministry's candidate lists (2026 and 2020 layouts) and 2026 results."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from config.errors import ConfigError
from collect.official import HEADER_2026, RowWarning, detect_layout, read_candidates
from collect.official_import import ImportSummary, import_lists, import_results
from storage.catalogue import Catalogue
from storage.schema import candidates, communes, lists, results
from collect.sources import read_sources
from tests.conftest import SAMPLES

ELECTIONS = SAMPLES / "elections"
LISTS_2026 = ELECTIONS / "listes-2026-tour1.csv"
LISTS_2020 = ELECTIONS / "listes-2020-tour1.txt"
RESULTS_2026 = ELECTIONS / "resultats-2026-tour1.csv"


@pytest.fixture
def catalogue(tmp_path: Path) -> Catalogue:
    return Catalogue(f"sqlite:///{tmp_path}/c.sqlite")


def read_2026(path: Path = LISTS_2026) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write_2026(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return path


def stored_lists(catalogue: Catalogue) -> dict[str, tuple[str, str, str]]:
    with catalogue.engine.connect() as db:
        rows = db.execute(select(lists.c.list_key, lists.c.label, lists.c.nuance, lists.c.head_of_list)).all()
    return {row.list_key: (row.label, row.nuance, row.head_of_list) for row in rows}


def count(catalogue: Catalogue, table) -> int:
    with catalogue.engine.connect() as db:
        return db.execute(select(func.count()).select_from(table)).scalar_one()


def collecting() -> tuple[list[RowWarning], Callable[[RowWarning], None]]:
    seen: list[RowWarning] = []
    return seen, seen.append


def test_the_script_rebuilds_the_election_samples_byte_for_byte(tmp_path: Path) -> None:
    shutil.copy(ELECTIONS / "make_elections.py", tmp_path / "make_elections.py")
    subprocess.run([sys.executable, str(tmp_path / "make_elections.py")], check=True, capture_output=True)
    for sample in (LISTS_2026, LISTS_2020, RESULTS_2026):
        assert (tmp_path / sample.name).read_bytes() == sample.read_bytes(), sample.name


# Layouts ------------------------------------------------------------------


def test_each_layout_is_detected_with_its_encoding() -> None:
    layout_2026, layout_2020, layout_results = detect_layout(LISTS_2026), detect_layout(LISTS_2020), detect_layout(RESULTS_2026)
    assert (layout_2026.name, layout_2026.encoding, layout_2026.delimiter, layout_2026.header_line) == ("2026", "utf-8-sig", ";", 1)
    assert (layout_2020.name, layout_2020.encoding, layout_2020.delimiter, layout_2020.header_line) == ("2020", "cp1252", "\t", 3)
    assert (layout_results.name, layout_results.encoding, len(layout_results.columns)) == ("results-2026", "utf-8", 18 + 3 * 13)


def test_a_file_of_another_kind_is_refused_naming_the_file(tmp_path: Path) -> None:
    other = tmp_path / "communes.csv"
    other.write_text("TYPECOM,COM,REG,DEP\nCOM,01001,84,01\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        detect_layout(other)
    assert str(caught.value).startswith(f"{other}, line 1: not a candidate-list or results file: expected the 2026 layout")
    assert "Download the file again from data.gouv.fr" in str(caught.value)


def test_a_header_without_a_column_names_the_missing_column(tmp_path: Path) -> None:
    rows = [row[:-1] for row in read_2026()]
    with pytest.raises(ConfigError, match=r"line 1: unexpected header: missing column\(s\) 'CC'; expected the 17 columns"):
        detect_layout(write_2026(tmp_path / "sans-cc.csv", rows))


def test_the_tables_are_created_by_a_catalogue_built_after_the_import(catalogue: Catalogue) -> None:
    assert {"communes", "candidates", "results", "lists"} <= set(inspect(catalogue.engine).get_table_names())


# Candidate lists ----------------------------------------------------------


def test_the_2026_sample_imports_every_list_with_the_heads_of_sources_csv(catalogue: Catalogue) -> None:
    summary = import_lists(LISTS_2026, catalogue)
    assert summary.line() == "lists: 6 new, 0 updated, 0 unchanged; candidates: 40; warnings: 0"
    stored = stored_lists(catalogue)
    for source in read_sources(SAMPLES / "sources.csv"):
        expected = source.candidate_list
        assert stored[expected.key] == (expected.label, expected.nuance, expected.head_of_list)
    assert stored["97497-1"] == ("Ravine ensemble", "", "Joséphine Payetanne")  # a small commune: no nuance
    assert (count(catalogue, communes), count(catalogue, candidates)) == (3, 40)


def test_the_2020_latin1_sample_realigns_the_shifted_row_and_names_its_line(catalogue: Catalogue) -> None:
    shifted_line = 1 + LISTS_2020.read_bytes().split(b"\r\n").index(
        next(line for line in LISTS_2020.read_bytes().split(b"\r\n") if b"SORVIGNY\tAUTREMENT" in line)
    )
    warnings, warn = collecting()
    summary = import_lists(LISTS_2020, catalogue, on_warning=warn)
    assert summary.line() == "lists: 5 new, 0 updated, 0 unchanged; candidates: 29; warnings: 1"
    assert str(warnings[0]).startswith(
        f"{LISTS_2020}, line {shifted_line}, column 'Libellé abrégé liste': the row is shifted one column to the right"
    )
    realigned = next(c for c in read_candidates(LISTS_2020) if not isinstance(c, RowWarning) and c.line == shifted_line)
    assert (realigned.list_short_label, realigned.rank, realigned.sex, realigned.surname, realigned.first_name) == (
        "SORVIGNY AUTREMENT", 3, "F", "COURTEBRAY", "Hélène",
    )  # fmt: skip
    stored = stored_lists(catalogue)
    assert stored["59698-1"] == ("Moulins en commun", "LUG", "Élise VANDERBEKE-MOULARD")
    assert stored["97497-1"][2] == "Joséphine PAYETANNE"  # overseas: "974" + commune part "97"


def test_a_bad_row_is_skipped_naming_its_line_and_column_and_the_rest_is_imported(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = read_2026()
    rows[5][4] = "X"  # line 6: the panel number
    rows[12] = rows[12][:-1]  # line 13: no CC column
    warnings, warn = collecting()
    summary = import_lists(write_2026(tmp_path / "listes.csv", rows), catalogue, on_warning=warn)
    assert summary.line() == "lists: 6 new, 0 updated, 0 unchanged; candidates: 38; warnings: 2"
    assert [str(w) for w in warnings] == [
        f"{tmp_path / 'listes.csv'}, line 6, column 'Numéro de panneau': 'X' is not a whole number; "
        "row skipped, the rest is imported; correct the file and import it again (re-importing is safe)",
        f"{tmp_path / 'listes.csv'}, line 13, column 'CC': missing: the row has 16 columns instead of 17 (this one and "
        "the following are absent; look for a lost separator or a line break inside a field); "
        "row skipped, the rest is imported; correct the file and import it again (re-importing is safe)",
    ]
    assert count(catalogue, candidates) == 38


def test_a_line_that_is_not_utf8_is_read_as_windows_1252_with_a_warning(tmp_path: Path, catalogue: Catalogue) -> None:
    data = LISTS_2026.read_bytes().replace('"Élise"'.encode(), '"Élise"'.encode("cp1252"), 1)
    path = tmp_path / "listes.csv"
    path.write_bytes(data)
    warnings, warn = collecting()
    summary = import_lists(path, catalogue, on_warning=warn)
    assert (summary.candidates, [(w.line, w.message) for w in warnings]) == (
        40, [(2, "not valid UTF-8; read as Windows-1252, check the accents on this line")],
    )  # fmt: skip
    assert stored_lists(catalogue)["59698-1"][2] == "Élise Vanderbeke-Moulard"


def test_reimporting_the_same_file_changes_nothing(catalogue: Catalogue) -> None:
    import_lists(LISTS_2026, catalogue)
    again = import_lists(LISTS_2026, catalogue)
    assert again.line() == "lists: 0 new, 0 updated, 6 unchanged; candidates: 40; warnings: 0"
    assert (count(catalogue, lists), count(catalogue, candidates)) == (6, 40)


def test_a_corrected_file_updates_one_list_and_adds_one_without_duplicates(tmp_path: Path, catalogue: Catalogue) -> None:
    import_lists(LISTS_2026, catalogue)
    rows = read_2026()
    for row in rows:
        if row[2:5] == ["59698", "Moulins-sur-Lys", "3"]:
            row[7:9] = ["LDVC", "Liste divers centre"]
    template = next(row for row in rows if row[2] == "62991")
    for rank, (sex, surname, first) in enumerate([("M", "Orbelain", "Serge"), ("F", "Quatrevaux", "Lina")] * 3, start=1):
        rows.append(template[:4] + ["3", "SORVIGNY D'ABORD", "Sorvigny d'abord", "LDVD", "Liste divers droite",
                                    "OUI" if rank == 1 else "", str(rank), sex, surname, first, "FRA", "", ""])  # fmt: skip
    summary = import_lists(write_2026(tmp_path / "listes-corrigees.csv", rows), catalogue)
    assert summary.line() == "lists: 1 new, 1 updated, 5 unchanged; candidates: 46; warnings: 0"
    stored = stored_lists(catalogue)
    assert stored["59698-3"] == ("Moulins Citoyens", "LDVC", "Nadia Sorbiac")
    assert stored["62991-3"] == ("Sorvigny d'abord", "LDVD", "Serge Orbelain")
    assert (count(catalogue, lists), count(catalogue, candidates)) == (7, 46)


def test_a_new_head_updates_the_list_and_a_shortened_list_loses_its_last_candidates(tmp_path: Path, catalogue: Catalogue) -> None:
    import_lists(LISTS_2026, catalogue)
    rows = [row for row in read_2026() if not (row[2] == "59698" and row[4] == "1" and row[10] == "7")]
    head = next(row for row in rows if row[2] == "62991" and row[4] == "2" and row[9] == "OUI")
    head[13] = "Sandrine-Alix"
    summary = import_lists(write_2026(tmp_path / "listes.csv", rows), catalogue)
    assert summary.line() == "lists: 0 new, 1 updated, 5 unchanged; candidates: 39; warnings: 0"
    assert stored_lists(catalogue)["62991-2"][2] == "Sandrine-Alix Moreuil-Dachy"
    assert count(catalogue, candidates) == 39


def test_a_list_without_its_head_row_keeps_its_recorded_head_with_a_warning(tmp_path: Path, catalogue: Catalogue) -> None:
    import_lists(LISTS_2026, catalogue)
    rows = [row for row in read_2026() if not (row[2] == "59698" and row[4] == "2" and row[9] == "OUI")]
    warnings, warn = collecting()
    summary = import_lists(write_2026(tmp_path / "listes.csv", rows), catalogue, on_warning=warn)
    assert summary.line() == "lists: 0 new, 0 updated, 6 unchanged; candidates: 39; warnings: 1"
    assert str(warnings[0]).startswith(f"{tmp_path / 'listes.csv'}, line 9: list 59698-2 has no head of list")
    assert stored_lists(catalogue)["59698-2"][2] == "Bertrand Castelnoy"


def test_a_results_file_is_refused_by_the_list_importer(catalogue: Catalogue) -> None:
    with pytest.raises(ConfigError, match="this is a results file, not a candidate-list file; import it with `vigie results import`"):
        import_lists(RESULTS_2026, catalogue)


def test_the_summary_line_and_json_carry_the_same_counts() -> None:
    summary = ImportSummary(lists_new=1, lists_updated=2, lists_unchanged=3, candidates=4, warnings=5)
    assert summary.line() == "lists: 1 new, 2 updated, 3 unchanged; candidates: 4; warnings: 5"
    assert json.loads(json.dumps(summary.to_json())) == {
        "lists_new": 1, "lists_updated": 2, "lists_unchanged": 3, "candidates": 4, "warnings": 5,
    }  # fmt: skip


def write_large_file(path: Path, rows: int) -> None:
    """A 2026-layout file of `rows` candidates: 15 per list, 2 lists per commune."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(HEADER_2026)
        for number in range(rows):
            commune, rest = divmod(number, 30)
            panel, rank = divmod(rest, 15)
            writer.writerow([
                "01", "Ain", f"{commune + 1:05d}", f"Commune fictive {commune + 1}", panel + 1, "LISTE",
                "Liste fictive pour le test de mémoire", "LDIV", "Liste divers", "OUI" if rank == 0 else "",
                rank + 1, "FM"[rank % 2], f"NOMFICTIF{rank}", f"Prénom{rank}", "FRA", "", "",
            ])  # fmt: skip


def test_a_large_file_is_imported_in_bounded_memory(tmp_path: Path, catalogue: Catalogue) -> None:
    # 50,000 rows, 6.4 MB on disk. Held at once as Candidate objects they take
    # about 42 MB (measured with tracemalloc); streaming in batches of 2,000
    # peaks near 4 MB. 16 MB leaves room for SQLAlchemy's caches and Python
    # versions, and still fails any import that loads the whole file (the
    # real 2026 file is 888,000 rows).
    path = tmp_path / "listes-grandes.csv"
    write_large_file(path, 50_000)
    tracemalloc.start()
    try:
        summary = import_lists(path, catalogue)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary.line() == "lists: 3334 new, 0 updated, 0 unchanged; candidates: 50000; warnings: 0"
    assert peak < 16 * 1024 * 1024, f"peak traced memory {peak / 1e6:.1f} MB"


# Results ------------------------------------------------------------------


def stored_results(catalogue: Catalogue) -> dict[str, tuple]:
    with catalogue.engine.connect() as db:
        rows = db.execute(select(results)).all()
    return {
        row.list_key: (row.votes, row.percent_expressed, row.elected, row.seats_council, row.seats_community, row.round)
        for row in rows
    }


def test_first_round_results_mark_the_lists_with_the_most_seats(catalogue: Catalogue) -> None:
    summary = import_results(RESULTS_2026, catalogue)
    assert summary.line() == "results: 6 lists, 2 elected; warnings: 0"
    assert summary.to_json() == {"lists": 6, "elected": 2, "warnings": 0}
    stored = stored_results(catalogue)
    assert stored["62991-1"] == (38, 57.58, True, 5, 1, 1)
    assert stored["62991-2"] == (28, 42.42, False, 2, 0, 1)
    assert stored["97497-1"] == (34, 100.0, True, 5, 1, 1)  # a short row: one list only
    assert stored["59698-1"] == (32, 47.06, False, 0, 0, 1)  # no majority: a second round, no seats yet


def second_round_file(tmp_path: Path) -> Path:
    """Moulins-sur-Lys's second round: lists 1 and 2, "Elu" set on the winner, seats not yet filled in."""
    with RESULTS_2026.open(encoding="utf-8", newline="") as handle:
        header, moulins = list(csv.reader(handle, delimiter=";"))[:2]
    block_1, block_2 = moulins[18:31], moulins[31:44]
    block_1[1:4], block_1[7], block_1[9], block_1[10] = ["Vanderbeke-Moulard", "Élise", "F"], "39", "56,52%", "OUI"
    block_2[1:4], block_2[7], block_2[9] = ["Castelnoy", "Bertrand", "M"], "30", "43,48%"
    path = tmp_path / "resultats-2026-tour2.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\n").writerows([header[:44], moulins[:18] + block_1 + block_2])
    return path


def test_second_round_results_follow_elu_and_are_not_replaced_by_the_first_round(tmp_path: Path, catalogue: Catalogue) -> None:
    import_results(RESULTS_2026, catalogue)
    summary = import_results(second_round_file(tmp_path), catalogue)
    assert summary.line() == "results: 2 lists, 1 elected; warnings: 0"
    assert stored_results(catalogue)["59698-1"] == (39, 56.52, True, 0, 0, 2)
    import_results(RESULTS_2026, catalogue)
    stored = stored_results(catalogue)
    assert (stored["59698-1"][5], stored["59698-2"][5], stored["59698-3"][5]) == (2, 2, 1)


def test_a_results_file_without_its_round_in_the_name_is_warned(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "resultats.csv"
    path.write_bytes(RESULTS_2026.read_bytes())
    warnings, warn = collecting()
    summary = import_results(path, catalogue, on_warning=warn)
    assert summary.line() == "results: 6 lists, 2 elected; warnings: 1"
    assert str(warnings[0]) == (
        f"{path}: cannot tell the round from the file name; round 1 assumed (put 'tour2' in the name of a second-round file)"
    )


def test_a_bad_vote_count_skips_that_list_only(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "resultats-tour1.csv"
    path.write_bytes(RESULTS_2026.read_bytes().replace(b";22;25,00%;", b";vingt;25,00%;"))
    warnings, warn = collecting()
    summary = import_results(path, catalogue, on_warning=warn)
    assert summary.line() == "results: 5 lists, 2 elected; warnings: 1"
    assert (warnings[0].line, warnings[0].column) == (2, "Voix 2")
