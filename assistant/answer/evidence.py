"""What the guides hold for a question: passages, scored sentences, term coverage.

The passages come from hybrid retrieval (``assistant.retrieval.hybrid.search``), completed by the
passages of the sentences that best match the question lexically (a sentence-level BM25), so
that a rule stated in one line of a long section is not missed. Every sentence of that pool is
then scored; the offline answer, the support decision and the LLM prompt all start from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.intent import asked_type
from assistant.answer.lines import asks_list, asks_text, enumerates, holds_asked, is_answer_line
from assistant.answer.sentence_model import sentence_model
from assistant.answer.terms import question_terms
from assistant.corpus.catalog import load_catalog
from assistant.corpus.places import Place, named_places
from assistant.corpus.regions import named_regions
from assistant.errors import AssistantError
from assistant.index.statistics import CorpusStats, Sentence, corpus_stats
from assistant.retrieval.hybrid import search
from assistant.retrieval.models import Passage
from assistant.retrieval.query import query_router
from assistant.text.french import fold, tokenize

DECAY = 0.35
DENSE_SPAN = 0.2
"""Cosine gap below the pool's closest sentence at which a sentence's meaning adds nothing."""
HISTORICAL = 0.85
"""Weight of a historical document's sentence when the question is not about one."""
OTHER_HISTORICAL = 0.5
"""Weight of a historical document's sentence when the question names another one."""
SENTENCE_HITS = 10
"""Sentences of the sentence-level BM25 whose passages join the pool."""

_FIGURE_QUESTION = re.compile(
    r"\b(combien|nombre|pourcentage|taux|part|montant|seuil|duree|delai|max\w*|min\w*|"
    r"jusqu'?a|au bout|limite|cibles?|viser|plafond|quelle? (?:date|periode|annee|valeur))\b"
)
_DATE_QUESTION = re.compile(
    r"\b(quand|date|avant quel|a quel moment|jusqu'?a quand|echeance|butoir|delai)\b"
)
_DATE_WORD = re.compile(
    r"\b(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|"
    r"decembre|\d{4}|mois|ans?|annees?)\b"
)


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a pooled passage with its score for the question."""

    sentence: Sentence
    passage: Passage
    score: float
    coverage: float
    """Share of the question's term weight found in the sentence itself."""
    signals: tuple[float, ...] = ()
    """The score's signals, in the order of ``SENTENCE_SIGNALS`` (read by the fitting script)."""


@dataclass
class Evidence:
    """Everything retrieved and scored for one question."""

    question: str
    terms: list[str]
    weights: dict[str, float]
    variants: dict[str, frozenset[str]]
    """Each term and its near stems in the corpus."""
    passages: list[Passage]
    """Hybrid retrieval results, best first."""
    pool: list[Passage]
    """``passages`` plus the passages of the best sentence-level matches."""
    scored: list[ScoredSentence]
    named_fiches: list[str] = field(default_factory=list)
    named_documents: tuple[str, ...] = ()
    historical_focus: bool = False
    """The question names only historical documents."""
    campaigns_named: int = 0
    """How many kinds of document (current, historical) the documents it names are."""
    naming_terms: frozenset[str] = frozenset()
    """Question terms that name the documents it points to (region, period, aliases)."""
    region_documents: tuple[str, ...] = ()
    """Documents of the region the question names ("en Auvergne-Rhône-Alpes")."""
    period_documents: tuple[str, ...] = ()
    """Documents of the period the question names ("2025-2029")."""
    foreign_regions: tuple[str, ...] = ()
    """Regions the question names that no document covers (« l'ARS Grand Est »)."""
    places: tuple[Place, ...] = ()
    """Départements and cities the question names (« dans le Gers », « à Grenoble »)."""
    place_documents: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per place named, the documents of its region (« Grenoble »: the ARA guide)."""
    closeness: float | None = None
    """Cosine of the pool's sentence closest in meaning to the question (None without vectors)."""
    in_guides_words: str = ""
    """The question folded, in the guides' words (« il démarre quand » -> « il prend effet
    quand »): its parts are read on it, so that each part's words are those it is weighed by."""

    @property
    def total_weight(self) -> float:
        """Sum of the question's term weights."""
        return sum(self.weights.values()) or 1.0


