"""The regional figures as tables, text and a workbook: what « Vue régionale » shows.

Pure functions of a `Synthesis` (``compute_synthesis``, the figures ``synthese --json``
prints): the tables behind the charts, the deadline's text, the XLSX workbook.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assistant import append_xlsx_row, as_number
from assistant.store import STATUS_LABELS
from assistant.ui.escaping import md

if TYPE_CHECKING:
    import pandas as pd

    from assistant.store import Synthesis

ALL = "Tous"
"""The filter's choice for every département of the caller's scope."""
NOT_SUBMITTED_SHOWN = 30
"""How many FINESS of dossiers not submitted the text lists (the workbook lists them all)."""

COOPERATION = "Coopération (CPOM_CT)"
OTHER = "Autres (CPOM_OS)"
NO_SEVERITY = "non précisée"
DOSSIER_TARGET, FICHE_TARGET = "Cible du dossier", "Cible de la fiche"
SHEETS: dict[str, str] = {
    "indicateurs": "Indicateurs",
    "hpr": "Indicateurs HPR",
    "statuts": "Statuts",
    "departements": "Départements",
    "regles": "Règles",
    "cibles": "Cibles 2029",
}
"""Key of each table in `frames` -> its sheet in the workbook (one per chart)."""
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicateurs": ("Code", "Famille", "Dossiers", "Libellé"),
    "hpr": ("Code", "Dossiers", "Libellé"),
    "statuts": ("Statut", "Dossiers"),
    "departements": ("Département", "Dossiers"),
    "regles": ("Règle", "Dossiers", "Gravité", "Titre", "Section", "Termes du guide"),
    "cibles": (
        "Indicateur",
        "FINESS EJ",
        "Cible 2029 du dossier",
        "Cible 2029 de la fiche",
        "Valeur de la fiche",
    ),
}
"""The columns of each table."""
SPREAD_COLUMNS = ("Indicateur", "Cible 2029", "Série", "FINESS EJ")
DEADLINE_SHEET = "Échéance"


def frames(
    synthesis: Synthesis, *, labels: Mapping[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """The tables behind the charts (keys of `SHEETS`, columns of `COLUMNS`).

    Args:
        synthesis: The figures, as `compute_synthesis` returns them.
        labels: Indicator code -> its label in the fiches (empty labels when None).
    """
    import pandas as pd

    names = labels or {}
    s = synthesis
    rows: dict[str, list[list[Any]]] = {
        "indicateurs": [
            [code, COOPERATION if code.startswith("CPOM_CT_") else OTHER, n, names.get(code, "")]
            for code, n in s.par_indicateur.items()
        ],
        "hpr": [[code, n, names.get(code, "")] for code, n in s.par_indicateur_hpr.items()],
        "statuts": [[STATUS_LABELS.get(k, k), n] for k, n in s.par_statut.items()],
        "departements": [[dep, n] for dep, n in s.par_departement.items()],
        "regles": [
            [
                r.regle,
                r.dossiers,
                r.gravite or NO_SEVERITY,
                r.titre or "",
                r.section or "",
                r.texte_du_guide or "",
            ]
            for r in s.regles
        ],
        "cibles": [
            [item.code, t.finess_ej, _cell(t.cible), t.fiche or "", t.fiche_valeur]
            for item in s.cibles_2029
            for t in item.cibles
        ],
    }
    return {key: pd.DataFrame(rows[key], columns=list(COLUMNS[key])) for key in SHEETS}


def _cell(value: Any) -> Any:
    """A dossier's target as a table cell: a figure, a word, or None (lists and maps as text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def spread(targets: pd.DataFrame) -> pd.DataFrame:
    """The 2029 targets as points: each dossier's figure and each fiche's, by indicator.

    Targets that are not figures (« oui », a growth) stay in the table but are not plotted;
    a fiche's figure is one point per indicator and value, however many dossiers share it.
    """
    import pandas as pd

    points: list[list[Any]] = []
    seen: set[tuple[str, float]] = set()
    for code, finess, cible, _, fiche in table_rows(targets):
        figure = as_number(cible) if isinstance(cible, int | float | str) else None
        if figure is not None:
            points.append([code, figure, DOSSIER_TARGET, finess])
        if fiche is not None and (code, fiche) not in seen:
            seen.add((code, fiche))
            points.append([code, float(fiche), FICHE_TARGET, ""])
    return pd.DataFrame(points, columns=list(SPREAD_COLUMNS))


