"""The database engine (SQLite or PostgreSQL) and the translation of its connection errors.

The default is a SQLite file (``var/cpom.db``, created on first use); a shared deployment gives
``CPOM_DATABASE_URL=postgresql+psycopg://…``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from assistant.errors import DatabaseUnavailableError, InvalidInputError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""The Alembic scripts, shipped inside the package."""


def describe_url(url: str) -> str:
    """A database URL as shown to a user: a SQLite file's path, or the URL (no password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"fichier SQLite {parsed.database!r}"
    return parsed.render_as_string(hide_password=True)


@contextmanager
def translate_errors(where: str) -> Iterator[None]:
    """Turn a lost or refused database connection into a French `DatabaseUnavailableError`."""
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError) as error:
        logger.warning("database error on %s: %s", where, error)
        raise DatabaseUnavailableError(
            f"La base des dossiers est injoignable ({where}) : rien n'a été enregistré.",
            hint="Vérifiez que le serveur de base de données fonctionne et que "
            "CPOM_DATABASE_URL est juste, puis recommencez.",
        ) from error
    except exc.DBAPIError as error:
        if "file is not a database" in str(error.orig):
            raise DatabaseUnavailableError(
                f"La base des dossiers est injoignable ({where}) : ce fichier n'est pas une "
                "base SQLite.",
                hint="Vérifiez CPOM_DATABASE_URL, ou restaurez une sauvegarde (restore).",
            ) from error
        if not error.connection_invalidated:
            raise
        raise DatabaseUnavailableError(
            f"La connexion à la base des dossiers a été perdue ({where}) : rien n'a été "
            "enregistré.",
            hint="Recommencez : la connexion est rétablie dès que le serveur répond.",
        ) from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """Create the engine for a ``sqlite:///…`` or ``postgresql+psycopg://…`` URL.

    A SQLite file's folder is created; connections are checked before use, so that a
    database that went away and came back is used again without a restart.

    Raises:
        InvalidInputError: The URL is malformed or names an unsupported database.
    """
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise InvalidInputError(
            "CPOM_DATABASE_URL est mal formée.",
            hint="Exemples : sqlite:///var/cpom.db ou "
            "postgresql+psycopg://utilisateur:motdepasse@hôte:5432/cpom",
        ) from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    raise InvalidInputError(
        f"Base de données non prise en charge : {backend!r}.",
        hint="CPOM_DATABASE_URL doit commencer par sqlite:/// ou postgresql+psycopg://.",
    )
