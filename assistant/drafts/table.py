"""Drafts as tables (CSV, XLSX): one row per indicator, establishment columns repeated.

Rows become draft trees grouped by ``finess_ej`` (several establishments in one file make a
batch) and drafts become rows again, so that JSON → XLSX → JSON keeps a draft unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from assistant.drafts.formulas import NUMBER, restore_formula
from assistant.drafts.models import TARGET_YEARS, Draft, DraftIndicator, DraftSource, SchemaIssue
from assistant.text.french import fold as fold_text

ESTABLISHMENT_COLUMNS: tuple[str, ...] = (
    "raison_sociale",
    "finess_ej",
    "statut",
    "categorie",
    "lits",
    "membre_ght",
    "hopital_proximite",
    "activites",
)
DRAFT_COLUMNS: tuple[str, ...] = ("campagne", "date")
INDICATOR_COLUMNS: tuple[str, ...] = (
    "annexe",
    "code",
    "valeur_initiale",
    *(f"cible_{year}" for year in TARGET_YEARS),
    "justification",
    "commentaire",
    "deja_engage",
)
COLUMNS: tuple[str, ...] = (
    "annexe",
    *DRAFT_COLUMNS,
    *ESTABLISHMENT_COLUMNS,
    *INDICATOR_COLUMNS[1:],
)
"""Column order of the files this module writes."""

_ALIASES: dict[str, str] = {
    "finess": "finess_ej",
    "n_finess": "finess_ej",
    "finess_juridique": "finess_ej",
    "nom": "raison_sociale",
    "etablissement": "raison_sociale",
    "nom_etablissement": "raison_sociale",
    "indicateur": "code",
    "code_indicateur": "code",
    "valeur_initiale_2024": "valeur_initiale",
    "2024": "valeur_initiale",
    "activite": "activites",
    "annexe_cpom": "annexe",
    "deja_engagee": "deja_engage",
    "deja_engages": "deja_engage",
    "etablissement_deja_engage": "deja_engage",
    **{year: f"cible_{year}" for year in TARGET_YEARS},
    **{f"valeur_cible_{year}": f"cible_{year}" for year in TARGET_YEARS},
    **{f"cible{year}": f"cible_{year}" for year in TARGET_YEARS},
}
_KNOWN = set(COLUMNS)
_ANNEXES = {
    "strategique": "strategique",
    "annexe_strategique": "strategique",
    "hpr": "hpr",
    "annexe_hpr": "hpr",
    "hopitaux_de_proximite": "hpr",
    "hopital_de_proximite": "hpr",
}
NO_ACTIVITY = "aucune"
"""Written in the ``activites`` cell of an establishment with no listed activity."""
_LIST_SEPARATORS = re.compile(r"[,;|/]")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, strip accents, and turn every run of other characters into ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", fold_text(text)).strip("_")


def column_name(header: object) -> str | None:
    """Map a header cell to a canonical column name, or None for an unknown column."""
    if header is None:
        return None
    key = fold(str(header))
    key = _ALIASES.get(key, key)
    return key if key in _KNOWN else None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_value(value: str) -> Any:
    """Read a CSV cell that holds a baseline or a target: numbers become numbers."""
    stripped = value.strip()
    if NUMBER.match(stripped):
        plain = re.sub(r"[ \u00a0\u202f]", "", stripped).replace(",", ".")
        return float(plain) if "." in plain else int(plain)
    return stripped


def _cell(column: str, value: Any, *, typed: bool) -> Any:
    """Turn one cell into the tree value of its column (None when blank)."""
    if not typed and isinstance(value, str):
        value = restore_formula(value)  # the CSV writer's apostrophe before formula-like text
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        value = value.date() if column == "date" else value.date().isoformat()
    if column == "activites":
        if isinstance(value, str):
            if fold(value) == NO_ACTIVITY:
                return []
            return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]
        return [value]
    if column in {"finess_ej", "code", "raison_sociale", "justification", "commentaire"}:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return value.strip() if isinstance(value, str) else str(value)
    if column == "valeur_initiale" or column.startswith("cible_"):
        if typed or not isinstance(value, str):
            return value.strip() if isinstance(value, str) else value
        return _text_value(value)
    return value.strip() if isinstance(value, str) else value


def _annexe(value: Any, code: Any) -> str | None:
    if _blank(value):
        return "hpr" if isinstance(code, str) and fold(code).startswith("hpr") else "strategique"
    return _ANNEXES.get(fold(str(value)))


class _Group:
    """The rows of one establishment, turned into a draft tree."""

    def __init__(self, file: str, line: int, head: dict[str, Any]) -> None:
        self.head = head
        self.first_line = line
        self.lines = {name: line for name in head}
        self.tree: dict[str, Any] = {
            "campagne": head.get("campagne"),
            "date": head.get("date"),
            "etablissement": {name: head.get(name) for name in ESTABLISHMENT_COLUMNS},
            "indicateurs": [],
            "indicateurs_hpr": [],
        }
        self.source = DraftSource(file=file, data=self.tree)
        for key in ("campagne", "date", "etablissement"):
            self.source.locations[key] = f"ligne {line}"

    def merge_head(self, head: dict[str, Any], line: int) -> None:
        """Record establishment cells that disagree with the group's first row."""
        for name, value in head.items():
            first = self.head.get(name)
            if value is None or value == first:
                continue
            path = name if name in DRAFT_COLUMNS else f"etablissement.{name}"
            if first is None:
                self.head[name] = value
                target = self.tree if name in DRAFT_COLUMNS else self.tree["etablissement"]
                target[name] = value
                continue
            self.source.issues.append(
                SchemaIssue(
                    path=path,
                    message=(
                        f"valeurs différentes pour un même établissement : "
                        f"{first!r} (ligne {self.lines[name]}) et {value!r} (ligne {line})"
                    ),
                )
            )

    def add(self, row: dict[str, Any], line: int) -> None:
        """Add an indicator row (a row with no indicator cells only carries establishment data)."""
        cells = {name: row.get(name) for name in INDICATOR_COLUMNS[1:]}
        if all(value is None for value in cells.values()):
            return
        annexe = _annexe(row.get("annexe"), cells["code"])
        if annexe is None:
            self.source.issues.append(
                SchemaIssue(
                    path="annexe",
                    message=(
                        f"ligne {line} : annexe {row.get('annexe')!r} non reconnue ; "
                        "valeurs possibles : 'strategique' ou 'hpr'"
                    ),
                )
            )
            return
        key = "indicateurs_hpr" if annexe == "hpr" else "indicateurs"
        item = {
            "code": cells["code"],
            "valeur_initiale": cells["valeur_initiale"],
            "cibles": {
                year: cells[f"cible_{year}"]
                for year in TARGET_YEARS
                if cells[f"cible_{year}"] is not None
            },
            "justification": cells["justification"],
            "commentaire": cells["commentaire"],
            "deja_engage": cells["deja_engage"],
        }
        self.source.locations[f"{key}[{len(self.tree[key])}]"] = f"ligne {line}"
        self.tree[key].append(item)


