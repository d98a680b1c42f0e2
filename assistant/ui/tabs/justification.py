"""« Rédiger une justification »: one indicator's draft, its edits, trajectory and findings.

The tab ends with the whole draft's check and export (``assistant.ui.whole_draft``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import (
    TARGET_YEARS,
    IndicatorDraft,
    InvalidInputError,
    Lecture,
    draft_indicator,
    justification_of,
    validate_draft,
)
from assistant.ui import trajectory, whole_draft
from assistant.ui.draft_notes import draft_notes_html
from assistant.ui.errors import french_errors
from assistant.ui.findings import findings_html
from assistant.ui.limits import CONCURRENCY
from assistant.ui.workspace import Dossier, Redaction, draft_tree, profile_of, with_line

if TYPE_CHECKING:
    from assistant.ui.service import AppContext

YEAR_HEADERS: tuple[str, ...] = ("Année", "Cible retenue", "Règle de la fiche")
TEXTS: tuple[str, ...] = (
    "contexte",
    "diagnostic",
    "actions",
    "suivi",
    "partenaires",
    "moyens",
    "preuves",
)
"""The editor's text fields, in the order of its components."""
LECTURES: tuple[tuple[str, str], ...] = (
    ("en % de la valeur (lecture relative)", "relative"),
    ("en points de taux", "points"),
)
"""How a growth in « % » of a rate or in « points » is read: the choices of the editor."""


# --- handlers ------------------------------------------------------------------------------


def draft_justification(
    ctx: AppContext,
    dossier: Dossier,
    code: str | None,
    baseline: str | None,
    lecture: Lecture | None = None,
) -> tuple[Dossier, IndicatorDraft]:
    """Draft one indicator of the selection; the result is saved in the dossier.

    The profile's « déjà engagés » choice picks the fiche's row; ``lecture`` reads a growth in
    « % » of a rate or in « points » (relative by default), the other reading is shown too.

    Raises:
        InvalidInputError: No indicator chosen, profile incomplete, wrong baseline, or an
            indicator this establishment cannot choose.
    """
    if not code:
        raise InvalidInputError("Choisissez un indicateur de votre sélection.")
    draft = draft_indicator(
        profile_of(dossier.profil),
        code,
        baseline=(baseline or "").strip() or None,
        kb=ctx.kb(),
        rules=ctx.rules(),
        settings=ctx.settings,
        lecture=lecture,
    )
    justification, commentaire = justification_of(draft, prompts_dir=ctx.settings.prompts_dir)
    redaction = Redaction(
        contexte=draft.contexte,
        diagnostic_initial=draft.diagnostic_initial,
        actions=list(draft.actions),
        suivi=draft.suivi,
        partenaires=draft.partenaires,
        moyens=draft.moyens,
        preuves=list(draft.preuves),
        risques=list(draft.risques),
        trajectoire_fiche=dict(draft.trajectoire),
        regles=dict(draft.regles),
        unite=draft.unite,
    )
    update = {
        "valeur_initiale": draft.valeur_initiale,
        "cibles": {y: v for y, v in draft.trajectoire.items() if v is not None},
        "justification": justification,
        "commentaire": commentaire,
        "redaction": redaction,
        "lecture": lecture or "relative",
    }
    return with_line(dossier, draft.code, update, ctx.kb()), draft


def save_justification(
    ctx: AppContext,
    dossier: Dossier,
    code: str | None,
    *,
    baseline: str | None,
    contexte: str,
    diagnostic: str,
    actions: str,
    suivi: str,
    partenaires: str,
    years: Sequence[Sequence[Any]],
    moyens: str = "",
    preuves: str = "",
) -> Dossier:
    """Keep the edited texts and targets of one indicator in the dossier (never judged here)."""
    line = dossier.line(code) if code else None
    if code is None or line is None:
        return dossier
    redaction = (line.redaction or Redaction()).model_copy(
        update={
            "contexte": contexte or "",
            "diagnostic_initial": diagnostic or "",
            "actions": _items(actions),
            "suivi": suivi or "",
            "partenaires": partenaires or "",
            "moyens": moyens or "",
            "preuves": _items(preuves),
        }
    )
    targets = {str(row[0]).strip(): row[1] for row in years if len(row) > 1 and str(row[0]).strip()}
    kept = {y: targets.get(y) for y in line.target_years()}
    cibles = {y: v for y, v in kept.items() if v is not None and str(v).strip() != ""}
    justification, commentaire = _texts(ctx, redaction)
    update = {
        "valeur_initiale": (baseline or "").strip() or None,
        "cibles": cibles,
        "justification": justification,
        "commentaire": commentaire,
        "redaction": redaction,
    }
    return with_line(dossier, code, update, ctx.kb())


def _items(text: str | None) -> list[str]:
    """One item per line, list marks dropped."""
    return [a.strip(" -•\t") for a in (text or "").splitlines() if a.strip(" -•\t")]


