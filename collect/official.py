"""The Ministry's official files: their layouts, and the candidate lists read.

Reads the official files one row at a time (the 2026 first-round list file has
888,000 rows): candidate lists in the 2026 layout (``;``, UTF-8) or the 2020
layout (tab, Latin-1, title lines); the 2026 results by commune are read by
`collect.official_results`, and both are imported by `collect.official_import`.
A bad row becomes a `RowWarning` naming its line and column and is skipped;
the rest is imported.

The layouts (columns, encodings, the 2020 file's shifted rows) are those of
the project's data-formats notes.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from config.errors import ConfigError

__all__ = [
    "HEADER_2020",
    "HEADER_2026",
    "RESULTS_BLOCK",
    "RESULTS_FIXED",
    "Candidate",
    "Layout",
    "RowWarning",
    "detect_layout",
    "read_candidates",
]


HEADER_2026 = (
    "Code département", "Département", "Code circonscription", "Circonscription", "Numéro de panneau",
    "Libellé abrégé de liste", "Libellé de la liste", "Code nuance de liste", "Nuance de liste", "Tête de liste",
    "Ordre", "Sexe", "Nom sur le bulletin de vote", "Prénom sur le bulletin de vote", "Nationalité",
    "Code personnalité", "CC",
)  # fmt: skip
FIELDS_2026 = (
    "departement_code", "departement", "commune_code", "commune", "panel", "list_short_label", "list_label",
    "nuance_code", "nuance_label", "head", "rank", "sex", "surname", "first_name", "nationality", "personality",
    "community_council",
)  # fmt: skip

HEADER_2020 = (
    "Code du département", "Libellé du département", "Code commune", "Libellé commune", "N° Panneau Liste",
    "Libellé abrégé liste", "Libellé Etendu Liste", "Nuance Liste", "N° candidat", "Sexe candidat", "Nom candidat",
    "Prénom candidat", "Nationalité", "Candidat au conseil communautaire",
)  # fmt: skip
FIELDS_2020 = (
    "departement_code", "departement", "commune_code", "commune", "panel", "list_short_label", "list_label",
    "nuance_code", "rank", "sex", "surname", "first_name", "nationality", "community_council",
)  # fmt: skip

RESULTS_FIXED = (
    "Code département", "Libellé département", "Code commune", "Libellé commune", "Inscrits", "Votants",
    "% Votants", "Abstentions", "% Abstentions", "Exprimés", "% Exprimés/inscrits", "% Exprimés/votants",
    "Blancs", "% Blancs/inscrits", "% Blancs/votants", "Nuls", "% Nuls/inscrits", "% Nuls/votants",
)  # fmt: skip
RESULTS_BLOCK = (
    "Numéro de panneau", "Nom candidat", "Prénom candidat", "Sexe candidat", "Nuance liste",
    "Libellé abrégé de liste", "Libellé de liste", "Voix", "% Voix/inscrits", "% Voix/exprimés", "Elu",
    "Sièges au CM", "Sièges au CC",
)  # fmt: skip

LayoutName = Literal["2026", "2020", "results-2026"]
_SNIFF_BYTES = 64 * 1024
_NO = {"", "N", "NON", "0", "FAUX", "FALSE"}
_SKIPPED = "row skipped, the rest is imported; correct the file and import it again (re-importing is safe)"


def _latin1_for_undefined(error: UnicodeDecodeError) -> tuple[str, int]:
    # Five bytes are undefined in Windows-1252; Latin-1 maps every byte, so a
    # "Latin-1" file that also uses 1252's œ, € or ’ still reads in full.
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("vigie-latin1", _latin1_for_undefined)


@dataclass(frozen=True)
class Layout:
    name: LayoutName
    encoding: str
    """"utf-8-sig" (BOM), "utf-8" or "cp1252" (Latin-1 files read as their Windows superset)."""
    delimiter: str
    header_line: int
    """1-based line of the header; data rows follow it."""
    columns: tuple[str, ...]


@dataclass(frozen=True)
class RowWarning:
    """A problem with one row (or, with `line` None, the whole file) that did not stop the import."""

    path: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate row, the same whatever the file's layout."""

    commune_insee: str
    commune: str
    departement_code: str
    departement: str
    panel: int
    list_short_label: str
    list_label: str
    nuance_code: str
    nuance_label: str
    """Empty in the 2020 layout, which has the code only."""
    rank: int
    sex: str
    surname: str
    first_name: str
    nationality: str
    community_council: bool
    is_head: bool
    line: int

    @property
    def list_key(self) -> str:
        return f"{self.commune_insee}-{self.panel}"

    @property
    def full_name(self) -> str:
        """"Prénom NOM", names as the file writes them (the real files put surnames in capitals)."""
        return f"{self.first_name} {self.surname}".strip()


