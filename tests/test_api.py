"""The HTTP API through a real HTTP client against the real app process (shared mode), on SQLite
and on PostgreSQL: every endpoint, every status code, every wrong user, nothing written when
refused, the session cookie, the OpenAPI page, nothing secret in answers or logs.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from assistant.store import LOCAL_ADMIN, Checker, Store, read_audit, save_draft
from assistant.store.tables import Comment, Dossier, Version
from tests.api_fixtures import (
    FINESS,
    OTHER_FINESS,
    PASSWORD,
    ApiServer,
    api_server,
    clear_dossiers,
    index_dir,
)
from tests.postgres_fixtures import PostgresServer, postgres_server, store_checker

__all__ = ["index_dir", "postgres_server", "store_checker"]

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
VALID: dict[str, Any] = json.loads((ROOT / "examples" / "brouillon-valide.json").read_text())
WITH_ERRORS: dict[str, Any] = json.loads(
    (ROOT / "examples" / "brouillon-avec-erreurs.json").read_text()
)
CONTRACT_ITEM = {
    "finess_ej",
    "raison_sociale",
    "statut",
    "version",
    "erreurs",
    "avertissements",
    "modifie_le",
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    index_dir: Path,
    store_checker: Checker,
) -> Iterator[ApiServer]:
    """One app process per database for the whole module (shared mode)."""
    workdir = tmp_path_factory.mktemp(f"api-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'cpom.db'}"
    else:
        pg: PostgresServer = request.getfixturevalue("postgres_server")
        url = pg.create_database("cpom_api")
    with api_server(url, workdir, index_dir, store_checker) as served:
        yield served
    log = served.served.log.read_text(encoding="utf-8")
    assert "Traceback" not in log, log[-3000:]
    for secret in [*served.tokens.values(), PASSWORD]:
        assert secret not in log  # nothing secret in the server's log


@pytest.fixture
def api(server: ApiServer) -> ApiServer:
    """The module's server, with no dossier left by the previous test."""
    clear_dossiers(server.store)
    return server


def draft_of(finess: str, base: dict[str, Any] = VALID) -> dict[str, Any]:
    tree = copy.deepcopy(base)
    tree["etablissement"]["finess_ej"] = finess
    return tree


def state(store: Store) -> tuple[list[tuple[str, str, int]], int, int]:
    """Every dossier's (FINESS, status, version), and how many versions and comments exist."""
    with store.transaction() as session:
        dossiers = [
            (d.finess_ej, d.statut, d.version)
            for d in session.scalars(select(Dossier).order_by(Dossier.finess_ej))
        ]
        versions = int(session.scalar(select(func.count()).select_from(Version)) or 0)
        comments = int(session.scalar(select(func.count()).select_from(Comment)) or 0)
    return dossiers, versions, comments


def put(client: httpx.Client, finess: str, version: int, draft: dict[str, Any]) -> httpx.Response:
    return client.put(f"/api/dossiers/{finess}", json={"version": version, "brouillon": draft})


# --- the full cycle -------------------------------------------------------------------------


