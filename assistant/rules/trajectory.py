"""TRAJ-* rules: the trajectory from the baseline to the last target, against the fiche."""

from __future__ import annotations

import itertools

from assistant.kb.growth import (
    DEFAULT_LECTURE,
    LECTURE_NAMES,
    LECTURES,
    Lecture,
    two_readings,
    year_figure,
)
from assistant.kb.models import Indicator, TargetRule, YearTarget
from assistant.rules.figures import numeric_series
from assistant.rules.run import Entry, Run
from assistant.rules.values import show

_DIRECTIONS = {
    "hausse": "progresser",
    "baisse": "baisser",
    "atteinte_oui": "passer à « oui » et s'y tenir",
}
_EPSILON = 1e-9


def check_trajectory(
    run: Run, entry: Entry, indicator: Indicator, rule: TargetRule | None, *, yes_no: bool
) -> None:
    """Apply TRAJ-DIRECTION, TRAJ-BELOW-FICHE (when the fiche has targets) and TRAJ-ALREADY-MET.

    Args:
        run: The validation run.
        entry: One line of the strategic annex whose indicator applies to the establishment.
        indicator: Its indicator.
        rule: The fiche's target rule for this establishment, if known.
        yes_no: Whether the indicator is answered oui/non (yes = 1, no = 0).
    """
    series = numeric_series(run, entry, yes_no)
    backwards = _direction(run, indicator, series, yes_no)
    if rule is not None:
        _below_fiche(run, indicator, rule, series, yes_no)
    _already_met(
        run,
        indicator,
        rule,
        series,
        yes_no,
        backwards=backwards,
        engaged_row=_engaged_row_unused(indicator, rule),
    )


def _engaged_row_unused(indicator: Indicator, rule: TargetRule | None) -> str | None:
    """The fiche's « déjà engagés » row when another row was applied (the draft did not say)."""
    engaged = next((r for r in indicator.target.rules if r.scope.engaged), None)
    if engaged is None or rule is None or rule.scope.engaged:
        return None
    return engaged.scope.label


def _direction(
    run: Run, indicator: Indicator, series: list[tuple[str, float]], yes_no: bool
) -> bool:
    """TRAJ-DIRECTION; True when the trajectory goes backwards."""
    direction = indicator.target.direction
    if direction not in _DIRECTIONS:
        return False
    sign = -1.0 if direction == "baisse" else 1.0
    steps = [
        f"{a} : {show(bool(x) if yes_no else x)} → {b} : {show(bool(y) if yes_no else y)}"
        for (a, x), (b, y) in itertools.pairwise(series)
        if sign * (y - x) < -_EPSILON
    ]
    if steps:
        run.emit(
            "TRAJ-DIRECTION",
            indicator=indicator.code,
            quote=indicator.target.wording,
            direction=_DIRECTIONS[direction],
            steps=" ; ".join(steps),
        )
    return bool(steps)


_FROM_PREVIOUS_UP = {"hausse_vs_n_1", "plus_vs_n_1"}
"""Kinds counted from the year before, upwards: the year before's floor carries over."""


def _expected(
    target: YearTarget,
    direction: str,
    base: float | None,
    previous: float | None,
    lecture: Lecture = DEFAULT_LECTURE,
) -> tuple[float, int] | None:
    """The fiche's figure for a year and its sense (+1: at least, -1: at most), if computable."""
    if target.kind == "oui":
        return 1.0, 1
    figure = year_figure(target, base, previous, lecture=lecture)
    if figure is None:
        return None
    falling = target.kind.startswith("baisse") or (
        target.kind == "valeur" and direction == "baisse"
    )
    return figure, -1 if falling else 1


def _shortfalls(
    rule: TargetRule, values: dict[str, float], direction: str, lecture: Lecture, yes_no: bool
) -> dict[str, str]:
    """Year -> « got (attendu : …) » for each year short of the fiche under one reading."""
    base = values.get("valeur initiale")
    short: dict[str, str] = {}
    floor: float | None = None  # the least the fiche allowed the year before
    for target in rule.years:
        year = str(target.year)
        if year not in values:
            floor = None
            continue
        previous = values.get(str(target.year - 1), base if target.year == 2025 else None)
        if previous is not None and floor is not None and target.kind in _FROM_PREVIOUS_UP:
            # « > 5 % » in 2025 then « progression positive » : 2026 cannot fall under 5 %.
            previous = max(previous, floor)
        expected = _expected(target, direction, base, previous, lecture)
        floor = expected[0] if expected is not None and expected[1] > 0 else None
        if expected is None:
            continue
        figure, sense = expected
        if sense * (values[year] - figure) < -_EPSILON * max(1.0, abs(figure)):
            wanted = (
                "« oui »" if yes_no else f"{'au moins' if sense > 0 else 'au plus'} {show(figure)}"
            )
            got = show(bool(values[year])) if yes_no else show(values[year])
            short[year] = f"{year} : {got} (attendu : {wanted})"
    return short


