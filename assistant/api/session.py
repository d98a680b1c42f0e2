"""Login and logout for the app's pages: ``POST``/``DELETE``/``GET /api/session``.

A login sets the ``cpom_session`` cookie (the store's opaque session token, ``HttpOnly``,
``SameSite=Strict``, ``Secure`` over HTTPS, as long as the session); the token is never in the
answer's body nor in a log. Scripts use API tokens instead.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from assistant.api.auth import SESSION_COOKIE, api_context, check_same_origin, current_actor
from assistant.api.context import ApiContext
from assistant.api.models import ErrorAnswer, LoginRequest, SessionAnswer
from assistant.store import Actor, login, logout

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorAnswer, "description": "Identifiants refusés, ou compte verrouillé."},
    503: {"model": ErrorAnswer, "description": "Base des dossiers injoignable."},
}

router = APIRouter(prefix="/api/session", tags=["session"], responses=_ERRORS)


def _answer(actor: Actor, context: ApiContext, expires: Any = None) -> SessionAnswer:
    return SessionAnswer(
        email=actor.email,
        role=actor.role,
        finess=list(actor.finess),
        departements=list(actor.departements),
        region=actor.region,
        mode="shared" if context.mode == "shared" else "local",
        expire_le=expires,
    )


@router.post(
    "",
    summary="Se connecter",
    description="Vérifie l'adresse et le mot de passe, ouvre une session et pose le cookie "
    "de session. Cinq échecs de suite verrouillent le compte 15 minutes.",
)
def open_session(
    request: Request,
    response: Response,
    context: Annotated[ApiContext, Depends(api_context)],
    credentials: LoginRequest,
) -> SessionAnswer:
    """Log in and set the session cookie."""
    check_same_origin(request)
    result = login(context.store(), credentials.email, credentials.mot_de_passe.get_secret_value())
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=context.session_seconds,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return _answer(result.actor, context, result.expire_le)


@router.get(
    "",
    summary="Qui suis-je",
    description="Le compte de la session ou du jeton (en mode local : l'utilisateur local).",
    responses={403: {"model": ErrorAnswer, "description": "Client distant en mode local."}},
)
def who(
    actor: Annotated[Actor, Depends(current_actor)],
    context: Annotated[ApiContext, Depends(api_context)],
) -> SessionAnswer:
    """Say who the caller is."""
    return _answer(actor, context)


@router.delete(
    "",
    summary="Se déconnecter",
    description="Ferme la session du cookie et efface le cookie (sans effet sans session).",
    status_code=status.HTTP_204_NO_CONTENT,
)
def close_session(
    request: Request, context: Annotated[ApiContext, Depends(api_context)]
) -> Response:
    """Log out: close the session and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_same_origin(request)
        logout(context.store(), token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
