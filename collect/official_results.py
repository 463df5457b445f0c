"""The Ministry's results by commune (2026 layout), read one commune row at a time.

A bad row becomes a `RowWarning` naming its line and column and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from config.errors import ConfigError
from collect.official import (
    RESULTS_BLOCK,
    RESULTS_FIXED,
    Layout,
    RowWarning,
    _BadRow,
    _data_rows,
    _departement_code,
    _flag,
    _insee,
    _number,
    _SKIPPED,
    _width_warning,
    detect_layout,
)


@dataclass(frozen=True, slots=True)
class ListResult:
    """One list's result in one commune."""

    commune_insee: str
    commune: str
    departement_code: str
    panel: int
    nuance_code: str
    list_short_label: str
    list_label: str
    head_of_list: str
    """"Prénom NOM"; empty in first-round files."""
    votes: int
    percent_expressed: float | None
    seats_council: int
    seats_community: int
    elected: bool
    """"Elu" set, or else the most seats in the commune (ties broken by votes)."""
    round: int
    line: int

    @property
    def list_key(self) -> str:
        return f"{self.commune_insee}-{self.panel}"


_ROUND_IN_NAME = re.compile(r"(?:tour|(?<![a-z])t)[-_ ]?([12])(?![0-9])")


def read_results(path: Path, *, round: int | None = None) -> Iterator[ListResult | RowWarning]:
    """Every list of a 2026 results-by-commune file, one commune row at a time.

    `round` defaults to the one in the file name ("tour2", "t1"); without it,
    round 1 is assumed with a warning.
    """
    path = Path(path)
    layout = detect_layout(path)
    if layout.name != "results-2026":
        raise ConfigError("this is a candidate-list file, not a results file; import it with `vigie lists import`", source=str(path))
    if round is None:
        round = _round_from_name(path)
    if round is None:
        yield RowWarning(
            str(path), None, None,
            "cannot tell the round from the file name; round 1 assumed (put 'tour2' in the name of a second-round file)",
        )  # fmt: skip
        round = 1
    pending: list[RowWarning] = []
    for line, cells in _data_rows(path, layout, pending):
        yield from pending
        pending.clear()
        yield from _commune_results(str(path), layout, line, cells, round)
    yield from pending


def _round_from_name(path: Path) -> int | None:
    match = _ROUND_IN_NAME.search(path.stem.lower())
    return int(match.group(1)) if match else None


def _commune_results(path: str, layout: Layout, line: int, cells: list[str], round: int) -> Iterator[ListResult | RowWarning]:
    while len(cells) > len(layout.columns) and not cells[-1]:
        cells = cells[:-1]
    if len(cells) < len(RESULTS_FIXED) or len(cells) > len(layout.columns):
        yield _width_warning(path, line, cells, RESULTS_FIXED if len(cells) < len(RESULTS_FIXED) else layout.columns)
        return
    departement_code = _departement_code(cells[0])
    try:
        insee = _insee(departement_code, cells[2], RESULTS_FIXED[2])
    except _BadRow as bad:
        yield RowWarning(path, line, bad.column, f"{bad.message}; {_SKIPPED}")
        return
    found: list[ListResult] = []
    for number, start in enumerate(range(len(RESULTS_FIXED), len(cells), len(RESULTS_BLOCK)), start=1):
        block = (cells[start : start + len(RESULTS_BLOCK)] + [""] * len(RESULTS_BLOCK))[: len(RESULTS_BLOCK)]
        if not any(block):
            continue
        try:
            found.append(_list_result(dict(zip(RESULTS_BLOCK, block)), number, insee, cells[3], departement_code, round, line))
        except _BadRow as bad:
            yield RowWarning(path, line, bad.column, f"{bad.message}; this list is skipped, the rest is imported")
    winners = _winners(found)
    for position, result in enumerate(found):
        yield replace(result, elected=position in winners)


def _list_result(block: dict[str, str], number: int, insee: str, commune: str, departement_code: str, round: int, line: int) -> ListResult:
    def column(name: str) -> str:
        return f"{name} {number}"

    return ListResult(
        commune_insee=insee,
        commune=commune,
        departement_code=departement_code,
        panel=_number(block["Numéro de panneau"], column("Numéro de panneau")),
        nuance_code=block["Nuance liste"],
        list_short_label=block["Libellé abrégé de liste"],
        list_label=block["Libellé de liste"] or block["Libellé abrégé de liste"],
        head_of_list=f"{block['Prénom candidat']} {block['Nom candidat']}".strip(),
        votes=_number(block["Voix"], column("Voix")),
        percent_expressed=_percent(block["% Voix/exprimés"], column("% Voix/exprimés")),
        seats_council=_number(block["Sièges au CM"], column("Sièges au CM")) if block["Sièges au CM"] else 0,
        seats_community=_number(block["Sièges au CC"], column("Sièges au CC")) if block["Sièges au CC"] else 0,
        elected=_flag(block["Elu"]),
        round=round,
        line=line,
    )


def _percent(value: str, column: str) -> float | None:
    if not value:
        return None
    try:
        return float(value.rstrip("%").strip().replace(",", ".").replace("\u00a0", ""))
    except ValueError:
        raise _BadRow(column, f"{value!r} is not a percentage like '60,00%'") from None


def _winners(found: list[ListResult]) -> set[int]:
    """Positions of the winning lists: those marked "Elu", or else the most seats (no seats: no winner yet)."""
    marked = {position for position, result in enumerate(found) if result.elected}
    if marked or not found:
        return marked
    best = max((result.seats_council, result.votes) for result in found)
    if best[0] == 0:
        return set()
    return {position for position, result in enumerate(found) if (result.seats_council, result.votes) == best}
