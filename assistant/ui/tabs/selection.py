"""« Choisir mes indicateurs »: the profile, a proposal, edits of the selection, the rule check.

The selection is kept in the dossier (``gr.BrowserState``); every edit is checked at once
against the campaign's selection rules (``assistant.ui.rule_check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import AssistantError, InvalidInputError, normalize_code
from assistant import propose_selection as propose
from assistant.ui import profile_form as profile
from assistant.ui.errors import french_errors
from assistant.ui.escaping import md
from assistant.ui.limits import CONCURRENCY
from assistant.ui.rule_check import COUNT_HEADERS, check_selection
from assistant.ui.workspace import (
    SELECTION_HEADERS,
    Dossier,
    Line,
    ProfileForm,
    canonical,
    describe,
    lines_from_proposal,
    lines_from_rows,
    profile_of,
    rows_of,
)

if TYPE_CHECKING:
    from assistant import Proposal
    from assistant.ui.service import AppContext

OTHER_HEADERS: tuple[str, ...] = ("Code", "Libellé", "Pour ce profil")


# --- handlers ------------------------------------------------------------------------------


def propose_selection(
    ctx: AppContext, form: ProfileForm, dossier: Dossier
) -> tuple[Dossier, Proposal]:
    """Propose a selection for the profile; values already drafted for a code are kept.

    Returns:
        The dossier with the new selection, and the proposal (for its notes and the other
        indicators).

    Raises:
        InvalidInputError: The profile is incomplete or invalid.
    """
    profile_ = profile_of(form)
    try:
        index = ctx.service.index()
    except AssistantError:
        index = None
    proposal = propose(profile_, kb=ctx.kb(), rules=ctx.rules(), index=index, settings=ctx.settings)
    updated = dossier.model_copy(
        update={"profil": form, "lignes": lines_from_proposal(proposal, dossier.lignes)}
    )
    return updated, proposal


def edit_selection(ctx: AppContext, rows: Sequence[Sequence[Any]], dossier: Dossier) -> Dossier:
    """The dossier after the user edited the selection table."""
    return dossier.model_copy(update={"lignes": lines_from_rows(rows, dossier.lignes, ctx.kb())})


def add_indicator(ctx: AppContext, code: str | None, dossier: Dossier) -> Dossier:
    """Add an indicator to the selection (already there: unchanged).

    Raises:
        UnknownIndicatorError: Not an indicator code (French message with close codes).
    """
    if not code or not code.strip():
        raise InvalidInputError("Choisissez l'indicateur à ajouter.")
    kb = ctx.kb()
    code = normalize_code(code, known=[*kb.indicators, *kb.hpr])
    if dossier.line(code) is not None:
        return dossier
    libelle, categorie = describe(code, kb)
    line = Line(
        code=code, libelle=libelle, categorie=categorie, pourquoi="Ajouté par l'établissement."
    )
    return dossier.model_copy(update={"lignes": [*dossier.lignes, line]})


def remove_indicator(ctx: AppContext, code: str | None, dossier: Dossier) -> Dossier:
    """Remove an indicator from the selection (its drafted values go with it)."""
    if not code:
        raise InvalidInputError("Choisissez l'indicateur à retirer.")
    code = canonical(code, ctx.kb())
    return dossier.model_copy(update={"lignes": [ln for ln in dossier.lignes if ln.code != code]})


def indicator_choices(ctx: AppContext, *, exclude: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Dropdown choices ``CODE — libellé`` for every indicator (strategic then HPR)."""
    kb = ctx.kb()
    items = [(c, i.label) for c, i in kb.indicators.items()] + [
        (c, h.label) for c, h in kb.hpr.items()
    ]
    return [(f"{c} — {_short(label)}", c) for c, label in items if c not in exclude]


def selection_choices(dossier: Dossier) -> list[tuple[str, str]]:
    """Dropdown choices for the selected indicators."""
    return [
        (f"{ln.code} — {_short(ln.libelle)}" if ln.libelle else ln.code, ln.code)
        for ln in dossier.lignes
    ]


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def proposal_summary(proposal: Proposal) -> str:
    """What the proposal says of itself (Markdown): for whom, how it was made, its notes."""
    how = (
        "mode hors ligne : éligibilité et pertinence calculées d'après les fiches"
        if proposal.mode == "hors_ligne"
        else "classement et motifs rédigés avec le modèle de langage, vérifiés"
    )
    parts = [f"**Proposition pour {md(proposal.etablissement)}** ({how})"]
    parts += [f"*{md(note)}*" for note in proposal.notes]
    parts += [
        f"**Priorité non couverte** : {md(u.message)}" for u in proposal.priorites_non_couvertes
    ]
    parts += [f"**Attention** : {md(warning)}" for warning in proposal.avertissements]
    return "\n\n".join(parts)