def _texts(ctx: AppContext, redaction: Redaction) -> tuple[str, str]:
    """The draft file's justification and comment, from the edited parts."""
    if not any([redaction.contexte, redaction.diagnostic_initial, redaction.actions]):
        return "", ""
    draft = IndicatorDraft.model_construct(  # only the texts are read: no validation
        code="",
        libelle="",
        trajectoire={},
        contexte=redaction.contexte,
        diagnostic_initial=redaction.diagnostic_initial,
        actions=redaction.actions,
        suivi=redaction.suivi,
        partenaires=redaction.partenaires,
        moyens=redaction.moyens,
        preuves=redaction.preuves,
    )
    return justification_of(draft, prompts_dir=ctx.settings.prompts_dir)


def editor_values(dossier: Dossier, code: str | None) -> dict[str, Any]:
    """What the editor shows for an indicator of the dossier (empty when not drafted yet).

    Returns:
        The texts, ``years`` (the targets table's rows), and the trajectory: ``chart`` (the
        points of the line chart, None when there is no number to draw) and ``table`` (the
        trajectory as a table when it is not made of numbers, else None).
    """
    line = dossier.line(code) if code else None
    redaction = (line.redaction if line else None) or Redaction()
    baseline = None if line is None else line.valeur_initiale
    cibles: Mapping[str, Any] = line.cibles if line else {}
    fiche = redaction.trajectoire_fiche
    years = line.target_years() if line else TARGET_YEARS
    shown = line is not None and bool(cibles or fiche)
    numeric = shown and trajectory.is_numeric(cibles, fiche, years)
    return {
        "lecture": line.lecture if line else "relative",
        "baseline": "" if baseline is None else str(baseline),
        "contexte": redaction.contexte,
        "diagnostic": redaction.diagnostic_initial,
        "actions": "\n".join(redaction.actions),
        "suivi": redaction.suivi,
        "partenaires": redaction.partenaires,
        "moyens": redaction.moyens,
        "preuves": "\n".join(redaction.preuves),
        "years": [
            [y, "" if cibles.get(y) is None else cibles[y], redaction.regles.get(y, "")]
            for y in years
        ],
        "chart": trajectory.points(baseline, cibles, fiche, years=years) if numeric else None,
        "table": trajectory.table(baseline, cibles, fiche, years=years)
        if shown and not numeric
        else None,
    }


def line_findings(ctx: AppContext, dossier: Dossier, code: str | None) -> str:
    """The validator's findings on one indicator line of the whole draft (HTML)."""
    if not code:
        return ""
    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    report = validate_draft(tree, kb=ctx.kb(), rules=ctx.rules())
    findings = [f for f in report.findings if f.indicator == code]
    if not findings:
        return (
            '<p class="cpom-verdict cpom-valid">Aucun constat du validateur sur cet indicateur.</p>'
        )
    return findings_html(findings, ctx.titles())


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class JustificationTab:
    """The tab's components (the whole draft's section apart)."""

    indicator: Any
    baseline: Any
    lecture: Any
    draft_btn: Any
    texts: list[Any]
    """Contexte, diagnostic, actions, suivi, partenaires, moyens, preuves (``TEXTS`` order)."""
    years: Any
    chart: Any
    table: Any
    line_check: Any
    notes: Any
    whole: whole_draft.WholeDraft

    @property
    def typed(self) -> list[Any]:
        """What the user types: the 2024 value, the texts, the targets table."""
        return [self.baseline, *self.texts, self.years]

    @property
    def editor(self) -> list[Any]:
        """What ``editor_views`` fills: the typed fields, the trajectory, the line's findings."""
        return [*self.typed, self.chart, self.table, self.line_check]


def build() -> JustificationTab:
    """Lay out the tab (call inside ``gr.Tab``)."""
    import gradio as gr

    with gr.Row():
        indicator = gr.Dropdown(
            [], label="Indicateur de votre sélection", scale=3, elem_id="indicator"
        )
        baseline = gr.Textbox(
            label="Valeur initiale 2024",
            placeholder="ex. 42, 12,5 ou oui",
            scale=1,
            elem_id="baseline",
        )
        lecture = gr.Radio(
            [*LECTURES],
            value="relative",
            label="Hausse en « % » d'un taux ou en « points »",
            info="Deux lectures possibles : l'autre trajectoire est donnée sous l'éditeur.",
            scale=2,
            elem_id="lecture",
        )
        draft_btn = gr.Button(
            "Rédiger le brouillon",
            variant="primary",
            scale=0,
            min_width=200,
            elem_id="draft",
            elem_classes=["cpom-align-end"],
        )
    with gr.Row():
        with gr.Column(scale=3):
            texts = [
                gr.Textbox(label="Contexte", lines=4),
                gr.Textbox(label="Diagnostic initial (valeur 2024)", lines=3, elem_id="diagnostic"),
                gr.Textbox(label="Actions (une par ligne)", lines=5),
                gr.Textbox(label="Suivi (source des données, fréquence)", lines=2),
                gr.Textbox(label="Partenaires", lines=2),
                gr.Textbox(label="Moyens (qui, quelles ressources)", lines=2),
                gr.Textbox(label="Éléments de preuve pour l'évaluation (un par ligne)", lines=2),
            ]
        with gr.Column(scale=2):
            years, chart, table = _trajectory()
            line_check = gr.HTML(elem_id="line-check")
            notes = gr.HTML(elem_id="draft-notes")
    whole = whole_draft.build()
    return JustificationTab(
        indicator=indicator,
        baseline=baseline,
        lecture=lecture,
        draft_btn=draft_btn,
        texts=texts,
        years=years,
        chart=chart,
        table=table,
        line_check=line_check,
        notes=notes,
        whole=whole,
    )


