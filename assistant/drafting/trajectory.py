"""Yearly targets computed by code from the fiche's target rule and the 2024 baseline.

Never from a model. Each year follows the fiche's row for the establishment: "oui" by a year,
an absolute value or minimum, growth in % against 2024 or against the previous year, N more
units than the previous year. Figures are rounded up (a count to the unit, a rate or ratio to
one decimal), so that a target never falls short of the fiche; a rate never exceeds 100 %. The
trajectory never goes backwards. A year the fiche leaves open ("libre") keeps the previous
value, or moves in a straight line towards the fiche's next figure; when its words ask for
progress without a figure (« Augmentation attendue »), the smallest step (+1, or +1 % of a rate)
is proposed and said to be the assistant's, to adjust.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, Field

from assistant.drafts import Value
from assistant.kb import format_year_target
from assistant.kb.growth import DEFAULT_LECTURE, Lecture, two_readings, year_figure
from assistant.kb.models import HPR_YEARS, YEARS, Indicator, TargetRule, YearTarget
from assistant.rules.values import as_number, as_yes_no
from assistant.text.french import fold

_EPSILON = 1e-9
_ABSOLUTE = {"valeur", "min"}
_PROGRESS = re.compile(
    r"\b(?:augment(?:er|ation)|progress(?:er|ion)|developp(?:er|ement)|accroi(?:tre|ssement)"
    r"|hausse)\b"
)
_HOLD = re.compile(r"\b(?:stabilis\w*|maintien\w*|mainten\w*)\b")
_BOUND = re.compile(r"\b\d+\s*/\s*(\d+)\s+documents?\b")


class Trajectory(BaseModel):
    """Targets by year, the fiche's rule for each year, and how they were set."""

    valeurs: dict[str, Value | None]
    regles: dict[str, str] = Field(description="Année -> règle de la fiche, en français.")
    portee: str | None = Field(default=None, description="La ligne de la fiche appliquée.")
    lecture: str | None = Field(default=None, description="Comment une ligne ambiguë a été lue.")
    deja_atteint: bool = False
    cible_finale: str | None = Field(
        default=None, description="La cible finale de la fiche, affichée."
    )
    maximum: float | None = Field(default=None, description="Valeur maximale de l'indicateur.")
    methode: Literal["fiche", "ambitieuse", "plancher", "a_completer"] = "fiche"
    lecture_hausse: Lecture | None = Field(
        default=None,
        description="When the fiche's growth reads two ways: the reading applied (relative, "
        "points).",
    )
    autre_lecture: dict[str, Value | None] | None = Field(
        default=None, description="The targets under the other reading, for comparison."
    )
    progression_proposee: list[str] = Field(
        default_factory=list,
        description="Years where the fiche (or the HPR annex's wording) asks for progress "
        "without a figure and the assistant proposed the smallest step (+1, or +1 % of a rate).",
    )


def _progress_words(target: YearTarget, rule: TargetRule | None) -> str | None:
    """The fiche's words for a year with no figure above the previous one.

    The year's cell when it has no figure, else the row's reading when the fiche's words were
    read as « pas de baisse » (« Progression positive du taux » lue comme : pas de baisse).
    """
    if target.kind == "libre":
        return target.cell
    if target.kind == "hausse_vs_n_1" and not target.value:
        return target.cell or (rule.reading if rule else None)
    return None


def asks_more(words: str | None) -> bool:
    """Whether a fiche's words ask for progress (« Augmentation attendue »).

    Words that also allow holding a level (« ou stabilisation », « maintien ») do not.
    """
    if not words:
        return False
    folded = fold(words)
    return bool(_PROGRESS.search(folded)) and not _HOLD.search(folded)


def smallest_step(previous: float, decimals: int, bound: float | None) -> float | int:
    """The smallest progress the assistant proposes.

    +1 for a count, +1 % of a rate's value (at least one unit of its last decimal).
    """
    step = 1.0 if decimals == 0 else max(previous * 0.01, 10**-decimals)
    figure = previous + step
    if bound is not None:
        figure = min(figure, bound)
    return round_up(figure, decimals)


def precision(unit: str) -> int:
    """Decimals kept for a unit: counts to the unit, rates and ratios to one decimal."""
    return 1 if unit in {"taux", "ratio", "duree", "montant"} else 0


def round_up(value: float, decimals: int) -> float | int:
    """Round up to ``decimals`` (tolerating float noise); an int when ``decimals`` is 0."""
    factor = 10**decimals
    rounded = math.ceil(value * factor - 1e-6) / factor
    return int(rounded) if decimals == 0 else rounded


def round_down(value: float, decimals: int) -> float | int:
    """Round down to ``decimals`` (tolerating float noise); an int when ``decimals`` is 0."""
    factor = 10**decimals
    rounded = math.floor(value * factor + 1e-6) / factor
    return int(rounded) if decimals == 0 else rounded


