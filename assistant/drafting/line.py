"""One indicator line of the draft file, as the validator reads it, and its check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.drafting.models import IndicatorDraft
from assistant.profile import Profile
from assistant.propose.selection import establishment_tree
from assistant.rules import Finding, RuleSet, validate_draft
from assistant.rules.catalog import rule_ids
from assistant.text.templates import load_template, paragraph

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

LINE_RULE_IDS: frozenset[str] = rule_ids("ELIG-", "VAL-", "TRAJ-", "JUST-")
"""The rules that judge one indicator line (the selection rules need the whole selection)."""


def line_rules(rules: RuleSet) -> RuleSet:
    """The campaign's rules that judge one indicator line."""
    return rules.model_copy(update={"rules": [r for r in rules.rules if r.id in LINE_RULE_IDS]})


def draft_line(draft: IndicatorDraft, *, justification: str, commentaire: str) -> dict[str, Any]:
    """The draft schema's indicator line for a draft."""
    return {
        "code": draft.code,
        "valeur_initiale": draft.valeur_initiale,
        "cibles": {y: v for y, v in draft.trajectoire.items() if v is not None},
        "justification": justification,
        "commentaire": commentaire,
        **({"deja_engage": True} if draft.deja_engage else {}),
    }


def justification_of(draft: IndicatorDraft, *, prompts_dir: Any) -> tuple[str, str]:
    """The draft file's ``justification`` and ``commentaire`` texts for a draft."""
    parts = load_template(prompts_dir, "draft_textes")
    actions = " ; ".join(a.rstrip(".") for a in draft.actions) + "."
    justification = paragraph(
        parts["justification"],
        contexte=draft.contexte,
        diagnostic=draft.diagnostic_initial,
        actions=actions,
        moyens=draft.moyens,
    )
    commentaire = paragraph(
        parts["commentaire"],
        suivi=draft.suivi,
        partenaires=draft.partenaires,
        preuves=" ".join(draft.preuves),
    )
    return justification, commentaire


def check_line(
    draft: IndicatorDraft, profile: Profile, *, kb: KnowledgeBase, rules: RuleSet, prompts_dir: Any
) -> list[Finding]:
    """The validator's findings on one draft line (line rules only)."""
    justification, commentaire = justification_of(draft, prompts_dir=prompts_dir)
    line = draft_line(draft, justification=justification, commentaire=commentaire)
    tree = {
        "campagne": rules.campaign,
        "etablissement": establishment_tree(profile),
        "indicateurs": [line] if draft.annexe == "strategique" else [],
        "indicateurs_hpr": [line] if draft.annexe == "hpr" else [],
    }
    return validate_draft(tree, kb=kb, rules=line_rules(rules)).findings
