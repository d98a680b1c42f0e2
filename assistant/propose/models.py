"""The proposal's boundary models: a proposed indicator, an exclusion, the whole proposal."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.propose.scoring import Category
from assistant.rules import Finding, Source


class ProposedIndicator(BaseModel):
    """One indicator of a proposal (or an alternative), with why and on which words.

    Every reason quotes what the indicator measures, or says which other part of its fiche it
    comes from; ``detail_score`` explains the score point by point.
    """

    rang: int
    code: str
    libelle: str
    categorie: Category
    score: float
    detail_score: str = ""
    raisons: list[str]
    sources: list[Source]
    avertissements: list[str] = Field(default_factory=list)


class Exclusion(BaseModel):
    """An indicator this profile cannot choose, and why (the fiche's words)."""

    code: str
    libelle: str
    categorie: Category
    motif: str
    source: Source | None = None


class UncoveredPriority(BaseModel):
    """A declared priority that no indicator measures (the assistant does not force one)."""

    priorite: str = Field(description="La priorité, dans les mots de l'établissement.")
    message: str = Field(description="« Aucun indicateur ne porte sur … », en français.")
    inaccessibles: list[str] = Field(
        default_factory=list,
        description="Indicateurs qui la mesurent mais que ce profil ne peut pas choisir.",
    )


class Proposal(BaseModel):
    """A selection for the strategic annex (and the HPR annex), checked by the validator."""

    etablissement: str
    priorites: str | None = None
    mode: Literal["hors_ligne", "llm"] = "hors_ligne"
    indicateurs: list[ProposedIndicator]
    indicateurs_hpr: list[ProposedIndicator] = Field(default_factory=list)
    alternatives: list[ProposedIndicator] = Field(default_factory=list)
    exclus: list[Exclusion] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    priorites_non_couvertes: list[UncoveredPriority] = Field(default_factory=list)
    avertissements: list[str] = Field(
        default_factory=list,
        description="Ce que le profil déclare et que la proposition ne peut pas lire ou "
        "retenir tel quel (activité hors liste, indicateur déjà atteint…).",
    )

    @property
    def codes(self) -> list[str]:
        """The strategic codes, best first."""
        return [item.code for item in self.indicateurs]

    @property
    def hpr_codes(self) -> list[str]:
        """The HPR codes, best first."""
        return [item.code for item in self.indicateurs_hpr]

    def contract(self) -> dict[str, Any]:
        """The ``propose --json`` contract."""
        return self.model_dump(mode="json")
