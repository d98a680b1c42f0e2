"""Hybrid retrieval: BM25 and dense results fused by reciprocal rank.

A question that names an indicator ("OS 13", "CT_3", "CPOM_OS_13", "indicateur RAAC") brings
that fiche's passages first; at equal relevance a current document outranks a historical one.
The opened index (:class:`Index`) and :class:`Filters` live in ``assistant.index.reader`` and
are re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.errors import IndexNotReadyError
from assistant.index.filters import Filters
from assistant.index.health import dense_failure
from assistant.index.reader import Index
from assistant.retrieval.models import Passage
from assistant.retrieval.query import query_router

__all__ = [
    "HISTORICAL_FACTOR",
    "WEIGHTS",
    "Filters",
    "HybridRetriever",
    "Index",
    "rrf",
    "search",
]

logger = logging.getLogger(__name__)

HISTORICAL_FACTOR = 0.97
WEIGHTS = {"lexical": 1.0, "dense": 1.0, "sentence": 0.5}


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


def search(
    index: Index,
    query: str,
    *,
    k: int = 5,
    filters: Filters | None = None,
    candidates: int = 30,
    rrf_k: int = 10,
) -> list[Passage]:
    """Hybrid search (lexical only while the dense part is being built)."""
    query = query.strip()
    if not query:
        return []
    # the guides' words for staff words (« deadline » -> « date limite »), for the lexical part
    words = query_router(index).glossary.expand(query)
    size = max(candidates, k)
    rankings: list[tuple[str, list[str]]] = []
    vector = _rank(
        index,
        query,
        filters,
        size=size,
        pool=size * 4,
        into=rankings,
        dense=index.dense_ready,
        words=words,
    )
    docs = query_router(index).named_documents(query)
    if docs and not (filters and (filters.doc_id or filters.doc_ids)):
        # a question naming a document also gets that document's own rankings
        routed = Filters(
            status=filters.status if filters else None,
            fiche=filters.fiche if filters else None,
            doc_ids=docs,
        )
        # dense rankings only when the first pass had them (same vector, same server)
        _rank(
            index,
            query,
            routed,
            size=size,
            pool=size * 12,
            into=rankings,
            dense=vector is not None,
            vector=vector,
            words=words,
        )
    fused = dict(
        rrf([r for _, r in rankings], k=rrf_k, weights=[WEIGHTS[kind] for kind, _ in rankings])
    )
    return _ordered(index, query, fused, filters, k=k)


def _rank(
    index: Index,
    query: str,
    filters: Filters | None,
    *,
    size: int,
    pool: int,
    into: list[tuple[str, list[str]]],
    dense: bool,
    vector: list[float] | None = None,
    words: str | None = None,
) -> list[float] | None:
    """Append the lexical, dense and sentence rankings of ``query`` to ``into``.

    Returns the query vector (None when the dense part is not used). A failure of the dense
    part (a Chroma server away) is recorded in ``index.dense_problem``; search stays lexical.
    """
    hits = index.bm25.search(words or query, k=pool)
    lexical = [cid for cid, _ in hits if _accept(index, cid, filters)]
    into.append(("lexical", lexical[:size]))
    if not dense:
        return None
    try:
        vector = vector if vector is not None else index.query_vector(query)
        hits = index.dense_search(query, k=size, filters=filters, vector=vector)
        into.append(("dense", [cid for cid, _ in hits if cid in index.chunks]))
        into.append(("sentence", index.sentence_ranking(vector, k=size, filters=filters)))
        index.dense_problem = None
    except IndexNotReadyError:
        raise  # another embedder, a damaged store: never answered from the wrong vectors
    except Exception as exc:  # a server away must not break lexical search; it is told
        index.dense_problem = dense_failure(exc)
        logger.warning("dense search failed, lexical only: %s", exc)
        return None
    return vector


def _ordered(
    index: Index, query: str, fused: dict[str, float], filters: Filters | None, *, k: int
) -> list[Passage]:
    """The fused passages, named fiches first, current documents before historical ones."""
    named = [
        f
        for f in query_router(index).named_fiches(query)
        if filters is None or filters.fiche in (None, f)
    ]
    for cid, chunk in index.chunks.items():
        if named and chunk.fiche in named and cid not in fused and _accept(index, cid, filters):
            fused[cid] = 0.0
    boosted = _top_of_named_fiches(index, fused, named, query)
    scored: list[tuple[float, str]] = []
    for cid, score in fused.items():
        chunk = index.chunks[cid]
        value = score * (1.0 if chunk.status == "current" else HISTORICAL_FACTOR)
        if cid in boosted:
            value += 1.0 + 0.01 * (len(named) - named.index(chunk.fiche or ""))
        scored.append((value, cid))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [
        Passage(rank=i, score=value, chunk=index.chunks[cid])
        for i, (value, cid) in enumerate(scored[:k], start=1)
    ]


def _top_of_named_fiches(
    index: Index, fused: dict[str, float], named: list[str], query: str, per_fiche: int = 3
) -> set[str]:
    """The best few passages of each named fiche (the part the question is about first)."""
    boosted: set[str] = set()
    for code in named:
        own = [cid for cid in fused if index.chunks[cid].fiche == code]
        own.sort(
            key=lambda cid: (
                -(fused[cid] + query_router(index).fiche_part_bonus(query, index.chunks[cid]))
            )
        )
        boosted.update(own[:per_fiche])
    return boosted


def _accept(index: Index, cid: str, filters: Filters | None) -> bool:
    chunk = index.chunks.get(cid)
    return chunk is not None and (filters is None or filters.accepts(chunk))


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :func:`search`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    k: int = 5
    candidates: int = 30
    rrf_k: int = 10
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
