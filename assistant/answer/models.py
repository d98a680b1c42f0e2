"""The answer contract: what ``ask`` returns, prints and serialises."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

AnswerMode = Literal["extractive", "llm"]

REFUSAL = "Les guides ne répondent pas à cette question."

MARKER = re.compile(r"\[(\d{1,3})\]")
"""A citation mark in an answer's text: « [2] »."""
_MARKER_WITH_SPACE = re.compile(r"\s*\[\d{1,3}\]")


def strip_markers(text: str) -> str:
    """The text without its citation marks (and the space before each)."""
    return _MARKER_WITH_SPACE.sub("", text)


"""The exact sentence of a refusal (prompts, tests and the app rely on it)."""


class Citation(BaseModel, frozen=True):
    """One numbered source of an answer: a passage and the guide's verbatim words."""

    n: int = Field(ge=1, description="The marker [n] used in the answer text.")
    doc_id: str
    title: str
    section: str
    page: int | None = None
    quote: str = Field(description="Verbatim words of the passage that the answer rests on.")
    period: str = Field("", exclude=True, description="The document's period (display only).")
    status: Literal["current", "historical"] = Field("current", exclude=True)
    chunk_id: str | None = Field(None, exclude=True, description="The cited passage (index id).")

    def label(self) -> str:
        """``[1] Titre (période, p. N) — section`` for the text output."""
        where = ", ".join(x for x in (self.period, f"p. {self.page}" if self.page else "") if x)
        head = f"[{self.n}] {self.title}" + (f" ({where})" if where else "")
        return f"{head} — {self.section}" if self.section else head


class Answer(BaseModel):
    """An answer with its numbered citations, or a refusal (``supported`` false)."""

    question: str = Field("", exclude=True)
    answer: str
    supported: bool
    mode: AnswerMode = "extractive"
    citations: list[Citation] = Field(default_factory=list)
    grounded: bool = Field(
        True,
        description="The answer as generated passed the grounding guard untouched (every "
        "sentence cites a given passage, every number, date and code is in it). False when the "
        "guard removed claims or fell back to the offline answer; True for offline answers.",
    )
    removed_claims: list[str] = Field(
        default_factory=list, description="Generated sentences dropped by the grounding guard."
    )
    notice: str | None = Field(
        None, description="A note for the user (fallback to the offline answer, input changed…)."
    )

    def as_json(self) -> dict[str, Any]:
        """The ``ask --json`` contract."""
        return self.model_dump(mode="json")

    def as_text(self) -> str:
        """The answer, then its numbered sources (the CLI's text output)."""
        lines = [self.answer]
        if self.citations:
            lines.append("")
            lines.append("Sources :" if self.supported else "Passages les plus proches :")
            lines.extend(c.label() for c in self.citations)
        if self.notice:
            lines.append("")
            lines.append(f"Note : {self.notice}")
        return "\n".join(lines)
