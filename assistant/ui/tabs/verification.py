"""« Vérifier un CPOM »: uploaded drafts (one or a batch) -> summary, report, downloads."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import (
    MAX_FILE_BYTES,
    MAX_FOLDER_FILES,
    SUFFIXES,
    AssistantError,
    BatchReport,
    EstablishmentReport,
    InvalidInputError,
    parse_draft,
    read_draft_file,
    validate_path,
)
from assistant.ui.errors import french_errors
from assistant.ui.escaping import esc
from assistant.ui.exports import SUMMARY_HEADERS, report_workbook, write_bytes
from assistant.ui.findings import report_html
from assistant.ui.limits import CONCURRENCY

if TYPE_CHECKING:
    from assistant import Report
    from assistant.ui.service import AppContext

MAX_UPLOAD_FILES = MAX_FOLDER_FILES
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
ReportItem = tuple[str, str, str, "Report"]
"""(file, raison sociale, FINESS EJ, report) of one establishment checked."""


# --- handlers ------------------------------------------------------------------------------


def _check_files(files: Sequence[Path]) -> None:
    """Refuse no file, too many, a format not read, a file too large (French messages)."""
    if not files:
        raise InvalidInputError("Déposez au moins un brouillon (JSON, YAML, CSV ou Excel).")
    if len(files) > MAX_UPLOAD_FILES:
        raise InvalidInputError(
            f"{len(files)} fichiers déposés : la limite est de {MAX_UPLOAD_FILES} par "
            "vérification.",
            hint="Répartissez-les en plusieurs lots.",
        )
    for file in files:
        if file.suffix.lower() not in SUFFIXES:
            raise InvalidInputError(
                f"Format de fichier non pris en charge : {file.name!r}.",
                hint="Formats acceptés : JSON (.json), YAML (.yaml, .yml), CSV (.csv), "
                "Excel (.xlsx).",
            )
        if file.stat().st_size > MAX_UPLOAD_BYTES:
            raise InvalidInputError(
                f"Le fichier {file.name!r} dépasse la taille maximale de "
                f"{MAX_UPLOAD_BYTES // (1024 * 1024)} Mo.",
            )


def check_uploads(
    ctx: AppContext, paths: Sequence[str | Path] | None, folder: Path
) -> tuple[list[list[Any]], str, Path, Path]:
    """Validate one uploaded draft file or several.

    Returns:
        The summary rows (file, establishment, FINESS, conforme, errors, warnings), the report
        as HTML, and the report as XLSX and JSON files.

    Raises:
        InvalidInputError: No file, too many, too large, wrong format, or a single file that
            cannot be read at all.
    """
    files = [Path(p) for p in paths or []]
    _check_files(files)
    batch = folder / "lot"
    batch.mkdir(parents=True, exist_ok=True)
    copies = [_copy_unique(file, batch) for file in files]
    target = copies[0] if len(copies) == 1 else batch
    result = validate_path(target, kb=ctx.kb(), rules=ctx.rules())
    single = len(copies) == 1 and not isinstance(result, BatchReport)
    items = report_items(
        result,
        file=copies[0].name,
        establishment=establishment_of(copies[0]) if single else ("", ""),
    )
    xlsx = write_bytes(folder, "rapport-verification.xlsx", report_workbook(items))
    json_path = write_bytes(
        folder, "rapport-verification.json", (result.to_json() + "\n").encode("utf-8")
    )
    html_report = report_html(result, ctx.titles())
    if isinstance(result, BatchReport) and result.unreadable:
        unreadable = ", ".join(result.unreadable)
        html_report = (
            '<p class="cpom-verdict cpom-invalid">Fichiers illisibles : '
            f"{esc(unreadable)}</p>{html_report}"
        )
    return summary_rows(items), html_report, xlsx, json_path


def _copy_unique(file: Path, folder: Path) -> Path:
    """Copy an upload under its own name (``nom-2.json`` when two uploads share a name)."""
    name = Path(file.name).name
    target = folder / name
    n = 2
    while target.exists():
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    shutil.copyfile(file, target)
    return target


def report_items(
    result: Report | BatchReport, *, file: str, establishment: tuple[str, str] = ("", "")
) -> list[ReportItem]:
    """One item per establishment of a result (a single report is one item)."""
    if not isinstance(result, BatchReport):
        return [(file, *establishment, result)]
    items: list[ReportItem] = []
    for report in result.reports:
        assert isinstance(report, EstablishmentReport)
        items.append((report.file, report.raison_sociale or "", report.finess_ej or "", report))
    return items


def summary_rows(items: Sequence[ReportItem]) -> list[list[Any]]:
    """One row per establishment: file, establishment, FINESS, conforme, errors, warnings."""
    return [
        [file, name, finess, "oui" if r.valid else "non", r.errors, r.warnings]
        for file, name, finess, r in items
    ]


def establishment_of(path: Path) -> tuple[str, str]:
    """(raison sociale, FINESS EJ) as written in a one-establishment draft file ("" if absent)."""
    try:
        view = parse_draft(read_draft_file(path)[0].data)
    except (AssistantError, IndexError):
        return "", ""
    e = view.etablissement
    return e.raison_sociale or "", e.finess_ej or ""


# --- layout and callbacks ------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationTab:
    """The tab's components."""

    uploads: Any
    verify_btn: Any
    summary: Any
    report: Any
    report_xlsx: Any
    report_json: Any


