"""Dossiers: save a draft as a new version, read, list, compare versions, export.

A save is validated and guarded by optimistic locking on the version number. Every function
checks the actor's rights first (`assistant.store.access`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import exc, select, update
from sqlalchemy.orm import Session

from assistant.errors import InvalidRequestError, NotFoundError, StatusError, VersionConflictError
from assistant.store.access import (
    departement_of,
    normalize_departement,
    normalize_finess,
    require_edit,
    require_read,
)
from assistant.store.audit import record
from assistant.store.connection import Store
from assistant.store.models import (
    STATUS_LABELS,
    Actor,
    Change,
    DossierDetail,
    DossierSummary,
    SaveResult,
    Status,
    VersionDetail,
    VersionDiff,
    VersionInfo,
)
from assistant.store.tables import STATUSES, Dossier, Version, now, utc

LOCKED_STATUSES = ("soumis", "valide")
"""Statuses in which the establishment cannot edit its dossier."""


def find_dossier(session: Session, store: Store, finess: str) -> Dossier | None:
    """The dossier of ``finess`` for the store's campaign, if any."""
    query = select(Dossier).where(Dossier.finess_ej == finess, Dossier.campagne == store.campaign)
    return session.scalars(query).one_or_none()


def get_row(session: Session, store: Store, finess: str) -> Dossier:
    """The dossier of ``finess``, or a French `NotFoundError`."""
    dossier = find_dossier(session, store, finess)
    if dossier is None:
        raise NotFoundError(f"Aucun dossier pour le FINESS {finess} (campagne {store.campaign}).")
    return dossier


def version_row(session: Session, dossier: Dossier, number: int | None = None) -> Version:
    """One version of a dossier (the current one by default), or a French `NotFoundError`."""
    wanted = dossier.version if number is None else number
    row = session.scalars(
        select(Version).where(Version.dossier_id == dossier.id, Version.number == wanted)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"Le dossier FINESS {dossier.finess_ej} n'a pas de version {wanted}.")
    return row


def summary_of(dossier: Dossier) -> DossierSummary:
    """A dossier as listed."""
    return DossierSummary(
        finess_ej=dossier.finess_ej,
        raison_sociale=dossier.raison_sociale,
        departement=dossier.departement,
        campagne=dossier.campagne,
        statut=dossier.statut,
        version=dossier.version,
        erreurs=dossier.errors,
        avertissements=dossier.warnings,
        modifie_le=utc(dossier.modified_at),
        modifie_par=dossier.modified_by,
    )


def draft_finess(content: Mapping[str, Any]) -> str | None:
    """The FINESS EJ written in a draft tree, if any."""
    establishment = content.get("etablissement")
    if isinstance(establishment, Mapping) and establishment.get("finess_ej") is not None:
        return str(establishment["finess_ej"]).strip().upper()
    return None


def _conflict(dossier: Dossier) -> VersionConflictError:
    when = utc(dossier.modified_at).strftime("%d/%m/%Y à %H:%M UTC")
    return VersionConflictError(
        f"Ce dossier a été modifié entre-temps par {dossier.modified_by} (version "
        f"{dossier.version}, le {when}) : votre version n'a pas été enregistrée.",
        hint=f"Vos modifications restent de votre côté : relisez la version {dossier.version}, "
        "reportez-y vos changements, puis enregistrez de nouveau.",
        current_version=dossier.version,
        author=dossier.modified_by,
    )


