"""What a fiche itself says an establishment should do, when, with whom, and how to prove it.

Read from the fiche's own words, for the offline draft: the sentences that set a pace or a date
(« l'ajout d'une spécialité supplémentaire par an, avec un palier prévu pour 2027-2028 »), the
actors it names with their acronym (« Equipe Mobile de Gériatrie (EMG) »), the means it offers
(« Accompagnement … : », « Pilotage et suivi de la mise en œuvre : »), the risks it states, and
its « éléments de preuve » or follow-up terms. Every item is a verbatim passage of the fiche
(the caller checks it again before quoting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.kb.models import Indicator
from assistant.kb.text import comparable
from assistant.text.sentences import split_sentences

MAX_ITEM_WORDS = 45
"""A passage longer than this is cut after its first clause (quotes stay readable)."""
MAX_CLAUSE_WORDS = 25
"""A dated sentence longer than this is quoted from the clause that holds its pace or date."""

_PACED = re.compile(
    r"\bpar an\b|\bchaque année\b|\bannuellement\b|\bpalier\b|\bau plus tard\b|\bd[èe]s\s+20[2-3]\d"
    r"|\b(?:en|fin|d'ici|avant)\s+20(?:2[5-9])\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(202[5-9])\b")
_TABLE = re.compile(r"Cible\s+2025|Valeur à atteindre", re.IGNORECASE)
_ACTOR_HEAD = (
    r"(?:[ÉE]quipes?|Centres?|Services?|Unit[ée]s?|R[ée]seaux?|Dispositifs?|Structures?"
    r"|Plateformes?|Maisons?|Communaut[ée]s?|Groupements?|Agences?|Cellules?|Comit[ée]s?"
    r"|Conseils?|Commissions?|Coordinations?|Associations?|Observatoires?|Instituts?)"
)
_ACTOR = re.compile(
    rf"(?<![\w’'])({_ACTOR_HEAD}\b[^().;:•]{{3,90}}?)\s*\(([A-ZÉ][A-Za-zÉé0-9\-]{{1,14}})\)"
)
_PROOF = re.compile(
    r"[ÉE]l[ée]ments?\s+de\s+preuves?(?:\s+attendus?)?\s*(?:à\s+fournir\s+au\s+moment\s+de\s+l[’']évaluation"
    r"(?:\s+du\s+CPOM)?)?\s*[:.]?\s*"
    r"(?P<what>(?:(?![ÉE]l[ée]ments?\s+de\s+preuve)[^•\[])+)",
    re.IGNORECASE,
)
# A milestone of a flattened table starts with a capitalised infinitive: the proof ends there.
_NEXT_STEP = re.compile(r"\s(?=(?:[A-ZÉ][a-zéèêô]+(?:er|ir|re))\b)|\s\d\s*\(\*\)|\s\d\s*$")
_FOLLOW_UP = re.compile(
    r"Modalit[ée]s?\s+(?:de\s+|et\s+)?suivi[^:]{0,40}:\s*(?P<what>[^•\[]+)", re.IGNORECASE
)
_MEANS = re.compile(
    r"(?P<what>(?:Accompagnement|Appui|Pilotage)[^:•]{0,60}:\s*[^•\[]+)", re.IGNORECASE
)
_RISK = re.compile(
    r"\b(?:freins?|difficult[ée]s?|biais|sous-d[ée]claration|tensions?\s+fortes|manque\s+d)",
    re.IGNORECASE,
)
# Words that end a passage pulled out of a flattened list: the next field's title.
_NEXT_FIELD = re.compile(
    r"\s+(?:Type\b|Fréquence\b|Modalit[ée]s?\b|Source\b|Durée\b|Partenaires\b|Unité\b|"
    r"Numérateur\b|Dénominateur\b|Formule\b|Pilotage\b|https?://)",
)


@dataclass
class FichePlan:
    """The fiche's own material for a draft's dated actions, means, risks and proofs."""

    paced: list[tuple[int | None, str]] = field(default_factory=list)
    """Sentences that set a pace or a date, with the year they name (None: every year)."""
    actors: list[str] = field(default_factory=list)
    """Named actors, « Nom (SIGLE) »."""
    means: list[str] = field(default_factory=list)
    proofs: list[str] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)


def _tidy(text: str) -> str:
    """One passage: single spaces, no list marks at the ends, cut at the next field's title."""
    text = " ".join(text.split()).strip(" -–•;,")
    if cut := _NEXT_FIELD.search(text):
        text = text[: cut.start()]
    words = text.split()
    if len(words) > MAX_ITEM_WORDS:
        head = " ".join(words[:MAX_ITEM_WORDS])
        stop = max(head.rfind(", "), head.rfind(" ; "), head.rfind(". "))
        text = head[:stop] if stop > len(head) // 2 else head
    return text.strip(" -–•;,:.")


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for item in items:
        key = comparable(item).lower()
        if item and key not in seen and not any(key in s for s in seen):
            seen.add(key)
            kept.append(item)
    return kept


