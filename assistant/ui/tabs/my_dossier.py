"""« Mon dossier »: the establishment's dossier as the ARS sees it, and its submission.

Status, the validator's findings of the saved version (with the guide's words), the referent's
comments beside each indicator, the version history (who, when), « Soumettre à l'ARS »
(disabled, with the reason, while the saved version has errors) and the exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import TARGET_YEARS, InvalidInputError, Report
from assistant.store import (
    STATUS_LABELS,
    Actor,
    CommentInfo,
    NotFoundError,
    get_dossier,
    list_comments,
    list_versions,
    submit,
)
from assistant.ui.dossier_sync import Saved, dossier_of, is_dirty, save
from assistant.ui.escaping import esc, french_number
from assistant.ui.findings import report_html
from assistant.ui.identity import ROLE_LABELS
from assistant.ui.moments import moment
from assistant.ui.whole_draft import export_draft

if TYPE_CHECKING:
    from assistant.ui.service import AppContext
    from assistant.ui.workspace import Dossier

INDICATOR_HEADERS = ("Code", "Libellé", "Valeur 2024", "Cibles 2025-2029", "Commentaires ARS")
HISTORY_HEADERS = ("Version", "Enregistrée le", "Par", "Erreurs", "Avertissements")


def _comment_text(c: CommentInfo) -> str:
    who = ROLE_LABELS.get(c.role, c.role)
    return f"{moment(c.cree_le)}, {c.auteur} ({who}), version {c.version} : {c.texte}"


def _value(value: Any) -> str:
    """A value as French writes it (« 41,3 »); text (« oui ») as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return french_number(value)


def indicator_rows(brouillon: dict[str, Any], comments: list[CommentInfo]) -> list[list[str]]:
    """One row per indicator of the saved version, with the referent's comments beside it."""
    by_code: dict[str, list[str]] = {}
    for c in comments:
        if c.indicateur:
            by_code.setdefault(c.indicateur, []).append(_comment_text(c))
    rows = []
    for key in ("indicateurs", "indicateurs_hpr"):
        for item in brouillon.get(key) or []:
            if not isinstance(item, dict):
                continue
            code = str(item.get("code", ""))
            targets = item.get("cibles") or {}
            shown = " ; ".join(f"{y} : {_value(targets[y])}" for y in TARGET_YEARS if y in targets)
            base = item.get("valeur_initiale")
            rows.append(
                [
                    code,
                    "",
                    "—" if base is None else _value(base),
                    shown or "—",
                    "\n".join(by_code.pop(code, [])) or "—",
                ]
            )
    # comments on an indicator no longer in the dossier stay visible
    rows += [[code, "(retiré du dossier)", "—", "—", "\n".join(t)] for code, t in by_code.items()]
    return rows


def _general_comments(comments: list[CommentInfo]) -> str:
    general = [c for c in comments if not c.indicateur]
    if not general:
        return "Aucun commentaire sur le dossier entier."
    items = "\n".join(f"- {esc(_comment_text(c))}" for c in general)
    return f"**Commentaires sur le dossier entier**\n\n{items}"


def submit_state(saved: Saved, report: Report | None, *, dirty: bool) -> tuple[bool, str]:
    """Whether « Soumettre à l'ARS » is enabled, and why not (French)."""
    if saved.version == 0:
        return False, "Enregistrez d'abord le dossier : il n'existe pas encore à l'ARS."
    if saved.statut == "soumis":
        return False, "Le dossier est soumis : votre référent ARS l'examine."
    if saved.statut == "valide":
        return False, "Le dossier est validé par l'ARS."
    if report is not None and report.errors:
        return False, (
            f"Soumission impossible : la version enregistrée a {report.errors} erreur(s) "
            "(liste ci-dessous). Corrigez-les, enregistrez, puis soumettez."
        )
    if dirty:
        return True, "Des modifications ne sont pas enregistrées : elles le seront avant l'envoi."
    return True, "Le dossier peut être soumis à votre référent ARS."


