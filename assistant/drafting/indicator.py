"""``draft_indicator``: a profile and an indicator -> a structured, validated draft."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.drafting.line import check_line, justification_of
from assistant.drafting.models import Annex, IndicatorDraft
from assistant.drafting.rewriting import rewrite
from assistant.drafting.trajectory import (
    Trajectory,
    hpr_trajectory,
    numeric_trajectory,
    show,
    yes_no_trajectory,
)
from assistant.drafting.writing import write_offline
from assistant.drafts import Value
from assistant.errors import InvalidInputError
from assistant.kb.growth import Lecture
from assistant.kb.models import HprIndicator, Indicator, TargetRule
from assistant.llm.models import build_chat_model
from assistant.profile import Profile
from assistant.propose.relevance import Match, catalog_for
from assistant.propose.scoring import (
    already_met_source,
    engaged_rows,
    quote_source,
    strategic_candidate,
    target_rule,
)
from assistant.rules import RuleSet, Source
from assistant.rules.progress import asks_progress
from assistant.rules.values import as_number, as_yes_no

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.config import Settings
    from assistant.kb import KnowledgeBase

logger = logging.getLogger(__name__)


def is_yes_no(ind: Indicator) -> bool:
    """Whether the indicator is answered « oui » / « non » (declarative, or a yes/no unit)."""
    return ind.type == "declaratif" or ind.unit == "oui_non"


def _hpr_rate(ind: HprIndicator) -> bool:
    return ind.label.strip().lower().startswith(("taux", "part"))


def parse_baseline(value: Value | None, ind: Indicator | HprIndicator) -> Value | None:
    """Read a 2024 baseline as the indicator needs it (a number, a rate, « oui »/« non »).

    Raises:
        InvalidInputError: Text where a number is due, a rate outside 0-100 %, a negative
            count, or anything but « oui »/« non » for a yes/no indicator (French, names the
            field ``valeur_initiale``).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    field = f"La valeur initiale (valeur_initiale, --baseline) de {ind.code}"
    yes_no = isinstance(ind, Indicator) and is_yes_no(ind)
    answer = as_yes_no(value, yes=("oui", "o"), no=("non", "n"))
    if yes_no:
        if answer is None:
            raise InvalidInputError(
                f"{field} doit être « oui » ou « non » (indicateur déclaratif) : reçu {value!r}."
            )
        return "oui" if answer else "non"
    if isinstance(ind, HprIndicator) and answer is not None:
        return "oui" if answer else "non"
    number = as_number(value)
    rate = (ind.unit == "taux") if isinstance(ind, Indicator) else _hpr_rate(ind)
    if number is None:
        kind = "un taux, en %" if rate else "un nombre"
        raise InvalidInputError(f"{field} doit être {kind} : reçu {value!r}.")
    if rate and not 0 <= number <= 100:
        raise InvalidInputError(
            f"{field} est un taux : elle doit être comprise entre 0 et 100 %, reçu "
            f"{show(number, '')}."
        )
    if number < 0:
        raise InvalidInputError(f"{field} ne peut pas être négative : reçu {show(number, '')}.")
    return int(number) if float(number).is_integer() else number


def strategic_trajectory(
    ind: Indicator, rule: TargetRule | None, baseline: Value | None, lecture: Lecture | None = None
) -> Trajectory:
    """The targets of a strategic indicator from its fiche row and a parsed 2024 baseline."""
    if is_yes_no(ind):
        return yes_no_trajectory(ind, rule, baseline)
    progress = bool(asks_progress(ind.label) or asks_progress(ind.objective))
    return numeric_trajectory(ind, rule, baseline, lecture, progress=progress)


def hpr_indicator_trajectory(ind: HprIndicator, baseline: Value | None) -> Trajectory:
    """The targets of an HPR indicator (2025-2027) from a parsed 2024 baseline."""
    progress = bool(asks_progress(ind.label) or asks_progress(ind.objective))
    return hpr_trajectory(baseline, progress=progress, rate=_hpr_rate(ind))


def _refuse_ineligible(ind: Indicator, profile: Profile, kb: KnowledgeBase) -> list[str]:
    candidate = strategic_candidate(
        ind,
        profile,
        kb=kb,
        match=Match(0.0, "", None),
        catalog=catalog_for(kb),
        already_met=None,
    )
    if not candidate.eligible:
        raise InvalidInputError(
            f"{ind.code} ne peut pas être retenu pour cet établissement : {candidate.motif}",
            hint="La commande « propose » liste les indicateurs accessibles à ce profil.",
        )
    return candidate.avertissements


