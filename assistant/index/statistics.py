"""Statistics of the opened index: term weights, near stems, the sentences of every passage.

Computed from the index's chunks once per opened index (``corpus_stats``), so that scoring a
question costs a few milliseconds and no embedding.
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.corpus.models import Chunk
from assistant.text.french import fold, has_figure, tokenize
from assistant.text.sentences import body_offset as text_body_offset
from assistant.text.sentences import sentence_spans


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a bullet line) of a passage, with its place in the passage text."""

    chunk_id: str
    position: int
    start: int
    end: int
    text: str
    terms: frozenset[str]
    continued: bool = False
    """A word window of a longer run, continued by the next sentence."""
    has_figure: bool = False
    """The sentence holds a figure (digits or a number word: "cinq ans")."""

    @property
    def words(self) -> int:
        """Number of words."""
        return len(self.text.split())


class CorpusStats:
    """Term document frequencies and passage sentences of one opened index."""

    def __init__(self, chunks: dict[str, Chunk]) -> None:
        self.chunks = chunks
        self._terms: dict[str, frozenset[str]] = {}
        self._header_terms: dict[str, frozenset[str]] = {}
        df: Counter[str] = Counter()
        for cid, chunk in chunks.items():
            terms = frozenset(tokenize(chunk.text))
            self._terms[cid] = terms
            df.update(terms)
        self.df = df
        self.n = max(len(chunks), 1)
        self._variants: dict[str, frozenset[str]] = {}
        self._by_prefix: dict[str, list[str]] = {}
        for term in df:
            if len(term) >= 3 and not term.isdigit():
                self._by_prefix.setdefault(term[:3], []).append(term)
        self._sentences: dict[str, list[Sentence]] = {}
        self._lock = threading.Lock()
        self._sentence_index: SentenceIndex | None = None

    def sentence_index(self) -> SentenceIndex:
        """A BM25 index over every sentence of the corpus (built on first use, about 1 s)."""
        with self._lock:
            if self._sentence_index is None:
                self._sentence_index = SentenceIndex(self)
            return self._sentence_index

    def idf(self, term: str) -> float:
        """Inverse document frequency (a term absent from the corpus gets the highest)."""
        return math.log((self.n + 1) / (self.df.get(term, 0) + 0.5))

    def variants(self, term: str) -> frozenset[str]:
        """The term and its near stems in the corpus ("dur" ~ "dure": durer ~ durée).

        The French stemmer gives a verb and its noun stems one letter apart; a question term
        also matches those.
        """
        cached = self._variants.get(term)
        if cached is None:
            found = {term}
            if len(term) >= 3 and not term.isdigit():
                found.update(v for v in self._by_prefix.get(term[:3], ()) if _near(term, v))
            cached = frozenset(found)
            self._variants[term] = cached
        return cached

    def known(self, term: str) -> bool:
        """Whether the term occurs in the corpus."""
        return term in self.df

    def chunk_terms(self, chunk_id: str) -> frozenset[str]:
        """The terms of a whole passage (header included)."""
        return self._terms.get(chunk_id, frozenset())

    def header_terms(self, chunk_id: str) -> frozenset[str]:
        """The terms of a passage's header line (its section path)."""
        if chunk_id not in self._header_terms:
            self._header_terms[chunk_id] = frozenset(
                tokenize(self.chunks[chunk_id].section) if chunk_id in self.chunks else []
            )
        return self._header_terms[chunk_id]

    def sentences(self, chunk_id: str) -> list[Sentence]:
        """The sentences of a passage's body (cached)."""
        cached = self._sentences.get(chunk_id)
        if cached is None:
            cached = split_sentences(self.chunks[chunk_id])
            self._sentences[chunk_id] = cached
        return cached


def _near(term: str, other: str) -> bool:
    """One stem is the other plus one letter (both at least three letters long), or a verb's
    plural: the French stemmer keeps « -ent » (« déclarent », « declar »)."""
    if term == other:
        return True
    short, long_ = sorted((term, other), key=len)
    if len(short) >= 4 and long_ == short + "ent":
        return True
    return len(long_) == len(short) + 1 and long_.startswith(short) and len(short) >= 3


class SentenceIndex:
    """BM25 over sentences (with their section's terms): finds the one line that answers."""

    def __init__(self, stats: CorpusStats) -> None:
        import bm25s  # heavy: loaded with the first sentence search

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.sentences = [s for cid in stats.chunks for s in stats.sentences(cid)]
        docs = [sorted(s.terms | stats.header_terms(s.chunk_id)) or ["_"] for s in self.sentences]
        self._bm25 = bm25s.BM25()
        self._bm25.index(docs, show_progress=False)
        self._vocab: dict[str, int] = dict(self._bm25.vocab_dict)
        self.row = {(s.chunk_id, s.position): i for i, s in enumerate(self.sentences)}

    def scores(self, terms: list[str]) -> np.ndarray:
        """The BM25 score of every sentence for ``terms`` (zeros when none is known)."""
        ids = [self._vocab[t] for t in terms if t in self._vocab]
        if not ids:
            return np.zeros(len(self.sentences))
        return np.asarray(self._bm25.get_scores(ids), dtype=float)


_STATS: weakref.WeakKeyDictionary[Any, tuple[int, CorpusStats]] = weakref.WeakKeyDictionary()
_STATS_LOCK = threading.Lock()


def corpus_stats(index: Any) -> CorpusStats:
    """The statistics of an opened index (built once; rebuilt when the index reloads)."""
    with _STATS_LOCK:
        cached = _STATS.get(index)
        if cached is not None and cached[0] == id(index.chunks):
            return cached[1]
        stats = CorpusStats(index.chunks)
        _STATS[index] = (id(index.chunks), stats)
        return stats


def body_offset(chunk: Chunk) -> int:
    """Where a passage's body starts (its first line repeats the section path)."""
    return text_body_offset(chunk.text, chunk.section)


def split_sentences(chunk: Chunk) -> list[Sentence]:
    """The sentences of a passage's body (the one splitter), with their terms and figures."""
    return [
        Sentence(
            chunk_id=chunk.id,
            position=position,
            start=span.start,
            end=span.end,
            text=span.text,
            terms=frozenset(tokenize(span.text)),
            continued=span.continued,
            has_figure=has_figure(fold(span.text)),
        )
        for position, span in enumerate(sentence_spans(chunk.text, start=body_offset(chunk)))
    ]
