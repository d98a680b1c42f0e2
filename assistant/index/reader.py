"""The opened index: chunks, BM25, the dense part and sentence vectors, checked on opening.

Also what a question names (an indicator fiche, a document), read from the index's own
vocabulary, and the :class:`Filters` a search may apply. The search itself is in
``assistant.retrieval.hybrid``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.corpus.models import Chunk
from assistant.errors import AssistantError, VectorStoreUnavailableError
from assistant.index.chroma import chroma_failure, open_collection
from assistant.index.filters import Filters
from assistant.index.health import damaged, explain_missing, other_embedder
from assistant.index.lexical import Bm25Index
from assistant.index.manifest import current_build, load_chunks, read_manifest, verify_files

__all__ = ["Index"]


class Index:
    """An opened index: chunks, BM25, and (once built) the dense collection.

    Opening checks the index (``assistant.index.health``): a missing, interrupted or damaged
    index, or one built with another embedder, raises :class:`IndexNotReadyError` naming the
    problem and the command that fixes it. A Chroma server that stops answering does not: search
    turns lexical, ``dense_problem`` says why, and the server is used again once it is back.
    """

    def __init__(self, settings: Settings, *, embedder: Any | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._lock = threading.Lock()
        self._vectors: dict[str, list[float]] = {}
        self.dense_problem: AssistantError | None = None
        """Why the last search was lexical only although the dense part is built, or None."""
        self._load()

    def _load(self) -> None:
        build = current_build(self.settings.index_dir)
        if build is None:
            raise explain_missing(self.settings.index_dir)
        manifest = read_manifest(build)
        if manifest.embedding_model != self.settings.embedding_model:
            raise other_embedder(manifest.embedding_model, self.settings.embedding_model)
        verify_files(build, manifest.files)
        try:
            bm25 = Bm25Index.load(build / "bm25")
        except Exception as exc:  # bm25s and numpy raise many kinds on a damaged file
            raise damaged(build, "bm25", "(index lexical) est illisible") from exc
        chunks = {c.id: c for c in load_chunks(build)}
        if len(chunks) != manifest.chunks or set(bm25.ids) != set(chunks):
            raise damaged(build, "chunks.jsonl", "ne correspond pas au manifeste")
        self.build: Path = build
        self.manifest = manifest
        self.chunks: dict[str, Chunk] = chunks
        self.bm25 = bm25
        self._collection: Any = None
        self._stored: tuple[int, list[str], Any] | None = None
        self._place: dict[str, int] | None = None
        self._open_lock = threading.Lock()  # Chroma's client is not safe to open concurrently
        self._sentences: tuple[Any, Any, list[str]] | None = None
        self._sentence_rows: dict[tuple[str, str], int] | None = None
        self._chunk_order: list[str] = list(self.chunks)
        if self._embedder is not None:
            self._check_embedder(self._embedder)

    def refresh(self) -> None:
        """Reload when another build was swapped in, or the dense part completed."""
        with self._lock:
            build = current_build(self.settings.index_dir)
            if build is None:
                return
            if build != self.build:
                self._load()
            elif not self.manifest.dense_ready:
                manifest = read_manifest(build)
                if manifest.dense_ready:
                    verify_files(build, manifest.files)
                self.manifest = manifest
                if self._embedder is not None:
                    self._check_embedder(self._embedder)

    @property
    def dense_ready(self) -> bool:
        """Whether semantic search is available (vectors fully built)."""
        return self.manifest.dense_ready

    def embedder(self) -> Any:
        """The query embedder (loaded once).

        Raises:
            IndexNotReadyError: the index's vectors come from another embedder.
        """
        if self._embedder is None:
            # heavy (langchain-core, the model engines): a lexical-only index never loads it
            from assistant.embeddings import build_embedder

            self._embedder = build_embedder(self.settings)
        self._check_embedder(self._embedder)
        return self._embedder

    def _check_embedder(self, embedder: Any) -> None:
        built = self.manifest.embedder_id
        configured = getattr(embedder, "embedder_id", None)
        if self.manifest.dense_ready and built and configured and built != configured:
            raise other_embedder(built, configured)

    def verify_dense(self) -> None:
        """Load the query embedder and probe the dense part now, so that faults show at start.

        A Chroma server that does not answer is recorded in ``dense_problem`` (search is
        lexical meanwhile).

        Raises:
            IndexNotReadyError: vectors from another embedder, or a damaged dense part.
        """
        if not self.dense_ready:
            return
        self.embedder()
        try:
            self._dense_collection()
        except VectorStoreUnavailableError as exc:
            self.dense_problem = exc
        else:
            self.dense_problem = None

    def _dense_collection(self) -> Any:
        """The build's Chroma collection, opened and probed once (``open_collection``).

        Opened under a lock: threads of the app opening it at once made Chroma fail with
        "Could not connect to tenant", read as a damaged index (found by ``bench_load.py``).
        """
        with self._open_lock:
            if self._collection is None:
                self._collection = open_collection(
                    self.settings, self.build, self.manifest, self._embedder
                )
            return self._collection

    def sentences(self) -> tuple[Any, Any, list[str]]:
        """(owner chunk index per sentence, unit vectors, texts), loaded once."""
        if self._sentences is None:
            import numpy as np

            try:
                with np.load(self.build / "sentences.npz") as data:
                    owner = np.asarray(data["owner"])
                    vectors = np.asarray(data["vectors"], dtype=np.float32)
                texts = json.loads((self.build / "sentences.json").read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError):
                owner, vectors, texts = (
                    np.zeros(0, dtype=np.int32),
                    np.zeros((0, 1), dtype=np.float32),
                    [],
                )
            self._sentences = (owner, vectors, texts)
        return self._sentences

    def sentence_scores(self, vector: Sequence[float]) -> list[tuple[str, str, float]]:
        """Every sentence as (chunk id, text, cosine to ``vector``), unsorted."""
        import numpy as np

        owner, vectors, texts = self.sentences()
        if not len(texts):
            return []
        scores = vectors @ np.asarray(vector, dtype=np.float32)
        return [
            (self._chunk_order[int(o)], texts[i], float(scores[i])) for i, o in enumerate(owner)
        ]

    def sentence_rows(self) -> dict[tuple[str, str], int]:
        """(chunk id, sentence text) -> row of its vector in :meth:`sentences` (built once)."""
        if self._sentence_rows is None:
            owner, _, texts = self.sentences()
            self._sentence_rows = {
                (self._chunk_order[int(o)], text): i
                for i, (o, text) in enumerate(zip(owner, texts))
            }
        return self._sentence_rows

    def sentence_similarities(self, vector: Sequence[float]) -> Any:
        """Cosine of every indexed sentence to ``vector`` (a numpy array, rows of
        :meth:`sentence_rows`)."""
        import numpy as np

        _, vectors, texts = self.sentences()
        if not len(texts):
            return np.zeros(0, dtype=np.float32)
        return vectors @ np.asarray(vector, dtype=np.float32)

    def sentence_ranking(
        self, vector: Sequence[float], *, k: int, filters: Filters | None = None
    ) -> list[str]:
        """Chunks ranked by their best sentence's similarity to the query vector."""
        import numpy as np

        owner, vectors, texts = self.sentences()
        if not len(texts):
            return []
        scores = vectors @ np.asarray(vector, dtype=np.float32)
        best = np.full(len(self._chunk_order), -1.0, dtype=np.float32)
        np.maximum.at(best, owner, scores)
        out: list[str] = []
        for i in np.argsort(-best):
            if best[i] < 0:
                break
            cid = self._chunk_order[int(i)]
            if filters is None or filters.accepts(self.chunks[cid]):
                out.append(cid)
                if len(out) >= k:
                    break
        return out

    def query_vector(self, query: str) -> list[float]:
        """The query embedding (the last few are kept: the chains ask for it more than once)."""
        cached = self._vectors.get(query)
        if cached is None:
            cached = list(self.embedder().embed_query(query))
            with self._lock:
                self._vectors[query] = cached
                while len(self._vectors) > 64:
                    self._vectors.pop(next(iter(self._vectors)))
        return cached

    def dense_search(
        self,
        query: str,
        *,
        k: int,
        filters: Filters | None = None,
        vector: Sequence[float] | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity, exact and the same on every run.

        The vector store's HNSW graph is searched approximately, and its answers vary from one
        process to the next (a passage at the 22nd place of 120 present in one run, absent in
        the next): the same question then got another answer. The chunks' vectors are read
        from the store (``_stored_vectors``) and ranked exactly, ties in the index's order.
        """
        import numpy as np

        vector = list(vector) if vector is not None else self.query_vector(query)
        ids, vectors = self._stored_vectors()
        if not ids:
            return []
        query_vector = np.asarray(vector, dtype=np.float32)
        query_vector /= float(np.linalg.norm(query_vector)) or 1.0
        scores = vectors @ query_vector
        # ties (the same text in two documents) in the index's order: the current guides first
        place = self._chunk_place()
        order = sorted(
            range(len(ids)),
            key=lambda i: (-round(float(scores[i]), 6), place.get(ids[i], len(place)), ids[i]),
        )
        hits: list[tuple[str, float]] = []
        for i in order:
            chunk = self.chunks.get(ids[i])
            if chunk is None or (filters is not None and not filters.accepts(chunk)):
                continue
            hits.append((ids[i], float(scores[i])))
            if len(hits) >= k:
                break
        return hits

    def _chunk_place(self) -> dict[str, int]:
        """Each chunk's place in the index's order (documents in the catalog's order)."""
        if self._place is None:
            self._place = {cid: i for i, cid in enumerate(self._chunk_order)}
        return self._place

    def _stored_vectors(self) -> tuple[list[str], Any]:
        """(ids, unit vectors) of the chunks in the vector store, read again when it changed.

        The store is asked each time how many vectors it holds (a server away is told here, as
        any failure of the store); the vectors themselves are read once per content.
        """
        import numpy as np

        collection = self._dense_collection()
        try:
            count = collection.count()
            if self._stored is None or self._stored[0] != count:
                got = collection.get(include=["embeddings"])
                vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(
                    len(got["ids"]), -1
                )
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                norms[norms == 0] = 1.0
                with self._lock:
                    self._stored = (count, list(got["ids"]), vectors / norms)
        except Exception as exc:
            if self.settings.chroma_host:
                raise chroma_failure(self.settings, self.build, self.manifest, exc) from exc
            raise
        return self._stored[1], self._stored[2]
