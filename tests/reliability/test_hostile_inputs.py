"""Hostile inputs (issue 9): PDF bombs, zip bombs dressed as DOCX, HTML of
megabytes of nested or unclosed tags, malformed Unicode, path traversal,
private and loopback addresses, spreadsheet formulas in list labels.

Each hostile file is built here by a small factory, in the test's folder;
nothing is downloaded, and the only traffic is to 127.0.0.1 (a local server
the test starts, the session's Elasticsearch node). Each goes through the path
a user's run takes (the pipeline, or its stage functions with the settings),
and the tests check that it costs no more than the settings allow, fails
alone with a recorded reason naming it, and that nothing else is lost.
Measured times and memory are printed (`pytest -s`) for the README's table.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import tempfile
import threading
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from config.errors import ConfigError, ExtractionError, FetchError
from config.settings import Settings, load_settings
from collect import programmes
from flows import stages
from storage.catalogue import Catalogue
from collect.fetch import check_url, is_private
from collect.sources import read_sources
from tests.factories import make_html, make_pdf, make_sources
from tests.httpserver import ProgrammeServer
from tests.test_docx import CONTENT_TYPES, document_xml, make_docx, para, patch_headers, run

MEMORY_MB = 320
PAGE_TIMEOUT_S = 5.0
DOCUMENT_TIMEOUT_S = 6.0
MAX_FILE_MB = 2.0
MAX_PAGES = 50


def hostile_settings(data_dir: Path, **changes) -> Settings:
    """Tight limits, as an operator would set them for untrusted sources."""
    return load_settings(
        data_dir=data_dir,
        max_file_mb=MAX_FILE_MB,
        extract_max_pages=MAX_PAGES,
        extract_page_timeout_s=PAGE_TIMEOUT_S,
        extract_document_timeout_s=DOCUMENT_TIMEOUT_S,
        extract_memory_mb=MEMORY_MB,
        **changes,
    )


def report(kind: str, what: str, seconds: float, detail: str = "") -> None:
    """One measured line for the README's table of hostile inputs."""
    print(f"\n[hostile] {kind} | {what} | {seconds:.2f} s | {detail}")


