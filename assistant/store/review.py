"""The review cycle and comments: brouillon → soumis → a_corriger → soumis … → valide.

The establishment submits (refused while the validator finds an error); the referent of the
département sends back (with a comment) or validates. Comments, from either side, are kept
with the version they were written on.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import InvalidRequestError, StatusError, StoreError
from assistant.rules.report import Report
from assistant.store.access import normalize_finess, require_edit, require_read, require_review
from assistant.store.audit import record
from assistant.store.connection import Store
from assistant.store.dossiers import get_row, summary_of, version_row
from assistant.store.models import STATUS_LABELS, Actor, CommentInfo, DossierSummary, Status
from assistant.store.tables import Comment, Dossier, now, utc

MAX_COMMENT_CHARS = 5000
"""Longest comment accepted."""


class SubmissionRefusedError(StoreError):
    """Submission refused: the current version has errors (carried in ``report``)."""

    http_status: ClassVar[int] = 422

    def __init__(self, message: str, *, report: Report, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


def _transition(
    session: Session,
    actor: Actor,
    dossier: Dossier,
    target: Status,
    allowed_from: tuple[str, ...],
    action_text: str,
) -> None:
    if dossier.statut not in allowed_from:
        expected = " ou ".join(f"« {STATUS_LABELS[s]} »" for s in allowed_from)
        raise StatusError(
            f"Le dossier FINESS {dossier.finess_ej} est « {STATUS_LABELS[dossier.statut]} » : "
            f"on ne peut le {action_text} que s'il est {expected}."
        )
    before = dossier.statut
    dossier.statut = target
    dossier.modified_at = now()
    dossier.modified_by = actor.label
    record(
        session,
        actor.label,
        "changement_statut",
        finess=dossier.finess_ej,
        detail=f"{before} → {target} (version {dossier.version})",
    )


def submit(store: Store, actor: Actor, finess: str) -> DossierSummary:
    """Submit the dossier to the referent (its establishment, or an administrator).

    Raises:
        AccessDeniedError: A referent, or another establishment.
        NotFoundError: No dossier for this FINESS.
        StatusError: Already submitted or validated.
        SubmissionRefusedError: The current version has errors (the findings are attached).
    """
    finess = normalize_finess(finess)
    require_edit(actor, finess)
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        _transition(session, actor, dossier, "soumis", ("brouillon", "a_corriger"), "soumettre")
        current = version_row(session, dossier)
        if current.errors:
            report = Report.model_validate(current.report)
            raise SubmissionRefusedError(
                f"Le dossier FINESS {finess} ne peut pas être soumis : la version "
                f"{current.number} compte {current.errors} erreur(s).",
                report=report,
                hint="Corrigez les erreurs signalées, enregistrez, puis soumettez de nouveau.",
            )
        return summary_of(dossier)


def send_back(store: Store, actor: Actor, finess: str, commentaire: str) -> DossierSummary:
    """Send a submitted dossier back for corrections, with a comment (its referent, or admin).

    Raises:
        AccessDeniedError: An establishment, or a referent of another département.
        InvalidRequestError: No comment.
        NotFoundError: No dossier for this FINESS.
        StatusError: The dossier is not submitted.
    """
    finess = normalize_finess(finess)
    require_review(actor, finess)
    text = _comment_text(commentaire, required_for="renvoyer un dossier")
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        _transition(session, actor, dossier, "a_corriger", ("soumis",), "renvoyer")
        _add_comment(session, actor, dossier, text, None)
        return summary_of(dossier)


def validate_dossier(
    store: Store, actor: Actor, finess: str, commentaire: str | None = None
) -> DossierSummary:
    """Validate a submitted dossier (its referent, or an administrator).

    Raises:
        AccessDeniedError: An establishment, or a referent of another département.
        NotFoundError: No dossier for this FINESS.
        StatusError: The dossier is not submitted.
    """
    finess = normalize_finess(finess)
    require_review(actor, finess)
    text = _comment_text(commentaire) if commentaire and commentaire.strip() else None
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        _transition(session, actor, dossier, "valide", ("soumis",), "valider")
        if text:
            _add_comment(session, actor, dossier, text, None)
        return summary_of(dossier)


def _comment_text(text: str | None, *, required_for: str | None = None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        needed = f" pour {required_for}" if required_for else ""
        raise InvalidRequestError(f"Un commentaire est obligatoire{needed}.")
    if len(cleaned) > MAX_COMMENT_CHARS:
        raise InvalidRequestError(
            f"Le commentaire compte {len(cleaned)} caractères, au-delà de la limite de "
            f"{MAX_COMMENT_CHARS}."
        )
    return cleaned


def _indicator_codes(content: dict[str, Any]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for annex in ("indicateurs", "indicateurs_hpr"):
        items = content.get(annex)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("code"):
                code = str(item["code"]).strip()
                codes[code.upper()] = code
                codes[code.upper().removeprefix("CPOM_")] = code
    return codes


def _add_comment(
    session: Session, actor: Actor, dossier: Dossier, text: str, indicator: str | None
) -> Comment:
    comment = Comment(
        dossier_id=dossier.id,
        version=dossier.version,
        indicator=indicator,
        author=actor.label,
        role=actor.role,
        text=text,
    )
    session.add(comment)
    session.flush()
    where = f" sur {indicator}" if indicator else ""
    record(
        session,
        actor.label,
        "commentaire",
        finess=dossier.finess_ej,
        detail=f"version {dossier.version}{where}",
    )
    return comment


def add_comment(
    store: Store, actor: Actor, finess: str, texte: str, *, indicateur: str | None = None
) -> CommentInfo:
    """Comment on a dossier or one of its indicators (the establishment or its referent).

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        InvalidRequestError: An empty comment, or an indicator not in the dossier.
        NotFoundError: No dossier for this FINESS.
    """
    finess = normalize_finess(finess)
    require_read(actor, finess)
    text = _comment_text(texte)
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        code = None
        if indicateur is not None and indicateur.strip():
            codes = _indicator_codes(version_row(session, dossier).content)
            code = codes.get(indicateur.strip().upper())
            if code is None:
                raise InvalidRequestError(
                    f"L'indicateur {indicateur!r} n'est pas dans le dossier FINESS {finess}.",
                    hint="Indicateurs du dossier : " + ", ".join(sorted(set(codes.values()))),
                )
        return _comment_info(_add_comment(session, actor, dossier, text, code))


def _comment_info(comment: Comment) -> CommentInfo:
    return CommentInfo(
        id=comment.id,
        version=comment.version,
        indicateur=comment.indicator,
        auteur=comment.author,
        role=comment.role,
        texte=comment.text,
        cree_le=utc(comment.created_at),
    )


def list_comments(store: Store, actor: Actor, finess: str) -> list[CommentInfo]:
    """A dossier's comments, oldest first.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No dossier for this FINESS.
    """
    finess = normalize_finess(finess)
    require_read(actor, finess)
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        rows = session.scalars(
            select(Comment).where(Comment.dossier_id == dossier.id).order_by(Comment.id)
        )
        return [_comment_info(row) for row in rows]
