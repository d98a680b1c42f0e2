"""An answer written for one establishment: « est-ce que ça nous concerne ? ».

The general answer of the chain is kept; before it come the facts that concern the
establishment (``assistant.answer.for_you``), each with its citation:
- the question names or designates indicators: eligibility first (« Oui » / « Non » / « Oui,
  avec une réserve »), the reason from the profile and the fiche's words, the fiche's target
  row that applies, and the computed yearly targets when the dossier holds the 2024 value;
- the question is about the establishment's own selection (« combien il nous en reste à
  choisir », « notre sélection est valide ? »): the validator's reading of it;
- the question is about the HPR annex: whether it concerns the establishment.
A question about an older guide, or about nothing of the above, keeps the general answer.

With a chat model, the generated text is checked against these facts: a sentence that says
« oui » where the code says « non » (or the reverse) is removed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from assistant.answer.citing import cite_quote
from assistant.answer.designation import MAX_DESIGNATED, named_indicators
from assistant.answer.establishment import Establishment
from assistant.answer.for_you import (
    Statement,
    hpr_annex_facts,
    indicator_facts,
    selection_facts,
)
from assistant.answer.models import MARKER, Answer, Citation, ForYou, ProfileRef
from assistant.kb.codes import find_codes
from assistant.retrieval.query import query_router
from assistant.rules import RuleSet, Source
from assistant.text.french import fold
from assistant.text.sentences import split_sentences

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

GENERAL_HEADING = "Ce que disent les guides, pour tous les établissements :"

_OURS = re.compile(
    r"\b(?:on|nous|notre|nos|qu'on|j'ai|mon|ma|mes|n'avons|avons)\b"
    r"|\b(?:la selection|le choix|ce choix|cette selection)\b"
)
"""The establishment speaking of itself."""
_CHOICE = re.compile(
    r"\b(?:ct|os|hpr)[\s_-]*\d|\bshort[- ]?list\b|\b(?:saisir|proposition)\b|"
    r"\b(?:selection\w*|choix|choisi\w*|coche\w*|pris|prendre|mis(?! en (?:place|oeuvre))|"
    r"retenu\w*|retenir|indicateurs?|annexe (?:strat\w*|hpr)|os|ct|liste|ajouter|rajouter|"
    r"boucler)\b"
)
"""Words of choosing indicators."""
_VERDICT = re.compile(
    r"\b(?:valides?(?! (?:par|notre|nos|la|le|les|ce|ces|cette)\b)|ok|bons?|bonnes?|"
    r"passe(?:nt)?|tient|tiennent|assez|trop|manque\w*|reste\w*|encore|"
    r"combien(?! de (?:temps|jours?|mois|semaines?|heures?)\b)|rajouter|boucler|conformes?|"
    r"regles?|suffit|suffisant\w*|complet\w*|respect\w*|correcte?s?|en regle|niveau nombre|"
    r"tel quel(?:le)?s?|(?:peut|peux|pouvons|pourrait)[- ](?:on )?valider)\b"
)
"""Words that ask for a verdict or a count: not « l'ARS valide notre sélection » (the process),
nor « combien de temps » (a duration)."""
_HPR = re.compile(
    r"\bhpr\b|\bhopita(?:l|ux) de proxi\w*|\bannexe (?:en plus|supplementaire)\b"
    r"|\b(?:annexe|hopita\w*|etablissements?|indicateurs?|hp)\b.{0,20}\bproximite\b"
)
_LIST = re.compile(
    r"\b(?:selection|choix|liste|short[- ]?list|annexe strat\w*)\b"
    r"|\bcombien (?:d'|de |en )?(?:autres )?indicateurs\b|\bd'autres indicateurs\b"
)
"""Words naming the selection itself, or a count of indicators, beside one named indicator."""
_WHOLE = re.compile(
    r"\b(?:selection|choix|liste|annexe strat\w*|en tout|au total|tout est|tout ca|ca passe)\b"
    r"|\bil nous en (?:manque|reste)\b|\b(?:reste|manque)[- ]t[- ]il\b"
)

_AFFIRMS = re.compile(
    r"^(?:oui)\b|\bvous pouvez\b|\bpeut (?:le |l'|la )?(?:choisir|retenir|prendre)\b"
    r"|\b(?:est|sont) (?:accessibles?|eligibles?|ouverts? a)\b|\bvous concerne\b"
)
_DENIES = re.compile(
    r"^(?:non)\b|\bne (?:pouvez|peut|peuvent) pas\b|\bn'(?:est|etes) pas (?:eligible|accessible)"
    r"|\bpas eligible|\bne vous concerne pas\b|\bexclu|\breserve aux\b"
)
_NEGATION = re.compile(r"\bne\b|\bn'|\bpas\b|\bnon\b|\bjamais\b|\baucun")


def asks_selection(question: str, named: int = 0) -> bool:
    """Whether a question is about the establishment's own selection.

    It speaks of itself (« on », « nous », « notre »), of choosing indicators (« sélection »,
    « choisi », « coché », « retenu », « indicateurs », or a list of them: ``named`` is how many
    indicators it names) and asks for a verdict or a count (« valide », « ok », « assez », « il
    en manque », « combien »). A list of three or more indicators with a verdict needs no « on ».
    """
    folded = fold(question).replace("’", "'")
    if not _VERDICT.search(folded):
        return False
    choice = bool(_CHOICE.search(folded)) or named >= 2
    return choice and (bool(_OURS.search(folded)) or named >= MAX_DESIGNATED)


def asks_about_whole_selection(question: str, named: int = 0) -> bool:
    """Whether a selection question is about the selection as a whole, even naming indicators.

    « On a pris CT 2 et OS 13, il nous en manque combien ? » lists what was chosen: it asks
    about the whole selection, not about CT 2 and OS 13. ``named``: how many indicators the
    question names (codes or subjects).
    """
    if not asks_selection(question, named):
        return False
    folded = fold(question).replace("’", "'")
    if named > 1 or len(find_codes(question)) > 1:
        return True
    # one indicator named: about it, unless the whole selection is named too
    return bool((_LIST if named == 1 else _WHOLE).search(folded))


def asks_hpr_annex(question: str) -> bool:
    """Whether a question is about the HPR annex (hôpitaux de proximité)."""
    return bool(_HPR.search(fold(question).replace("’", "'")))


_ROUTED = re.compile(r"^(CPOM_(?:CT|OS)_\d{1,2}|HPR_\d_\d) — ")


def _routed_code(answer: Answer) -> str | None:
    """The indicator the chain answered about from its fiche (« CPOM_OS_13 — … »), if any.

    The chain routes a question to a fiche by its acronyms and by its best passages all coming
    from one fiche: a designation that the subjects file does not hold.
    """
    if not answer.supported:
        return None
    match = _ROUTED.match(answer.answer)
    return match.group(1) if match else None


def _about_older_guide(index: Any, question: str) -> bool:
    named = query_router(index).named_documents(question)
    if not named:
        return False
    statuses = {c.status for c in index.chunks.values() if c.doc_id in named}
    return statuses != {"current"}


class _Cited:
    """Numbers the sources of the establishment's sentences (one number per quote)."""

    def __init__(self, index: Any) -> None:
        self.index = index
        self.citations: list[Citation] = []

    def mark(self, source: Source, fiche: str | None) -> int:
        quote = " ".join(source.quote.split())
        for citation in self.citations:
            if citation.quote == quote or quote in citation.quote:
                return citation.n
        citation = cite_quote(
            self.index,
            len(self.citations) + 1,
            source.doc_id,
            source.quote,
            section=source.section,
            fiche=fiche if fiche and not fiche.startswith("HPR") else None,
            widen=False,
        )
        self.citations.append(citation)
        return citation.n

    def sentence(self, statement: Statement, fiche: str | None = None) -> str:
        text = statement.text.rstrip()
        marks = "".join(f" [{self.mark(s, fiche)}]" for s in statement.sources)
        stop = "."
        if text and text[-1] in ".!?":
            text, stop = text[:-1].rstrip(), text[-1]
        return f"{text}{marks}{stop}"


