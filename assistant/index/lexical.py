"""The lexical side of the index: a BM25 index (bm25s) over the tokens of ``text.french``.

Tokens are accent-folded, stop words removed and Snowball-stemmed; indicator codes are also
kept whole ("CPOM_OS_13" gives "os13").
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from assistant.text.french import tokenize

logger = logging.getLogger(__name__)


class Bm25Index:
    """A BM25 index over chunk ids, persisted in a folder."""

    def __init__(self, ids: list[str], retriever: object) -> None:
        self.ids = ids
        self._retriever = retriever
        vocab = getattr(retriever, "vocab_dict", None) or {}
        self._vocab: set[str] = set(vocab)

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> Bm25Index:
        """Index ``texts`` (one per id)."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) or ["_"] for t in texts], show_progress=False)
        return cls(ids, retriever)

    def save(self, folder: Path) -> None:
        """Write the index into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)  # type: ignore[attr-defined]
        (folder / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """Read an index written by :meth:`save`."""
        import bm25s

        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(ids, retriever)

    def search(self, query: str, *, k: int) -> list[tuple[str, float]]:
        """Return up to ``k`` (chunk id, score) pairs, best first, score > 0."""
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens or not self.ids:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._retriever.retrieve(  # type: ignore[attr-defined]
            [tokens], k=k, show_progress=False
        )
        out: list[tuple[str, float]] = []
        for idx, score in zip(np.asarray(docs)[0], np.asarray(scores)[0], strict=True):
            if score > 0:
                out.append((self.ids[int(idx)], float(score)))
        return out
