"""Migrations, backup and restore, and a database that goes away (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from assistant.config import Settings
from assistant.errors import DatabaseUnavailableError, InvalidInputError
from assistant.store import (
    LOCAL_ADMIN,
    Checker,
    Store,
    add_user,
    get_dossier,
    list_versions,
    login,
    open_store,
    save_draft,
    store_from_settings,
)
from assistant.store.backup import backup, restore
from assistant.store.database import create_db_engine
from assistant.store.schema import current_revision, head_revision, upgrade
from tests.postgres_fixtures import (
    FAST_HASHER,
    TABLES,
    PostgresServer,
    postgres_server,
    postgres_store,
    store,
    store_checker,
)

__all__ = ["postgres_server", "postgres_store", "store", "store_checker"]

ROOT = Path(__file__).resolve().parent.parent
VALID: dict[str, Any] = json.loads((ROOT / "examples" / "brouillon-valide.json").read_text())
PASSWORD = "cheval-agrafe-pile-7"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database (no schema at all)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database("cpom_empty")


def test_an_empty_database_is_migrated_to_the_latest_schema(
    empty_url: str, store_checker: Checker
) -> None:
    store = open_store(empty_url, checker=store_checker, hasher=FAST_HASHER)
    try:
        assert current_revision(store.engine) == head_revision() == "0002"
        assert set(TABLES) <= set(inspect(store.engine).get_table_names())
        save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=0)
    finally:
        store.close()


def test_a_database_of_the_previous_schema_is_migrated_with_its_data(
    empty_url: str, store_checker: Checker
) -> None:
    engine = create_db_engine(empty_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "api_tokens" not in inspect(engine).get_table_names()
    moment = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, role, finess, departements, region, password_hash, "
                "active, failed_logins, created_at) VALUES ('dir@ch.fr', 'etablissement', "
                "'[\"310000123\"]', '[]', false, :hash, true, 0, :at)"
            ),
            {"hash": FAST_HASHER.hash(PASSWORD), "at": moment},
        )
        connection.execute(
            text(
                "INSERT INTO dossiers (finess_ej, departement, campagne, raison_sociale, statut, "
                "version, errors, warnings, modified_at, modified_by) VALUES ('310000123', '31', "
                "'occitanie-2025-2029', 'CH ancien', 'brouillon', 1, 0, 0, :at, 'dir@ch.fr')"
            ),
            {"at": moment},
        )
        connection.execute(
            text(
                "INSERT INTO versions (dossier_id, number, author, created_at, content, report, "
                "errors, warnings) VALUES (1, 1, 'dir@ch.fr', :at, :content, :report, 0, 0)"
            ),
            {
                "at": moment,
                "content": json.dumps(VALID),
                "report": json.dumps({"valid": True, "errors": 0, "warnings": 0, "findings": []}),
            },
        )
    engine.dispose()
    store = open_store(empty_url, checker=store_checker, hasher=FAST_HASHER)
    try:
        assert current_revision(store.engine) == "0002"
        assert get_dossier(store, LOCAL_ADMIN, "310000123").raison_sociale == "CH ancien"
        assert login(store, "dir@ch.fr", PASSWORD).actor.finess == ("310000123",)  # new table
        assert save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=1).version == 2
    finally:
        store.close()


def test_the_default_database_is_a_sqlite_file_created_on_first_use(tmp_path: Path) -> None:
    assert Settings(_env_file=None).database_url.endswith("/var/cpom.db")  # type: ignore[call-arg]
    path = tmp_path / "var" / "cpom.db"
    settings = Settings(_env_file=None, database_url=f"sqlite:///{path}")  # type: ignore[call-arg]
    store = store_from_settings(settings)
    try:
        assert path.is_file()
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()


def _fill(store: Store) -> None:
    add_user(
        store,
        LOCAL_ADMIN,
        "dir@ch.fr",
        role="etablissement",
        password=PASSWORD,
        finess=["310000123"],
    )
    save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=0)
    save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=1)


def test_backup_and_restore_round_trip_across_databases(
    store: Store, tmp_path: Path, store_checker: Checker, request: pytest.FixtureRequest
) -> None:
    _fill(store)
    file = tmp_path / "sauvegarde.json.gz"
    summary = backup(store, LOCAL_ADMIN, file)
    assert (summary.revision, summary.lignes["versions"], summary.lignes["users"]) == ("0002", 2, 1)
    save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=2)  # after the backup: lost
    restore(store, LOCAL_ADMIN, file)
    assert [v.version for v in list_versions(store, LOCAL_ADMIN, "310000123")] == [2, 1]
    # and into the other kind of database: PostgreSQL -> SQLite, SQLite -> PostgreSQL
    if store.engine.dialect.name == "postgresql":
        target = open_store(f"sqlite:///{tmp_path / 'autre.db'}", checker=store_checker)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        target = open_store(server.create_database("cpom_restore"), checker=store_checker)
    target.hasher = FAST_HASHER
    try:
        restore(target, LOCAL_ADMIN, file)
        assert [v.version for v in list_versions(target, LOCAL_ADMIN, "310000123")] == [2, 1]
        assert login(target, "dir@ch.fr", PASSWORD).actor.email == "dir@ch.fr"
        # identifiers continue after the restored ones
        assert save_draft(target, LOCAL_ADMIN, "310000123", VALID, version=2).version == 3
    finally:
        target.close()


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    _fill(store)
    junk = tmp_path / "pas-une-sauvegarde.json.gz"
    junk.write_text("bonjour")
    with pytest.raises(InvalidInputError, match="n'est pas une sauvegarde"):
        restore(store, LOCAL_ADMIN, junk)
    with pytest.raises(InvalidInputError, match="introuvable"):
        restore(store, LOCAL_ADMIN, tmp_path / "absente.json.gz")
    assert get_dossier(store, LOCAL_ADMIN, "310000123").version == 2


def test_unreachable_postgresql_is_a_french_error(store_checker: Checker) -> None:
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_store("postgresql+psycopg://cpom:secret-pw@127.0.0.1:9/cpom", checker=store_checker)
    assert "La base des dossiers est injoignable" in caught.value.message
    assert "secret-pw" not in caught.value.message + (caught.value.hint or "")
    assert "CPOM_DATABASE_URL" in (caught.value.hint or "")


def test_a_sqlite_file_that_is_not_a_database_is_a_french_error(
    tmp_path: Path, store_checker: Checker
) -> None:
    bad = tmp_path / "cpom.db"
    bad.write_bytes(b"ceci n'est pas une base" * 100)
    with pytest.raises(DatabaseUnavailableError, match="injoignable"):
        open_store(f"sqlite:///{bad}", checker=store_checker)


def test_connection_lost_mid_save_writes_no_half_version_then_recovers(
    postgres_server: PostgresServer, store_checker: Checker
) -> None:
    store = open_store(
        postgres_server.create_database("cpom_faults"), checker=store_checker, hasher=FAST_HASHER
    )
    try:
        save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=0)
        # the server cuts the connection after the version row is written, before the commit
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE FUNCTION cut() RETURNS trigger AS $$ BEGIN "
                    "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ "
                    "LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text("CREATE TRIGGER cut AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION cut()")
            )
        with pytest.raises(DatabaseUnavailableError, match="rien n'a été enregistré"):
            save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=1)
        with store.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER cut ON audit"))
        assert [v.version for v in list_versions(store, LOCAL_ADMIN, "310000123")] == [1]
        # the whole server stops, then comes back: the same store works again
        postgres_server.stop()
        try:
            with pytest.raises(DatabaseUnavailableError):
                save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=1)
        finally:
            postgres_server.start()
        assert save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=1).version == 2
    finally:
        store.close()
