"""The Ministry's documents of the sector and metropolitan elections, and its
lists named with no document: official_documents keyed by circonscription too,
with the list's key.

Its key changes, which SQLite cannot alter in place: the table is rebuilt and
its rows copied (a commune's circonscription is "", its list key
`<insee>-<panel>`).

Revision ID: 0003
Revises: 0002
Created: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

KEPT = "election, round, commune_insee, panel, kind, document_id, url, record, status, error, sha256, version_id, updated_at"


def upgrade() -> None:
    op.rename_table("official_documents", "official_documents_0002")
    op.create_table(
        "official_documents",
        sa.Column("election", sa.String, primary_key=True),
        sa.Column("round", sa.Integer, primary_key=True),
        sa.Column("circonscription", sa.String, primary_key=True),
        sa.Column("commune_insee", sa.String, primary_key=True),
        sa.Column("panel", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String, primary_key=True),
        sa.Column("list_key", sa.String, nullable=False),
        sa.Column("document_id", sa.String, nullable=False),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("sha256", sa.String),
        sa.Column("version_id", sa.String),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        f"INSERT INTO official_documents (circonscription, list_key, {KEPT}) "
        f"SELECT '', commune_insee || '-' || CAST(panel AS VARCHAR), {KEPT} FROM official_documents_0002"
    )
    op.drop_table("official_documents_0002")


def downgrade() -> None:
    op.rename_table("official_documents", "official_documents_0003")
    op.create_table(
        "official_documents",
        sa.Column("election", sa.String, primary_key=True),
        sa.Column("round", sa.Integer, primary_key=True),
        sa.Column("commune_insee", sa.String, primary_key=True),
        sa.Column("panel", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String, primary_key=True),
        sa.Column("document_id", sa.String, nullable=False),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("sha256", sa.String),
        sa.Column("version_id", sa.String),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(f"INSERT INTO official_documents ({KEPT}) SELECT {KEPT} FROM official_documents_0003 WHERE circonscription = ''")
    op.drop_table("official_documents_0003")
