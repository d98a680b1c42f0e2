"""A question that asks two things: its two parts, and the sentence that answers each.

A second part starts after a question mark followed by another question (« … 3 ans max ? et
au total ? »), or after « et » / « , et » when a question word or an inverted verb opens it
(« …, et de combien de temps l'ARS dispose-t-elle », « … et jusqu'à quelle année »). A remark
after the question (« … ? on est à la bourre ») is not a part. A part may be elliptic (« et en
2027 ? »): its sentence is then the best of the whole question holding the part's own words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.evidence import Evidence, ScoredSentence
from assistant.answer.guard import is_instruction
from assistant.answer.intent import asked_type, asks_definition
from assistant.answer.lines import holds_asked, is_answer_line, spells_out
from assistant.answer.terms import question_terms
from assistant.text.figures import figures
from assistant.text.french import fold, tokenize

_QUESTION_WORD = (
    r"(?:combien|quand|qui|quel|quels|quelle|quelles|comment|pourquoi|ou|"
    r"(?:a|de|dans|pour|par|sur|selon|en vertu de|jusqu'?a) quel\w*|a partir de quand|"
    r"de combien|est-ce qu\w*|c'est|y a-t-il|faut-il|peut-on|doit-on)\b"
)
_INVERTED = r"(?:[\w'-]+ ){0,5}(?:\w+-t-(?:il|elle|on)|\w+-(?:il|elle|ils|elles|on))\b"
"""« ce délai peut-il », « la révision est-elle précédée »: a question of its own."""
_POSTPOSED = r"[^?]{0,60}\b(?:qui|quand|combien|quoi|lesquel\w*)(?:\s+\w+)?\s*\??\s*$"
"""« et il démarre quand ? », « et à l'initiative de qui ? »: the question word comes last."""
_POSSESSIVE = r"(?:(?:ses|son|sa|leurs?)\s|(?:celui|celle|ceux|celles) (?:de |des |du |d'))"
"""« la durée du CPOM et ses dates d'effet », « le modèle du socle et celui de l'annexe »: a
second thing asked about the same subject, or the same thing of another."""
_SECOND = re.compile(
    rf"\?\s+(?=\S)|,?\s+et\s+(?={_QUESTION_WORD}|{_INVERTED}|{_POSTPOSED}|{_POSSESSIVE})",
)
_OPENS_QUESTION = re.compile(rf"^(?:et |mais |puis )?(?:{_QUESTION_WORD}|{_INVERTED})")
CANDIDATES = 20
"""A part's sentence is chosen among this many best sentences of the whole question…"""
MIN_SHARE = 0.6
"""… that score at least this share of the best one."""
_LEADING = frozenset({"date", "number", "duration", "code", "year"})
_ASKING_NOUNS = (
    "cas situation situations condition conditions limite temps moment facon maniere exemple"
)
"""Words that ask without naming a subject (« dans quel cas ? », « dans quelle limite de temps
? »): such a part refines the other one, whose sentence answers both."""
_WRONG_TYPE = 0.6
"""A sentence without the kind of fact a part asks for counts this much."""


def question_parts(question: str) -> list[str]:
    """The two parts of a two-part question, or ``[]`` for a question that asks one thing."""
    folded = fold(question).replace("’", "'")
    for match in _SECOND.finditer(folded):
        first, second = question[: match.start()].strip(), question[match.end() :].strip()
        asks = second.endswith("?") or _OPENS_QUESTION.match(folded[match.end() :].strip())
        clause = re.split(r"[,:]", first)[-1].split()
        if len(clause) < 3 and not folded[: match.start()].rstrip().endswith("?"):
            continue  # « à qui et avant quelle date … ? »: two question words, one question
        if len(first.split()) >= 2 and second and asks:
            second = re.sub(r"^(?:et|mais|puis)\s+", "", second, flags=re.IGNORECASE)
            return [first.rstrip(" ,?") + " ?", second]
    return []


