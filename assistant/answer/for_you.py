"""What the guides mean for one establishment, computed by code: « pour vous ».

For an indicator: may it choose it (the proposal's eligibility, from the fiche's words), which
target row of the fiche applies to it, and, when its dossier holds the 2024 value, its yearly
targets (the code of ``draft``). For its selection: what the validator says of it, and how many
indicators remain to choose. For the HPR annex: whether it concerns the establishment. Every
fact keeps the fiche's or the guide's own words as its source; no model writes any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.answer.establishment import Establishment
from assistant.answer.models import (
    FactSource,
    ForYou,
    HprAnnex,
    SelectionFinding,
    SelectionState,
)
from assistant.drafting.indicator import (
    hpr_indicator_trajectory,
    parse_baseline,
    strategic_trajectory,
)
from assistant.drafting.trajectory import Trajectory, show
from assistant.errors import InvalidInputError
from assistant.kb import format_year_target
from assistant.kb.models import HprIndicator, Indicator, TargetRule
from assistant.profile import ACTIVITY_LABELS, STATUT_LABELS
from assistant.propose.candidate import Candidate
from assistant.propose.eligibility import (
    engaged_rows,
    pick,
    quote_source,
    sans_objet_without_departement,
    strategic_exclusion,
    target_rule,
)
from assistant.propose.selection import SELECTION_RULE_IDS, establishment_tree
from assistant.rules import RuleSet, Source, validate_draft

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

SELECTION_RULES = SELECTION_RULE_IDS - {"SCHEMA"}
"""The validator's rules on the choice of indicators (SEL-*, ELIG-*, HPR-*), as ``propose``
checks them, not on values nor texts; without SCHEMA: a dossier still incomplete is no answer
to « combien il nous en reste »."""


@dataclass
class Statement:
    """A sentence of the answer and the words it rests on."""

    text: str
    source: Source | None = None
    more: tuple[Source | None, ...] = ()
    """Other sources of the same sentence."""

    @property
    def sources(self) -> list[Source]:
        """Every source of the sentence, in order."""
        return [s for s in (self.source, *self.more) if s is not None]


@dataclass
class IndicatorFacts:
    """One indicator for the establishment: the ``pour_vous`` item and its sentences."""

    item: ForYou
    statements: list[Statement] = field(default_factory=list)


def _fact_source(source: Source) -> FactSource:
    return FactSource(doc_id=source.doc_id, section=source.section, quote=source.quote)


def _rule_source(rules: RuleSet, rule_id: str, alt: str | None = None) -> Source | None:
    rule = rules.get(rule_id)
    if rule is None:
        return None
    citation = rule.alt_citations.get(alt, rule.citation) if alt else rule.citation
    return Source(doc_id=citation.doc_id, section=citation.section, quote=citation.quote)


def _label_source(ind: Indicator) -> Source:
    return Source(
        doc_id=ind.target.wording.doc_id,
        section=f"{ind.code} – N° et libellé Indicateur",
        quote=ind.label,
    )


def _row(ind: Indicator, rule: TargetRule) -> str:
    years = " ; ".join(format_year_target(y, ind.unit) for y in rule.years)
    return f"« {rule.scope.label} » : {years}"


def _targets(trajectory: Trajectory) -> dict[str, Any] | None:
    if trajectory.methode == "a_completer" or not any(
        v is not None for v in trajectory.valeurs.values()
    ):
        return None
    return dict(trajectory.valeurs)


def _shown_targets(values: dict[str, Any], unit: str) -> str:
    return " ; ".join(f"{year} : {show(value, unit)}" for year, value in values.items())


def indicator_facts(
    code: str, establishment: Establishment, *, kb: KnowledgeBase, rules: RuleSet
) -> IndicatorFacts:
    """What one known indicator means for the establishment (``code`` canonical)."""
    indicator = kb.get(code)
    if isinstance(indicator, HprIndicator):
        return _hpr_facts(indicator, establishment, rules)
    return _strategic_facts(indicator, establishment, kb=kb, rules=rules)


def _baseline(
    establishment: Establishment, ind: Indicator | HprIndicator
) -> tuple[Any, Statement | None]:
    """The parsed 2024 value of the dossier, or (None, why it cannot be read)."""
    raw = establishment.baseline(ind.code)
    if raw is None:
        return None, None
    try:
        return parse_baseline(raw, ind), None
    except InvalidInputError as exc:
        return None, Statement(
            f"La valeur 2024 de votre dossier ne permet pas de calculer vos cibles : {exc.message}"
        )


def _strategic_facts(
    ind: Indicator, establishment: Establishment, *, kb: KnowledgeBase, rules: RuleSet
) -> IndicatorFacts:
    profile = establishment.profile
    elig = ind.eligibility
    engaged = ind.code in profile.deja_engages and bool(engaged_rows(ind))
    rule = target_rule(kb, ind.code, profile, engaged=engaged)
    excluded = strategic_exclusion(Candidate(ind.code, ind.label, ind.category), ind, profile, rule)
    statements: list[Statement] = []
    if excluded is not None:
        unsure = sans_objet_without_departement(ind, profile)
        undecided = (
            unsure is not None
            and excluded.motif_source == quote_source(unsure.quote)
            and "FINESS" in (excluded.motif or "")
        )
        source = excluded.motif_source or _label_source(ind)
        motif = f"{ind.code} {_verb(excluded.motif or '')}"
        head = "Les guides ne tranchent pas pour votre profil" if undecided else "Non"
        statements.append(Statement(_with_words(f"{head} : {motif}", source), source))
        item = ForYou(
            code=ind.code,
            eligible=None if undecided else False,
            motif=motif,
            ligne_cible=_row(ind, rule) if rule is not None else None,
            source=_fact_source(source),
        )
        return IndicatorFacts(item, statements)
    reasons: list[tuple[str, Source | None]] = []
    if elig.requires_ght:
        reasons.append(
            (
                f"{ind.code} est réservé aux membres d'un GHT, et votre établissement en est "
                "membre (membre_ght = oui)",
                pick(elig.quotes, "GHT"),
            )
        )
    if elig.required_activities:
        needed = ", ".join(ACTIVITY_LABELS[a] for a in elig.required_activities)
        mine = ", ".join(
            ACTIVITY_LABELS[a] for a in elig.required_activities if a in profile.activites
        )
        reasons.append(
            (
                f"{ind.code} suppose l'une de ces activités : {needed} ; vous déclarez : {mine}",
                pick(elig.quotes, "|".join([*elig.required_activities, "autoris"])),
            )
        )
    if not reasons:
        where = (
            f" ; sa cible vaut pour votre situation (ligne « {rule.scope.label} »)"
            if rule is not None
            else ""
        )
        reasons.append(
            (
                f"la fiche ne réserve {ind.code} à aucune catégorie, activité ni appartenance à "
                f"un GHT qui vous en écarterait{where}",
                quote_source(rule.quote) if rule is not None else _label_source(ind),
            )
        )
    reserves: list[tuple[str, Source | None]] = []
    if elig.public_mainly and profile.statut != "public":
        public = pick(elig.quotes, "public")
        reserves.append(
            (
                "la fiche indique que cet indicateur concerne surtout les établissements publics "
                f"; votre établissement est {STATUT_LABELS[profile.statut]} : le choix reste "
                "possible mais sera examiné par l'ARS",
                public,
            )
        )
    value, unreadable = _baseline(establishment, ind)
    trajectory = strategic_trajectory(ind, rule, value) if value is not None else None
    met = _already_met(ind.code, establishment, trajectory, value, ind.unit, rules)
    if met is not None:
        reserves.append(met)
    head = "Oui, avec une réserve" if reserves else "Oui"
    first_text, first_source = reasons[0]
    generic = not (elig.requires_ght or elig.required_activities)
    shown = f"{head} : {first_text}"
    if not (generic and rule is not None):  # the row is quoted just after
        shown = _with_words(shown, first_source)
    statements.append(Statement(shown, first_source))
    statements += [Statement(_with_words(_cap(text), src), src) for text, src in reasons[1:]]
    statements += [
        Statement(
            _with_words(f"Réserve : {text}", src) if "«" not in text else f"Réserve : {text}", src
        )
        for text, src in reserves
    ]
    if rule is not None:
        statements.append(
            Statement(
                f"Cible de la fiche qui vous concerne, ligne {_row(ind, rule)}",
                quote_source(rule.quote),
            )
        )
        if rule.reading:
            statements.append(Statement(f"Lecture retenue : {rule.reading}"))
    else:
        statements.append(
            Statement(
                "La fiche ne fixe pas de cible pour votre situation : la trajectoire sera à "
                "construire avec l'ARS."
            )
        )
    rows = engaged_rows(ind)
    if rows and not engaged:
        statements.append(
            Statement(
                f"Si votre établissement est déjà engagé dans la démarche, la ligne « "
                f"{rows[0].scope.label} » s'applique à la place (champ deja_engages du profil).",
            )
        )
    targets = _targets(trajectory) if trajectory is not None else None
    if targets is not None:
        unit = "oui_non" if ind.type == "declaratif" or ind.unit == "oui_non" else ind.unit
        statements.append(
            Statement(
                f"Avec votre valeur 2024 ({show(value, unit)}), vos cibles calculées d'après "
                f"cette ligne : {_shown_targets(targets, unit)}."
            )
        )
        if note := _method_note(trajectory):
            statements.append(Statement(note))
    elif unreadable is not None:
        statements.append(unreadable)
    elif rule is not None and establishment.has_selection:
        statements.append(
            Statement(
                "Votre dossier n'a pas de valeur 2024 pour cet indicateur : les cibles seront "
                "calculées quand vous l'aurez saisie."
            )
        )
    motif = "; ".join(text for text, _ in [*reasons, *reserves])
    main = first_source or _label_source(ind)
    item = ForYou(
        code=ind.code,
        eligible=True,
        reserve="; ".join(text for text, _ in reserves) or None,
        motif=_cap(motif) + ".",
        ligne_cible=_row(ind, rule) if rule is not None else None,
        cibles=targets,
        source=_fact_source(main),
    )
    return IndicatorFacts(item, statements)


def _method_note(trajectory: Trajectory | None) -> str | None:
    """What in the computed targets is the assistant's, not the fiche's (as ``draft`` says)."""
    if trajectory is None:
        return None
    if trajectory.progression_proposee:
        years = ", ".join(trajectory.progression_proposee)
        return (
            f"Pour {years}, la fiche demande une progression sans la chiffrer : l'assistant "
            "propose la plus petite progression, à ajuster par l'établissement."
        )
    if trajectory.methode == "plancher":
        return (
            "La fiche ne chiffre pas la cible pour votre situation : ces cibles reprennent la "
            "valeur 2024 comme plancher, à ajuster par l'établissement."
        )
    if trajectory.methode == "ambitieuse":
        return (
            "Votre valeur 2024 atteint déjà la cible finale de la fiche : l'assistant propose "
            "une trajectoire plus ambitieuse, à ajuster par l'établissement."
        )
    return None


def _already_met(
    code: str,
    establishment: Establishment,
    trajectory: Trajectory | None,
    value: Any,
    unit: str,
    rules: RuleSet,
) -> tuple[str, Source | None] | None:
    declared = code in establishment.profile.deja_atteints
    reached = trajectory is not None and trajectory.deja_atteint
    if not (declared or reached):
        return None
    why = (
        f"votre valeur 2024 ({show(value, unit)}) atteint déjà la cible finale de la fiche"
        if reached
        else "vous déclarez cet indicateur déjà atteint (deja_atteints)"
    )
    source = _rule_source(rules, "TRAJ-ALREADY-MET")
    words = f" ; le guide : « {source.quote} »" if source is not None else ""
    return f"{why} : l'ARS reviendra vers vous sur ce choix{words}", source


def _hpr_facts(hpr: HprIndicator, establishment: Establishment, rules: RuleSet) -> IndicatorFacts:
    profile = establishment.profile
    star = ", prioritaire (étoilé)" if hpr.starred else ""
    annex = quote_source(hpr.quote)
    if not profile.hopital_proximite:
        source = _rule_source(rules, "HPR-NOT-HPR") or annex
        motif = (
            f"{hpr.code} est un indicateur de l'annexe HPR (objectif n° {hpr.objective_number}"
            f"{star}), propre aux hôpitaux de proximité ; votre établissement n'est pas déclaré "
            "hôpital de proximité (hopital_proximite = non)."
        )
        item = ForYou(code=hpr.code, eligible=False, motif=motif, source=_fact_source(source))
        return IndicatorFacts(item, [Statement(f"Non : {motif}", source)])
    motif = (
        f"{hpr.code} est un indicateur de l'annexe HPR (objectif n° {hpr.objective_number}"
        f"{star}), et votre établissement est un hôpital de proximité (hopital_proximite = oui)."
    )
    value, unreadable = _baseline(establishment, hpr)
    unit = "taux" if hpr.label.strip().lower().startswith(("taux", "part")) else "nombre"
    met = _already_met(hpr.code, establishment, None, value, unit, rules)
    statements = [Statement(f"{'Oui, avec une réserve' if met else 'Oui'} : {motif}", annex)]
    if met is not None:
        statements.append(Statement(f"Réserve : {met[0]}", met[1]))
    statements.append(
        Statement(
            "L'annexe HPR ne fixe pas de cible chiffrée : la trajectoire 2025-2027 est à "
            "proposer par l'établissement."
        )
    )
    targets = _targets(hpr_indicator_trajectory(hpr, value)) if value is not None else None
    if targets is not None:
        statements.append(
            Statement(
                f"Avec votre valeur 2024 ({show(value, unit)}), l'assistant propose : "
                f"{_shown_targets(targets, unit)} (à ajuster par l'établissement)."
            )
        )
    elif unreadable is not None:
        statements.append(unreadable)
    item = ForYou(
        code=hpr.code,
        eligible=True,
        reserve=met[0] if met else None,
        motif=motif if met is None else f"{motif.rstrip('.')} ; {met[0]}.",
        cibles=targets,
        source=_fact_source(annex),
    )
    return IndicatorFacts(item, statements)


MAX_WORDS_QUOTED = 60
"""A fiche's words longer than this are quoted up to it, « … » saying that they go on."""