def _sections(ind: Indicator, *names: str) -> str:
    return " ".join(ind.sections.get(name, "") for name in names)


def fiche_plan(ind: Indicator) -> FichePlan:
    """Read the fiche's dated sentences, actors, means, risks and proofs."""
    plan = FichePlan()
    for sentence in split_sentences(_sections(ind, "objectif", "source", "bonnes_pratiques")):
        text = " ".join(sentence.split())
        if _TABLE.search(text) or not _PACED.search(text):
            continue
        years = {int(y) for y in _YEAR.findall(text)}
        passage = _tidy(_clause_around(text))
        if len(passage.split()) >= 5:
            plan.paced.append((min(years) if years else None, passage))
    whole = " ".join(ind.sections.values())
    plan.actors = _unique(
        [f"{' '.join(m.group(1).split())} ({m.group(2)})" for m in _ACTOR.finditer(whole)]
    )
    plan.means = _unique(
        [
            _tidy(m.group("what"))
            for m in _MEANS.finditer(_sections(ind, "bonnes_pratiques", "indicateur"))
        ]
    )
    plan.proofs = _unique(
        [p for m in _PROOF.finditer(whole) if len((p := _proof(m.group("what"))).split()) >= 2]
    )
    plan.follow_up = _unique(
        [
            p
            for m in _FOLLOW_UP.finditer(_sections(ind, "suivi"))
            if len((p := _tidy(m.group("what"))).split()) >= 2 and not _PROOF.match(p)
        ]
    )
    risky = [
        _tidy(s)
        for s in split_sentences(_sections(ind, "contexte", "objectif", "source", "type"))
        if _RISK.search(s) and not _TABLE.search(s)
    ]
    plan.risks = _unique([r for r in risky if len(r.split()) >= 6])[:2]
    return plan


_NOT_A_PROOF = re.compile(r"^(?:à fournir|au moment|du CPOM|\d\s*\(\*\))", re.IGNORECASE)


def _proof(text: str) -> str:
    """A proof item: up to the next milestone of a flattened table (or a footnote mark).

    Empty when the passage is only the words around a proof (« du CPOM », a footnote).
    """
    text = _tidy(text).removeprefix("o ")
    if (cut := _NEXT_STEP.search(text)) and cut.start() > 0:
        text = text[: cut.start()]
    text = text.strip(" -–•;,:.")
    return "" if _NOT_A_PROOF.match(text) else text


def _clause_around(sentence: str) -> str:
    """The clause of a long sentence that holds its pace or date (the whole if short)."""
    if len(sentence.split()) <= MAX_CLAUSE_WORDS:
        return sentence
    match = _PACED.search(sentence)
    assert match is not None
    start = max(sentence.rfind(", ", 0, match.start()), sentence.rfind("; ", 0, match.start()))
    start = 0 if start < 0 else start + 2
    return sentence[start:]


__all__ = ["MAX_ITEM_WORDS", "FichePlan", "fiche_plan"]
