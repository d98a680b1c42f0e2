"""Eligibility and an explained, deterministic score for every indicator, given a profile.

Eligibility follows the knowledge base (and so the validator): GHT-only fiches, required
activities, a target "sans objet" for the establishment's category. A fiche that "concerne plus
particulièrement les établissements publics" stays eligible for a private establishment, with a
warning and a penalty. The score adds points for the match with the priorities, the activities
and the fiche's targets; each point is explained in French in ``raisons``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant.kb import format_year_target, scope_matches
from assistant.kb.models import HprIndicator, Indicator, Quote, TargetRule
from assistant.profile import ACTIVITY_LABELS, STATUT_LABELS, Profile
from assistant.propose.relevance import CATEGORY_ACTIVITIES, FicheCatalog, Match
from assistant.rules import RuleSet, Source

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

Category = Literal["cooperation", "autre", "hpr"]

# Score points (the scale is the assistant's, not the guide's; each one is explained to the user).
POINTS_ELIGIBLE = 10.0
POINTS_PRIORITY = 50.0
MIN_RELEVANCE = 0.2
POINTS_REQUIRED_ACTIVITY = 15.0
POINTS_ACTIVITY_MENTION = 5.0
MAX_ACTIVITY_MENTION = 10.0
POINTS_GHT = 5.0
POINTS_FIGURED_TARGET = 5.0
PENALTY_NO_TARGET = -10.0
PENALTY_NO_FIGURE = -5.0
PENALTY_PUBLIC_MAINLY = -15.0
PENALTY_ALREADY_MET = -40.0
PENALTY_OTHER_ACTIVITY = -5.0


@dataclass
class Candidate:
    """One indicator as seen for a profile: eligibility, score and its explanation."""

    code: str
    libelle: str
    categorie: Category
    eligible: bool = True
    motif: str | None = None
    motif_source: Source | None = None
    points: list[tuple[str, float]] = field(default_factory=list)
    raisons: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    relevance: float = 0.0
    objective_number: int | None = None
    engagement: int | None = None

    @property
    def score(self) -> float:
        """The sum of the points, rounded to one decimal."""
        return round(sum(p for _, p in self.points), 1)

    def add(self, label: str, points: float) -> None:
        """Add points (with the French label that explains them)."""
        if points:
            self.points.append((label, round(points, 1)))

    def cite(self, source: Source | None) -> None:
        """Add a source once (a quote held by a longer one already cited is left out)."""
        if source is None or any(source.quote in s.quote for s in self.sources):
            return
        self.sources = [s for s in self.sources if s.quote not in source.quote]
        self.sources.append(source)

    def explanation(self) -> str:
        """« Score 57 = 10 (accessible à votre profil) + 32 (priorités) + 15 (…) »."""
        terms = []
        for i, (label, points) in enumerate(self.points):
            sign = ("− " if points < 0 else "+ ") if i else ("−" if points < 0 else "")
            terms.append(f"{sign}{_points(abs(points))} ({label})")
        return f"Score {_points(self.score)} = {' '.join(terms)}."


def _points(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def quote_source(quote: Quote) -> Source:
    """A knowledge-base quote as a source."""
    return Source(doc_id=quote.doc_id, section=quote.section, quote=quote.text)


def _pick(quotes: list[Quote], pattern: str) -> Source | None:
    found = next((q for q in quotes if re.search(pattern, q.text, re.IGNORECASE)), None)
    found = found or (quotes[0] if quotes else None)
    return quote_source(found) if found else None


def target_rule(kb: KnowledgeBase, code: str, profile: Profile) -> TargetRule | None:
    """The fiche's target row for this profile (the validator's reading)."""
    return kb.target_for(
        code,
        categorie=profile.categorie,
        statut=profile.statut,
        lits=profile.lits,
        departement=profile.departement,
    )


def _sans_objet_without_departement(ind: Indicator, profile: Profile) -> TargetRule | None:
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


def _exclude(candidate: Candidate, motif: str, source: Source | None) -> Candidate:
    candidate.eligible = False
    candidate.motif = motif
    candidate.motif_source = source
    return candidate


def _summary(ind: Indicator, rule: TargetRule) -> str:
    years = [format_year_target(y, ind.unit) for y in rule.years if y.kind != "libre"]
    if not years:
        return "pas de valeur imposée (jalons laissés à l'établissement)"
    return " ; ".join(years if len(years) <= 2 else [years[0], years[-1]])


def _strategic_exclusion(
    candidate: Candidate, ind: Indicator, profile: Profile, rule: TargetRule | None
) -> Candidate | None:
    """The candidate excluded with the fiche's words, or None when the profile may choose it."""
    elig = ind.eligibility
    if elig.requires_ght and not profile.membre_ght:
        return _exclude(
            candidate,
            "réservé aux établissements membres d'un GHT ; le profil n'en est pas membre "
            "(membre_ght = non).",
            _pick(elig.quotes, "GHT"),
        )
    declared = set(profile.activites)
    if elig.required_activities and not declared & set(elig.required_activities):
        needed = ", ".join(ACTIVITY_LABELS[a] for a in elig.required_activities)
        return _exclude(
            candidate,
            f"suppose l'une de ces activités : {needed} ; le profil n'en déclare aucune.",
            _pick(elig.quotes, "|".join([*elig.required_activities, "autoris"])),
        )
    if elig.categories_only and profile.categorie not in elig.categories_only:
        return _exclude(
            candidate,
            "réservé aux catégories " + ", ".join(elig.categories_only) + ".",
            _pick(elig.quotes, "|".join(elig.categories_only)),
        )
    if rule is not None and rule.years and all(y.kind == "sans_objet" for y in rule.years):
        return _exclude(
            candidate,
            f"la fiche fixe une cible « sans objet » pour « {rule.scope.label} ».",
            quote_source(rule.quote),
        )
    if (unsure := _sans_objet_without_departement(ind, profile)) is not None:
        return _exclude(
            candidate,
            f"la fiche fixe une cible « sans objet » pour « {unsure.scope.label} » ; sans FINESS "
            "EJ, le département n'est pas connu : l'indicateur est écarté par prudence.",
            quote_source(unsure.quote),
        )
    return None


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
    rule = target_rule(kb, ind.code, profile)
    excluded = _strategic_exclusion(candidate, ind, profile, rule)
    if excluded is not None:
        return excluded
    elig = ind.eligibility
    declared = set(profile.activites)
    candidate.add("accessible à votre profil", POINTS_ELIGIBLE)
    _priority(candidate, match)
    if elig.requires_ght:
        candidate.add("membre d'un GHT", POINTS_GHT)
        candidate.raisons.append(
            "Indicateur réservé aux membres d'un GHT : votre établissement en est membre."
        )
        candidate.cite(_pick(elig.quotes, "GHT"))
    if elig.required_activities:
        mine = [ACTIVITY_LABELS[a] for a in elig.required_activities if a in declared]
        candidate.add("activité visée par la fiche", POINTS_REQUIRED_ACTIVITY)
        candidate.raisons.append(
            f"La fiche vise une activité que vous déclarez ({', '.join(mine)})."
        )
        candidate.cite(_pick(elig.quotes, "|".join(elig.required_activities)))
    _mentions(candidate, profile, catalog, skip=set(elig.required_activities))
    candidate.raisons.append(
        f"Objectif stratégique de la fiche : « {ind.objective} » (engagement n° "
        f"{ind.engagement.number} du PRS : « {ind.engagement.label} »)."
    )
    candidate.cite(
        next(
            (
                s.source
                for s in catalog.fiches[ind.code].sentences
                if s.source.section and s.source.section.endswith("Objectif stratégique")
            ),
            None,
        )
    )
    _target(candidate, ind, rule, profile)
    if elig.public_mainly and profile.statut != "public":
        public = _pick(elig.quotes, "public")
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


