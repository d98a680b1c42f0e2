"""The offline answer: knowledge base, rules file or extracted sentences, support decided.

Every answer starts here; with a chat model, ``assistant.answer.generate`` rewords it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.answer.designation import subject_codes
from assistant.answer.evidence import Evidence, gather, guides_words
from assistant.answer.extractive import extractive_answer
from assistant.answer.intent import Intent, parse_intent
from assistant.answer.knowledge import asks_which, indicator_answer
from assistant.answer.models import REFUSAL, Answer, Citation
from assistant.answer.rulebook import rule_answer
from assistant.answer.support import MIN_COVERAGE, SupportDecision, decide
from assistant.config import Settings
from assistant.text.french import tokenize
from assistant.text.informal import written

RETRIEVAL_K = 8
MIN_ROUTED_COVERAGE = 0.0
"""Coverage needed by a knowledge-base or rules answer (the routing matched already)."""
REFUSAL_SOURCES = 2
"""A refusal points to this many closest passages."""


@dataclass
class OfflineAnswer:
    """The offline answer of the chain with what it rests on."""

    answer: Answer
    evidence: Evidence
    decision: SupportDecision
    intent: Intent


def offline_answer(question: str, *, index: Any, kb: Any, settings: Settings) -> OfflineAnswer:
    """The offline answer (knowledge base, rules file or extractive), support decided."""
    question = written(question)  # « c quoi … » read as « c'est quoi … »
    intent = parse_intent(question, rewritten=guides_words(index, question))
    evidence = gather(
        index,
        question,
        k=max(settings.retrieval_k, RETRIEVAL_K),
        candidates=settings.retrieval_candidates,
        rrf_k=settings.rrf_k,
    )
    unknown = [c for c in intent.codes if kb is not None and not _known(kb, c)]
    if unknown:
        return OfflineAnswer(
            _unknown_code(unknown[0], evidence), evidence, _no("code inconnu"), intent
        )
    current = _about_current_campaign(index, evidence)
    candidates: list[tuple[Answer, list[str], set[str] | None]] = []
    codes = [c for c in intent.codes if kb is not None and _known(kb, c)]
    codes = codes or [c for c in evidence.named_fiches if kb is not None and _known(kb, c)]
    which = asks_which(question)  # « l'indicateur RAAC, c'est lequel ? »
    if not codes and (intent.parts or intent.fields or which) and kb is not None:
        named = (
            [c for c in subject_codes(question, settings.corpus_dir) if _known(kb, c)]
            if set(intent.parts) - _OPEN_PARTS or intent.fields or which
            else []
        )
        # one indicator named by its subject (« la cellule de gestion des lits »), else the
        # fiche all the best passages come from
        codes = named if len(named) == 1 else []
        codes = codes or [c for c in [_retrieved_fiche(evidence)] if c and _known(kb, c)]
    if codes and current and kb is not None:
        kb_answer = indicator_answer(index, kb, codes[0], intent, question)
        if kb_answer is not None:
            fiche_chunks = [cid for cid, c in index.chunks.items() if c.fiche == codes[0]]
            candidates.append((kb_answer, fiche_chunks, _scope_terms(question, intent)))
    if not candidates and intent.rule_topics and current:
        rules = rule_answer(index, intent, settings.rules_file, question, evidence.weights)
        if rules is not None:
            candidates.append((rules, [], None))
    extractive = extractive_answer(evidence)
    candidates.append((extractive, [], None))
    decision = _no("aucun passage")
    elsewhere: Answer | None = None
    for answer, extra, excused in candidates:
        routed = answer is not extractive
        decision = decide(
            evidence,
            answer,
            index,
            extra_chunks=extra,
            excused=excused,
            min_coverage=MIN_ROUTED_COVERAGE if routed else MIN_COVERAGE,
            check_type=True,
        )
        if decision.supported:
            return OfflineAnswer(answer, evidence, decision, intent)
        if decision.answered_elsewhere and elsewhere is None:
            elsewhere = answer
    if elsewhere is not None and (told := _current_rule(index, evidence, elsewhere)) is not None:
        return OfflineAnswer(told, evidence, decision, intent)
    return OfflineAnswer(refusal(evidence, candidates[-1][0]), evidence, decision, intent)


def _current_rule(index: Any, evidence: Evidence, answer: Answer) -> Answer | None:
    """The refusal of a question on a historical guide, with what the guide in force says.

    « guide ARA 2020-2024 : le plafond des pénalités ? »: the ARA guide does not say; what the
    guide in force says closest to the question is shown as such, not as the old guide's.
    """
    status = {c.doc_id: c.status for c in index.chunks.values()}
    named = evidence.named_documents
    if not named or any(status.get(d) != "historical" for d in named):
        return None
    if not answer.citations or status.get(answer.citations[0].doc_id) != "current":
        return None
    old = next(c for c in index.chunks.values() if c.doc_id == named[0])
    current = answer.citations[0]
    # its first cited group of sentences, with its marker
    cited = re.match(r"(.*?\[\d+\])", answer.answer, flags=re.S)
    said = " ".join(cited[1].split()) + "." if cited else answer.answer
    return refusal(evidence, answer).model_copy(
        update={
            "notice": (
                f"« {old.title} » ({old.period}) ne traite pas ce point. Pour la campagne en "
                f"cours, le passage le plus proche de « {current.title} » ({current.period}) "
                f"dit : {said}"
            )
        }
    )


_OPEN_PARTS = frozenset({"definition", "pratiques"})
"""Parts a subject alone does not route to its fiche: « que signifie ORSAN ? » asks what the
word means, not the fiche's definition of its indicator."""

