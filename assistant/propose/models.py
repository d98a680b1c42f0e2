"""The proposal's boundary models: a proposed indicator, an exclusion, the whole proposal."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.propose.scoring import Category
from assistant.rules import Finding, Source


class ProposedIndicator(BaseModel):
    """One indicator of a proposal (or an alternative), with why and on which words."""

    rang: int
    code: str
    libelle: str
    categorie: Category
    score: float
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