def test_full_cycle_through_the_api(api: ApiServer) -> None:
    etab, ref = api.client("etab"), api.client("ref31")

    saved = put(etab, FINESS, 0, WITH_ERRORS)
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["rapport"]["errors"]) == (1, 3)

    refused = etab.post(f"/api/dossiers/{FINESS}/soumettre")
    assert refused.status_code == 422
    body = refused.json()
    assert body["message"].startswith(f"Le dossier FINESS {FINESS} ne peut pas être soumis")
    assert "SEL-MIN-OS" in {f["rule"] for f in body["rapport"]["findings"]}

    corrected = put(etab, FINESS, 1, VALID)
    assert (corrected.status_code, corrected.json()["version"]) == (200, 2)
    assert corrected.json()["rapport"]["valid"] is True

    submitted = etab.post(f"/api/dossiers/{FINESS}/soumettre")
    assert submitted.json() == {"finess_ej": FINESS, "statut": "soumis", "version": 2}
    locked = put(etab, FINESS, 2, VALID)
    assert locked.status_code == 409
    assert "soumis" in locked.json()["message"]

    no_comment = ref.post(f"/api/dossiers/{FINESS}/renvoyer", json={"commentaire": "  "})
    assert no_comment.status_code == 422
    assert no_comment.json()["message"] == (
        "Un commentaire est obligatoire pour renvoyer un dossier."
    )
    sent_back = ref.post(
        f"/api/dossiers/{FINESS}/renvoyer",
        json={"commentaire": "Précisez la valeur 2024 de CPOM_OS_3."},
    )
    assert sent_back.json()["statut"] == "a_corriger"

    comments = etab.get(f"/api/dossiers/{FINESS}/commentaires").json()
    assert [(c["auteur"], c["role"], c["version"]) for c in comments] == [
        ("ref31@ars.fr", "referent", 2)
    ]
    answered = etab.post(
        f"/api/dossiers/{FINESS}/commentaires",
        json={"texte": "Valeur 2024 ajoutée.", "indicateur": "os_3"},
    )
    assert answered.status_code == 201
    assert answered.json()["indicateur"] == "CPOM_OS_3"

    assert etab.post(f"/api/dossiers/{FINESS}/soumettre").json()["statut"] == "soumis"
    validated = ref.post(f"/api/dossiers/{FINESS}/valider")
    assert validated.json() == {"finess_ej": FINESS, "statut": "valide", "version": 2}
    again = ref.post(f"/api/dossiers/{FINESS}/valider", json={"commentaire": "Encore ?"})
    assert again.status_code == 409

    detail = ref.get(f"/api/dossiers/{FINESS}").json()
    assert set(detail) == {"finess_ej", "statut", "version", "brouillon", "rapport"}
    assert (detail["statut"], detail["version"], detail["brouillon"]) == ("valide", 2, VALID)
    versions = ref.get(f"/api/dossiers/{FINESS}/versions").json()
    assert [(v["version"], v["erreurs"], v["auteur"]) for v in versions] == [
        (2, 0, "dir@ch-exemple.fr"),
        (1, 3, "dir@ch-exemple.fr"),
    ]
    first = ref.get(f"/api/dossiers/{FINESS}/versions/1").json()
    assert first["brouillon"] == WITH_ERRORS

    listed = ref.get("/api/dossiers").json()
    assert [set(item) for item in listed] == [CONTRACT_ITEM]
    assert (listed[0]["statut"], listed[0]["erreurs"]) == ("valide", 0)
    actions = [e.action for e in read_audit(api.store, LOCAL_ADMIN, finess=FINESS)]
    assert actions.count("changement_statut") == 4
    assert actions.count("enregistrement") == 2


def test_second_writer_gets_409_and_nothing_is_written(api: ApiServer) -> None:
    etab, admin = api.client("etab"), api.client("admin")
    put(etab, FINESS, 0, VALID)
    renamed = draft_of(FINESS)
    renamed["etablissement"]["raison_sociale"] = "CH de Saint-Exemple (fusionné)"
    assert put(admin, FINESS, 1, renamed).json()["version"] == 2
    before = state(api.store)

    late = put(etab, FINESS, 1, VALID)
    assert late.status_code == 409
    body = late.json()
    assert body["message"].startswith("Ce dossier a été modifié entre-temps par admin@ars.fr")
    assert (body["version_courante"], body["auteur"]) == (2, "admin@ars.fr")
    assert "reportez-y vos changements" in body["conseil"]
    assert state(api.store) == before
    created_twice = put(etab, FINESS, 0, VALID)
    assert created_twice.status_code == 409


def test_lists_show_only_the_callers_scope(api: ApiServer) -> None:
    for finess in (FINESS, "090000001", OTHER_FINESS):
        save_draft(api.store, LOCAL_ADMIN, finess, draft_of(finess), version=0)

    def seen(who: str, query: str = "") -> list[str]:
        answer = api.client(who).get(f"/api/dossiers{query}")
        assert answer.status_code == 200
        return [item["finess_ej"] for item in answer.json()]

    assert seen("etab") == [FINESS]
    assert seen("autre_etab") == [OTHER_FINESS]
    assert seen("ref31") == ["090000001", FINESS]
    assert seen("ref34") == [OTHER_FINESS]
    assert seen("admin") == ["090000001", FINESS, OTHER_FINESS]
    assert seen("admin", "?departement=34") == [OTHER_FINESS]
    assert seen("admin", "?statut=soumis") == []
    wrong = api.client("admin").get("/api/dossiers?statut=perdu")
    assert wrong.status_code == 422
    assert wrong.json()["message"].startswith("Requête illisible : query.statut")


# --- 401: no token, wrong token, revoked token ------------------------------------------------

