"""From a proposal and its drafts to a draft file (the validator's schema)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assistant.drafting.indicator import draft_indicator
from assistant.drafting.line import draft_line, justification_of
from assistant.drafting.models import IndicatorDraft
from assistant.drafts import Draft, Value
from assistant.errors import InvalidInputError
from assistant.profile import Profile
from assistant.propose.models import Proposal
from assistant.rules import RuleSet

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.config import Settings
    from assistant.kb import KnowledgeBase


def draft_selection(
    profile: Profile,
    proposal: Proposal,
    *,
    baselines: Mapping[str, Value | None],
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
    chat_model: BaseChatModel | None = None,
) -> list[IndicatorDraft]:
    """A draft for every indicator of a proposal (strategic, then HPR).

    Args:
        profile: The establishment's profile.
        proposal: The selection to draft.
        baselines: The 2024 value of each indicator, by canonical code (missing: to supply).
        kb: The knowledge base.
        rules: The campaign's rules.
        settings: The settings.
        chat_model: An optional chat model for the prose.
    """
    return [
        draft_indicator(
            profile,
            code,
            baseline=baselines.get(code),
            kb=kb,
            rules=rules,
            settings=settings,
            chat_model=chat_model,
        )
        for code in [*proposal.codes, *proposal.hpr_codes]
    ]


def build_draft_file(
    profile: Profile,
    proposal: Proposal,
    drafts: Sequence[IndicatorDraft],
    *,
    rules: RuleSet,
    settings: Settings,
    date: dt.date | None = None,
) -> Draft:
    """The draft file of a proposal: establishment, both annexes, texts from the drafts.

    Raises:
        InvalidInputError: The profile has no ``raison_sociale`` or ``finess_ej`` (the draft
            schema requires both), or a proposed indicator has no draft.
    """
    missing = [name for name in ("raison_sociale", "finess_ej") if not getattr(profile, name)]
    if missing:
        raise InvalidInputError(
            "Pour produire un brouillon déposable, le profil doit indiquer : "
            + ", ".join(missing)
            + "."
        )
    by_code = {d.code: d for d in drafts}
    absent = [c for c in [*proposal.codes, *proposal.hpr_codes] if c not in by_code]
    if absent:
        raise InvalidInputError("Brouillon manquant pour : " + ", ".join(absent) + ".")

    def line(code: str) -> dict[str, object]:
        draft = by_code[code]
        justification, commentaire = justification_of(draft, prompts_dir=settings.prompts_dir)
        return draft_line(draft, justification=justification, commentaire=commentaire)

    tree = {
        "campagne": rules.campaign,
        "date": date,
        "etablissement": {
            "raison_sociale": profile.raison_sociale,
            "finess_ej": profile.finess_ej,
            "statut": profile.statut,
            "categorie": profile.categorie,
            "lits": profile.lits,
            "membre_ght": profile.membre_ght,
            "hopital_proximite": profile.hopital_proximite,
            "activites": list(profile.activites),
        },
        "indicateurs": [line(code) for code in proposal.codes],
        "indicateurs_hpr": [line(code) for code in proposal.hpr_codes],
    }
    return Draft.model_validate(tree)


__all__ = ["build_draft_file", "draft_selection"]
