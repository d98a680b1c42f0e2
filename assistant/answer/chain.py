"""The ask chain: question -> evidence -> (knowledge-base | extractive | LLM) answer -> checks.

One path whatever the mode: the evidence and the support decision come first, from retrieval;
an answer the guides do not support is a refusal, whatever a model would have said. With a chat
model, the generated answer must pass the grounding guard, otherwise the offline answer is given
with a notice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answer.evidence import Evidence, gather, naming_stems
from assistant.answer.extractive import extractive_answer
from assistant.answer.guard import is_instruction
from assistant.answer.intent import Intent, parse_intent
from assistant.answer.knowledge import indicator_answer
from assistant.answer.models import REFUSAL, Answer, Citation
from assistant.answer.rulebook import rule_answer
from assistant.answer.support import MIN_COVERAGE, SupportDecision, decide
from assistant.config import Settings
from assistant.errors import InvalidInputError
from assistant.index.lexical import fold, tokenize

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
"""Longer input is not a question; the user is asked to shorten it."""
RETRIEVAL_K = 8
MIN_ROUTED_COVERAGE = 0.0
"""Coverage needed by a knowledge-base or rules answer (the routing matched already)."""
REFUSAL_SOURCES = 2
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control and bidirectional-override characters: read as spaces in a question."""
"""A refusal points to this many closest passages."""

_ENGLISH = frozenset(
    "the what which who how when is are does do of to and for in with can should "
    "many much indicators indicator deadline hospital".split()
)
_FRENCH = frozenset(
    "le la les des du de un une est sont quel quelle quels quelles combien comment pour "
    "dans avec qui que quoi on nous il faut peut".split()
)

History = Sequence[tuple[str, str]]
"""Previous turns: (question, answer) pairs, oldest first."""


@dataclass
class Prepared:
    """A question made ready for the chain, with the notes for the user."""

    question: str
    notices: list[str]


def prepare_question(question: str) -> Prepared:
    """Check and clean the user's input.

    Raises:
        InvalidInputError: empty, or too long to be a question (French message).
    """
    text = " ".join(_CONTROL.sub(" ", question or "").split())
    if not text:
        raise InvalidInputError(
            "La question est vide.",
            hint="Exemple : « Combien d'indicateurs faut-il choisir dans l'annexe stratégique ? »",
        )
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidInputError(
            f"La question est trop longue ({len(text)} caractères ; au plus {MAX_QUESTION_CHARS}).",
            hint="Posez une question courte, en une ou deux phrases.",
        )
    notices: list[str] = []
    clauses = re.split(r"(?<=[.?!;,:])\s+", text)
    kept = [c for c in clauses if not is_instruction(c)]
    if len(kept) < len(clauses):
        notices.append(
            "La question contient une consigne adressée à l'assistant ; elle est ignorée : "
            "l'assistant répond uniquement à partir des guides, avec leurs sources."
        )
        text = " ".join(kept) or text
    words = re.findall(r"[a-z']+", fold(text))
    english = sum(w in _ENGLISH for w in words)
    french = sum(w in _FRENCH for w in words)
    if english >= 2 and english > french:
        notices.append(
            "La question semble rédigée en anglais : les guides sont en français et la réponse "
            "l'est aussi ; reformulez-la en français pour de meilleurs résultats."
        )
    return Prepared(text, notices)


@dataclass
class Draft:
    """The offline answer of the chain with what it rests on."""

    answer: Answer
    evidence: Evidence
    decision: SupportDecision
    intent: Intent


def offline_answer(question: str, *, index: Any, kb: Any, settings: Settings) -> Draft:
    """The offline answer (knowledge base, rules file or extractive), support decided."""
    intent = parse_intent(question)
    evidence = gather(
        index,
        question,
        k=max(settings.retrieval_k, RETRIEVAL_K),
        candidates=settings.retrieval_candidates,
        rrf_k=settings.rrf_k,
    )
    unknown = [c for c in intent.codes if kb is not None and not _known(kb, c)]
    if unknown:
        return Draft(_unknown_code(unknown[0], evidence), evidence, _no("code inconnu"), intent)
    current = _about_current_campaign(index, evidence)
    candidates: list[tuple[Answer, list[str], set[str] | None]] = []
    codes = [c for c in intent.codes if kb is not None and _known(kb, c)]
    codes = codes or [c for c in evidence.named_fiches if kb is not None and _known(kb, c)]
    if codes and current and kb is not None:
        kb_answer = indicator_answer(index, kb, codes[0], intent, question)
        if kb_answer is not None:
            fiche_chunks = [cid for cid, c in index.chunks.items() if c.fiche == codes[0]]
            candidates.append((kb_answer, fiche_chunks, _scope_terms(question, intent)))
    if not candidates and intent.rule_topics and current:
        rules = rule_answer(index, intent, settings.rules_file, question)
        if rules is not None:
            candidates.append((rules, [], None))
    extractive = extractive_answer(evidence)
    candidates.append((extractive, [], None))
    decision = _no("aucun passage")
    for answer, extra, excused in candidates:
        routed = answer is not extractive
        decision = decide(
            evidence,
            answer,
            index,
            extra_chunks=extra,
            excused=excused,
            min_coverage=MIN_ROUTED_COVERAGE if routed else MIN_COVERAGE,
            check_type=excused is None,
        )
        if decision.supported:
            return Draft(answer, evidence, decision, intent)
    return Draft(refusal(evidence, candidates[-1][0]), evidence, decision, intent)


def _no(reason: str) -> SupportDecision:
    return SupportDecision(False, 0.0, reason=reason)


