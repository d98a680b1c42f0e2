"""Who calls the API: an API token, a session cookie, or the local user in local mode.

- ``Authorization: Bearer cpom_…``: an API token (``users token``), for scripts.
- The ``cpom_session`` cookie, set by ``POST /api/session``: the store's session token, an
  opaque random value (only its SHA-256 is stored), ``HttpOnly`` and ``SameSite=Strict``; a
  write that carries it from another site's page (``Origin`` header) is refused.
- Neither, in local mode: `LOCAL_USER`, for a client on this computer only.

Credentials that are given are always checked, in either mode. What the caller may then do is
decided by the store's services, never here.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.context import ApiContext
from assistant.api.modes import is_loopback
from assistant.errors import AccessDeniedError, NotAuthenticatedError
from assistant.store import LOCAL_USER, Actor, Store, authenticate_session, authenticate_token

SESSION_COOKIE = "cpom_session"
"""The session cookie's name."""
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="jeton",
    description="Jeton d'API créé par « python -m assistant users token ADRESSE ».",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="Cookie de session posé par POST /api/session (connexion).",
)


def api_context(request: Request) -> ApiContext:
    """The context the API was built with."""
    context = request.app.state.api_context
    assert isinstance(context, ApiContext)
    return context


def current_store(context: Annotated[ApiContext, Depends(api_context)]) -> Store:
    """The dossier store (503 with a French message when the database cannot be reached)."""
    return context.store()


def check_same_origin(request: Request) -> None:
    """Refuse a cookie-carried write sent from another site's page (cross-site request forgery).

    Raises:
        AccessDeniedError: The ``Origin`` header names another host than the one called.
    """
    origin = request.headers.get("origin")
    if request.method in _SAFE_METHODS or not origin:
        return
    if urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        raise AccessDeniedError(
            "Requête refusée : elle vient d'une page d'un autre site que l'application."
        )


def authenticate(request: Request, context: ApiContext) -> Actor:
    """The caller of ``request``: its token, its session cookie, or the local user.

    Raises:
        NotAuthenticatedError: A wrong, revoked or expired credential; or none in shared mode.
        AccessDeniedError: A cross-site write with the cookie; a distant client in local mode.
    """
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticatedError(
                "En-tête Authorization illisible : attendu « Bearer JETON ».",
                hint="Le jeton se crée avec « python -m assistant users token ADRESSE ».",
            )
        return authenticate_token(context.store(), token.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        check_same_origin(request)
        return authenticate_session(context.store(), cookie)
    if context.mode == "local":
        client = request.client.host if request.client else None
        if not is_loopback(client):
            raise AccessDeniedError("En mode local, seul cet ordinateur accède à l'application.")
        return LOCAL_USER
    raise NotAuthenticatedError(
        "Connexion requise : envoyez « Authorization: Bearer JETON » ou connectez-vous "
        "(POST /api/session).",
        hint="Un administrateur crée votre jeton avec « python -m assistant users token ADRESSE ».",
    )


def current_actor(
    request: Request,
    context: Annotated[ApiContext, Depends(api_context)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Actor:
    """The authenticated caller (the two schemes are declared for the OpenAPI page)."""
    return authenticate(request, context)
