"""How well each fiche matches an establishment's priorities and activities, with the passage.

Relevance to the free-text priorities is computed clause by clause ("développer la télésanté",
"la RAAC", "fidéliser les soignants"): by retrieval over the fiches document when an index is
given, otherwise by lexical overlap (stemmed, accent-folded words weighted by rarity) with the
fiche's label, objective and text. Activity matches come from the fiche's own words. Every match
keeps the fiche sentence it rests on, verbatim, as a ``Source``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.index.filters import Filters
from assistant.index.reader import Index
from assistant.kb.text import clean, comparable
from assistant.retrieval.hybrid import search
from assistant.rules import Source
from assistant.text.french import fold, tokenize
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
_SCORED_PARTS = ("contexte", "objectif", "bonnes_pratiques")
# Words that every fiche uses: they say nothing about which fiche a priority points to.
_GENERIC_WORDS = (
    "développer développement renforcer améliorer amélioration favoriser promouvoir mettre "
    "place œuvre établissement établissements santé objectif objectifs action actions projet "
    "nombre taux indicateur mise notre nos leur priorité priorités"
)
_WEIGHT_LABEL, _WEIGHT_OBJECTIVE, _WEIGHT_BODY = 1.0, 0.8, 0.6
_BODY_REPEATS = 3
RANK_WEIGHTS: tuple[float, ...] = (1.0, 0.6, 0.4, 0.25, 0.15)
"""Retrieval relevance of the 1st, 2nd… distinct fiche retrieved for a clause."""
MAX_QUOTE_CHARS = 400

# Folded-text patterns by which a fiche names an activity of the draft schema.
ACTIVITY_PATTERNS: dict[str, re.Pattern[str]] = {
    "medecine": re.compile(r"\bmedecine\b(?! (?:de ville|du travail|liberale|generale))|\bmco\b"),
    "chirurgie": re.compile(r"chirurgi(?!en)"),
    "obstetrique": re.compile(r"obstetri|perinat|maternite|post.?partum|accouchement"),
    "urgences": re.compile(r"\burgences\b|\bsau\b|soins non programmes"),
    "imagerie": re.compile(r"imagerie|radiolog|materiels? lourds|\birm\b|scanner"),
    "mammographie": re.compile(r"mammograph"),
    "had": re.compile(r"\bhad\b|hospitalisation a domicile"),
    "smr": re.compile(r"\bsmr\b|\bssr\b|readaptation"),
    "psychiatrie": re.compile(r"psychiatr|sante mentale"),
    "usld": re.compile(r"\busld\b|soins de longue duree"),
    "dialyse": re.compile(r"dialys|insuffisance renale"),
    "cancerologie": re.compile(r"cancer|oncolog|chimiotherap"),
}
# Activities a category implies even when the profile does not list them (scoring only).
CATEGORY_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "HAD": ("had",),
    "SMR": ("smr",),
    "psychiatrie": ("psychiatrie",),
    "CLCC": ("cancerologie",),
}

_CLAUSE_SPLIT = re.compile(r"[,;.\n:!?]+|\s+et\s+|\s+ainsi que\s+|\s+/\s+", re.IGNORECASE)


@dataclass(frozen=True)
class FicheSentence:
    """One sentence of a fiche (or of the HPR annex), verbatim, with its stemmed words."""

    source: Source
    tokens: frozenset[str]


@dataclass(frozen=True)
class FicheWords:
    """The words of one indicator, by field, and its sentences."""

    code: str
    label: frozenset[str]
    objective: frozenset[str]
    body: dict[str, int]
    sentences: tuple[FicheSentence, ...]
    activities: dict[str, Source]
    label_activities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Match:
    """How well one indicator matches the priorities: the best clause and its passage."""

    relevance: float
    clause: str
    source: Source | None


def _generic() -> frozenset[str]:
    return frozenset(tokenize(_GENERIC_WORDS))


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


def split_clauses(priorities: str | None) -> list[str]:
    """The clauses of a priorities text ("développer la télésanté et la RAAC" -> two)."""
    if not priorities:
        return []
    clauses = [" ".join(c.split()) for c in _CLAUSE_SPLIT.split(priorities)]
    return list(dict.fromkeys(c for c in clauses if c and set(tokenize(c)) - _generic()))


def _sentences(doc_id: str, section: str, text: str) -> list[FicheSentence]:
    return [
        FicheSentence(Source(doc_id=doc_id, section=section, quote=s), frozenset(tokenize(s)))
        for s in fiche_sentences(text)
    ]


def _activity_sources(sentences: Iterable[FicheSentence]) -> dict[str, Source]:
    found: dict[str, Source] = {}
    for sentence in sentences:
        folded = fold(sentence.source.quote)
        for activity, pattern in ACTIVITY_PATTERNS.items():
            if activity not in found and pattern.search(folded):
                found[activity] = sentence.source
    return found


class FicheCatalog:
    """The words of the 30 fiches and of the 14 HPR indicators, with rarity weights."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.fiches: dict[str, FicheWords] = {}
        for ind in kb.indicators.values():
            doc = kb.fiches_doc_id
            head = _sentences(doc, f"{ind.code} – Libellé", ind.label)
            head += _sentences(doc, f"{ind.code} – Objectif stratégique", ind.objective)
            body: list[FicheSentence] = []
            for part in _SCORED_PARTS:
                if part in ind.sections:
                    body += _sentences(doc, f"{ind.code} – {PART_TITLES[part]}", ind.sections[part])
            self.fiches[ind.code] = FicheWords(
                code=ind.code,
                label=frozenset(tokenize(ind.label)),
                objective=frozenset(tokenize(ind.objective)),
                body=_counts(tokenize(" ".join(ind.sections.get(p, "") for p in _SCORED_PARTS))),
                sentences=tuple(head + body),
                activities=_activity_sources(head + body),
                label_activities=frozenset(_activity_sources(head[:1])),
            )
        for hpr in kb.hpr.values():
            source = Source(
                doc_id=hpr.quote.doc_id, section=hpr.quote.section, quote=hpr.quote.text
            )
            sentence = FicheSentence(source, frozenset(tokenize(hpr.quote.text)))
            self.fiches[hpr.code] = FicheWords(
                code=hpr.code,
                label=frozenset(tokenize(hpr.label)),
                objective=frozenset(tokenize(hpr.objective)),
                body={},
                sentences=(sentence,),
                activities=_activity_sources([sentence]),
                label_activities=frozenset(_activity_sources([sentence])),
            )
        self._idf = {
            "strategic": _idf([w for c, w in self.fiches.items() if not c.startswith("HPR")]),
            "hpr": _idf([w for c, w in self.fiches.items() if c.startswith("HPR")]),
        }
        self.generic = _generic()
        self._texts = {
            ind.code: comparable(" ".join([ind.label, ind.objective, *ind.sections.values()]))
            for ind in kb.indicators.values()
        }

    def _lexical_clause(self, clause: str, code: str) -> Match:
        words = self.fiches[code]
        idf = self._idf["hpr" if code.startswith("HPR") else "strategic"]
        query = set(tokenize(clause)) - self.generic
        total = sum(idf.get(t, _MAX_IDF) for t in query)
        if not total:
            return Match(0.0, clause, None)
        gained = sum(idf.get(t, _MAX_IDF) * _weight(t, words) for t in query)
        return Match(round(gained / total, 3), clause, _best_sentence(words, query, idf))

    def lexical(self, clauses: list[str], codes: Iterable[str]) -> dict[str, Match]:
        """Relevance of each indicator to the clauses by weighted word overlap (0 to 1)."""
        matches: dict[str, Match] = {}
        for code in codes:
            best = Match(0.0, "", None)
            for clause in clauses:
                found = self._lexical_clause(clause, code)
                if found.relevance > best.relevance:
                    best = found
            matches[code] = best
        return matches

    def retrieved(
        self, index: Index, clauses: list[str], *, candidates: int, rrf_k: int
    ) -> dict[str, Match]:
        """Relevance of each fiche to the clauses by hybrid retrieval over the fiches document.

        For each clause, the 1st, 2nd… distinct fiche retrieved gets ``RANK_WEIGHTS``, averaged
        with its lexical relevance to the clause (retrieval finds what the words miss; the
        words keep a fiche that retrieval ranks second by chance from scoring high). The quote
        is the retrieved passage's sentence closest to the clause when it is the fiche's own
        words, else the fiche sentence that shares most words with the clause.
        """
        matches: dict[str, Match] = {}
        filters = Filters(doc_id=self.kb.fiches_doc_id)
        for clause in clauses:
            query = set(tokenize(clause)) - self.generic
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
                lexical = self._lexical_clause(clause, code)
                relevance = round((RANK_WEIGHTS[len(seen) - 1] + lexical.relevance) / 2, 3)
                if relevance <= matches.get(code, Match(0.0, "", None)).relevance:
                    continue
                section = passage.chunk.section.split(" > ")[-1]
                body = passage.chunk.text.split("\n", 1)[-1]
                source = _passage_sentence(
                    body,
                    query,
                    doc_id=passage.chunk.doc_id,
                    section=f"{code} – {section}",
                    fiche_text=self._texts[code],
                )
                if source is None or not query & set(tokenize(source.quote)):
                    # A match by meaning only: quote the fiche's closest words, if any share one.
                    source = lexical.source
                matches[code] = Match(relevance, clause, source)
        return matches


