"""Workbooks the app hands out: the draft in the layout of Annexe 5, and validation reports.

The draft workbook opens on the strategic annex as the guide lays it out (engagement, objectif
opérationnel, indicateur, valeur initiale 2024, valeurs cibles 2025 to 2029), then the HPR
annex, and keeps the sheet ``indicateurs`` that ``validate`` reads back.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import (
    HPR_YEARS,
    TARGET_YEARS,
    Draft,
    DraftIndicator,
    append_xlsx_row,
    write_xlsx,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from assistant import KnowledgeBase, Report

ANNEX_TITLE = "ANNEXE 2025 - 2029 : ANNEXE ORIENTATION STRATEGIQUE – ENGAGEMENTS DU PRS"
ANNEX_HEADERS: tuple[str, ...] = (
    "Engagements",
    "Objectifs opérationnels",
    "Indicateurs",
    "Valeur initiale 2024",
    *(f"Valeur cible {year}" for year in TARGET_YEARS),
    "Justification",
    "Commentaire",
)
HPR_HEADERS: tuple[str, ...] = (
    "Objectifs",
    "Indicateurs",
    "Valeur initiale 2024",
    *(f"Valeur cible {year}" for year in HPR_YEARS),
    "Justification",
    "Commentaire",
)
SUMMARY_HEADERS: tuple[str, ...] = (
    "Fichier",
    "Établissement",
    "FINESS EJ",
    "Conforme",
    "Erreurs",
    "Avertissements",
)
FINDING_HEADERS: tuple[str, ...] = (
    "Fichier",
    "Établissement",
    "FINESS EJ",
    "Règle",
    "Gravité",
    "Indicateur",
    "Constat",
    "Document",
    "Section",
    "Termes du guide",
)


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row: text that looks like a formula (``=``, ``+``, ``-``, ``@``) stays text."""
    append_xlsx_row(sheet, values)


def _header(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    _append(sheet, headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="000091")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _wrap_rows(sheet: Worksheet, first: int) -> None:
    from openpyxl.styles import Alignment

    for row in sheet.iter_rows(min_row=first):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _annex_row(item: DraftIndicator, kb: KnowledgeBase) -> list[Any]:
    indicator = kb.indicators.get(item.code)
    targets = [item.cibles.get(year) for year in TARGET_YEARS]
    if indicator is None:
        return [
            "",
            "",
            item.code,
            item.valeur_initiale,
            *targets,
            item.justification,
            item.commentaire,
        ]
    short = indicator.short_code
    engagement = (
        f"{short[:5]} Engagement n°{indicator.engagement.number}- {indicator.engagement.label}"
    )
    return [
        engagement,
        f"{short[:7]} {indicator.objective}",
        f"{short} {indicator.label} ({indicator.code})",
        item.valeur_initiale,
        *targets,
        item.justification,
        item.commentaire,
    ]


def _hpr_row(item: DraftIndicator, kb: KnowledgeBase) -> list[Any]:
    hpr = kb.hpr.get(item.code)
    objective = (
        f"Objectif {hpr.objective_number}{' *' if hpr.starred else ''} : {hpr.objective}"
        if hpr
        else ""
    )
    label = f"{hpr.label} ({hpr.code})" if hpr else item.code
    targets = [item.cibles.get(str(year)) for year in HPR_YEARS]
    return [objective, label, item.valeur_initiale, *targets, item.justification, item.commentaire]


def annex_workbook(draft: Draft, kb: KnowledgeBase) -> bytes:
    """The draft as an Excel workbook: Annexe 5 layout first, the ``indicateurs`` sheet last.

    ``validate`` reads the ``indicateurs`` sheet, so the file reads back as the same draft.
    """
    import openpyxl
    from openpyxl.styles import Font

    with tempfile.TemporaryDirectory(prefix="cpom-xlsx-") as tmp:
        path = Path(tmp) / "brouillon.xlsx"
        write_xlsx(draft, path)
        workbook = openpyxl.load_workbook(path)
    annex = workbook.create_sheet("Annexe stratégique", 0)
    _append(annex, [ANNEX_TITLE])
    annex["A1"].font = Font(bold=True, size=13)
    _append(annex, [f"FINESS EJ : {draft.etablissement.finess_ej}"])
    _append(annex, [f"Nom de l'établissement : {draft.etablissement.raison_sociale}"])
    _append(annex, [])
    _header(annex, ANNEX_HEADERS, [34, 40, 48, 12, 11, 11, 11, 11, 11, 60, 40])
    first = annex.max_row + 1
    for item in draft.indicateurs:
        _append(annex, _annex_row(item, kb))
    _wrap_rows(annex, first)
    annex.freeze_panes = annex.cell(row=first, column=4)
    if draft.indicateurs_hpr:
        hpr = workbook.create_sheet("Annexe HPR", 1)
        _append(hpr, ["ANNEXE HOPITAUX DE PROXIMITE 2025 - 2027"])
        hpr["A1"].font = Font(bold=True, size=13)
        _append(hpr, [])
        _header(hpr, HPR_HEADERS, [50, 44, 12, 11, 11, 11, 60, 40])
        first_hpr = hpr.max_row + 1
        for item in draft.indicateurs_hpr:
            _append(hpr, _hpr_row(item, kb))
        _wrap_rows(hpr, first_hpr)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_workbook(items: Sequence[tuple[str, str, str, Report]]) -> bytes:
    """A validation report as a workbook: ``Synthèse`` (one row per establishment), ``Constats``.

    Args:
        items: (file, raison sociale, FINESS EJ, report) of each establishment checked.
    """
    import openpyxl

    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = "Synthèse"
    _header(summary, SUMMARY_HEADERS, [30, 40, 12, 10, 9, 14])
    for name, establishment, finess, report in items:
        _append(
            summary,
            [
                name,
                establishment,
                finess,
                "oui" if report.valid else "non",
                report.errors,
                report.warnings,
            ],
        )
    findings = workbook.create_sheet("Constats")
    _header(findings, FINDING_HEADERS, [24, 30, 12, 20, 14, 14, 70, 28, 28, 70])
    for name, establishment, finess, report in items:
        for f in report.findings:
            _append(
                findings,
                [
                    name,
                    establishment,
                    finess,
                    f.rule,
                    f.severity,
                    f.indicator or "",
                    f.message,
                    f.source.doc_id,
                    f.source.section or "",
                    f.source.quote,
                ],
            )
    _wrap_rows(findings, 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_bytes(folder: Path, name: str, data: bytes) -> Path:
    """Write a file handed to the browser (atomically) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return path


__all__ = [
    "ANNEX_HEADERS",
    "ANNEX_TITLE",
    "FINDING_HEADERS",
    "HPR_HEADERS",
    "SUMMARY_HEADERS",
    "annex_workbook",
    "report_workbook",
    "write_bytes",
]
