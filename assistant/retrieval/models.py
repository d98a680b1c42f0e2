"""Retrieval's boundary model: a passage found for a question."""

from __future__ import annotations

from pydantic import BaseModel

from assistant.corpus.models import Chunk


class Passage(BaseModel, frozen=True):
    """A chunk returned by retrieval, with its rank and fused score."""

    rank: int
    score: float
    chunk: Chunk

    def as_search_result(self) -> dict[str, object]:
        """Return the ``search --json`` contract fields."""
        c = self.chunk
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "doc_id": c.doc_id,
            "title": c.title,
            "section": c.section,
            "page": c.page,
            "fiche": c.fiche,
            "status": c.status,
            "text": c.text,
        }