_MAX_IDF = 4.0


def _idf(docs: list[FicheWords]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for words in docs:
        for token in words.label | words.objective | set(words.body):
            counts[token] = counts.get(token, 0) + 1
    n = len(docs)
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in counts.items()}


def _weight(token: str, words: FicheWords) -> float:
    """How much a fiche is about a word: its label, its objective, or how often its text says it.

    A word the text uses once in passing weighs a third of one it repeats.
    """
    if token in words.label:
        return _WEIGHT_LABEL
    if token in words.objective:
        return _WEIGHT_OBJECTIVE
    return _WEIGHT_BODY * min(1.0, words.body.get(token, 0) / _BODY_REPEATS)


def _counts(tokens: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    return counts


def _best_sentence(words: FicheWords, query: set[str], idf: dict[str, float]) -> Source | None:
    best, score = None, 0.0
    for sentence in words.sentences:
        gained = sum(idf.get(t, _MAX_IDF) for t in query & sentence.tokens)
        if gained > score:
            best, score = sentence.source, gained
    return best


def _passage_sentence(
    body: str, query: set[str], *, doc_id: str, section: str, fiche_text: str
) -> Source | None:
    """The passage's sentence closest to the query among those that are the fiche's words."""
    sentences = [s for s in fiche_sentences(body) if comparable(s) in fiche_text]
    if not sentences:
        return None
    best = max(sentences, key=lambda s: len(query & set(tokenize(s))))
    return Source(doc_id=doc_id, section=section, quote=best)


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
    "PART_TITLES",
    "RANK_WEIGHTS",
    "FicheCatalog",
    "FicheWords",
    "Match",
    "catalog_for",
    "fiche_sentences",
    "split_clauses",
]
