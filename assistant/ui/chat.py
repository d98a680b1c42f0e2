"""The chat: its turns kept as plain text (question, answer, sources) and how they are shown.

The turns are what the app keeps (in the browser, across reloads) and what follow-up
questions read; the chat's HTML is only ever made from them, never read back. Every user or
document text is escaped: it is shown, never run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, Field, ValidationError

from assistant.ui.escaping import NBSP, esc, paragraphs

if TYPE_CHECKING:
    from assistant import Answer

MAX_TURNS_KEPT = 20
"""Turns kept in the browser and shown (40 chat messages)."""
PENDING = "<p><em>Recherche dans les guides…</em></p>"
"""The chat's placeholder while an answer is being looked for."""
_MARKER = re.compile(r"\[(\d{1,2})\]")
_MARKER_IN_TEXT = re.compile(r"\s*\[\d{1,2}\]")


class TurnSource(BaseModel):
    """One numbered source of an answer, as shown under it."""

    n: int
    doc_id: str
    title: str = ""
    section: str = ""
    page: int | None = None
    period: str = ""
    status: Literal["current", "historical"] = "current"
    quote: str = ""


class Turn(BaseModel):
    """One question and its answer, as plain text (what the app keeps of the chat)."""

    question: str
    answer: str
    supported: bool
    mode: str = "extractive"
    notice: str | None = None
    citations: list[TurnSource] = Field(default_factory=list)


class _Shown(Protocol):
    """What an answer view reads: an ``Answer`` or a ``Turn``."""

    @property
    def answer(self) -> str: ...
    @property
    def supported(self) -> bool: ...
    @property
    def mode(self) -> str: ...
    @property
    def notice(self) -> str | None: ...
    @property
    def citations(self) -> Sequence[Any]: ...


def turn_of(answer: Answer, question: str) -> Turn:
    """The turn kept for an ``Answer`` to ``question`` (its text, notice and sources)."""
    return Turn(
        question=question,
        answer=answer.answer,
        supported=answer.supported,
        mode=answer.mode,
        notice=answer.notice,
        citations=[TurnSource.model_validate(c, from_attributes=True) for c in answer.citations],
    )


def load_turns(stored: object) -> list[Turn]:
    """The turns kept in the browser; anything unreadable is dropped (never an error)."""
    turns: list[Turn] = []
    for item in stored if isinstance(stored, list) else []:
        try:
            turns.append(Turn.model_validate(item))
        except ValidationError:
            continue
    return turns[-MAX_TURNS_KEPT:]


def store_turns(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    """The JSON kept in the browser (the last ``MAX_TURNS_KEPT`` turns)."""
    return [turn.model_dump(mode="json") for turn in turns[-MAX_TURNS_KEPT:]]


def history_of(turns: Sequence[Turn], *, last: int) -> list[tuple[str, str]]:
    """The last ``last`` (question, answer) pairs for follow-up questions, without markers."""
    pairs = [(t.question, _MARKER_IN_TEXT.sub("", t.answer).strip()) for t in turns if t.answer]
    return pairs[-last:] if last else []


def messages_of(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """The chat's messages for ``turns``: each question, then its answer and sources."""
    messages: list[dict[str, str]] = []
    for turn in turns[-MAX_TURNS_KEPT:]:
        messages.append({"role": "user", "content": question_html(turn.question)})
        messages.append({"role": "assistant", "content": answer_html(turn)})
    return messages


def question_html(question: str) -> str:
    """The user's question as shown in the chat (inert)."""
    return f'<div class="cpom-question">{esc(question).replace(chr(10), "<br>")}</div>'


def _where(period: str, section: str, page: int | None) -> str:
    parts = [f"période {esc(period)}"] if period else []
    if section:
        parts.append(f"section «{NBSP}{esc(section)}{NBSP}»")
    if page:
        parts.append(f"page {page}")
    return " — ".join(parts)


def source_details(
    n: int,
    *,
    title: str,
    period: str,
    section: str,
    page: int | None,
    status: str,
    quote: str,
    doc_id: str,
) -> str:
    """One numbered source: a summary line, and the passage when expanded."""
    page_label = f", p. {page}" if page else ""
    historical = (
        '<span class="cpom-badge cpom-historical">document historique</span>'
        if status == "historical"
        else ""
    )
    return (
        f'<details class="cpom-source"><summary>[{n}] {esc(title)}{esc(page_label)}'
        f"{historical}</summary>"
        f'<p class="cpom-meta">{_where(period, section, page)}'
        f" <code>{esc(doc_id)}</code></p>"
        f"<blockquote>{esc(quote)}</blockquote></details>"
    )


def answer_html(answer: _Shown) -> str:
    """An answer (or a kept turn): text with markers, then numbered sources; refusals apart."""
    sources = "".join(
        source_details(
            c.n,
            title=c.title,
            period=c.period,
            section=c.section,
            page=c.page,
            status=c.status,
            quote=c.quote,
            doc_id=c.doc_id,
        )
        for c in answer.citations
    )
    notice = f'<p class="cpom-notice">Note : {esc(answer.notice)}</p>' if answer.notice else ""
    if not answer.supported:
        closest = (
            f'<p class="cpom-sources-title">Passages les plus proches :</p>{sources}'
            if sources
            else ""
        )
        return (
            '<div class="cpom-answer cpom-refusal">'
            '<p class="cpom-refusal-label">Hors des guides</p>'
            f"{paragraphs(answer.answer)}{notice}{closest}</div>"
        )
    mode = "réponse rédigée par le modèle" if answer.mode == "llm" else "extraits des guides"
    title = f'<p class="cpom-sources-title">Sources ({esc(mode)}) :</p>' if sources else ""
    body = _MARKER.sub(r'<sup class="cpom-ref">[\1]</sup>', paragraphs(answer.answer))
    return f'<div class="cpom-answer">{body}{notice}{title}{sources}</div>'


def preview_html(text: str) -> str:
    """A generated answer while it is being written (checked before it is shown as final)."""
    return (
        f'<div class="cpom-answer cpom-preview">{paragraphs(text)}'
        '<p class="cpom-notice">Réponse en cours de rédaction ; elle sera vérifiée contre les '
        "passages cités.</p></div>"
    )


def error_html(message: str) -> str:
    """An expected failure shown in the chat, in place of an answer."""
    return (
        '<div class="cpom-answer cpom-refusal"><p class="cpom-refusal-label">Réponse impossible'
        f"</p><p>{esc(message)}</p></div>"
    )


ERROR_LABEL = error_html("").partition("</p>")[0]
"""How the chat starts an expected failure shown instead of an answer."""


__all__ = [
    "ERROR_LABEL",
    "MAX_TURNS_KEPT",
    "PENDING",
    "Turn",
    "TurnSource",
    "answer_html",
    "error_html",
    "history_of",
    "load_turns",
    "messages_of",
    "preview_html",
    "question_html",
    "source_details",
    "store_turns",
    "turn_of",
]