def _with_words(text: str, source: Source | None) -> str:
    """``text`` followed by the fiche's or the guide's own words it rests on."""
    if source is None:
        return text
    words = source.quote.split()
    quoted = " ".join(words[:MAX_WORDS_QUOTED]) + (" …" if len(words) > MAX_WORDS_QUOTED else "")
    return f"{text.rstrip(' .;')} ; {_origin(source)} : « {quoted.rstrip(' .')} »"


def _origin(source: Source) -> str:
    return "la fiche" if "fiches" in source.doc_id else "le guide"


def _verb(motif: str) -> str:
    """« réservé aux … » -> « est réservé aux … »; « la fiche fixe … » -> « : la fiche … »."""
    motif = motif.strip()
    if motif.startswith(("réservé", "suppose")):
        return ("est " if motif.startswith("réservé") else "") + motif.replace(
            "le profil", "votre établissement"
        )
    return ": " + motif.replace("le profil", "votre établissement")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the selection ---------------------------------------------------------------------------


@dataclass
class SelectionFacts:
    """The ``votre_selection`` object and its sentences."""

    state: SelectionState
    statements: list[Statement] = field(default_factory=list)


def _tree(establishment: Establishment) -> dict[str, Any]:
    if establishment.has_selection:
        return dict(establishment.tree)
    return {
        "etablissement": establishment_tree(establishment.profile),
        "indicateurs": [],
        "indicateurs_hpr": [],
    }


