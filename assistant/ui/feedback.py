"""Feedback on answers, appended to a local JSONL file for the team to review.

A record holds the question, the answer, its sources, the rating and the user's comment:
never a setting, a key or anything about the user's machine.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant import InvalidInputError

FEEDBACK_FILE = "feedback.jsonl"
MAX_COMMENT_CHARS = 2_000
Rating = Literal["utile", "pas_utile"]


class FeedbackCitation(BaseModel):
    """Which passage an answer cited."""

    n: int
    doc_id: str
    section: str = ""
    page: int | None = None


class Feedback(BaseModel):
    """One rating of one answer."""

    at: str = Field(default_factory=lambda: dt.datetime.now().isoformat(timespec="seconds"))
    rating: Rating
    comment: str = ""
    question: str
    answer: str
    supported: bool
    mode: str
    citations: list[FeedbackCitation] = Field(default_factory=list)


def record_feedback(
    folder: Path, last: dict[str, Any] | None, rating: Rating, comment: str
) -> Path:
    """Append a rating of the last answer to ``folder/feedback.jsonl``.

    Args:
        folder: The app's local data folder (created if needed).
        last: The last answer as kept by the app (question, answer, supported, mode, citations).
        rating: ``utile`` or ``pas_utile``.
        comment: The user's optional comment.

    Returns:
        The feedback file.

    Raises:
        InvalidInputError: There is no answer to rate yet, or the comment is too long.
    """
    if not last or not last.get("question"):
        raise InvalidInputError(
            "Posez d'abord une question : il n'y a pas encore de réponse à évaluer."
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidInputError(
            f"Le commentaire est trop long ({len(comment)} caractères, "
            f"{MAX_COMMENT_CHARS} au plus)."
        )
    record = Feedback(
        rating=rating,
        comment=comment,
        question=str(last["question"]),
        answer=str(last.get("answer", "")),
        supported=bool(last.get("supported", False)),
        mode=str(last.get("mode", "")),
        citations=[FeedbackCitation.model_validate(c) for c in last.get("citations", [])],
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FEEDBACK_FILE
    line = record.model_dump_json() + "\n"
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(line)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return path


def read_feedback(folder: Path) -> list[Feedback]:
    """Every feedback recorded so far (oldest first)."""
    path = folder / FEEDBACK_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        return [Feedback.model_validate(json.loads(line)) for line in handle if line.strip()]


__all__ = [
    "FEEDBACK_FILE",
    "Feedback",
    "FeedbackCitation",
    "Rating",
    "read_feedback",
    "record_feedback",
]
