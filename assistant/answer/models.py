"""The answer contract: what ``ask`` returns, prints and serialises."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

AnswerMode = Literal["extractive", "llm"]
Value = bool | int | float | str
"""A baseline or a target as the draft writes it (number, « oui »/« non », text)."""
_PROFILE_KEYS = ("profil", "pour_vous", "votre_selection", "annexe_hpr")

REFUSAL = "Les guides ne répondent pas à cette question."

MARKER = re.compile(r"\[(\d{1,3})\]")
"""A citation mark in an answer's text: « [2] »."""
_MARKER_WITH_SPACE = re.compile(r"\s*\[\d{1,3}\]")


def strip_markers(text: str) -> str:
    """The text without its citation marks (and the space before each)."""
    return _MARKER_WITH_SPACE.sub("", text)


"""The exact sentence of a refusal (prompts, tests and the app rely on it)."""


class Citation(BaseModel, frozen=True):
    """One numbered source of an answer: a passage and the guide's verbatim words."""

    n: int = Field(ge=1, description="The marker [n] used in the answer text.")
    doc_id: str
    title: str
    section: str
    page: int | None = None
    quote: str = Field(description="Verbatim words of the passage that the answer rests on.")
    period: str = Field("", exclude=True, description="The document's period (display only).")
    status: Literal["current", "historical"] = Field("current", exclude=True)
    chunk_id: str | None = Field(None, exclude=True, description="The cited passage (index id).")

    def label(self) -> str:
        """``[1] Titre (période, p. N) — section`` for the text output."""
        where = ", ".join(x for x in (self.period, f"p. {self.page}" if self.page else "") if x)
        head = f"[{self.n}] {self.title}" + (f" ({where})" if where else "")
        return f"{head} — {self.section}" if self.section else head


class FactSource(BaseModel, frozen=True):
    """The guide's or the fiche's own words a fact for the establishment rests on."""

    doc_id: str
    section: str | None = None
    quote: str


class ProfileRef(BaseModel, frozen=True):
    """Which establishment an answer was written for (``ask --profil``)."""

    raison_sociale: str | None = None
    finess_ej: str | None = None


class ForYou(BaseModel, frozen=True):
    """What one indicator means for the establishment: computed by code, never by a model."""

    code: str
    eligible: bool | None = Field(
        description="True: it may choose it; False: it may not; None: the guides do not decide "
        "for this profile (e.g. a row that depends on the département, without FINESS EJ)."
    )
    reserve: str | None = Field(
        None,
        exclude=True,
        description="Why a « oui » comes with a reserve (display; also in ``motif``).",
    )
    motif: str = Field(description="The reason, from the profile and the fiche's words (French).")
    ligne_cible: str | None = Field(
        None, description="The fiche's target row that applies to the establishment, and its years."
    )
    cibles: dict[str, Value | None] | None = Field(
        None,
        description="Yearly targets computed from the 2024 value held by the dossier (the code "
        "of ``draft``), or None when the dossier holds no 2024 value.",
    )
    source: FactSource


class SelectionFinding(BaseModel, frozen=True):
    """A selection rule's finding on the establishment's current selection."""

    regle: str
    gravite: str
    message: str
    source: FactSource | None = None


class SelectionState(BaseModel, frozen=True):
    """The establishment's current selection counted and checked by the validator."""

    retenus: list[str]
    cooperation: int
    autres: int
    hpr: list[str] = Field(default_factory=list)
    reste_cooperation: int = Field(description="Cooperation indicators still to choose (minimum).")
    reste_autres: int = Field(description="Other strategic indicators still to choose (minimum).")
    reste_au_moins: int = Field(description="Indicators still to choose to reach the minimum.")
    places_restantes: int = Field(description="Indicators that may still be added (maximum).")
    valide: bool = Field(description="No selection rule of the validator is broken.")
    constats: list[SelectionFinding] = Field(default_factory=list)


class HprAnnex(BaseModel, frozen=True):
    """Whether the HPR annex concerns the establishment."""

    concerne: bool
    motif: str
    source: FactSource


class Answer(BaseModel):
    """An answer with its numbered citations, or a refusal (``supported`` false)."""

    question: str = Field("", exclude=True)
    answer: str
    supported: bool
    mode: AnswerMode = "extractive"
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool = Field(
        True,
        description="The answer as generated passed the grounding guard untouched (every "
        "sentence cites a given passage, every number, date and code is in it). False when the "
        "guard removed claims or fell back to the offline answer; True for offline answers.",
    )
    removed_claims: list[str] = Field(
        default_factory=list, description="Generated sentences dropped by the grounding guard."
    )
    notice: str | None = Field(
        None, description="A note for the user (fallback to the offline answer, input changed…)."
    )

    profil: ProfileRef | None = Field(
        None, description="The establishment the answer was written for (``ask --profil``)."
    )
    pour_vous: list[ForYou] = Field(default_factory=list)
    votre_selection: SelectionState | None = None
    annexe_hpr: HprAnnex | None = None

    def as_json(self) -> dict[str, Any]:
        """The ``ask --json`` contract (with ``profil`` and ``pour_vous`` for a profile)."""
        data = self.model_dump(mode="json")
        if self.profil is None:
            for key in _PROFILE_KEYS:
                data.pop(key, None)
        else:
            for key in ("votre_selection", "annexe_hpr"):
                if data.get(key) is None:
                    data.pop(key, None)
        return data

    def as_text(self) -> str:
        """The answer, then its numbered sources (the CLI's text output)."""
        lines = [self.answer]
        if self.citations:
            lines.append("")
            lines.append("Sources :" if self.supported else "Passages les plus proches :")
            lines.extend(c.label() for c in self.citations)
        if self.notice:
            lines.append("")
            lines.append(f"Note : {self.notice}")
        return "\n".join(lines)
