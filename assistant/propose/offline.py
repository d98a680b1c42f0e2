"""The offline proposal: candidates scored, the selection solved exactly, then validated."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from assistant.profile import Profile
from assistant.propose.coverage import profile_warnings, uncovered_priorities
from assistant.propose.models import Exclusion, Proposal, ProposedIndicator
from assistant.propose.relevance import NO_MATCH, Match, catalog_for, split_clauses
from assistant.propose.scoring import (
    Candidate,
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
from assistant.propose.vocabulary import own_words
from assistant.rules import RuleSet

if TYPE_CHECKING:
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
    own = own_words(profile.activites, profile.categorie)
    matches: dict[str, Match] = catalog.lexical(clauses, hpr_codes, own=own)
    if index is not None and clauses:
        candidates = settings.retrieval_candidates if settings else 30
        rrf_k = settings.rrf_k if settings else 60
        matches |= catalog.retrieved(index, clauses, candidates=candidates, rrf_k=rrf_k, own=own)
    else:
        matches |= catalog.lexical(clauses, codes, own=own)
    none = NO_MATCH
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
    candidate: Candidate,
    rang: int,
    *,
    raisons: Sequence[str] | None = None,
    kept: bool = False,
) -> ProposedIndicator:
    """A candidate as a proposal item; ``kept``: chosen although declared already met."""
    reasons = list(raisons if raisons else candidate.raisons)
    if kept and candidate.already_met:
        reasons.append(
            f"Gardé bien que vous le déclariez déjà atteint (« {candidate.libelle} »), faute "
            "d'autres indicateurs accessibles dans sa catégorie : visez une cible plus "
            "ambitieuse que celle de la fiche, l'ARS reviendra vers vous sur ce point."
        )
    return ProposedIndicator(
        rang=rang,
        code=candidate.code,
        libelle=candidate.libelle,
        categorie=candidate.categorie,
        score=candidate.score,
        detail_score=candidate.explanation(),
        raisons=reasons,
        sources=list(candidate.sources),
        avertissements=[*candidate.avertissements, *candidate.infos],
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
        indicateurs=[
            item(c, i, raisons=raisons.get(c.code), kept=True) for i, c in enumerate(chosen, 1)
        ],
        indicateurs_hpr=[
            item(c, i, raisons=raisons.get(c.code), kept=True) for i, c in enumerate(chosen_hpr, 1)
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
        priorites_non_couvertes=uncovered_priorities(profile, strategic + hpr, kb=kb),
        avertissements=profile_warnings(
            profile, strategic + hpr, chosen + chosen_hpr, kb=kb, rules=rules
        ),
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