def _priority(candidate: Candidate, match: Match) -> None:
    if match.relevance < MIN_RELEVANCE:
        return
    candidate.relevance = match.relevance
    candidate.add("priorités", POINTS_PRIORITY * match.relevance)
    percent = round(100 * match.relevance)
    reason = f"Répond à votre priorité « {match.clause} » (pertinence {percent} %)"
    if match.source is None:
        reason += ", d'après la recherche dans les fiches."
    else:
        quote = match.source.quote
        end = "" if quote.endswith((".", "!", "?")) else "."
        reason += f" ; la fiche dit : « {quote} »{end}"
    candidate.raisons.append(reason)
    candidate.cite(match.source)


def _mentions(
    candidate: Candidate, profile: Profile, catalog: FicheCatalog, *, skip: set[str]
) -> None:
    mine = set(profile.activites) | set(CATEGORY_ACTIVITIES.get(profile.categorie, ()))
    named = catalog.fiches[candidate.code].label_activities
    if named and not named & mine:
        names = ", ".join(ACTIVITY_LABELS[a] for a in sorted(named))
        candidate.add("activité de la fiche non déclarée", PENALTY_OTHER_ACTIVITY)
        candidate.raisons.append(
            "Le libellé de la fiche porte sur une activité que votre profil ne déclare pas "
            f"({names})."
        )
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
    candidate.raisons.append(f"La fiche cite des activités de votre établissement : {names}.")
    for source in list(found.values())[:2]:
        candidate.cite(source)


def _target(
    candidate: Candidate, ind: Indicator, rule: TargetRule | None, profile: Profile
) -> None:
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
    candidate.raisons.append(
        f"Cible de la fiche pour « {rule.scope.label} » : {_summary(ind, rule)}."
    )
    candidate.cite(quote_source(rule.quote))


def _already_met(candidate: Candidate, already_met: Source | None) -> None:
    if already_met is None:
        return
    candidate.add("déjà atteint", PENALTY_ALREADY_MET)
    candidate.avertissements.append(
        "Vous déclarez cet indicateur déjà atteint ; le guide précise : "
        f"« {already_met.quote} » Il est donc classé en retrait."
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
    "Candidate",
    "already_met_source",
    "hpr_candidate",
    "quote_source",
    "strategic_candidate",
    "target_rule",
]