def wants_figure(question: str) -> bool:
    """Whether the question asks for a number, a rate, a duration or a date."""
    folded = fold(question)
    return bool(_FIGURE_QUESTION.search(folded) or _DATE_QUESTION.search(folded))


def wants_date(question: str) -> bool:
    """Whether the question asks when."""
    return bool(_DATE_QUESTION.search(fold(question)))


@lru_cache(maxsize=8)
def _catalog_terms(corpus_dir: Path) -> dict[str, dict[str, frozenset[str]]]:
    """Per document, the terms that name it, its region's and its period's.

    Returns {"naming": …, "region": …, "period": …, "covered": …}, each doc_id -> terms
    (« covered »: the folded names of the region a document covers, its aliases included).
    National documents have no region terms.
    """
    out: dict[str, dict[str, frozenset[str]]] = {
        "naming": {},
        "region": {},
        "period": {},
        "covered": {},
    }
    try:
        docs = load_catalog(corpus_dir)
    except AssistantError:  # a missing catalog only loses this refinement
        return out
    for doc in docs:
        words = " ".join([doc.region, doc.period, doc.date, *doc.aliases])
        out["naming"][doc.id] = frozenset(tokenize(words))
        out["covered"][doc.id] = frozenset(fold(name) for name in [doc.region, *doc.aliases])
        out["period"][doc.id] = frozenset(re.findall(r"\d{4}", doc.period))
        if fold(doc.region) not in ("national", "nationale", "france"):
            out["region"][doc.id] = frozenset(tokenize(doc.region))
    return out


def naming_stems(index: Any, question: str) -> frozenset[str]:
    """Stems that name the documents ``question`` points to (empty when it names none)."""
    named = query_router(index).named_documents(question)
    naming = _catalog_terms(Path(index.settings.corpus_dir))["naming"]
    return frozenset().union(*(naming.get(d, frozenset()) for d in named))


def guides_words(index: Any, question: str) -> str:
    """``question`` folded, staff words replaced by the guides' (« deadline » -> « date limite »).

    Acronyms the guides write themselves (« DGOS ») are kept as written.
    """
    stats = corpus_stats(index)

    def known(words: str) -> bool:
        terms = tokenize(words)
        return bool(terms) and all(stats.known(t) for t in terms)

    rewritten = query_router(index).glossary.rewrite(question, known=known)
    # a name (« en Savoie », « à Grenoble ») is not a misspelling of a word of the guides
    names = {fold(m.group(1)) for m in _NAME.finditer(question)}
    return respell(
        rewritten, known=lambda word: word in names or known(word), vocabulary=_vocabulary(index)
    )


_NAME = re.compile(r"(?<=[\w,] )([A-ZÀ-Ý][a-zà-ÿ]+)")
"""A capitalised word after another word: a name, not the capital that opens a sentence."""


_WORD_RE = re.compile(r"[a-z]+")


def _vocabulary(index: Any) -> dict[str, frozenset[str]]:
    """The corpus's folded words of five letters or more, by their first two letters."""
    cached = _VOCABULARIES.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    words: dict[str, set[str]] = {}
    for chunk in index.chunks.values():
        for word in _WORD_RE.findall(fold(chunk.text)):
            if len(word) >= 5:
                words.setdefault(word[:2], set()).add(word)
    frozen = {k: frozenset(v) for k, v in words.items()}
    _VOCABULARIES[id(index)] = (index, frozen)
    return frozen


_VOCABULARIES: dict[int, tuple[Any, dict[str, frozenset[str]]]] = {}