def summary_text(synthesis: Synthesis) -> str:
    """The scope, the e-CARS deadline and its source, the dossiers not submitted (Markdown)."""
    s = synthesis
    where = f"département {md(s.departement)}" if s.departement else "tout votre périmètre"
    lines = [f"**Campagne {md(s.campagne)}** — {s.dossiers} dossier(s), {where}."]
    if s.echeance is None or s.jours_avant_echeance is None:
        lines.append("Échéance e-CARS : aucune date dans le fichier de règles.")
    else:
        days = s.jours_avant_echeance
        left = (
            f"{days} jour(s) restant(s)"
            if days > 0
            else "c'est aujourd'hui"
            if days == 0
            else f"date dépassée depuis {-days} jour(s)"
        )
        lines.append(f"**Échéance e-CARS : {s.echeance:%d/%m/%Y}** — {left}.")
        if s.echeance_source:
            lines.append(f"Source (règles de la campagne) : « {md(s.echeance_source)} »")
    n = len(s.non_deposes)
    listed = ", ".join(md(f) for f in s.non_deposes[:NOT_SUBMITTED_SHOWN])
    more = f" et {n - NOT_SUBMITTED_SHOWN} autre(s)" if n > NOT_SUBMITTED_SHOWN else ""
    lines.append(
        f"**Dossiers non encore déposés** (brouillon ou à corriger) : {n}"
        + (f" — {listed}{more}." if n else ".")
    )
    return "\n\n".join(lines)


def workbook(
    synthesis: Synthesis,
    *,
    labels: Mapping[str, str] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """The figures as an XLSX workbook: one sheet per chart, then the deadline's sheet.

    Args:
        synthesis: The figures.
        labels: Indicator code -> label (as in `frames`).
        tables: ``frames(synthesis, labels=labels)`` when already made.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    tables = tables if tables is not None else frames(synthesis, labels=labels)

    book = openpyxl.Workbook()
    book.remove(book.active)
    for key, title in SHEETS.items():
        sheet = book.create_sheet(title)
        append_xlsx_row(sheet, COLUMNS[key])
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="000091")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table_rows(tables[key]):
            append_xlsx_row(sheet, row)
        sheet.freeze_panes = "A2"
    sheet = book.create_sheet(DEADLINE_SHEET)
    for row in _deadline_rows(synthesis):
        append_xlsx_row(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _deadline_rows(s: Synthesis) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Campagne", s.campagne],
        ["Département", s.departement or ALL],
        ["Dossiers", s.dossiers],
        ["Échéance e-CARS", s.echeance],
        ["Jours avant l'échéance", s.jours_avant_echeance],
        ["Source de l'échéance", s.echeance_source],
        ["Dossiers non déposés (brouillon ou à corriger)", len(s.non_deposes)],
        [],
        ["FINESS EJ non déposés"],
    ]
    return rows + [[finess] for finess in s.non_deposes]


def table_rows(table: pd.DataFrame) -> list[list[Any]]:
    """A table's rows as plain Python values (a missing value is None)."""
    return [[_plain(v) for v in row] for row in table.astype(object).itertuples(index=False)]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    item = getattr(value, "item", None)  # a numpy scalar
    return item() if callable(item) else value


__all__ = [
    "ALL",
    "COLUMNS",
    "COOPERATION",
    "DEADLINE_SHEET",
    "DOSSIER_TARGET",
    "FICHE_TARGET",
    "NOT_SUBMITTED_SHOWN",
    "NO_SEVERITY",
    "OTHER",
    "SHEETS",
    "SPREAD_COLUMNS",
    "frames",
    "spread",
    "summary_text",
    "table_rows",
    "workbook",
]
