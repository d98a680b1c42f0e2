"""A throwaway PostgreSQL server for the storage tests, and stores on SQLite and PostgreSQL.

The server is started once per test session from Debian's binaries (``initdb``, ``pg_ctl``) in
a temporary folder, on loopback, with its socket in that folder; as root it runs as the
unprivileged ``postgres`` user. Missing binaries fail the tests loudly: ``make test`` installs
them (``scripts/system-packages.sh``).

Imported explicitly by the test files that use it (``from tests.postgres_fixtures import …``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from assistant.config import get_settings
from assistant.kb import load_kb
from assistant.rules import load_rules
from assistant.store import Checker, Store, open_store

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("api_tokens", "sessions", "audit", "comments", "versions", "dossiers", "users")

# argon2id with small costs: the real algorithm and library, fast enough for many logins.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def pg_bin_dir() -> Path:
    """The folder holding initdb and pg_ctl (the newest Debian cluster version, or PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    pytest.fail(
        "PostgreSQL server binaries (initdb, pg_ctl) are missing: `make test` installs the "
        "Debian package postgresql (scripts/system-packages.sh); or apt-get install postgresql.",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A PostgreSQL server in a temporary folder (trust authentication, loopback only)."""

    def __init__(self, folder: Path) -> None:
        self.bin = pg_bin_dir()
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.user = "cpom"
        self._runas: list[str] = []
        if os.geteuid() == 0:
            account = "postgres"
            try:
                pwd.getpwnam(account)
            except KeyError:
                account = "cpom-pg"
                subprocess.run(["useradd", "--system", "--no-create-home", account], check=True)
            shutil.chown(folder, account)
            self._runas = ["runuser", "-u", account, "--"]

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._runas, *args], capture_output=True, text=True, check=False, timeout=60
        )
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stderr}\n{result.stdout}\n{tail}")

    def initdb(self) -> None:
        """Create the cluster."""
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are cut)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database of this server."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database (dropped first if it exists); returns its URL."""
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole test session."""
    folder = Path(tempfile.mkdtemp(prefix="cpom-pg-"))
    server = PostgresServer(folder)
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        with contextlib.suppress(RuntimeError):  # already stopped by a test that failed
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def store_checker() -> Checker:
    """The Occitanie 2025-2029 validator, loaded once."""
    corpus = ROOT / "corpus"
    return Checker(
        kb=load_kb(corpus), rules=load_rules(corpus / "rules" / "occitanie-2025-2029.yaml")
    )


@pytest.fixture(scope="session")
def postgres_store(postgres_server: PostgresServer, store_checker: Checker) -> Iterator[Store]:
    store = open_store(
        postgres_server.create_database("cpom_tests"), checker=store_checker, hasher=FAST_HASHER
    )
    yield store
    store.close()


def empty_tables(store: Store) -> None:
    """Delete every row (the schema stays), so that each test starts from an empty store."""
    with store.engine.begin() as connection:
        if store.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, store_checker: Checker
) -> Iterator[Store]:
    """An empty, migrated store on SQLite (a fresh file) or on the session's PostgreSQL."""
    if request.param == "sqlite":
        sqlite_store = open_store(
            f"sqlite:///{tmp_path / 'var' / 'cpom.db'}",
            checker=store_checker,
            hasher=FAST_HASHER,
            session_ttl=dt.timedelta(hours=8),
        )
        yield sqlite_store
        sqlite_store.close()
        return
    pg_store: Store = request.getfixturevalue("postgres_store")
    empty_tables(pg_store)
    yield pg_store


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``CPOM_DATABASE_URL`` for the CLI: a fresh SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'cpom.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database("cpom_cli")
    monkeypatch.setenv("CPOM_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