def _trajectory() -> tuple[Any, Any, Any]:
    """The targets table (editable), then the line chart and the table for yes/no values."""
    import gradio as gr

    years = gr.Dataframe(
        headers=list(YEAR_HEADERS),
        datatype=["str", "str", "str"],
        type="array",
        row_count=5,
        column_count=3,
        interactive=True,
        static_columns=[0, 2],
        wrap=True,
        label="Trajectoire 2025-2029 (cibles modifiables)",
        elem_id="years",
        elem_classes=["cpom-table-sans"],
    )
    return years, *trajectory.build()


# --- callbacks -----------------------------------------------------------------------------


def restore(dossier: Dossier, code: str | None) -> list[Any]:
    """What was typed for an indicator and its trajectory (``tab.editor`` order, no findings).

    After a reload, on the indicator the selection shows first; ``refresh`` adds the findings.
    """
    v = editor_values(dossier, code)
    return [
        v["baseline"],
        *(v[name] for name in TEXTS),
        v["years"],
        *trajectory.views(v["chart"], v["table"]),
    ]


def editor_views(ctx: AppContext, dossier: Dossier, code: str | None) -> list[Any]:
    """The editor's values, trajectory and findings for an indicator (``tab.editor`` order)."""
    return [*restore(dossier, code), line_findings(ctx, dossier, code)]


def restore_outputs(tab: JustificationTab) -> list[Any]:
    """The components ``restore`` fills, in order."""
    return tab.editor[:-1]


def refresh(ctx: AppContext, dossier: Dossier, code: str | None) -> list[Any]:
    """The validator's findings on the indicator shown, after a reload."""
    return [line_findings(ctx, dossier, code)]


def refresh_outputs(tab: JustificationTab) -> list[Any]:
    """The components ``refresh`` fills, in order."""
    return [tab.line_check]


def wire(tab: JustificationTab, ctx: AppContext, *, dossier: Any) -> None:
    """Attach the tab's callbacks (call inside ``gr.Blocks``)."""
    import gradio as gr

    t = tab

    def pick(stored: Any, code: str | None) -> list[Any]:
        d = Dossier.load(stored)
        return [*restore(d, code), "", editor_values(d, code)["lecture"]]

    def check(stored: Any, code: str | None) -> list[Any]:
        return refresh(ctx, Dossier.load(stored), code)

    @french_errors
    def draft(stored: Any, code: str | None, baseline: str, lecture: Lecture | None) -> list[Any]:
        d, drafted = draft_justification(ctx, Dossier.load(stored), code, baseline, lecture)
        notes = draft_notes_html(drafted, ctx.titles())
        return [d.store(), *editor_views(ctx, d, drafted.code), notes]

    def save(stored: Any, code: str | None, baseline: str, *typed: Any) -> list[Any]:
        *texts, rows = typed
        d = save_justification(
            ctx,
            Dossier.load(stored),
            code,
            baseline=baseline,
            **dict(zip(TEXTS, texts, strict=True)),
            years=rows or [],
        )
        return [d.store(), *editor_views(ctx, d, code)[-3:]]

    # what was kept for the indicator shows at once (nothing typed next is overwritten by a
    # late reply), then its findings
    t.indicator.input(
        pick, [dossier, t.indicator], [*t.editor[:-1], t.notes, t.lecture], queue=False
    ).then(check, [dossier, t.indicator], [t.line_check])
    saving = gr.on(
        [c.input for c in t.typed],
        save,
        [dossier, t.indicator, *t.typed],
        [dossier, t.chart, t.table, t.line_check],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    # the draft replaces every typed field and takes the typed baseline with it: a save still
    # running would answer after it with the dossier from before the draft, and undo it
    t.draft_btn.click(
        draft,
        [dossier, t.indicator, t.baseline, t.lecture],
        [dossier, *t.editor, t.notes],
        concurrency_limit=CONCURRENCY,
        cancels=[saving],
    )
    whole_draft.wire(t.whole, ctx, dossier=dossier)


__all__ = [
    "LECTURES",
    "TEXTS",
    "YEAR_HEADERS",
    "JustificationTab",
    "build",
    "draft_justification",
    "editor_values",
    "line_findings",
    "refresh",
    "refresh_outputs",
    "restore",
    "restore_outputs",
    "save_justification",
    "wire",
]
