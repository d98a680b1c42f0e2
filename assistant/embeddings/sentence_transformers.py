"""Any sentence-transformers model, from a local folder or the local model-hub cache.

Loading never touches the network: a hub name is resolved in the local cache
only (``local_files_only``), so a name that was never downloaded fails at once
with a French message instead of retrying for a minute.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embeddings.base import CpomEmbeddings, EmbedKind, FloatMatrix
from assistant.errors import EmbedderUnavailableError

logger = logging.getLogger(__name__)

# e5 models were trained with these prefixes (intfloat/multilingual-e5-small model card).
E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "
_DOCUMENT_PROMPT_NAMES = ("document", "passage", "corpus")
_DEFAULT_ORGANISATION = "sentence-transformers"
_BATCH_SIZE = 16
_FINGERPRINT_MAX_FILES = 10_000


class SentenceTransformerEmbeddings(CpomEmbeddings):
    """A loaded ``SentenceTransformer`` with the query/document prompts resolved once."""

    def __init__(
        self,
        model: Any,
        *,
        embedder_id: str,
        dimension: int,
        query_prompt: str | None,
        document_prompt: str | None,
    ) -> None:
        """Wrap a loaded model.

        Args:
            model: A ``sentence_transformers.SentenceTransformer``.
            embedder_id: Stable id (source, fingerprint, dimension).
            dimension: Output dimension.
            query_prompt: Text prepended to queries, or None.
            document_prompt: Text prepended to passages, or None.
        """
        super().__init__(embedder_id=embedder_id, dimension=dimension, batch_size=_BATCH_SIZE)
        self._model = model
        self.query_prompt = query_prompt
        self.document_prompt = document_prompt

    def _embed(self, texts: Sequence[str], *, kind: EmbedKind) -> FloatMatrix:
        # The prompt is passed explicitly, so the model's own saved prompt is never
        # applied on top of it (it was already folded in by _resolve_prompts).
        encode = self._model.encode_query if kind == "query" else self._model.encode_document
        prompt = self.query_prompt if kind == "query" else self.document_prompt
        vectors = encode(
            list(texts),
            prompt=prompt or "",
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str, *, kind: EmbedKind = "document") -> int | None:
        """Return the tokenizer's token count for the prompted text, if a tokenizer exists."""
        tokenizer = getattr(self._model, "tokenizer", None)
        prompt = (self.query_prompt if kind == "query" else self.document_prompt) or ""
        encode = getattr(tokenizer, "encode", None)
        if encode is None:
            return None
        # Both tokenizer kinds have encode(): transformers returns ids, tokenizers an Encoding.
        encoded = encode(prompt + text)
        ids = getattr(encoded, "ids", encoded)
        return len(ids)


def load_sentence_transformer(name: str) -> SentenceTransformerEmbeddings:
    """Load a sentence-transformers model by local path or cached hub name, offline.

    e5 models (the name contains ``e5``) get the ``query: `` / ``passage: ``
    prefixes, unless the saved model already defines its own prompts.

    Args:
        name: A folder holding a saved model, or a hub name already in the local
            cache (``org/name``; a bare name means ``sentence-transformers/name``).

    Returns:
        The embedder.

    Raises:
        EmbedderUnavailableError: sentence-transformers is missing, the folder does
            not exist, the name is not in the local cache, or the model fails to load.
    """
    folder, source, fingerprint = _locate(name)  # before the slow import: fail fast
    try:
        from sentence_transformers import SentenceTransformer  # heavy: loaded on demand
    except ImportError as exc:
        raise _missing_library(name) from exc

    try:
        model = SentenceTransformer(str(folder), local_files_only=True)
    except Exception as exc:  # any failure of a user-supplied model means "unavailable"
        logger.warning("sentence-transformers failed to load %s: %s", folder, exc)
        raise EmbedderUnavailableError(
            f"Le modèle d'embeddings {name!r} n'a pas pu être chargé depuis {str(folder)!r} : "
            f"{exc}",
            hint="Vérifiez que le dossier contient un modèle sentence-transformers complet.",
        ) from exc

    dimension = model.get_embedding_dimension()
    if dimension is None:
        dimension = int(np.asarray(model.encode(["dimension"])).shape[1])
    query_prompt, document_prompt = _resolve_prompts(name, model.prompts)
    return SentenceTransformerEmbeddings(
        model,
        embedder_id=f"st:{source}@{fingerprint}:{dimension}",
        dimension=int(dimension),
        query_prompt=query_prompt,
        document_prompt=document_prompt,
    )


