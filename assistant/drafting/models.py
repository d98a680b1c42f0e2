"""The structured draft of one indicator, and the prose part a language model may write."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.drafts import Value
from assistant.rules import Finding, Source

Annex = Literal["strategique", "hpr"]


class DraftProse(BaseModel):
    """The words of a draft (what a language model may write; never the figures)."""

    contexte: str = Field(
        min_length=20,
        description="Pourquoi cet indicateur pour cet établissement : engagement du PRS, "
        "contexte de la fiche, priorités et activités de l'établissement.",
    )
    diagnostic_initial: str = Field(
        min_length=20,
        description="La valeur 2024 et ce qu'elle signifie au regard de la cible de la fiche.",
    )
    actions: list[str] = Field(
        min_length=3,
        max_length=6,
        description="3 à 6 actions concrètes tirées des bonnes pratiques de la fiche et des "
        "activités de l'établissement.",
    )
    suivi: str = Field(
        min_length=10, description="Source des données et fréquence de collecte selon la fiche."
    )
    partenaires: str = Field(min_length=10, description="Partenaires à associer.")


class IndicatorDraft(DraftProse):
    """The draft justification and trajectory of one indicator for one establishment."""

    code: str
    libelle: str
    annexe: Annex = "strategique"
    unite: str = Field(default="nombre", description="Unité : taux, nombre, oui_non, file_active…")
    valeur_initiale: Value | None = None
    trajectoire: dict[str, Value | None] = Field(
        description="Année -> cible calculée par le code à partir de la règle de la fiche."
    )
    regles: dict[str, str] = Field(
        default_factory=dict, description="Année -> règle de la fiche pour cette année."
    )
    portee: str | None = Field(default=None, description="La ligne de cible de la fiche appliquée.")
    deja_engage: bool = Field(
        default=False,
        description="L'établissement se déclare déjà engagé (deja_engages du profil) et la fiche "
        "a une ligne « déjà engagés » : c'est elle qui fixe la trajectoire.",
    )
    lecture: str | None = Field(default=None, description="Comment une ligne ambiguë a été lue.")
    lecture_hausse: Literal["relative", "points"] | None = Field(
        default=None,
        description="Quand la hausse de la fiche (« % » d'un taux, « points ») se lit de deux "
        "façons : la lecture appliquée à la trajectoire.",
    )
    trajectoire_autre_lecture: dict[str, Value | None] | None = Field(
        default=None, description="Année -> cible dans l'autre lecture, pour comparaison."
    )
    deja_atteint: bool = False
    moyens: str = Field(
        default="",
        description="Qui porte l'indicateur et avec quels moyens (pilote, équipes, appui).",
    )
    risques: list[str] = Field(
        default_factory=list, description="Les risques pour la trajectoire et leur parade."
    )
    preuves: list[str] = Field(
        default_factory=list,
        description="Les éléments de preuve à réunir pour l'évaluation (ceux de la fiche).",
    )
    sources: list[Source] = Field(default_factory=list)
    a_completer: list[str] = Field(
        default_factory=list, description="Ce que l'établissement doit encore fournir."
    )
    avertissements: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(
        default_factory=list, description="Constats du validateur sur cette ligne."
    )
    mode: Literal["hors_ligne", "llm"] = "hors_ligne"
    notes: list[str] = Field(default_factory=list)

    def prose(self) -> DraftProse:
        """The prose part."""
        return DraftProse.model_validate(self.model_dump(include=set(DraftProse.model_fields)))

    def contract(self) -> dict[str, object]:
        """The ``draft --json`` contract."""
        return self.model_dump(mode="json")


__all__ = ["Annex", "DraftProse", "IndicatorDraft"]
