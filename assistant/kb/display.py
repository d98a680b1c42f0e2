"""French text views of the knowledge base, for the CLI (`indicators`, `indicators CODE`)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from assistant.kb.models import HprIndicator, Indicator, Quote, Unit, YearTarget

if TYPE_CHECKING:
    from assistant.kb.base import KnowledgeBase

WIDTH = 100

UNIT_LABELS: dict[str, str] = {
    "taux": "taux (%)",
    "nombre": "nombre",
    "oui_non": "oui/non",
    "file_active": "file active",
    "ratio": "ratio",
    "duree": "durée",
    "montant": "montant",
    "autre": "autre",
}
DIRECTION_LABELS: dict[str, str] = {
    "hausse": "progression attendue",
    "baisse": "baisse attendue",
    "atteinte_oui": "atteinte attendue (oui)",
    "maintien": "maintien",
    "libre": "pas de sens imposé",
}
# Activities as the fiches abbreviate them (``assistant.profile.ACTIVITY_LABELS``: in full).
ACTIVITY_SHORT_LABELS: dict[str, str] = {
    "medecine": "médecine",
    "chirurgie": "chirurgie",
    "obstetrique": "obstétrique",
    "urgences": "urgences",
    "imagerie": "imagerie",
    "mammographie": "mammographie",
    "had": "HAD",
    "smr": "SMR",
    "psychiatrie": "psychiatrie",
    "usld": "USLD",
    "dialyse": "dialyse",
    "cancerologie": "cancérologie",
}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def format_year_target(target: YearTarget, unit: Unit | None = None) -> str:
    """One year's target in French: ``2026 : +3 % par rapport à N-1``."""
    value = _number(target.value)
    percent = " %" if unit == "taux" else ""
    text = {
        "oui": "oui",
        "non": "non",
        "valeur": f"{value}{percent}",
        "min": f"au moins {value}{percent}",
        "hausse_vs_2024": f"+{value} {'points' if target.points else '%'} par rapport à 2024",
        "hausse_vs_n_1": (
            "pas de baisse par rapport à N-1"
            if target.value == 0
            else f"+{value} % par rapport à N-1"
        ),
        "baisse_vs_2024": f"-{value} % par rapport à 2024",
        "baisse_vs_n_1": f"-{value} % par rapport à N-1",
        "plus_vs_n_1": f"+{value} par rapport à N-1",
        "sans_objet": "sans objet",
        "libre": f"« {target.cell} » (pas de valeur chiffrée imposée)"
        if target.cell
        else "pas de valeur imposée",
    }[target.kind]
    return f"{target.year} : {text}"


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _quoted(quote: Quote, limit: int = 600) -> str:
    text = quote.text if len(quote.text) <= limit else quote.text[: limit - 1].rstrip() + "…"
    return f"« {text} »"


def format_indicator(indicator: Indicator | HprIndicator) -> str:
    """A readable French description of one indicator (fiche or HPR annex)."""
    if isinstance(indicator, HprIndicator):
        return _format_hpr(indicator)
    ind = indicator
    family = "coopérations / mutualisations" if ind.category == "cooperation" else "autres champs"
    lines = [
        f"{ind.code} ({ind.short_code}) — {ind.label}",
        f"Catégorie : {family}",
        _wrap(f"Engagement du PRS n°{ind.engagement.number} : {ind.engagement.label}", ""),
        _wrap(f"Objectif stratégique : {ind.objective}", ""),
        f"Type : {ind.type} — unité : {UNIT_LABELS[ind.unit]}",
    ]
    for title, value in (
        ("Définition", ind.definition),
        ("Numérateur", ind.numerator),
        ("Dénominateur", ind.denominator),
        ("Source des données", ind.data_source),
        ("Fréquence de collecte", ind.frequency),
        ("Partenaires", ind.partners),
    ):
        if value:
            lines.append(_wrap(f"{title} : {value}", ""))
    lines.append("Éligibilité :")
    lines.extend(_eligibility_lines(ind))
    lines.append(f"Cible ({DIRECTION_LABELS[ind.target.direction]}) :")
    for rule in ind.target.rules:
        years = " ; ".join(format_year_target(y, ind.unit) for y in rule.years)
        lines.append(_wrap(f"- {rule.scope.label} : {years}"))
        if rule.reading:
            lines.append(_wrap(f"Lecture : {rule.reading}", "    "))
    if not ind.target.rules:
        lines.append("  - pas de règle structurée : voir le texte de la fiche")
    lines.append(_wrap(f"Texte de la fiche : {_quoted(ind.target.wording)}"))
    if ind.good_practices:
        lines.append("Bonnes pratiques :")
        lines.extend(_wrap(f"- {item}") for item in ind.good_practices)
    lines.append(f"Source : {ind.target.wording.doc_id}")
    return "\n".join(lines)