def build() -> VerificationTab:
    """Lay out the tab (call inside ``gr.Tab``)."""
    import gradio as gr

    gr.Markdown(
        "Déposez un ou plusieurs brouillons (JSON, YAML, CSV ou Excel ; jusqu'à "
        f"{MAX_UPLOAD_FILES} fichiers de {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo "
        "au plus). Chaque constat cite les termes du guide."
    )
    uploads = gr.File(
        label="Brouillons à vérifier",
        file_count="multiple",
        file_types=[".json", ".yaml", ".yml", ".csv", ".xlsx"],
        elem_id="uploads",
    )
    verify_btn = gr.Button("Vérifier", variant="primary", elem_id="verify")
    summary = gr.Dataframe(
        headers=list(SUMMARY_HEADERS),
        interactive=False,
        visible=False,
        wrap=True,
        label="Synthèse",
        elem_id="summary",
        elem_classes=["cpom-table-sans"],
    )
    with gr.Row():
        report_xlsx = gr.DownloadButton(
            "Télécharger le rapport (Excel)", visible=False, elem_id="report-xlsx"
        )
        report_json = gr.DownloadButton(
            "Télécharger le rapport (JSON)", visible=False, elem_id="report-json"
        )
    report = gr.HTML(elem_id="report")
    return VerificationTab(uploads, verify_btn, summary, report, report_xlsx, report_json)


def wire(tab: VerificationTab, ctx: AppContext) -> None:
    """Attach the tab's callback (call inside ``gr.Blocks``); its API name is ``verify``."""
    import gradio as gr

    @french_errors
    def verify(files: list[Any] | None) -> list[Any]:
        paths = [Path(getattr(f, "name", f)) for f in files or []]
        rows, report, xlsx, json_path = check_uploads(ctx, paths, ctx.scratch())
        return [
            gr.update(value=rows, visible=True),
            report,
            gr.update(value=str(xlsx), visible=True),
            gr.update(value=str(json_path), visible=True),
        ]

    t = tab
    t.verify_btn.click(
        verify,
        [t.uploads],
        [t.summary, t.report, t.report_xlsx, t.report_json],
        concurrency_limit=CONCURRENCY,
        api_name="verify",
    )


__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_FILES",
    "VerificationTab",
    "build",
    "check_uploads",
    "establishment_of",
    "report_items",
    "summary_rows",
    "wire",
]