ENDPOINTS = [
    pytest.param("GET", "/api/dossiers", None, id="list"),
    pytest.param("GET", f"/api/dossiers/{FINESS}", None, id="read"),
    pytest.param("PUT", f"/api/dossiers/{FINESS}", {"version": 1, "brouillon": VALID}, id="put"),
    pytest.param("POST", f"/api/dossiers/{FINESS}/soumettre", None, id="submit"),
    pytest.param("POST", f"/api/dossiers/{FINESS}/renvoyer", {"commentaire": "x"}, id="back"),
    pytest.param("POST", f"/api/dossiers/{FINESS}/valider", None, id="validate"),
    pytest.param("GET", f"/api/dossiers/{FINESS}/commentaires", None, id="comments"),
    pytest.param("POST", f"/api/dossiers/{FINESS}/commentaires", {"texte": "x"}, id="comment"),
    pytest.param("GET", f"/api/dossiers/{FINESS}/versions", None, id="versions"),
    pytest.param("GET", f"/api/dossiers/{FINESS}/versions/1", None, id="version"),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_refuses_a_caller_without_a_valid_token(
    api: ApiServer, method: str, path: str, body: dict[str, Any] | None
) -> None:
    save_draft(api.store, LOCAL_ADMIN, FINESS, VALID, version=0)
    before = state(api.store)
    callers = {
        "aucun jeton": {},
        "jeton inconnu": {"Authorization": "Bearer cpom_inconnu"},
        "jeton révoqué": {"Authorization": f"Bearer {api.tokens['revoque']}"},
        "en-tête illisible": {"Authorization": f"Basic {api.tokens['etab']}"},
    }
    with httpx.Client(base_url=api.url, timeout=60) as client:
        for name, headers in callers.items():
            answer = client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 401, name
            assert answer.headers["www-authenticate"] == "Bearer"
            assert answer.json()["message"], name
    assert state(api.store) == before


def test_an_unreadable_body_without_a_token_is_401_not_422(api: ApiServer) -> None:
    with httpx.Client(base_url=api.url, timeout=60) as client:
        answer = client.put(f"/api/dossiers/{FINESS}", content=b"{pas du json")
    assert answer.status_code == 401


def test_a_disabled_account_token_stops_working(api: ApiServer) -> None:
    from assistant.store import add_user, create_token, disable_user

    add_user(
        api.store, LOCAL_ADMIN, "parti@ch-exemple.fr", role="etablissement",
        password=PASSWORD, finess=[FINESS],
    )  # fmt: skip
    token = create_token(api.store, LOCAL_ADMIN, "parti@ch-exemple.fr").token
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api.url, timeout=60, headers=headers) as client:
        assert client.get("/api/dossiers").status_code == 200
        disable_user(api.store, LOCAL_ADMIN, "parti@ch-exemple.fr")
        refused = client.get("/api/dossiers")
    assert (refused.status_code, refused.json()["message"]) == (401, "Ce compte est désactivé.")


# --- 403: every wrong user, nothing written ---------------------------------------------------

WRONG_USERS = [
    # another establishment, on every endpoint of this FINESS
    *[
        pytest.param("autre_etab", *p.values, id=f"autre-etab-{p.id}")
        for p in ENDPOINTS
        if p.id != "list"
    ],
    # a referent of another département
    *[pytest.param("ref34", *p.values, id=f"ref34-{p.id}") for p in ENDPOINTS if p.id != "list"],
    # the département's referent does not edit a draft
    pytest.param("ref31", *ENDPOINTS[2].values, id="ref31-put"),
    pytest.param("ref31", *ENDPOINTS[3].values, id="ref31-submit"),
    # the establishment does not review its own dossier
    pytest.param("etab", *ENDPOINTS[4].values, id="etab-back"),
    pytest.param("etab", *ENDPOINTS[5].values, id="etab-validate"),
]


@pytest.mark.parametrize(("who", "method", "path", "body"), WRONG_USERS)
def test_a_wrong_user_is_refused_403_and_nothing_is_written(
    api: ApiServer, who: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    save_draft(api.store, LOCAL_ADMIN, FINESS, VALID, version=0)
    if path.endswith(("renvoyer", "valider")):
        api.client("etab").post(f"/api/dossiers/{FINESS}/soumettre").raise_for_status()
    before = state(api.store)
    audit_before = len(read_audit(api.store, LOCAL_ADMIN))

    answer = api.client(who).request(method, path, json=body)

    assert answer.status_code == 403, answer.text
    message = answer.json()["message"]
    assert "refusé" in message or "référent" in message
    assert state(api.store) == before
    assert len(read_audit(api.store, LOCAL_ADMIN)) == audit_before


def test_403_outside_the_scope_comes_before_404(api: ApiServer) -> None:
    answer = api.client("etab").get(f"/api/dossiers/{OTHER_FINESS}")
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        f"Le dossier FINESS {OTHER_FINESS} n'est pas celui de votre établissement : accès refusé."
    )
    answer = api.client("ref31").get(f"/api/dossiers/{OTHER_FINESS}")
    assert answer.status_code == 403
    assert "(département 34) est hors de vos départements" in answer.json()["message"]