FICHE_AGREEMENT = 3
"""A question that names no indicator is about one when its best passages all come from that
fiche (this many of them)."""


def _retrieved_fiche(evidence: Evidence) -> str | None:
    """The fiche the question is about, read from retrieval: its best passages all from it."""
    fiches = {p.chunk.fiche for p in evidence.passages[:FICHE_AGREEMENT]}
    if len(evidence.passages) < FICHE_AGREEMENT or len(fiches) != 1:
        return None
    return fiches.pop()


def _no(reason: str) -> SupportDecision:
    return SupportDecision(False, 0.0, reason=reason)


def _known(kb: Any, code: str) -> bool:
    return code in kb.indicators or code in kb.hpr


def _about_current_campaign(index: Any, evidence: Evidence) -> bool:
    """Whether the question is about the campaign in force (it names no other document)."""
    if not evidence.named_documents:
        return True
    statuses = {c.status for c in index.chunks.values() if c.doc_id in evidence.named_documents}
    return statuses == {"current"}


def _scope_terms(question: str, intent: Intent) -> set[str]:
    """Question terms the knowledge-base answer handled as a scope (category, beds, years)."""
    words: list[str] = []
    if intent.category:
        words += [intent.category, "CH", "CHU", "centre", "hospitalier"]
    if intent.beds is not None:
        words += [*re.findall(r"\d{2,4}", question), "lits"]
    words += [str(y) for y in intent.years]
    return set(tokenize(" ".join(words)))


def refusal(
    evidence: Evidence, closest: Answer | None = None, *, notice: str | None = None
) -> Answer:
    """The refusal, pointing to the closest passages."""
    citations: list[Citation] = []
    if closest is not None:
        citations = [
            c.model_copy(update={"n": i})
            for i, c in enumerate(closest.citations[:REFUSAL_SOURCES], start=1)
        ]
    return Answer(
        question=evidence.question,
        answer=REFUSAL,
        supported=False,
        mode="extractive",
        citations=citations,
        notice=notice,
    )


def _unknown_code(code: str, evidence: Evidence) -> Answer:
    return Answer(
        question=evidence.question,
        answer=REFUSAL,
        supported=False,
        mode="extractive",
        citations=[],
        notice=(
            f"Le code {code!r} ne correspond à aucun indicateur des fiches de la campagne "
            "(CPOM_CT_1 à CPOM_CT_8, CPOM_OS_1 à CPOM_OS_22, HPR_1_1 à HPR_6_1)."
        ),
    )