def respell(
    text: str, *, known: Callable[[str], bool], vocabulary: dict[str, frozenset[str]]
) -> str:
    """``text`` (folded), each unknown word of six letters or more respelled as in the corpus.

    « managment » -> « management »: one letter off, two for words of nine letters or more.
    A word the guides know, or with no single closest corpus word, is kept as written.
    """

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 6 or known(word):
            return word
        limit = 1 if len(word) < 9 else 2
        by_distance: dict[int, list[str]] = {}
        for w in vocabulary.get(word[:2], frozenset()):
            if abs(len(w) - len(word)) <= limit:
                d = _distance(word, w, limit)
                if d <= limit:
                    by_distance.setdefault(d, []).append(w)
        if not by_distance:
            return word
        closest = by_distance[min(by_distance)]
        return closest[0] if len(closest) == 1 else word

    return _WORD_RE.sub(fix, text)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, stopped early above ``limit``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def gather(
    index: Any, question: str, *, k: int = 8, candidates: int = 30, rrf_k: int = 60
) -> Evidence:
    """Retrieve and score the evidence for ``question``."""
    stats = corpus_stats(index)
    passages = search(index, question, k=k, candidates=candidates, rrf_k=rrf_k)
    named_docs = query_router(index).named_documents(question)
    statuses = {c.status for c in index.chunks.values() if named_docs and c.doc_id in named_docs}
    historical_focus = statuses == {"historical"}
    # the question's words as the guides write them (« deadline » -> « date limite »)
    rewritten = guides_words(index, question)
    terms = question_terms(rewritten)
    catalog = _catalog_terms(Path(index.settings.corpus_dir))
    doc_terms = catalog["naming"]
    asked = set(tokenize(question))
    regional = tuple(d for d, terms in catalog["region"].items() if terms and terms <= asked)
    periodic = tuple(d for d, years in catalog["period"].items() if years and years <= asked)
    covered = frozenset().union(*catalog["covered"].values())
    foreign = tuple(r for r in named_regions(question) if fold(r) not in covered)
    places = tuple(named_places(question))
    place_documents = {
        p.name: frozenset(d for d, names in catalog["covered"].items() if fold(p.region) in names)
        for p in places
    }
    naming = frozenset().union(*(doc_terms.get(d, frozenset()) for d in named_docs))
    if historical_focus:
        topical = [t for t in terms if t not in naming]
        terms = topical or terms
    weights = {t: stats.idf(t) for t in terms}
    variants = {t: stats.variants(t) for t in terms}
    pool = list(passages)
    sentence_scores = stats.sentence_index().scores(
        list(dict.fromkeys(v for t in terms for v in variants[t]))
    )
    pool_ids = {p.chunk.id for p in pool}
    best = np.argsort(-sentence_scores)[:SENTENCE_HITS]
    sentences = stats.sentence_index().sentences
    allowed = set(named_docs) if named_docs else None
    for i in best:
        if sentence_scores[i] <= 0:
            break
        cid = sentences[i].chunk_id
        chunk = index.chunks[cid]
        if cid in pool_ids or (allowed is not None and chunk.doc_id not in allowed):
            continue
        pool.append(Passage(rank=len(pool) + 1, score=0.0, chunk=chunk))
        pool_ids.add(cid)
    similarity, closeness = _similarity(index, question, pool)
    scored = _score(
        question,
        passages,
        pool,
        stats,
        weights,
        variants,
        sentence_scores,
        historical_focus,
        similarity=similarity,
        named=named_docs,
        regional=regional,
    )
    return Evidence(
        question=question,
        terms=terms,
        weights=weights,
        variants=variants,
        passages=passages,
        pool=pool,
        scored=scored,
        named_fiches=query_router(index).named_fiches(question),
        named_documents=named_docs,
        historical_focus=historical_focus,
        campaigns_named=len(statuses),
        in_guides_words=rewritten,
        naming_terms=frozenset(t for t in naming if t in question_terms(question)),
        region_documents=regional,
        period_documents=periodic,
        closeness=closeness,
        foreign_regions=foreign,
        places=places,
        place_documents=place_documents,
    )