def _shifted(answer: Answer, offset: int) -> tuple[str, list[Citation]]:
    """The answer's text and citations with every number moved by ``offset``."""
    text = MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", answer.answer)
    citations = [c.model_copy(update={"n": c.n + offset}) for c in answer.citations]
    return text, citations


def _contradicts(sentence: str, items: list[ForYou]) -> bool:
    """Whether a generated sentence says the opposite of the code's eligibility."""
    folded = fold(sentence).replace("’", "'").strip()
    decided = [i for i in items if i.eligible is not None]
    if not decided:
        return False
    concerned = [i for i in decided if i.code.lower() in folded.replace(" ", "_")] or (
        decided if len(decided) == 1 else []
    )
    for item in concerned:
        if item.eligible is False and _AFFIRMS.search(folded) and not _NEGATION.search(folded):
            return True
        if item.eligible is True and _DENIES.search(folded):
            return True
    return False


def _checked(answer: Answer, items: list[ForYou]) -> Answer:
    """A generated answer without the sentences that contradict the code's facts."""
    if answer.mode != "llm" or not items:
        return answer
    kept: list[str] = []
    removed: list[str] = []
    for line in answer.answer.split("\n"):
        sentences = split_sentences(line) if line.strip() else [line]
        good = [s for s in sentences if not _contradicts(s, items)]
        removed += [s for s in sentences if s not in good]
        if good or not line.strip():
            kept.append(" ".join(good) if line.strip() else line)
    if not removed:
        return answer
    return answer.model_copy(
        update={
            "answer": "\n".join(kept).strip(),
            "grounded": False,
            "removed_claims": [*answer.removed_claims, *removed],
        }
    )


