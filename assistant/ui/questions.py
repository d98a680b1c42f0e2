"""Questions tab: answers from the guides with numbered sources, streamed when an LLM is set."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.errors import InvalidInputError
from assistant.ui import render

if TYPE_CHECKING:
    from assistant.answer.models import Answer
    from assistant.ui.service import AppContext

MAX_QUESTION_CHARS = 2_000
MAX_HISTORY_TURNS = 4
"""Previous (question, answer) turns given to the chain for follow-up questions."""
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Combien d'indicateurs au maximum ?",
    "Combien d'indicateurs de coopération au minimum ?",
    "Date limite du choix des indicateurs ?",
    "Que doit choisir un hôpital de proximité ?",
    "Quelle est la cible de l'indicateur OS 13 ?",
)
_SOURCES_START = re.compile(r'<p class="cpom-(?:sources-title|notice)"|<details')


def text_of(content: Any) -> str:
    """The text of a chat message's content (a string, or Gradio's list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, list):
        return " ".join(text_of(part) for part in content)
    return ""


def _plain(message_html: str) -> str:
    """The visible text of a message the app rendered, without its sources."""
    body = _SOURCES_START.split(message_html, maxsplit=1)[0]
    body = re.sub(r"<sup[^>]*>\[\d+\]</sup>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def chat_history(history: Sequence[Any]) -> list[tuple[str, str]]:
    """The chat so far as (question, answer) text pairs, oldest first (the last few)."""
    turns: list[tuple[str, str]] = []
    question: str | None = None
    for message in history or []:
        get = message.get if isinstance(message, dict) else lambda k, m=message: getattr(m, k, "")
        role, text = get("role"), _plain(text_of(get("content")))
        if role == "user":
            question = text
        elif role == "assistant" and question is not None and text:
            turns.append((question, text))
            question = None
    return turns[-MAX_HISTORY_TURNS:]


def record_of(answer: Answer) -> dict[str, Any]:
    """What the app keeps of an answer for feedback (never a setting or a key)."""
    return {
        "question": answer.question,
        "answer": answer.answer,
        "supported": answer.supported,
        "mode": answer.mode,
        "citations": [
            {"n": c.n, "doc_id": c.doc_id, "section": c.section, "page": c.page}
            for c in answer.citations
        ],
    }


def ask_stream(
    ctx: AppContext, question: str, history: Sequence[Any] = ()
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Answer a question from the guides, showing generated text as it comes (LLM mode).

    Yields:
        (chat HTML, None) for each preview of a generated answer, then (chat HTML, record)
        for the final answer: its text with markers and its numbered, expandable sources.
        When the configured chat model is unavailable, the answer's notice says why.

    Raises:
        InvalidInputError: Empty or over-long question.
        IndexNotReadyError: No index yet.
    """
    from assistant.answer import stream_answer

    question = (question or "").strip()
    if not question:
        raise InvalidInputError("Saisissez une question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInputError(
            f"La question est trop longue ({len(question)} caractères, "
            f"{MAX_QUESTION_CHARS} au plus) : raccourcissez-la."
        )
    index = ctx.service.index()
    chat_model = ctx.chat_model()
    unavailable = ctx.llm_notice if chat_model is None else None
    preview = ""
    for event in stream_answer(
        question,
        index=index,
        kb=ctx.kb(),
        settings=ctx.settings,
        history=chat_history(history) or None,
        chat_model=chat_model,
    ):
        if isinstance(event, str):
            preview += event
            yield render.preview_html(preview), None
        else:
            answer = _with_notice(event, unavailable) if event.supported else event
            problem = getattr(index, "dense_problem", None)
            if problem is not None:  # a Chroma server away: the answer rests on lexical search
                answer = _with_notice(answer, problem.message)
            yield render.answer_html(answer), record_of(answer)


def _with_notice(answer: Answer, notice: str | None) -> Answer:
    """``answer`` with ``notice`` added after its own (the same answer when there is none)."""
    if not notice:
        return answer
    joined = " ".join(n for n in (answer.notice, notice) if n)
    return answer.model_copy(update={"notice": joined})


def ask(ctx: AppContext, question: str, history: Sequence[Any] = ()) -> tuple[str, dict[str, Any]]:
    """Answer a question from the guides: the final chat HTML and the record kept for feedback.

    Raises:
        InvalidInputError: Empty or over-long question.
        IndexNotReadyError: No index yet.
    """
    final: tuple[str, dict[str, Any]] | None = None
    for reply, record in ask_stream(ctx, question, history):
        if record is not None:
            final = (reply, record)
    assert final is not None
    return final


__all__ = [
    "EXAMPLE_QUESTIONS",
    "MAX_QUESTION_CHARS",
    "ask",
    "ask_stream",
    "chat_history",
    "record_of",
    "text_of",
]