def other_rows(proposal: Proposal) -> list[list[str]]:
    """The indicators left out: the other possible ones, then those this profile cannot take."""
    return [[a.code, a.libelle, "possible"] for a in proposal.alternatives] + [
        [e.code, e.libelle, f"non accessible : {e.motif}"] for e in proposal.exclus
    ]


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectionTab:
    """The selection tab's components."""

    form: profile.ProfileInputs
    propose_btn: Any
    summary: Any
    others_box: Any
    others: Any
    table: Any
    to_add: Any
    add_btn: Any
    to_remove: Any
    remove_btn: Any
    counts: Any
    verdict: Any
    findings: Any


def build(engaged: Sequence[tuple[str, str]] = ()) -> SelectionTab:
    """Lay out the tab (call inside ``gr.Tab``): the profile left, the selection right.

    Args:
        engaged: The choices of the profile's « déjà engagés » field.
    """
    import gradio as gr

    with gr.Row():
        with gr.Column(scale=2, min_width=320):
            form = profile.build(engaged)
            propose_btn = gr.Button("Proposer une sélection", variant="primary", elem_id="propose")
        with gr.Column(scale=3, min_width=420):
            gr.Markdown("### Sélection d'indicateurs")
            summary = gr.Markdown(elem_id="proposal-summary")
            with gr.Accordion("Autres indicateurs", open=False, visible=False) as others_box:
                others = _table(OTHER_HEADERS, "others", widths=["22%", "48%", "30%"], height=320)
            table = gr.Dataframe(
                headers=list(SELECTION_HEADERS),
                datatype=["str"] * 5,
                type="array",
                column_count=5,
                interactive=True,
                wrap=True,
                column_widths=["16%", "31%", "7%", "27%", "19%"],
                max_height=440,
                label="Indicateurs retenus (modifiables)",
                elem_id="selection-table",
                elem_classes=["cpom-table-sans"],
            )
            to_add, add_btn = _pick_and_act("Ajouter un indicateur", "Ajouter", "add")
            to_remove, remove_btn = _pick_and_act("Retirer un indicateur", "Retirer", "remove")
            gr.Markdown("#### Vérification des règles de sélection")
            counts = _table(COUNT_HEADERS, "selection-counts", widths=["45%", "20%", "35%"])
            verdict = gr.Markdown(elem_id="selection-verdict")
            findings = gr.HTML(elem_id="selection-check")
    return SelectionTab(
        form=form,
        propose_btn=propose_btn,
        summary=summary,
        others_box=others_box,
        others=others,
        table=table,
        to_add=to_add,
        add_btn=add_btn,
        to_remove=to_remove,
        remove_btn=remove_btn,
        counts=counts,
        verdict=verdict,
        findings=findings,
    )


def _table(
    headers: Sequence[str], elem_id: str, *, widths: list[str | int], height: int = 500
) -> Any:
    """A read-only table of text (scrolls beyond ``height`` pixels)."""
    import gradio as gr

    return gr.Dataframe(
        headers=list(headers),
        datatype=["str"] * len(headers),
        type="array",
        interactive=False,
        wrap=True,
        column_widths=widths,
        max_height=height,
        show_label=False,
        elem_id=elem_id,
        elem_classes=["cpom-table-sans"],
    )


def _pick_and_act(label: str, action: str, elem_id: str) -> tuple[Any, Any]:
    """A dropdown of indicators and the button that acts on the one chosen."""
    import gradio as gr

    with gr.Row():
        dropdown = gr.Dropdown([], label=label, scale=3, elem_id=f"to-{elem_id}")
        button = gr.Button(
            action, scale=0, min_width=120, elem_id=elem_id, elem_classes=["cpom-align-end"]
        )
    return dropdown, button


# --- callbacks -----------------------------------------------------------------------------


def check_views(ctx: AppContext, dossier: Dossier) -> list[Any]:
    """The rule check's counts, banner and findings."""
    import gradio as gr

    check = check_selection(ctx, dossier)
    banner = gr.update(value=check.verdict, elem_classes=check.banner_classes)
    return [check.counts, banner, check.findings]


def selection_views(ctx: AppContext, dossier: Dossier, code: str | None = None) -> list[Any]:
    """Table, rule check, the add and remove dropdowns and the justification's indicator."""
    import gradio as gr

    chosen = selection_choices(dossier)
    codes = dossier.codes()
    keep = code if code in codes else (codes[0] if codes else None)
    return [
        rows_of(dossier.lignes),
        *check_views(ctx, dossier),
        gr.update(choices=indicator_choices(ctx, exclude=codes), value=None),
        gr.update(choices=chosen, value=None),
        gr.update(choices=chosen, value=keep),
    ]


