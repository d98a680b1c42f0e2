"""Hybrid retrieval: BM25 and dense results fused by reciprocal rank.

A question that names an indicator ("OS 13", "CT_3", "CPOM_OS_13", "indicateur RAAC") brings
that fiche's passages first; at equal relevance a current document outranks a historical one.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import BaseModel, ConfigDict

from assistant.config import Settings
from assistant.errors import IndexNotReadyError
from assistant.index import chroma_client, current_build, load_chunks, read_manifest
from assistant.lexical import Bm25Index, fold
from assistant.schemas import Chunk, Passage, Status

logger = logging.getLogger(__name__)

HISTORICAL_FACTOR = 0.97
_CODE = re.compile(r"\b(?:cpom[\s_-]*)?(ct|os)[\s_-]*0?(\d{1,2})(?:_\d_\d)?\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9]+")


class Filters(BaseModel, frozen=True):
    """Restrict retrieval to a document status, a document or a fiche."""

    status: Status | None = None
    doc_id: str | None = None
    fiche: str | None = None

    def accepts(self, chunk: Chunk) -> bool:
        """Whether ``chunk`` passes the filters."""
        return (
            (self.status is None or chunk.status == self.status)
            and (self.doc_id is None or chunk.doc_id == self.doc_id)
            and (self.fiche is None or chunk.fiche == self.fiche)
        )

    def chroma_where(self) -> dict[str, Any] | None:
        """The same filters as a Chroma ``where`` clause."""
        terms: list[dict[str, Any]] = []
        if self.status:
            terms.append({"status": self.status})
        if self.doc_id:
            terms.append({"doc_id": self.doc_id})
        if self.fiche:
            terms.append({"fiche": self.fiche})
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else {"$and": terms}


def rrf(
    rankings: Sequence[Sequence[str]], *, k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists by reciprocal rank; returns (id, score) best first."""
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Index:
    """An opened index: chunks, BM25, and (once built) the dense collection."""

    def __init__(self, settings: Settings, *, embedder: Any | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        build = current_build(self.settings.index_dir)
        if build is None:
            raise IndexNotReadyError(
                "L'index n'existe pas encore.",
                hint="Construisez-le avec : python -m assistant ingest",
            )
        manifest = read_manifest(build)
        if manifest.embedding_model != self.settings.embedding_model:
            raise IndexNotReadyError(
                f"L'index a été construit avec un autre modèle d'embeddings "
                f"({manifest.embedding_model!r}, configuré : {self.settings.embedding_model!r}).",
                hint="Reconstruisez-le : python -m assistant ingest --rebuild",
            )
        try:
            bm25 = Bm25Index.load(build / "bm25")
        except (OSError, ValueError, KeyError) as exc:
            raise IndexNotReadyError(
                "L'index lexical est endommagé.",
                hint="Reconstruisez-le : python -m assistant ingest --rebuild",
            ) from exc
        self.build: Path = build
        self.manifest = manifest
        self.chunks: dict[str, Chunk] = {c.id: c for c in load_chunks(build)}
        self.bm25 = bm25
        self._collection: Any = None
        self._fiche_words = _fiche_vocabulary(self.chunks.values())

    def refresh(self) -> None:
        """Reload when another build was swapped in, or the dense part completed."""
        with self._lock:
            build = current_build(self.settings.index_dir)
            if build is None:
                return
            if build != self.build:
                self._load()
            elif not self.manifest.dense_ready:
                self.manifest = read_manifest(build)

    @property
    def dense_ready(self) -> bool:
        """Whether semantic search is available (vectors fully built)."""
        return self.manifest.dense_ready

    def embedder(self) -> Any:
        """The query embedder (loaded once)."""
        if self._embedder is None:
            from assistant.embeddings import build_embedder

            self._embedder = build_embedder(self.settings)
        return self._embedder

    def _dense_collection(self) -> Any:
        if self._collection is None:
            client = chroma_client(self.settings, self.build)
            self._collection = client.get_collection(
                self.manifest.collection, embedding_function=None
            )
        return self._collection

    def dense_search(
        self, query: str, *, k: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity."""
        vector = self.embedder().embed_query(query)
        where = filters.chroma_where() if filters else None
        result = self._dense_collection().query(
            query_embeddings=[vector], n_results=min(k, len(self.chunks)), where=where
        )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def named_fiches(self, query: str) -> list[str]:
        """Fiche codes a question names ("OS 13", "CT_3", "indicateur RAAC")."""
        found: list[str] = []
        for match in _CODE.finditer(query):
            code = f"CPOM_{match.group(1).upper()}_{int(match.group(2))}"
            if code in self._fiche_words and code not in found:
                found.append(code)
        if found:
            return found
        for word in _WORD.findall(query):
            if len(word) < 3 or not (word.isupper() or len(word) >= 6):
                continue
            key = fold(word)
            owners = [code for code, words in self._fiche_words.items() if key in words]
            if len(owners) == 1 and owners[0] not in found:
                found.append(owners[0])
        return found[:2]


def _fiche_vocabulary(chunks: Any) -> dict[str, set[str]]:
    """Fiche code -> folded words of its title (label), for naming by keyword."""
    vocab: dict[str, set[str]] = {}
    for chunk in chunks:
        if chunk.fiche and chunk.fiche not in vocab:
            title = chunk.section.split(" > ")[0]
            label = title.split(":", 1)[-1]
            vocab[chunk.fiche] = {fold(w) for w in _WORD.findall(label) if len(w) >= 3}
    return vocab


def search(
    index: Index,
    query: str,
    *,
    k: int = 5,
    filters: Filters | None = None,
    candidates: int = 30,
    rrf_k: int = 60,
) -> list[Passage]:
    """Hybrid search (lexical only while the dense part is being built)."""
    query = query.strip()
    if not query:
        return []
    pool = max(candidates, k) * 4
    lexical = [
        cid for cid, _ in index.bm25.search(query, k=pool) if _accept(index, cid, filters)
    ][: max(candidates, k)]
    rankings: list[list[str]] = [lexical]
    if index.dense_ready:
        try:
            dense = [cid for cid, _ in index.dense_search(query, k=max(candidates, k), filters=filters)]
            rankings.append([cid for cid in dense if cid in index.chunks])
        except Exception as exc:  # a dense failure must not break lexical search
            logger.warning("dense search failed, lexical only: %s", exc)
    fused = dict(rrf(rankings, k=rrf_k))
    named = [f for f in index.named_fiches(query) if filters is None or filters.fiche in (None, f)]
    if named:
        for cid, chunk in index.chunks.items():
            if chunk.fiche in named and cid not in fused and _accept(index, cid, filters):
                fused[cid] = 0.0
    scored: list[tuple[float, str]] = []
    for cid, score in fused.items():
        chunk = index.chunks[cid]
        value = score * (1.0 if chunk.status == "current" else HISTORICAL_FACTOR)
        if chunk.fiche in named:
            value += 1.0 + 0.01 * (len(named) - named.index(chunk.fiche))
        scored.append((value, cid))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [
        Passage(rank=i, score=value, chunk=index.chunks[cid])
        for i, (value, cid) in enumerate(scored[:k], start=1)
    ]


def _accept(index: Index, cid: str, filters: Filters | None) -> bool:
    chunk = index.chunks.get(cid)
    return chunk is not None and (filters is None or filters.accepts(chunk))


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :func:`search`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = search(
            self.index,
            query,
            k=self.k,
            filters=self.filters,
            candidates=self.candidates,
            rrf_k=self.rrf_k,
        )
        return [
            Document(
                page_content=p.chunk.text,
                metadata={**p.chunk.model_dump(exclude={"text"}), "rank": p.rank, "score": p.score},
            )
            for p in passages
        ]
