"""The schema version of a database, and its migration to the latest one (Alembic)."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from assistant.store.database import MIGRATIONS, describe_url, translate_errors

logger = logging.getLogger(__name__)


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The latest schema revision the code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the migrations folder holds no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of a database (None when it is empty)."""
    with translate_errors(_where(engine)), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate a database to ``revision`` (the latest by default), in one transaction.

    Raises:
        DatabaseUnavailableError: The database cannot be reached.
    """
    target = head_revision() if revision == "head" else revision
    if current_revision(engine) == target:
        return
    logger.info("migrating %s to schema %s", _where(engine), target)
    config = _config()
    with translate_errors(_where(engine)), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def _where(engine: Engine) -> str:
    return describe_url(engine.url.render_as_string(hide_password=True))