def save_draft(
    store: Store, actor: Actor, finess: str, brouillon: Mapping[str, Any], *, version: int
) -> SaveResult:
    """Save a draft as the dossier's next version, with the validator's report of it.

    Args:
        store: The dossier store.
        actor: Who saves (the establishment, or an administrator).
        finess: The dossier's FINESS EJ; the draft must carry the same.
        brouillon: The draft tree, as ``validate`` reads it (the JSON form).
        version: The version the caller read (0 creates the dossier).

    Returns:
        The new version number and the report.

    Raises:
        AccessDeniedError: A referent, or another establishment.
        InvalidRequestError: Not a draft tree, or a draft of another FINESS.
        NotFoundError: ``version`` > 0 for a dossier that does not exist.
        VersionConflictError: Someone saved since ``version`` was read (nothing is written).
        StatusError: The dossier is submitted or validated.
    """
    finess = normalize_finess(finess)
    require_edit(actor, finess)
    content = _tree(brouillon)
    written = draft_finess(content)
    if written != finess:
        raise InvalidRequestError(
            f"Le brouillon porte le FINESS {written or '(aucun)'} et non {finess} : il n'est "
            "pas enregistré dans ce dossier.",
            hint="Corrigez etablissement.finess_ej dans le brouillon.",
        )
    report = store.validate(content).contract()
    try:
        with store.transaction() as session:
            return _write_version(session, store, actor, finess, content, report, version)
    except exc.IntegrityError:
        # another writer created the dossier or the version first: a conflict, not a crash
        with store.transaction() as session:
            raise _conflict(get_row(session, store, finess)) from None


