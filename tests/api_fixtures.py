"""The real app serving the API: ``app.py --lexical-only`` on a free loopback port.

The accounts and their API tokens are written in the database by the test process (through
the store), then the app is started on that database (SQLite file or the session's PostgreSQL).
Imported explicitly by the test files that use it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from assistant.index.build import ingest
from assistant.store import LOCAL_ADMIN, Checker, Store, add_user, create_token, open_store
from assistant.ui.serve import ServedApp, serve_app
from tests.conftest import make_settings
from tests.postgres_fixtures import FAST_HASHER

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
CORPUS = ROOT / "corpus"
PASSWORD = "cheval-agrafe-pile-7"
FINESS = "310000123"  # Haute-Garonne, the examples' establishment
OTHER_FINESS = "340000456"  # Hérault

ACCOUNTS: dict[str, dict[str, object]] = {
    "admin": {"email": "admin@ars.fr", "role": "admin"},
    "etab": {"email": "dir@ch-exemple.fr", "role": "etablissement", "finess": [FINESS]},
    "autre_etab": {
        "email": "dir@ch-autre.fr",
        "role": "etablissement",
        "finess": [OTHER_FINESS],
    },
    "ref31": {"email": "ref31@ars.fr", "role": "referent", "departements": ["31", "09"]},
    "ref34": {"email": "ref34@ars.fr", "role": "referent", "departements": ["34"]},
    "revoque": {"email": "ancien@ch-exemple.fr", "role": "etablissement", "finess": [FINESS]},
}


@dataclass
class ApiServer:
    """A served app, the store on its database (seen from the test), and the accounts' tokens."""

    served: ServedApp
    store: Store
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.served.url.rstrip("/")

    def client(self, who: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)  # type: ignore[arg-type]


def lexical_index(folder: Path) -> Path:
    """A lexical index of the real corpus (no embedding: quick on 2 cores)."""
    ingest(make_settings(folder, corpus_dir=CORPUS), dense=False)
    return folder / "index"


def add_accounts(store: Store) -> dict[str, str]:
    """Create the accounts of `ACCOUNTS` with a token each; the ``revoque`` one is revoked."""
    from assistant.store import revoke_token

    tokens: dict[str, str] = {}
    for name, account in ACCOUNTS.items():
        add_user(
            store,
            LOCAL_ADMIN,
            str(account["email"]),
            role=account["role"],  # type: ignore[arg-type]
            password=PASSWORD,
            finess=account.get("finess", ()),  # type: ignore[arg-type]
            departements=account.get("departements", ()),  # type: ignore[arg-type]
        )
        new = create_token(store, LOCAL_ADMIN, str(account["email"]))
        tokens[name] = new.token
        if name == "revoque":
            revoke_token(store, LOCAL_ADMIN, new.id)
    return tokens


def clear_dossiers(store: Store) -> None:
    """Delete the dossiers, their versions and comments (accounts and tokens stay)."""
    with store.engine.begin() as connection:
        for table in ("comments", "versions", "dossiers"):
            connection.execute(text(f"DELETE FROM {table}"))


@contextlib.contextmanager
def api_server(
    url: str, workdir: Path, index_dir: Path, checker: Checker, *, mode: str = "shared"
) -> Iterator[ApiServer]:
    """Accounts in the database at ``url``, then the app serving it in ``mode``."""
    store = open_store(url, checker=checker, hasher=FAST_HASHER)
    try:
        tokens = add_accounts(store)
        with serve_app(
            APP,
            workdir,
            index_dir=index_dir,
            extra_env={
                "CPOM_MODE": mode,
                "CPOM_DATABASE_URL": url,
                "CPOM_EMBEDDING_CACHE_DIR": str(workdir / "cache"),
            },
        ) as served:
            yield ApiServer(served, store, tokens)
    finally:
        store.close()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lexical_index(tmp_path_factory.mktemp("api-index"))