def part_leads(evidence: Evidence) -> list[ScoredSentence]:
    """The sentences answering each part of a two-part question, in the question's order.

    Each part's sentence is among the good sentences of the whole question (at least
    ``MIN_SHARE`` of the best score) and holds the part's own words; the pair is chosen
    together (two distinct sentences, best summed rank). Empty when the question asks one
    thing, when a part has no words of its own, or when one sentence answers both parts best
    (it then leads as any best sentence does).
    """
    parts = question_parts(evidence.in_guides_words or evidence.question)
    if not parts or not evidence.scored:
        return []
    # the words that name a document (« CPOM Occitanie 2025-2029 ») say which guide, not what;
    # words naming guides of both campaigns at once (« le référentiel de la DGOS … le modèle
    # régional Occitanie ») name no guide: they are what each part asks about
    naming = evidence.naming_terms if evidence.campaigns_named <= 1 else frozenset()
    terms = [set(question_terms(p)) - naming for p in parts]
    own = [terms[0] - terms[1] - _asking_nouns(), terms[1] - terms[0] - _asking_nouns()]
    if not all(sum(evidence.weights.get(w, 0.0) for w in words) for words in own):
        return []
    floor = MIN_SHARE * evidence.scored[0].score
    candidates = [
        s
        for s in evidence.scored[:CANDIDATES]
        if s.score >= floor
        and is_answer_line(s.sentence.text)
        and not is_instruction(s.sentence.text)
    ]
    spelled = [
        asks_definition(part) and any(spells_out(s.sentence.text, part) for s in candidates)
        for part in parts
    ]
    ranks = [
        {id(s): _rank(evidence, s, part, words, spells) for s in candidates}
        for part, words, spells in zip(parts, own, spelled, strict=True)
    ]
    if not candidates:
        return []
    best = [max(candidates, key=lambda s: rank[id(s)]) for rank in ranks]
    if best[0] is best[1] and not _asks_two_facts(parts, best[0]):
        return []  # one sentence answers both parts
    two_facts = _same_kind(parts)
    pairs = [
        (ranks[0][id(a)] + ranks[1][id(b)], a, b)
        for a in candidates
        for b in candidates
        if a is not b and not _same_text(a, b) and not (two_facts and _same_fact(a, b))
    ]
    if not pairs:
        return []
    _, first, second = max(pairs, key=lambda p: p[0])
    if min(_cover(evidence, first, own[0]), _cover(evidence, second, own[1])) == 0:
        return []
    return [first, second]


@lru_cache(maxsize=1)
def _asking_nouns() -> frozenset[str]:
    return frozenset(tokenize(_ASKING_NOUNS))


def _same_text(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Whether two sentences share text: one holds the other, or overlapping windows of a line."""
    first, second = (" ".join(s.sentence.text.split()) for s in (a, b))
    if first in second or second in first:
        return True
    if a.passage.chunk.id != b.passage.chunk.id:
        return False
    return a.sentence.start < b.sentence.end and b.sentence.start < a.sentence.end


def _same_kind(parts: list[str]) -> bool:
    """Whether both parts ask a figure of the same kind (two durations, two dates…).

    A part without a question word that inverts its verb (« ce délai est-il renouvelable ? »)
    asks yes or no, whatever its nouns.
    """
    kinds = {
        "yes_no"
        if _YES_NO_PART.match(fold(part)) and not _ANY_QUESTION_WORD.search(fold(part))
        else asked_type(part)
        for part in parts
    }
    return len(kinds) == 1 and kinds <= _LEADING


_YES_NO_PART = re.compile(rf"^(?:et |mais |puis )?{_INVERTED}")
_ANY_QUESTION_WORD = re.compile(rf"\b{_QUESTION_WORD}")


_RELATIVE_YEAR = re.compile(r"\b[Nn]\s*[-+]\s*\d\b")
"""« N-1 », « N+2 »: a year named from the current one, not a fact of its own."""


def _facts(sentence: ScoredSentence) -> set[tuple[str, str, str | None]]:
    text = _RELATIVE_YEAR.sub(" ", sentence.sentence.text)
    return {(f.kind, f.value, f.unit) for f in figures(text) if f.kind != "code"}


def _asks_two_facts(parts: list[str], sentence: ScoredSentence) -> bool:
    """Whether both parts ask a figure of the same kind and ``sentence`` holds only one.

    « Dans quel délai … demander, et de combien de temps l'ARS dispose-t-elle … ? » asks two
    durations: the sentence with « quatre mois » answers one part, not both.
    """
    return _same_kind(parts) and len(_facts(sentence)) < 2


def _same_fact(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Whether two sentences give the same figure (« quatre mois » twice): not two answers."""
    return bool(_facts(a) & _facts(b))


def _cover(evidence: Evidence, sentence: ScoredSentence, words: set[str]) -> float:
    """Share of a part's own words (weighted as in the question) the sentence holds."""
    weights = {w: evidence.weights.get(w, 0.0) for w in words}
    held = sum(
        weight
        for word, weight in weights.items()
        if not sentence.sentence.terms.isdisjoint(evidence.variants.get(word, {word}))
    )
    return held / (sum(weights.values()) or 1.0)


def _rank(
    evidence: Evidence, sentence: ScoredSentence, part: str, words: set[str], spelled: bool
) -> float:
    """A sentence's score for answering ``part``, lowered when it lacks the kind asked.

    With ``spelled`` (a candidate spells out the acronym a definition part asks), a sentence
    that does not spell it out lacks the kind asked (« BJML c'est quoi ? »).
    """
    asked = asked_type(part)
    fits = asked not in _LEADING or holds_asked(sentence.sentence.text, asked)
    if spelled:
        fits = spells_out(sentence.sentence.text, part)
    return sentence.score * (0.2 + _cover(evidence, sentence, words)) * (1 if fits else _WRONG_TYPE)
