"""Restrictions of a search to chunk metadata, applied by the lexical and the dense parts alike."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from assistant.corpus.models import Chunk, Status


class Filters(BaseModel, frozen=True):
    """Restrict retrieval to a document status, a document or a fiche."""

    status: Status | None = None
    doc_id: str | None = None
    doc_ids: tuple[str, ...] = ()
    fiche: str | None = None

    def accepts(self, chunk: Chunk) -> bool:
        """Whether ``chunk`` passes the filters."""
        return (
            (self.status is None or chunk.status == self.status)
            and (self.doc_id is None or chunk.doc_id == self.doc_id)
            and (not self.doc_ids or chunk.doc_id in self.doc_ids)
            and (self.fiche is None or chunk.fiche == self.fiche)
        )