def _similarity(
    index: Any, question: str, pool: list[Passage]
) -> tuple[dict[tuple[str, str], float], float | None]:
    """Each pooled sentence's closeness in meaning to the question (0 to 1), and the best cosine.

    The cosine of the sentence's vector to the question's (the embedder of the index), read
    relative to the best sentence of the pool: the best gets 1, one ``DENSE_SPAN`` below or
    lower gets 0. Empty (and None) when the index has no vectors (lexical only).
    """
    if not getattr(index, "dense_ready", False):
        return {}, None
    try:
        vector = index.query_vector(question.strip())
    except Exception:  # no embedder at hand: the sentence scores stay lexical
        return {}, None
    rows = index.sentence_rows()
    cosines = index.sentence_similarities(vector)
    wanted = {p.chunk.id for p in pool}
    found = {key: float(cosines[row]) for key, row in rows.items() if key[0] in wanted}
    if not found:
        return {}, None
    top = max(found.values())
    return {key: max(0.0, 1.0 - (top - cos) / DENSE_SPAN) for key, cos in found.items()}, top


def _score(
    question: str,
    passages: list[Passage],
    pool: list[Passage],
    stats: CorpusStats,
    weights: dict[str, float],
    variants: dict[str, frozenset[str]],
    sentence_scores: np.ndarray,
    historical_focus: bool,
    *,
    similarity: dict[tuple[str, str], float] | None = None,
    named: tuple[str, ...] = (),
    regional: tuple[str, ...] = (),
) -> list[ScoredSentence]:
    total = sum(weights.values()) or 1.0
    top = float(sentence_scores.max()) if len(sentence_scores) else 0.0
    by_sentence = stats.sentence_index().row
    figure = wants_figure(question)
    date = wants_date(question)
    asked = asked_type(question)
    listing = asks_list(question)
    texts = asks_text(question)
    model = sentence_model()
    retrieved = {p.chunk.id: i for i, p in enumerate(passages)}
    scored: list[ScoredSentence] = []
    for passage in pool:
        cid = passage.chunk.id
        context = stats.header_terms(cid) | stats.chunk_terms(cid)
        position = retrieved.get(cid)
        if passage.score >= 1.0:  # a fiche the question names (retrieval boost)
            prior = 1.0
        elif position is None:
            prior = 0.0
        else:
            prior = 1.0 / (1.0 + DECAY * position)
        for sentence in stats.sentences(cid):
            inside = {t for t in weights if not sentence.terms.isdisjoint(variants[t])}
            own = sum(weights[t] for t in inside) / total
            around = (
                sum(
                    w
                    for t, w in weights.items()
                    if t not in inside and not context.isdisjoint(variants[t])
                )
                / total
            )
            bm25 = sentence_scores[by_sentence[(cid, sentence.position)]] / top if top else 0.0
            signals = (
                own,
                around,
                prior,
                float(bm25),
                similarity.get((cid, sentence.text), 0.0) if similarity else 0.0,
                float(figure and sentence.has_figure),
                float(date and bool(_DATE_WORD.search(fold(sentence.text)))),
                float(
                    (asked is not None and holds_asked(sentence.text, asked))
                    or (listing and enumerates(sentence.text))
                ),
                float(is_answer_line(sentence.text, texts_asked=texts)),
            )
            score = model.score(signals)
            if sentence.words < 5:
                score *= 0.5
            if passage.chunk.status == "historical" and not historical_focus:
                score *= HISTORICAL
            elif passage.chunk.status == "historical" and passage.chunk.doc_id not in named:
                score *= OTHER_HISTORICAL
            if regional and passage.chunk.doc_id not in regional:
                # the question names a region: its own guide's sentences come first
                score *= HISTORICAL
            scored.append(ScoredSentence(sentence, passage, float(score), own, signals))
    scored.sort(key=lambda s: (-s.score, s.passage.rank, s.sentence.position))
    return scored