class _BadRow(Exception):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# --------------------------------------------------------------------------
# Layout detection
# --------------------------------------------------------------------------


def detect_layout(path: Path) -> Layout:
    """The layout of a Ministry file, from its first 64 KB; a ConfigError naming the file otherwise."""
    path = Path(path)
    sample = _head_bytes(path)
    encoding = _sniff_encoding(sample)
    lines = _decode_sample(sample, encoding).splitlines()
    first = lines[0] if lines else ""
    if first.count(";") >= 3:  # a header; a 2020 title line could hold a stray ';'
        return _semicolon_layout(path, encoding, _cells(first, ";"))
    if any("\t" in line for line in lines[:3]):
        return _tab_layout(path, encoding, lines)
    raise ConfigError(
        "not a candidate-list or results file: expected the 2026 layout (';'-separated, header "
        f"'{';'.join(HEADER_2026[:3])};…') or the 2020 layout (tab-separated: a title line, a blank line, "
        f"then the header '{HEADER_2020[0]}<tab>{HEADER_2020[1]}<tab>…'); line 1 reads {first[:80]!r}. "
        "Download the file again from data.gouv.fr, or check that a spreadsheet did not re-save it",
        source=str(path),
        field="line 1",
    )


def _head_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            sample = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror}); check the path", source=str(path)) from exc
    if not sample.strip():
        raise ConfigError("the file is empty; download it again from data.gouv.fr", source=str(path))
    return sample


def _sniff_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if len(sample) == _SNIFF_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n")]  # never cut a UTF-8 sequence in two
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _decode_sample(sample: bytes, encoding: str) -> str:
    return sample.decode(encoding, errors="vigie-latin1" if encoding == "cp1252" else "replace")


def _cells(line: str, delimiter: str) -> list[str]:
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    cells = [unicodedata.normalize("NFC", cell).strip() for cell in next(csv.reader([line], delimiter=delimiter, quoting=quoting))]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _semicolon_layout(path: Path, encoding: str, header: list[str]) -> Layout:
    if tuple(header) == HEADER_2026:
        return Layout("2026", encoding, ";", 1, HEADER_2026)
    if tuple(header[: len(RESULTS_FIXED)]) == RESULTS_FIXED:
        return Layout("results-2026", encoding, ";", 1, _results_columns(path, header))
    looks_like_results = len(set(header) & set(RESULTS_FIXED)) > len(set(header) & set(HEADER_2026))
    expected = RESULTS_FIXED if looks_like_results else HEADER_2026
    what = "the 18 first columns of the 2026 results file" if looks_like_results else "the 17 columns of the 2026 candidate-list file"
    raise ConfigError(
        f"unexpected header: {_header_difference(header, expected)}; expected {what}: {'; '.join(expected)}. "
        "Use the Ministry's file as published on data.gouv.fr, unmodified",
        source=str(path),
        field="line 1",
    )


def _header_difference(header: list[str], expected: tuple[str, ...]) -> str:
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(repr(name) for name in missing))
    if unknown:
        parts.append("unknown column(s) " + ", ".join(repr(name) for name in unknown[:5]))
    return "; ".join(parts) or "the columns are in another order"


