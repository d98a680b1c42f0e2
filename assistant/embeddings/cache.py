"""A persistent embedding cache keyed by (embedder id, sha256 of the text).

One ``.npz`` file per embedder id in a folder: keys as raw 32-byte digests,
vectors as ``float32`` (a hit returns exactly the vector that was computed).
A change of embedder changes the id, hence the file, so old vectors are never
served for a new model; a change of chunking changes the texts, hence the keys.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.embeddings.base import CpomEmbeddings, FloatMatrix

logger = logging.getLogger(__name__)

SAVE_EVERY = 64
_FORMAT_VERSION = 1
_DIGEST_SIZE = 32


def text_key(text: str) -> bytes:
    """Return the cache key of a text (its UTF-8 sha256 digest)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def cache_file_name(embedder_id: str) -> str:
    """Return the file name used for an embedder id (readable slug + hash of the id)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_id).strip("._")[:48]
    digest = hashlib.sha256(embedder_id.encode("utf-8")).hexdigest()[:12]
    return f"{slug}-{digest}.npz"


class EmbeddingCache:
    """Vectors already computed by one embedder, loaded from and saved to one file."""

    def __init__(self, folder: Path, embedder_id: str) -> None:
        """Open (or start) the cache of ``embedder_id`` in ``folder``.

        A missing file gives an empty cache; an unreadable or inconsistent one is
        ignored with a logged warning (the vectors are then recomputed).

        Args:
            folder: Folder holding one cache file per embedder id.
            embedder_id: The id of the embedder whose vectors are stored.
        """
        self.folder = Path(folder)
        self.embedder_id = embedder_id
        self.path = self.folder / cache_file_name(embedder_id)
        self._vectors: dict[bytes, FloatMatrix] = {}
        self._dimension: int | None = None
        self._dirty = False
        self._load()

    def __len__(self) -> int:
        return len(self._vectors)

    @property
    def dirty(self) -> bool:
        """Whether vectors were added since the last save."""
        return self._dirty

    def get_many(self, texts: Sequence[str]) -> list[list[float] | None]:
        """Return the cached vector of each text, or None where it is not cached."""
        found: list[list[float] | None] = []
        for text in texts:
            vector = self._vectors.get(text_key(text))
            found.append(None if vector is None else vector.tolist())
        return found

    def put_many(self, texts: Sequence[str], vectors: Sequence[Sequence[float]]) -> None:
        """Add vectors for texts (kept in memory until :meth:`save`).

        Raises:
            ValueError: Lengths differ, or a vector's dimension differs from the cache's.
        """
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        for text, vector in zip(texts, vectors, strict=True):
            row = np.asarray(vector, dtype=np.float32)
            if row.ndim != 1 or (self._dimension is not None and row.shape[0] != self._dimension):
                raise ValueError(
                    f"vector of shape {row.shape} does not fit a cache of dimension "
                    f"{self._dimension}"
                )
            self._dimension = row.shape[0]
            self._vectors[text_key(text)] = row
            self._dirty = True

    def retain(self, texts: Sequence[str]) -> int:
        """Drop the vectors of every text not in ``texts`` (stale chunks); returns how many."""
        keep = {text_key(t) for t in texts}
        stale = [key for key in self._vectors if key not in keep]
        for key in stale:
            del self._vectors[key]
        self._dirty = self._dirty or bool(stale)
        return len(stale)

    def save(self) -> None:
        """Write the cache atomically: a temporary file in the same folder, then a rename.

        A crash during the write leaves the previous file as it was.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = np.frombuffer(b"".join(self._vectors), dtype=np.uint8).reshape(-1, _DIGEST_SIZE)
        dimension = self._dimension or 0
        vectors = (
            np.stack(list(self._vectors.values()))
            if self._vectors
            else np.zeros((0, dimension), dtype=np.float32)
        )
        handle, temp_name = tempfile.mkstemp(
            dir=self.folder, prefix=f".{self.path.stem}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(
                    stream,
                    format_version=np.array(_FORMAT_VERSION),
                    embedder_id=np.array(self.embedder_id),
                    keys=keys,
                    vectors=vectors,
                )
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        self._dirty = False
        logger.debug("Saved %d vectors to %s", len(self._vectors), self.path)

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                version = int(data["format_version"])
                stored_id = str(data["embedder_id"])
                keys = np.asarray(data["keys"], dtype=np.uint8)
                vectors = np.asarray(data["vectors"], dtype=np.float32)
            problem = _check(version, stored_id, self.embedder_id, keys, vectors)
        except Exception as exc:  # a truncated or foreign file: numpy, zipfile, OS errors
            problem = f"unreadable ({type(exc).__name__}: {exc})"
        if problem:
            logger.warning(
                "Ignoring embedding cache %s: %s; vectors will be recomputed", self.path, problem
            )
            return
        self._vectors = {bytes(key): row for key, row in zip(keys, vectors, strict=True)}
        self._dimension = int(vectors.shape[1]) if len(vectors) else None


