"""The API's FastAPI application: routes under ``/api/``, French errors, the OpenAPI page.

The app's server (``app.py``) mounts the Gradio page on this application, so that one process
serves both. The documentation page (``/api/docs``) uses the Swagger UI files shipped with the
``swagger-ui-py`` package: nothing is fetched from the Internet.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.routing import Match

from assistant.api import dossiers, pages, session
from assistant.api.context import ApiContext
from assistant.api.errors import install_error_handlers

TITLE = "API des dossiers CPOM"
DESCRIPTION = """\
Les dossiers CPOM des établissements (un par FINESS EJ et par campagne), leurs versions, leur
statut (brouillon → soumis → à corriger → soumis … → validé) et leurs commentaires.

**Authentification** : `Authorization: Bearer JETON` (jeton créé par un administrateur :
`python -m assistant users token ADRESSE`), ou le cookie de session posé par
`POST /api/session`. En mode local (`CPOM_MODE=local`, cet ordinateur seulement), sans
jeton, l'API agit pour l'utilisateur local, avec tous les droits.

**Réponses d'erreur** : un objet JSON avec `message` (en français) et `conseil` ; 401 sans
jeton valable, 403 hors de votre périmètre, 404 FINESS inconnu dans votre périmètre, 409
modifié entre-temps (ou statut qui ne permet pas l'action), 422 requête invalide ou soumission
refusée (avec le `rapport` du validateur), 503 base injoignable.
"""
DOCS_PATH = "/api/docs"
OPENAPI_PATH = "/api/openapi.json"
_ASSETS_PATH = "/api/docs/fichiers"
_UNKNOWN = "api_unknown_address"


def _swagger_files() -> Path | None:
    """The Swagger UI files of the ``swagger-ui-py`` package (found without importing it)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _add_docs(app: FastAPI) -> None:
    files = _swagger_files()
    if files is not None:
        app.mount(_ASSETS_PATH, StaticFiles(directory=files), name="api-docs-files")

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs() -> HTMLResponse:
        if files is None:
            return HTMLResponse(
                "<p>La page de documentation demande le paquet swagger-ui-py ; la description "
                f"de l'API est sur <a href='{OPENAPI_PATH}'>{OPENAPI_PATH}</a>.</p>"
            )
        return get_swagger_ui_html(
            openapi_url=OPENAPI_PATH,
            title=f"{TITLE} — documentation",
            swagger_js_url=f"{_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{_ASSETS_PATH}/favicon-32x32.png",
        )


def build_api(context: ApiContext) -> FastAPI:
    """The FastAPI application of the API (``/api/…``), on which the app's page is mounted.

    Args:
        context: The serving mode and the dossier store.
    """
    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_PATH,
        openapi_tags=[
            {"name": "dossiers", "description": "Lire, enregistrer, soumettre, revoir."},
            {"name": "session", "description": "Connexion et déconnexion (cookie de session)."},
        ],
    )
    app.state.api_context = context
    install_error_handlers(app)
    app.include_router(session.router)
    app.include_router(dossiers.router)
    app.include_router(pages.router)
    pages.install_page_gate(app)
    _add_docs(app)

    @app.api_route(
        "/api/{rest:path}",
        methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
        include_in_schema=False,
        name=_UNKNOWN,
    )
    def unknown(request: Request, rest: str) -> None:
        # without this, an unknown /api/ address would reach the page mounted at "/"
        for route in request.app.router.routes:
            # a partial match: the path is an API address, the method is not one of its own
            if (
                getattr(route, "name", None) != _UNKNOWN
                and route.matches(request.scope)[0] == Match.PARTIAL
            ):
                raise HTTPException(status_code=405)
        raise HTTPException(status_code=404)

    return app
