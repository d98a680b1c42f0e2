"""``propose``: an establishment profile -> a valid, explained selection of indicators."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from assistant.profile import Profile
from assistant.propose.relevance import Match, catalog_for, split_clauses
from assistant.propose.scoring import (
    Candidate,
    Category,
    already_met_source,
    hpr_candidate,
    strategic_candidate,
)
from assistant.propose.selection import (
    check_selection,
    ranked,
    solve_hpr,
    solve_strategic,
    ties_at_the_boundary,
)
from assistant.rules import Finding, RuleSet, Source

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.config import Settings
    from assistant.kb import KnowledgeBase
    from assistant.retrieval.hybrid import Index

logger = logging.getLogger(__name__)

ALTERNATIVES_PER_CATEGORY = 3
TIE_NOTE = (
    "À score égal, l'assistant retient d'abord les indicateurs des engagements du PRS (ou, "
    "pour l'annexe HPR, des objectifs) les moins représentés dans la sélection ; les "
    "alternatives de même score sont listées plus bas."
)
_REPAIRS = 5


class ProposedIndicator(BaseModel):
    """One indicator of a proposal (or an alternative), with why and on which words."""

    rang: int
    code: str
    libelle: str
    categorie: Category
    score: float
    raisons: list[str]
    sources: list[Source]
    avertissements: list[str] = Field(default_factory=list)


class Exclusion(BaseModel):
    """An indicator this profile cannot choose, and why (the fiche's words)."""

    code: str
    libelle: str
    categorie: Category
    motif: str
    source: Source | None = None


class Proposal(BaseModel):
    """A selection for the strategic annex (and the HPR annex), checked by the validator."""

    etablissement: str
    priorites: str | None = None
    mode: Literal["hors_ligne", "llm"] = "hors_ligne"
    indicateurs: list[ProposedIndicator]
    indicateurs_hpr: list[ProposedIndicator] = Field(default_factory=list)
    alternatives: list[ProposedIndicator] = Field(default_factory=list)
    exclus: list[Exclusion] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """The strategic codes, best first."""
        return [item.code for item in self.indicateurs]

    @property
    def hpr_codes(self) -> list[str]:
        """The HPR codes, best first."""
        return [item.code for item in self.indicateurs_hpr]

    def contract(self) -> dict[str, Any]:
        """The ``propose --json`` contract."""
        return self.model_dump(mode="json")


def score_candidates(
    profile: Profile,
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
    index: Index | None = None,
    settings: Settings | None = None,
) -> tuple[list[Candidate], list[Candidate]]:
    """Eligibility and score of every strategic and (for an HPR) every HPR indicator."""
    catalog = catalog_for(kb)
    clauses = split_clauses(profile.priorites)
    codes = list(kb.indicators)
    hpr_codes = list(kb.hpr) if profile.hopital_proximite else []
    matches: dict[str, Match] = catalog.lexical(clauses, hpr_codes)
    if index is not None and clauses:
        candidates = settings.retrieval_candidates if settings else 30
        rrf_k = settings.rrf_k if settings else 60
        matches |= catalog.retrieved(index, clauses, candidates=candidates, rrf_k=rrf_k)
    else:
        matches |= catalog.lexical(clauses, codes)
    none = Match(0.0, "", None)
    met = already_met_source(rules)
    strategic = [
        strategic_candidate(
            ind,
            profile,
            kb=kb,
            match=matches.get(ind.code, none),
            catalog=catalog,
            already_met=met if ind.code in profile.deja_atteints else None,
        )
        for ind in kb.indicators.values()
    ]
    hpr = [
        hpr_candidate(
            h,
            profile,
            match=matches.get(h.code, none),
            catalog=catalog,
            already_met=met if h.code in profile.deja_atteints else None,
        )
        for h in kb.hpr.values()
        if profile.hopital_proximite
    ]
    return strategic, hpr


def item(
    candidate: Candidate, rang: int, *, raisons: Sequence[str] | None = None
) -> ProposedIndicator:
    """A candidate as a proposal item (the score explanation first)."""
    return ProposedIndicator(
        rang=rang,
        code=candidate.code,
        libelle=candidate.libelle,
        categorie=candidate.categorie,
        score=candidate.score,
        raisons=[candidate.explanation(), *(raisons if raisons else candidate.raisons)],
        sources=list(candidate.sources),
        avertissements=list(candidate.avertissements),
    )


def assemble(
    profile: Profile,
    strategic: list[Candidate],
    hpr: list[Candidate],
    chosen: list[Candidate],
    chosen_hpr: list[Candidate],
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
    raisons: dict[str, list[str]] | None = None,
    mode: Literal["hors_ligne", "llm"] = "hors_ligne",
    notes: Sequence[str] = (),
) -> Proposal:
    """Build the proposal: items, alternatives, exclusions and the validator's findings."""
    raisons = raisons or {}
    report = check_selection(
        profile, [c.code for c in chosen], [c.code for c in chosen_hpr], kb=kb, rules=rules
    )
    alternatives: list[ProposedIndicator] = []
    for category, pool in (("cooperation", strategic), ("autre", strategic), ("hpr", hpr)):
        rest = [c for c in ranked(pool) if c.categorie == category and c not in chosen + chosen_hpr]
        alternatives += [item(c, i) for i, c in enumerate(rest[:ALTERNATIVES_PER_CATEGORY], 1)]
    return Proposal(
        etablissement=f"{profile.name()} ({profile.describe()})",
        priorites=profile.priorites,
        mode=mode,
        indicateurs=[item(c, i, raisons=raisons.get(c.code)) for i, c in enumerate(chosen, 1)],
        indicateurs_hpr=[
            item(c, i, raisons=raisons.get(c.code)) for i, c in enumerate(chosen_hpr, 1)
        ],
        alternatives=alternatives,
        exclus=[
            Exclusion(
                code=c.code,
                libelle=c.libelle,
                categorie=c.categorie,
                motif=c.motif or "",
                source=c.motif_source,
            )
            for c in strategic + hpr
            if not c.eligible
        ],
        findings=report.findings,
        notes=list(notes),
    )


def offline_proposal(
    profile: Profile,
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
    index: Index | None = None,
    settings: Settings | None = None,
) -> tuple[Proposal, list[Candidate], list[Candidate]]:
    """The deterministic proposal, and the scored candidates it was chosen from.

    If the validator finds an eligibility error the knowledge-base reading missed, the
    indicator is excluded with the validator's message and the selection is solved again.
    """
    strategic, hpr = score_candidates(profile, kb=kb, rules=rules, index=index, settings=settings)
    for _ in range(_REPAIRS):
        chosen = solve_strategic(strategic, rules=rules)
        chosen_hpr = solve_hpr(hpr, kb=kb, rules=rules) if profile.hopital_proximite else []
        notes = []
        if ties_at_the_boundary(chosen + chosen_hpr, strategic + hpr):
            notes.append(TIE_NOTE)
        proposal = assemble(
            profile, strategic, hpr, chosen, chosen_hpr, kb=kb, rules=rules, notes=notes
        )
        errors = [f for f in proposal.findings if f.severity == "erreur"]
        if not errors:
            return proposal, strategic, hpr
        faulty = {f.indicator for f in errors if f.indicator}
        if not faulty:
            break
        for candidate in strategic + hpr:
            if candidate.code in faulty and candidate.eligible:
                finding = next(f for f in errors if f.indicator == candidate.code)
                logger.warning("Validator excluded %s: %s", candidate.code, finding.rule)
                candidate.eligible = False
                candidate.motif = finding.message
                candidate.motif_source = finding.source
    raise AssertionError(f"no valid selection for the profile: {proposal.findings}")


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
        from assistant.llm.models import build_chat_model

        chat_model = build_chat_model(settings)
    if chat_model is None:
        return proposal
    from assistant.propose.rerank import rerank

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


__all__ = [
    "ALTERNATIVES_PER_CATEGORY",
    "Exclusion",
    "Proposal",
    "ProposedIndicator",
    "assemble",
    "item",
    "offline_proposal",
    "propose",
    "score_candidates",
]