def answer_for(
    answer: Answer,
    question: str,
    establishment: Establishment,
    *,
    index: Any,
    kb: KnowledgeBase,
    rules: RuleSet,
) -> Answer:
    """The general answer with, first, what it means for the establishment.

    Args:
        answer: The chain's answer to the question (offline or generated).
        question: The question as the chain understood it.
        establishment: The establishment's profile and current selection.
        index: The opened index (citations).
        kb: The indicator knowledge base.
        rules: The campaign's rules (the validator and the guide's words).
    """
    profile = establishment.profile
    reference = ProfileRef(raison_sociale=profile.raison_sociale, finess_ej=profile.finess_ej)
    answer = answer.model_copy(update={"profil": reference})
    if _about_older_guide(index, question):
        return answer
    cited = _Cited(index)
    lines: list[str] = []
    items: list[ForYou] = []
    update: dict[str, Any] = {}
    known = [*kb.indicators, *kb.hpr]
    named = [c for c in named_indicators(question, index.settings.corpus_dir) if c in known]
    codes = named if len(named) <= MAX_DESIGNATED else []
    whole_selection = asks_about_whole_selection(question, len(named))
    if whole_selection:
        codes = []
    elif not codes and (routed := _routed_code(answer)) in known:
        codes = [routed]
    for code in codes:
        facts = indicator_facts(code, establishment, kb=kb, rules=rules)
        items.append(facts.item)
        sentences = [cited.sentence(s, code) for s in facts.statements]
        lines.append(f"{code} — " + " ".join(sentences))
    if asks_hpr_annex(question):
        hpr = hpr_annex_facts(establishment, rules=rules)
        if hpr is not None:
            update["annexe_hpr"] = hpr.annex
            lines.append(" ".join(cited.sentence(s) for s in hpr.statements))
    if whole_selection or (asks_selection(question, len(named)) and not codes):
        selection = selection_facts(establishment, kb=kb, rules=rules)
        update["votre_selection"] = selection.state
        lines.append(" ".join(cited.sentence(s) for s in selection.statements))
    if not lines:
        return answer
    answer = _checked(answer, items)
    head = f"Pour {profile.name()} ({profile.describe()}) :"
    text = "\n".join([head, *lines])
    citations = list(cited.citations)
    if answer.supported and answer.answer.strip():
        general, moved = _shifted(answer, len(citations))
        text = f"{text}\n\n{GENERAL_HEADING}\n{general}"
        citations += moved
    return answer.model_copy(
        update={
            "answer": text,
            "supported": True,
            "citations": citations,
            "pour_vous": items,
            **update,
        }
    )


__all__ = [
    "GENERAL_HEADING",
    "answer_for",
    "asks_about_whole_selection",
    "asks_hpr_annex",
    "asks_selection",
]
