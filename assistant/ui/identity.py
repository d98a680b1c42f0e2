"""Who uses the page: the account of the session cookie, or the local user.

The page's events carry the browser's cookies (``gr.Request``); the caller is authenticated by
the API's own ``authenticate``, so the page and the API admit the same people and give them the
same rights. What an actor may read or change is decided by the store's services, never here.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from assistant.api import authenticate
from assistant.store import LOCAL_USER, Actor, NotAuthenticatedError

if TYPE_CHECKING:
    from assistant.ui.service import AppContext

ROLE_LABELS: dict[str, str] = {
    "etablissement": "établissement",
    "referent": "référent ARS",
    "admin": "administrateur",
}
"""Roles as the page names them."""
LOGOUT_HREF = "/deconnexion"


def actor_of(ctx: AppContext, request: Any) -> Actor:
    """The user behind a page event.

    Args:
        ctx: The app's context (its ``api`` holds the mode and the store).
        request: The event's ``gr.Request`` (None when a handler is called directly).

    Raises:
        NotAuthenticatedError: Shared mode and no valid session (expired, logged out).
        AccessDeniedError: A distant client in local mode.
    """
    raw = getattr(request, "request", None) if request is not None else None
    if ctx.api is None or raw is None:
        if ctx.settings.mode == "shared":
            raise NotAuthenticatedError("Connexion requise : reconnectez-vous.")
        return LOCAL_USER
    return authenticate(raw, ctx.api)


def reviews(actor: Actor) -> bool:
    """Whether the page shows the actor the referents' tabs (the store still decides access)."""
    return actor.role in ("referent", "admin")


def scope_label(actor: Actor) -> str:
    """What the account covers, in French (« FINESS 310000000 », « départements 31, 32 »)."""
    if actor.role == "admin" or actor.region:
        return "toute la région"
    if actor.role == "referent":
        deps = list(actor.departements)
        return ("département " if len(deps) == 1 else "départements ") + ", ".join(deps)
    return "FINESS " + ", ".join(actor.finess)


def user_banner(actor: Actor, *, shared: bool) -> str:
    """The header's line: who is connected, their role and scope, and « Se déconnecter »."""
    if not shared:
        return (
            "<p class='cpom-user'>Mode local : une seule personne, sur cet ordinateur, sans "
            "connexion.</p>"
        )
    role = ROLE_LABELS.get(actor.role, actor.role)
    return (
        "<p class='cpom-user'>Connecté : <strong>"
        f"{escape(actor.email)}</strong> — {escape(role)} ({escape(scope_label(actor))}) · "
        f"<a href='{LOGOUT_HREF}' class='cpom-logout'>Se déconnecter</a></p>"
    )


__all__ = ["LOGOUT_HREF", "ROLE_LABELS", "actor_of", "reviews", "scope_label", "user_banner"]
