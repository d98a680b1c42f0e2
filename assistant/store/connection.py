"""An opened dossier store: engine, one transaction per service call, checker, hasher.

Every service call runs in one transaction (`Store.transaction`): it is written whole or not
at all, and a database that cannot be reached becomes a French `DatabaseUnavailableError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.kb import KnowledgeBase
from assistant.rules import RuleSet
from assistant.rules.report import Report
from assistant.store.checker import Checker
from assistant.store.database import create_db_engine, describe_url, translate_errors
from assistant.store.schema import upgrade


class Store:
    """An opened dossier database, with the validator and password hasher its services use.

    Args:
        engine: The SQLAlchemy engine (see `open_store`).
        checker: The campaign and its validator, run on every saved draft.
        hasher: The argon2 password hasher.
        session_ttl: How long a login session lasts.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        checker: Checker,
        hasher: PasswordHasher | None = None,
        session_ttl: dt.timedelta = dt.timedelta(hours=8),
    ) -> None:
        self.engine = engine
        self.checker = checker
        self.hasher = hasher or PasswordHasher()
        self.session_ttl = session_ttl
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def campaign(self) -> str:
        """The campaign every dossier of this store belongs to."""
        return self.checker.campaign

    def validate(self, tree: Mapping[str, Any]) -> Report:
        """The validator's report of a draft tree."""
        return self.checker(tree)

    @property
    def where(self) -> str:
        """The database without its password (for messages and logs)."""
        return describe_url(self.engine.url.render_as_string(hide_password=True))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end, or rolled back on any error.

        Raises:
            DatabaseUnavailableError: The database cannot be reached (nothing was written).
        """
        with translate_errors(self.where), self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_store(
    url: str,
    *,
    checker: Checker,
    hasher: PasswordHasher | None = None,
    session_ttl: dt.timedelta = dt.timedelta(hours=8),
    migrate: bool = True,
) -> Store:
    """Open the dossier database at ``url``, migrated to the latest schema.

    Args:
        url: ``sqlite:///path/cpom.db`` or ``postgresql+psycopg://…``.
        checker: The campaign and its validator.
        hasher: The argon2 password hasher (argon2-cffi's default parameters).
        session_ttl: How long a login session lasts.
        migrate: Bring the schema up to date (creating it in an empty database).

    Raises:
        DatabaseUnavailableError: The database cannot be reached.
        InvalidInputError: The URL is malformed or unsupported.
    """
    engine = create_db_engine(url)
    try:
        if migrate:
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, checker=checker, hasher=hasher, session_ttl=session_ttl)


def store_from_settings(
    settings: Settings, *, kb: KnowledgeBase | None = None, rules: RuleSet | None = None
) -> Store:
    """Open the store the settings name (``CPOM_DATABASE_URL``, corpus, rules file).

    Args:
        settings: The settings.
        kb: The knowledge base already loaded by the caller (default: loaded on first use).
        rules: The campaign's rules already loaded by the caller (default: idem).
    """
    checker = Checker(
        corpus_dir=settings.corpus_dir, rules_file=settings.rules_file, kb=kb, rules=rules
    )
    return open_store(
        settings.database_url,
        checker=checker,
        session_ttl=dt.timedelta(hours=settings.session_hours),
    )
