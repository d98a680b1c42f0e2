"""The regional figures: dossiers by status, département, indicator and broken rule.

Computed from each dossier's current version, for the caller's scope only: every dossier goes
through `assistant.store.access.may_read` before it is counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from assistant.kb.codes import HPR_CODES, STRATEGIC_CODES, canonical_code
from assistant.kb.display import format_year_target
from assistant.rules.catalog import Severity
from assistant.store.access import may_read, normalize_departement
from assistant.store.connection import Store
from assistant.store.models import Actor
from assistant.store.tables import STATUSES, Dossier, Version

DEADLINE_RULE = "CAMPAIGN-DEADLINE"
"""The rule whose ``deadline`` parameter is the e-CARS date (cited from the guide)."""

TOP_INDICATORS = 5
"""How many of the most chosen indicators get their 2029 targets in `Synthesis.cibles_2029`."""

NOT_SUBMITTED = ("brouillon", "a_corriger")
"""Statuses of a dossier not (or no longer) in the referent's hands."""


class RuleCount(BaseModel):
    """A rule broken by the current reports of some dossiers, with the guide's words."""

    regle: str
    dossiers: int
    gravite: Severity | None = None
    titre: str | None = None
    section: str | None = None
    texte_du_guide: str | None = None


class Target2029(BaseModel):
    """One dossier's 2029 target for an indicator, beside the fiche's 2029 target for it."""

    finess_ej: str
    cible: Any = None
    fiche: str | None = Field(None, description="The fiche's 2029 target in words, if a row fits.")
    fiche_valeur: float | None = Field(
        None, description="The fiche's 2029 figure when it is an absolute value or a minimum."
    )


class IndicatorTargets(BaseModel):
    """The 2029 targets of the dossiers choosing one of the most chosen indicators."""

    code: str
    dossiers: int
    cibles: list[Target2029]


class Synthesis(BaseModel):
    """The regional figures (``synthese --json``; field names are the issue's contract)."""

    campagne: str
    departement: str | None = None
    dossiers: int
    par_statut: dict[str, int]
    par_departement: dict[str, int]
    par_indicateur: dict[str, int]
    par_indicateur_hpr: dict[str, int]
    par_regle: dict[str, int]
    regles: list[RuleCount] = Field(description="par_regle in detail, most broken first.")
    non_deposes: list[str]
    echeance: dt.date | None = None
    jours_avant_echeance: int | None = None
    echeance_source: str | None = None
    cibles_2029: list[IndicatorTargets]


def compute_synthesis(
    store: Store,
    actor: Actor,
    *,
    departement: str | None = None,
    today: dt.date | None = None,
) -> Synthesis:
    """The figures of the dossiers ``actor`` may read (optionally of one département).

    Args:
        store: The dossier store.
        actor: Who asks: an establishment sees its own dossiers, a referent its départements,
            an administrator all of them.
        departement: Restrict to one département (``31``, ``2A``…).
        today: The day the days left are counted from (default: today).

    Raises:
        InvalidRequestError: A malformed département.
    """
    wanted = normalize_departement(departement) if departement is not None else None
    query = (
        select(Dossier, Version)
        .join(Version, (Version.dossier_id == Dossier.id) & (Version.number == Dossier.version))
        .where(Dossier.campagne == store.campaign)
        .order_by(Dossier.finess_ej)
    )
    if wanted is not None:
        query = query.where(Dossier.departement == wanted)
    with store.transaction() as session:
        rows = [
            (
                dossier.finess_ej,
                dossier.departement,
                dossier.statut,
                version.content,
                version.report,
            )
            for dossier, version in session.execute(query)
            if may_read(actor, dossier.finess_ej)
        ]
    statuses: Counter[str] = Counter()
    departements: Counter[str] = Counter()
    indicators: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for _, dep, statut, content, report in rows:
        statuses[statut] += 1
        departements[dep] += 1
        indicators.update(
            _codes(content.get("indicateurs")) | _codes(content.get("indicateurs_hpr"))
        )
        rules.update({str(f["rule"]) for f in report.get("findings", []) if f.get("rule")})
    deadline, source = _deadline(store)
    today = today or dt.date.today()
    by_rule = sorted(rules.items(), key=lambda item: (-item[1], item[0]))
    top = sorted(
        (code for code in STRATEGIC_CODES if indicators[code]),
        key=lambda code: -indicators[code],  # stable: code order among equals
    )[:TOP_INDICATORS]
    return Synthesis(
        campagne=store.campaign,
        departement=wanted,
        dossiers=len(rows),
        par_statut={statut: statuses[statut] for statut in STATUSES},
        par_departement=dict(sorted(departements.items())),
        par_indicateur={code: indicators[code] for code in STRATEGIC_CODES},
        par_indicateur_hpr={code: indicators[code] for code in HPR_CODES},
        par_regle=dict(by_rule),
        regles=[_rule_count(store, rule_id, n) for rule_id, n in by_rule],
        non_deposes=sorted(finess for finess, _, statut, _, _ in rows if statut in NOT_SUBMITTED),
        echeance=deadline,
        jours_avant_echeance=(deadline - today).days if deadline else None,
        echeance_source=source,
        cibles_2029=[_targets(store, code, rows) for code in top],
    )


