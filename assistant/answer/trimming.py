"""A leading sentence too long to read as one cut to the clauses that answer.

Legal sentences of the guides run past ``MAX_SENTENCE_WORDS`` (« 6114-10 du code de la santé
publique, en cas d'inexécution …, l'ARS adresse … une mise en demeure motivée de présenter,
dans un délai d'un mois, les justifications … »), and the project's splitter reads such a run as
word windows. The answer then leads with the run of whole clauses that holds most of the
question's words (and the kind of fact asked), each cut marked « … »; the citation's quote stays
whole. A list asked for (« quels exemples », « la liste », « quels financements ») is never
cut.
"""

from __future__ import annotations

import re

from assistant.answer.evidence import Evidence
from assistant.answer.intent import asked_type
from assistant.answer.lines import holds_asked
from assistant.text.french import fold, tokenize
from assistant.text.sentences import MAX_SENTENCE_WORDS

MAX_LEAD_WORDS = MAX_SENTENCE_WORDS - 5
"""The trimmed lead stays under the splitter's window size, with room for its marker."""
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+|\s+(?=[«(])|(?<=[»)])\s+")
_ASKS_LIST = re.compile(r"\b(exemples?|liste|lesquel\w*|quels sont|quelles sont|enumer\w*)\b")
_ASKS_SEVERAL = re.compile(r"\b(?:quels|quelles)\b")
"""« quels financements … ? »: a plural « quels » asks for several things, unless they are
figures (« à quelles dates »), which the clauses that hold them answer."""
_FIGURES_ASKED = frozenset({"date", "duration", "number", "period", "year"})
_CUT = "\u2063"
"""Marks a clause read only up to the lead's length (replaced by « … » in the result)."""
_ASKED_BONUS = 0.5
_WORD_COST = 0.002
"""Of two runs holding the same words, the shorter wins."""


def clauses(text: str) -> list[str]:
    """The clauses of a sentence: cut after a comma, a semicolon or a colon, around quotes."""
    return [c for c in _CLAUSE_END.split(text) if c.strip()]


def trimmed(text: str, evidence: Evidence, *, limit: int | None = None, whole: bool = False) -> str:
    """``text`` cut to its run of clauses that best answers, when it is too long.

    Too long: past ``limit`` words, cut to runs of at most ``limit``; by default, when the
    splitter would window it (``MAX_SENTENCE_WORDS``), cut to ``MAX_LEAD_WORDS``. Unchanged when
    short enough, when the question asks for a list, or when no run of whole clauses fits.
    With ``whole``, of two runs holding the same words the longer wins, the sentence's start
    first: as much of the sentence as fits is read, not its shortest answering clause.
    """
    longest, lead = (MAX_SENTENCE_WORDS, MAX_LEAD_WORDS) if limit is None else (limit, limit)
    question = fold(evidence.question)
    asked = asked_type(evidence.question)
    several = _ASKS_SEVERAL.search(question) and asked not in _FIGURES_ASKED
    if len(text.split()) <= longest or _ASKS_LIST.search(question) or several:
        return text
    # a clause longer than the lead itself is read up to the lead's length (« … » marks the cut)
    pieces = [
        piece if len(piece.split()) <= lead else " ".join(piece.split()[:lead]) + _CUT
        for piece in clauses(text)
    ]
    total = evidence.total_weight
    best: tuple[float, int, int] | None = None
    for start in range(len(pieces)):
        words = 0
        for end in range(start, len(pieces)):
            words += len(pieces[end].split())
            if words > lead:
                break
            run = " ".join(pieces[start : end + 1])
            held = set(tokenize(run))
            score = (
                sum(
                    w
                    for t, w in evidence.weights.items()
                    if not held.isdisjoint(evidence.variants.get(t, {t}))
                )
                / total
            )
            if asked is not None and holds_asked(run, asked):
                score += _ASKED_BONUS
            score += (_WORD_COST if whole else -_WORD_COST) * words
            if whole and start == 0:
                score += _WORD_COST * lead
            if best is None or score > best[0]:
                best = (score, start, end)
    if best is None:
        return text
    _, start, end = best
    run = " ".join(pieces[start : end + 1]).strip()
    if start > 0:
        run = "… " + run
    if run.endswith(_CUT):
        run = run[: -len(_CUT)].rstrip(" ,;:") + " …"
    elif end < len(pieces) - 1:
        run = run.rstrip(" ,;:") + " …"
    return run