def _results_columns(path: Path, header: list[str]) -> tuple[str, ...]:
    blocks = header[len(RESULTS_FIXED) :]
    for position, name in enumerate(blocks):
        number, offset = divmod(position, len(RESULTS_BLOCK))
        expected = f"{RESULTS_BLOCK[offset]} {number + 1}"
        if name != expected:
            raise ConfigError(
                f"column {len(RESULTS_FIXED) + position + 1} is {name!r}, expected {expected!r}: after the 18 commune "
                f"columns come blocks of {len(RESULTS_BLOCK)} columns per list, numbered 1, 2, …",
                source=str(path),
                field="line 1",
            )
    if len(blocks) % len(RESULTS_BLOCK):
        missing = RESULTS_BLOCK[len(blocks) % len(RESULTS_BLOCK)]
        raise ConfigError(
            f"the last list block is incomplete: {missing!r} and the following columns are missing",
            source=str(path),
            field="line 1",
        )
    return tuple(header)


def _tab_layout(path: Path, encoding: str, lines: list[str]) -> Layout:
    # Header on line 3 after a title and a blank line, as published; line 1 if
    # someone removed them.
    if tuple(_cells(lines[0], "\t")) == HEADER_2020:
        return Layout("2020", encoding, "\t", 1, HEADER_2020)
    if len(lines) >= 3 and not lines[1].strip() and tuple(_cells(lines[2], "\t")) == HEADER_2020:
        return Layout("2020", encoding, "\t", 3, HEADER_2020)
    line, header = (3, _cells(lines[2], "\t")) if len(lines) >= 3 and "\t" in lines[2] else (1, _cells(lines[0], "\t"))
    raise ConfigError(
        f"not the 2020 candidate-list layout: {_header_difference(header, HEADER_2020)}; expected a title line, "
        f"a blank line, then the {len(HEADER_2020)} tab-separated columns {', '.join(HEADER_2020)}. "
        "The 2020 second-round file (19 columns) is not supported",
        source=str(path),
        field=f"line {line}",
    )


# --------------------------------------------------------------------------
# Reading rows
# --------------------------------------------------------------------------


def _decoded_lines(handle: BinaryIO, encoding: str, path: str, warnings: list[RowWarning]) -> Iterator[str]:
    """Each physical line decoded on its own, so one bad byte costs one warning, not the file."""
    errors = "vigie-latin1" if encoding == "cp1252" else "strict"
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode(encoding, errors)
        except UnicodeDecodeError:
            warnings.append(RowWarning(path, number, None, "not valid UTF-8; read as Windows-1252, check the accents on this line"))
            yield raw.decode("cp1252", "vigie-latin1")


