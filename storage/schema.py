"""Every table of the catalogue, on one `metadata`.

The models here are what the code reads and writes; the Alembic migrations
in `storage/migrations/` are how a catalogue gets to them. A change here
needs a migration (tests/test_migrations.py fails until the two agree).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

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


# The Ministry's online publication of professions de foi: one row per
# document it lists (an election, a round, a list by commune and panel, a
# kind), with the JSON record it came from and what collecting it gave.
official_documents = Table(
    "official_documents",
    metadata,
    Column("election", String, primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("circonscription", String, primary_key=True),  # a sector or metropolitan circonscription; "" for a commune
    Column("commune_insee", String, primary_key=True),
    Column("panel", Integer, primary_key=True),
    Column("kind", String, primary_key=True),  # programme | accessible | falc | falc_accessible
    Column("list_key", String, nullable=False),
    Column("document_id", String, nullable=False),  # "" when the list is named with no document
    Column("url", String, nullable=False),
    Column("record", Text, nullable=False),  # the candidate's JSON record, as published
    Column("status", String, nullable=False),  # archived | unknown list | failed | not published
    Column("error", Text),
    Column("sha256", String),
    Column("version_id", String),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