def _param(rules: RuleSet, rule_id: str, name: str, default: int) -> int:
    rule = rules.get(rule_id)
    return int(rule.params.get(name, default)) if rule is not None else default


def selection_facts(
    establishment: Establishment, *, kb: KnowledgeBase, rules: RuleSet
) -> SelectionFacts:
    """The establishment's current selection, counted and checked by the validator."""
    report = validate_draft(_tree(establishment), kb=kb, rules=rules)
    findings = [f for f in report.findings if f.rule in SELECTION_RULES]
    chosen = list(
        dict.fromkeys(line.code for line in establishment.strategic if line.code in kb.indicators)
    )
    hpr = list(dict.fromkeys(line.code for line in establishment.hpr if line.code in kb.hpr))
    cooperation = sum(1 for code in chosen if kb.indicators[code].category == "cooperation")
    others = len(chosen) - cooperation
    min_ct = _param(rules, "SEL-MIN-CT", "min", 2)
    min_os = _param(rules, "SEL-MIN-OS", "min", 6)
    maximum = _param(rules, "SEL-MAX", "max", 10)
    left_ct, left_os = max(0, min_ct - cooperation), max(0, min_os - others)
    state = SelectionState(
        retenus=chosen,
        cooperation=cooperation,
        autres=others,
        hpr=hpr,
        reste_cooperation=left_ct,
        reste_autres=left_os,
        reste_au_moins=left_ct + left_os,
        places_restantes=max(0, maximum - len(chosen)),
        valide=not any(f.severity == "erreur" for f in findings),
        constats=[
            SelectionFinding(
                regle=f.rule, gravite=f.severity, message=f.message, source=_fact_source(f.source)
            )
            for f in findings
        ],
    )
    statements: list[Statement] = []
    if not establishment.has_selection:
        statements.append(
            Statement(
                "Votre dossier ne contient pas encore d'indicateurs : il vous faut en choisir au "
                f"moins {min_ct + min_os}, dont {min_ct} parmi les 8 de coopération / "
                f"mutualisation et {min_os} parmi les 22 autres, et au plus {maximum} en tout.",
                _rule_source(rules, "SEL-MIN-CT"),
                (_rule_source(rules, "SEL-MIN-OS"), _rule_source(rules, "SEL-MAX")),
            )
        )
    else:
        statements.append(
            Statement(
                f"Votre sélection compte {len(chosen)} indicateur(s) de l'annexe stratégique "
                f"({cooperation} de coopération / mutualisation, {others} autre(s))."
            )
        )
        if state.reste_au_moins:
            parts = []
            if left_ct:
                parts.append(f"{left_ct} de coopération / mutualisation")
            if left_os:
                parts.append(f"{left_os} parmi les 22 autres")
            statements.append(
                Statement(
                    f"Il vous reste au moins {state.reste_au_moins} indicateur(s) à choisir : "
                    + " et ".join(parts),
                    _rule_source(rules, "SEL-MIN-CT") if left_ct else None,
                    (_rule_source(rules, "SEL-MIN-OS") if left_os else None,),
                )
            )
        else:
            statements.append(
                Statement(
                    f"Le minimum est atteint ({min_ct} de coopération, {min_os} autres)",
                    _rule_source(rules, "SEL-MIN-CT"),
                    (_rule_source(rules, "SEL-MIN-OS"),),
                )
            )
        statements.append(
            Statement(
                f"Vous pouvez encore en ajouter {state.places_restantes} au plus ({maximum} au "
                "maximum).",
                _rule_source(rules, "SEL-MAX"),
            )
        )
    if establishment.profile.hopital_proximite:
        statements.append(
            Statement(
                f"Annexe HPR : {len(hpr)} indicateur(s) retenu(s), au plus "
                f"{_param(rules, 'HPR-MAX', 'max', 6)} parmi les 14, dont au moins un sur "
                "chaque objectif étoilé.",
                _rule_source(rules, "HPR-COUNT", "faq"),
            )
        )
    errors = [f for f in findings if f.severity == "erreur"]
    if establishment.has_selection and not errors:
        statements.append(Statement("Le validateur ne relève aucune erreur sur ce choix."))
    for finding in findings:
        kind = "Erreur" if finding.severity == "erreur" else "Avertissement"
        statements.append(Statement(f"{kind} ({finding.rule}) : {finding.message}", finding.source))
    return SelectionFacts(state, statements)


