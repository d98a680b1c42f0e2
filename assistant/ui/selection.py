"""Choisir mes indicateurs: proposal, edits of the selection, live rule check."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError, InvalidInputError
from assistant.ui import render
from assistant.ui.workspace import (
    Dossier,
    Line,
    ProfileForm,
    canonical,
    describe,
    lines_from_proposal,
    lines_from_rows,
    profile_of,
    split_annexes,
)

if TYPE_CHECKING:
    from assistant.ui.service import AppContext


def propose_selection(ctx: AppContext, form: ProfileForm, dossier: Dossier) -> tuple[Dossier, str]:
    """Propose a selection for the profile; values already drafted for a code are kept.

    Returns:
        The dossier with the new selection, and HTML notes (excluded indicators, alternatives).

    Raises:
        InvalidInputError: The profile is incomplete or invalid.
    """
    from assistant.propose import propose

    profile = profile_of(form)
    try:
        index = ctx.service.index()
    except AssistantError:
        index = None
    proposal = propose(profile, kb=ctx.kb(), rules=ctx.rules(), index=index, settings=ctx.settings)
    updated = dossier.model_copy(
        update={"profil": form, "lignes": lines_from_proposal(proposal, dossier.lignes)}
    )
    return updated, _proposal_notes(proposal)


def _proposal_notes(proposal: Any) -> str:
    esc = render.esc
    parts = [f"<p><strong>Proposition pour {esc(proposal.etablissement)}</strong>"]
    parts.append(
        " (mode hors ligne : éligibilité et pertinence calculées d'après les fiches)</p>"
        if proposal.mode == "hors_ligne"
        else " (classement et motifs rédigés avec le modèle de langage, vérifiés)</p>"
    )
    parts += [f'<p class="cpom-notice">{esc(note)}</p>' for note in proposal.notes]
    if proposal.alternatives:
        items = "".join(
            f"<li><strong>{esc(a.code)}</strong> — {esc(a.libelle)}</li>"
            for a in proposal.alternatives
        )
        parts.append(
            "<details class='cpom-source'><summary>Autres indicateurs possibles "
            f"({len(proposal.alternatives)})</summary><ul>{items}</ul></details>"
        )
    if proposal.exclus:
        items = "".join(
            f"<li><strong>{esc(e.code)}</strong> — {esc(e.libelle)} : {esc(e.motif)}</li>"
            for e in proposal.exclus
        )
        parts.append(
            "<details class='cpom-source'><summary>Indicateurs non accessibles à ce profil "
            f"({len(proposal.exclus)})</summary><ul>{items}</ul></details>"
        )
    return "".join(parts)


def selection_counts(dossier: Dossier) -> dict[str, int]:
    """How many CT, OS, HPR and unknown codes the selection holds."""
    counts = Counter(line.categorie or "?" for line in dossier.lignes)
    return {key: counts.get(key, 0) for key in ("CT", "OS", "HPR", "?")}


def _limits(ctx: AppContext) -> dict[str, int | None]:
    rules = ctx.rules()

    def param(rule_id: str, name: str) -> int | None:
        rule = rules.get(rule_id)
        value = rule.params.get(name) if rule is not None else None
        return int(value) if isinstance(value, int | float) else None

    return {
        "max": param("SEL-MAX", "max"),
        "min_ct": param("SEL-MIN-CT", "min"),
        "min_os": param("SEL-MIN-OS", "min"),
    }


def check_selection(ctx: AppContext, dossier: Dossier) -> str:
    """The live rule check of the selection: counts CT/OS/HPR, errors and warnings."""
    from assistant.propose.selection import check_selection as run_check

    counts = selection_counts(dossier)
    limits = _limits(ctx)
    if not dossier.lignes:
        return render.selection_check_html(
            counts, limits, None, problem="Aucun indicateur retenu pour l'instant."
        )
    try:
        profile = profile_of(dossier.profil)
    except InvalidInputError as exc:
        return render.selection_check_html(
            counts,
            limits,
            None,
            problem=f"Complétez le profil pour vérifier la sélection. {exc.message}",
        )
    kb = ctx.kb()
    strategic, hpr = split_annexes(dossier.lignes, kb)
    report = run_check(
        profile,
        [line.code for line in strategic],
        [line.code for line in hpr],
        kb=kb,
        rules=ctx.rules(),
    )
    return render.selection_check_html(counts, limits, report, titles=ctx.titles())


def edit_selection(ctx: AppContext, rows: Sequence[Sequence[Any]], dossier: Dossier) -> Dossier:
    """The dossier after the user edited the selection table."""
    return dossier.model_copy(update={"lignes": lines_from_rows(rows, dossier.lignes, ctx.kb())})


def add_indicator(ctx: AppContext, code: str | None, dossier: Dossier) -> Dossier:
    """Add an indicator to the selection (already there: unchanged).

    Raises:
        UnknownIndicatorError: Not an indicator code (French message with close codes).
    """
    from assistant.kb import normalize_code

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
