"""Eligibility and an explained, deterministic score for every indicator, given a profile.

Eligibility follows the knowledge base (and so the validator): GHT-only fiches, required
activities, a target "sans objet" for the establishment's category. A fiche that "concerne plus
particulièrement les établissements publics" stays eligible for a private establishment, with a
warning and a penalty; one whose measure names private establishments (« entre établissement
public et établissement privé ») gets points for a private one. Every requirement or penalty
comes from the fiche's eligibility (``Indicator.eligibility``), never from a word of its label:
a label that mentions « SAU » or « télé-réadaptation » does not mark the indicator down for an
establishment without urgences or SMR. The score adds points for the match with the
priorities, the activities and the fiche's targets; each point is explained in French in
``raisons``, and every reason quotes what the indicator measures or says which other part of
the fiche it comes from.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.kb import format_year_target
from assistant.kb.models import HprIndicator, Indicator, TargetRule
from assistant.profile import ACTIVITY_LABELS, STATUT_LABELS, Profile
from assistant.propose.candidate import Candidate, Category
from assistant.propose.eligibility import (
    engaged_rows,
    pick,
    quote_source,
    strategic_exclusion,
    target_rule,
)
from assistant.propose.reasons import cite
from assistant.propose.relevance import (
    CATEGORY_ACTIVITIES,
    MEASURE_TITLES,
    MIN_RELEVANCE,
    FicheCatalog,
    Match,
)
from assistant.rules import RuleSet, Source
from assistant.text.french import fold

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

# Score points (the scale is the assistant's, not the guide's; each one is explained to the user).
POINTS_ELIGIBLE = 10.0
POINTS_PRIORITY = 50.0
POINTS_REQUIRED_ACTIVITY = 15.0
POINTS_ACTIVITY_MENTION = 5.0
MAX_ACTIVITY_MENTION = 10.0
POINTS_GHT = 5.0
POINTS_FIGURED_TARGET = 5.0
PENALTY_NO_TARGET = -10.0
PENALTY_NO_FIGURE = -5.0
PENALTY_PUBLIC_MAINLY = -15.0
PENALTY_ALREADY_MET = -40.0
POINTS_PRIVATE_NAMED = 10.0
# A fiche's measure that names private establishments (« établissement public et établissement
# privé », « établissements publics et privés »): one a private establishment can carry.
_PRIVATE = re.compile(r"\bprive(?:e|es|s)?\b")


def _summary(ind: Indicator, rule: TargetRule) -> str:
    years = [format_year_target(y, ind.unit) for y in rule.years if y.kind != "libre"]
    if not years:
        return "pas de valeur imposée (jalons laissés à l'établissement)"
    return " ; ".join(years if len(years) <= 2 else [years[0], years[-1]])


def strategic_candidate(
    ind: Indicator,
    profile: Profile,
    *,
    kb: KnowledgeBase,
    match: Match,
    catalog: FicheCatalog,
    already_met: Source | None,
) -> Candidate:
    """Eligibility, score and reasons of one strategic indicator for a profile."""
    candidate = Candidate(ind.code, ind.label, ind.category, engagement=ind.engagement.number)
    engaged = ind.code in profile.deja_engages
    rule = target_rule(kb, ind.code, profile, engaged=engaged)
    excluded = strategic_exclusion(candidate, ind, profile, rule)
    if excluded is not None:
        return excluded
    elig = ind.eligibility
    declared = set(profile.activites)
    candidate.add("accessible à votre profil", POINTS_ELIGIBLE)
    _priority(candidate, match)
    if elig.requires_ght:
        ght = pick(elig.quotes, "GHT")
        candidate.add("membre d'un GHT", POINTS_GHT)
        candidate.raisons.append(
            "Indicateur réservé aux membres d'un GHT, votre établissement en est membre : "
            f"{_phrase(ght, catalog, ind.code)}."
        )
        candidate.cite(ght)
    if elig.required_activities:
        mine = [ACTIVITY_LABELS[a] for a in elig.required_activities if a in declared]
        needed = pick(elig.quotes, "|".join(elig.required_activities))
        candidate.add("activité visée par la fiche", POINTS_REQUIRED_ACTIVITY)
        candidate.raisons.append(
            f"La fiche vise une activité que vous déclarez ({', '.join(mine)}) : "
            f"{_phrase(needed, catalog, ind.code)}."
        )
        candidate.cite(needed)
    _mentions(candidate, profile, catalog, skip=set(elig.required_activities))
    if profile.statut != "public":
        _private_named(candidate, catalog)
    candidate.raisons.append(
        f"Objectif stratégique de la fiche : « {ind.objective.rstrip(' .')} » (engagement "
        f"n° {ind.engagement.number} du PRS : « {ind.engagement.label} »)."
    )
    candidate.cite(
        next(
            (
                s.source
                for s in catalog.fiches[ind.code].sentences
                if s.source.section and s.source.section.endswith(MEASURE_TITLES["objective"])
            ),
            None,
        )
    )
    _target(candidate, ind, rule, profile, engaged=engaged)
    if elig.public_mainly and profile.statut != "public":
        public = pick(elig.quotes, "public")
        candidate.add("fiche tournée vers le public", PENALTY_PUBLIC_MAINLY)
        candidate.avertissements.append(
            "La fiche indique que cet indicateur concerne surtout les établissements publics "
            f"(« {public.quote if public else ''} ») ; votre établissement est "
            f"{STATUT_LABELS[profile.statut]} : le choix reste possible mais sera examiné "
            "par l'ARS."
        )
        candidate.cite(public)
    _already_met(candidate, already_met)
    return candidate


def hpr_candidate(
    hpr: HprIndicator,
    profile: Profile,
    *,
    match: Match,
    catalog: FicheCatalog,
    already_met: Source | None,
) -> Candidate:
    """Score and reasons of one HPR indicator for an hôpital de proximité."""
    candidate = Candidate(
        hpr.code,
        hpr.label,
        "hpr",
        objective_number=hpr.objective_number,
        engagement=hpr.objective_number,
    )
    candidate.add("indicateur de l'annexe HPR", POINTS_ELIGIBLE)
    _priority(candidate, match)
    _mentions(candidate, profile, catalog, skip=set())
    star = " prioritaire (étoilé), qui doit être couvert" if hpr.starred else ""
    candidate.raisons.append(f"Objectif HPR n° {hpr.objective_number}{star} : « {hpr.objective} ».")
    candidate.cite(quote_source(hpr.quote))
    candidate.avertissements.append(
        "L'annexe HPR ne fixe pas de cible chiffrée : la trajectoire 2025-2027 sera à "
        "proposer par l'établissement."
    )
    _already_met(candidate, already_met)
    return candidate


def _phrase(source: Source | None, catalog: FicheCatalog, code: str) -> str:
    """A fiche passage quoted as what the indicator measures, or as from elsewhere in it."""
    if source is None:
        return f"« {catalog.kb.get(code).label} »"
    measured = fold(source.quote.rstrip(" .")) in catalog.fiches[code].measure_text
    return cite(source, measured=measured)


def _priority(candidate: Candidate, match: Match) -> None:
    if match.relevance < MIN_RELEVANCE or match.source is None:
        return
    candidate.relevance = match.relevance
    candidate.add("priorités", POINTS_PRIORITY * match.relevance)
    percent = round(100 * match.relevance)
    what = "la fiche mesure" if candidate.categorie != "hpr" else "l'annexe HPR mesure"
    quoted = cite(match.source, measured=match.measured)
    if match.measured:
        quoted = f"{what} {quoted}"
    candidate.raisons.append(
        f"Répond à votre priorité « {match.clause} » (pertinence {percent} %) : {quoted}."
    )
    candidate.cite(match.source)


def _mentions(
    candidate: Candidate, profile: Profile, catalog: FicheCatalog, *, skip: set[str]
) -> None:
    """Points for the declared activities that what the indicator measures names."""
    mine = set(profile.activites) | set(CATEGORY_ACTIVITIES.get(profile.categorie, ()))
    found = {
        a: s
        for a, s in catalog.fiches[candidate.code].activities.items()
        if a in mine and a not in skip
    }
    if not found:
        return
    points = min(MAX_ACTIVITY_MENTION, POINTS_ACTIVITY_MENTION * len(found))
    candidate.add("activités citées par la fiche", points)
    names = ", ".join(ACTIVITY_LABELS[a] for a in found)
    first = next(iter(found.values()))
    candidate.raisons.append(
        f"L'indicateur porte sur des activités de votre établissement ({names}) : "
        f"{cite(first, measured=True)}."
    )
    for source in list(found.values())[:2]:
        candidate.cite(source)


def _private_named(candidate: Candidate, catalog: FicheCatalog) -> None:
    """Points when what the indicator measures names private establishments."""
    sentence = next(
        (
            s
            for s in catalog.fiches[candidate.code].sentences
            if s.measure and _PRIVATE.search(fold(s.source.quote))
        ),
        None,
    )
    if sentence is None:
        return
    candidate.add("fiche ouverte aux établissements privés", POINTS_PRIVATE_NAMED)
    candidate.raisons.append(
        "L'indicateur vise aussi les établissements privés comme le vôtre : "
        f"{cite(sentence.source, measured=True)}."
    )
    candidate.cite(sentence.source)


def _target(
    candidate: Candidate,
    ind: Indicator,
    rule: TargetRule | None,
    profile: Profile,
    *,
    engaged: bool,
) -> None:
    rows = engaged_rows(ind)
    if rule is None:
        candidate.add("pas de cible pour votre situation", PENALTY_NO_TARGET)
        candidate.avertissements.append(
            f"La fiche ne fixe pas de cible pour votre situation ({profile.describe()}) : la "
            "trajectoire sera à construire avec l'ARS."
        )
        return
    figured = [y for y in rule.years if y.kind not in {"libre", "sans_objet"}]
    if figured:
        candidate.add("cible chiffrée par la fiche", POINTS_FIGURED_TARGET)
    else:
        candidate.add("cible non chiffrée", PENALTY_NO_FIGURE)
    row = f"Cible applicable d'après la cible de la fiche, ligne « {rule.scope.label} »"
    if rule.scope.engaged:
        row += ", retenue parce que votre profil vous déclare déjà engagé (deja_engages)"
    candidate.raisons.append(f"{row} : {_summary(ind, rule)}.")
    candidate.cite(quote_source(rule.quote))
    if rows and not engaged:
        candidate.infos.append(
            f"La fiche prévoit une autre cible « {rows[0].scope.label} » : si c'est votre cas, "
            f"ajoutez {ind.code} au champ deja_engages du profil."
        )


def _already_met(candidate: Candidate, already_met: Source | None) -> None:
    if already_met is None:
        return
    candidate.already_met = True
    candidate.add("déjà atteint", PENALTY_ALREADY_MET)
    candidate.avertissements.append(
        "Vous déclarez cet indicateur déjà atteint ; le guide précise : "
        f"« {already_met.quote} » L'assistant lui préfère un autre indicateur quand il en "
        "reste assez d'accessibles ; si vous le gardez, visez une cible plus ambitieuse que "
        "celle de la fiche."
    )
    candidate.cite(already_met)


def already_met_source(rules: RuleSet) -> Source | None:
    """The guide's words on indicators already met (the TRAJ-ALREADY-MET rule's citation)."""
    rule = rules.get("TRAJ-ALREADY-MET")
    if rule is None:
        return None
    c = rule.citation
    return Source(doc_id=c.doc_id, section=c.section, quote=c.quote)


__all__ = [
    "MIN_RELEVANCE",
    "Candidate",
    "Category",
    "already_met_source",
    "engaged_rows",
    "hpr_candidate",
    "quote_source",
    "strategic_candidate",
    "target_rule",
]
