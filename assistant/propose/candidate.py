"""A candidate indicator as seen for a profile: eligibility, points and their explanation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.rules import Source

Category = Literal["cooperation", "autre", "hpr"]


@dataclass
class Candidate:
    """One indicator as seen for a profile: eligibility, score and its explanation."""

    code: str
    libelle: str
    categorie: Category
    eligible: bool = True
    motif: str | None = None
    motif_source: Source | None = None
    points: list[tuple[str, float]] = field(default_factory=list)
    raisons: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    relevance: float = 0.0
    objective_number: int | None = None
    engagement: int | None = None
    already_met: bool = False

    @property
    def score(self) -> float:
        """The sum of the points, rounded to one decimal."""
        return round(sum(p for _, p in self.points), 1)

    def add(self, label: str, points: float) -> None:
        """Add points (with the French label that explains them)."""
        if points:
            self.points.append((label, round(points, 1)))

    def cite(self, source: Source | None) -> None:
        """Add a source once (a quote held by a longer one already cited is left out)."""
        if source is None or any(source.quote in s.quote for s in self.sources):
            return
        self.sources = [s for s in self.sources if s.quote not in source.quote]
        self.sources.append(source)

    def explanation(self) -> str:
        """« Score 57 = 10 (accessible à votre profil) + 32 (priorités) + 15 (…) »."""
        terms = []
        for i, (label, points) in enumerate(self.points):
            sign = ("− " if points < 0 else "+ ") if i else ("−" if points < 0 else "")
            terms.append(f"{sign}{_points(abs(points))} ({label})")
        return f"Score {_points(self.score)} = {' '.join(terms)}."


def _points(value: float) -> str:
    return f"{value:g}".replace(".", ",")


__all__ = ["Candidate", "Category"]