def show(value: Value | float | None, unit: str) -> str:
    """A value for a French reader: ``12,5 %``, ``14``, ``oui``."""
    if value is None:
        return "à calculer"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str):
        return value
    text = f"{value:g}".replace(".", ",")
    return f"{text} %" if unit == "taux" else text


def upper_bound(indicator: Indicator, rule: TargetRule | None) -> float | None:
    """The largest value the indicator can take: 100 for a rate, N for "n/N documents"."""
    if indicator.unit == "taux":
        return 100.0
    if rule is not None and (match := _BOUND.search(rule.quote.text)):
        return float(match.group(1))
    return None


def _by_year(rule: TargetRule | None, years: tuple[int, ...]) -> dict[int, YearTarget]:
    targets = {y.year: y for y in rule.years} if rule is not None else {}
    return {y: targets.get(y, YearTarget(year=y, kind="libre")) for y in years}


def _next_above(
    targets: dict[int, YearTarget],
    year: int,
    base: float | None,
    previous: float,
    lecture: Lecture,
) -> tuple[int, float] | None:
    """The next year whose figure is above ``previous`` and is not relative to its N-1.

    None when a year in between is relative to its previous year.
    """
    for later in sorted(y for y in targets if y > year):
        target = targets[later]
        if target.kind == "libre":
            continue
        if target.kind not in _ABSOLUTE and target.kind != "hausse_vs_2024":
            return None
        figure = year_figure(target, base, None, lecture=lecture)
        if figure is None:
            return None
        if figure > previous:
            return later, figure
    return None


def final_figure(rule: TargetRule | None) -> YearTarget | None:
    """The fiche's last-year target when it is absolute or "oui" (the already-met test)."""
    if rule is None or not rule.years:
        return None
    final = max(rule.years, key=lambda y: y.year)
    return final if final.kind in {"valeur", "min", "oui"} else None


def yes_no_trajectory(
    indicator: Indicator, rule: TargetRule | None, baseline: Value | None
) -> Trajectory:
    """Targets of a yes/no indicator: "oui" from the year the fiche sets, never back to "non"."""
    targets = _by_year(rule, YEARS)
    previous = as_yes_no(baseline, yes=("oui", "o"), no=("non", "n"))
    values: dict[str, Value | None] = {}
    for year, target in targets.items():
        if target.kind == "oui" or previous is True:
            previous = True
        elif target.kind == "non":
            previous = False if previous is None else previous
        values[str(year)] = None if previous is None else ("oui" if previous else "non")
    final = final_figure(rule)
    met = final is not None and as_yes_no(baseline, yes=("oui", "o"), no=()) is True
    return Trajectory(
        valeurs=values,
        regles={str(y): format_year_target(t).split(" : ", 1)[1] for y, t in targets.items()},
        portee=rule.scope.label if rule else None,
        lecture=rule.reading if rule else None,
        deja_atteint=met,
        cible_finale=f"« oui » en {final.year}" if final is not None else None,
        methode="a_completer" if baseline is None else "fiche",
    )


def numeric_trajectory(
    indicator: Indicator,
    rule: TargetRule | None,
    baseline: Value | None,
    lecture: Lecture | None = None,
    *,
    progress: bool = False,
) -> Trajectory:
    """Targets of a quantitative indicator from the fiche's rule and the 2024 baseline.

    When the fiche's growth reads two ways (« % » of a rate, « points »), the trajectory
    follows ``lecture`` (default: relative) and also gives the other reading's targets.
    ``progress`` (the label or objective asks for progress) makes a year the fiche leaves
    without words or figure take the smallest step too.
    """
    two = rule is not None and any(two_readings(y, indicator.unit) for y in rule.years)
    applied: Lecture = lecture or DEFAULT_LECTURE
    trajectory = _numeric(indicator, rule, baseline, applied, progress=progress)
    if not two or trajectory.methode == "ambitieuse":
        return trajectory
    other: Lecture = "points" if applied == "relative" else "relative"
    return trajectory.model_copy(
        update={
            "lecture_hausse": applied,
            "autre_lecture": _numeric(indicator, rule, baseline, other, progress=progress).valeurs,
        }
    )


