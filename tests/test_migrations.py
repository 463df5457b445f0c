"""The catalogue's schema changes as Alembic migrations, applied by whatever
opens it: a new catalogue is built by them, an older one is brought up to
date keeping its rows, and the models and the migrations never disagree."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from config.errors import StorageError
from storage import engine as storage_engine
from storage.catalogue import Catalogue
from storage.engine import alembic_config, current_revision, head_revision, open_engine
from storage.schema import metadata

# A catalogue as Vigie made it before migrations: the tables of the collection
# only, and document_versions without the HTTP validators and the kind.
OLDER_CATALOGUE = [
    """CREATE TABLE lists (list_key VARCHAR NOT NULL PRIMARY KEY, commune_insee VARCHAR NOT NULL, commune VARCHAR NOT NULL,
       departement VARCHAR NOT NULL, panel INTEGER NOT NULL, label VARCHAR NOT NULL, nuance VARCHAR NOT NULL,
       head_of_list VARCHAR NOT NULL)""",
    """CREATE TABLE document_versions (version_id VARCHAR NOT NULL PRIMARY KEY, list_key VARCHAR NOT NULL,
       source VARCHAR NOT NULL, version INTEGER NOT NULL, sha256 VARCHAR NOT NULL, media_type VARCHAR NOT NULL,
       size INTEGER NOT NULL, archive_path VARCHAR NOT NULL, fetched_at DATETIME NOT NULL,
       UNIQUE (list_key, source, sha256))""",
    "INSERT INTO lists VALUES ('59350-1', '59350', 'Lille', 'Nord', 1, 'Lille en commun', 'LUG', 'Marie DUPONT')",
    """INSERT INTO document_versions VALUES ('59350-1-v1', '59350-1', 'https://exemple.fr/programme.pdf', 1,
       'ab12', 'application/pdf', 1234, '/archive/ab/ab12.pdf', '2026-02-20 10:00:00')""",
]


def make_older_catalogue(path) -> str:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as db:
        for statement in OLDER_CATALOGUE:
            db.execute(text(statement))
    engine.dispose()
    return url


def test_a_new_catalogue_is_built_by_the_migrations_at_the_current_revision(tmp_path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'nouveau.sqlite'}")

    assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
    with engine.connect() as db:
        assert current_revision(db) == head_revision()


def test_the_models_and_the_migrations_agree(tmp_path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'nouveau.sqlite'}")

    with engine.connect() as db:
        assert compare_metadata(MigrationContext.configure(db), metadata) == []


def test_an_older_catalogue_is_migrated_and_keeps_its_rows(tmp_path) -> None:
    catalogue = Catalogue(make_older_catalogue(tmp_path / "ancien.sqlite"))

    [version] = catalogue.versions()
    assert (version.version_id, version.sha256, version.kind, version.etag) == ("59350-1-v1", "ab12", "programme", None)
    assert version.fetched_at == datetime(2026, 2, 20, 10, tzinfo=timezone.utc)
    assert catalogue.candidate_list("59350-1").label == "Lille en commun"
    columns = {column["name"] for column in inspect(catalogue.engine).get_columns("document_versions")}
    assert {"http_status", "final_url", "content_type", "etag", "last_modified", "kind"} <= columns
    assert set(inspect(catalogue.engine).get_table_names()) >= {"followup_items", "corrections", "users", "results"}
    with catalogue.engine.connect() as db:
        assert compare_metadata(MigrationContext.configure(db), metadata) == []
        assert current_revision(db) == head_revision()


def test_a_current_catalogue_opens_without_migrating_again(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    open_engine(url).dispose()

    def no_upgrade(*args, **kwargs):
        raise AssertionError("a current catalogue was migrated again")

    monkeypatch.setattr(storage_engine.command, "upgrade", no_upgrade)
    open_engine(url).dispose()


def test_a_catalogue_that_cannot_be_migrated_is_one_error_naming_it(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'abime.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text("CREATE TABLE stages (version_id VARCHAR PRIMARY KEY)"))  # lacks its required columns
    engine.dispose()

    with pytest.raises(StorageError, match="could not be migrated") as caught:
        open_engine(url)
    assert "abime.sqlite" in str(caught.value)


def test_the_migrations_give_postgresql_the_whole_schema() -> None:
    # Rendered offline for PostgreSQL's dialect (no server here): what a DBA would apply.
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", "postgresql://")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()

    assert {name for name in metadata.tables if f"CREATE TABLE {name} (" in sql} == set(metadata.tables)
    assert "TIMESTAMP WITH TIME ZONE" in sql and "SERIAL" in sql
    assert f"UPDATE alembic_version SET version_num='{head_revision()}'" in sql or f"VALUES ('{head_revision()}')" in sql


def test_a_catalogue_of_an_earlier_revision_gets_the_later_ones(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'revision-0001.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as db:
        command.upgrade(alembic_config(db), "0001")
        db.execute(text("INSERT INTO lists VALUES ('59350-1', '59350', 'Lille', '59', 1, 'Lille en commun', 'LUG', 'Marie DUPONT')"))
    assert "official_documents" not in inspect(engine).get_table_names()
    engine.dispose()

    catalogue = Catalogue(url)

    assert "official_documents" in inspect(catalogue.engine).get_table_names()
    assert catalogue.list_keys() == ["59350-1"]
    with catalogue.engine.connect() as db:
        assert current_revision(db) == head_revision() == "0003"


def test_the_ministrys_documents_recorded_before_sectors_keep_their_rows_keyed_as_a_communes(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'revision-0002.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as db:
        command.upgrade(alembic_config(db), "0002")
        db.execute(
            text(
                "INSERT INTO official_documents (election, round, commune_insee, panel, kind, document_id, url, record, status, updated_at) "
                "VALUES ('elections-municipales-2026', 1, '59350', 2, 'programme', 'p2', 'https://exemple.fr/p2.pdf', '{}', 'archived', "
                "'2026-03-01 10:00:00')"
            )
        )
    engine.dispose()

    catalogue = Catalogue(url)

    with catalogue.engine.connect() as db:
        [row] = db.execute(text("SELECT circonscription, list_key, document_id, status FROM official_documents")).all()
    assert tuple(row) == ("", "59350-2", "p2", "archived")