def _codes(items: Any) -> set[str]:
    """The canonical codes of a draft's indicator list (unknown or repeated ones once)."""
    if not isinstance(items, list):
        return set()
    codes = (canonical_code(str(item.get("code"))) for item in items if isinstance(item, dict))
    return {code for code in codes if code}


def _deadline(store: Store) -> tuple[dt.date | None, str | None]:
    rule = store.checker.rules.get(DEADLINE_RULE)
    if rule is None or rule.params.get("deadline") is None:
        return None, None
    deadline = rule.params["deadline"]
    if isinstance(deadline, str):
        deadline = dt.date.fromisoformat(deadline)
    return deadline, rule.citation.quote


def _rule_count(store: Store, rule_id: str, n: int) -> RuleCount:
    rule = store.checker.rules.get(rule_id)
    if rule is None:
        return RuleCount(regle=rule_id, dossiers=n)
    return RuleCount(
        regle=rule_id,
        dossiers=n,
        gravite=rule.severity,
        titre=rule.title,
        section=rule.citation.section,
        texte_du_guide=rule.citation.quote,
    )


def _targets(
    store: Store, code: str, rows: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]]
) -> IndicatorTargets:
    targets: list[Target2029] = []
    for finess, dep, _, content, _ in rows:
        item = next(
            (
                i
                for i in content.get("indicateurs") or []
                if isinstance(i, dict) and canonical_code(str(i.get("code"))) == code
            ),
            None,
        )
        if item is None:
            continue
        cibles = item.get("cibles")
        cible = cibles.get("2029") if isinstance(cibles, Mapping) else None
        fiche, valeur = _fiche_2029(store, code, content.get("etablissement"), dep)
        targets.append(Target2029(finess_ej=finess, cible=cible, fiche=fiche, fiche_valeur=valeur))
    return IndicatorTargets(code=code, dossiers=len(targets), cibles=targets)


def _fiche_2029(
    store: Store, code: str, establishment: Any, departement: str
) -> tuple[str | None, float | None]:
    """The fiche's 2029 target for this establishment: in words, and its figure if absolute.

    Rows "déjà engagés" are not matched (``engaged`` is not recorded in a dossier), and a growth
    (« +5 % par rapport à 2024 ») has no absolute figure: ``fiche_valeur`` stays None then.
    """
    if not isinstance(establishment, Mapping):
        return None, None
    categorie, statut = establishment.get("categorie"), establishment.get("statut")
    lits = establishment.get("lits")
    if not isinstance(categorie, str) or not isinstance(statut, str):
        return None, None
    rule = store.checker.kb.target_for(
        code,
        categorie=categorie,
        statut=statut,
        lits=lits if isinstance(lits, int) else None,
        departement=departement,
    )
    year = next((y for y in rule.years if y.year == 2029), None) if rule else None
    if year is None:
        return None, None
    unit = store.checker.kb.indicators[code].unit if code in store.checker.kb.indicators else None
    figure = year.value if year.kind in ("valeur", "min") else None
    return format_year_target(year, unit).removeprefix("2029 : "), figure