def _numeric(
    indicator: Indicator,
    rule: TargetRule | None,
    baseline: Value | None,
    lecture: Lecture,
    *,
    progress: bool = False,
) -> Trajectory:
    unit = indicator.unit
    decimals = precision(unit)
    bound = upper_bound(indicator, rule)
    base = as_number(baseline)
    targets = _by_year(rule, YEARS)
    falling = indicator.target.direction == "baisse"
    final = final_figure(rule)
    met = (
        base is not None
        and final is not None
        and final.value is not None
        and (base <= final.value if falling else base >= final.value)
    )
    regles = {str(y): format_year_target(t, unit).split(" : ", 1)[1] for y, t in targets.items()}
    common = Trajectory(
        valeurs={},
        regles=regles,
        portee=rule.scope.label if rule else None,
        lecture=rule.reading if rule else None,
        maximum=bound,
        cible_finale=(
            f"{show(final.value, unit)} en {final.year}"
            if final is not None and final.value is not None
            else None
        ),
    )
    if met and base is not None and not falling:
        ambitious = _ambitious(base, rule, bound, decimals)
        return common.model_copy(
            update={"valeurs": ambitious, "deja_atteint": True, "methode": "ambitieuse"}
        )
    values: dict[str, Value | None] = {}
    proposed: list[str] = []
    previous = base
    for year, target in targets.items():
        figure = year_figure(target, base, previous, lecture=lecture)
        interpolated = False
        stalled = target.kind == "libre" or (
            target.kind in _ABSOLUTE
            and figure is not None
            and previous is not None
            and figure <= previous
        )
        if stalled and previous is not None and not falling:
            # No figure this year, or one already reached: move steadily towards the fiche's
            # next figure above the current value rather than standing still, then jumping.
            own = previous if figure is None else max(figure, previous)
            anchor = _next_above(targets, year, base, previous, lecture)
            figure = own
            if anchor is not None:
                later, goal = anchor
                step = previous + (goal - previous) / (later - year + 1)
                figure, interpolated = max(own, step), step > own
        if figure is None:
            values[str(year)] = None
            previous = None
            continue
        if previous is not None:
            figure = min(figure, previous) if falling else max(figure, previous)
        if (
            not falling
            and previous is not None
            and figure <= previous + _EPSILON
            and (
                asks_more(_progress_words(target, rule))
                or (progress and target.kind == "libre" and not target.cell)
            )
        ):
            figure = float(smallest_step(previous, decimals, bound))
            proposed.append(str(year))
        if bound is not None:
            figure = min(figure, bound)
        # A fiche figure is rounded up (never short of the fiche); a step towards the fiche's
        # next figure is rounded down (it only has to stay at or above the previous year).
        if interpolated:
            rounded = round_down(figure, decimals)
        else:
            rounded = round_up(figure, decimals) if not falling else round(figure, decimals)
        values[str(year)] = rounded
        previous = float(rounded)
    method: Literal["fiche", "plancher", "a_completer"] = "fiche"
    if base is None:
        method = "a_completer"
    elif rule is None or all(t.kind == "libre" for t in targets.values()):
        method = "plancher"
    return common.model_copy(
        update={
            "valeurs": values,
            "deja_atteint": met,
            "methode": method,
            "progression_proposee": proposed if base is not None else [],
        }
    )


def _ambitious(
    base: float, rule: TargetRule | None, bound: float | None, decimals: int
) -> dict[str, Value | None]:
    """Beyond the fiche: its own yearly pace (or one unit a year) from the baseline."""
    figures = (
        [
            y.value
            for y in sorted(rule.years, key=lambda y: y.year)
            if y.kind in _ABSOLUTE and y.value is not None
        ]
        if rule
        else []
    )
    pace = (figures[-1] - figures[0]) / (len(figures) - 1) if len(figures) > 1 else 0.0
    pace = pace if pace > _EPSILON else 1.0
    values: dict[str, Value | None] = {}
    for step, year in enumerate(YEARS, start=1):
        figure = base + pace * step
        if bound is not None:
            figure = min(figure, bound)
        values[str(year)] = round_up(max(figure, base), decimals)
    return values


def pace_of(trajectory: Trajectory, base: float) -> float:
    """The yearly step of an ambitious trajectory (for the text)."""
    first = as_number(trajectory.valeurs.get(str(YEARS[0])))
    return 0.0 if first is None else first - base


def hpr_trajectory(
    baseline: Value | None, *, progress: bool = False, rate: bool = False
) -> Trajectory:
    """HPR targets 2025-2027: the annex sets none, so the baseline is kept as a floor.

    Where the annex's label or objective asks for progress (``progress``: « Développement… »,
    « Renforcer… »), the assistant proposes the smallest step each year (+1, or +1 % of a rate).
    """
    years = [str(y) for y in HPR_YEARS]
    base = as_number(baseline)
    values: dict[str, Value | None] = {y: baseline for y in years}
    proposed: list[str] = []
    if progress and base is not None and not isinstance(baseline, bool):
        decimals = 1 if rate else 0
        previous = base
        for y in years:
            step = smallest_step(previous, decimals, 100.0 if rate else None)
            values[y] = step
            previous = float(step)
            proposed.append(y)
    return Trajectory(
        valeurs=values,
        regles={y: "pas de cible dans l'annexe HPR" for y in years},
        methode="a_completer" if baseline is None else "plancher",
        progression_proposee=[y for y in proposed if values[y] != baseline],
    )


__all__ = [
    "Trajectory",
    "asks_more",
    "final_figure",
    "hpr_trajectory",
    "numeric_trajectory",
    "pace_of",
    "precision",
    "round_down",
    "round_up",
    "show",
    "smallest_step",
    "upper_bound",
    "yes_no_trajectory",
]
