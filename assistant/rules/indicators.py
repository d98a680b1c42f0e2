"""Rules on one indicator line: eligibility, values, trajectory, justification."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from assistant.drafts import Value
from assistant.kb.models import Indicator, Quote, TargetRule, YearTarget
from assistant.rules.run import Entry, Run
from assistant.rules.values import as_number, as_yes_no, join_fr, show, word_count

_STATUTS = {
    "public": "public",
    "prive_non_lucratif": "privé à but non lucratif",
    "prive_lucratif": "privé à but lucratif",
}
_UNITS = {
    "taux": "taux, en %",
    "nombre": "nombre",
    "file_active": "file active",
    "ratio": "ratio",
    "duree": "durée",
    "montant": "montant",
}
_DIRECTIONS = {
    "hausse": "progresser",
    "baisse": "baisser",
    "atteinte_oui": "passer à « oui » et s'y tenir",
}
_EPSILON = 1e-9


def _pick(quotes: list[Quote], pattern: str) -> Quote | None:
    """The fiche quote that mentions ``pattern`` (else the first one, else None)."""
    found = next((q for q in quotes if re.search(pattern, q.text, re.IGNORECASE)), None)
    return found or (quotes[0] if quotes else None)


def _situation(run: Run) -> str:
    etab = run.view.etablissement
    parts = [etab.categorie or "catégorie inconnue"]
    if etab.lits is not None:
        parts.append(f"{etab.lits} lits")
    if etab.departement:
        parts.append(f"département {etab.departement}")
    return ", ".join(parts)


def target_rule(run: Run, code: str) -> TargetRule | None:
    """The fiche's target rule for this establishment (None when its profile is incomplete)."""
    etab = run.view.etablissement
    if etab.categorie is None or etab.statut is None or etab.lits is None or not etab.departement:
        return None
    rule: TargetRule | None = run.kb.target_for(
        code,
        categorie=etab.categorie,
        statut=etab.statut,
        lits=etab.lits,
        departement=etab.departement,
    )
    return rule


def _eligibility(run: Run, indicator: Indicator, rule: TargetRule | None) -> bool:
    """ELIG-* rules; False when the fiche's targets do not apply to this establishment."""
    etab = run.view.etablissement
    elig = indicator.eligibility
    code = indicator.code
    if elig.requires_ght and etab.membre_ght is False:
        run.emit("ELIG-GHT", indicator=code, quote=_pick(elig.quotes, r"GHT"))
    declared = etab.activites
    required = elig.required_activities
    if required and declared is not None and not set(required) & set(declared):
        run.emit(
            "ELIG-ACTIVITY",
            indicator=code,
            quote=_pick(elig.quotes, "|".join([*required, "autoris", "MCO"])),
            required=", ".join(required),
            declared=", ".join(declared) or "aucune",
        )
    if elig.public_mainly and etab.statut is not None and etab.statut != "public":
        run.emit(
            "ELIG-PUBLIC",
            indicator=code,
            quote=_pick(elig.quotes, r"public"),
            statut=_STATUTS[etab.statut],
        )
    only = elig.categories_only
    if only and etab.categorie is not None and etab.categorie not in only:
        run.emit(
            "ELIG-CATEGORY",
            indicator=code,
            quote=_pick(elig.quotes, "|".join(only)),
            situation=_situation(run),
            reason=run.variant("ELIG-CATEGORY", "categories_only", allowed=", ".join(only)),
        )
        return False
    if rule is not None and rule.years and all(y.kind == "sans_objet" for y in rule.years):
        run.emit(
            "ELIG-CATEGORY",
            indicator=code,
            quote=rule.quote,
            situation=_situation(run),
            reason=run.variant("ELIG-CATEGORY", "sans_objet", scope=rule.scope.label),
        )
        return False
    return True


def _years(run: Run, entry: Entry) -> list[str]:
    name = "hpr_years" if entry.annex == "hpr" else "years"
    if name not in run.memo:
        run.memo[name] = [str(year) for year in run.param("VAL-MISSING", name) or []]
    years: list[str] = run.memo[name]
    return years


