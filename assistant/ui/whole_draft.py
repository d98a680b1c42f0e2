"""The whole draft (end of « Rédiger une justification »): its check, overview and exports.

The XLSX follows the layout of Annexe 5 and keeps the sheet that ``validate`` reads; the JSON
reads back as is with ``python -m assistant validate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import TARGET_YEARS, AssistantError, draft_to_json, validate_draft
from assistant.ui.errors import french_errors, message_of
from assistant.ui.escaping import md
from assistant.ui.exports import annex_workbook, write_bytes
from assistant.ui.findings import report_html
from assistant.ui.workspace import Dossier, draft_model, draft_tree

if TYPE_CHECKING:
    from assistant.ui.service import AppContext

OVERVIEW_HEADERS: tuple[str, ...] = ("Indicateur", "2024", *TARGET_YEARS, "Justification")
NOTHING_SELECTED = "Aucun indicateur retenu : commencez par l'onglet « Choisir mes indicateurs »."


# --- handlers ------------------------------------------------------------------------------


def check_draft(ctx: AppContext, dossier: Dossier) -> str:
    """The validator's report on the whole draft, as it would be filed (HTML)."""
    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    report = validate_draft(tree, kb=ctx.kb(), rules=ctx.rules())
    return report_html(report, ctx.titles())


def draft_overview(dossier: Dossier) -> list[list[str]]:
    """The whole draft at a glance: one row per indicator, what is filled and what is not."""
    rows = []
    for line in dossier.lignes:
        cells = [line.valeur_initiale, *(line.cibles.get(y) for y in TARGET_YEARS)]
        written = "rédigée" if (line.justification or "").strip() else "à rédiger"
        rows.append([line.code, *("—" if v in (None, "") else str(v) for v in cells), written])
    return rows


def export_draft(ctx: AppContext, dossier: Dossier, folder: Path) -> tuple[Path, Path]:
    """Write the whole draft as XLSX (Annexe 5 layout) and JSON; ``validate`` reads both.

    Raises:
        InvalidInputError: The draft does not follow the schema yet (what to complete).
    """
    draft = draft_model(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    stem = f"brouillon-cpom-{draft.etablissement.finess_ej}"
    xlsx = write_bytes(folder, f"{stem}.xlsx", annex_workbook(draft, ctx.kb()))
    json_path = write_bytes(folder, f"{stem}.json", draft_to_json(draft).encode("utf-8"))
    return xlsx, json_path


# --- layout and callbacks ------------------------------------------------------------------


@dataclass(frozen=True)
class WholeDraft:
    """The section's components."""

    export_btn: Any
    xlsx: Any
    json: Any
    note: Any
    overview: Any
    report: Any


def build() -> WholeDraft:
    """Lay out the section (call inside ``gr.Blocks``)."""
    import gradio as gr

    gr.Markdown("### Brouillon complet : vérification et export")
    gr.Markdown(
        "Le brouillon réunit le profil, la sélection, les valeurs 2024, les cibles et "
        "les justifications. L'export Excel reprend la trame de l'annexe 5 du guide ; "
        "le fichier JSON se relit tel quel avec `python -m assistant validate`."
    )
    export_btn = gr.Button(
        "Vérifier et exporter le brouillon complet", variant="primary", elem_id="export"
    )
    with gr.Row():
        xlsx = gr.DownloadButton(
            "Télécharger le brouillon (Excel, annexe 5)", visible=False, elem_id="draft-xlsx"
        )
        json = gr.DownloadButton(
            "Télécharger le brouillon (JSON)", visible=False, elem_id="draft-json"
        )
    note = gr.Markdown(elem_id="export-note")
    overview = gr.Dataframe(
        headers=list(OVERVIEW_HEADERS),
        datatype=["str"] * len(OVERVIEW_HEADERS),
        type="array",
        interactive=False,
        wrap=True,
        visible=False,
        label="Le brouillon en un coup d'œil",
        elem_id="draft-overview",
        elem_classes=["cpom-table-sans"],
    )
    report = gr.HTML(elem_id="whole-report")
    return WholeDraft(export_btn, xlsx, json, note, overview, report)


def wire(section: WholeDraft, ctx: AppContext, *, dossier: Any) -> None:
    """Attach the export button (call inside ``gr.Blocks``)."""
    import gradio as gr

    @french_errors
    def export(stored: Any) -> list[Any]:
        d = Dossier.load(stored)
        rows = draft_overview(d)
        problems = [] if rows else [NOTHING_SELECTED]
        downloads = [gr.update(visible=False), gr.update(visible=False)]
        try:
            files = export_draft(ctx, d, ctx.scratch())
            downloads = [gr.update(value=str(path), visible=True) for path in files]
        except AssistantError as exc:
            problems.append(message_of(exc))
        note = gr.update(
            value=" ".join(md(p) for p in problems),
            elem_classes=["cpom-verdict", "cpom-pending"] if problems else [],
        )
        overview = gr.update(value=rows, visible=bool(rows))
        return [note, overview, check_draft(ctx, d), *downloads]

    s = section
    s.export_btn.click(export, [dossier], [s.note, s.overview, s.report, s.xlsx, s.json])


__all__ = [
    "OVERVIEW_HEADERS",
    "WholeDraft",
    "build",
    "check_draft",
    "draft_overview",
    "export_draft",
    "wire",
]
