"""The administrators' CLI (``users``, ``dossiers``, ``backup``, ``restore``) through main()."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from assistant.cli import main
from assistant.config import get_settings
from assistant.drafts import read_draft_file
from assistant.store import LOCAL_ADMIN, authenticate_token, open_store, read_audit, submit
from assistant.store.checker import Checker
from tests.postgres_fixtures import database_url, postgres_server, store_checker

__all__ = ["database_url", "postgres_server", "store_checker"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PASSWORD = "cheval-agrafe-pile-7"


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: str = ""
) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_users_add_list_token_disable(
    database_url: str, capsys: pytest.CaptureFixture[str], store_checker: Checker
) -> None:
    code, out, _ = run(
        ["users", "add", "Ref@ARS.fr", "--role", "referent", "--departements", "31,34"],
        capsys,
        stdin=PASSWORD + "\n",
    )
    assert (code, out.strip()) == (0, "Compte créé : ref@ars.fr (referent ; dép. 31, dép. 34).")
    code, _, _ = run(
        [
            "users",
            "add",
            "dir@ch.fr",
            "--role",
            "etablissement",
            "--finess",
            "310000123",
            "340000456",
        ],
        capsys,
        stdin=PASSWORD + "\n",
    )
    assert code == 0
    code, out, err = run(["users", "add", "x@ch.fr", "--role", "admin"], capsys, stdin="court\n")
    assert code == 2
    assert err.startswith("Erreur : Le mot de passe doit compter au moins 12 caractères.")
    code, out, err = run(["users", "add", "y@ch.fr", "--role", "referent"], capsys, stdin=PASSWORD)
    assert code == 2
    assert "soit à des départements, soit à la région" in err

    code, out, _ = run(["users", "list", "--json"], capsys)
    accounts = json.loads(out)
    assert [(a["email"], a["finess"], a["departements"]) for a in accounts] == [
        ("dir@ch.fr", ["310000123", "340000456"], []),
        ("ref@ars.fr", [], ["31", "34"]),
    ]
    assert PASSWORD not in out

    code, out, _ = run(["users", "token", "ref@ars.fr"], capsys)
    token = out.rstrip("\n").splitlines()[-1]
    assert code == 0
    assert token.startswith("cpom_")
    assert token == token.strip()
    store = open_store(database_url, checker=store_checker)
    try:
        assert authenticate_token(store, token).departements == ("31", "34")
        code, out, _ = run(["users", "disable", "ref@ars.fr"], capsys)
        assert (code, out.strip()) == (0, "Compte désactivé : ref@ars.fr.")
        with pytest.raises(Exception, match="désactivé"):
            authenticate_token(store, token)
        audit = read_audit(store, LOCAL_ADMIN)
        assert {e.acteur for e in audit} == {"admin-local (ligne de commande)"}
    finally:
        store.close()
    code, _, err = run(["users", "disable", "personne@ars.fr"], capsys)
    assert code == 2
    assert "Aucun compte 'personne@ars.fr'" in err


def test_dossiers_cycle_through_the_cli(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, store_checker: Checker
) -> None:
    folder = tmp_path / "lot"
    folder.mkdir()
    shutil.copy(EXAMPLES / "brouillon-avec-erreurs.json", folder / "a-avec-erreurs.json")
    (folder / "b-vide.json").write_text("")
    code, out, _ = run(["dossiers", "import", str(folder)], capsys)
    assert code == 2  # one file unreadable; the other imported
    assert "a-avec-erreurs.json : FINESS 310000123 — version 1 enregistrée (3 erreur(s)" in out
    assert "b-vide.json : refusé — Le fichier 'b-vide.json' est illisible" in out

    store = open_store(database_url, checker=store_checker)
    try:
        with pytest.raises(Exception, match="3 erreur"):
            submit(store, LOCAL_ADMIN, "310000123")
        code, out, _ = run(["dossiers", "import", str(EXAMPLES / "brouillon-valide.json")], capsys)
        assert code == 0
        assert "version 2 enregistrée (0 erreur(s)" in out
        submit(store, LOCAL_ADMIN, "310000123")
        # a submitted dossier refuses a new import: refused by a rule, exit 1
        code, out, _ = run(["dossiers", "import", str(EXAMPLES / "brouillon-valide.json")], capsys)
        assert code == 1
        assert "refusé — Le dossier FINESS 310000123 est soumis" in out
    finally:
        store.close()

    code, out, _ = run(["dossiers", "list", "--json", "--statut", "soumis"], capsys)
    listed = json.loads(out)
    assert [(d["finess_ej"], d["statut"], d["version"], d["erreurs"]) for d in listed] == [
        ("310000123", "soumis", 2, 0)
    ]
    code, out, _ = run(["dossiers", "list", "--departement", "34"], capsys)
    assert out.strip() == "0 dossier(s)."
    code, out, _ = run(["dossiers", "show", "310000123", "--json"], capsys)
    shown = json.loads(out)
    assert (shown["statut"], shown["version"], shown["rapport"]["valid"]) == ("soumis", 2, True)
    code, out, _ = run(["dossiers", "show", "310000123"], capsys)
    assert "Statut : soumis — version 2" in out
    assert "Verdict : VALIDE" in out
    code, _, err = run(["dossiers", "show", "340000456"], capsys)
    assert code == 2
    assert "Aucun dossier pour le FINESS 340000456" in err

    xlsx, js = tmp_path / "out" / "d.xlsx", tmp_path / "out" / "d.json"
    assert (
        run(["dossiers", "export", "310000123", "--format", "xlsx", "-o", str(xlsx)], capsys)[0]
        == 0
    )
    assert (
        run(["dossiers", "export", "310000123", "--format", "json", "-o", str(js)], capsys)[0] == 0
    )
    assert json.loads(js.read_text()) == json.loads(
        (EXAMPLES / "brouillon-valide.json").read_text()
    )
    assert "indicateurs" in openpyxl.load_workbook(xlsx).sheetnames
    assert read_draft_file(xlsx)[0].data["etablissement"]["finess_ej"] == "310000123"

    backup_file = tmp_path / "sauvegarde.json.gz"
    code, out, _ = run(["backup", str(backup_file)], capsys)
    assert code == 0
    assert "schéma 0002" in out
    code, out, _ = run(["restore", str(backup_file)], capsys)
    assert (code, out.startswith("Base restaurée depuis")) == (0, True)
    code, out, _ = run(["dossiers", "list", "--json"], capsys)
    assert [d["version"] for d in json.loads(out)] == [2]


def test_an_unreachable_database_is_a_french_error_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CPOM_DATABASE_URL", "postgresql+psycopg://cpom:pw@127.0.0.1:9/cpom")
    get_settings.cache_clear()
    try:
        code, _, err = run(["dossiers", "list"], capsys)
    finally:
        get_settings.cache_clear()
    assert code == 2
    assert err.startswith("Erreur : La base des dossiers est injoignable")
    assert "Traceback" not in err
