"""The serving modes through the real app process: local (loopback only, no login, the local
user), shared (refuses to start without an administrator or a database), and two app processes
sharing one PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.store import LOCAL_ADMIN, Checker, open_store, read_audit
from assistant.ui.serve import free_port, serve_app
from tests.api_fixtures import APP, FINESS, api_server, index_dir
from tests.postgres_fixtures import FAST_HASHER, PostgresServer, postgres_server, store_checker

__all__ = ["index_dir", "postgres_server", "store_checker"]

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
VALID: dict[str, Any] = json.loads((ROOT / "examples" / "brouillon-valide.json").read_text())


def start_refused(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the app expecting it to refuse to start (it must exit, quickly, by itself)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CPOM_")}
    environ |= {
        "CPOM_LLM_PROVIDER": "none",
        "CPOM_INDEX_DIR": str(tmp_path / "index"),
        "CPOM_APP_DATA_DIR": str(tmp_path / "var"),
        "GRADIO_SERVER_PORT": str(free_port()),
        **env,
    }
    return subprocess.run(
        [sys.executable, str(APP), "--lexical-only"],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20"])
def test_local_mode_refuses_any_address_but_the_loopback(tmp_path: Path, address: str) -> None:
    done = start_refused(
        tmp_path, GRADIO_SERVER_NAME=address, CPOM_DATABASE_URL=f"sqlite:///{tmp_path}/c.db"
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-2:] == [
        "Erreur : Le mode local (CPOM_MODE=local, sans connexion) ne sert que cet ordinateur : "
        f"l'adresse {address!r} est refusée, seule 127.0.0.1 est permise.",
        "Conseil : Retirez GRADIO_SERVER_NAME (ou mettez 127.0.0.1) ; pour servir d'autres "
        "postes, passez en mode partagé : CPOM_MODE=shared, avec des comptes.",
    ]
    assert not (tmp_path / "c.db").exists()  # refused before anything was opened


def test_shared_mode_refuses_to_start_without_an_administrator(tmp_path: Path) -> None:
    done = start_refused(
        tmp_path, CPOM_MODE="shared", CPOM_DATABASE_URL=f"sqlite:///{tmp_path}/c.db"
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "Erreur : Le mode partagé demande au moins un compte administrateur actif : créez-le "
        "avec « python -m assistant users add ADRESSE --role admin »."
    )


def test_shared_mode_refuses_to_start_without_its_database(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://cpom@127.0.0.1:{free_port()}/cpom"
    done = start_refused(tmp_path, CPOM_MODE="shared", CPOM_DATABASE_URL=url)
    assert done.returncode == 2
    assert "Erreur : La base des dossiers est injoignable" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def local_app(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Iterator[str]:
    """The app in local mode (the default) on a fresh SQLite file."""
    workdir = tmp_path_factory.mktemp("api-local")
    url = f"sqlite:///{workdir / 'cpom.db'}"
    env = {"CPOM_DATABASE_URL": url, "CPOM_EMBEDDING_CACHE_DIR": str(workdir / "cache")}
    with serve_app(APP, workdir, index_dir=index_dir, extra_env=env) as served:
        yield served.url.rstrip("/")


def test_local_mode_acts_as_the_local_user_without_login(
    local_app: str, store_checker: Checker, tmp_path: Path
) -> None:
    with httpx.Client(base_url=local_app, timeout=60) as client:
        me = client.get("/api/session").json()
        assert (me["email"], me["role"], me["mode"]) == ("utilisateur-local", "admin", "local")
        saved = client.put(f"/api/dossiers/{FINESS}", json={"version": 0, "brouillon": VALID})
        assert saved.status_code == 200
        assert client.post(f"/api/dossiers/{FINESS}/soumettre").json()["statut"] == "soumis"
        versions = client.get(f"/api/dossiers/{FINESS}/versions").json()
        wrong = client.get("/api/dossiers", headers={"Authorization": "Bearer cpom_faux"})
    assert versions[0]["auteur"] == "utilisateur-local (application, mode local)"
    assert wrong.status_code == 401  # a credential that is given is always checked


def test_two_app_processes_share_one_postgresql_database(
    postgres_server: PostgresServer,
    store_checker: Checker,
    index_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    url = postgres_server.create_database("cpom_two")
    first_dir = tmp_path_factory.mktemp("api-one")
    with api_server(url, first_dir, index_dir, store_checker) as one:
        # the second process on the same database (the accounts exist already)
        second_dir = tmp_path_factory.mktemp("api-two")
        env = {
            "CPOM_MODE": "shared",
            "CPOM_DATABASE_URL": url,
            "CPOM_EMBEDDING_CACHE_DIR": str(second_dir / "cache"),
        }
        with serve_app(APP, second_dir, index_dir=index_dir, extra_env=env) as two:
            bearer = {"Authorization": f"Bearer {one.tokens['etab']}"}
            referent = {"Authorization": f"Bearer {one.tokens['ref31']}"}
            a = httpx.Client(base_url=one.url, timeout=60, headers=bearer)
            b = httpx.Client(base_url=two.url.rstrip("/"), timeout=60, headers=bearer)
            assert a.put(f"/api/dossiers/{FINESS}", json={"version": 0, "brouillon": VALID})
            assert b.get("/api/dossiers").json()[0]["version"] == 1
            stale = b.put(f"/api/dossiers/{FINESS}", json={"version": 0, "brouillon": VALID})
            assert stale.status_code == 409
            assert b.post(f"/api/dossiers/{FINESS}/soumettre").json()["statut"] == "soumis"
            assert a.get(f"/api/dossiers/{FINESS}").json()["statut"] == "soumis"
            validated = a.post(f"/api/dossiers/{FINESS}/valider", headers=referent)
            assert validated.json()["statut"] == "valide"
            listed = b.get("/api/dossiers", headers=referent).json()
            assert [(d["finess_ej"], d["statut"], d["version"]) for d in listed] == [
                (FINESS, "valide", 1)
            ]
    store = open_store(url, checker=store_checker, hasher=FAST_HASHER)
    try:
        audit = read_audit(store, LOCAL_ADMIN, finess=FINESS)
    finally:
        store.close()
    assert [e.action for e in audit] == ["changement_statut", "changement_statut", "enregistrement"]
