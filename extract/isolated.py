"""Extraction of one document in a child process, with hard limits.

A malformed or hostile file can make a parser loop, explode in memory or
crash. In a child process it costs at most the document's time limit and
memory limit, and the caller gets a typed error naming the file, never a hang
or a dead run.
"""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import re
import resource
from multiprocessing import forkserver, popen_forkserver, spawn, util
from multiprocessing.context import reduction, set_spawning_popen
from pathlib import Path

from config.errors import ExtractionError, VigieError
from extract.document import extract_document
from extract.limits import ExtractionLimits
from extract.model import ExtractedDocument

# forkserver: no fork of a multi-threaded parent (Prefect runs threads), and
# the parsers are imported once in the server, not per document; with them
# the page renderer for OCR (Pillow, pypdfium2), whose native libraries could
# not be mapped later under a child's tight memory limit.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["extract.document", "pdfplumber.display"])


class _Popen(popen_forkserver.Popen):
    """The forkserver's launch (CPython 3.11's own), less the import of the
    parent's main module in the child. The child runs `_extract_in_child`,
    pickled by name from this module; re-running the caller's main script
    (the `vigie` command, bench/run) cost each document 30 to 70 ms."""

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(_CONTEXT.Process):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


_GRACE_S = 30.0  # the child stops itself at the deadline; this is for a stuck one
_GRACE_MARGIN_S = 5.0


def _grace_s(limits: ExtractionLimits) -> float:
    """How long past the document's deadline a child may take before it is
    killed: the page under way has its own deadline, then a few seconds to
    hand the pages back (at most 30 s)."""
    return min(_GRACE_S, limits.page_timeout_s + _GRACE_MARGIN_S)


def extract_isolated(path: Path, *, limits: ExtractionLimits = ExtractionLimits(), name: str | None = None) -> ExtractedDocument:
    name = name or str(path)
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _Process(target=_extract_in_child, args=(sender, str(path), limits, name), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limits.document_timeout_s + _grace_s(limits)):
            raise ExtractionError(
                f"extraction took longer than {limits.document_timeout_s:.0f} s (VIGIE_EXTRACT_DOCUMENT_TIMEOUT_S) "
                "and was stopped; the file may be malformed",
                path=name,
            )
        try:
            outcome, value = receiver.recv()
        except EOFError:
            process.join(5)
            raise ExtractionError(
                f"the extraction process died (exit code {process.exitcode}); the file may be malformed, "
                f"or need more than {limits.memory_mb} MiB (VIGIE_EXTRACT_MEMORY_MB)",
                path=name,
            ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if outcome == "error":
        raise value
    return value


def _out_of_memory(exc: BaseException) -> bool:
    """Under the memory limit, failures surface as MemoryError, or as a module
    or library that cannot be loaded ("failed to map segment", ENOMEM)."""
    while exc is not None:
        if isinstance(exc, MemoryError) or getattr(exc, "errno", None) == errno.ENOMEM:
            return True
        if isinstance(exc, (ImportError, OSError)) and re.search(r"memory|map segment|allocate", str(exc), re.I):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _too_deep(exc: BaseException) -> bool:
    """A parser recursing without end on nested objects (a PDF bomb's page tree)."""
    while exc is not None:
        if isinstance(exc, RecursionError) or any(isinstance(arg, RecursionError) for arg in exc.args):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _extract_in_child(sender, path: str, limits: ExtractionLimits, name: str) -> None:
    memory = limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        result = ("ok", extract_document(Path(path), limits=limits, name=name))
    except VigieError as exc:
        result = ("error", exc)
    except Exception as exc:  # a parser bug is this file's failure, not the run's
        if _out_of_memory(exc):
            error = ExtractionError(f"needs more than {limits.memory_mb} MiB (VIGIE_EXTRACT_MEMORY_MB)", path=name)
        elif _too_deep(exc):
            error = ExtractionError(
                "its objects are nested too deeply to be read (a malformed or hostile file); "
                "re-save or re-export it if it is genuine",
                path=name,
            )
        else:
            error = ExtractionError(f"unexpected failure ({type(exc).__name__}: {exc})", path=name)
        result = ("error", error)
    sender.send(result)
    sender.close()
