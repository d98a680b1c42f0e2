"""The user's dossier in the database: which one, how the page loads it, how its work is saved.

The page edits a ``Dossier`` (``workspace``); a save writes it as the dossier's next version
in the store: the draft tree the validator reads, plus the page's own fields (reasons, notes,
structured justifications) under ``espace_de_travail``, which the validator ignores. The page
remembers which version it read (``Saved``), so that a save made elsewhere since is never
overwritten (the store refuses it, and the page says so).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from assistant import InvalidInputError
from assistant.store import (
    STATUS_LABELS,
    Actor,
    DossierDetail,
    NotFoundError,
    get_dossier,
    save_draft,
)
from assistant.ui.moments import moment
from assistant.ui.workspace import Dossier, Line, ProfileForm, describe, draft_tree

if TYPE_CHECKING:
    from assistant import KnowledgeBase
    from assistant.ui.service import AppContext

WORKSPACE_KEY = "espace_de_travail"
"""Where a saved version keeps the page's own fields (ignored by the validator)."""
EDITABLE = ("brouillon", "a_corriger")
"""Statuses in which the establishment may still save."""
AUTOSAVE_SECONDS = 30
"""How often the page checks for unsaved work and saves it (the issue asks ≤ 60 s)."""


class Saved(BaseModel):
    """What the page knows of the database copy of its dossier."""

    finess: str = ""
    version: int = 0
    statut: str | None = None
    fingerprint: str = ""
    modifie_le: str | None = None
    modifie_par: str | None = None
    note: str = ""
    """The last save's outcome, in French (an autosave that could not be done says why)."""

    @property
    def editable(self) -> bool:
        """True while the dossier may be saved (no dossier yet, draft, sent back)."""
        return self.statut is None or self.statut in EDITABLE


def may_edit(actor: Actor) -> bool:
    """Whether the actor edits a dossier of its own in the page (establishments, local user)."""
    return actor.role in ("etablissement", "admin")


def has_own_dossier(actor: Actor, *, shared: bool) -> bool:
    """Whether the page saves the actor's work as a dossier: an establishment, or the local user.

    An administrator in shared mode keeps the tools but has no dossier of their own to save.
    """
    return actor.role == "etablissement" or (actor.role == "admin" and not shared)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "AB")


def dossier_finess(actor: Actor, dossier: Dossier) -> str:
    """The FINESS EJ of the dossier the page edits ('' when none yet).

    An establishment's account names it; anyone else (the local user) edits the dossier of the
    FINESS typed in the profile, if the store lets them.
    """
    if actor.role == "etablissement":
        typed = _digits(dossier.profil.finess_ej)
        return typed if typed in actor.finess else (actor.finess[0] if actor.finess else "")
    return _digits(dossier.profil.finess_ej)  # the store decides who may save it


def saved_tree(ctx: AppContext, dossier: Dossier) -> dict[str, Any]:
    """The tree a save writes: the validator's draft and the page's own fields."""
    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    tree[WORKSPACE_KEY] = dossier.store()
    return tree


