"""The database tables (SQLAlchemy 2 declarative models); the schema Alembic migrates.

Times are stored in UTC. SQLite hands them back without a time zone, so `utc` puts it back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STATUSES = ("brouillon", "soumis", "a_corriger", "valide")
ROLES = ("etablissement", "referent", "admin")


def now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(dt.UTC)


def utc(moment: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite returns naive ones)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 (SQLAlchemy's own class hook)
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class User(Base):
    """An account: e-mail, role, scope (FINESS or départements), argon2 hash, lock state."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    finess: Mapped[list[str]] = mapped_column(default=list)
    departements: Mapped[list[str]] = mapped_column(default=list)
    region: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)


class Dossier(Base):
    """One establishment (FINESS EJ) for one campaign: its status and current version."""

    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("finess_ej", "campagne", name="uq_dossiers_finess"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finess_ej: Mapped[str] = mapped_column(String(9))
    departement: Mapped[str] = mapped_column(String(2), index=True)
    campagne: Mapped[str] = mapped_column(String(100))
    raison_sociale: Mapped[str | None] = mapped_column(String(500), default=None)
    statut: Mapped[str] = mapped_column(String(20), default="brouillon")
    version: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    modified_at: Mapped[dt.datetime] = mapped_column(default=now)
    modified_by: Mapped[str] = mapped_column(String(254))


class Version(Base):
    """One save of a dossier: who, when, the draft tree and the validator's report of it."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("dossier_id", "number", name="uq_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    content: Mapped[dict[str, Any]] = mapped_column()
    report: Mapped[dict[str, Any]] = mapped_column()
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)


class Comment(Base):
    """A comment on a dossier or one indicator, kept with the version it was written on."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_dossier", "dossier_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str | None] = mapped_column(String(40), default=None)
    author: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)


class AuditEvent(Base):
    """One line of the audit log: who did what, when, on which dossier or account."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    finess_ej: Mapped[str | None] = mapped_column(String(9), default=None)
    detail: Mapped[str] = mapped_column(Text, default="")


class LoginSession(Base):
    """A login session: the SHA-256 of its random token, its expiry (added by migration 0002)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiToken(Base):
    """An API token for scripts: the SHA-256 of its value, revocable (migration 0002)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