def offline_draft(
    profile: Profile,
    code: str,
    *,
    baseline: Value | None = None,
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
    lecture: Lecture | None = None,
) -> IndicatorDraft:
    """The deterministic draft of one indicator (templates, knowledge base, computed targets)."""
    ind = kb.get(code)
    warnings: list[str] = []
    engaged = False
    rule_source: Source | None = None
    rule: TargetRule | None = None
    if isinstance(ind, HprIndicator):
        if not profile.hopital_proximite:
            raise InvalidInputError(
                f"{ind.code} est un indicateur de l'annexe HPR, propre aux hôpitaux de proximité ; "
                "le profil n'en est pas un (champ hopital_proximite = non)."
            )
        value = parse_baseline(baseline, ind)
        trajectory: Trajectory = hpr_indicator_trajectory(ind, value)
        annexe: Annex = "hpr"
        unit = "taux" if _hpr_rate(ind) else "nombre"
    else:
        warnings = _refuse_ineligible(ind, profile, kb)
        value = parse_baseline(baseline, ind)
        engaged = ind.code in profile.deja_engages and bool(engaged_rows(ind))
        if ind.code in profile.deja_engages and not engaged:
            warnings.append(
                f"{ind.code} est déclaré dans deja_engages, mais sa fiche n'a pas de ligne « Pour "
                "les établissements déjà engagés » : la ligne générale de la fiche s'applique."
            )
        rule = target_rule(kb, ind.code, profile, engaged=engaged)
        if rule is not None:
            rule_source = quote_source(rule.quote)
        trajectory = strategic_trajectory(ind, rule, value, lecture)
        annexe = "strategique"
        unit = "oui_non" if is_yes_no(ind) else ind.unit
    guide = already_met_source(rules)
    written = write_offline(
        profile,
        ind,
        trajectory=trajectory,
        baseline=value,
        prompts_dir=settings.prompts_dir,
        kb=kb,
        guide_source=guide,
        rule=rule,
    )
    if trajectory.progression_proposee:
        asked = (
            "l'annexe HPR demande une progression sans la chiffrer"
            if annexe == "hpr"
            else "la fiche demande une progression sans la chiffrer"
        )
        step = "+1 % de la valeur" if unit == "taux" else "+1"
        warnings.append(
            f"Pour {', '.join(trajectory.progression_proposee)}, {asked} : l'assistant propose "
            f"la plus petite progression ({step} par an), à ajuster par l'établissement."
        )
    elif trajectory.methode == "plancher" and annexe == "strategique":
        warnings.append(
            "La fiche ne chiffre pas la cible pour votre situation : les cibles reprennent la "
            "valeur 2024 comme plancher, à ajuster par l'établissement."
        )
    if trajectory.methode == "ambitieuse":
        warnings.append(
            "Trajectoire plus ambitieuse que la fiche, proposée par l'assistant parce que la "
            "valeur 2024 atteint déjà la cible finale : à ajuster par l'établissement."
        )
    draft = IndicatorDraft(
        code=ind.code,
        libelle=ind.label,
        annexe=annexe,
        unite=unit,
        valeur_initiale=value,
        trajectoire=trajectory.valeurs,
        regles=trajectory.regles,
        portee=trajectory.portee,
        deja_engage=engaged,
        lecture=trajectory.lecture,
        lecture_hausse=trajectory.lecture_hausse,
        moyens=written.moyens,
        risques=written.risques,
        preuves=written.preuves,
        trajectoire_autre_lecture=trajectory.autre_lecture,
        deja_atteint=trajectory.deja_atteint,
        sources=[*written.sources, *([rule_source] if rule_source else [])],
        a_completer=written.a_completer,
        avertissements=warnings,
        **written.prose.model_dump(),
    )
    findings = check_line(draft, profile, kb=kb, rules=rules, prompts_dir=settings.prompts_dir)
    return draft.model_copy(update={"findings": findings})


def draft_indicator(
    profile: Profile,
    code: str,
    *,
    baseline: Value | None = None,
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
    chat_model: BaseChatModel | None = None,
    lecture: Lecture | None = None,
) -> IndicatorDraft:
    """Draft the justification and trajectory of one indicator for an establishment.

    The trajectory is always computed by code from the fiche's target rule. Offline, the prose
    comes from the templates of ``prompts/draft_textes.md``; with a chat model (given, or built
    from ``settings``), the model writes the prose into the same structure, the result goes
    through the validator, the model gets the findings for one or two retries, and the offline
    draft is returned if it stays invalid.

    Args:
        profile: The establishment's profile.
        code: The indicator, in any usual form (``OS_13``, ``CPOM_OS_13``, ``hpr 4.2``).
        baseline: The 2024 value (a number, a rate in %, « oui »/« non »), if known.
        kb: The indicator knowledge base.
        rules: The campaign's rules.
        settings: The settings (prompts folder, LLM configuration).
        chat_model: A chat model to use instead of the one ``settings`` describe.
        lecture: How a growth in « % » of a rate or in « points » is read (``relative``,
            the default, or ``points``); the draft also gives the other reading's targets.

    Raises:
        UnknownIndicatorError: Unknown code (French message with the closest codes).
        InvalidInputError: A baseline of the wrong kind or out of range, an indicator this
            establishment cannot choose, or an HPR indicator for another establishment.
    """
    draft = offline_draft(
        profile, code, baseline=baseline, kb=kb, rules=rules, settings=settings, lecture=lecture
    )
    if chat_model is None and settings.llm_provider != "none":
        chat_model = build_chat_model(settings)
    if chat_model is None:
        return draft
    return rewrite(draft, profile, kb=kb, rules=rules, settings=settings, chat_model=chat_model)


__all__ = [
    "check_line",
    "draft_indicator",
    "hpr_indicator_trajectory",
    "is_yes_no",
    "justification_of",
    "offline_draft",
    "parse_baseline",
    "strategic_trajectory",
]
