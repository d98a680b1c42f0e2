"""Accounts, dossiers, versions, comments and the audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the first schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("finess", sa.JSON, nullable=False),
        sa.Column("departements", sa.JSON, nullable=False),
        sa.Column("region", sa.Boolean, nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("finess_ej", sa.String(9), nullable=False),
        sa.Column("departement", sa.String(2), nullable=False),
        sa.Column("campagne", sa.String(100), nullable=False),
        sa.Column("raison_sociale", sa.String(500), nullable=True),
        sa.Column("statut", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("modified_at", _WHEN, nullable=False),
        sa.Column("modified_by", sa.String(254), nullable=False),
        sa.UniqueConstraint("finess_ej", "campagne", name="uq_dossiers_finess"),
    )
    op.create_index("ix_dossiers_departement", "dossiers", ["departement"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "dossier_id",
            sa.Integer,
            sa.ForeignKey("dossiers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.UniqueConstraint("dossier_id", "number", name="uq_versions_number"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "dossier_id",
            sa.Integer,
            sa.ForeignKey("dossiers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("indicator", sa.String(40), nullable=True),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_comments_dossier", "comments", ["dossier_id", "id"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("finess_ej", sa.String(9), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_at", "audit", ["at"])


def downgrade() -> None:
    """Drop the first schema."""
    for table in ("audit", "comments", "versions", "dossiers", "users"):
        op.drop_table(table)