def view(ctx: AppContext, actor: Actor, dossier: Dossier, saved: Saved) -> list[Any]:
    """The tab's content for the saved version: status, findings, comments, history, submit."""
    import gradio as gr

    if saved.version == 0:
        enabled, reason = submit_state(saved, None, dirty=False)
        return [
            "Ce dossier n'est pas encore enregistré dans la base : « Enregistrer » (en haut de "
            "la page) crée sa première version.",
            gr.update(interactive=enabled),
            reason,
            "",
            [],
            "",
            [],
        ]
    store = ctx.store()
    try:
        detail = get_dossier(store, actor, saved.finess)
    except NotFoundError:
        return view(ctx, actor, dossier, Saved(finess=saved.finess))
    comments = list_comments(store, actor, saved.finess)
    report = Report.model_validate(detail.rapport)
    rows = indicator_rows(detail.brouillon, comments)
    shown = dossier_of(detail.brouillon, ctx.kb())
    labels = {line.code: line.libelle for line in shown.lignes}
    for row in rows:
        row[1] = row[1] or labels.get(row[0], "")
    history = [
        [str(v.version), moment(v.cree_le), v.auteur, str(v.erreurs), str(v.avertissements)]
        for v in list_versions(store, actor, saved.finess)
    ]
    status = (
        f"**Statut : {STATUS_LABELS[detail.statut]}** — version {detail.version}, modifiée le "
        f"{moment(detail.modifie_le)} par {detail.modifie_par} · {detail.erreurs} erreur(s), "
        f"{detail.avertissements} avertissement(s)."
    )
    enabled, reason = submit_state(saved, report, dirty=is_dirty(ctx, dossier, saved))
    return [
        status,
        gr.update(interactive=enabled),
        reason,
        report_html(report, ctx.titles()),
        rows,
        _general_comments(comments),
        history,
    ]


def export_saved(ctx: AppContext, actor: Actor, saved: Saved) -> tuple[Path, Path]:
    """The saved version as XLSX (annex 5 layout) and JSON, as the whole-draft export writes.

    Raises:
        InvalidInputError: Nothing saved yet, or a version that does not follow the schema.
    """
    if saved.version == 0:
        raise InvalidInputError("Aucune version enregistrée à exporter : enregistrez d'abord.")
    detail = get_dossier(ctx.store(), actor, saved.finess)
    return export_draft(ctx, dossier_of(detail.brouillon, ctx.kb()), ctx.scratch())


def submit_dossier(ctx: AppContext, actor: Actor, dossier: Dossier, saved: Saved) -> Saved:
    """Save the unsaved work, then submit the saved version to the referent.

    Raises:
        SubmissionRefusedError: The saved version has errors.
        StatusError, AccessDeniedError, VersionConflictError: As the store decides.
    """
    if is_dirty(ctx, dossier, saved):
        saved = save(ctx, actor, dossier, saved)
    summary = submit(ctx.store(), actor, saved.finess)
    note = f"Dossier soumis à l'ARS (version {summary.version})."
    return saved.model_copy(update={"statut": summary.statut, "note": note})


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyDossierTab:
    """The tab's components."""

    status: Any
    submit_btn: Any
    reason: Any
    findings: Any
    indicators: Any
    comments: Any
    history: Any
    export_btn: Any
    xlsx: Any
    json: Any


def build() -> MyDossierTab:
    """Lay out the tab (call inside ``gr.Blocks``)."""
    import gradio as gr

    gr.Markdown(
        "Votre dossier tel que l'ARS le voit : sa dernière version enregistrée, les constats "
        "de la vérification, les commentaires de votre référent et l'historique des versions."
    )
    status = gr.Markdown(elem_id="my-status")
    with gr.Row():
        submit_btn = gr.Button(
            "Soumettre à l'ARS", variant="primary", interactive=False, elem_id="submit"
        )
    reason = gr.Markdown(elem_id="submit-reason")
    gr.Markdown("### Indicateurs et commentaires de l'ARS")
    indicators = gr.Dataframe(
        headers=list(INDICATOR_HEADERS),
        datatype=["str"] * len(INDICATOR_HEADERS),
        type="array",
        interactive=False,
        wrap=True,
        label="Indicateurs de la version enregistrée",
        elem_id="my-indicators",
    )
    comments = gr.Markdown(elem_id="my-comments")
    gr.Markdown("### Vérification de la version enregistrée")
    findings = gr.HTML(elem_id="my-findings")
    gr.Markdown("### Historique des versions")
    history = gr.Dataframe(
        headers=list(HISTORY_HEADERS),
        datatype=["str"] * len(HISTORY_HEADERS),
        type="array",
        interactive=False,
        label="Versions",
        elem_id="my-history",
    )
    gr.Markdown("### Exports de la version enregistrée")
    export_btn = gr.Button("Exporter la version enregistrée", elem_id="my-export")
    with gr.Row():
        xlsx = gr.DownloadButton("Télécharger (Excel, annexe 5)", visible=False, elem_id="my-xlsx")
        json = gr.DownloadButton("Télécharger (JSON)", visible=False, elem_id="my-json")
    return MyDossierTab(
        status, submit_btn, reason, findings, indicators, comments, history, export_btn, xlsx, json
    )


def outputs(tab: MyDossierTab) -> list[Any]:
    """The components ``view`` fills, in its order."""
    return [
        tab.status,
        tab.submit_btn,
        tab.reason,
        tab.findings,
        tab.indicators,
        tab.comments,
        tab.history,
    ]


__all__ = [
    "HISTORY_HEADERS",
    "INDICATOR_HEADERS",
    "MyDossierTab",
    "build",
    "export_saved",
    "indicator_rows",
    "outputs",
    "submit_dossier",
    "submit_state",
    "view",
]
