"""Rédiger une justification: one indicator's draft, edits, findings; the whole draft's export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.drafts import TARGET_YEARS, draft_to_json
from assistant.errors import InvalidInputError
from assistant.kb.models import HPR_YEARS
from assistant.ui import render
from assistant.ui.chart import trajectory_chart
from assistant.ui.exports import annex_workbook, write_bytes
from assistant.ui.workspace import (
    Dossier,
    Line,
    Redaction,
    describe,
    draft_model,
    draft_tree,
    profile_of,
)

if TYPE_CHECKING:
    from assistant.drafting import IndicatorDraft
    from assistant.ui.service import AppContext


YEAR_HEADERS: tuple[str, ...] = ("Année", "Cible retenue", "Règle de la fiche")


def draft_justification(
    ctx: AppContext, dossier: Dossier, code: str | None, baseline: str | None
) -> tuple[Dossier, IndicatorDraft]:
    """Draft one indicator of the selection; the result is saved in the dossier.

    Raises:
        InvalidInputError: No indicator chosen, profile incomplete, wrong baseline, or an
            indicator this establishment cannot choose.
    """
    from assistant.drafting import draft_indicator
    from assistant.drafting.indicator import justification_of

    if not code:
        raise InvalidInputError("Choisissez un indicateur de votre sélection.")
    profile = profile_of(dossier.profil)
    draft = draft_indicator(
        profile,
        code,
        baseline=(baseline or "").strip() or None,
        kb=ctx.kb(),
        rules=ctx.rules(),
        settings=ctx.settings,
    )
    justification, commentaire = justification_of(draft, prompts_dir=ctx.settings.prompts_dir)
    redaction = Redaction(
        contexte=draft.contexte,
        diagnostic_initial=draft.diagnostic_initial,
        actions=list(draft.actions),
        suivi=draft.suivi,
        partenaires=draft.partenaires,
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
    }
    return _with_line(ctx, dossier, draft.code, update), draft


def _with_line(ctx: AppContext, dossier: Dossier, code: str, update: dict[str, Any]) -> Dossier:
    lines = list(dossier.lignes)
    for i, line in enumerate(lines):
        if line.code == code:
            lines[i] = line.model_copy(update=update)
            break
    else:
        libelle, categorie = describe(code, ctx.kb())
        lines.append(Line(code=code, libelle=libelle, categorie=categorie, **update))
    return dossier.model_copy(update={"lignes": lines})


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
) -> Dossier:
    """Keep the edited texts and targets of one indicator in the dossier (never judged here)."""
    if not code or dossier.line(code) is None:
        return dossier
    line = dossier.line(code)
    assert line is not None
    previous = line.redaction or Redaction()
    redaction = previous.model_copy(
        update={
            "contexte": contexte or "",
            "diagnostic_initial": diagnostic or "",
            "actions": [a.strip(" -•\t") for a in (actions or "").splitlines() if a.strip(" -•\t")],
            "suivi": suivi or "",
            "partenaires": partenaires or "",
        }
    )
    targets = {str(row[0]).strip(): row[1] for row in years if len(row) > 1 and str(row[0]).strip()}
    cibles = {
        y: v for y in years_of(line) if (v := targets.get(y)) is not None and str(v).strip() != ""
    }
    justification, commentaire = _texts(ctx, redaction)
    update = {
        "valeur_initiale": (baseline or "").strip() or None,
        "cibles": cibles,
        "justification": justification,
        "commentaire": commentaire,
        "redaction": redaction,
    }
    return _with_line(ctx, dossier, code, update)


def _texts(ctx: AppContext, redaction: Redaction) -> tuple[str, str]:
    """The draft file's justification and comment, from the edited parts."""
    from assistant.drafting.indicator import justification_of
    from assistant.drafting.models import IndicatorDraft

    if not any([redaction.contexte, redaction.diagnostic_initial, redaction.actions]):
        return "", ""
    draft = IndicatorDraft.model_construct(
        contexte=redaction.contexte,
        diagnostic_initial=redaction.diagnostic_initial,
        actions=redaction.actions,
        suivi=redaction.suivi,
        partenaires=redaction.partenaires,
    )
    return justification_of(draft, prompts_dir=ctx.settings.prompts_dir)


def years_of(line: Line | None) -> tuple[str, ...]:
    """The years a line has targets for: 2025-2029, or 2025-2027 for the HPR annex."""
    if line is not None and line.categorie == "HPR":
        return tuple(str(y) for y in HPR_YEARS)
    return TARGET_YEARS


def editor_values(dossier: Dossier, code: str | None) -> dict[str, Any]:
    """What the editor shows for an indicator of the dossier (empty when not drafted yet)."""
    line = dossier.line(code) if code else None
    redaction = (line.redaction if line else None) or Redaction()
    baseline = "" if line is None or line.valeur_initiale is None else str(line.valeur_initiale)
    cibles = line.cibles if line else {}
    years = years_of(line)
    return {
        "baseline": baseline,
        "contexte": redaction.contexte,
        "diagnostic": redaction.diagnostic_initial,
        "actions": "\n".join(redaction.actions),
        "suivi": redaction.suivi,
        "partenaires": redaction.partenaires,
        "years": [
            [y, "" if cibles.get(y) is None else cibles[y], redaction.regles.get(y, "")]
            for y in years
        ],
        "chart": trajectory_chart(
            line.valeur_initiale if line else None,
            cibles,
            redaction.trajectoire_fiche,
            unit=redaction.unite,
            years=years,
        )
        if line and (cibles or redaction.trajectoire_fiche)
        else "",
    }


def line_findings(ctx: AppContext, dossier: Dossier, code: str | None) -> str:
    """The validator's findings on one indicator line of the whole draft."""
    from assistant.rules import validate_draft

    if not code:
        return ""
    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    report = validate_draft(tree, kb=ctx.kb(), rules=ctx.rules())
    findings = [f for f in report.findings if f.indicator == code]
    if not findings:
        return (
            '<p class="cpom-verdict cpom-valid">Aucun constat du validateur sur cet indicateur.</p>'
        )
    return render.findings_html(findings, ctx.titles())


def check_draft(ctx: AppContext, dossier: Dossier) -> str:
    """The validator's report on the whole draft (as it would be filed)."""
    from assistant.rules import validate_draft

    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    report = validate_draft(tree, kb=ctx.kb(), rules=ctx.rules())
    overview = render.draft_overview_html(dossier.lignes, TARGET_YEARS)
    return overview + render.report_html(report, ctx.titles())


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