# --- the HPR annex ---------------------------------------------------------------------------


@dataclass
class HprFacts:
    """The ``annexe_hpr`` object and its sentences."""

    annex: HprAnnex
    statements: list[Statement] = field(default_factory=list)


def hpr_annex_facts(establishment: Establishment, *, rules: RuleSet) -> HprFacts | None:
    """Whether the HPR annex concerns the establishment, with the guide's words."""
    source = _rule_source(rules, "HPR-NOT-HPR")
    if source is None:
        return None
    if establishment.profile.hopital_proximite:
        motif = (
            "Votre établissement est un hôpital de proximité (hopital_proximite = oui) : en plus "
            "de l'annexe stratégique, il retient des indicateurs de l'annexe HPR"
        )
        rule = _rule_source(rules, "HPR-COUNT", "faq") or source
        statements = [
            Statement(f"Oui. {motif}", source),
            Statement(f"Ses règles : « {rule.quote} »", rule),
        ]
        starred = _rule_source(rules, "HPR-STARRED")
        if starred is not None:
            statements.append(Statement(f"L'annexe HPR dit aussi : « {starred.quote} »", starred))
    else:
        motif = (
            "L'annexe HPR ne vous concerne pas : ses 14 indicateurs sont propres aux hôpitaux de "
            "proximité, et votre établissement n'est pas déclaré hôpital de proximité "
            "(hopital_proximite = non)"
        )
        statements = [Statement(f"Non. {motif}", source)]
    annex = HprAnnex(
        concerne=establishment.profile.hopital_proximite,
        motif=motif + ".",
        source=_fact_source(source),
    )
    return HprFacts(annex, statements)


__all__ = [
    "SELECTION_RULES",
    "HprFacts",
    "IndicatorFacts",
    "SelectionFacts",
    "Statement",
    "hpr_annex_facts",
    "indicator_facts",
    "selection_facts",
]
