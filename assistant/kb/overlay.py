"""The reviewed overlay: structured values where the fiche text is too irregular to parse.

``corpus/kb/overlay.yaml`` gives, per fiche, target rules read by a person from the fiche's
table, each with the verbatim words it comes from and, where the wording is ambiguous, how it was
read. Every entry is anchored to the current fiche: when one of its quotes is no longer in the
fiche (an updated fiche), the entry is ignored with a warning and the parser's own reading (if
any) is used, so a stale overlay never hides a changed fiche.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from assistant.errors import CatalogError
from assistant.kb.models import YEARS, Direction, Quote, Scope, TargetRule, YearTarget
from assistant.kb.text import comparable

logger = logging.getLogger(__name__)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OverlayRule(_Strict):
    """One target row: ``years`` holds ``"kind"`` or ``"kind value"`` for 2025…2029."""

    scope: Scope
    years: list[str]
    quote: str
    reading: str | None = None
    cells: list[str | None] | None = None
    """The fiche's words for each year's cell (None: no words), reconstituted by the reviewer
    where the extraction interleaves the cells; used verbatim only when found in the fiche."""
    total: str | None = None
    """The fiche's words in the row's « Total » cell, reconstituted by the reviewer; used only
    when found in the fiche."""

    @field_validator("cells")
    @classmethod
    def _five_cells(cls, cells: list[str | None] | None) -> list[str | None] | None:
        if cells is not None and len(cells) != len(YEARS):
            raise ValueError(f"expected {len(YEARS)} cells, got {len(cells)}")
        return cells

    @field_validator("years")
    @classmethod
    def _five_years(cls, years: list[str]) -> list[str]:
        if len(years) != len(YEARS):
            raise ValueError(f"expected {len(YEARS)} yearly targets, got {len(years)}")
        for year, item in zip(YEARS, years, strict=True):
            _year_target(year, item)  # raises on an unknown kind or a bad value
        return years


class OverlayTarget(_Strict):
    """The target of one fiche: its rules and, if the rules do not show it, its direction."""

    direction: Direction | None = None
    rules: list[OverlayRule]


class OverlayFiche(_Strict):
    """Overlay entries of one fiche."""

    target: OverlayTarget | None = None


class Overlay(_Strict):
    """The whole overlay file."""

    fiches: dict[str, OverlayFiche] = {}


def _year_target(year: int, item: str) -> YearTarget:
    kind, _, value = item.partition(" ")
    return YearTarget.model_validate(
        {"year": year, "kind": kind, "value": float(value) if value else None}
    )


def load_overlay(path: Path) -> Overlay:
    """Read the overlay file (an absent file is an empty overlay).

    Raises:
        CatalogError: the file is not valid YAML or does not follow the overlay schema.
    """
    if not path.exists():
        return Overlay()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Overlay.model_validate(data)
    except (yaml.YAMLError, ValueError) as exc:
        raise CatalogError(
            f"Le fichier de relecture {path.name!r} est invalide : {exc}",
            hint="Corrigez le fichier (schéma : fiches → code → target → rules).",
        ) from exc


def overlay_rules(
    entry: OverlayTarget, *, code: str, fiche_text: str, doc_id: str, section: str
) -> list[TargetRule] | None:
    """The overlay's rules for one fiche, or None when a quote is no longer in the fiche."""
    haystack = comparable(fiche_text)
    rules: list[TargetRule] = []
    for rule in entry.rules:
        if comparable(rule.quote) not in haystack:
            logger.warning(
                "Overlay entry for %s ignored: quote no longer in the fiche: %.80s",
                code,
                rule.quote,
            )
            return None
        rules.append(
            TargetRule(
                scope=rule.scope,
                years=[
                    # the cell's words stand beside a figure too (« au moins 1 » for « au
                    # moins une « fonction » organisée en commun »)
                    _year_target(y, item).model_copy(update={"cell": cell, "words": cell})
                    for y, item, cell in zip(
                        YEARS, rule.years, rule.cells or [None] * len(YEARS), strict=True
                    )
                ],
                quote=Quote(doc_id=doc_id, text=rule.quote, section=section),
                reading=rule.reading,
                total=rule.total if rule.total and comparable(rule.total) in haystack else None,
            )
        )
    return rules