def _known(kb: Any, code: str) -> bool:
    return code in kb.indicators or code in kb.hpr


def _about_current_campaign(index: Any, evidence: Evidence) -> bool:
    """Whether the question is about the campaign in force (it names no other document)."""
    if not evidence.named_documents:
        return True
    statuses = {c.status for c in index.chunks.values() if c.doc_id in evidence.named_documents}
    return statuses == {"current"}


def _scope_terms(question: str, intent: Intent) -> set[str]:
    """Question terms the knowledge-base answer handled as a scope (category, beds, years)."""
    words: list[str] = []
    if intent.category:
        words += [intent.category, "CH", "CHU", "centre", "hospitalier"]
    if intent.beds is not None:
        words += [*re.findall(r"\d{2,4}", question), "lits"]
    words += [str(y) for y in intent.years]
    return set(tokenize(" ".join(words)))


def refusal(
    evidence: Evidence, closest: Answer | None = None, *, notice: str | None = None
) -> Answer:
    """The refusal, pointing to the closest passages."""
    citations: list[Citation] = []
    if closest is not None:
        citations = [
            c.model_copy(update={"n": i})
            for i, c in enumerate(closest.citations[:REFUSAL_SOURCES], start=1)
        ]
    return Answer(
        question=evidence.question,
        answer=REFUSAL,
        supported=False,
        mode="extractive",
        citations=citations,
        notice=notice,
    )


def _unknown_code(code: str, evidence: Evidence) -> Answer:
    return Answer(
        question=evidence.question,
        answer=REFUSAL,
        supported=False,
        mode="extractive",
        citations=[],
        notice=(
            f"Le code {code!r} ne correspond à aucun indicateur des fiches de la campagne "
            "(CPOM_CT_1 à CPOM_CT_8, CPOM_OS_1 à CPOM_OS_22, HPR_1_1 à HPR_6_1)."
        ),
    )


def answer_question(
    question: str,
    *,
    index: Any,
    kb: Any = None,
    settings: Settings,
    history: History | None = None,
    chat_model: Any = None,
) -> Answer:
    """Answer a question from the guides, with numbered citations, or refuse.

    Args:
        question: the user's question (French).
        index: the opened index (``assistant.retrieval.hybrid.Index``).
        kb: the indicator knowledge base (loaded from ``settings.corpus_dir`` when None).
        settings: the settings (rules file, retrieval sizes, LLM timeout).
        history: previous (question, answer) turns, for follow-ups ("et pour les CHU ?").
        chat_model: a LangChain chat model; None for the offline answer.

    Raises:
        InvalidInputError: empty or over-long question (French message).
    """
    final: Answer | None = None
    for event in stream_answer(
        question, index=index, kb=kb, settings=settings, history=history, chat_model=chat_model
    ):
        if isinstance(event, Answer):
            final = event
    assert final is not None
    return final


def stream_answer(
    question: str,
    *,
    index: Any,
    kb: Any = None,
    settings: Settings,
    history: History | None = None,
    chat_model: Any = None,
) -> Iterator[str | Answer]:
    """Like :func:`answer_question`, yielding generated text as it comes, then the Answer.

    The text pieces are a preview: the final Answer (last item) is what the guard kept.
    """
    from assistant.answer.rewrite import rewrite_question

    prepared = prepare_question(question)
    if kb is None:
        kb = _load_kb(settings)
    notices = list(prepared.notices)
    if not history and lacks_topic(prepared.question):
        yield refusal_without_topic(prepared.question, notices)
        return
    drop: frozenset[str] = frozenset()
    if history and index.named_documents(prepared.question):
        drop = naming_stems(index, history[-1][0])
    standalone = rewrite_question(
        prepared.question, history, chat_model=chat_model, settings=settings, drop=drop
    )
    draft = offline_answer(standalone, index=index, kb=kb, settings=settings)
    if standalone != prepared.question and chat_model is not None:
        notices.append(f"Question comprise comme : « {standalone} »")
    answer = draft.answer
    if chat_model is not None and draft.decision.supported:
        from assistant.answer.generate import generate_answer_stream

        result: Answer | None = None
        for event in generate_answer_stream(draft, chat_model=chat_model, settings=settings):
            if isinstance(event, Answer):
                result = event
            else:
                yield event
        if result is not None:
            answer = result
    if notices:
        joined = " ".join(n for n in [*notices, answer.notice] if n)
        answer = answer.model_copy(update={"notice": joined})
    answer = answer.model_copy(update={"question": prepared.question})
    yield answer


def lacks_topic(question: str) -> bool:
    """Whether a question names no topic of its own ("et pour les CHU ?" with no history)."""
    from assistant.answer.rewrite import is_follow_up
    from assistant.answer.terms import question_terms

    generic = set(tokenize("CPOM ARS CH CHU établissement établissements clinique pareil"))
    topical = [t for t in question_terms(question) if t not in generic]
    return is_follow_up(question) and len(topical) < 2


def refusal_without_topic(question: str, notices: list[str]) -> Answer:
    """The answer to a follow-up asked with no previous question."""
    notice = (
        "La question semble faire suite à une question précédente : reformulez-la avec son "
        "sujet (indicateur, règle, document)."
    )
    return Answer(
        question=question,
        answer=REFUSAL,
        supported=False,
        mode="extractive",
        citations=[],
        notice=" ".join([*notices, notice]),
    )


def _load_kb(settings: Settings) -> Any:
    from assistant.kb import load_kb

    try:
        return load_kb(settings.corpus_dir)
    except Exception as exc:  # the extractive answer does not need the knowledge base
        logger.warning("knowledge base unavailable, extractive answers only: %s", exc)
        return None
