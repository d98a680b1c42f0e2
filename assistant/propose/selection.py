"""Exact constraint solving for the strategic and HPR selections, and the validator's check.

The counts come from the campaign's rules file (SEL-MIN-CT, SEL-MIN-OS, SEL-MAX, HPR-MAX,
HPR-STARRED, HPR-COUNT), not from code. With additive scores the choices below are optimal:
the best ``min_ct`` cooperation and best ``min_os`` other indicators, then extra ones up to the
maximum only when they strongly match the priorities; for the HPR annex, the best indicator of
each starred objective, then the best remaining ones up to the expected count (an exchange
argument shows no other feasible selection scores more).

An indicator the establishment declares already met (``deja_atteints``) is taken only when too
few others remain to meet a count: the guide says the ARS will come back on it, so another one
is preferred (among the rest, the selection stays optimal).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from assistant.errors import InvalidInputError
from assistant.profile import Profile
from assistant.propose.scoring import Candidate
from assistant.rules import Report, RuleSet, validate_draft
from assistant.rules.catalog import rule_ids

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

SELECTION_RULE_IDS: frozenset[str] = rule_ids("SEL-", "ELIG-", "HPR-")
"""The rules that judge a selection. The value rules (VAL-*, TRAJ-*, JUST-*) need baselines,
targets and justifications, which a selection does not have yet: on a selection-only draft they
would report one VAL-MISSING error per indicator."""

EXTRA_RELEVANCE = 0.5
"""An indicator beyond the minimum (8) is proposed only if it matches a priority this well."""

# Stand-ins for a profile without name or FINESS: the selection rules do not read them.
_STAND_IN_NAME = "Établissement du profil"
_STAND_IN_FINESS = "000000000"


def _order(candidate: Candidate) -> tuple[float, str, int]:
    prefix, _, number = candidate.code.rpartition("_")
    return (-candidate.score, prefix, int(number))


def ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Eligible candidates, best score first (ties: code order)."""
    return sorted((c for c in candidates if c.eligible), key=_order)


def _param(rules: RuleSet, rule_id: str, name: str, default: Any) -> Any:
    rule = rules.get(rule_id)
    return rule.params.get(name, default) if rule is not None else default


def _take(pool: Sequence[Candidate], count: int, chosen: Sequence[Candidate]) -> list[Candidate]:
    """The ``count`` best of ``pool``; among equal scores, the least represented group first.

    The group is the PRS engagement (strategic annex) or the objective (HPR annex). Every pick
    has the best score left, so the sum of the scores stays the maximum.
    """
    remaining = ranked(pool)
    taken: list[Candidate] = []
    while remaining and len(taken) < count:
        top = remaining[0].score
        tied = [c for c in remaining if c.score == top]
        groups = Counter(c.engagement for c in [*chosen, *taken])
        pick = min(tied, key=lambda c: (groups[c.engagement], _order(c)))
        taken.append(pick)
        remaining.remove(pick)
    return taken


def _take_fresh(
    pool: Sequence[Candidate], count: int, chosen: Sequence[Candidate]
) -> list[Candidate]:
    """Like ``_take``, with the indicators already met only to make up the count."""
    taken = _take([c for c in pool if not c.already_met], count, chosen)
    if len(taken) < count:
        met = [c for c in pool if c.already_met]
        taken += _take(met, count - len(taken), [*chosen, *taken])
    return taken


