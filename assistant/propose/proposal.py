"""``propose``: an establishment profile -> a valid, explained selection of indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.llm.models import build_chat_model
from assistant.profile import Profile
from assistant.propose.models import Exclusion, Proposal, ProposedIndicator
from assistant.propose.offline import offline_proposal
from assistant.propose.rerank import rerank
from assistant.rules import RuleSet

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.config import Settings
    from assistant.kb import KnowledgeBase
    from assistant.retrieval.hybrid import Index


def propose(
    profile: Profile,
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
    index: Index | None = None,
    settings: Settings,
    chat_model: BaseChatModel | None = None,
) -> Proposal:
    """Propose a selection of indicators for an establishment.

    Offline (no chat model configured), the proposal is deterministic: eligibility from the
    knowledge base, relevance to the priorities (retrieval when ``index`` is given, lexical
    overlap otherwise), activity match, and exact constraint solving. With a chat model (given,
    or built from ``settings``), the model may re-rank and word the reasons; its selection goes
    through the validator, with the findings sent back for one or two retries, and the offline
    proposal is returned when it stays invalid.

    Args:
        profile: The establishment's profile.
        kb: The indicator knowledge base.
        rules: The campaign's rules (counts and eligibility come from them).
        index: An opened index, for relevance by retrieval (optional).
        settings: The settings (LLM configuration, retrieval parameters, prompts folder).
        chat_model: A chat model to use instead of the one ``settings`` describe.

    Returns:
        The proposal; its ``findings`` (validator, selection rules) hold no error.
    """
    proposal, strategic, hpr = offline_proposal(
        profile, kb=kb, rules=rules, index=index, settings=settings
    )
    if chat_model is None and settings.llm_provider != "none":
        chat_model = build_chat_model(settings)
    if chat_model is None:
        return proposal
    return rerank(
        proposal,
        profile,
        strategic,
        hpr,
        kb=kb,
        rules=rules,
        settings=settings,
        chat_model=chat_model,
    )


__all__ = ["Exclusion", "Proposal", "ProposedIndicator", "propose"]
