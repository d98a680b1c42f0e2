"""With a language model: re-rank the eligible indicators and word the reasons, then verify.

The model receives the scored candidates (offline reasons and fiche passages), the exclusions
and the campaign's counts, and answers with a structured selection. The selection goes through
the validator (selection rules), and the codes must be eligible candidates; a figure in the
reasons must come from the material given. A reason of the model that quotes nothing of the
indicator gets the indicator's label quoted after it. On a violation the model gets the findings and
retries (at most ``MAX_RETRIES`` times); then the offline proposal is returned, with a note.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from assistant.errors import UnknownIndicatorError
from assistant.kb import normalize_code
from assistant.llm.models import structured_output
from assistant.profile import ACTIVITY_LABELS, Profile
from assistant.propose.grounding import ungrounded_numbers
from assistant.propose.models import Proposal
from assistant.propose.offline import assemble
from assistant.propose.reasons import anchored
from assistant.propose.scoring import Candidate
from assistant.propose.selection import check_selection, ranked
from assistant.rules import RuleSet
from assistant.text.templates import fill, load_template

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from assistant.config import Settings
    from assistant.kb import KnowledgeBase

logger = logging.getLogger(__name__)

MAX_RETRIES = 2
LLM_NOTE = (
    "Classement et raisons formulés par le modèle de langage à partir des fiches, puis "
    "vérifiés par le validateur ; scores et sources calculés hors ligne."
)
FALLBACK_NOTE = (
    "La proposition du modèle de langage ne respectait pas les règles après {attempts} "
    "essai(s) : proposition hors ligne."
)
FAILURE_NOTE = "Le modèle de langage n'a pas pu répondre ({reason}) : proposition hors ligne."


class LlmChoice(BaseModel):
    """One indicator the model retains, with its reasons."""

    code: str = Field(description="Code de l'indicateur, tel que dans la liste (CPOM_OS_13…).")
    raisons: list[str] = Field(
        min_length=1, max_length=4, description="Une à trois phrases : pourquoi ce choix."
    )


class LlmSelection(BaseModel):
    """The model's selection, best first."""

    indicateurs: list[LlmChoice] = Field(description="Annexe stratégique, du plus pertinent.")
    indicateurs_hpr: list[LlmChoice] = Field(
        default_factory=list, description="Annexe HPR (hôpitaux de proximité seulement)."
    )


def _param(rules: RuleSet, rule_id: str, name: str, default: Any) -> Any:
    rule = rules.get(rule_id)
    return rule.params.get(name, default) if rule is not None else default


def _line(c: Candidate) -> str:
    reasons = " ".join(c.raisons[:3])
    return f"- {c.code} | {c.categorie} | {c.score:g} | {c.libelle} | {reasons}"


def _messages(
    proposal: Proposal,
    profile: Profile,
    strategic: list[Candidate],
    hpr: list[Candidate],
    *,
    rules: RuleSet,
    settings: Settings,
) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    system = load_template(settings.prompts_dir, "propose_system")
    user = load_template(settings.prompts_dir, "propose_user")
    hpr_rule = (
        fill(
            system["hpr_oui"],
            hpr_max=_param(rules, "HPR-MAX", "max", 6),
            hpr_etoiles=", ".join(str(n) for n in _param(rules, "HPR-STARRED", "objectives", [])),
        )
        if profile.hopital_proximite
        else system["hpr_non"]
    )
    system_text = fill(
        system[""],
        min_ct=_param(rules, "SEL-MIN-CT", "min", 2),
        min_os=_param(rules, "SEL-MIN-OS", "min", 6),
        max_total=_param(rules, "SEL-MAX", "max", 10),
        hpr_regle=" ".join(hpr_rule.split()),
    )
    hpr_lines = ""
    if hpr:
        lines = "\n".join(
            f"- {c.code} | {c.objective_number} | {c.score:g} | {c.libelle}" for c in ranked(hpr)
        )
        hpr_lines = fill(user["candidats_hpr"], lignes=lines) + "\n\n"
    excluded = [f"- {c.code} : {c.motif}" for c in strategic + hpr if not c.eligible]
    user_text = fill(
        user["demande"],
        etablissement=proposal.etablissement,
        activites=", ".join(ACTIVITY_LABELS[a] for a in profile.activites) or "aucune",
        priorites=profile.priorites or "aucune",
        candidats="\n".join(_line(c) for c in ranked(strategic)),
        candidats_hpr=hpr_lines,
        exclus="\n".join(excluded) or "aucun",
        selection=", ".join(proposal.codes + proposal.hpr_codes),
    )
    return [SystemMessage(content=system_text), HumanMessage(content=user_text)]