def _missing(run: Run, entry: Entry, name: str) -> None:
    item = entry.item
    parts = []
    if item.valeur_initiale is None:
        parts.append(f"la valeur initiale {run.param('VAL-MISSING', 'baseline_year')}")
    absent = [year for year in _years(run, entry) if year not in item.cibles]
    if absent:
        label = "la cible" if len(absent) == 1 else "les cibles"
        parts.append(f"{label} {join_fr(absent)}")
    if parts:
        citation = "hpr" if entry.annex == "hpr" else None
        run.emit("VAL-MISSING", indicator=name, citation=citation, missing=join_fr(parts))


def _points(run: Run, entry: Entry) -> list[tuple[str, Value]]:
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
        (year, entry.item.cibles[year]) for year in _years(run, entry) if year in entry.item.cibles
    ]
    return points


def _label(place: str) -> str:
    return "la valeur initiale" if place == "valeur initiale" else f"la cible {place}"


def _yes_no(run: Run, value: Value | None) -> bool | None:
    return as_yes_no(
        value,
        yes=run.param("VAL-TYPE", "yes_values") or ("oui",),
        no=run.param("VAL-TYPE", "no_values") or ("non",),
    )


def _types(run: Run, entry: Entry, indicator: Indicator, yes_no: bool) -> None:
    bad = [
        f"{_label(place)} vaut {show(value)}"
        for place, value in _points(run, entry)
        if (_yes_no(run, value) is None if yes_no else as_number(value) is None)
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
    for place, value in _points(run, entry):
        number = as_number(value)
        if number is not None and (number < low or (unit == "taux" and number > rate_max)):
            bad.append(f"{_label(place)} ({show(value)})")
    if bad:
        bounds = run.variant("VAL-RANGE", "rate" if unit == "taux" else "count")
        run.emit("VAL-RANGE", indicator=name, unit=_UNITS[unit], values=join_fr(bad), bounds=bounds)


def _series(run: Run, entry: Entry, yes_no: bool) -> list[tuple[str, float]]:
    """Baseline and targets as comparable numbers (yes = 1, no = 0); unreadable ones left out."""
    series = []
    for place, value in _points(run, entry):
        if yes_no:
            answer = _yes_no(run, value)
            number = None if answer is None else float(answer)
        else:
            number = as_number(value)
        if number is not None:
            series.append((place, number))
    return series


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


def _expected(
    target: YearTarget, direction: str, base: float | None, previous: float | None
) -> tuple[float, int] | None:
    """The fiche's figure for a year and its sense (+1: at least, -1: at most), if computable."""
    value = target.value
    if target.kind == "oui":
        return 1.0, 1
    if value is None:
        return None
    match target.kind:
        case "valeur":
            return value, -1 if direction == "baisse" else 1
        case "min":
            return value, 1
        case "hausse_vs_2024" if base is not None:
            return base * (1 + value / 100), 1
        case "hausse_vs_n_1" if previous is not None:
            return previous * (1 + value / 100), 1
        case "plus_vs_n_1" if previous is not None:
            return previous + value, 1
        case "baisse_vs_2024" if base is not None:
            return base * (1 - value / 100), -1
        case "baisse_vs_n_1" if previous is not None:
            return previous * (1 - value / 100), -1
    return None


def _below_fiche(
    run: Run, indicator: Indicator, rule: TargetRule, series: list[tuple[str, float]], yes_no: bool
) -> None:
    values = dict(series)
    base = values.get("valeur initiale")
    short = []
    for target in rule.years:
        year = str(target.year)
        if year not in values:
            continue
        previous = values.get(str(target.year - 1), base if target.year == 2025 else None)
        expected = _expected(target, indicator.target.direction, base, previous)
        if expected is None:
            continue
        figure, sense = expected
        if sense * (values[year] - figure) < -_EPSILON * max(1.0, abs(figure)):
            wanted = (
                "« oui »" if yes_no else f"{'au moins' if sense > 0 else 'au plus'} {show(figure)}"
            )
            got = show(bool(values[year])) if yes_no else show(values[year])
            short.append(f"{year} : {got} (attendu : {wanted})")
    if short:
        reading = (
            run.variant("TRAJ-BELOW-FICHE", "reading", reading=rule.reading) if rule.reading else ""
        )
        run.emit(
            "TRAJ-BELOW-FICHE",
            indicator=indicator.code,
            quote=rule.quote,
            scope=rule.scope.label,
            years=" ; ".join(short),
            reading=reading,
        )


def _already_met(
    run: Run,
    indicator: Indicator,
    rule: TargetRule | None,
    series: list[tuple[str, float]],
    yes_no: bool,
    *,
    backwards: bool,
) -> None:
    """TRAJ-ALREADY-MET against the fiche's final figure, else the draft's own final target.

    The second reading is skipped when the trajectory goes backwards (TRAJ-DIRECTION says it).
    """
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
            final_text = run.variant("TRAJ-ALREADY-MET", "fiche", year=final.year, target=wanted)
            run.emit(
                "TRAJ-ALREADY-MET",
                indicator=indicator.code,
                baseline=show(bool(base)) if yes_no else show(base),
                final=final_text,
            )
        return
    targets = [(place, v) for place, v in series if place != "valeur initiale"]
    if backwards or not targets or direction not in _DIRECTIONS:
        return
    year, last = targets[-1]
    sense = -1.0 if direction == "baisse" else 1.0
    if sense * (base - last) >= -_EPSILON:
        shown = show(bool(last)) if yes_no else show(last)
        final_text = run.variant("TRAJ-ALREADY-MET", "draft", year=year, target=shown)
        run.emit(
            "TRAJ-ALREADY-MET",
            indicator=indicator.code,
            baseline=show(bool(base)) if yes_no else show(base),
            final=final_text,
        )


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def find_placeholder(run: Run, text: str | None) -> str | None:
    """The first placeholder (``XXX``, ``[à compléter]``, ``TODO``…) left in ``text``."""
    if not text or not run.applies("JUST-PLACEHOLDER"):
        return None
    for pattern in _compiled(tuple(run.param("JUST-PLACEHOLDER", "patterns"))):
        if match := pattern.search(text):
            return match.group(0)
    return None


def _justification(run: Run, entry: Entry, name: str) -> None:
    item = entry.item
    for field, text in (("justification", item.justification), ("commentaire", item.commentaire)):
        match = find_placeholder(run, text)
        if match:
            run.emit(
                "JUST-PLACEHOLDER", indicator=name, field=f"le champ {field} de {name}", match=match
            )
    if not run.applies("JUST-MISSING"):
        return
    words = word_count(item.justification)
    minimum = run.param("JUST-MISSING", "min_words")
    if words == 0:
        run.emit("JUST-MISSING", indicator=name, problem=run.variant("JUST-MISSING", "missing"))
    elif words < minimum:
        problem = run.variant("JUST-MISSING", "short", words=words)
        run.emit("JUST-MISSING", indicator=name, problem=problem)


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
        _justification(run, entry, entry.code)
        return
    indicator = run.kb.indicators[entry.code]
    rule = target_rule(run, indicator.code)
    applicable = _eligibility(run, indicator, rule)
    yes_no = indicator.type == "declaratif" or indicator.unit == "oui_non"
    _missing(run, entry, indicator.code)
    _types(run, entry, indicator, yes_no)
    _range(run, entry, indicator.code, None if yes_no else indicator.unit)
    if applicable:
        series = _series(run, entry, yes_no)
        backwards = _direction(run, indicator, series, yes_no)
        if rule is not None:
            _below_fiche(run, indicator, rule, series, yes_no)
        _already_met(run, indicator, rule, series, yes_no, backwards=backwards)
    _justification(run, entry, indicator.code)


__all__ = ["check_entry", "find_placeholder", "target_rule"]
