"""The figures of one indicator line: its baseline and targets, in year order, read once."""

from __future__ import annotations

from assistant.drafts import Value
from assistant.rules.run import Entry, Run
from assistant.rules.values import as_number, as_yes_no


def target_years(run: Run, entry: Entry) -> list[str]:
    """The target years the rules file expects for this line's annex (memoised per run)."""
    name = "hpr_years" if entry.annex == "hpr" else "years"
    if name not in run.memo:
        run.memo[name] = [str(year) for year in run.param("VAL-MISSING", name) or []]
    years: list[str] = run.memo[name]
    return years


def line_points(run: Run, entry: Entry) -> list[tuple[str, Value]]:
    """The baseline then the targets, in year order, as written (absent ones left out)."""
    key = ("points", id(entry))
    if key not in run.memo:
        run.memo[key] = _read_points(run, entry)
    points: list[tuple[str, Value]] = run.memo[key]
    return points


def _read_points(run: Run, entry: Entry) -> list[tuple[str, Value]]:
    points: list[tuple[str, Value]] = []
    if entry.item.valeur_initiale is not None:
        points.append(("valeur initiale", entry.item.valeur_initiale))
    points += [
        (year, entry.item.cibles[year])
        for year in target_years(run, entry)
        if year in entry.item.cibles
    ]
    return points


def place_label(place: str) -> str:
    """How a message names a point: ``la valeur initiale`` or ``la cible 2027``."""
    return "la valeur initiale" if place == "valeur initiale" else f"la cible {place}"


def read_yes_no(run: Run, value: Value | None) -> bool | None:
    """``value`` as a yes/no answer with the rules file's words (None when it is neither)."""
    return as_yes_no(
        value,
        yes=run.param("VAL-TYPE", "yes_values") or ("oui",),
        no=run.param("VAL-TYPE", "no_values") or ("non",),
    )


def numeric_series(run: Run, entry: Entry, yes_no: bool) -> list[tuple[str, float]]:
    """Baseline and targets as comparable numbers (yes = 1, no = 0); unreadable ones left out."""
    series = []
    for place, value in line_points(run, entry):
        if yes_no:
            answer = read_yes_no(run, value)
            number = None if answer is None else float(answer)
        else:
            number = as_number(value)
        if number is not None:
            series.append((place, number))
    return series


__all__ = ["line_points", "numeric_series", "place_label", "read_yes_no", "target_years"]
