"""The referent's queue as the « Dossiers à examiner » tab shows it: rows, filters, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from assistant.store import STATUS_LABELS, AccessDeniedError, Actor, review_queue
from assistant.ui.escaping import plural
from assistant.ui.moments import moment

if TYPE_CHECKING:
    from assistant.store import QueueRow, Status
    from assistant.ui.service import AppContext

ALL = "Tous"
"""The département filter's « every département » choice."""
NO_DOSSIER = "aucun"
"""The status filter's value for the establishments that have no dossier yet."""
NO_DOSSIER_LABEL = "pas de dossier"
STATUS_CHOICES: list[tuple[str, str]] = [
    (ALL, ""),
    *((label, status) for status, label in STATUS_LABELS.items()),
    (NO_DOSSIER_LABEL, NO_DOSSIER),
]
"""The status filter: (label, value)."""
QUEUE_HEADERS: tuple[str, ...] = (
    "FINESS",
    "Raison sociale",
    "Département",
    "Statut",
    "Dernière modification",
    "Erreurs",
    "Avertissements",
    "Indicateurs",
)


@dataclass(frozen=True)
class QueueView:
    """The list as the tab shows it, or why this user sees none."""

    rows: list[list[Any]] = field(default_factory=list)
    count: str = ""
    departements: list[str] = field(default_factory=lambda: [ALL])
    dossiers: list[tuple[str, str]] = field(default_factory=list)
    """(« FINESS — raison sociale », FINESS) of the listed dossiers, to open one."""
    notice: str = ""
    """Why the list is not shown (French), empty when it is."""


def queue_row(row: QueueRow) -> list[Any]:
    """One line of the table: FINESS, name, département, status, last change, counts."""
    changed = f"{moment(row.modifie_le)} par {row.modifie_par}" if row.modifie_le else "—"
    status = STATUS_LABELS.get(row.statut, row.statut) if row.statut else NO_DOSSIER_LABEL
    return [
        row.finess_ej,
        row.raison_sociale or "—",
        row.departement,
        status,
        changed,
        row.erreurs,
        row.avertissements,
        row.indicateurs,
    ]


def queue_view(
    ctx: AppContext,
    actor: Actor,
    *,
    departement: str | None = ALL,
    statut: str | None = "",
    errors_only: bool = False,
) -> QueueView:
    """The actor's queue, filtered; for an establishment, the message saying why there is none.

    Raises:
        InvalidRequestError: A malformed département.
    """
    store = ctx.store()
    wanted = None if not departement or departement == ALL else departement
    try:
        everything = review_queue(store, actor)
    except AccessDeniedError as exc:
        return QueueView(notice=exc.message)
    if wanted is None and not statut and not errors_only:
        rows = everything
    elif statut == NO_DOSSIER:
        rows = [r for r in review_queue(store, actor, departement=wanted) if r.statut is None]
        rows = [] if errors_only else rows
    else:
        rows = review_queue(
            store,
            actor,
            departement=wanted,
            statut=cast("Status | None", statut or None),  # the service refuses unknown ones
            with_errors=True if errors_only else None,
        )
    return QueueView(
        rows=[queue_row(r) for r in rows],
        count=count_line(rows),
        departements=[ALL, *scope_departements(actor, everything)],
        dossiers=[
            (f"{r.finess_ej} — {r.raison_sociale or 'sans raison sociale'}", r.finess_ej)
            for r in rows
            if r.statut is not None
        ],
    )


def scope_departements(actor: Actor, rows: list[QueueRow]) -> list[str]:
    """The départements to filter on: the referent's own, or those of the listed rows."""
    if actor.role == "referent" and not actor.region:
        return sorted(actor.departements)
    return sorted({r.departement for r in rows})


def count_line(rows: list[QueueRow]) -> str:
    """« 3 dossiers, dont 1 soumis à examiner, 1 avec des erreurs ; 2 sans dossier »."""
    dossiers = [r for r in rows if r.statut is not None]
    missing = len(rows) - len(dossiers)
    if not rows:
        return "Aucun dossier à afficher."
    parts = [plural(len(dossiers), "dossier")]
    submitted = sum(r.statut == "soumis" for r in dossiers)
    with_errors = sum(r.erreurs > 0 for r in dossiers)
    details = []
    if submitted:
        details.append(f"{submitted} soumis à examiner")
    if with_errors:
        details.append(f"{with_errors} avec des erreurs")
    if details:
        parts.append("dont " + ", ".join(details))
    text = ", ".join(parts)
    if missing:
        text += f" ; {plural(missing, 'établissement')} sans dossier"
    return f"**{text}.**"


__all__ = [
    "ALL",
    "NO_DOSSIER",
    "NO_DOSSIER_LABEL",
    "QUEUE_HEADERS",
    "STATUS_CHOICES",
    "QueueView",
    "count_line",
    "queue_row",
    "queue_view",
    "scope_departements",
]
