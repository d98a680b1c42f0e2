"""An establishment's declared priorities: the free text cut into priorities, then clauses.

A priority is a line, a bullet, or an item of a « ; » or « , » list (« la RAAC, la télésanté » is
two priorities); a clause is a part of a priority joined by « et », « ainsi que », « / » or
« : » (« réduire l'isolement et la contention » is one priority of two clauses). A priority is
matched clause by clause, and reported in its own words when no indicator covers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.french import tokenize

# Words that every fiche uses, or verbs that only say which way to go: they say nothing about
# which fiche a priority points to.
GENERIC_WORDS = (
    "développer développement renforcer améliorer amélioration favoriser promouvoir mettre "
    "place œuvre établissement établissements santé objectif objectifs action actions projet "
    "nombre taux indicateur mise notre nos leur priorité priorités réduire réduction limiter "
    "diminuer augmenter poursuivre consolider accompagner soutenir garantir assurer travailler "
    "renforcement structurer structuration faciliter optimiser chu hôpital hôpitaux"
)
_PRIORITY_SPLIT = re.compile(r"\s*(?:[\n;,.!?•➢▪◦]+)\s*")
_BULLET = re.compile(r"^\s*(?:[-–*]|\d{1,2}[.)])\s+")
_CLAUSE_SPLIT = re.compile(r"\s*:\s*|\s+et\s+|\s+ainsi que\s+|\s*/\s*", re.IGNORECASE)
# A leading verb of direction (« réduire l'isolement » is about « l'isolement »).
_LEADING_VERB = re.compile(
    r"^(?:développer|renforcer|améliorer|favoriser|promouvoir|mettre en place|mettre en œuvre|"
    r"réduire|limiter|diminuer|augmenter|poursuivre|consolider|accompagner|soutenir|garantir|"
    r"assurer|structurer|faciliter|optimiser|lutter contre|prévenir|maintenir|valoriser)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Priority:
    """One declared priority: its words as written, what it is about, and its clauses."""

    text: str
    topic: str
    clauses: tuple[str, ...]


def _meaningful(text: str, generic: frozenset[str]) -> bool:
    return bool(set(tokenize(text)) - generic)


def _generic() -> frozenset[str]:
    return frozenset(tokenize(GENERIC_WORDS))


def topic_of(priority: str) -> str:
    """What a priority is about: its words without a leading verb of direction."""
    topic = _LEADING_VERB.sub("", priority.strip(), count=1).strip()
    return topic or priority.strip()


def split_priorities(text: str | None) -> list[Priority]:
    """The priorities of a free text (lines, bullets, « ; » and « , » lists), in order."""
    if not text:
        return []
    generic = _generic()
    out: dict[str, Priority] = {}
    for line in text.splitlines():
        for piece in _PRIORITY_SPLIT.split(_BULLET.sub("", line)):
            piece = " ".join(_BULLET.sub("", piece).split()).strip(' -–*:()«»"')
            if not piece or not _meaningful(piece, generic):
                continue
            clauses = [" ".join(c.split()) for c in _CLAUSE_SPLIT.split(piece)]
            kept = tuple(dict.fromkeys(c for c in clauses if c and _meaningful(c, generic)))
            out.setdefault(piece.lower(), Priority(piece, topic_of(piece), kept))
    return list(out.values())


def split_clauses(priorities: str | None) -> list[str]:
    """Every clause of a priorities text (« développer la télésanté et la RAAC » -> two)."""
    clauses = [c for p in split_priorities(priorities) for c in p.clauses]
    return list(dict.fromkeys(clauses))


__all__ = ["GENERIC_WORDS", "Priority", "split_clauses", "split_priorities", "topic_of"]