def _missing_library(name: str) -> EmbedderUnavailableError:
    return EmbedderUnavailableError(
        f"Le modèle d'embeddings {name!r} demande le paquet sentence-transformers, "
        "qui n'est pas installé.",
        hint="Installez-le (pip install sentence-transformers) ou laissez "
        "CPOM_EMBEDDING_MODEL=bundled.",
    )


def _resolve_prompts(name: str, saved: dict[str, str | None]) -> tuple[str | None, str | None]:
    """Return (query prompt, document prompt): the model's own, else e5's, else none."""
    is_e5 = "e5" in name.lower()
    query = saved.get("query") or (E5_QUERY_PREFIX if is_e5 else None)
    document = next((saved[key] for key in _DOCUMENT_PROMPT_NAMES if saved.get(key)), None)
    return query, document or (E5_PASSAGE_PREFIX if is_e5 else None)


def _locate(name: str) -> tuple[Path, str, str]:
    """Return (model folder, source label, fingerprint) for a path or a cached hub name."""
    path = Path(name).expanduser()
    if path.is_dir():
        folder = path.resolve()
        return folder, str(folder), _folder_fingerprint(folder)
    if _looks_like_path(name):
        raise EmbedderUnavailableError(
            f"Le dossier du modèle d'embeddings est introuvable : {name!r}.",
            hint="Donnez dans CPOM_EMBEDDING_MODEL le chemin d'un dossier contenant un "
            "modèle sentence-transformers, ou 'bundled'.",
        )
    repo_ids = [name] if "/" in name else [name, f"{_DEFAULT_ORGANISATION}/{name}"]
    for repo_id in repo_ids:
        snapshot = _cached_snapshot(repo_id)
        if snapshot is not None:
            return snapshot, repo_id, snapshot.name[:12]
    raise EmbedderUnavailableError(
        f"Le modèle d'embeddings {name!r} n'est pas disponible hors ligne : il n'est ni "
        "un dossier local ni dans le cache local des modèles, et l'assistant ne "
        "télécharge rien.",
        hint="Copiez le modèle dans un dossier et indiquez son chemin dans "
        "CPOM_EMBEDDING_MODEL, ou laissez CPOM_EMBEDDING_MODEL=bundled.",
    )


def _looks_like_path(name: str) -> bool:
    return (
        name.startswith(("/", ".", "~"))
        or "\\" in name
        or name.count("/") > 1
        or Path(name).expanduser().exists()
    )


def _cached_snapshot(repo_id: str) -> Path | None:
    """Return the local snapshot folder of a hub repository, or None, without network."""
    try:
        from huggingface_hub import snapshot_download  # comes with sentence-transformers
    except ImportError as exc:
        raise _missing_library(repo_id) from exc
    cache_dir = os.environ.get("SENTENCE_TRANSFORMERS_HOME") or None
    try:
        folder = snapshot_download(repo_id, cache_dir=cache_dir, local_files_only=True)
    except Exception as exc:  # hub client raises several types for "not cached"
        logger.debug("%s is not in the local model cache: %s", repo_id, exc)
        return None
    return Path(str(folder))


def _folder_fingerprint(folder: Path) -> str:
    """Hash the names, sizes and modification times of a model folder's files.

    Replacing a model in place (a fine-tuned copy of the same architecture) changes
    the fingerprint, so caches keyed by the embedder id miss instead of serving
    vectors of the old model; hashing the weights themselves would cost seconds.
    """
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file())[:_FINGERPRINT_MAX_FILES]
    for file in files:
        stat = file.stat()
        relative = file.relative_to(folder).as_posix()
        digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]