def selection_outputs(tab: SelectionTab, indicator: Any) -> list[Any]:
    """The components ``selection_views`` fills, in order."""
    return [tab.table, tab.counts, tab.verdict, tab.findings, tab.to_add, tab.to_remove, indicator]


def restore(dossier: Dossier) -> list[Any]:
    """What the user typed and chose, after a reload: the profile and the selection.

    Needs neither the knowledge base nor the rules, so that it is back at once (``refresh``
    adds the rule check), before the user types anything it could overwrite.
    """
    import gradio as gr

    chosen = selection_choices(dossier)
    codes = dossier.codes()
    return [
        *profile.values_of(dossier.profil),
        rows_of(dossier.lignes),
        gr.update(choices=chosen, value=None),
        gr.update(choices=chosen, value=codes[0] if codes else None),
    ]


def restore_outputs(tab: SelectionTab, indicator: Any) -> list[Any]:
    """The components ``restore`` fills, in order."""
    return [*tab.form.inputs, tab.table, tab.to_remove, indicator]


def refresh(ctx: AppContext, dossier: Dossier) -> list[Any]:
    """The rule check and the indicators that can be added, after a reload."""
    import gradio as gr

    choices = indicator_choices(ctx, exclude=dossier.codes())
    return [*check_views(ctx, dossier), gr.update(choices=choices, value=None)]


def refresh_outputs(tab: SelectionTab) -> list[Any]:
    """The components ``refresh`` fills, in order."""
    return [tab.counts, tab.verdict, tab.findings, tab.to_add]


def with_profile(stored: Any, *values: Any) -> Any:
    """The stored dossier with the profile as the form shows it (``tab.form.inputs`` order)."""
    d = Dossier.load(stored)
    return d.model_copy(update={"profil": profile.form_of(*values)}).store()


def wire(tab: SelectionTab, ctx: AppContext, *, dossier: Any, indicator: Any) -> Any:
    """Attach the tab's callbacks (call inside ``gr.Blocks``); return the profile's save event.

    The profile is kept in the dossier as it is typed; the returned event lets a save to the
    server take the form's own values and cancel a keep still running, whose late reply would
    bring back a dossier from before the last keys.

    Args:
        tab: The tab's components.
        ctx: The app's context.
        dossier: The user's dossier (``gr.BrowserState``).
        indicator: The justification tab's indicator dropdown, whose choices are the selection.
    """
    import gradio as gr

    t, inputs = tab, tab.form.inputs
    outputs = selection_outputs(tab, indicator)
    check = [t.counts, t.verdict, t.findings]

    def save_profile(stored: Any, *values: Any) -> list[Any]:
        kept = with_profile(stored, *values)
        return [kept, *check_views(ctx, Dossier.load(kept))]

    @french_errors
    def propose(stored: Any, *values: Any) -> list[Any]:
        d, proposal = propose_selection(ctx, profile.form_of(*values), Dossier.load(stored))
        rows = other_rows(proposal)
        label = f"Autres indicateurs ({len(proposal.alternatives)} possibles, "
        label += f"{len(proposal.exclus)} non accessibles à ce profil)"
        box = gr.update(visible=bool(rows), label=label)
        return [d.store(), proposal_summary(proposal), box, rows, *selection_views(ctx, d)]

    def edit_table(stored: Any, rows: list[list[Any]] | None) -> list[Any]:
        d = edit_selection(ctx, rows or [], Dossier.load(stored))
        return [d.store(), *selection_views(ctx, d)[1:]]

    @french_errors
    def add(stored: Any, code: str | None) -> list[Any]:
        d = add_indicator(ctx, code, Dossier.load(stored))
        return [d.store(), *selection_views(ctx, d)]

    @french_errors
    def remove(stored: Any, code: str | None) -> list[Any]:
        d = remove_indicator(ctx, code, Dossier.load(stored))
        return [d.store(), *selection_views(ctx, d)]

    keeping = gr.on(
        [c.input for c in inputs],
        save_profile,
        [dossier, *inputs],
        [dossier, *check],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    t.propose_btn.click(
        propose,
        [dossier, *inputs],
        [dossier, t.summary, t.others_box, t.others, *outputs],
        concurrency_limit=CONCURRENCY,
    )
    t.table.input(
        edit_table, [dossier, t.table], [dossier, *outputs[1:]], trigger_mode="always_last"
    )
    t.add_btn.click(add, [dossier, t.to_add], [dossier, *outputs])
    t.remove_btn.click(remove, [dossier, t.to_remove], [dossier, *outputs])
    return keeping


__all__ = [
    "SelectionTab",
    "add_indicator",
    "build",
    "check_selection",
    "edit_selection",
    "indicator_choices",
    "propose_selection",
    "refresh",
    "refresh_outputs",
    "remove_indicator",
    "restore",
    "restore_outputs",
    "selection_choices",
    "wire",
    "with_profile",
]