def _data_rows(path: Path, layout: Layout, warnings: list[RowWarning]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of every non-blank row after the header, read lazily."""
    quoting = csv.QUOTE_NONE if layout.delimiter == "\t" else csv.QUOTE_MINIMAL
    with path.open("rb") as handle:
        reader = csv.reader(_decoded_lines(handle, layout.encoding, str(path), warnings), delimiter=layout.delimiter, quoting=quoting)
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                warnings.append(RowWarning(str(path), line, None, f"unreadable row ({exc}); {_SKIPPED}"))
                continue
            if line > layout.header_line and any(cell.strip() for cell in cells):
                yield line, [cell.strip() for cell in cells]


def read_candidates(path: Path) -> Iterator[Candidate | RowWarning]:
    """Every candidate of a list file (2026 or 2020 layout), one row at a time, with a warning per bad row."""
    path = Path(path)
    layout = detect_layout(path)
    if layout.name == "results-2026":
        raise ConfigError("this is a results file, not a candidate-list file; import it with `vigie results import`", source=str(path))
    parse = _parse_2026 if layout.name == "2026" else _parse_2020
    pending: list[RowWarning] = []
    for line, cells in _data_rows(path, layout, pending):
        yield from pending
        pending.clear()
        yield from parse(str(path), line, cells)
    yield from pending


def _parse_2026(path: str, line: int, cells: list[str]) -> Iterator[Candidate | RowWarning]:
    if len(cells) != len(HEADER_2026):
        yield _width_warning(path, line, cells, HEADER_2026)
        return
    yield _candidate_or_warning(path, line, cells, FIELDS_2026, HEADER_2026)


def _parse_2020(path: str, line: int, cells: list[str]) -> Iterator[Candidate | RowWarning]:
    if _shifted_2020(cells):
        yield RowWarning(
            path, line, HEADER_2020[5],
            "the row is shifted one column to the right (this label spans two columns); realigned by joining "
            "the two parts, check this list's short label",
        )  # fmt: skip
        cells = cells[:5] + [" ".join(part for part in cells[5:7] if part)] + cells[7:]
    while len(cells) > len(HEADER_2020) and not cells[-1]:
        cells = cells[:-1]  # the trailing tab of every row
    if len(cells) != len(HEADER_2020):
        yield _width_warning(path, line, cells, HEADER_2020)
        return
    yield _candidate_or_warning(path, line, cells, FIELDS_2020, HEADER_2020)


def _shifted_2020(cells: list[str]) -> bool:
    """One cell too many before the candidate number: it sits in 'Sexe candidat', the sex in 'Nom candidat'."""
    return len(cells) > len(HEADER_2020) and not _is_number(cells[8]) and _is_number(cells[9]) and cells[10].upper() in {"M", "F"}


def _width_warning(path: str, line: int, cells: list[str], header: tuple[str, ...]) -> RowWarning:
    if len(cells) < len(header):
        return RowWarning(
            path, line, header[len(cells)],
            f"missing: the row has {len(cells)} columns instead of {len(header)} (this one and the following are "
            f"absent; look for a lost separator or a line break inside a field); {_SKIPPED}",
        )  # fmt: skip
    return RowWarning(
        path, line, str(len(header) + 1),
        f"unknown column: the row has {len(cells)} columns instead of {len(header)} (look for a separator inside "
        f"a label); {_SKIPPED}",
    )  # fmt: skip


def _candidate_or_warning(
    path: str, line: int, cells: list[str], fields: tuple[str, ...], header: tuple[str, ...]
) -> Candidate | RowWarning:
    try:
        return _candidate(dict(zip(fields, cells)), dict(zip(fields, header)), line)
    except _BadRow as bad:
        return RowWarning(path, line, bad.column, f"{bad.message}; {_SKIPPED}")


def _candidate(raw: dict[str, str], titles: dict[str, str], line: int) -> Candidate:
    departement_code = _departement_code(raw["departement_code"])
    insee = _insee(departement_code, raw["commune_code"], titles["commune_code"])
    panel = _number(raw["panel"], titles["panel"])
    rank = _number(raw["rank"], titles["rank"])
    if not raw["surname"]:
        raise _BadRow(titles["surname"], "empty: every candidate has a name")
    return Candidate(
        commune_insee=insee,
        commune=raw["commune"],
        departement_code=departement_code,
        departement=raw["departement"],
        panel=panel,
        list_short_label=raw["list_short_label"],
        list_label=raw["list_label"] or raw["list_short_label"],
        nuance_code=raw["nuance_code"],
        nuance_label=raw.get("nuance_label", ""),
        rank=rank,
        sex=raw["sex"].upper(),
        surname=raw["surname"],
        first_name=raw["first_name"],
        nationality=raw["nationality"],
        community_council=_flag(raw["community_council"]),
        # 2020 has no head column: candidate number 1 heads the list.
        is_head=_flag(raw["head"]) if "head" in raw else rank == 1,
        line=line,
    )


def _departement_code(value: str) -> str:
    return value.zfill(2) if value.isdigit() else value.upper()


def _insee(departement_code: str, commune_code: str, column: str) -> str:
    """The commune's INSEE code, whether the file gives it whole or as the part after the département."""
    code = commune_code.upper()
    if not code:
        raise _BadRow(column, "empty: the commune code is required")
    if code.isdigit() and len(code) == 4:
        return code.zfill(5)  # a spreadsheet dropped the leading zero
    if code.isdigit() and len(code) <= 3:
        # 2020: overseas départements have 3 characters and 2-digit commune parts.
        return departement_code + code.zfill(5 - len(departement_code))
    return code


def _is_number(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _number(value: str, column: str) -> int:
    cleaned = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not _is_number(cleaned):
        raise _BadRow(column, f"{value!r} is not a whole number" if value else "empty: a whole number is required")
    return int(cleaned)


def _flag(value: str) -> bool:
    return value.strip().upper() not in _NO
