"""With a language model: better prose for a draft, into the same structure, then verified.

The model writes only the prose (``DraftProse``); the baseline and the targets stay the ones
computed by code. The result goes through the validator (line rules) and two more checks: every
figure must come from the material given, and every passage in « » must be the fiche's (or the
guide's) own words. The model must not add an error the offline draft does not have (a missing
baseline stays an error in both). On a violation it gets the findings and retries, at most
``MAX_RETRIES`` times; then the offline draft is returned, with a note.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from assistant.drafting.line import check_line
from assistant.drafting.models import DraftProse, IndicatorDraft
from assistant.drafting.trajectory import show
from assistant.kb.models import HprIndicator, Indicator
from assistant.kb.text import comparable
from assistant.llm.models import structured_output
from assistant.profile import ACTIVITY_LABELS, Profile
from assistant.propose.grounding import ungrounded_numbers
from assistant.rules import Finding, RuleSet
from assistant.text.templates import fill, load_template

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from assistant.config import Settings
    from assistant.kb import KnowledgeBase

logger = logging.getLogger(__name__)

MAX_RETRIES = 2
MAX_EXTRACT_CHARS = 1500
LLM_NOTE = (
    "Rédaction par le modèle de langage, vérifiée par le validateur ; valeur 2024 et cibles "
    "calculées par l'assistant d'après la fiche."
)
FALLBACK_NOTE = (
    "La rédaction du modèle de langage ne respectait pas les règles après {attempts} essai(s) : "
    "brouillon hors ligne."
)
FAILURE_NOTE = "Le modèle de langage n'a pas pu répondre ({reason}) : brouillon hors ligne."
_QUOTED = re.compile(r"«\s*(.+?)\s*»", re.DOTALL)


def _prose_text(prose: DraftProse) -> str:
    return " ".join(
        [prose.contexte, prose.diagnostic_initial, *prose.actions, prose.suivi, prose.partenaires]
    )


def _material(draft: IndicatorDraft, ind: Indicator | HprIndicator, profile: Profile) -> list[str]:
    """Everything the model was given: the texts it may take words and figures from."""
    texts = [draft.libelle, _prose_text(draft.prose()), profile.describe(), profile.priorites or ""]
    texts += [s.quote for s in draft.sources]
    texts += [str(v) for v in draft.trajectoire.values() if v is not None]
    texts += [show(v, draft.unite) for v in draft.trajectoire.values() if v is not None]
    texts += list(draft.regles.values())
    if draft.valeur_initiale is not None:
        texts += [str(draft.valeur_initiale), show(draft.valeur_initiale, draft.unite)]
    texts += [str(year) for year in range(2024, 2030)]
    if isinstance(ind, Indicator):
        texts += [ind.objective, ind.engagement.label, str(ind.engagement.number)]
        texts += list(ind.sections.values())
    else:
        texts += [ind.objective, ind.quote.text, str(ind.objective_number)]
    return texts


def _extracts(ind: Indicator | HprIndicator) -> str:
    if isinstance(ind, HprIndicator):
        return f"- Annexe HPR : « {ind.quote.text} »"
    parts = []
    for key, title in (
        ("contexte", "Contexte"),
        ("objectif", "Objectif stratégique"),
        ("bonnes_pratiques", "Bonnes pratiques"),
        ("suivi", "Suivi"),
    ):
        text = ind.sections.get(key)
        if text:
            parts.append(f"- {title} : « {text[:MAX_EXTRACT_CHARS]} »")
    return "\n".join(parts)


def _messages(
    draft: IndicatorDraft, ind: Indicator | HprIndicator, profile: Profile, *, settings: Settings
) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    system = load_template(settings.prompts_dir, "draft_system")[""]
    user = load_template(settings.prompts_dir, "draft_user")
    if isinstance(ind, Indicator):
        attached = (
            f"Engagement n° {ind.engagement.number} du PRS : « {ind.engagement.label} » ; "
            f"objectif stratégique : « {ind.objective} »."
        )
    else:
        attached = f"Annexe HPR, objectif n° {ind.objective_number} : « {ind.objective} »."
    trajectory = " ; ".join(
        f"{year} : {show(value, draft.unite)}" if value is not None else f"{year} : à calculer"
        for year, value in draft.trajectoire.items()
    )
    offline = "\n".join(
        [
            f"Contexte : {draft.contexte}",
            f"Diagnostic initial : {draft.diagnostic_initial}",
            "Actions : " + " | ".join(draft.actions),
            f"Suivi : {draft.suivi}",
            f"Partenaires : {draft.partenaires}",
        ]
    )
    text = fill(
        user["demande"],
        etablissement=f"{profile.name()} ({profile.describe()})",
        activites=", ".join(ACTIVITY_LABELS[a] for a in profile.activites) or "aucune",
        priorites=profile.priorites or "aucune",
        code=draft.code,
        libelle=draft.libelle,
        rattachement=attached,
        valeur="non fournie"
        if draft.valeur_initiale is None
        else show(draft.valeur_initiale, draft.unite),
        trajectoire=trajectory,
        extraits=_extracts(ind),
        brouillon=offline,
    )
    return [SystemMessage(content=system), HumanMessage(content=text)]


def _problems(
    offline: IndicatorDraft,
    prose: DraftProse,
    material: list[str],
    findings: list[Finding],
) -> list[str]:
    known_errors = {(f.rule, f.indicator) for f in offline.findings if f.severity == "erreur"}
    problems = [
        f"- [{f.rule}] {f.message}"
        for f in findings
        if f.severity == "erreur" and (f.rule, f.indicator) not in known_errors
    ]
    stray = ungrounded_numbers(_prose_text(prose), material)
    if stray:
        problems.append(
            "- Chiffres absents des éléments fournis (les cibles sont calculées par "
            f"l'assistant) : {', '.join(stray)}."
        )
    haystack = comparable(" ".join(material))
    for quoted in _QUOTED.findall(_prose_text(prose)):
        if comparable(quoted) not in haystack:
            problems.append(
                f"- Le passage « {quoted[:120]} » n'est pas repris mot pour mot de la fiche : "
                "citez-la exactement ou retirez les guillemets."
            )
    return problems


def rewrite(
    draft: IndicatorDraft,
    profile: Profile,
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
    chat_model: BaseChatModel,
) -> IndicatorDraft:
    """The model's prose when it passes every check, else the offline draft (with a note)."""
    from langchain_core.messages import AIMessage, HumanMessage

    ind = kb.get(draft.code)
    material = _material(draft, ind, profile)
    messages = _messages(draft, ind, profile, settings=settings)
    correction = load_template(settings.prompts_dir, "draft_user")["correction"]
    for attempt in range(1, MAX_RETRIES + 2):
        try:
            prose = structured_output(chat_model, DraftProse, messages)
        except Exception as exc:  # any failure of the model falls back to the offline draft
            logger.warning("LLM draft failed: %s", exc)
            reason = getattr(exc, "message", None) or type(exc).__name__
            return draft.model_copy(
                update={"notes": [*draft.notes, FAILURE_NOTE.format(reason=reason)]}
            )
        merged = draft.model_copy(update={**prose.model_dump(), "mode": "llm"})
        findings = check_line(merged, profile, kb=kb, rules=rules, prompts_dir=settings.prompts_dir)
        problems = _problems(draft, prose, material, findings)
        if not problems:
            return merged.model_copy(update={"findings": findings, "notes": [LLM_NOTE]})
        logger.info("LLM draft rejected (attempt %s): %s", attempt, problems)
        messages = [
            *messages,
            AIMessage(content=prose.model_dump_json()),
            HumanMessage(content=fill(correction, constats="\n".join(problems))),
        ]
    note = FALLBACK_NOTE.format(attempts=MAX_RETRIES + 1)
    return draft.model_copy(update={"notes": [*draft.notes, note]})


__all__ = ["MAX_RETRIES", "rewrite"]
