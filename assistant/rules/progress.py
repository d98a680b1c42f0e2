"""TRAJ-FLAT: a trajectory that never moves, for an indicator whose wording asks for progress.

An indicator asks for progress when its label or objective says so (« Améliorer »,
« Augmenter », « Développer », « Renforcer », « Progression »… and their nouns), or when its
fiche's target goes up (direction ``hausse``). A flat trajectory is fine when the fiche itself
asks for a constant level: direction ``maintien`` (CPOM_CT_7's two meetings a year), or yearly
figures that end on a plateau the trajectory meets (CPOM_OS_16's 65 % from 2026).
"""

from __future__ import annotations

import re

from assistant.kb.models import HprIndicator, Indicator, Quote, TargetRule
from assistant.rules.figures import numeric_series, target_years
from assistant.rules.run import Entry, Run
from assistant.rules.values import show
from assistant.text.french import fold

_PROGRESS = re.compile(
    r"\b(?:amelior(?:er|ation)|augment(?:er|ation)|developp(?:er|ement)|progress(?:er|ion)"
    r"|renforc(?:er|ement)|accroi(?:tre|ssement)|hausse)\b"
)
"""Verbs and nouns that ask for progress (folded); « Récupération Améliorée » is a name."""
_ABSOLUTE = {"valeur", "min"}
_EPSILON = 1e-9


def asks_progress(text: str) -> str | None:
    """The part of ``text`` (split at « // ») that asks for progress, if one does."""
    for part in re.split(r"\s*//\s*", text):
        if _PROGRESS.search(fold(part)):
            return part.strip()
    return None


def _fiche_plateau(rule: TargetRule | None, value: float) -> bool:
    """Whether the fiche's own yearly figures end on a level that ``value`` holds.

    The last year and the one before carry the same absolute figure (« 65 % » in 2026-2029,
    « au moins 2 » every year) and ``value`` reaches it.
    """
    if rule is None:
        return False
    years = sorted(rule.years, key=lambda target: target.year)
    if len(years) < 2:
        return False
    last, before = years[-1], years[-2]
    if last.kind not in _ABSOLUTE or before.kind not in _ABSOLUTE:
        return False
    if last.value is None or before.value is None or abs(last.value - before.value) > _EPSILON:
        return False
    return value >= last.value - _EPSILON


def _stepped(rule: TargetRule | None) -> bool:
    """Whether the fiche's row sets a different step in words each year and no figure.

    (OS_7: « Engager dans la démarche », « Réaliser au moins une évaluation… », …): the steps
    are proved by documents, a number held flat says nothing against them.
    """
    if rule is None or len(rule.years) < 2:
        return False
    cells = [" ".join((y.cell or "").split()) for y in rule.years if y.kind == "libre"]
    return len(cells) == len(rule.years) and all(cells) and len(set(cells)) == len(cells)


def _flat(run: Run, entry: Entry) -> tuple[float, str] | None:
    """The level of a flat trajectory and how to show it, or None when it moves.

    Every target year of the annex must hold a figure, all of them equal.
    """
    series = dict(numeric_series(run, entry, False))
    years = target_years(run, entry)
    if len(years) < 2 or any(year not in series for year in years):
        return None
    values = {series[year] for year in years}
    if max(values) - min(values) > _EPSILON:
        return None
    level = series[years[0]]
    shown = ", ".join(show(series[year]) for year in years)
    base = series.get("valeur initiale")
    if base is not None:
        shown = f"2024 : {show(base)} ; {years[0]}-{years[-1]} : {shown}"
    return level, shown


def _strategic_wording(
    run: Run, indicator: Indicator, rule: TargetRule | None
) -> tuple[str, Quote] | None:
    doc_id = indicator.target.wording.doc_id
    if part := asks_progress(indicator.label):
        quote = Quote(doc_id=doc_id, text=part, section=f"{indicator.code} – libellé")
        return run.variant("TRAJ-FLAT", "label"), quote
    if part := asks_progress(indicator.objective):
        section = f"{indicator.code} – objectif stratégique"
        return run.variant("TRAJ-FLAT", "objective"), Quote(
            doc_id=doc_id, text=part, section=section
        )
    if indicator.target.direction == "hausse":
        quote = rule.quote if rule is not None else indicator.target.wording
        return run.variant("TRAJ-FLAT", "fiche"), quote
    return None


def _hpr_wording(run: Run, hpr: HprIndicator) -> tuple[str, Quote] | None:
    if asks_progress(hpr.label):
        return run.variant("TRAJ-FLAT", "hpr_label"), hpr.quote
    if part := asks_progress(hpr.objective):
        quote = Quote(doc_id=hpr.quote.doc_id, text=part, section=hpr.quote.section)
        return run.variant("TRAJ-FLAT", "hpr_objective"), quote
    return None


def check_progress(run: Run, entry: Entry, *, rule: TargetRule | None = None) -> None:
    """TRAJ-FLAT on one known, quantitative line of either annex.

    Args:
        run: The validation run.
        entry: A line whose code is known (a strategic indicator that applies to the
            establishment, answered with figures, or an HPR indicator).
        rule: The fiche's target rule for this establishment (strategic lines), if known.
    """
    if entry.code is None or not run.applies("TRAJ-FLAT"):
        return
    flat = _flat(run, entry)
    if flat is None:
        return
    level, shown = flat
    if entry.annex == "hpr":
        found = _hpr_wording(run, run.kb.hpr[entry.code])
    else:
        indicator = run.kb.indicators[entry.code]
        stays = indicator.target.direction == "maintien" or _fiche_plateau(rule, level)
        if stays or _stepped(rule):
            return
        found = _strategic_wording(run, indicator, rule)
    if found is None:
        return
    where, quote = found
    wording = " ".join(quote.text.split()) if len(quote.text) <= 160 else quote.text[:157] + "…"
    run.emit(
        "TRAJ-FLAT", indicator=entry.code, quote=quote, values=shown, where=where, wording=wording
    )


__all__ = ["asks_progress", "check_progress"]