# --------------------------------------------------------------------------
# Factories: hostile files, built in the test's folder
# --------------------------------------------------------------------------

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
ONE_KID = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def raw_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF of the given object bodies (numbered from 1, the first one the
    catalogue), with a correct cross-reference table: the parser reads exactly
    what a forger wrote."""
    path.write_bytes(_pdf_bytes(objects))
    return path


def _pdf_bytes(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def shows(text: str) -> bytes:
    """Content drawing one line of (Latin-1) text."""
    return b"BT /F1 12 Tf 72 780 Td (" + text.encode("latin-1") + b") Tj ET"


def page(contents: int = 4, font: int = 5, parent: int = 2, extra: bytes = b"") -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> %s >> /Contents %d 0 R >>"
        % (parent, font, extra, contents)
    )


def pdf_decompression_bomb(path: Path) -> Path:
    """One page whose content stream inflates from about 1 MiB to 1 GiB."""
    path.write_bytes(_decompression_bomb())
    return path


@functools.cache
def _decompression_bomb(expands_to: int = 2**30) -> bytes:
    squeeze = zlib.compressobj(9)
    parts = [squeeze.compress(shows("Nous ouvrirons une creche de 40 places.") + b" ")]
    spaces = b" " * 2**20
    parts += [squeeze.compress(spaces) for _ in range(expands_to // len(spaces))]
    parts.append(squeeze.flush())
    return _pdf_bytes([CATALOG, ONE_KID, page(), stream(b"".join(parts), b"/Filter /FlateDecode"), FONT])


def pdf_nested_page_tree(path: Path, depth: int = 5000) -> Path:
    """A page at the bottom of `depth` nested page-tree nodes."""
    nodes = [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (number + 1) for number in range(2, depth + 2)]
    leaf = depth + 2
    body = page(contents=leaf + 1, font=leaf + 2, parent=leaf - 1)
    return raw_pdf(path, [CATALOG, *nodes, body, stream(shows("Nous ouvrirons une creche.")), FONT])


def pdf_nested_arrays(path: Path, depth: int = 200_000) -> Path:
    """A readable page whose resources hold arrays nested `depth` deep."""
    deep = b"/Junk " + b"[" * depth + b"]" * depth
    return raw_pdf(path, [CATALOG, ONE_KID, page(extra=deep), stream(shows("Nous renoverons le gymnase du quartier.")), FONT])


def pdf_reference_cycle(path: Path) -> Path:
    """A page whose contents refer to an object that refers back to itself
    through another: a parser resolving references without end loops forever."""
    return raw_pdf(path, [CATALOG, ONE_KID, page(contents=6), stream(shows("Texte.")), FONT, b"7 0 R", b"6 0 R"])


def pdf_lying_page_count(path: Path, declared: int = 2_000_000_000) -> Path:
    """One real page in a page tree that claims two billion."""
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % declared
    return raw_pdf(path, [CATALOG, pages, page(), stream(shows("Nous creerons une maison de sante.")), FONT])


def pdf_many_pages(path: Path, count: int = 10_000) -> Path:
    """`count` page objects sharing one content stream: far over the page limit."""
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(count))
    tree = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count
    leaves = [page(contents=3, font=4) for _ in range(count)]
    return raw_pdf(path, [CATALOG, tree, stream(shows("Nous ouvrirons la mediatheque le dimanche.")), FONT, *leaves])


def docx_zip_bomb(path: Path, expands_to: int = 256 * 2**20) -> Path:
    """A Word document whose document.xml is `expands_to` bytes of blanks
    around one sentence (about a thousand times smaller zipped)."""
    head, tail = document_xml(para(run("Nous ouvrirons une crèche."))).encode().split(b"<w:body>")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w") as entry:
            entry.write(head + b"<w:body>")
            blank = b" " * 2**20
            for _ in range(expands_to // len(blank)):
                entry.write(blank)
            entry.write(tail)
    return path


def docx_lying_header(path: Path, expands_to: int = 9 * 2**20, declared: int = 10_000) -> Path:
    """A Word document of ordinary compression (varied text) whose zip headers
    declare a few kilobytes for megabytes of content."""
    sentences = [f"Le conseil {n} votera {n * 7 % 1000} euros pour l'école {n % 97}." for n in range(expands_to // 40)]
    path.write_bytes(patch_headers(make_docx(document_xml(*(para(run(s)) for s in sentences))), file_size=declared))
    return path


def zip_of_zips_named_docx(path: Path, levels: int = 3, width: int = 10) -> Path:
    """A 42.zip-style archive of archives, named .docx."""
    inner = zlib.compress(b"\0" * 2**20)  # stands in for a large entry
    data = inner
    for level in range(levels):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for n in range(width):
                archive.writestr(f"couche{level}-{n}.zip", data)
        data = buffer.getvalue()
    path.write_bytes(data)
    return path


def html_nested(path: Path, depth: int = 70_000) -> Path:
    """1.6 MiB of tags nested 140,000 deep around one sentence."""
    body = "<div><span>" * depth + "<p>Nous rouvrirons le bureau de poste du centre.</p>" + "</span></div>" * depth
    path.write_text(f"<!DOCTYPE html><html><body><main>{body}</main></body></html>", encoding="utf-8")
    return path


def html_unclosed_tags(path: Path, count: int = 30_000) -> Path:
    """Tens of thousands of tags never closed by a '>'."""
    path.write_text("<html><body><main><p>Nous ouvrirons une crèche.</p>" + "<a " * count, encoding="utf-8")
    return path


def good_docx(path: Path, sentence: str) -> Path:
    path.write_bytes(make_docx(document_xml(para(run(sentence)))))
    return path


# --------------------------------------------------------------------------
# Measuring what an extraction costs
# --------------------------------------------------------------------------


class ChildPeaks:
    """Peak memory of the extraction children started while it is open (the
    forkserver starts them): VmPeak (address space, what
    VIGIE_EXTRACT_MEMORY_MB bounds) and VmHWM (resident memory).

    Each child writes its own peaks before it answers (it is given
    `tests/reliability/child_peak.py`'s pipe end), so that a child of a few
    milliseconds is measured too; a child killed at its deadline is read from
    /proc the moment the parent is done waiting for it, before the kill. Every few milliseconds in between,
    /proc is sampled as well (the samples are lower bounds). Reading a peak
    when an extraction child was not measured, or none was started, is an
    error, never a zero that passes."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.peaks: dict[int, tuple[int, int]] = {}
        self.started: list[int] = []
        """The extraction children started while open, by pid."""
        self._probes: dict[int, Path] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _descendants() -> set[int]:
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
        found, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
            found |= frontier
        return found

    def _seen(self, pid: int, peak_kib: int, hwm_kib: int) -> None:
        with self._lock:
            old = self.peaks.get(pid, (0, 0))
            self.peaks[pid] = (max(old[0], peak_kib // 1024), max(old[1], hwm_kib // 1024))

    def _read(self, pid: int) -> None:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if "VmPeak" in fields:  # a zombie has none
            self._seen(pid, int(fields["VmPeak"].split()[0]), int(fields["VmHWM"].split()[0]))

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in self._descendants() - self._before:
                self._read(pid)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "ChildPeaks":
        from extract import isolated
        from tests.reliability import child_peak

        peaks, start, is_alive = self, isolated._Process.start, isolated._Process.is_alive
        self._folder = tempfile.TemporaryDirectory(prefix="child-peaks-")

        def started(process) -> None:
            probe = Path(peaks._folder.name) / f"child-{len(peaks.started)}"
            sender, *rest = process._args  # _extract_in_child(sender, path, limits, name)
            process._args = (child_peak.ProbedSender(sender, str(probe)), *rest)
            start(process)
            peaks.started.append(process.pid)
            peaks._probes[process.pid] = probe
            peaks._read(process.pid)

        def still_alive(process) -> bool:  # extract_isolated asks it when done waiting, before kill and join
            peaks._read(process.pid)
            return is_alive(process)

        self._restore = lambda: (setattr(isolated._Process, "start", start), setattr(isolated._Process, "is_alive", is_alive))
        isolated._Process.start, isolated._Process.is_alive = started, still_alive
        self._before = self._descendants()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._restore()
        for pid, probe in self._probes.items():  # written before the child answered; not by one killed at its deadline
            if probe.exists():
                self._seen(pid, *map(int, probe.read_text().split()))
        self._folder.cleanup()

    def _measured(self) -> list[tuple[int, int]]:
        measured = [self.peaks[pid] for pid in self.started if pid in self.peaks]
        assert self.started, "no extraction process was started"
        assert len(measured) == len(self.started), f"extraction processes {self.started} started, only {sorted(self.peaks)} measured"
        return list(self.peaks.values())

    @property
    def virtual_mb(self) -> int:
        return max(virtual for virtual, _ in self._measured())

    @property
    def resident_mb(self) -> int:
        return max(resident for _, resident in self._measured())


@pytest.fixture(scope="module", autouse=True)
def forkserver_started(tmp_path_factory) -> None:
    """The extraction processes' forkserver runs before anything is measured,
    so that only the extraction children are sampled."""
    from extract.isolated import extract_isolated

    warm = tmp_path_factory.mktemp("warm") / "chauffe.txt"
    warm.write_text("Nous ouvrirons une crèche.", encoding="utf-8")
    extract_isolated(warm)


def test_a_peak_with_nothing_measured_fails_rather_than_reads_zero() -> None:
    with ChildPeaks() as peaks:
        pass
    with pytest.raises(AssertionError, match="no extraction process was started"):
        peaks.virtual_mb


def test_even_an_extraction_of_milliseconds_is_measured(tmp_path: Path) -> None:
    from extract.isolated import extract_isolated

    quick = tmp_path / "court.txt"
    quick.write_text("Nous ouvrirons une crèche.", encoding="utf-8")
    with ChildPeaks(interval_s=60) as peaks:  # no periodic sample falls inside the child's life
        extract_isolated(quick)
    assert len(peaks.started) == 1 and peaks.started[0] in peaks.peaks
    assert 0 < peaks.resident_mb <= peaks.virtual_mb


# --------------------------------------------------------------------------
# Hostile documents: each costs what the settings allow, and fails alone
# --------------------------------------------------------------------------

SETTING = r"\(VIGIE_EXTRACT_(PAGE|DOCUMENT)_TIMEOUT_S|VIGIE_EXTRACT_MEMORY_MB\)"


@dataclass(frozen=True)
class Hostile:
    name: str
    """The file's name, which the recorded reason must give."""
    build: Callable[[Path], Path]
    failure: str | None
    """A pattern the recorded reason matches after the file's name; None: the
    file is read (what it holds that can be read), with `warning`."""
    warning: str | None = None
    readable: str | None = None
    """A sentence of the file found in the index when it is read."""
    where: str = ""
    """" page N" when the reason names the page at fault."""


HOSTILE = [
    Hostile(
        "bombe-decompression.pdf",
        pdf_decompression_bomb,
        rf"no page could be read; page 1: (needs more than {MEMORY_MB} MiB|.*allocate|took longer than)",
    ),
    Hostile("arbre-profond.pdf", pdf_nested_page_tree, r"nested too deeply to be read"),
    Hostile(
        "references-en-boucle.pdf",
        pdf_reference_cycle,
        rf"extraction took longer than {DOCUMENT_TIMEOUT_S:.0f} s \(VIGIE_EXTRACT_DOCUMENT_TIMEOUT_S\) and was stopped",
    ),
    Hostile("tableaux-imbriques.pdf", pdf_nested_arrays, None, readable="Nous renoverons le gymnase du quartier."),
    Hostile(
        "deux-milliards-de-pages.pdf",
        pdf_lying_page_count,
        None,
        warning=rf"2000000000 pages; only the first {MAX_PAGES} were read \(VIGIE_EXTRACT_MAX_PAGES\)",
        readable="Nous creerons une maison de sante.",
    ),
    Hostile(
        "dix-mille-pages.pdf",
        pdf_many_pages,
        None,
        warning=rf"10000 pages; only the first {MAX_PAGES} were read \(VIGIE_EXTRACT_MAX_PAGES\)",
        readable="Nous ouvrirons la mediatheque le dimanche.",
    ),
    Hostile("bombe-zip.docx", docx_zip_bomb, rf"the DOCX expands to more than {4 * MAX_FILE_MB:g} MiB \(a zip bomb\?\)"),
    Hostile(
        "taux-suspect.docx",
        lambda path: docx_zip_bomb(path, expands_to=6 * 2**20),
        r"word/document.xml is compressed \d+ times \(more than 200, a zip bomb\?\)",
    ),
    Hostile("entete-menteur.docx", docx_lying_header, r"the Word document is damaged"),
    Hostile("zip-de-zips.docx", zip_of_zips_named_docx, r"unsupported format \(application/zip\)"),
    Hostile("imbrique.html", html_nested, None, readable="Nous rouvrirons le bureau de poste du centre."),
    Hostile(
        "balises-ouvertes.html",
        html_unclosed_tags,
        rf"reading took longer than {PAGE_TIMEOUT_S:g} s \(VIGIE_EXTRACT_PAGE_TIMEOUT_S\) and was stopped",
        where=" page 1",
    ),
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_a_hostile_document_costs_at_most_its_limits_and_fails_alone_with_a_reason_naming_it(
    hostile: Hostile, tmp_path: Path
) -> None:
    settings = hostile_settings(tmp_path / "data")
    catalogue = Catalogue(settings.catalogue)
    path = hostile.build(tmp_path / hostile.name)
    [source] = read_sources(make_sources(tmp_path / "sources.csv", [{"list_label": "Hostile", "source": path.name}]))
    assert path.stat().st_size <= MAX_FILE_MB * 2**20  # a file the settings accept into the archive
    version = programmes.collect_source(source, settings, catalogue).version

    began = time.monotonic()
    with ChildPeaks() as peaks:
        try:
            extracted, error = stages.extract_version(version, settings), None
        except ExtractionError as caught:
            extracted, error = None, caught
    elapsed = time.monotonic() - began

    outcome = str(error) if error else f"read, {len(extracted.pages)} page(s); {' '.join(extracted.warnings)}"
    report("document", hostile.name, elapsed, f"peak {peaks.virtual_mb} MiB virtual, {peaks.resident_mb} MiB resident; {outcome}")
    assert peaks.virtual_mb <= MEMORY_MB  # the child's address space stayed under VIGIE_EXTRACT_MEMORY_MB
    if hostile.failure is None:
        assert error is None, error
        assert any(hostile.readable in page.text for page in extracted.pages)
        if hostile.warning:
            assert any(re.search(f"^{re.escape(str(path))}: {hostile.warning}$", w) for w in extracted.warnings), extracted.warnings
    else:
        assert error is not None, f"{hostile.name} was read: {outcome}"
        assert re.match(f"{re.escape(str(path))}{hostile.where}: .*{hostile.failure}", str(error)), str(error)


@pytest.mark.es
@pytest.mark.prefect
def test_a_run_with_every_hostile_document_indexes_the_good_ones_and_records_each_bad_one(
    es_settings: Settings, es_client, tmp_path: Path, prefect_harness
) -> None:
    from flows.pipeline import programme_pipeline
    from index.search import search_pages

    settings = hostile_settings(es_settings.data_dir, es_url=es_settings.elasticsearch_url, index_prefix=es_settings.index_prefix)
    good = {
        "Bon PDF": (make_pdf(tmp_path / "bon.pdf", [["Nous ouvrirons une crèche de 40 places à Essai-sur-Mer."]]), "crèche de 40 places"),
        "Bonne page": (make_html(tmp_path / "bon.html", "<p>Nous créerons un centre de santé municipal.</p>"), "centre de santé municipal"),
        "Bon DOCX": (good_docx(tmp_path / "bon.docx", "Nous rénoverons la piscine du Halage."), "piscine du Halage"),
    }
    hostile = {h.name: h.build(tmp_path / h.name) for h in HOSTILE}
    rows = [{"list_label": label, "source": path.name} for label, (path, _) in good.items()]
    rows += [{"list_label": name, "source": name} for name in hostile]
    sources = make_sources(tmp_path / "sources.csv", rows)

    began = time.monotonic()
    summary = programme_pipeline(sources_file=sources, settings=settings)
    elapsed = time.monotonic() - began

    failing = [h for h in HOSTILE if h.failure]
    report("run", f"{len(good)} good and {len(HOSTILE)} hostile documents", elapsed, f"{summary.indexed} indexed, {len(summary.failures)} failed")
    assert summary.documents == len(rows) and summary.new_versions == len(rows)
    assert summary.indexed == len(rows) - len(failing)  # nothing lost: every readable document is indexed
    recorded = {error for _, stage, error in Catalogue(settings.catalogue).failures() if stage == "extract"}
    assert len(recorded) == len(failing)
    for h in failing:
        path = re.escape(str(hostile[h.name]))
        assert any(re.match(f"{path}{h.where}: .*{h.failure}", error) for error in recorded), (h.name, recorded)
        assert any(re.match(f"extract {path} \\(version 1\\): ", failure) for failure in summary.failures), h.name
    for label, (_, phrase) in good.items():
        assert label in {hit.list_label for hit in search_pages(es_client, settings.index_prefix, f'"{phrase}"').hits}
    for h in HOSTILE:
        if h.readable:
            found = search_pages(es_client, settings.index_prefix, f'"{h.readable}"').hits
            assert h.name in {hit.list_label for hit in found}, h.name

    # The next run retries none of them before the extractor changes, and redoes nothing.
    began = time.monotonic()
    again = programme_pipeline(sources_file=sources, settings=settings)
    report("run", "the same sources again", time.monotonic() - began, f"{again.known_failures} known failures not retried")
    assert (again.indexed, again.known_failures, again.failures) == (0, len(failing), [])


# --------------------------------------------------------------------------
# Malformed Unicode: read and indexed, as valid text
# --------------------------------------------------------------------------

# What indexed text must never hold: controls other than line breaks and
# tabs, unpaired surrogates, bidirectional embeddings, overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufeff]")
RLO = "\u202e"


def unicode_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """label → (file, a phrase of it that must be found): each with malformed or deceptive characters."""
    folder.mkdir()
    html = folder / f"programme-{RLO}lmth.exe.html"  # a bidi override in the file's name
    html.write_bytes(
        b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><main><p>"
        + "Nous ouvrirons une crèche".encode()
        + b" \xff\xfe\xc3 &#0; &#xD800; &#x202E; \x00 "
        + f"{RLO}ecnarf ed{RLO} de 60 places à l'école Jaurès.".encode()
        + b"</p></main></body></html>"
    )
    escapes = folder / "echappements.html"
    escapes.write_bytes(
        b'<html><head><meta charset="unicode_escape"></head><body><main><p>'
        + "Nous créerons un centre de santé municipal \\ud800 \\x00 \\u202e.".encode()
        + b"</p></main></body></html>"
    )
    text = folder / "texte.txt"
    text.write_bytes(
        "Programme municipal. ".encode() * 60
        + "Nous rénoverons la piscine\u2066 du Halage\u2069 et\ufeff le gymnase : été, écoles, crèches.".encode()
        + b" \x00\x00 \xed\xa0\x80 \x1b[31m fin."
    )
    pdf = folder / "controle.pdf"
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Hostile def "
        b"1 begincodespacerange <00> <FF> endcodespacerange "
        b"4 beginbfchar <41> <0000> <42> <202E> <43> <D800> <44> <DC00D800> endbfchar "
        b"endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    raw_pdf(
        pdf,
        [
            CATALOG,
            ONE_KID,
            page(),
            stream(shows("Nous creerons une maison ABCD de sante pluridisciplinaire.")),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
            stream(cmap),
        ],
    )
    docx = good_docx(folder / "bidi.docx", f"Nous rouvrirons le guichet {RLO}erag al ed{RLO} de la gare.")
    return {
        "Page HTML mal formée": (html, "crèche"),
        "Page en unicode_escape": (escapes, "centre de santé municipal"),
        "Texte à contrôles": (text, "piscine du Halage"),
        "PDF à contrôles": (pdf, "maison de sante pluridisciplinaire"),
        "DOCX bidi": (docx, "guichet"),
    }


@pytest.mark.es
@pytest.mark.prefect
def test_malformed_unicode_is_read_and_indexed_as_valid_text(es_settings: Settings, es_client, tmp_path: Path, prefect_harness) -> None:
    from elasticsearch import helpers

    from flows.pipeline import programme_pipeline
    from index.schema import alias_name
    from index.search import search_pages

    files = unicode_files(tmp_path / "programmes")
    nul_docx = tmp_path / "programmes" / "nul.docx"
    nul_docx.write_bytes(make_docx(document_xml(para(run("Texte"))).replace("Texte", "Texte &#0; nul")))
    rows = [{"list_label": label, "source": f"programmes/{path.name}"} for label, (path, _) in files.items()]
    rows.append({"list_label": "DOCX à NUL", "source": "programmes/nul.docx"})
    began = time.monotonic()
    summary = programme_pipeline(sources_file=make_sources(tmp_path / "sources.csv", rows), settings=es_settings)
    report("run", "malformed Unicode (6 files)", time.monotonic() - began, f"{summary.indexed} indexed; {summary.failures}")

    assert summary.indexed == len(files)
    # XML forbids a NUL even as a character reference: Word never writes one, the document is refused, named.
    [failure] = summary.failures
    assert re.match(rf"extract {re.escape(str(nul_docx))} \(version 1\): {re.escape(str(nul_docx))}: word/document.xml is not well-formed XML", failure)
    pages = list(helpers.scan(es_client, index=alias_name(es_settings.index_prefix, "pages")))
    assert len(pages) == len(files)
    for hit in pages:
        text = hit["_source"]["text"]
        assert not FORBIDDEN.search(text), (hit["_source"]["list_label"], text)
        assert unicodedata.is_normalized("NFKC", text)
        text.encode("utf-8")  # valid Unicode throughout
    for label, (_, phrase) in files.items():
        assert label in {hit.list_label for hit in search_pages(es_client, es_settings.index_prefix, f'"{phrase}"').hits}, label
    by_label = {hit["_source"]["list_label"]: hit["_source"]["text"] for hit in pages}
    assert "Nous ouvrirons une crèche" in by_label["Page HTML mal formée"]  # stray bytes do not turn the page into mojibake
    assert "l'école Jaurès" in by_label["Page HTML mal formée"]
    # The file named with a bidi override is recorded under its exact name.
    assert str(files["Page HTML mal formée"][0]) in {v.source for v in Catalogue(es_settings.catalogue).versions()}


# --------------------------------------------------------------------------
# Path traversal: nothing read or written outside the allowed folders
# --------------------------------------------------------------------------


def files_under(folder: Path, *, excluding: Path | None = None) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not (excluding and path.is_relative_to(excluding))
    }


def sources_beside_a_secret(tmp_path: Path) -> Path:
    """An empty folder for a sources file, and beside it `dehors/secret.txt`, which no row may reach."""
    outside = tmp_path / "dehors"
    outside.mkdir()
    (outside / "secret.txt").write_text("Texte confidentiel qui n'est pas un programme.", encoding="utf-8")
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    ("row", "refusal"),
    [
        ({"source": "../dehors/secret.txt"}, r"\.\./dehors/secret\.txt leads out of the sources file's folder"),
        ({"source": "programmes/../../dehors/secret.txt"}, r"programmes/\.\./\.\./dehors/secret\.txt leads out of the sources file's folder"),
        ({"source": "lien-vers-dehors.txt"}, r"lien-vers-dehors\.txt leads out of the sources file's folder"),
        ({"commune_insee": "../../../../tmp/vigie", "source": "bon.pdf"}, r"commune_insee must be a commune's INSEE code"),
        ({"commune_insee": "59/../..", "source": "bon.pdf"}, r"commune_insee must be a commune's INSEE code"),
    ],
    ids=["dot-dot", "dot-dot-inside", "symlink", "insee-climbing", "insee-slash"],
)
def test_a_sources_row_leading_out_of_its_folder_is_refused_naming_its_line(row: dict[str, str], refusal: str, tmp_path: Path) -> None:
    folder = sources_beside_a_secret(tmp_path)
    make_pdf(folder / "bon.pdf", [["Nous ouvrirons une crèche."]])
    (folder / "lien-vers-dehors.txt").symlink_to(tmp_path / "dehors" / "secret.txt")
    sources = make_sources(folder / "sources.csv", [{"list_label": "Bonne", "source": "bon.pdf"}, {"list_label": "Hostile", **row}])
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(sources))}, line 3: {refusal}"):
        read_sources(sources)


