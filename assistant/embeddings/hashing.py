"""A deterministic, instant embedder for tests and quick experiments (no model)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from assistant.embeddings.base import CpomEmbeddings, EmbedKind, FloatMatrix
from assistant.text.french import fold

_WORD = re.compile(r"\w+")


class HashingEmbeddings(CpomEmbeddings):
    """Bag of accent-folded, lower-cased words hashed into ``dimension`` signed buckets.

    Texts sharing words get similar vectors, so retrieval code can be exercised
    without a model; it has no notion of meaning. Queries and documents are
    embedded alike.
    """

    def __init__(self, *, dimension: int = 256) -> None:
        """Create the embedder.

        Args:
            dimension: Number of buckets.
        """
        super().__init__(embedder_id=f"hashing-v1:{dimension}", dimension=dimension, batch_size=64)

    def _embed(self, texts: Sequence[str], *, kind: EmbedKind) -> FloatMatrix:
        del kind
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            folded = fold(text)
            for word in _WORD.findall(folded):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dimension] += 1.0 if value >> 63 else -1.0
        return out
