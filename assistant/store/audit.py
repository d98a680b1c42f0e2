"""The audit log: who did what and when; read by administrators only.

Every login (success or failure), save, status change, comment, export and account change.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.access import require_admin
from assistant.store.connection import Store
from assistant.store.models import Actor, AuditEntry
from assistant.store.tables import AuditEvent, utc

Action = Literal[
    "connexion_reussie",
    "connexion_echouee",
    "deconnexion",
    "enregistrement",
    "changement_statut",
    "commentaire",
    "export",
    "compte_ajoute",
    "compte_desactive",
    "jeton_cree",
    "jeton_revoque",
    "restauration",
    "sauvegarde",
]


def record(
    session: Session,
    actor: str,
    action: Action,
    *,
    finess: str | None = None,
    detail: str = "",
) -> None:
    """Add a line to the audit log, in the caller's transaction (kept or lost with its work)."""
    session.add(AuditEvent(actor=actor, action=action, finess_ej=finess, detail=detail))


def read_audit(
    store: Store,
    actor: Actor,
    *,
    finess: str | None = None,
    action: Action | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """The latest lines of the audit log, newest first (administrators only).

    Raises:
        AccessDeniedError: The actor is not an administrator.
    """
    require_admin(actor)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if finess is not None:
        query = query.where(AuditEvent.finess_ej == finess)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    with store.transaction() as session:
        return [
            AuditEntry(
                le=utc(event.at),
                acteur=event.actor,
                action=event.action,
                finess_ej=event.finess_ej,
                detail=event.detail,
            )
            for event in session.scalars(query)
        ]