# --- 404 and 422 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        pytest.param("etab", "GET", f"/api/dossiers/{FINESS}", id="etab-own"),
        pytest.param("ref31", "GET", "/api/dossiers/310009999", id="ref-in-departement"),
        pytest.param("admin", "GET", "/api/dossiers/810000001/versions", id="admin-versions"),
        pytest.param("ref31", "GET", f"/api/dossiers/{FINESS}/commentaires", id="comments"),
        pytest.param("etab", "POST", f"/api/dossiers/{FINESS}/soumettre", id="submit"),
    ],
)
def test_an_unknown_finess_within_scope_is_404(
    api: ApiServer, who: str, method: str, path: str
) -> None:
    answer = api.client(who).request(method, path)
    assert answer.status_code == 404
    assert answer.json()["message"].startswith("Aucun dossier pour le FINESS")
    assert state(api.store) == ([], 0, 0)


def test_a_version_that_does_not_exist_is_404(api: ApiServer) -> None:
    assert put(api.client("etab"), FINESS, 3, VALID).status_code == 404
    save_draft(api.store, LOCAL_ADMIN, FINESS, VALID, version=0)
    missing = api.client("etab").get(f"/api/dossiers/{FINESS}/versions/7")
    assert (missing.status_code, missing.json()["message"]) == (
        404,
        f"Le dossier FINESS {FINESS} n'a pas de version 7.",
    )


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        pytest.param(
            f"/api/dossiers/{FINESS}", {"version": "une", "brouillon": {}}, "version", id="type"
        ),
        pytest.param(f"/api/dossiers/{FINESS}", {"brouillon": VALID}, "version", id="missing"),
        pytest.param(
            f"/api/dossiers/{FINESS}", {"version": -1, "brouillon": VALID}, "version", id="negative"
        ),
        pytest.param(
            "/api/dossiers/31-ABC",
            {"version": 0, "brouillon": VALID},
            "Numéro FINESS invalide",
            id="finess",
        ),
        pytest.param(
            f"/api/dossiers/{OTHER_FINESS}",
            {"version": 0, "brouillon": VALID},
            "porte le FINESS 310000123",
            id="other-finess-in-draft",
        ),
    ],
)
def test_a_bad_request_is_422_in_french(
    api: ApiServer, path: str, body: dict[str, Any], expected: str
) -> None:
    answer = api.client("admin").put(path, json=body)
    assert answer.status_code == 422
    assert expected in answer.json()["message"]
    assert state(api.store) == ([], 0, 0)


def test_unknown_api_addresses_and_methods_answer_in_french(api: ApiServer) -> None:
    with api.client("admin") as client:
        unknown = client.get("/api/nulle-part")
        wrong_method = client.delete(f"/api/dossiers/{FINESS}")
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith("Adresse inconnue dans l'API : /api/nulle-part")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["message"].startswith("La méthode DELETE n'est pas permise")


# --- the session cookie ----------------------------------------------------------------------


