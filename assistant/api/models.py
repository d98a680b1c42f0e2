"""The API's request and answer bodies (pydantic); field names follow the HTTP contract (French).

The service's own models (`assistant.store`) are returned as they are where the contract asks
for all their fields; these models hold the requests and the answers that keep only some.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr

from assistant.store.models import Role, Status

Mode = Literal["local", "shared"]


class DossierItem(BaseModel):
    """A dossier in the list (``GET /api/dossiers``)."""

    finess_ej: str = Field(description="FINESS EJ de l'établissement (9 caractères).")
    raison_sociale: str | None = Field(description="Raison sociale lue dans le brouillon.")
    statut: Status = Field(description="brouillon, soumis, a_corriger ou valide.")
    version: int = Field(description="Numéro de la version courante.")
    erreurs: int = Field(description="Erreurs trouvées par le validateur dans cette version.")
    avertissements: int = Field(description="Avertissements du validateur dans cette version.")
    modifie_le: dt.datetime = Field(description="Dernier enregistrement ou changement de statut.")


class DossierAnswer(BaseModel):
    """A dossier's current version (``GET /api/dossiers/{finess}``)."""

    finess_ej: str = Field(description="FINESS EJ de l'établissement.")
    statut: Status = Field(description="brouillon, soumis, a_corriger ou valide.")
    version: int = Field(description="Numéro de la version courante (à renvoyer avec un PUT).")
    brouillon: dict[str, Any] = Field(description="Le brouillon (format JSON de validate).")
    rapport: dict[str, Any] = Field(
        description="Rapport du validateur pour cette version : valid, errors, warnings, findings."
    )


class SaveRequest(BaseModel):
    """A draft to save (``PUT /api/dossiers/{finess}``)."""

    version: int = Field(
        ge=0,
        description="La version lue avant modification (0 crée le dossier) : si quelqu'un a "
        "enregistré depuis, la réponse est 409 et rien n'est écrit.",
    )
    brouillon: dict[str, Any] = Field(
        description="Le brouillon au format JSON que lit validate (etablissement, indicateurs…)."
    )


class SaveAnswer(BaseModel):
    """The new version and the validator's report of it."""

    version: int = Field(description="Numéro de la version enregistrée.")
    rapport: dict[str, Any] = Field(description="Rapport du validateur pour cette version.")


class StatusAnswer(BaseModel):
    """A dossier after a change of status."""

    finess_ej: str
    statut: Status
    version: int


class SendBackRequest(BaseModel):
    """Send a dossier back for corrections: the comment is required."""

    commentaire: str = Field(description="Ce que l'établissement doit corriger (obligatoire).")


class ValidateRequest(BaseModel):
    """Validate a dossier, with an optional comment."""

    commentaire: str | None = Field(None, description="Commentaire facultatif.")


class CommentRequest(BaseModel):
    """A comment on the dossier, or on one of its indicators."""

    texte: str = Field(description="Le commentaire (5 000 caractères au plus).")
    indicateur: str | None = Field(
        None, description="Code d'un indicateur du dossier (CPOM_OS_3, OS_3…), ou rien."
    )


class LoginRequest(BaseModel):
    """A login (``POST /api/session``): the password is never logged nor returned."""

    email: str = Field(description="Adresse électronique du compte.")
    mot_de_passe: SecretStr = Field(description="Mot de passe du compte.")


class SessionAnswer(BaseModel):
    """Who the caller is, in which mode, and until when the session lasts."""

    email: str
    role: Role
    finess: list[str] = Field(description="FINESS EJ d'un compte établissement.")
    departements: list[str] = Field(description="Départements d'un compte référent.")
    region: bool = Field(description="Référent de toute la région.")
    mode: Mode = Field(description="local (sans connexion, cet ordinateur) ou shared.")
    expire_le: dt.datetime | None = Field(
        None, description="Fin de la session ouverte par cette connexion."
    )


class ErrorAnswer(BaseModel):
    """Every error: a French message that says what failed and what to do."""

    message: str = Field(description="Ce qui a échoué, en français.")
    conseil: str | None = Field(None, description="Ce qu'il faut faire, quand c'est utile.")


class ConflictAnswer(ErrorAnswer):
    """A version conflict: who saved since, and the current version to read again."""

    version_courante: int | None = None
    auteur: str | None = None


class RefusalAnswer(ErrorAnswer):
    """A refused submission: the validator's report with its findings."""

    rapport: dict[str, Any] | None = None


class InvalidBodyAnswer(ErrorAnswer):
    """A request the API cannot read: which fields, and why."""

    champs: list[str] = Field(default_factory=list)