def _below_fiche(
    run: Run, indicator: Indicator, rule: TargetRule, series: list[tuple[str, float]], yes_no: bool
) -> None:
    """TRAJ-BELOW-FICHE; with two readings of « % » (TRAJ-READING), either one is accepted."""
    values = dict(series)
    direction = indicator.target.direction
    read_twice = not yes_no and any(two_readings(y, indicator.unit) for y in rule.years)
    readings = LECTURES if read_twice else (DEFAULT_LECTURE,)
    shortfalls = {
        lecture: _shortfalls(rule, values, direction, lecture, yes_no) for lecture in readings
    }
    followed = [lecture for lecture in readings if not shortfalls[lecture]]
    if read_twice and any(y.isdigit() for y in values):
        _tell_reading(run, indicator, rule, followed)
    if followed:
        return
    short = shortfalls[DEFAULT_LECTURE]
    if read_twice:
        other = shortfalls["points"]
        short = {year: line for year, line in short.items() if year in other}
    if not short:
        return
    reading = (
        run.variant("TRAJ-BELOW-FICHE", "reading", reading=rule.reading) if rule.reading else ""
    )
    if read_twice:
        reading += run.variant("TRAJ-BELOW-FICHE", "both")
    run.emit(
        "TRAJ-BELOW-FICHE",
        indicator=indicator.code,
        quote=rule.quote,
        scope=rule.scope.label,
        years=" ; ".join(short.values()),
        reading=reading,
    )


def _tell_reading(
    run: Run, indicator: Indicator, rule: TargetRule, followed: list[Lecture]
) -> None:
    """TRAJ-READING: which reading of the fiche's « % » or « points » the draft follows."""
    if len(followed) == len(LECTURES):
        which = run.variant("TRAJ-READING", "both")
    elif followed:
        which = run.variant("TRAJ-READING", "one", lecture=LECTURE_NAMES[followed[0]])
    else:
        which = run.variant("TRAJ-READING", "none")
    run.emit(
        "TRAJ-READING",
        indicator=indicator.code,
        quote=rule.quote,
        scope=rule.scope.label,
        which=which,
    )


def _already_met(
    run: Run,
    indicator: Indicator,
    rule: TargetRule | None,
    series: list[tuple[str, float]],
    yes_no: bool,
    *,
    backwards: bool,
    engaged_row: str | None = None,
) -> None:
    """TRAJ-ALREADY-MET against the fiche's final figure, else the draft's own final target.

    The second reading is skipped when the trajectory goes backwards (TRAJ-DIRECTION says it).
    When the fiche has a row for establishments already engaged that the draft did not claim
    (``engaged_row``), the message says how to apply it.
    """
    hint = run.variant("TRAJ-ALREADY-MET", "engaged", row=engaged_row) if engaged_row else ""
    values = dict(series)
    base = values.get("valeur initiale")
    if base is None:
        return
    direction = indicator.target.direction
    final = max(rule.years, key=lambda y: y.year) if rule is not None and rule.years else None
    if final is not None and final.kind in {"valeur", "min", "oui"}:
        expected = _expected(final, direction, base, None)
        assert expected is not None
        figure, sense = expected
        if sense * (base - figure) >= -_EPSILON:
            wanted = "oui" if yes_no else show(figure)
            assert rule is not None
            final_text = run.variant(
                "TRAJ-ALREADY-MET",
                "fiche",
                year=final.year,
                target=wanted,
                scope=rule.scope.label,
            )
            run.emit(
                "TRAJ-ALREADY-MET",
                indicator=indicator.code,
                baseline=show(bool(base)) if yes_no else show(base),
                final=final_text,
                hint=hint,
            )
        return
    targets = [(place, v) for place, v in series if place != "valeur initiale"]
    if backwards or not targets or direction not in _DIRECTIONS:
        return
    year, last = targets[-1]
    sense = -1 if direction == "baisse" else 1
    if sense * (base - last) >= -_EPSILON:
        shown = show(bool(last)) if yes_no else show(last)
        final_text = run.variant("TRAJ-ALREADY-MET", "draft", year=year, target=shown)
        run.emit(
            "TRAJ-ALREADY-MET",
            indicator=indicator.code,
            baseline=show(bool(base)) if yes_no else show(base),
            final=final_text,
            hint=hint,
        )


__all__ = ["check_trajectory"]
