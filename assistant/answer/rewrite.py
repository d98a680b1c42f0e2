"""Follow-up questions ("et pour les CHU ?") made to stand alone, from the conversation.

With a chat model, the model rewrites the question (prompt ``prompts/rewrite.md``). Without
one, or when the model fails, a follow-up is appended to the previous question: retrieval then
sees the topic, and the scope the follow-up names (said last) wins in routing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from assistant.answer.terms import question_terms
from assistant.kb.codes import find_codes
from assistant.llm.prompts import load_prompt
from assistant.text.french import fold, tokenize

logger = logging.getLogger(__name__)

_FOLLOW_UP = re.compile(
    r"^(et|mais|alors|donc|ok|d'accord|pareil|idem)\b|"
    r"\b(c'est pareil|meme chose|meme regle|dans ce cas|cet indicateur|celui-ci|celle-ci|"
    r"ce dernier|cette fiche|la meme|le meme|aussi \?)\b"
)
MAX_REWRITE_CHARS = 600


def is_follow_up(question: str) -> bool:
    """Whether a question needs the previous turn to be understood."""
    if says_follow_up(question):
        return True
    return not find_codes(question) and len(question_terms(question)) < 2


def says_follow_up(question: str) -> bool:
    """Whether a question is written as a follow-up (« et pour les CHU ? », « idem pour … »)."""
    return bool(_FOLLOW_UP.search(fold(question).strip()))


def rewrite_question(
    question: str,
    history: Sequence[tuple[str, str]] | None,
    *,
    chat_model: Any = None,
    settings: Any = None,
    drop: frozenset[str] = frozenset(),
) -> str:
    """The question made standalone from ``history`` (unchanged when it already stands alone).

    Args:
        question: the new question.
        history: previous (question, answer) turns, oldest first.
        chat_model: a chat model to rewrite with (the offline rewrite otherwise, or on failure).
        settings: the settings (prompt folder).
        drop: stems of words to leave out of the previous question (the documents it named,
            when the new question names its own).
    """
    if not history or not is_follow_up(question):
        return question
    previous = history[-1][0].strip()
    if chat_model is not None:
        rewritten = _rewrite_with_model(question, history, chat_model, settings)
        if rewritten:
            return rewritten
    if drop:
        words = [w for w in previous.split() if not (set(tokenize(w)) & drop)]
        previous = re.sub(r"\s+([,;:?.])", r"\1", " ".join(words))
    return f"{previous} {question}"


def _rewrite_with_model(
    question: str, history: Sequence[tuple[str, str]], chat_model: Any, settings: Any
) -> str | None:
    from langchain_core.messages import HumanMessage, SystemMessage

    try:
        template = load_prompt("rewrite", settings)
    except Exception as exc:  # no prompt file: the offline rewrite does
        logger.warning("rewrite prompt unavailable: %s", exc)
        return None
    turns = "\n".join(f"Question : {q}\nRéponse : {a[:400]}" for q, a in history[-3:])
    try:
        reply = chat_model.invoke(
            [
                SystemMessage(content=template),
                HumanMessage(content=f"Conversation :\n{turns}\n\nNouvelle question : {question}"),
            ]
        )
    except Exception as exc:  # any model failure: the offline rewrite does
        logger.warning("question rewrite failed: %s", exc)
        return None
    text = " ".join(str(getattr(reply, "content", "")).split()).strip().strip('«»"')
    if not text or len(text) > MAX_REWRITE_CHARS or "\n" in text:
        return None
    return text
