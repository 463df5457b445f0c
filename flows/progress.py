"""Progress of a long run, for whoever watches it (the command line's bar).

The flows report through a context variable rather than a parameter: a
callback is not a flow parameter Prefect could record, and a flow run in a
scheduler has nobody watching.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Reporter = Callable[[str, int, int], None]
"""(step, done, total)"""

_reporter: ContextVar[Reporter | None] = ContextVar("vigie_progress", default=None)


def report(step: str, done: int, total: int) -> None:
    reporter = _reporter.get()
    if reporter is not None:
        reporter(step, done, total)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)