def fingerprint(tree: dict[str, Any]) -> str:
    """A digest of a saved tree, to tell whether the page holds unsaved work."""
    text = json.dumps(tree, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dossier_of(brouillon: dict[str, Any], kb: KnowledgeBase) -> Dossier:
    """The page's dossier from a saved version (its own fields, else rebuilt from the draft)."""
    kept = brouillon.get(WORKSPACE_KEY)
    if isinstance(kept, dict):
        loaded = Dossier.load(kept)
        if loaded.lignes or loaded.profil.finess_ej:
            return loaded
    etab = brouillon.get("etablissement") or {}
    engaged = []
    lines = []
    for key in ("indicateurs", "indicateurs_hpr"):
        for item in brouillon.get(key) or []:
            if not isinstance(item, dict) or not item.get("code"):
                continue
            code = str(item["code"])
            libelle, categorie = describe(code, kb)
            if item.get("deja_engage"):
                engaged.append(code)
            lines.append(
                Line(
                    code=code,
                    libelle=libelle,
                    categorie=categorie,
                    valeur_initiale=item.get("valeur_initiale"),
                    cibles={str(y): v for y, v in (item.get("cibles") or {}).items()},
                    justification=item.get("justification"),
                    commentaire=item.get("commentaire"),
                )
            )
    lits = etab.get("lits")
    profile = ProfileForm(
        raison_sociale=str(etab.get("raison_sociale") or ""),
        finess_ej=str(etab.get("finess_ej") or ""),
        statut=etab.get("statut"),
        categorie=etab.get("categorie"),
        lits=lits if isinstance(lits, int | float) else None,
        membre_ght=bool(etab.get("membre_ght")),
        hopital_proximite=bool(etab.get("hopital_proximite")),
        activites=[str(a) for a in etab.get("activites") or []],
        deja_engages=engaged,
    )
    return Dossier(profil=profile, lignes=lines)


def _saved(detail: DossierDetail, *, note: str = "") -> Saved:
    return Saved(
        finess=detail.finess_ej,
        version=detail.version,
        statut=detail.statut,
        fingerprint=fingerprint(detail.brouillon),
        modifie_le=detail.modifie_le.isoformat(),
        modifie_par=detail.modifie_par,
        note=note,
    )


def open_dossier(
    ctx: AppContext, actor: Actor, browser: Dossier, known: Saved
) -> tuple[Dossier, Saved]:
    """The dossier the page shows on load, and what it knows of the database copy.

    Args:
        ctx: The app's context.
        actor: Who opens the page.
        browser: The copy the browser kept.
        known: What the browser knew of the database copy when it kept it.

    The database copy wins when it is newer than the one the browser kept (saved from another
    browser or computer); the browser's copy is kept when it was read from the current version
    (it may hold work not saved yet, which the next save writes). Another establishment's copy
    left in a shared browser is never shown.
    """
    if not may_edit(actor):
        return Dossier(), Saved()
    finess = dossier_finess(actor, browser)
    if not finess:
        return browser, Saved()
    mine = _digits(browser.profil.finess_ej) == finess
    try:
        detail = get_dossier(ctx.store(), actor, finess)
    except NotFoundError:
        if mine or actor.role != "etablissement":
            return browser, Saved(finess=finess)
        return Dossier(profil=ProfileForm(finess_ej=finess)), Saved(finess=finess)
    saved = _saved(detail)
    if mine and known.finess == finess and known.version == detail.version:
        return browser, saved
    return dossier_of(detail.brouillon, ctx.kb()), saved


def _when(saved: Saved) -> str:
    if not saved.modifie_le:
        return ""
    day, _, hour = moment(saved.modifie_le).partition(" ")
    return f"le {day} à {hour}"


def status_line(saved: Saved, *, dirty: bool = False) -> str:
    """The save bar's text: which dossier, which version, when and by whom it was saved."""
    if not saved.finess:
        return (
            "Dossier non enregistré : renseignez le FINESS EJ dans le profil (onglet « Choisir "
            "mes indicateurs ») pour l'enregistrer."
        )
    head = f"**Dossier FINESS {saved.finess}**"
    if saved.version == 0:
        text = f"{head} — pas encore enregistré : « Enregistrer » crée la version 1."
    else:
        statut = STATUS_LABELS.get(saved.statut or "", saved.statut or "")
        text = (
            f"{head} — version {saved.version} enregistrée {_when(saved)}"
            f" par {saved.modifie_par} · statut : **{statut}**"
        )
        if not saved.editable:
            text += " (il n'est plus modifiable)"
    if dirty and saved.editable:
        text += " · modifications non enregistrées"
    if saved.note:
        text += f"\n\n{saved.note}"
    return text


def is_dirty(ctx: AppContext, dossier: Dossier, saved: Saved) -> bool:
    """Whether the page holds work that the database copy does not."""
    if not dossier.lignes and not dossier.profil.raison_sociale and saved.version == 0:
        return False
    return fingerprint(saved_tree(ctx, dossier)) != saved.fingerprint


def save(ctx: AppContext, actor: Actor, dossier: Dossier, saved: Saved) -> Saved:
    """Save the page's work as the dossier's next version.

    Returns:
        What the page now knows of the database copy.

    Raises:
        InvalidInputError: No FINESS yet.
        AccessDeniedError, VersionConflictError, StatusError: As the store decides.
    """
    finess = dossier_finess(actor, dossier)
    if not finess:
        raise InvalidInputError(
            "Le dossier ne peut pas être enregistré sans FINESS EJ.",
            hint="Renseignez-le dans le profil (onglet « Choisir mes indicateurs »).",
        )
    store = ctx.store()
    version = saved.version if saved.finess == finess else _current_version(ctx, actor, finess)
    tree = saved_tree(ctx, dossier)
    save_draft(store, actor, finess, tree, version=version)
    detail = get_dossier(store, actor, finess)
    return _saved(detail, note=f"Enregistré : version {detail.version}.")


def _current_version(ctx: AppContext, actor: Actor, finess: str) -> int:
    try:
        return get_dossier(ctx.store(), actor, finess).version
    except NotFoundError:
        return 0


__all__ = [
    "AUTOSAVE_SECONDS",
    "EDITABLE",
    "WORKSPACE_KEY",
    "Saved",
    "dossier_finess",
    "dossier_of",
    "fingerprint",
    "has_own_dossier",
    "is_dirty",
    "may_edit",
    "open_dossier",
    "save",
    "saved_tree",
    "status_line",
]