def _check(
    version: int, stored_id: str, expected_id: str, keys: np.ndarray, vectors: np.ndarray
) -> str | None:
    """Return what is wrong with loaded cache arrays, or None if they are usable."""
    if version != _FORMAT_VERSION:
        return f"format version {version}, expected {_FORMAT_VERSION}"
    if stored_id != expected_id:
        return f"written for embedder {stored_id!r}, not {expected_id!r}"
    if keys.ndim != 2 or keys.shape[1] != _DIGEST_SIZE or vectors.ndim != 2:
        return f"bad shapes {keys.shape} and {vectors.shape}"
    if keys.shape[0] != vectors.shape[0]:
        return f"{keys.shape[0]} keys but {vectors.shape[0]} vectors"
    if not np.isfinite(vectors).all():
        return "non-finite values"
    return None


def embed_documents_cached(
    embedder: CpomEmbeddings,
    texts: list[str],
    cache: EmbeddingCache | None,
    *,
    progress: Callable[[int, int], None] | None = None,
    save_every: int = SAVE_EVERY,
) -> list[list[float]]:
    """Embed passages, computing only those the cache lacks.

    Identical texts are embedded once. The cache is saved every ``save_every`` new
    vectors and at the end, and also when the run is interrupted (an exception or
    Ctrl-C), so the work done so far is kept.

    Args:
        embedder: The embedder (its id must match the cache's).
        texts: Passages, in order.
        cache: The cache of this embedder, or None to compute everything.
        progress: Called with (texts done, total), first after the cache lookup,
            then after each model batch.
        save_every: New vectors between two saves.

    Returns:
        One vector per text, in order.

    Raises:
        ValueError: The cache belongs to another embedder.
    """
    if cache is not None and cache.embedder_id != embedder.embedder_id:
        raise ValueError(
            f"cache of {cache.embedder_id!r} used with embedder {embedder.embedder_id!r}"
        )
    total = len(texts)
    results: list[list[float] | None] = (
        cache.get_many(texts) if cache is not None else [None] * total
    )
    positions: dict[str, list[int]] = {}
    for index, (text, vector) in enumerate(zip(texts, results, strict=True)):
        if vector is None:
            positions.setdefault(text, []).append(index)
    done = total - sum(len(indexes) for indexes in positions.values())
    if progress is not None:
        progress(done, total)

    misses = list(positions)
    unsaved = 0
    try:
        for start in range(0, len(misses), embedder.batch_size):
            batch = misses[start : start + embedder.batch_size]
            vectors = embedder.embed_documents(batch)
            for text, vector in zip(batch, vectors, strict=True):
                for index in positions[text]:
                    results[index] = vector
                done += len(positions[text])
            if cache is not None:
                cache.put_many(batch, vectors)
                unsaved += len(batch)
                if unsaved >= save_every:
                    cache.save()
                    unsaved = 0
            if progress is not None:
                progress(done, total)
    finally:
        if cache is not None and cache.dirty:
            _save_quietly(cache)
    assert all(vector is not None for vector in results)
    return [vector for vector in results if vector is not None]


def _save_quietly(cache: EmbeddingCache) -> None:
    """Save on the way out; a failure is logged, not raised over the original error."""
    try:
        cache.save()
    except OSError as exc:
        logger.warning("Could not save embedding cache %s: %s", cache.path, exc)