def _eligibility_lines(ind: Indicator) -> list[str]:
    elig = ind.eligibility
    items: list[str] = []
    if elig.requires_ght:
        items.append("réservé aux établissements membres d'un GHT")
    if elig.required_activities:
        names = ", ".join(ACTIVITY_SHORT_LABELS[a] for a in elig.required_activities)
        items.append(f"activité requise (au moins une) : {names}")
    if elig.categories_only:
        items.append(f"réservé aux catégories : {', '.join(elig.categories_only)}")
    if elig.public_mainly:
        items.append("concerne plus particulièrement les établissements publics")
    sans_objet = [
        rule.scope.label
        for rule in ind.target.rules
        if rule.years and all(y.kind == "sans_objet" for y in rule.years)
    ]
    if sans_objet:
        items.append(f"cible « sans objet » pour : {', '.join(sans_objet)}")
    if not items:
        return ["  - aucune restriction dans la fiche"]
    lines = [_wrap(f"- {item}") for item in items]
    if elig.quotes:
        lines.append("  Extraits de la fiche :")
        lines.extend(_wrap(_quoted(quote), "    ") for quote in elig.quotes)
    return lines


def _format_hpr(hpr: HprIndicator) -> str:
    star = " (objectif prioritaire *)" if hpr.starred else ""
    return "\n".join(
        [
            f"{hpr.code} — {hpr.label}",
            "Annexe hôpitaux de proximité (2025-2027)",
            _wrap(f"Objectif {hpr.objective_number}{star} : {hpr.objective}", ""),
            _wrap(f"Texte du guide : {_quoted(hpr.quote)}", ""),
            f"Source : {hpr.quote.doc_id}",
        ]
    )


def _row(code: str, short: str, kind: str, unit: str, label: str) -> str:
    head = f"{code:<11} {short:<10} {kind:<12} {unit:<12} "
    room = WIDTH - len(head)
    return head + (label if len(label) <= room else label[: room - 1].rstrip() + "…")


def format_indicator_list(kb: KnowledgeBase) -> str:
    """A French table of every indicator: strategic annex by family, then the HPR annex."""
    cooperation, others = kb.cooperation(), kb.others()
    declarative = sum(i.type == "declaratif" for i in kb.indicators.values())
    lines = [
        f"Annexe stratégique : {len(kb.indicators)} indicateurs "
        f"({len(kb.indicators) - declarative} quantitatifs, {declarative} déclaratifs)",
        "",
        _row("CODE", "ANNEXE", "TYPE", "UNITÉ", "LIBELLÉ"),
    ]
    for title, group in (
        (f"Coopérations / mutualisations ({len(cooperation)})", cooperation),
        (f"Autres champs ({len(others)})", others),
    ):
        lines.append(f"— {title}")
        lines.extend(
            _row(i.code, i.short_code, i.type, UNIT_LABELS[i.unit], i.label) for i in group
        )
    lines += [
        "",
        f"Annexe hôpitaux de proximité (2025-2027) : {len(kb.hpr)} indicateurs ; "
        "* objectif prioritaire",
    ]
    for number, (objective, starred) in kb.hpr_objectives().items():
        lines.append(_wrap(f"Objectif {number}{' *' if starred else ''} : {objective}", ""))
        lines.extend(
            _row(h.code, "", "", "", h.label)
            for h in kb.hpr.values()
            if h.objective_number == number
        )
    return "\n".join(lines)