def test_absolute_and_inner_paths_are_still_read(tmp_path: Path) -> None:
    elsewhere = make_pdf(tmp_path / "ailleurs.pdf", [["Nous ouvrirons une crèche."]])
    folder = tmp_path / "sources"
    (folder / "programmes").mkdir(parents=True)
    make_pdf(folder / "programmes" / "bon.pdf", [["Nous rénoverons l'école."]])
    sources = make_sources(
        folder / "sources.csv",
        [{"list_label": "Absolu", "source": str(elsewhere)}, {"list_label": "Dedans", "source": "programmes/./bon.pdf"}, {"list_label": "Corse", "commune_insee": "2a004", "source": "programmes/bon.pdf"}],
    )
    read = read_sources(sources)
    assert [s.location for s in read] == [str(elsewhere), str(folder / "programmes" / "bon.pdf"), str(folder / "programmes" / "bon.pdf")]
    assert read[2].candidate_list.key == "2A004-3"


@pytest.mark.es
@pytest.mark.prefect
def test_a_run_on_a_sources_file_with_a_climbing_row_reads_and_writes_nothing_and_the_fixed_file_runs_whole(
    es_settings: Settings, tmp_path: Path, prefect_harness
) -> None:
    from flows.pipeline import programme_pipeline

    folder = sources_beside_a_secret(tmp_path)
    make_pdf(folder / "bon.pdf", [["Nous ouvrirons une crèche de 40 places."]])
    rows = [{"list_label": "Bonne", "source": "bon.pdf"}, {"list_label": "Hostile", "source": "../dehors/secret.txt"}]
    sources = make_sources(folder / "sources.csv", rows)
    before = files_under(tmp_path, excluding=es_settings.data_dir)

    with pytest.raises(ConfigError, match=r"line 3: \.\./dehors/secret\.txt leads out of the sources file's folder"):
        programme_pipeline(sources_file=sources, settings=es_settings)
    assert files_under(tmp_path, excluding=es_settings.data_dir) == before
    assert not (es_settings.data_dir / "archive").exists()
    assert Catalogue(es_settings.catalogue).versions() == []

    make_sources(sources, rows[:1])  # the operator removes the row
    began = time.monotonic()
    fixed = programme_pipeline(sources_file=sources, settings=es_settings)
    report("sources", "a row with ../ (refused), then the fixed file", time.monotonic() - began, f"{fixed.indexed} indexed")
    assert (fixed.indexed, fixed.failures) == (1, [])


