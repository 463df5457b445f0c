"""The Ministry's published professions de foi, one row per listed document.

Revision ID: 0002
Revises: 0001
Created: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_table("official_documents")
