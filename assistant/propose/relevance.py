"""How well each fiche matches an establishment's priorities and activities, with the passage.

A priority matches an indicator on what the indicator *measures*: its label, its strategic
objective, its definition and its numerator (``MEASURE_WEIGHTS``). The rest of the fiche
(context, description of the objective, good practices) weighs at most ``CONTEXT_WEIGHT``, less
than ``MIN_RELEVANCE``: it can break a tie, never make a match on its own. So « réduire
l'isolement » does not match pharmacy pooling because its context speaks of « l'isolement
professionnel ». Relevance is computed clause by clause (``assistant.propose.priorities``) by
lexical overlap: stemmed, accent-folded words weighted by rarity, cut to ``STEM_CHARS``
characters (« spécialistes » meets « spécialisées »), the « télé- » words of telehealth sharing
one word (« télépsychiatrie » meets « télésanté »). With an index, retrieval only adds a small
bonus to a fiche the words already match. Every match keeps the fiche sentence it rests on,
verbatim, as a ``Source``, and whether that sentence is what the indicator measures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.index.filters import Filters
from assistant.index.reader import Index
from assistant.kb.text import clean
from assistant.propose.priorities import GENERIC_WORDS, split_clauses
from assistant.propose.vocabulary import ACTIVITY_PATTERNS, CATEGORY_ACTIVITIES, words
from assistant.retrieval.hybrid import search
from assistant.rules import Source
from assistant.text.french import fold
from assistant.text.sentences import split_sentences, strip_bullet

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

PART_TITLES: dict[str, str] = {
    "contexte": "Contexte et justification",
    "objectif": "Description de l'objectif stratégique",
    "indicateur": "Description de l'indicateur",
    "type": "Type d'indicateur",
    "source": "Source des données",
    "cible": "Cible générale",
    "bonnes_pratiques": "Référentiel de bonnes pratiques",
    "suivi": "Modalités de suivi et évaluation",
}
MEASURE_TITLES: dict[str, str] = {
    "label": "Libellé",
    "objective": "Objectif stratégique",
    "definition": "Définition de l'indicateur",
    "numerator": "Numérateur",
}
"""The parts of a fiche that say what the indicator measures (section names of the quotes)."""
MEASURE_WEIGHTS: dict[str, float] = {
    "label": 1.0,
    "objective": 0.9,
    "definition": 0.8,
    "numerator": 0.8,
}
CONTEXT_WEIGHT = 0.15
"""The most a word found only in the rest of the fiche weighs (said three times or more)."""
_CONTEXT_REPEATS = 3
_CONTEXT_PARTS = ("contexte", "objectif", "indicateur", "bonnes_pratiques")
MIN_RELEVANCE = 0.45
"""A priority clause matches an indicator from this relevance on (0 to 1); below it, the match
is weak and dropped, and a priority none of whose clauses reaches it is said uncovered. Fitted
on the benchmark profiles' 97 priorities, each labelled with the indicators that measure it
(``bench/profiles/priorities.yaml``, written while reading the matches: a dev set, not a
held-out one; ``bench/bench_propose.py`` prints the sweep). From 0.40 to 0.45, false matches
halve (57 to 28) and no true one is lost (precision 0.78, recall 0.94, F1 0.85; 8 of the 12
uncovered priorities found, 4 covered ones said uncovered); 0.50 loses 5 true matches for 8
fewer false ones, 0.55 says 13 covered priorities uncovered. ``CONTEXT_WEIGHT`` < 0.45: context
words alone never make a match."""
RETRIEVAL_BONUS = 0.1
"""With an index: added, times the rank weight, to a fiche the words already match."""
RANK_WEIGHTS: tuple[float, ...] = (1.0, 0.6, 0.4, 0.25, 0.15)
"""Retrieval weight of the 1st, 2nd… distinct fiche retrieved for a clause."""
MAX_QUOTE_CHARS = 400

DEFINITION_WORDS = 60
"""The definition's first sentence says what is measured, cut to this many words; the rest of a
long definition (CPOM_OS_8's glossary of « Partenariat en Santé ») counts as context."""


@dataclass(frozen=True)
class FicheSentence:
    """One sentence of a fiche (or of the HPR annex), verbatim, with its words."""

    source: Source
    tokens: frozenset[str]
    measure: bool = False


@dataclass(frozen=True)
class FicheWords:
    """The words of one indicator: what it measures, by part, and the rest of its fiche."""

    code: str
    measure: dict[str, frozenset[str]]
    context: dict[str, int]
    sentences: tuple[FicheSentence, ...]
    activities: dict[str, Source]
    measure_text: str = ""

    @property
    def label(self) -> frozenset[str]:
        """The label's words."""
        return self.measure.get("label", frozenset())


@dataclass(frozen=True)
class Match:
    """How well one indicator matches the priorities: the best clause and its passage.

    ``measured`` says whether the passage is what the indicator measures (label, objective,
    definition, numerator) or comes from elsewhere in the fiche.
    """

    relevance: float
    clause: str
    source: Source | None
    measured: bool = True


NO_MATCH = Match(0.0, "", None)


def _first_sentence(text: str) -> tuple[str, str]:
    """The definition's first sentence (at most ``DEFINITION_WORDS`` words), and the rest."""
    sentences = fiche_sentences(text)
    if not sentences:
        return text, ""
    first = " ".join(sentences[0].split()[:DEFINITION_WORDS])
    return first, " ".join(sentences[1:])


def fiche_sentences(text: str) -> list[str]:
    """Sentences and bullet items of a fiche's text (the one splitter), cleaned for quoting."""
    pieces = [clean(strip_bullet(p)).strip(" -–;:,") for p in split_sentences(text)]
    out = []
    for piece in pieces:
        if len(piece.split()) < 4:
            continue
        if len(piece) > MAX_QUOTE_CHARS:
            piece = piece[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:(")
        out.append(piece)
    return out


def _sentences(
    doc_id: str, section: str, text: str, *, measure: bool, whole: bool = False
) -> list[FicheSentence]:
    pieces = fiche_sentences(text)
    if whole and not pieces and text.strip():
        pieces = [clean(text).strip()]  # a short label is quoted whole
    return [
        FicheSentence(Source(doc_id=doc_id, section=section, quote=s), frozenset(words(s)), measure)
        for s in pieces
    ]


def _activity_sources(sentences: Iterable[FicheSentence]) -> dict[str, Source]:
    found: dict[str, Source] = {}
    for sentence in sentences:
        folded = fold(sentence.source.quote)
        for activity, pattern in ACTIVITY_PATTERNS.items():
            if activity not in found and pattern.search(folded):
                found[activity] = sentence.source
    return found


def _counts(tokens: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    return counts


_MAX_IDF = 4.0


def _idf(docs: list[FicheWords]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for fiche in docs:
        for token in set().union(*fiche.measure.values()):
            counts[token] = counts.get(token, 0) + 1
    n = len(docs)
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in counts.items()}


def _weight(token: str, fiche: FicheWords) -> float:
    """How much a fiche is about a word.

    The weight of the best part of what it measures that says it, else a context weight (a word
    the rest of the fiche says once weighs a third of one it repeats).
    """
    best = max(
        (MEASURE_WEIGHTS[part] for part, found in fiche.measure.items() if token in found),
        default=0.0,
    )
    if best:
        return best
    return CONTEXT_WEIGHT * min(1.0, fiche.context.get(token, 0) / _CONTEXT_REPEATS)


class FicheCatalog:
    """The words of the 30 fiches and of the 14 HPR indicators, with rarity weights."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.fiches: dict[str, FicheWords] = {}
        doc = kb.fiches_doc_id
        for ind in kb.indicators.values():
            definition, explained = _first_sentence(ind.definition or "")
            texts = {
                "label": ind.label,
                "objective": ind.objective,
                "definition": definition,
                "numerator": ind.numerator or "",
            }
            head: list[FicheSentence] = []
            for part, text in texts.items():
                section = f"{ind.code} – {MEASURE_TITLES[part]}"
                head += _sentences(doc, section, text, measure=True, whole=part == "label")
            body: list[FicheSentence] = []
            for part in _CONTEXT_PARTS:
                if part in ind.sections:
                    section = f"{ind.code} – {PART_TITLES[part]}"
                    body += _sentences(doc, section, ind.sections[part], measure=False)
            context_text = " ".join([explained, *(ind.sections.get(p, "") for p in _CONTEXT_PARTS)])
            self.fiches[ind.code] = FicheWords(
                code=ind.code,
                measure={part: frozenset(words(text)) for part, text in texts.items() if text},
                context=_counts(words(context_text)),
                sentences=tuple(head + body),
                activities=_activity_sources(head),
                measure_text=fold(" ".join(texts.values())),
            )
        for hpr in kb.hpr.values():
            source = Source(
                doc_id=hpr.quote.doc_id, section=hpr.quote.section, quote=hpr.quote.text
            )
            sentence = FicheSentence(source, frozenset(words(hpr.quote.text)), True)
            self.fiches[hpr.code] = FicheWords(
                code=hpr.code,
                measure={
                    "label": frozenset(words(hpr.label)),
                    "objective": frozenset(words(hpr.objective)),
                },
                context={},
                sentences=(sentence,),
                activities=_activity_sources([sentence]),
                measure_text=fold(f"{hpr.label} {hpr.objective} {hpr.quote.text}"),
            )
        self._idf = {
            "strategic": _idf([w for c, w in self.fiches.items() if not c.startswith("HPR")]),
            "hpr": _idf([w for c, w in self.fiches.items() if c.startswith("HPR")]),
        }
        self.generic = frozenset(words(GENERIC_WORDS))

    def query(self, clause: str) -> set[str]:
        """The words of a clause that can point to a fiche (generic words left out)."""
        return set(words(clause)) - self.generic

    def clause_match(self, clause: str, code: str, *, own: frozenset[str] = frozenset()) -> Match:
        """Relevance of one indicator to one clause (0 to 1), with the passage it rests on.

        ``own``: the words of the establishment's own activities. A clause is also read without
        them, and the better reading kept: « attractivité des métiers de la psychiatrie » from
        a psychiatric hospital is about attractiveness, « HAD en périnatalité » from an HAD is
        still about HAD.
        """
        query = self.query(clause)
        found = self._match(clause, code, query)
        if query & own and query - own:
            without = self._match(clause, code, query - own)
            if without.relevance > found.relevance:
                return without
        return found

    def _match(self, clause: str, code: str, query: set[str]) -> Match:
        fiche = self.fiches[code]
        idf = self._idf["hpr" if code.startswith("HPR") else "strategic"]
        total = sum(idf.get(t, _MAX_IDF) for t in query)
        if not total:
            return Match(0.0, clause, None)
        gained = sum(idf.get(t, _MAX_IDF) * _weight(t, fiche) for t in query)
        source, measured = _best_sentence(fiche, query, idf)
        return Match(round(gained / total, 3), clause, source, measured)

    def lexical(
        self, clauses: list[str], codes: Iterable[str], *, own: frozenset[str] = frozenset()
    ) -> dict[str, Match]:
        """Relevance of each indicator to the clauses by weighted word overlap (0 to 1)."""
        matches: dict[str, Match] = {}
        for code in codes:
            best = NO_MATCH
            for clause in clauses:
                found = self.clause_match(clause, code, own=own)
                if found.relevance > best.relevance:
                    best = found
            matches[code] = best
        return matches

    def retrieved(
        self,
        index: Index,
        clauses: list[str],
        *,
        candidates: int,
        rrf_k: int,
        own: frozenset[str] = frozenset(),
    ) -> dict[str, Match]:
        """Lexical relevance, plus a retrieval bonus for a fiche the words already match.

        Retrieval over the fiches document also finds a fiche by its context (the ARS's
        examples: « pair-aidance » retrieved télésanté, « réduire l'isolement » pharmacy
        pooling), so it never makes a match on its own: for each clause, the 1st, 2nd…
        distinct fiche retrieved gets ``RETRIEVAL_BONUS`` times its ``RANK_WEIGHTS`` when its
        words match the clause (``MIN_RELEVANCE``).
        """
        matches = self.lexical(clauses, self.kb.indicators, own=own)
        filters = Filters(doc_id=self.kb.fiches_doc_id)
        for clause in clauses:
            passages = search(
                index, clause, k=40, filters=filters, candidates=candidates, rrf_k=rrf_k
            )
            seen: list[str] = []
            for passage in passages:
                code = passage.chunk.fiche
                if code is None or code in seen or code not in self.kb.indicators:
                    continue
                seen.append(code)
                if len(seen) > len(RANK_WEIGHTS):
                    break
                lexical = self.clause_match(clause, code, own=own)
                if lexical.relevance < MIN_RELEVANCE:
                    continue
                bonus = RETRIEVAL_BONUS * RANK_WEIGHTS[len(seen) - 1]
                relevance = round(min(1.0, lexical.relevance + bonus), 3)
                if relevance > matches[code].relevance:
                    matches[code] = Match(relevance, clause, lexical.source, lexical.measured)
        return matches


def _best_sentence(
    fiche: FicheWords, query: set[str], idf: dict[str, float]
) -> tuple[Source | None, bool]:
    """The sentence sharing the rarest words with the query, and whether it is a measure one.

    What the indicator measures first; a sentence of the rest of the fiche only when no
    measure sentence shares a word.
    """
    for measure in (True, False):
        best, score = None, 0.0
        for sentence in fiche.sentences:
            if sentence.measure != measure:
                continue
            gained = sum(idf.get(t, _MAX_IDF) for t in query & sentence.tokens)
            if gained > score:
                best, score = sentence.source, gained
        if best is not None:
            return best, measure
    return None, True


_CATALOGS: dict[int, FicheCatalog] = {}


def catalog_for(kb: KnowledgeBase) -> FicheCatalog:
    """The fiche words of a knowledge base (built once per knowledge-base object)."""
    found = _CATALOGS.get(id(kb))
    if found is None or found.kb is not kb:
        if len(_CATALOGS) >= 4:
            _CATALOGS.clear()
        found = _CATALOGS[id(kb)] = FicheCatalog(kb)
    return found


__all__ = [
    "ACTIVITY_PATTERNS",
    "CATEGORY_ACTIVITIES",
    "CONTEXT_WEIGHT",
    "MEASURE_TITLES",
    "MEASURE_WEIGHTS",
    "MIN_RELEVANCE",
    "NO_MATCH",
    "PART_TITLES",
    "RANK_WEIGHTS",
    "RETRIEVAL_BONUS",
    "FicheCatalog",
    "FicheWords",
    "Match",
    "catalog_for",
    "fiche_sentences",
    "split_clauses",
    "words",
]
