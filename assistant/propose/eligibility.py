"""Who may choose an indicator, from the fiche's eligibility and target rows only.

A requirement or an exclusion comes from ``Indicator.eligibility`` (GHT-only, required
activities, categories) or from a target row « sans objet » for the establishment, never from a
word of the label; each keeps the fiche's words as its source.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.kb import scope_matches
from assistant.kb.models import Indicator, Quote, TargetRule
from assistant.profile import ACTIVITY_LABELS, Profile
from assistant.propose.candidate import Candidate
from assistant.rules import Source

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase


def quote_source(quote: Quote) -> Source:
    """A knowledge-base quote as a source."""
    return Source(doc_id=quote.doc_id, section=quote.section, quote=quote.text)


def pick(quotes: list[Quote], pattern: str) -> Source | None:
    """The first fiche quote matching a pattern (else the first quote), as a source."""
    found = next((q for q in quotes if re.search(pattern, q.text, re.IGNORECASE)), None)
    found = found or (quotes[0] if quotes else None)
    return quote_source(found) if found else None


def target_rule(
    kb: KnowledgeBase, code: str, profile: Profile, *, engaged: bool = False
) -> TargetRule | None:
    """The fiche's target row for this profile (the validator's reading).

    Args:
        kb: The knowledge base.
        code: The indicator.
        profile: The establishment's profile.
        engaged: Read the fiche's « Pour les établissements déjà engagés… » rows too (the
            proposal passes ``code in profile.deja_engages``; the validator, which does not
            know it, reads them never).
    """
    return kb.target_for(
        code,
        categorie=profile.categorie,
        statut=profile.statut,
        lits=profile.lits,
        departement=profile.departement,
        engaged=engaged,
    )


def engaged_rows(ind: Indicator) -> list[TargetRule]:
    """The fiche's rows « Pour les établissements déjà engagés… » (none for most fiches)."""
    return [rule for rule in ind.target.rules if rule.scope.engaged]


def sans_objet_without_departement(ind: Indicator, profile: Profile) -> TargetRule | None:
    """A "sans objet" row that may apply when the département is unknown (no FINESS)."""
    if profile.departement is not None:
        return None
    for rule in ind.target.rules:
        if not rule.scope.departements or not all(y.kind == "sans_objet" for y in rule.years):
            continue
        if scope_matches(
            rule.scope,
            categorie=profile.categorie,
            statut=profile.statut,
            lits=profile.lits,
            departement=rule.scope.departements[0],
        ):
            return rule
    return None


def exclude(candidate: Candidate, motif: str, source: Source | None) -> Candidate:
    """The candidate marked ineligible, with the reason and the fiche's words."""
    candidate.eligible = False
    candidate.motif = motif
    candidate.motif_source = source
    return candidate


def strategic_exclusion(
    candidate: Candidate, ind: Indicator, profile: Profile, rule: TargetRule | None
) -> Candidate | None:
    """The candidate excluded with the fiche's words, or None when the profile may choose it."""
    elig = ind.eligibility
    if elig.requires_ght and not profile.membre_ght:
        return exclude(
            candidate,
            "réservé aux établissements membres d'un GHT ; le profil n'en est pas membre "
            "(membre_ght = non).",
            pick(elig.quotes, "GHT"),
        )
    declared = set(profile.activites)
    if elig.required_activities and not declared & set(elig.required_activities):
        needed = ", ".join(ACTIVITY_LABELS[a] for a in elig.required_activities)
        return exclude(
            candidate,
            f"suppose l'une de ces activités : {needed} ; le profil n'en déclare aucune.",
            pick(elig.quotes, "|".join([*elig.required_activities, "autoris"])),
        )
    if elig.categories_only and profile.categorie not in elig.categories_only:
        return exclude(
            candidate,
            "réservé aux catégories " + ", ".join(elig.categories_only) + ".",
            pick(elig.quotes, "|".join(elig.categories_only)),
        )
    if rule is not None and rule.years and all(y.kind == "sans_objet" for y in rule.years):
        return exclude(
            candidate,
            f"la fiche fixe une cible « sans objet » pour « {rule.scope.label} ».",
            quote_source(rule.quote),
        )
    if (unsure := sans_objet_without_departement(ind, profile)) is not None:
        return exclude(
            candidate,
            f"la fiche fixe une cible « sans objet » pour « {unsure.scope.label} » ; sans FINESS "
            "EJ, le département n'est pas connu : l'indicateur est écarté par prudence.",
            quote_source(unsure.quote),
        )
    return None


__all__ = [
    "engaged_rows",
    "exclude",
    "pick",
    "quote_source",
    "sans_objet_without_departement",
    "strategic_exclusion",
    "target_rule",
]
