"""ELIG-* rules: does an indicator, and the fiche's targets, apply to this establishment?"""

from __future__ import annotations

import re

from assistant.kb.models import Indicator, Quote, TargetRule
from assistant.rules.run import Run

_STATUTS = {
    "public": "public",
    "prive_non_lucratif": "privé à but non lucratif",
    "prive_lucratif": "privé à but lucratif",
}


def _pick(quotes: list[Quote], pattern: str) -> Quote | None:
    """The fiche quote that mentions ``pattern`` (else the first one, else None)."""
    found = next((q for q in quotes if re.search(pattern, q.text, re.IGNORECASE)), None)
    return found or (quotes[0] if quotes else None)


def _situation(run: Run) -> str:
    etab = run.view.etablissement
    parts: list[str] = [etab.categorie or "catégorie inconnue"]
    if etab.lits is not None:
        parts.append(f"{etab.lits} lits")
    if etab.departement:
        parts.append(f"département {etab.departement}")
    return ", ".join(parts)


def target_rule(run: Run, code: str, *, engaged: bool = False) -> TargetRule | None:
    """The fiche's target rule for this establishment (None when its profile is incomplete).

    ``engaged``: the draft says the establishment is already engaged in the approach
    (``deja_engage``), so a row « Pour les établissements déjà engagés… » applies.
    """
    etab = run.view.etablissement
    if etab.categorie is None or etab.statut is None or etab.lits is None or not etab.departement:
        return None
    rule: TargetRule | None = run.kb.target_for(
        code,
        categorie=etab.categorie,
        statut=etab.statut,
        lits=etab.lits,
        departement=etab.departement,
        engaged=engaged,
    )
    return rule


def check_eligibility(run: Run, indicator: Indicator, rule: TargetRule | None) -> bool:
    """ELIG-* rules; False when the fiche's targets do not apply to this establishment."""
    etab = run.view.etablissement
    elig = indicator.eligibility
    code = indicator.code
    if elig.requires_ght and etab.membre_ght is False:
        run.emit("ELIG-GHT", indicator=code, quote=_pick(elig.quotes, r"GHT"))
    declared = etab.activites
    required = elig.required_activities
    if required and declared is not None and not set(required) & set(declared):
        run.emit(
            "ELIG-ACTIVITY",
            indicator=code,
            quote=_pick(elig.quotes, "|".join([*required, "autoris", "MCO"])),
            required=", ".join(required),
            declared=", ".join(declared) or "aucune",
        )
    if elig.public_mainly and etab.statut is not None and etab.statut != "public":
        run.emit(
            "ELIG-PUBLIC",
            indicator=code,
            quote=_pick(elig.quotes, r"public"),
            statut=_STATUTS[etab.statut],
        )
    only = elig.categories_only
    if only and etab.categorie is not None and etab.categorie not in only:
        run.emit(
            "ELIG-CATEGORY",
            indicator=code,
            quote=_pick(elig.quotes, "|".join(only)),
            situation=_situation(run),
            reason=run.variant("ELIG-CATEGORY", "categories_only", allowed=", ".join(only)),
        )
        return False
    if rule is not None and rule.years and all(y.kind == "sans_objet" for y in rule.years):
        run.emit(
            "ELIG-CATEGORY",
            indicator=code,
            quote=rule.quote,
            situation=_situation(run),
            reason=run.variant("ELIG-CATEGORY", "sans_objet", scope=rule.scope.label),
        )
        return False
    return True


__all__ = ["check_eligibility", "target_rule"]
