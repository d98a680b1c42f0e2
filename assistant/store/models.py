"""The service's boundary types (pydantic): who acts, and what the services return.

Field names follow the HTTP API contract (French), so an HTTP layer returns them as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["etablissement", "referent", "admin"]
Status = Literal["brouillon", "soumis", "a_corriger", "valide"]

STATUS_LABELS: dict[str, str] = {
    "brouillon": "brouillon",
    "soumis": "soumis",
    "a_corriger": "à corriger",
    "valide": "validé",
}
"""Statuses as the interfaces write them."""

LOCAL_ADMIN_EMAIL = "admin-local"
"""How the command line's administrator is named in the audit log."""


class Actor(BaseModel, frozen=True):
    """Who calls a service: an authenticated account, or the local administrator (CLI)."""

    email: str
    role: Role
    finess: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    region: bool = False
    user_id: int | None = Field(None, description="None for an actor without an account.")
    channel: str = Field(
        "ligne de commande",
        description="How an actor without an account acts (French, shown in the audit log).",
    )

    @property
    def label(self) -> str:
        """How the audit log and the versions name this actor."""
        if self.user_id is None:
            return f"{self.email} ({self.channel})"
        return self.email


LOCAL_ADMIN = Actor(email=LOCAL_ADMIN_EMAIL, role="admin")
"""The administrator acting through the command line on this computer."""

LOCAL_USER = Actor(email="utilisateur-local", role="admin", channel="application, mode local")
"""The one user of the app in local mode (``CPOM_MODE=local``, loopback only): no login, full
rights, as the person who can run the command line on this computer has them anyway."""


class Account(BaseModel):
    """An account as shown to administrators (never its password or hash)."""

    email: str
    role: Role
    finess: list[str]
    departements: list[str]
    region: bool
    actif: bool
    verrouille_jusqu_a: dt.datetime | None
    cree_le: dt.datetime


class DossierSummary(BaseModel):
    """A dossier in a list (``GET /api/dossiers``)."""

    finess_ej: str
    raison_sociale: str | None
    departement: str
    campagne: str
    statut: Status
    version: int
    erreurs: int
    avertissements: int
    modifie_le: dt.datetime
    modifie_par: str


class DossierDetail(DossierSummary):
    """A dossier's current version (``GET /api/dossiers/{finess}``)."""

    brouillon: dict[str, Any]
    rapport: dict[str, Any] = Field(description="The validator's report of this version.")


class SaveResult(BaseModel):
    """What a save returns: the new version number and the validator's report of it."""

    version: int
    rapport: dict[str, Any]


class VersionInfo(BaseModel):
    """One version of a dossier, in the list of versions."""

    version: int
    auteur: str
    cree_le: dt.datetime
    erreurs: int
    avertissements: int


class VersionDetail(VersionInfo):
    """One version with its draft and its report."""

    brouillon: dict[str, Any]
    rapport: dict[str, Any]


class Change(BaseModel):
    """One difference between two versions: where, before, after."""

    chemin: str = Field(description="e.g. 'etablissement.lits' or 'indicateurs[CPOM_OS_3].cibles'")
    avant: Any = None
    apres: Any = None


class VersionDiff(BaseModel):
    """What changed from one version to another."""

    de: int
    a: int
    changements: list[Change]


class CommentInfo(BaseModel):
    """A comment on a dossier or one of its indicators."""

    id: int
    version: int
    indicateur: str | None
    auteur: str
    role: Role
    texte: str
    cree_le: dt.datetime


class AuditEntry(BaseModel):
    """One line of the audit log."""

    le: dt.datetime
    acteur: str
    action: str
    finess_ej: str | None
    detail: str


class LoginResult(BaseModel):
    """A successful login: the session token (given once) and when it expires."""

    token: str
    expire_le: dt.datetime
    actor: Actor


class NewToken(BaseModel):
    """A new API token: its value is shown once and never stored."""

    id: int
    token: str
    prefixe: str