class _Disposition(BaseHTTPRequestHandler):
    """Serves one programme at every path, with a Content-Disposition file
    name that climbs, and a redirect to a path that climbs."""

    programme = b""
    paths: list[str] = []

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.paths.append(self.path)
        if self.path == "/redirection":
            self.send_response(302)
            self.send_header("Location", "/a/b/../../../../etc/evil-redirige.pdf")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Disposition", 'attachment; filename="../../../../../tmp/evil-telecharge.pdf"')
        self.send_header("Content-Length", str(len(self.programme)))
        self.end_headers()
        self.wfile.write(self.programme)


@pytest.mark.es
@pytest.mark.prefect
def test_fetched_names_that_climb_write_nothing_outside_the_content_addressed_archive(
    es_settings: Settings, tmp_path: Path, prefect_harness
) -> None:
    from flows.pipeline import programme_pipeline

    programme = make_pdf(tmp_path / "programme.pdf", [["Nous ouvrirons une crèche de 40 places."]]).read_bytes()
    handler = type("Handler", (_Disposition,), {"programme": programme, "paths": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings = load_settings(
        data_dir=es_settings.data_dir, es_url=es_settings.elasticsearch_url, index_prefix=es_settings.index_prefix,
        fetch_allow_private=True, fetch_retries=0,  # the test server is on 127.0.0.1
    )  # fmt: skip
    locations = [f"{url}/programmes/..%2F..%2F..%2Fevil-encode.pdf", f"{url}/a/../../../evil-brut.pdf", f"{url}/redirection"]
    sources = make_sources(tmp_path / "sources.csv", [{"list_label": f"Liste {n}", "source": where} for n, where in enumerate(locations)])
    before = files_under(tmp_path, excluding=settings.data_dir)
    began = time.monotonic()
    try:
        summary = programme_pipeline(sources_file=sources, settings=settings)
    finally:
        server.shutdown()
        server.server_close()
    report("fetch", "URLs and Content-Disposition names with ../", time.monotonic() - began, f"paths the server saw: {handler.paths}")

    assert (summary.indexed, summary.failures) == (len(locations), [])
    assert files_under(tmp_path, excluding=settings.data_dir) == before  # nothing written beside the data directory
    for climbed in ("/tmp/evil-telecharge.pdf", "/evil-telecharge.pdf", "/etc/evil-redirige.pdf", "/evil-brut.pdf", "/evil-encode.pdf"):
        assert not Path(climbed).exists()
    assert not any("evil" in str(path) for path in settings.data_dir.rglob("*"))
    archived = {Path(v.archive_path) for v in Catalogue(settings.catalogue).versions()}
    assert len(archived) == 1  # the same bytes, stored once, under their hash
    [stored] = archived
    assert stored.parent.parent == settings.data_dir / "archive" and stored.name.startswith(stored.parent.name)
    assert stored.read_bytes() == programme


# --------------------------------------------------------------------------
# Private and loopback addresses
# --------------------------------------------------------------------------


@pytest.fixture
def server():
    with ProgrammeServer() as running:
        yield running


@pytest.mark.es
@pytest.mark.prefect
def test_a_run_refuses_loopback_sources_before_sending_anything_and_indexes_the_rest(
    es_settings: Settings, server: ProgrammeServer, tmp_path: Path, prefect_harness
) -> None:
    from flows.pipeline import programme_pipeline

    port = server.url.rsplit(":", 1)[1]
    server.state.files["/programme.pdf"] = make_pdf(tmp_path / "p.pdf", [["Nous ouvrirons une crèche."]]).read_bytes()
    hosts = ["127.0.0.1", "[::1]", "2130706433", "127.1", "0x7f.0.0.1", "[::ffff:127.0.0.1]", "0.0.0.0"]
    make_pdf(tmp_path / "bon.pdf", [["Nous créerons un centre de santé municipal."]])
    rows = [{"list_label": "Locale", "source": "bon.pdf"}]
    rows += [{"list_label": host, "source": f"http://{host}:{port}/programme.pdf"} for host in hosts]
    settings = load_settings(
        data_dir=es_settings.data_dir, es_url=es_settings.elasticsearch_url, index_prefix=es_settings.index_prefix,
        fetch_allow_private=False, fetch_retries=0,
    )  # fmt: skip

    began = time.monotonic()
    summary = programme_pipeline(sources_file=make_sources(tmp_path / "sources.csv", rows), settings=settings)
    report("fetch", f"{len(hosts)} loopback spellings, private addresses not allowed", time.monotonic() - began, f"{server.state.requests=}")

    assert server.state.requests == []  # refused before sending
    assert summary.indexed == 1
    assert len(summary.failures) == len(hosts)
    failures = {source: error for source, stage, error in Catalogue(settings.catalogue).failures() if stage == "collect"}
    for host in hosts:
        url = f"http://{host}:{port}/programme.pdf"
        assert re.match(rf"{re.escape(url)}: .* is a private or local address \(.*\); set VIGIE_FETCH_ALLOW_PRIVATE=true", failures[url]), failures[url]


def public_then(target: str) -> tuple[httpx.Client, list[str]]:
    """An HTTP client whose transport answers in memory (nothing leaves the
    process) as a public server would: a redirect to `target`."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    return httpx.Client(transport=httpx.MockTransport(answer), follow_redirects=False), asked


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "2130706433", "[64:ff9b::7f00:1]", "[::127.0.0.1]"])
def test_a_redirect_from_a_public_server_to_this_machine_is_refused_before_it_is_followed(
    host: str, server: ProgrammeServer, tmp_path: Path
) -> None:
    port = server.url.rsplit(":", 1)[1]
    server.state.files["/secret.pdf"] = b"%PDF-1.4 secret"
    first = "http://93.184.216.34/programme.pdf"  # a literal public address: no lookup, and the transport is in memory
    client, asked = public_then(f"http://{host}:{port}/secret.pdf")
    settings = load_settings(data_dir=tmp_path / "data", fetch_retries=0)
    [source] = read_sources(make_sources(tmp_path / "sources.csv", [{"list_label": "Redirigée", "source": first}]))
    with client, pytest.raises(FetchError, match=rf"^{re.escape(first)}: .* is a private or local address .*VIGIE_FETCH_ALLOW_PRIVATE"):
        programmes.collect_source(source, settings, Catalogue(settings.catalogue), client)
    assert asked == [first] and server.state.requests == []
    assert not (settings.data_dir / "archive").exists()


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("10.255.255.255", True),
        ("172.31.255.255", True),
        ("172.32.0.1", False),
        ("192.169.0.1", False),
        ("169.254.169.254", True),  # a cloud's metadata service
        ("100.64.0.1", True),  # shared address space (carrier-grade NAT)
        ("198.18.0.1", True),
        ("224.0.0.1", True),
        ("255.255.255.255", True),
        ("fd12:3456::1", True),
        ("fe80::1%eth0", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:7f00:1", True),
        ("::127.0.0.1", True),  # IPv4-compatible
        ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("2002:c0a8:101::1", True),  # 6to4 of 192.168.1.1
        ("::", True),
        ("64:ff9b::5db8:d822", False),  # NAT64 of a public address
        ("2002:5db8:d822::1", False),  # 6to4 of a public address
        ("2a01:e0a::1", False),
    ],
)
def test_address_rules_refuse_every_range_that_is_not_public(address: str, private: bool) -> None:
    assert is_private(address) is private


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names resolved in memory (no lookup leaves the process); a name not listed is unknown."""
    import socket

    import collect.fetch

    names: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in names[host]]

    monkeypatch.setattr(collect.fetch.socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0", "0x0a000001", "[::ffff:a00:1]"])
def test_numeric_spellings_of_private_addresses_are_refused_without_any_lookup(host: str, resolver) -> None:
    with pytest.raises(FetchError, match=r"is a private or local address \((127\.0\.0\.1|0\.0\.0\.0|10\.0\.0\.1|::ffff:a00:1)\)"):
        check_url(f"http://{host}/programme.pdf", allow_private=False)


def test_names_resolving_to_a_private_address_are_refused(resolver) -> None:
    resolver.update({
        "intranet.mairie.example": ["10.0.0.7"],
        "rebond.example": ["93.184.216.34", "127.0.0.1"],  # one private answer is enough
        "v6.example": ["fd00::7"],
        "programme.example": ["93.184.216.34", "2a01:e0a::1"],
    })  # fmt: skip
    for name, address in (("intranet.mairie.example", "10.0.0.7"), ("rebond.example", "127.0.0.1"), ("v6.example", "fd00::7")):
        with pytest.raises(FetchError, match=rf"^https://{name}/p\.pdf: {name} is a private or local address \({re.escape(address)}\)"):
            check_url(f"https://{name}/p.pdf", allow_private=False)
    check_url("https://programme.example/p.pdf", allow_private=False)
    with pytest.raises(FetchError, match=r"the host inconnu\.example cannot be found"):
        check_url("https://inconnu.example/p.pdf", allow_private=False)
    check_url("https://intranet.mairie.example/p.pdf", allow_private=True)  # an operator may allow them


# --------------------------------------------------------------------------
# Spreadsheet formulas in a candidate-list file
# --------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","clic")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1+1", " =2+2"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def candidate_file(path: Path, labels: list[str]) -> Path:
    """The Ministry's 2026 candidate-list layout (`;`, UTF-8 with a BOM, 17 columns), one head per list."""
    from collect.official import HEADER_2026

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER_2026)
    for panel, label in enumerate(labels, start=1):
        writer.writerow(["59", "Nord", "59999", "@Essai-sur-Mer", str(panel), f"L{panel}", label, "LDIV", "Divers", "OUI", "1", "F", "=Nom", "Camille", "FRA", "", "OUI"])
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    return path


@pytest.mark.es
@pytest.mark.prefect
def test_formulas_in_list_labels_reach_csv_exports_as_text(es_settings: Settings, tmp_path: Path, prefect_harness) -> None:
    from typer.testing import CliRunner

    from cli import app
    from collect.official_import import import_lists
    from flows.pipeline import programme_pipeline

    catalogue = Catalogue(es_settings.catalogue)
    imported = import_lists(candidate_file(tmp_path / "listes.csv", FORMULAS), catalogue)
    assert (imported.lists_new, imported.warnings) == (len(FORMULAS), 0)
    rows = []
    for panel, _ in enumerate(FORMULAS, start=1):
        lines = ['=HYPERLINK("http://x","clic") Nous ouvrirons une crèche de 40 places.'] if panel == 1 else ["Nous ouvrirons une crèche de 40 places."]
        make_pdf(tmp_path / f"p{panel}.pdf", [lines])
        rows.append({"panel": str(panel), "list_label": "(du fichier du ministère)", "source": f"p{panel}.pdf"})
    summary = programme_pipeline(sources_file=make_sources(tmp_path / "sources.csv", rows), settings=es_settings)
    assert (summary.indexed, summary.failures) == (len(FORMULAS), [])

    env = {"VIGIE_ES_URL": es_settings.elasticsearch_url, "VIGIE_INDEX_PREFIX": es_settings.index_prefix, "VIGIE_DATA_DIR": str(es_settings.data_dir)}
    runner = CliRunner()
    for command in (["export", "search", "crèche"], ["export", "scorecard", "--commune", "59999"], ["export", "search", "crèche", "--bom"]):
        began = time.monotonic()
        exported = runner.invoke(app, command, env=env)
        spent = time.monotonic() - began
        assert exported.exit_code == 0, exported.output
        table = list(csv.reader(io.StringIO(exported.output.removeprefix("\ufeff"))))
        cells = [cell for row in table[1:] for cell in row]
        assert len(table) > len(FORMULAS)
        assert not [cell for cell in cells if cell.startswith(FORMULA_START)], command
        labels = {row[table[0].index("list")] for row in table[1:]}
        assert labels == {"'" + label.strip() for label in FORMULAS}, labels  # kept, as text
        assert {row[table[0].index("commune")] for row in table[1:]} == {"'@Essai-sur-Mer"}
        report("export", " ".join(command), spent, f"{len(table) - 1} rows, every formula cell prefixed with '")
    # A programme's own text starting with a formula is kept as text in the fragments too.
    hyperlink = runner.invoke(app, ["export", "search", "HYPERLINK"], env=env)
    table = list(csv.reader(io.StringIO(hyperlink.output)))
    fragments = [row[table[0].index("fragment")] for row in table[1:]]
    assert fragments and all(fragment.startswith("'=") for fragment in fragments), fragments
