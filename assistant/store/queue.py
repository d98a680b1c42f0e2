"""The referent's queue: the dossiers to examine, and what changed since one was sent back.

The queue is read in two queries whatever the number of dossiers (the dossiers joined to their
current version, then the establishment accounts), so it loads at once for a whole region.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.errors import AccessDeniedError, InvalidRequestError
from assistant.store.access import (
    departement_of,
    normalize_departement,
    normalize_finess,
    require_read,
    visible_departements,
)
from assistant.store.connection import Store
from assistant.store.dossiers import compare_versions, get_row
from assistant.store.models import Actor, Status, VersionDiff
from assistant.store.tables import STATUSES, AuditEvent, Dossier, User, Version, utc

INDICATOR_LISTS = ("indicateurs", "indicateurs_hpr")
"""The draft's lists of indicators: the strategic annex and the HPR annex."""

_SENT_BACK = re.compile(r"→ a_corriger \(version (\d+)\)\s*$")
"""The audit line of a send-back, as `assistant.store.review` writes it:
« soumis → a_corriger (version 3) »."""


class QueueRow(BaseModel):
    """One line of the referent's queue: a dossier, or an establishment without one yet."""

    finess_ej: str
    raison_sociale: str | None = None
    departement: str
    statut: Status | None = Field(None, description="None: the establishment has no dossier.")
    version: int = 0
    erreurs: int = 0
    avertissements: int = 0
    indicateurs: int = Field(0, description="Strategic and HPR indicators of the version.")
    modifie_le: dt.datetime | None = None
    modifie_par: str | None = None


def review_queue(
    store: Store,
    actor: Actor,
    *,
    departement: str | None = None,
    statut: Status | None = None,
    with_errors: bool | None = None,
) -> list[QueueRow]:
    """The dossiers of the actor's scope, last changed first, then the establishments without one.

    An establishment is known from the FINESS of its active accounts; one without a dossier is
    listed after the dossiers (by FINESS), with ``statut`` None. A filter on the status or the
    errors keeps dossiers only: an establishment without a dossier has neither.

    Args:
        store: The dossier store.
        actor: A referent (its départements, or the region) or an administrator (everything).
        departement: Only this département (one outside the referent's scope gives nothing).
        statut: Only the dossiers of this status.
        with_errors: True: only the dossiers whose current version has errors; False: only
            those without.

    Raises:
        AccessDeniedError: An establishment's account.
        InvalidRequestError: An unknown status or a malformed département.
    """
    if actor.role == "etablissement":
        raise AccessDeniedError(
            "La liste des dossiers à examiner est réservée aux référents ARS et aux "
            "administrateurs : votre compte d'établissement accède à son propre dossier."
        )
    scope = visible_departements(actor)
    wanted = normalize_departement(departement) if departement is not None else None
    if statut is not None and statut not in STATUSES:
        raise InvalidRequestError(
            f"Statut inconnu : {statut!r}.", hint=f"Statuts : {', '.join(STATUSES)}."
        )
    query = (
        select(Dossier, Version.content)
        .join(Version, (Version.dossier_id == Dossier.id) & (Version.number == Dossier.version))
        .where(Dossier.campagne == store.campaign)
        .order_by(Dossier.modified_at.desc(), Dossier.finess_ej)
    )
    if scope is not None:
        query = query.where(Dossier.departement.in_(sorted(scope)))
    if wanted is not None:
        query = query.where(Dossier.departement == wanted)
    if statut is not None:
        query = query.where(Dossier.statut == statut)
    if with_errors is not None:
        query = query.where(Dossier.errors > 0 if with_errors else Dossier.errors == 0)
    with store.transaction() as session:
        rows = [_row(dossier, content) for dossier, content in session.execute(query)]
        missing = (
            []
            if statut is not None or with_errors is not None
            else _without_dossier(session, store, scope, wanted)
        )
    return rows + missing


def _row(dossier: Dossier, content: dict[str, Any]) -> QueueRow:
    return QueueRow(
        finess_ej=dossier.finess_ej,
        raison_sociale=dossier.raison_sociale,
        departement=dossier.departement,
        statut=dossier.statut,
        version=dossier.version,
        erreurs=dossier.errors,
        avertissements=dossier.warnings,
        indicateurs=indicator_count(content),
        modifie_le=utc(dossier.modified_at),
        modifie_par=dossier.modified_by,
    )


def indicator_count(content: Any) -> int:
    """How many indicators (strategic and HPR, each code once) a draft tree holds."""
    if not isinstance(content, dict):
        return 0
    codes: set[str] = set()
    for name in INDICATOR_LISTS:
        items = content.get(name)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and str(item.get("code") or "").strip():
                codes.add(str(item["code"]).strip().upper())
    return len(codes)


def _without_dossier(
    session: Session, store: Store, scope: set[str] | None, wanted: str | None
) -> list[QueueRow]:
    """The establishments of the scope (from their active accounts) with no dossier yet."""
    known: set[str] = set()
    accounts = select(User.finess).where(User.role == "etablissement", User.active)
    for finess_list in session.scalars(accounts):
        known.update(str(f) for f in finess_list or [])
    filed = set(
        session.scalars(select(Dossier.finess_ej).where(Dossier.campagne == store.campaign))
    )
    return [
        QueueRow(finess_ej=finess, departement=departement_of(finess))
        for finess in sorted(known - filed)
        if (scope is None or departement_of(finess) in scope)
        and (wanted is None or departement_of(finess) == wanted)
    ]


def last_sent_back_version(session: Session, dossier: Dossier) -> int | None:
    """The version a dossier had when it was last sent back for corrections, if ever.

    Read from the audit log's status changes (« soumis → a_corriger (version N) »), which
    `assistant.store.review.send_back` writes in the same transaction as the change. Lines
    older than the dossier's first version belong to another campaign's dossier of the same
    FINESS and are not read.
    """
    first = session.scalar(
        select(func.min(Version.created_at)).where(Version.dossier_id == dossier.id)
    )
    query = (
        select(AuditEvent.detail)
        .where(
            AuditEvent.finess_ej == dossier.finess_ej,
            AuditEvent.action == "changement_statut",
        )
        .order_by(AuditEvent.id.desc())
    )
    if first is not None:
        query = query.where(AuditEvent.at >= first)
    for detail in session.scalars(query):
        found = _SENT_BACK.search(detail)
        if found:
            return int(found.group(1))
    return None


def changes_since_send_back(store: Store, actor: Actor, finess: str) -> VersionDiff | None:
    """What changed from the version last sent back for corrections to the current version.

    The changes are sorted by path, so those of one indicator (``indicateurs[CPOM_OS_3]…``)
    follow each other; indicators are matched by code (see `compare_versions`).

    Returns:
        The differences (none while the establishment has not saved a correction), or None
        when the dossier was never sent back.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No dossier for this FINESS.
    """
    finess = normalize_finess(finess)
    require_read(actor, finess)
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        sent_back = last_sent_back_version(session, dossier)
        current = dossier.version
    if sent_back is None:
        return None
    return compare_versions(store, actor, finess, sent_back, current)


__all__ = [
    "INDICATOR_LISTS",
    "QueueRow",
    "changes_since_send_back",
    "indicator_count",
    "last_sent_back_version",
    "review_queue",
]
