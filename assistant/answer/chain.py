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

from assistant.answer.establishment import Establishment
from assistant.answer.evidence import naming_stems
from assistant.answer.for_establishment import answer_for
from assistant.answer.generate import generate_answer_stream
from assistant.answer.guard import is_instruction
from assistant.answer.models import REFUSAL, Answer
from assistant.answer.offline import offline_answer
from assistant.answer.rewrite import is_follow_up, rewrite_question, says_follow_up
from assistant.answer.terms import question_terms
from assistant.config import Settings
from assistant.errors import InvalidInputError
from assistant.kb import load_kb
from assistant.retrieval.query import query_router
from assistant.rules import load_rules
from assistant.text.french import fold, tokenize

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
"""Longer input is not a question; the user is asked to shorten it."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control and bidirectional-override characters: read as spaces in a question."""
_MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|</?[a-zA-Z][^<>]*>", flags=re.IGNORECASE | re.DOTALL
)
"""HTML markup: a script or a style with its content, any other tag alone."""

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
    # markup pasted with a question (« <script>…</script> », « <img …> ») is no word of it
    text = " ".join(_MARKUP.sub(" ", _CONTROL.sub(" ", question or "")).split())
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


def answer_question(
    question: str,
    *,
    index: Any,
    kb: Any = None,
    settings: Settings,
    history: History | None = None,
    chat_model: Any = None,
    establishment: Establishment | None = None,
) -> Answer:
    """Answer a question from the guides, with numbered citations, or refuse.

    Args:
        question: the user's question (French).
        index: the opened index (``assistant.retrieval.hybrid.Index``).
        kb: the indicator knowledge base (loaded from ``settings.corpus_dir`` when None).
        settings: the settings (rules file, retrieval sizes, LLM timeout).
        history: previous (question, answer) turns, for follow-ups ("et pour les CHU ?").
        chat_model: a LangChain chat model; None for the offline answer.
        establishment: the establishment to answer for (its profile and selection): the answer
            then starts with what the question means for it (``pour_vous``).

    Raises:
        InvalidInputError: empty or over-long question (French message).
    """
    final: Answer | None = None
    for event in stream_answer(
        question,
        index=index,
        kb=kb,
        settings=settings,
        history=history,
        chat_model=chat_model,
        establishment=establishment,
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
    establishment: Establishment | None = None,
) -> Iterator[str | Answer]:
    """Like :func:`answer_question`, yielding generated text as it comes, then the Answer.

    The text pieces are a preview: the final Answer (last item) is what the guard kept.
    """
    prepared = prepare_question(question)
    if kb is None:
        kb = _load_kb(settings)
    notices = list(prepared.notices)
    if not history and lacks_topic(prepared.question):
        yield refusal_without_topic(prepared.question, notices)
        return
    drop: frozenset[str] = frozenset()
    if history and query_router(index).named_documents(prepared.question):
        drop = naming_stems(index, history[-1][0])
    standalone = rewrite_question(
        prepared.question, history, chat_model=chat_model, settings=settings, drop=drop
    )
    draft = offline_answer(standalone, index=index, kb=kb, settings=settings)
    if standalone != prepared.question and chat_model is not None:
        notices.append(f"Question comprise comme : « {standalone} »")
    answer = draft.answer
    if chat_model is not None and draft.decision.supported:
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
    if establishment is not None and kb is not None:
        answer = answer_for(
            answer,
            standalone,
            establishment,
            index=index,
            kb=kb,
            rules=load_rules(settings.rules_file),
        )
    yield answer


def lacks_topic(question: str) -> bool:
    """Whether a question names no topic of its own ("et pour les CHU ?" with no history).

    A short question not written as a follow-up has its one word as topic: « c'est quoi la
    RAAC ? », « ecars c'est quoi ? » are asked, not refused for want of a previous question.
    """
    generic = set(tokenize("CPOM ARS CH CHU établissement établissements clinique pareil"))
    topical = [t for t in question_terms(question) if t not in generic]
    if not is_follow_up(question):
        return False
    return len(topical) < 2 if says_follow_up(question) else not topical


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
    try:
        return load_kb(settings.corpus_dir)
    except Exception as exc:  # the extractive answer does not need the knowledge base
        logger.warning("knowledge base unavailable, extractive answers only: %s", exc)
        return None
