"""French text tools, one of each: accent folding, tokens for search, stop words, stems.

The same ``tokenize`` feeds the BM25 index and every scoring of question terms, so that a word
of a question and the same word of a guide always meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from assistant.kb.codes import CODE_IN_TEXT, code_of_match, code_token

_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase and strip accents ("Établissement" -> "etablissement")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_FRENCH

    return frozenset(fold(w) for w in STOPWORDS_FRENCH)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("french")


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: folded, stop words removed, stemmed; indicator codes kept whole."""
    folded = fold(text)
    words = [w for w in _TOKEN.findall(folded) if w not in _stopwords()]
    tokens: list[str] = list(_stemmer().stemWords(words))
    # indicator codes are kept whole as well as split: "CPOM_OS_13" -> "os13"
    tokens += [code_token(code_of_match(m)) for m in CODE_IN_TEXT.finditer(folded)]
    return tokens


NUMBER_WORDS: dict[str, int] = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
    "cents": 100,
    "mille": 1000,
}
"""French number words (folded) and their values; « un » / « une » are left out (articles)."""
FRACTION_WORDS: tuple[str, ...] = ("premier", "premiere", "moitie", "tiers", "quart")
"""Folded words that state a figure without being a cardinal number."""
FIGURE_WORDS = "|".join([*NUMBER_WORDS, *FRACTION_WORDS])
CAMPAIGN_TOTAL = (
    r"(?:au )?total\w*|en tout|cumul\w*|sur (?:l' ?ensemble de )?(?:la|toute la) (?:periode|duree)|"
    r"sur (?:les )?(?:5|cinq) ans|au bout des (?:5|cinq) ans|"
    r"a la fin d\w* (?:cpom|contrat|periode)|d' ?ici (?:a )?la fin d\w* (?:cpom|contrat|periode)|"
    r"d' ?ici (?:(?:a )?(?:la )?fin (?:de )?)?2029|a l' ?horizon (?:de )?2029"
)
"""Folded words for a count over the whole campaign (« au total », « en cumulé », « sur les 5
ans », « au bout des cinq ans », « d'ici 2029 », « à la fin du CPOM »): one vocabulary for the
question's intent, the fiche part it routes to and the guard's reading of a claim."""
"""Regex alternation of every figure word, for patterns that need them in context."""
_FIGURE = re.compile(rf"\d|\b(?:{FIGURE_WORDS})\b|\bune? (?:an|annee|mois|semaine|jour|fois)s?\b")
"""Digits, a number word, or « un an », « un mois », « une fois » (a duration or a count)."""


def has_figure(folded: str) -> bool:
    """Whether a folded text states a figure: digits or a number word (« cinq ans »)."""
    return bool(_FIGURE.search(folded))