def _resolve(
    choices: list[LlmChoice], pool: list[Candidate], problems: list[str]
) -> list[tuple[Candidate, list[str]]]:
    eligible = {c.code: c for c in pool if c.eligible}
    every = {c.code: c for c in pool}
    resolved: list[tuple[Candidate, list[str]]] = []
    for choice in choices:
        try:
            code = normalize_code(choice.code, known=list(every) or None)
        except UnknownIndicatorError:
            problems.append(f"- Le code « {choice.code} » n'est pas dans la liste des candidats.")
            continue
        if code not in eligible:
            motif = every[code].motif if code in every else "hors liste"
            problems.append(f"- {code} n'est pas accessible à ce profil : {motif}")
            continue
        resolved.append((eligible[code], [" ".join(r.split()) for r in choice.raisons]))
    return resolved


def _check(
    answer: LlmSelection,
    profile: Profile,
    strategic: list[Candidate],
    hpr: list[Candidate],
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
) -> tuple[list[str], list[tuple[Candidate, list[str]]], list[tuple[Candidate, list[str]]]]:
    problems: list[str] = []
    chosen = _resolve(answer.indicateurs, strategic, problems)
    chosen_hpr = _resolve(answer.indicateurs_hpr, hpr, problems) if hpr else []
    if answer.indicateurs_hpr and not hpr:
        codes_hpr = [c.code for c in answer.indicateurs_hpr]
    else:
        codes_hpr = [c.code for c, _ in chosen_hpr]
    report = check_selection(profile, [c.code for c, _ in chosen], codes_hpr, kb=kb, rules=rules)
    problems += [f"- [{f.rule}] {f.message}" for f in report.findings if f.severity == "erreur"]
    context = [profile.describe(), profile.priorites or ""]
    for candidate, reasons in chosen + chosen_hpr:
        material = [candidate.libelle, *candidate.raisons, *(s.quote for s in candidate.sources)]
        stray = ungrounded_numbers(" ".join(reasons), material + context)
        if stray:
            problems.append(
                f"- Les raisons de {candidate.code} citent des chiffres absents des éléments "
                f"fournis : {', '.join(stray)}."
            )
    return problems, chosen, chosen_hpr


def rerank(
    proposal: Proposal,
    profile: Profile,
    strategic: list[Candidate],
    hpr: list[Candidate],
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
    chat_model: BaseChatModel,
) -> Proposal:
    """The model's ranking and wording when valid, else the offline proposal (with a note)."""
    from langchain_core.messages import AIMessage, HumanMessage

    messages = _messages(proposal, profile, strategic, hpr, rules=rules, settings=settings)
    correction = load_template(settings.prompts_dir, "propose_user")["correction"]
    for attempt in range(1, MAX_RETRIES + 2):
        try:
            answer = structured_output(chat_model, LlmSelection, messages)
        except Exception as exc:  # any failure of the model falls back to the offline proposal
            logger.warning("LLM proposal failed: %s", exc)
            reason = getattr(exc, "message", None) or type(exc).__name__
            return proposal.model_copy(
                update={"notes": [*proposal.notes, FAILURE_NOTE.format(reason=reason)]}
            )
        problems, chosen, chosen_hpr = _check(answer, profile, strategic, hpr, kb=kb, rules=rules)
        if not problems:
            raisons = {
                c.code: [anchored(reason, kb=kb, code=c.code) for reason in r]
                for c, r in chosen + chosen_hpr
            }
            return assemble(
                profile,
                strategic,
                hpr,
                [c for c, _ in chosen],
                [c for c, _ in chosen_hpr],
                kb=kb,
                rules=rules,
                raisons=raisons,
                mode="llm",
                notes=[LLM_NOTE],
            )
        logger.info("LLM proposal rejected (attempt %s): %s", attempt, problems)
        messages = [
            *messages,
            AIMessage(content=answer.model_dump_json()),
            HumanMessage(content=fill(correction, constats="\n".join(problems))),
        ]
    note = FALLBACK_NOTE.format(attempts=MAX_RETRIES + 1)
    return proposal.model_copy(update={"notes": [*proposal.notes, note]})


__all__ = ["MAX_RETRIES", "LlmChoice", "LlmSelection", "rerank"]
