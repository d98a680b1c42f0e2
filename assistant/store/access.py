"""Who may do what: the scope of an account (its FINESS or départements) and its role.

Every service checks here before touching a dossier; the interfaces (CLI, HTTP, app) add
nothing to these checks and hide nothing in their place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.errors import AccessDeniedError, InvalidRequestError
from assistant.store.models import Actor

_FINESS = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")
_DEPARTEMENT = re.compile(r"^(?:\d{2}|2[AB])$")


def normalize_finess(value: str) -> str:
    """A FINESS EJ as stored (9 characters; Corsica's start with 2A or 2B).

    Raises:
        InvalidRequestError: Not a FINESS number.
    """
    finess = value.strip().upper()
    if not _FINESS.match(finess):
        raise InvalidRequestError(
            f"Numéro FINESS invalide : {value!r}.",
            hint="Un FINESS EJ compte 9 caractères : 9 chiffres, ou 2A/2B suivi de 7 chiffres.",
        )
    return finess


def normalize_departement(value: str) -> str:
    """A département number as stored ('09', '31', '2A').

    Raises:
        InvalidRequestError: Not a département number.
    """
    text = value.strip().upper()
    departement = text.zfill(2) if text.isdigit() and len(text) == 1 else text
    if not _DEPARTEMENT.match(departement):
        raise InvalidRequestError(
            f"Numéro de département invalide : {value!r}.",
            hint="Deux caractères : 31, 34, 09, 2A…",
        )
    return departement


def departement_of(finess: str) -> str:
    """The département of an establishment: the first two characters of its FINESS EJ."""
    return finess[:2].upper()


def may_read(actor: Actor, finess: str) -> bool:
    """Whether ``actor`` may read the dossier of ``finess``."""
    match actor.role:
        case "admin":
            return True
        case "etablissement":
            return finess in actor.finess
        case "referent":
            return actor.region or departement_of(finess) in actor.departements
    return False


def require_read(actor: Actor, finess: str) -> None:
    """Refuse unless ``actor`` may read this dossier.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
    """
    if not may_read(actor, finess):
        raise AccessDeniedError(_outside(actor, finess))


def require_edit(actor: Actor, finess: str) -> None:
    """Refuse unless ``actor`` may save or submit this dossier (its establishment, or admin).

    Raises:
        AccessDeniedError: A referent, or another establishment's account.
    """
    require_read(actor, finess)
    if actor.role == "referent":
        raise AccessDeniedError(
            "Un référent ne modifie pas le brouillon d'un établissement : il le commente, le "
            "renvoie pour correction ou le valide."
        )


def require_review(actor: Actor, finess: str) -> None:
    """Refuse unless ``actor`` may send back or validate this dossier (its referent, or admin).

    Raises:
        AccessDeniedError: An establishment, or a referent of another département.
    """
    require_read(actor, finess)
    if actor.role == "etablissement":
        raise AccessDeniedError("Seul le référent ARS du département renvoie ou valide un dossier.")


def require_admin(actor: Actor) -> None:
    """Refuse unless ``actor`` is an administrator.

    Raises:
        AccessDeniedError: Not an administrator.
    """
    if actor.role != "admin":
        raise AccessDeniedError("Cette action est réservée aux administrateurs.")


def visible_departements(actor: Actor) -> set[str] | None:
    """The départements whose dossiers ``actor`` may list (None: all of them)."""
    if actor.role == "admin" or (actor.role == "referent" and actor.region):
        return None
    if actor.role == "referent":
        return set(actor.departements)
    return set()


def scope_text(finess: Iterable[str], departements: Iterable[str], region: bool) -> str:
    """An account's scope in words (for lists and messages)."""
    if region:
        return "région"
    parts = [*(f"FINESS {f}" for f in finess), *(f"dép. {d}" for d in departements)]
    return ", ".join(parts) or "—"


def _outside(actor: Actor, finess: str) -> str:
    if actor.role == "etablissement":
        return f"Le dossier FINESS {finess} n'est pas celui de votre établissement : accès refusé."
    return (
        f"Le dossier FINESS {finess} (département {departement_of(finess)}) est hors de vos "
        "départements : accès refusé."
    )