def rows_to_sources(
    file: str, header: Sequence[Any], rows: Iterable[tuple[int, Sequence[Any]]], *, typed: bool
) -> list[DraftSource]:
    """Group table rows by establishment into draft trees.

    Args:
        file: File name shown in reports.
        header: The header cells.
        rows: ``(line number, cells)`` for each data row.
        typed: True for XLSX (cells keep their types), False for CSV (cells are text).

    Returns:
        One source per distinct ``finess_ej``, in order of first appearance.
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = column_name(cell)
        if name is not None and name not in positions:
            positions[name] = index
    groups: dict[str, _Group] = {}
    current: _Group | None = None
    for line, cells in rows:
        width = len(cells)
        row = {
            name: None
            if index >= width or cells[index] is None
            else _cell(name, cells[index], typed=typed)
            for name, index in positions.items()
        }
        if all(value is None for value in row.values()):
            continue
        head = {
            name: row.get(name)
            for name in (*DRAFT_COLUMNS, *ESTABLISHMENT_COLUMNS)
            if name in positions
        }
        if current is None or any(value is not None for value in head.values()):
            key = str(head.get("finess_ej") or "")
            if key not in groups:
                groups[key] = _Group(file, line, head)
            else:
                groups[key].merge_head(head, line)
            current = groups[key]
        current.add(row, line)
    return [group.source for group in groups.values()]


def draft_rows(draft: Draft) -> list[dict[str, Any]]:
    """Rows (column -> value) of one draft; an establishment with no indicator gets one row."""
    head: dict[str, Any] = {
        "campagne": draft.campagne,
        "date": draft.date,
        **draft.etablissement.model_dump(),
    }
    head["activites"] = ", ".join(draft.etablissement.activites) or NO_ACTIVITY

    def row(annexe: str, indicator: DraftIndicator) -> dict[str, Any]:
        return {
            "annexe": annexe,
            **head,
            "code": indicator.code,
            "valeur_initiale": indicator.valeur_initiale,
            **{f"cible_{year}": indicator.cibles.get(year) for year in TARGET_YEARS},
            "justification": indicator.justification,
            "commentaire": indicator.commentaire,
            "deja_engage": indicator.deja_engage,
        }

    rows = [row("strategique", item) for item in draft.indicateurs]
    rows += [row("hpr", item) for item in draft.indicateurs_hpr]
    if not rows:
        rows.append({"annexe": None, **head})
    return rows
