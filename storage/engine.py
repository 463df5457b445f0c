"""The one way to open the catalogue: an engine on its URL, with the schema
migrated to the current revision before anything reads or writes it.

Migrations are Alembic's (`storage/migrations/`), so a catalogue made by any
earlier Vigie, on SQLite or PostgreSQL, is brought up to date by whichever
command opens it first; a current one costs one query to check.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event

from config.errors import StorageError

MIGRATIONS = Path(__file__).parent / "migrations"

_STORAGE_FAILURES = ("database or disk is full", "disk i/o error", "no space left on device")


def open_engine(url: str) -> Engine:
    """An engine on the catalogue at `url`, created if missing and migrated."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(engine, "handle_error", _storage_failure)
    migrate(engine)
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the catalogue's migrations, on `connection` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"the catalogue's migrations have {len(heads)} heads; merge them (alembic merge)"
    return heads[0]


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the catalogue to the current revision (nothing to do when it is)."""
    with engine.connect() as connection:
        if current_revision(connection) == head_revision():
            return
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
    except StorageError:
        raise
    except Exception as exc:
        # Two commands opening a new catalogue at once: one migrates, the other finds it done.
        with engine.connect() as connection:
            if current_revision(connection) == head_revision():
                return
        where = engine.url.render_as_string(hide_password=True)
        raise StorageError(
            f"the catalogue could not be migrated to the current schema ({exc}); "
            "restore it from a backup or point VIGIE_CATALOGUE_URL at a new one",
            path=where,
        ) from exc


def _storage_failure(context) -> None:
    """A catalogue that cannot be written (its disk is full) is one clear
    error, not a driver traceback; SQLite rolls the transaction back, so
    nothing recorded before is lost."""
    original = context.original_exception
    if any(sign in str(original).lower() for sign in _STORAGE_FAILURES):
        raise StorageError(
            f"the catalogue cannot be written ({original}); free space on its disk, then run again "
            "(what it recorded before is intact)",
            path=context.engine.url.render_as_string(hide_password=True) if context.engine is not None else "catalogue",
        ) from context.sqlalchemy_exception
