"""Whether a source sentence carries what a generated sentence claims, figure by figure.

The guard must not check digits as a bag: « 25 décembre » is not « 25 juillet », « 10 % » is not
« 10 indicateurs », « au minimum 10 » is not « au maximum 10 », « dix » is « 10 », and « il n'y a
aucune date limite » says the opposite of « la date limite est… ». Figures are read with their
attachments by ``assistant.text.figures``; here each one of a claim is looked for in the sources,
and the claim's polarity is compared with the source sentence it paraphrases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from assistant.text.figures import Figure, content_stems, figures, is_year, located, normalised
from assistant.text.french import fold

_NEGATION = re.compile(
    r"\b(?:ne|n')\s*(?:[\w-]+\s+){0,3}?(?:pas|plus|jamais|rien|guere|aucun\w*|nullement)\b"
    r"|\b(?:ne|n')\s*(?:peut|peuvent|saurait|sauraient|pourra|pourront|doit|doivent)\b"
    r"|\bpas\b(?! a pas)|\baucun(?:e|s|es)?\b|\bjamais\b|\bnullement\b|\bnon\s+(?=[a-z])"
)


def negations(text: str) -> int:
    """How many negations a sentence holds (« n'est pas », « aucun », « non soumise »…)."""
    return len(_NEGATION.findall(fold(text).replace("’", "'")))


def supported(figure: Figure, sources: Sequence[Sequence[Figure]]) -> bool:
    """Whether some source sentence states ``figure`` with the same attachments.

    The words after the figure must not belong to another figure of that source sentence when
    the source's figure says something else (« 22 indicateurs relatifs aux coopérations » where
    the source gives that to « 8 » and « sur les autres champs » to « 22 »).
    """
    for source in sources:
        for candidate in source:
            if not _carries(candidate, figure):
                continue
            topic, own = _topic(figure), _topic(candidate)
            if not topic or not own or topic & own or is_year(figure):
                return True  # nothing to compare, or the source's figure says the same
            # a rival: another figure of the same noun (« 8 indicateurs … 22 indicateurs »)
            rivals = [
                f for f in source if f is not candidate and not is_year(f) and f.unit == figure.unit
            ]
            if not any(topic & _topic(rival) for rival in rivals):
                return True
    return False


def _topic(figure: Figure) -> frozenset[str]:
    """The words after a figure that say what it counts, its own noun left out."""
    return figure.after - {figure.unit} if figure.unit else figure.after


def unsupported(text: str, sources: Iterable[str]) -> list[Figure]:
    """The figures of ``text`` that no source sentence carries (nor with its « parmi les »)."""
    sources = list(sources)
    read = [figures(source) for source in sources]
    missing = [figure for figure in figures(text) if not supported(figure, read)]
    return missing or _regrouped(text, sources)


_AMONG = re.compile(
    r"\b(\d+)\s+(?:[^\W\d]+\s+){0,3}?,?\s*(?:parmi|sur)\s+(?:les\s+|des\s+)?(\d+)\b"
)
"""« 2 indicateurs parmi les 8 », « 1 indicateur sur les 6 objectifs »: a part of a whole."""


def _regrouped(text: str, sources: list[str]) -> list[Figure]:
    """Figures of a « X parmi les Y » of ``text`` that a source pairs with another whole.

    « choisir 6 indicateurs parmi les 8 » where the source says « 2 … parmi les 8 » and « 6 …
    parmi les 22 »: every figure is in the source, attached to another one.
    """
    said = _AMONG.findall(fold(text))
    if not said:
        return []
    pairs = {pair for source in sources for pair in _AMONG.findall(fold(source))}
    wrong = [
        (part, whole)
        for part, whole in said
        if (part, whole) not in pairs and any(p == part or w == whole for p, w in pairs)
    ]
    return [Figure("number", part) for part, _ in wrong]


def polarity_holds(text: str, sources: Iterable[str]) -> bool:
    """Whether the source sentence closest to ``text`` has the same polarity, clause by clause.

    The whole sentence is compared with the source sentence sharing at least half of its
    content words; then each clause of three content words or more with the source clause
    sharing ``CLAUSE_SHARE`` of them (« l'ARS ne peut pas résilier le contrat » against « si
    la structure n'a pas fourni …, l'Agence … peut résilier le contrat »). Without such a
    source, nothing tells which one the claim paraphrases, and the claim holds.
    """
    sources = list(sources)
    if not _same_polarity(text, sources, 0.5):
        return False
    clauses = [c for s in sources for c in _CLAUSE.split(s)]
    return all(
        _same_polarity(clause, clauses, CLAUSE_SHARE, local=True)
        for clause in _CLAUSE.split(text)
        if len(content_stems(clause)) >= 3
    )


_CLAUSE = re.compile(r"[,;:()]|\s(?:et|mais|si|lorsque|car|alors que)\s")
CLAUSE_SHARE = 0.6
_WORD = re.compile(r"[\w'’-]+")


def _same_polarity(text: str, sources: list[str], share: float, *, local: bool = False) -> bool:
    """Whether the source closest to ``text`` (sharing ``share`` of its words) has its polarity.

    With ``local``, the source's negations are counted only around the words it shares with
    ``text``: a longer source clause may deny something else.
    """
    words = content_stems(text)
    if not words:
        return True
    best: tuple[float, str] | None = None
    for source in sources:
        shared = len(words & content_stems(source)) / len(words)
        if best is None or shared > best[0]:
            best = (shared, source)
    if best is None or best[0] < share:
        return True
    source = _around(best[1], words) if local else best[1]
    return negations(text) == negations(source)


def _around(source: str, words: frozenset[str]) -> str:
    """The part of ``source`` from three words before the first of ``words`` to the last."""
    tokens = list(_WORD.finditer(source))
    hits = [i for i, token in enumerate(tokens) if content_stems(token.group(0)) & words]
    if not hits:
        return source
    return source[tokens[max(hits[0] - 3, 0)].start() : tokens[hits[-1]].end()]


def _carries(source: Figure, said: Figure) -> bool:
    if source.kind != said.kind or source.value != said.value:
        return False
    if said.kind == "date" and said.year and source.year and said.year != source.year:
        return False
    if said.measure and source.unit != said.unit:
        return False
    if said.unit and not said.measure and source.unit and source.measure and not is_year(said):
        return False  # « 10 indicateurs » is not « 10 % »
    if said.per and source.per and said.per != source.per:
        return False  # « 5 actes par jour » is not « 5 actes par semaine »
    if said.kind == "date":
        if said.bound and source.bound and source.bound != said.bound:
            return False  # « au plus tôt » where the source says « au plus tard »
    elif said.bound and source.bound != said.bound:
        return False
    return True


_BREAK = re.compile(r"[,;:()]|\s(?:et|ou|puis|mais|tandis que)\s")
"""Where the words between two figures change owner: a comma, a bracket, « et », « puis »…"""

_RANGE = re.compile(r"\s*(?:-|–|a|au|et)\s*")
Owned = list[tuple[Figure, frozenset[str]]]


def owned_words(text: str) -> tuple[frozenset[str], Owned]:
    """The words before a sentence's first figure, and each figure with the words it owns.

    The words between two figures belong to the first up to the last break (comma, bracket,
    « et »), to the second after it: « du 1er juillet 2023 pour les établissements ex-DG et du
    1er janvier 2024 pour les ex-OQN »; a figure in brackets owns nothing before it
    (« téléexpertise (96000) »). The words after the last figure are its own. Those before the
    first figure are returned apart: in a source they are the subject that every figure shares
    (« Taux de séjours … 50% 65% 65% »); in a claim, the first figure's.
    """
    folded = normalised(text)
    spans = located(folded)
    words: list[str] = ["" for _ in spans]
    lead = folded[: spans[0][0]] if spans else folded
    for i in range(1, len(spans)):
        between = folded[spans[i - 1][1] : spans[i][0]]
        opening = between.rstrip().endswith("(")
        breaks = _BREAK.finditer(between.rstrip()[:-1] if opening else between)
        cut = [m.start() if opening else m.end() for m in breaks]
        at = cut[-1] if cut else len(between)
        words[i - 1] += " " + between[:at]
        words[i] += " " + between[at:]
    if spans:
        words[-1] += " " + folded[spans[-1][1] :]
    for i in range(1, len(spans)):  # a range's two ends share their words: « 20-25 indicateurs »
        if _RANGE.fullmatch(folded[spans[i - 1][1] : spans[i][0]]):
            words[i - 1] = words[i] = f"{words[i - 1]} {words[i]}"
    owned = [(figure, content_stems(w)) for (_, _, figure), w in zip(spans, words, strict=True)]
    return content_stems(lead), owned


def reattached(text: str, sources: Iterable[str]) -> list[Figure]:
    """Figures of ``text`` that the sources state, but with other words than the claim's.

    « La région a compté 100 000 actes de téléexpertise » where the source gives « téléexpertise
    (96000) » and « télésurveillance (100 000 actes) »: for each source sentence stating the
    figure, the claim's words around it (its subject left out) are compared with the words each
    figure owns there (``owned_words``). The figure is reattached when, in every such sentence,
    another figure owns more of them than the figure itself.
    """
    read = [owned_words(source) for source in sources]
    lead, claimed = owned_words(text)
    stated = {figure.value for figure, _ in claimed}
    wrong: list[Figure] = []
    for i, (figure, words) in enumerate(claimed):
        if figure.kind == "code" or is_year(figure):
            continue  # a year says when, and is checked with its figure
        words = words | lead if i == 0 else words
        verdicts = [_owner_holds(figure, words - subject, owned, stated) for subject, owned in read]
        if False in verdicts and True not in verdicts:
            wrong.append(figure)
    return wrong


def _owner_holds(
    figure: Figure, words: frozenset[str], owned: Owned, stated: set[str]
) -> bool | None:
    """Whether the figure owns as many of ``words`` as any rival (None: it is not stated).

    Only words that one figure of the source owns alone are counted, and a rival whose value
    the claim states too is no rival: the claim may just say both in another order.
    """
    count = Counter(word for _, mine in owned for word in mine)
    words = frozenset(word for word in words if count[word] == 1)
    own = [len(words & mine) for other, mine in owned if _carries(other, figure)]
    if not own:
        return None
    rivals = [
        len(words & theirs)
        for other, theirs in owned
        if other.value not in stated and (other.kind, is_year(other)) == (figure.kind, False)
    ]
    return max(own) >= max(rivals, default=0)
