"""How a reason quotes the indicator, and the check that it does.

A reason of a proposal quotes what the indicator measures (its label, objective, definition or
numerator) between « », or says plainly that its words come from elsewhere in the fiche:
« d'après le contexte de la fiche : « … » ». ``grounding`` tells which of the two a reason does
(the benchmark counts the reasons that do neither).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from assistant.kb.models import HprIndicator
from assistant.rules import Source
from assistant.text.french import fold

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

Grounding = Literal["mesure", "fiche"]
MIN_QUOTED_WORDS = 3
"""A quote shorter than this (« la RAAC ») does not count as quoting what the indicator
measures (a priority's own words could pass for it); a quote said to come from elsewhere in
the fiche (« d'après la cible de la fiche, ligne « CHU 30 » ») may be shorter."""

# Where a passage that is not what the indicator measures comes from, by its section's title.
_ELSEWHERE: tuple[tuple[str, str], ...] = (
    ("cible", "la cible de la fiche"),
    ("contexte", "le contexte de la fiche"),
    ("description de l'objectif", "la description de l'objectif de la fiche"),
    ("description de l'indicateur", "la description de l'indicateur dans la fiche"),
    ("bonnes pratiques", "les bonnes pratiques de la fiche"),
)
_QUOTED = re.compile(r"«\s*(.+?)\s*»")
_ELSEWHERE_QUOTE = re.compile(r"d'après [^«»]*?(?:fiche|annexe HPR)[^«»]*?«\s*(.+?)\s*»")


def _plain(text: str) -> str:
    """Folded words only: the comparison modulo case, accents, apostrophes and spacing."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text.replace("’", "'"))))


def elsewhere(section: str | None) -> str:
    """« le contexte de la fiche », « la cible de la fiche »… from a passage's section title."""
    folded = fold(section or "")
    for key, words in _ELSEWHERE:
        if key in folded:
            return words
    return "le contexte de la fiche"


def cite(source: Source, *, measured: bool) -> str:
    """« « quote » » when it is what the indicator measures, else where in the fiche it is."""
    quote = source.quote.rstrip(" .")
    if measured:
        return f"« {quote} »"
    return f"d'après {elsewhere(source.section)} : « {quote} »"


def measure_texts(kb: KnowledgeBase, code: str) -> tuple[str, str]:
    """What an indicator measures, and its whole fiche (or annex line), as plain words."""
    indicator = kb.get(code)
    if isinstance(indicator, HprIndicator):
        measured = " ".join([indicator.label, indicator.objective, indicator.quote.text])
        return _plain(measured), _plain(measured)
    parts = [indicator.label, indicator.objective, indicator.definition or ""]
    parts.append(indicator.numerator or "")
    measured = " ".join(parts)
    rules = " ".join(r.quote.text + " " + r.scope.label for r in indicator.target.rules)
    quotes = " ".join(q.text for q in indicator.eligibility.quotes)
    whole = " ".join([measured, *indicator.sections.values(), rules, quotes])
    return _plain(measured), _plain(whole)


def grounding(reason: str, *, measured: str, whole: str) -> Grounding | None:
    """Whether a reason quotes what the indicator measures, or another part of its fiche.

    Args:
        reason: The reason, in French.
        measured: ``measure_texts(…)[0]``: the indicator's label, objective, definition and
            numerator, as plain words.
        whole: ``measure_texts(…)[1]``: its whole fiche, as plain words.
    """
    for quote in _QUOTED.findall(reason):
        words = _plain(quote)
        if len(words.split()) >= MIN_QUOTED_WORDS and f" {words} " in f" {measured} ":
            return "mesure"
    for quote in _ELSEWHERE_QUOTE.findall(reason):
        words = _plain(quote)
        if words and f" {words} " in f" {whole} ":
            return "fiche"
    return None


def anchored(reason: str, *, kb: KnowledgeBase, code: str) -> str:
    """A reason (a language model's) that quotes the indicator: as is, or with its label."""
    measured, whole = measure_texts(kb, code)
    if grounding(reason, measured=measured, whole=whole) is not None:
        return reason
    label = kb.get(code).label.rstrip(" .")
    return f"{reason.rstrip()} (l'indicateur mesure : « {label} »)"


__all__ = [
    "MIN_QUOTED_WORDS",
    "Grounding",
    "anchored",
    "cite",
    "elsewhere",
    "grounding",
    "measure_texts",
]
