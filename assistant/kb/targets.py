"""Target tables of the fiches, read into structured rules.

The PDF extraction flattens each table cell by cell: a header ``Cible 2025-2029 2025 … 2029
[Total]``, then for each row its label (``Grands établissements, avec plus de 500 lits``) and its
cells in column order. A row is read only when every year column gets a recognised cell and
nothing else sits between them; otherwise the table is left to the reviewed overlay
(``corpus/kb/overlay.yaml``), so an unexpected layout never yields a wrong figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from assistant.kb.models import YEARS, Direction, Quote, Scope, TargetRule, YearTarget
from assistant.kb.text import APOSTROPHE, clean

A = APOSTROPHE
_E = "[EÉ]tablissements"
_NUM = r"(?P<v>\d+(?:[.,]\d+)?)"

# Cell patterns, most specific first: (kind, pattern). Kinds other than YearTarget kinds are
# resolved per column in _resolve.
_CELLS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.IGNORECASE))
    for kind, rx in (
        # « A fixer par l'établissement > 5% » is one cell: a floor the establishment sets
        # above (OS_19); it must win over the bare « A fixer » cell starting at the same place.
        ("min_strict", rf"A fixer par l{A}établissement\s*> ?{_NUM} ?%"),
        ("min", rf"A fixer par l{A}établissement\s*≥ ?{_NUM} ?%"),
        ("sans_objet", r"Sans objet\*?"),
        ("hausse_vs_2024", rf"\+ ?{_NUM} ?% par rapport à 2024"),
        ("hausse_vs_n_1", rf"\+ ?{_NUM} ?% par rapport à N-1"),
        ("ref", rf"Progression de {_NUM} ?% par rapport à (?P<ref>20\d\d)"),
        ("hausse_vs_2024", rf"\+ ?{_NUM} ?% de la file active initiale(?: au bout de 5 ans)?"),
        ("points", rf"Augmentation de {_NUM} points"),
        ("libre", r"Augmentation attendue"),
        ("min", rf"≥ ?{_NUM} ?%? ?\*?"),
        ("min_strict", rf"> ?{_NUM} ?%"),
        ("valeur", rf"{_NUM}/3 documents actualisés\*?"),
        ("min", rf"{_NUM} cellules? hebdomadaires? de gestion des lits minimum"),
        ("min_quarter", rf"{_NUM} actions? de com / trimestre"),
        ("min", rf"{_NUM} actions?(?: de communications?)?"),
        ("valeur", rf"{_NUM} ?%\*?"),
        ("plus_vs_n_1", rf"\+ ?{_NUM}\*?(?: interventions?| programmes? d{A}ETP)?"),
        ("libre", rf"A fixer par l{A}établissement"),
        (
            "libre",
            r"Progression positive (?:ou stabilisation )?du taux et/ou du nombre total de RMM",
        ),
        ("no_decrease", r"Progression positive (?:ou stabilisation )?du taux"),
        ("libre", r"Réflexion"),
        ("libre", rf"Constituer une équipe multidisciplinaire d{A}ETP\*?"),
        ("baseline", r"File active de la 1ère année"),
        ("libre", r"(?<!\S)/(?!\S)"),
        ("oui", r"\boui\b"),
        ("non", r"\bnon\b"),
        ("bare", r"(?<![\w/.,])(?P<v>\d+)(?![\w/%.,])"),
    )
)

# Row labels of the tables and the scope each one means. "Pour les autres établissements" is a
# catch-all: it always follows the more specific row(s) and the first matching scope wins.
_SCOPES: tuple[tuple[re.Pattern[str], dict[str, Any]], ...] = tuple(
    (re.compile(rx, re.IGNORECASE), scope)
    for rx, scope in (
        # "plus de 500 lits": 500 is included so that no bed count falls between two rows.
        (rf"Grands {_E}, avec plus de 500 lits", {"min_beds": 500}),
        (rf"{_E} intermédiaires, entre 100 à 499 lits", {"min_beds": 100, "max_beds": 499}),
        (rf"{_E} de plus petite taille,? inférieure à 100 lits", {"max_beds": 99}),
        (rf"Pour les {_E} déjà engagés", {"engaged": True}),
        (rf"Pour (?:tous les|l{A}ensemble des) {_E}(?: concernés)?", {}),
        (rf"Pour les autres {_E}", {}),
        (r"Cible attendue pour les CHU", {"categories": ["CHU"]}),
        (r"Cible attendue pour les CH\b", {"categories": ["CH"]}),
        (r"Cible attendue pour les cliniques", {"categories": ["clinique"]}),
        (rf"Pour les ES concernés par l{A}HAD", {}),
    )
)


def row_labels(text: str) -> list[tuple[int, int]]:
    """Where the row labels of a target table stand in ``text`` (start, end), in order."""
    return sorted(m.span() for rx, _ in _SCOPES for m in rx.finditer(text))


_HEADER = re.compile(r"Cible 2025- ?2029 (?P<years>(?:20\d\d )*20\d\d)(?: Total(?: 2025- ?2029)?)?")
_FILLER = re.compile(r"^[\s*.,;]*$")

# How an interpretive cell is read; {cell} is the cell's own words, {v} its figure.
_READINGS = {
    "points": "« {cell} » par an lu comme une hausse cumulée de {v} points chaque année "
    "({v} en 2025, 5 × {v} en 2029), en pourcentage de la valeur 2024 (lecture relative, par "
    "défaut) ou ajoutés à la valeur 2024 (lecture en points).",
    "min_strict": "« {cell} » lu comme un minimum de {v} %.",
    "min_quarter": "« {cell} » lu comme un minimum de {v} actions sur l'année : le total de la "
    "fiche additionne ces valeurs.",
    "no_decrease": "« {cell} » lue comme : pas de baisse par rapport à l'année précédente.",
    "plus_vs_n_1": "« {cell} » lu comme {v} de plus que l'année précédente (valeur cumulée) ; "
    "si l'établissement déclare un nombre annuel, au moins {v} dans l'année.",
}


@dataclass(frozen=True)
class _Cell:
    kind: str
    value: float | None
    ref: int | None
    start: int
    end: int


def _scan(text: str) -> list[_Cell]:
    cells: list[_Cell] = []
    pos = 0
    while True:
        best: tuple[str, re.Match[str]] | None = None
        for kind, pattern in _CELLS:
            match = pattern.search(text, pos)
            if match and (best is None or match.start() < best[1].start()):
                best = (kind, match)
        if best is None:
            return cells
        kind, match = best
        groups = match.groupdict()
        value = float(groups["v"].replace(",", ".")) if groups.get("v") else None
        ref = int(groups["ref"]) if groups.get("ref") else None
        cells.append(_Cell(kind, value, ref, match.start(), match.end()))
        pos = match.end()


def _resolve(cell: _Cell, year: int, row_kinds: set[str], words: str) -> YearTarget | None:
    kind, value = cell.kind, cell.value
    if kind == "libre":
        words = clean(words).rstrip("* ")
        return YearTarget(year=year, kind="libre", cell=words if re.search(r"\w", words) else None)
    if kind == "ref":
        if cell.ref == year - 1:
            return YearTarget(year=year, kind="hausse_vs_n_1", value=value)
        if cell.ref == 2024:
            return YearTarget(year=year, kind="hausse_vs_2024", value=value)
        return None
    if kind == "points":
        assert value is not None
        return YearTarget(
            year=year, kind="hausse_vs_2024", value=value * (year - 2024), points=True
        )
    if kind == "bare":
        kind = "plus_vs_n_1" if "plus_vs_n_1" in row_kinds else "min"
    kind = {"min_strict": "min", "min_quarter": "min", "no_decrease": "hausse_vs_n_1"}.get(
        kind, kind
    )
    if kind == "hausse_vs_n_1" and value is None:
        value = 0.0
    if kind == "baseline":
        return None
    return YearTarget.model_validate({"year": year, "kind": kind, "value": value})


def parse_table(text: str, *, doc_id: str, section: str) -> list[TargetRule] | None:
    """Read a fiche's target table into rules (one per row), or None if it is irregular.

    Args:
        text: the "cible" part of the fiche (raw or cleaned; without link-only lines, which
            would otherwise end up in the last row's quote).
        doc_id: the fiches document id, for the quotes.
        section: the quote's section label (fiche code and part title).

    Returns:
        The rules in table order, each quoting its whole row (label, cells, total and any
        footnote after the last row); None when a row cannot be read.
    """
    text = clean(text)
    header = _HEADER.search(text)
    if header is None:
        return None
    columns = [int(y) for y in header["years"].split()]
    if [y for y in columns if y != 2024] != list(YEARS):
        return None
    has_total = "Total" in header[0]
    body_start = header.end()
    labels = sorted(
        (
            (m.start(), m.end(), scope)
            for rx, scope in _SCOPES
            for m in rx.finditer(text, body_start)
        ),
        key=lambda item: item[0],
    )
    if not labels:
        labels = [(body_start, body_start, {})]
    rules: list[TargetRule] = []
    for (start, label_end, scope), nxt in zip(labels, [*labels[1:], None], strict=True):
        end = nxt[0] if nxt else len(text)
        rule = _parse_row(
            text, start, label_end, end, scope, columns, doc_id, section, has_total=has_total
        )
        if rule is None:
            return None
        rules.append(rule)
    return rules


def _parse_row(
    text: str,
    start: int,
    label_end: int,
    end: int,
    scope: dict[str, Any],
    columns: list[int],
    doc_id: str,
    section: str,
    *,
    has_total: bool,
) -> TargetRule | None:
    row = text[label_end:end]
    cells = _scan(row)
    if len(cells) < len(columns) or (not has_total and len(cells) > len(columns)):
        return None  # a cell too few, or one more than the header's columns: misaligned
    if any(not _FILLER.match(row[a.end : b.start]) for a, b in pairwise(cells[: len(columns)])):
        return None  # a text cell sits between two recognised cells: not a plain row
    label = clean(f"{text[start:label_end]} {row[: cells[0].start]}") or "Tous les établissements"
    row_kinds = {cell.kind for cell in cells[: len(columns)]}
    years: list[YearTarget] = []
    for year, cell in zip(columns, cells, strict=False):
        if year == 2024:
            continue  # the baseline column ("/", "File active de la 1ère année")
        target = _resolve(cell, year, row_kinds, row[cell.start : cell.end])
        if target is None:
            return None
        words = clean(row[cell.start : cell.end]).rstrip("* ")
        years.append(target.model_copy(update={"words": words or None}))
    readings = [
        _READINGS[cell.kind].format(cell=clean(row[cell.start : cell.end]), v=_figure(cell.value))
        for cell in {c.kind: c for c in reversed(cells[: len(columns)])}.values()
        if cell.kind in _READINGS
    ]
    total = cells[len(columns)] if has_total and len(cells) > len(columns) else None
    return TargetRule(
        scope=Scope(label=label, **scope),
        years=years,
        quote=Quote(doc_id=doc_id, text=clean(text[start:end]), section=section),
        reading=" ".join(readings) or None,
        total=clean(row[total.start : total.end]).rstrip("* ") or None if total else None,
    )


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def derive_direction(rules: list[TargetRule]) -> Direction:
    """The direction the fiche expects, from its rules (growth, yes by a year, flat, free)."""
    kinds = {y.kind for rule in rules for y in rule.years}
    if kinds & {"baisse_vs_2024", "baisse_vs_n_1"}:
        return "baisse"
    sequences = [
        [y.value for y in rule.years if y.kind in {"min", "valeur"} and y.value is not None]
        for rule in rules
    ]
    if any(b < a for seq in sequences for a, b in pairwise(seq)):
        return "libre"  # the fiche's own figures go down somewhere: no direction to enforce
    if kinds & {"hausse_vs_2024", "hausse_vs_n_1", "plus_vs_n_1"} or any(
        b > a for seq in sequences for a, b in pairwise(seq)
    ):
        return "hausse"
    if any(sequences):
        return "maintien"
    if "oui" in kinds:
        return "atteinte_oui"
    return "libre"