def _tree(brouillon: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(brouillon, Mapping):
        raise InvalidRequestError("Le brouillon doit être un objet JSON (le format de validate).")
    tree = to_jsonable_python(dict(brouillon))
    assert isinstance(tree, dict)
    return tree


def _write_version(
    session: Session,
    store: Store,
    actor: Actor,
    finess: str,
    content: dict[str, Any],
    report: dict[str, Any],
    expected: int,
) -> SaveResult:
    dossier = find_dossier(session, store, finess)
    if dossier is None and expected > 0:
        raise NotFoundError(f"Aucun dossier pour le FINESS {finess} (campagne {store.campaign}).")
    if dossier is not None and dossier.version != expected:
        raise _conflict(dossier)
    if dossier is not None and dossier.statut in LOCKED_STATUSES:
        raise StatusError(
            f"Le dossier FINESS {finess} est {STATUS_LABELS[dossier.statut]} : il ne peut plus "
            "être modifié tant que le référent ne l'a pas renvoyé pour correction."
        )
    moment = now()
    establishment = content.get("etablissement")
    name = establishment.get("raison_sociale") if isinstance(establishment, dict) else None
    values: dict[str, Any] = {
        "version": expected + 1,
        "raison_sociale": str(name)[:500] if name else None,
        "errors": report["errors"],
        "warnings": report["warnings"],
        "modified_at": moment,
        "modified_by": actor.label,
    }
    if dossier is None:
        dossier = Dossier(
            finess_ej=finess,
            departement=departement_of(finess),
            campagne=store.campaign,
            statut="brouillon",
            **values,
        )
        session.add(dossier)
        session.flush()
    else:
        # the version in the WHERE clause is the lock: a writer that read an older one
        # updates no row
        updated = session.execute(
            update(Dossier)
            .where(Dossier.id == dossier.id, Dossier.version == expected)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(updated, "rowcount", 1) != 1:
            session.refresh(dossier)
            raise _conflict(dossier)
    session.add(
        Version(
            dossier_id=dossier.id,
            number=expected + 1,
            author=actor.label,
            created_at=moment,
            content=content,
            report=report,
            errors=report["errors"],
            warnings=report["warnings"],
        )
    )
    record(
        session,
        actor.label,
        "enregistrement",
        finess=finess,
        detail=f"version {expected + 1} : {report['errors']} erreur(s), "
        f"{report['warnings']} avertissement(s)",
    )
    session.flush()
    return SaveResult(version=expected + 1, rapport=report)


def get_dossier(store: Store, actor: Actor, finess: str) -> DossierDetail:
    """A dossier's current version: status, draft and report.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No dossier for this FINESS.
    """
    finess = normalize_finess(finess)
    require_read(actor, finess)
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        current = version_row(session, dossier)
        return DossierDetail(
            **summary_of(dossier).model_dump(), brouillon=current.content, rapport=current.report
        )


def list_dossiers(
    store: Store,
    actor: Actor,
    *,
    statut: Status | None = None,
    departement: str | None = None,
) -> list[DossierSummary]:
    """The dossiers the actor may see, by FINESS, optionally of one status or département.

    Raises:
        InvalidRequestError: An unknown status or a malformed département.
    """
    query = select(Dossier).where(Dossier.campagne == store.campaign).order_by(Dossier.finess_ej)
    if actor.role == "etablissement":
        query = query.where(Dossier.finess_ej.in_(actor.finess))
    elif actor.role == "referent" and not actor.region:
        query = query.where(Dossier.departement.in_(actor.departements))
    if statut is not None:
        if statut not in STATUSES:
            raise InvalidRequestError(
                f"Statut inconnu : {statut!r}.", hint=f"Statuts : {', '.join(STATUSES)}."
            )
        query = query.where(Dossier.statut == statut)
    if departement is not None:
        query = query.where(Dossier.departement == normalize_departement(departement))
    with store.transaction() as session:
        return [summary_of(dossier) for dossier in session.scalars(query)]


def list_versions(store: Store, actor: Actor, finess: str) -> list[VersionInfo]:
    """Every version of a dossier, newest first.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No dossier for this FINESS.
    """
    finess = normalize_finess(finess)
    require_read(actor, finess)
    with store.transaction() as session:
        dossier = get_row(session, store, finess)
        rows = session.scalars(
            select(Version).where(Version.dossier_id == dossier.id).order_by(Version.number.desc())
        )
        return [_info(row) for row in rows]


def _info(row: Version) -> VersionInfo:
    return VersionInfo(
        version=row.number,
        auteur=row.author,
        cree_le=utc(row.created_at),
        erreurs=row.errors,
        avertissements=row.warnings,
    )


def get_version(store: Store, actor: Actor, finess: str, number: int) -> VersionDetail:
    """One version of a dossier, with its draft and report.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No such dossier or version.
    """
    finess = normalize_finess(finess)
    require_read(actor, finess)
    with store.transaction() as session:
        row = version_row(session, get_row(session, store, finess), number)
        return VersionDetail(**_info(row).model_dump(), brouillon=row.content, rapport=row.report)


def compare_versions(store: Store, actor: Actor, finess: str, old: int, new: int) -> VersionDiff:
    """What changed between two versions: each field or indicator added, removed or modified.

    Indicators are matched by code, so a reordered list is not a change.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No such dossier or version.
    """
    before = flatten(get_version(store, actor, finess, old).brouillon)
    after = flatten(get_version(store, actor, finess, new).brouillon)
    changes = [
        Change(chemin=path, avant=before.get(path), apres=after.get(path))
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]
    return VersionDiff(de=old, a=new, changements=changes)


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """A draft tree as ``path -> value``; list items with a ``code`` are keyed by it."""
    if isinstance(tree, dict):
        flat: dict[str, Any] = {}
        for key, value in tree.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if (
        isinstance(tree, list)
        and tree
        and all(isinstance(item, dict) and item.get("code") for item in tree)
    ):
        flat = {}
        for item in tree:
            code = str(item["code"])
            flat.update(
                flatten({k: v for k, v in item.items() if k != "code"}, f"{prefix}[{code}]")
            )
            flat.setdefault(f"{prefix}[{code}]", "présent")
        return flat
    return {prefix: tree}


def export_dossier(store: Store, actor: Actor, finess: str, *, fmt: str) -> DossierDetail:
    """The dossier's current version for an export, written to the audit log.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No dossier for this FINESS.
    """
    detail = get_dossier(store, actor, finess)
    with store.transaction() as session:
        record(
            session,
            actor.label,
            "export",
            finess=detail.finess_ej,
            detail=f"version {detail.version} en {fmt}",
        )
    return detail
