"""Whether a source sentence carries what a generated sentence claims, figure by figure.

The guard must not check digits as a bag: « 25 décembre » is not « 25 juillet », « 10 % » is not
« 10 indicateurs », « au minimum 10 » is not « au maximum 10 », « dix » is « 10 », and « il n'y a
aucune date limite » says the opposite of « la date limite est… ». Figures are read with their
attachments by ``assistant.text.figures``; here each one of a claim is looked for in the sources,
and the claim's polarity is compared with the source sentence it paraphrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.text.figures import Figure, content_stems, figures, is_year
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
    """Whether the source sentence closest to ``text`` has the same polarity.

    Only judged when a source sentence shares at least half of the sentence's content words
    (otherwise nothing tells which source sentence the claim paraphrases).
    """
    words = content_stems(text)
    if not words:
        return True
    best: tuple[float, str] | None = None
    for source in sources:
        share = len(words & content_stems(source)) / len(words)
        if best is None or share > best[0]:
            best = (share, source)
    if best is None or best[0] < 0.5:
        return True
    return negations(text) == negations(best[1])


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
