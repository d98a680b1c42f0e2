"""Backup and restore of the whole dossier store, the same way on SQLite and PostgreSQL.

A backup is one gzip-compressed JSON file: the schema revision and every row of every table.
It needs no database client program, and a backup taken on SQLite restores on PostgreSQL (the
way from a local trial to a shared server). A restore replaces the whole content of the
database in one transaction: it is complete or nothing changes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import DateTime, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from assistant.errors import InvalidInputError
from assistant.store.access import require_admin
from assistant.store.audit import record
from assistant.store.connection import Store
from assistant.store.models import Actor
from assistant.store.schema import current_revision
from assistant.store.tables import Base, now

BACKUP_FORMAT = "cpom-dossiers"
"""The ``format`` field of a backup file."""


class BackupSummary(BaseModel):
    """What a backup holds: its schema revision and the row count of each table."""

    revision: str
    cree_le: dt.datetime
    lignes: dict[str, int]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def backup(store: Store, actor: Actor, path: Path) -> BackupSummary:
    """Write every row of the store to ``path`` (gzip JSON, written atomically).

    Raises:
        AccessDeniedError: The actor is not an administrator.
        DatabaseUnavailableError: The database cannot be reached.
    """
    require_admin(actor)
    revision = current_revision(store.engine) or ""
    tables: dict[str, list[dict[str, Any]]] = {}
    with store.transaction() as session:
        for table in _tables():
            rows = session.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [
                {key: _cell(value) for key, value in row._mapping.items()} for row in rows
            ]
        record(session, actor.label, "sauvegarde", detail=path.name)
    summary = BackupSummary(
        revision=revision, cree_le=now(), lignes={name: len(rows) for name, rows in tables.items()}
    )
    document = {"format": BACKUP_FORMAT, **summary.model_dump(mode="json"), "tables": tables}
    data = gzip.compress(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return summary


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidInputError(f"Le fichier de sauvegarde {str(path)!r} est introuvable.")
    try:
        document = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, ValueError) as error:
        raise InvalidInputError(
            f"Le fichier {path.name!r} n'est pas une sauvegarde de la base des dossiers."
        ) from error
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise InvalidInputError(
            f"Le fichier {path.name!r} n'est pas une sauvegarde de la base des dossiers."
        )
    return document


def _typed_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    typed = dict(row)
    for column in table.columns:
        if isinstance(column.type, DateTime) and isinstance(typed.get(column.name), str):
            typed[column.name] = dt.datetime.fromisoformat(typed[column.name])
    return typed


def restore(store: Store, actor: Actor, path: Path) -> BackupSummary:
    """Replace the whole content of the store by a backup, in one transaction.

    Raises:
        AccessDeniedError: The actor is not an administrator.
        InvalidInputError: Not a backup file, or one of another schema revision.
        DatabaseUnavailableError: The database cannot be reached (nothing changed).
    """
    require_admin(actor)
    document = _read(path)
    revision = current_revision(store.engine)
    if document.get("revision") != revision:
        raise InvalidInputError(
            f"La sauvegarde {path.name!r} est au schéma {document.get('revision')!r}, la base "
            f"au schéma {revision!r} : elle ne peut pas y être restaurée telle quelle.",
            hint="Restaurez-la avec la version de l'assistant qui l'a faite.",
        )
    rows: dict[str, Any] = document.get("tables", {})
    with store.transaction() as session:
        for table in reversed(_tables()):
            session.execute(delete(table))
        for table in _tables():
            items = [_typed_row(table, row) for row in rows.get(table.name, [])]
            if items:
                session.execute(insert(table), items)
        _reset_sequences(session)
        record(session, actor.label, "restauration", detail=path.name)
    return BackupSummary.model_validate(
        {k: document[k] for k in ("revision", "cree_le")}
        | {"lignes": {name: len(items) for name, items in rows.items()}}
    )


def _reset_sequences(session: Session) -> None:
    """On PostgreSQL, make the next generated id follow the restored ones."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        highest = session.scalar(select(func.max(table.c.id)))
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value, :called)"),
            {"table": table.name, "value": highest or 1, "called": highest is not None},
        )
