"""Rules on one indicator line: eligibility, values, trajectory, justification.

The value rules (VAL-*) live here with ``check_entry``, which applies every per-line rule in
order; the others have their own modules (``eligibility``, ``trajectory``, ``progress``,
``justification``).
"""

from __future__ import annotations

from assistant.kb.models import Indicator
from assistant.rules.eligibility import check_eligibility, target_rule
from assistant.rules.figures import line_points, place_label, read_yes_no, target_years
from assistant.rules.justification import check_justification, find_placeholder
from assistant.rules.progress import check_progress
from assistant.rules.run import Entry, Run
from assistant.rules.trajectory import check_trajectory
from assistant.rules.values import as_number, join_fr, show

_UNITS = {
    "taux": "taux, en %",
    "nombre": "nombre",
    "file_active": "file active",
    "ratio": "ratio",
    "duree": "durée",
    "montant": "montant",
}


def _missing(run: Run, entry: Entry, name: str) -> None:
    item = entry.item
    parts = []
    if item.valeur_initiale is None:
        parts.append(f"la valeur initiale {run.param('VAL-MISSING', 'baseline_year')}")
    absent = [year for year in target_years(run, entry) if year not in item.cibles]
    if absent:
        label = "la cible" if len(absent) == 1 else "les cibles"
        parts.append(f"{label} {join_fr(absent)}")
    if parts:
        citation = "hpr" if entry.annex == "hpr" else None
        run.emit("VAL-MISSING", indicator=name, citation=citation, missing=join_fr(parts))


def _types(run: Run, entry: Entry, indicator: Indicator, yes_no: bool) -> None:
    bad = [
        f"{place_label(place)} vaut {show(value)}"
        for place, value in line_points(run, entry)
        if (read_yes_no(run, value) is None if yes_no else as_number(value) is None)
    ]
    if bad:
        run.emit(
            "VAL-TYPE",
            indicator=indicator.code,
            kind="déclaratif (oui/non)" if yes_no else "quantitatif",
            expected="« oui » ou « non »" if yes_no else "un nombre",
            values=join_fr(bad),
        )


def _range(run: Run, entry: Entry, name: str, unit: str | None) -> None:
    if not run.applies("VAL-RANGE") or unit not in _UNITS:
        return
    low, rate_max = run.param("VAL-RANGE", "min"), run.param("VAL-RANGE", "rate_max")
    if unit == "taux":
        low = run.param("VAL-RANGE", "rate_min")
    bad = []
    for place, value in line_points(run, entry):
        number = as_number(value)
        if number is not None and (number < low or (unit == "taux" and number > rate_max)):
            bad.append(f"{place_label(place)} ({show(value)})")
    if bad:
        bounds = run.variant("VAL-RANGE", "rate" if unit == "taux" else "count")
        run.emit("VAL-RANGE", indicator=name, unit=_UNITS[unit], values=join_fr(bad), bounds=bounds)


def _hpr_unit(label: str) -> str | None:
    """A unit read from an HPR label's first word (the HPR annex gives no unit)."""
    first = label.strip().split(" ", 1)[0].lower()
    return {"taux": "taux", "part": "taux", "nombre": "nombre"}.get(first)


def check_entry(run: Run, entry: Entry) -> None:
    """Apply the per-indicator rules to one known indicator line (unknown codes are skipped)."""
    if entry.code is None:
        return
    if entry.annex == "hpr":
        hpr = run.kb.hpr[entry.code]
        _missing(run, entry, entry.code)
        _range(run, entry, entry.code, _hpr_unit(hpr.label))
        check_progress(run, entry)
        check_justification(run, entry, entry.code)
        return
    indicator = run.kb.indicators[entry.code]
    rule = target_rule(run, indicator.code, engaged=entry.item.deja_engage is True)
    applicable = check_eligibility(run, indicator, rule)
    yes_no = indicator.type == "declaratif" or indicator.unit == "oui_non"
    _missing(run, entry, indicator.code)
    _types(run, entry, indicator, yes_no)
    _range(run, entry, indicator.code, None if yes_no else indicator.unit)
    if applicable:
        check_trajectory(run, entry, indicator, rule, yes_no=yes_no)
        if not yes_no:
            check_progress(run, entry, rule=rule)
    check_justification(run, entry, indicator.code)


__all__ = ["check_entry", "find_placeholder", "target_rule"]