def test_login_sets_a_session_cookie_that_works_until_logout(api: ApiServer) -> None:
    with httpx.Client(base_url=api.url, timeout=60) as browser:
        wrong = browser.post(
            "/api/session", json={"email": "dir@ch-exemple.fr", "mot_de_passe": "faux-faux-faux"}
        )
        assert wrong.status_code == 401
        assert wrong.json()["message"] == "Adresse électronique ou mot de passe incorrect."
        assert "set-cookie" not in wrong.headers

        ok = browser.post(
            "/api/session", json={"email": "dir@ch-exemple.fr", "mot_de_passe": PASSWORD}
        )
        assert ok.status_code == 200
        cookie = ok.headers["set-cookie"]
        assert cookie.startswith("cpom_session=")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        token = browser.cookies["cpom_session"]
        assert token not in ok.text
        assert PASSWORD not in ok.text
        assert ok.json()["role"] == "etablissement"
        assert ok.json()["finess"] == [FINESS]

        assert browser.get("/api/session").json()["email"] == "dir@ch-exemple.fr"
        assert put(browser, FINESS, 0, VALID).status_code == 200
        forged = browser.put(
            f"/api/dossiers/{FINESS}",
            json={"version": 1, "brouillon": VALID},
            headers={"Origin": "http://site-malveillant.example"},
        )
        assert forged.status_code == 403
        assert state(api.store)[1] == 1

        out = browser.delete("/api/session")
        assert out.status_code == 204
        assert browser.get("/api/dossiers").status_code == 401
    with httpx.Client(base_url=api.url, timeout=60, cookies={"cpom_session": token}) as replay:
        replayed = replay.get("/api/dossiers")
    assert replayed.status_code == 401
    assert replayed.json()["message"] == "Session expirée ou inconnue : reconnectez-vous."
    actions = [e.action for e in read_audit(api.store, LOCAL_ADMIN)]
    assert {"connexion_echouee", "connexion_reussie", "deconnexion"} <= set(actions)


# --- documentation ---------------------------------------------------------------------------


def test_the_openapi_page_is_served_offline_and_in_french(api: ApiServer) -> None:
    with httpx.Client(base_url=api.url, timeout=60) as client:
        schema = client.get("/api/openapi.json").json()
        page = client.get("/api/docs")
        asset = client.get("/api/docs/fichiers/swagger-ui-bundle.js")
    with api.client("etab") as signed_in:  # shared mode: the page needs a login
        home = signed_in.get("/")
    assert schema["info"]["title"] == "API des dossiers CPOM"
    assert {
        "/api/dossiers",
        "/api/dossiers/{finess}",
        "/api/dossiers/{finess}/soumettre",
        "/api/dossiers/{finess}/renvoyer",
        "/api/dossiers/{finess}/valider",
        "/api/dossiers/{finess}/commentaires",
        "/api/dossiers/{finess}/versions",
        "/api/session",
    } <= set(schema["paths"])
    put_doc = schema["paths"]["/api/dossiers/{finess}"]["put"]
    assert put_doc["summary"] == "Enregistrer un brouillon"
    assert {"401", "403", "404", "409", "422"} <= set(put_doc["responses"])
    assert {"jeton", "session"} <= set(schema["components"]["securitySchemes"])
    assert page.status_code == 200
    assert "/api/docs/fichiers/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.split("<body>")[1].split("SwaggerUIBundle")[0]
    assert asset.status_code == 200
    assert home.status_code == 200  # the page is still served from the same process


# --- the app's page behind the login (shared mode) --------------------------------------------


def test_the_app_page_needs_a_session_and_the_login_page_is_french(api: ApiServer) -> None:
    html = {"Accept": "text/html"}
    with httpx.Client(base_url=api.url, timeout=60) as browser:
        sent = browser.get("/", headers=html)
        assert sent.status_code == 303
        assert browser.get("/").status_code == 303  # the page's address, whatever it accepts
        assert sent.headers["location"] == "/connexion"
        # the page's own calls and files are refused too, in French
        for address in ("/config", "/gradio_api/info", "/theme.css"):
            refused = browser.get(address)
            assert refused.status_code == 401, address
            assert refused.json()["message"].startswith("Connexion requise")
        page = browser.get("/connexion")
        assert page.status_code == 200
        for words in ('lang="fr"', "Adresse électronique", "Mot de passe", "Se connecter"):
            assert words in page.text
        # the same message for an unknown address and a wrong password
        for email in ("dir@ch-exemple.fr", "personne@nulle-part.fr"):
            wrong = browser.post("/api/session", json={"email": email, "mot_de_passe": "x" * 14})
            assert wrong.json()["message"] == "Adresse électronique ou mot de passe incorrect."
        assert browser.get("/", headers=html).status_code == 303
        assert browser.post(
            "/api/session", json={"email": "dir@ch-exemple.fr", "mot_de_passe": PASSWORD}
        ).is_success
        opened = browser.get("/", headers=html)
        assert opened.status_code == 200
        assert "gradio" in opened.text.lower()
        out = browser.get("/deconnexion", headers=html)
        assert out.status_code == 303
        assert out.headers["location"] == "/connexion"
        assert browser.get("/", headers=html).status_code == 303


def test_a_script_token_also_opens_the_page(api: ApiServer) -> None:
    with api.client("etab") as script:
        assert script.get("/config").status_code == 200
