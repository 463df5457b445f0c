"""Bounds on what extracting one document may cost."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionLimits:
    max_bytes: int = 50 * 2**20
    max_pages: int = 1000
    page_timeout_s: float = 60.0
    document_timeout_s: float = 900.0
    memory_mb: int = 2048
    ocr_language: str = "fra"

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pages", "page_timeout_s", "document_timeout_s", "memory_mb"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")

    @classmethod
    def from_settings(cls, settings) -> "ExtractionLimits":
        return cls(
            max_bytes=int(settings.max_file_mb * 2**20),
            max_pages=settings.extract_max_pages,
            page_timeout_s=settings.extract_page_timeout_s,
            document_timeout_s=settings.extract_document_timeout_s,
            memory_mb=settings.extract_memory_mb,
            ocr_language=settings.ocr_language,
        )


class PageTimeout(Exception):
    """A page took longer than its time limit."""


def _on_alarm(signum, frame) -> None:
    raise PageTimeout()


@contextmanager
def page_deadline(seconds: float) -> Iterator[None]:
    """Interrupt the work on a page after `seconds`.

    Signals only reach the main thread: elsewhere (a thread of a flow run) the
    page runs unbounded and the document's own deadline, enforced by the
    process running it (see `extract.isolated`), is the bound.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