def solve_strategic(candidates: Sequence[Candidate], *, rules: RuleSet) -> list[Candidate]:
    """The best selection meeting the campaign's counts (best first).

    Raises:
        InvalidInputError: Too few eligible indicators in a category for a valid selection.
    """
    min_ct = int(_param(rules, "SEL-MIN-CT", "min", 2))
    min_os = int(_param(rules, "SEL-MIN-OS", "min", 6))
    max_total = int(_param(rules, "SEL-MAX", "max", 10))
    cooperation = ranked(c for c in candidates if c.categorie == "cooperation")
    others = ranked(c for c in candidates if c.categorie == "autre")
    if len(cooperation) < min_ct or len(others) < min_os:
        raise InvalidInputError(
            "Aucune sélection valable n'est possible pour ce profil : "
            f"{len(cooperation)} indicateur(s) de coopération accessible(s) (minimum {min_ct}), "
            f"{len(others)} autre(s) (minimum {min_os}).",
            hint="Vérifiez les activités, la catégorie et l'appartenance à un GHT du profil.",
        )
    chosen = _take_fresh(cooperation, min_ct, [])
    chosen += _take_fresh(others, min_os, chosen)
    strong = [
        c
        for c in cooperation + others
        if c not in chosen
        and c.relevance >= EXTRA_RELEVANCE
        and not c.avertissements
        and not c.already_met
    ]
    chosen += _take(strong, max_total - len(chosen), chosen)
    return sorted(chosen, key=_order)


def solve_hpr(
    candidates: Sequence[Candidate], *, kb: KnowledgeBase, rules: RuleSet
) -> list[Candidate]:
    """The best HPR selection: each starred objective covered, up to the expected count."""
    starred = [int(n) for n in _param(rules, "HPR-STARRED", "objectives", [])]
    maximum = int(_param(rules, "HPR-MAX", "max", 6))
    expected = min(maximum, int(_param(rules, "HPR-COUNT", "expected", maximum)))
    pool = ranked(candidates)
    chosen: list[Candidate] = []
    for number in starred:
        chosen += _take_fresh([c for c in pool if c.objective_number == number], 1, chosen)
    chosen += _take_fresh([c for c in pool if c not in chosen], expected - len(chosen), chosen)
    assert len(chosen) <= maximum or len(starred) > maximum
    return sorted(chosen, key=_order)


def ties_at_the_boundary(chosen: Sequence[Candidate], pool: Sequence[Candidate]) -> bool:
    """Whether an indicator left out scores as much as one chosen in its category."""
    for category in {c.categorie for c in chosen}:
        lowest = min(c.score for c in chosen if c.categorie == category)
        if any(
            c.eligible and c.categorie == category and c not in chosen and c.score == lowest
            for c in pool
        ):
            return True
    return False


def selection_rules(rules: RuleSet) -> RuleSet:
    """The campaign's rules that apply to a selection (no baselines or targets yet)."""
    return rules.model_copy(
        update={"rules": [r for r in rules.rules if r.id in SELECTION_RULE_IDS]}
    )


def establishment_tree(profile: Profile) -> dict[str, Any]:
    """The draft schema's establishment object for a profile (stand-ins for missing ids)."""
    return {
        "raison_sociale": profile.raison_sociale or _STAND_IN_NAME,
        "finess_ej": profile.finess_ej or _STAND_IN_FINESS,
        "statut": profile.statut,
        "categorie": profile.categorie,
        "lits": profile.lits,
        "membre_ght": profile.membre_ght,
        "hopital_proximite": profile.hopital_proximite,
        "activites": list(profile.activites),
    }


def check_selection(
    profile: Profile,
    codes: Sequence[str],
    hpr_codes: Sequence[str],
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
) -> Report:
    """The validator's verdict on a selection, with the selection rules only."""
    tree = {
        "campagne": rules.campaign,
        "etablissement": establishment_tree(profile),
        "indicateurs": [{"code": code} for code in codes],
        "indicateurs_hpr": [{"code": code} for code in hpr_codes],
    }
    return validate_draft(tree, kb=kb, rules=selection_rules(rules))


__all__ = [
    "EXTRA_RELEVANCE",
    "SELECTION_RULE_IDS",
    "check_selection",
    "establishment_tree",
    "ranked",
    "selection_rules",
    "solve_hpr",
    "solve_strategic",
    "ties_at_the_boundary",
]
