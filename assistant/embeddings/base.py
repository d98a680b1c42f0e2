"""The embedder contract shared by every backend: LangChain ``Embeddings`` plus an id."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

EmbedKind = Literal["query", "document"]
FloatMatrix = npt.NDArray[np.float32]


class CpomEmbeddings(Embeddings, ABC):
    """A LangChain ``Embeddings`` with a stable id, a known dimension and unit vectors.

    Subclasses implement :meth:`_embed`; this class slices the input into
    ``batch_size`` pieces, runs each piece under a lock (one model call at a time,
    so a query issued while a background build embeds passages waits for one
    small batch, not for the whole build) and L2-normalises the result.

    Attributes:
        embedder_id: Stable identifier of the model and its input conventions; a
            different model gives a different id (used to key caches and indexes).
        dimension: Length of every vector.
        batch_size: Texts per model call.
    """

    embedder_id: str
    dimension: int
    batch_size: int

    def __init__(self, *, embedder_id: str, dimension: int, batch_size: int = 16) -> None:
        if dimension <= 0:
            raise ValueError(f"dimension must be positive, got {dimension}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.embedder_id = embedder_id
        self.dimension = dimension
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @abstractmethod
    def _embed(self, texts: Sequence[str], *, kind: EmbedKind) -> FloatMatrix:
        """Embed a small batch of texts, applying the query/document convention.

        Args:
            texts: At most ``batch_size`` texts (never empty).
            kind: ``"query"`` for a search question, ``"document"`` for a passage.

        Returns:
            An array of shape ``(len(texts), dimension)``; normalisation is done by
            the caller.
        """

    def count_tokens(self, text: str, *, kind: EmbedKind = "document") -> int | None:
        """Return how many tokens the model reads for ``text``, or None if unknown."""
        del text, kind
        return None

    def embed_array(self, texts: Sequence[str], *, kind: EmbedKind) -> FloatMatrix:
        """Embed texts into an L2-normalised ``float32`` array of shape ``(n, dimension)``.

        Args:
            texts: The texts, in order.
            kind: ``"query"`` or ``"document"``.

        Returns:
            One unit-length row per text (a zero vector stays zero).
        """
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            piece = list(texts[start : start + self.batch_size])
            with self._lock:
                vectors = np.asarray(self._embed(piece, kind=kind), dtype=np.float32)
            if vectors.shape != (len(piece), self.dimension):
                raise RuntimeError(
                    f"{self.embedder_id}: expected shape {(len(piece), self.dimension)}, "
                    f"got {vectors.shape}"
                )
            out[start : start + len(piece)] = vectors
        return normalise_rows(out)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (e5 models: the ``passage: `` convention)."""
        vectors: list[list[float]] = self.embed_array(texts, kind="document").tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed a search question (e5 models: the ``query: `` convention)."""
        vector: list[float] = self.embed_array([text], kind="query")[0].tolist()
        return vector

    def __repr__(self) -> str:
        return f"{type(self).__name__}(embedder_id={self.embedder_id!r})"


def normalise_rows(matrix: FloatMatrix) -> FloatMatrix:
    """Return ``matrix`` with every non-zero row scaled to unit L2 norm."""
    # numpy's stubs type ``linalg.norm`` with keepdims as Any; the result is a float column.
    norms: FloatMatrix = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)
