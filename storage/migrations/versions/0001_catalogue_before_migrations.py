"""The catalogue as it stood when migrations began (Vigie of 2026-12).

Catalogues made before then were built table by table as features were
first used, and got later nullable columns added on opening. So this first
revision creates each table that is missing and adds each missing nullable
column: on an empty database it creates the whole schema, on an older
catalogue it completes it, keeping every row.

The tables are frozen here as they were, not imported from storage.schema:
a later change of the models must come as a revision of its own.

Revision ID: 0001
Revises:
Created: 2026-12-03
"""

from alembic import context, op
import sqlalchemy as sa
from sqlalchemy import Boolean, Column, DateTime, Float, Integer, String, Table, Text, UniqueConstraint

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

metadata = sa.MetaData()

# What was collected and what each stage did with it.
lists = Table(
    "lists",
    metadata,
    Column("list_key", String, primary_key=True),
    Column("commune_insee", String, nullable=False),
    Column("commune", String, nullable=False),
    Column("departement", String, nullable=False),
    Column("panel", Integer, nullable=False),
    Column("label", String, nullable=False),
    Column("nuance", String, nullable=False),
    Column("head_of_list", String, nullable=False),
)

document_versions = Table(
    "document_versions",
    metadata,
    Column("version_id", String, primary_key=True),
    Column("list_key", String, nullable=False),
    Column("source", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", String, nullable=False),
    Column("media_type", String, nullable=False),
    Column("size", Integer, nullable=False),
    Column("archive_path", String, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    # What the server said, for provenance and conditional requests (None for local files).
    Column("http_status", Integer),
    Column("final_url", String),
    Column("content_type", String),
    Column("etag", String),
    Column("last_modified", String),
    # "evidence" for documents a watchdog attached to a follow-up item; None for programmes.
    Column("kind", String),
    UniqueConstraint("list_key", "source", "sha256"),
)

stages = Table(
    "stages",
    metadata,
    Column("version_id", String, primary_key=True),
    Column("stage", String, primary_key=True),
    Column("key", String, nullable=False),
    Column("status", String, nullable=False),  # running | done | failed | stale
    Column("error", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Append-only: every stage that did work on a document version, and how it ended.
stage_log = Table(
    "stage_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", String, nullable=False),
    Column("stage", String, nullable=False),
    Column("key", String, nullable=False),
    Column("status", String, nullable=False),
    Column("error", Text),
    Column("at", DateTime(timezone=True), nullable=False),
)

source_failures = Table(
    "source_failures",
    metadata,
    Column("list_key", String, primary_key=True),
    Column("source", String, primary_key=True),
    Column("error", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Lists whose record in the lists index is out of date (their programme was
# indexed, or their details or result imported): the end of the next
# processing run rewrites them, so a run that could not still leaves them due.
scorecards_due = Table(
    "scorecards_due",
    metadata,
    Column("list_key", String, primary_key=True),
    Column("since", DateTime(timezone=True), nullable=False),
)

# The Ministry's candidate and results files (`vigie lists import`, `vigie results import`).
communes = Table(
    "communes",
    metadata,
    Column("commune_insee", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("departement_code", String, nullable=False),
    Column("departement", String, nullable=False),
)

candidates = Table(
    "candidates",
    metadata,
    Column("list_key", String, primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("sex", String, nullable=False),
    Column("surname", String, nullable=False),
    Column("first_name", String, nullable=False),
    Column("nationality", String, nullable=False),
    Column("community_council", Boolean, nullable=False),
    Column("is_head", Boolean, nullable=False),
)

results = Table(
    "results",
    metadata,
    Column("list_key", String, primary_key=True),
    Column("votes", Integer, nullable=False),
    Column("percent_expressed", Float),
    Column("elected", Boolean, nullable=False),
    Column("seats_council", Integer, nullable=False),
    Column("seats_community", Integer, nullable=False),
    Column("round", Integer, nullable=False),
)

# Watchdogs' follow-up of the elected lists' commitments.
# Append-only: every time someone said which list won a commune. The latest wins.
followup_elections = Table(
    "followup_elections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("commune_insee", String, nullable=False),
    Column("list_key", String, nullable=False),
    Column("by", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("why", Text, nullable=False),
)

# One row per commitment followed; written once, never updated.
followup_items = Table(
    "followup_items",
    metadata,
    Column("item_id", String, primary_key=True),
    Column("commune_insee", String, nullable=False),
    Column("list_key", String, nullable=False),
    Column("demand", String, nullable=False),
    Column("sentence", Text, nullable=False),
    Column("page", Integer, nullable=False),
    Column("archive", String, nullable=False),  # archived file path with #page=N
    Column("source_record", String, nullable=False),  # the mention record the commitment came from
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String, nullable=False),
)

# Append-only: every change to an item. Revisions count from 1 per item.
followup_events = Table(
    "followup_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("by", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status_before", String),
    Column("status_after", String),  # None: the event only adds a note or evidence
    Column("note", Text),
    Column("why", Text),
    Column("evidence", Text, nullable=False),  # JSON list of {"url", "title"} / {"archive", "title"}
    UniqueConstraint("item_id", "revision"),
)

# Analysts' verdicts on detections.
corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String, nullable=False, index=True),
    Column("doc_id", String, nullable=False, index=True),
    Column("list_key", String, nullable=False),
    Column("page", Integer, nullable=False),
    Column("sentence", Text, nullable=False),
    Column("action", String, nullable=False),
    Column("demand_before", String, nullable=False),
    Column("level_before", String, nullable=False),
    Column("demand_after", String),
    Column("level_after", String),
    Column("by", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("why", Text),
)

# Saved searches and the hits they alerted on.
saved_searches = Table(
    "saved_searches",
    metadata,
    Column("name", String, primary_key=True),
    Column("request", Text, nullable=False),
    Column("email", String),
    Column("webhook", String),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("checked_at", DateTime(timezone=True)),
)

alert_hits = Table(
    "alert_hits",
    metadata,
    Column("search", String, primary_key=True),
    Column("record_id", String, primary_key=True),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("baseline", Boolean, nullable=False),
    Column("hit", Text),
    Column("shown_at", DateTime(timezone=True)),
    Column("emailed_at", DateTime(timezone=True)),
    Column("posted_at", DateTime(timezone=True)),
)

# Accounts of the web app.
users = Table(
    "users",
    metadata,
    Column("username", String, primary_key=True),
    Column("password_hash", String, nullable=False),
    Column("role", String, nullable=False),  # editor | admin
    Column("token_hash", String),  # SHA-256 hex of the API token; the token itself is never stored
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

def upgrade() -> None:
    if context.is_offline_mode():  # printing the SQL for a new database
        for table in metadata.sorted_tables:
            op.execute(sa.schema.CreateTable(table))
            for index in sorted(table.indexes, key=lambda index: index.name or ""):
                op.execute(sa.schema.CreateIndex(index))
        return
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            table.create(bind)
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column for column in table.columns if column.name not in present]
        for column in missing:
            if not column.nullable:
                raise RuntimeError(f"the catalogue's table {table.name} lacks the required column {column.name}")
            op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the first revision has nothing to go back to: restore the catalogue from a backup")
