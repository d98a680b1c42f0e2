"""Campaign rule questions answered with the guide's own sentences, from the rules file.

"Combien d'indicateurs", "quelle date limite", "hôpitaux de proximité", "déjà atteint": the
answer is the sentences the campaign's rules file quotes for the matching rules.

The rules file (``settings.rules_file``) holds, for each rule, the guide's verbatim words; the
answer is those sentences, each with its citation. No figure is written by code.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.answer.citing import cite_quote
from assistant.answer.extractive import with_marker
from assistant.answer.intent import Intent, RuleTopic
from assistant.answer.models import Answer, Citation
from assistant.text.french import tokenize

logger = logging.getLogger(__name__)

# Which rules answer which question, in the order the answer gives them.
TOPIC_RULES: dict[RuleTopic, tuple[str, ...]] = {
    "count": ("SEL-MAX", "SEL-MIN-CT", "SEL-MIN-OS"),
    "hpr": ("HPR-NOT-HPR", "HPR-MAX", "HPR-STARRED"),
    "deadline": ("CAMPAIGN-DEADLINE",),
    "already_met": ("TRAJ-ALREADY-MET",),
    "objectives": ("SEL-UNKNOWN",),
}
"""Topic -> the rules whose citations answer it."""


@lru_cache(maxsize=4)
def _load_citations(path: Path, mtime: float) -> dict[str, dict[str, str]]:
    """Rule ID -> its citation ({doc_id, section, quote}) in a rules file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, dict[str, str]] = {}
    for rule in data.get("rules", []):
        citation = rule.get("citation") or {}
        if citation.get("quote") and citation.get("doc_id"):
            out[rule["id"]] = citation
    return out


def rule_citations(rules_file: Path) -> dict[str, dict[str, str]]:
    """The rules file's citations (empty when the file is missing or unreadable)."""
    try:
        return _load_citations(rules_file, rules_file.stat().st_mtime)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("rules file unusable for answers: %s", exc)
        return {}


def rule_answer(
    index: Any,
    intent: Intent,
    rules_file: Path,
    question: str,
    weights: dict[str, float] | None = None,
) -> Answer | None:
    """The answer to a campaign rule question, or None when no rule topic applies.

    ``weights`` (the question's terms and their weights) put first the rule whose words the
    question shares most: « le minimum d'indicateurs de coopération » leads with that minimum,
    not with the maximum of 10; without them, or on a tie, the topic's order holds.
    """
    if not intent.rule_topics:
        return None
    citations_by_rule = rule_citations(rules_file)
    wanted: list[str] = []
    for topic in intent.rule_topics:
        for key in TOPIC_RULES.get(topic, ()):
            if key in citations_by_rule and key not in wanted:
                wanted.append(key)
    if weights:
        wanted.sort(key=lambda key: -_shared(citations_by_rule[key]["quote"], weights))
    parts: list[str] = []
    citations: list[Citation] = []
    seen: set[str] = set()
    for key in wanted:
        source = citations_by_rule[key]
        citation = cite_quote(
            index,
            len(citations) + 1,
            source["doc_id"],
            source["quote"],
            section=source.get("section"),
        )
        if citation.quote in seen:
            continue
        seen.add(citation.quote)
        citations.append(citation)
        parts.append(with_marker(_sentence(citation.quote), citation.n))
    if not citations:
        return None
    return Answer(
        question=question,
        answer=" ".join(parts),
        supported=True,
        mode="extractive",
        citations=citations,
    )


def _shared(quote: str, weights: dict[str, float]) -> float:
    """The weight of the question's terms that ``quote`` holds."""
    held = set(tokenize(quote))
    return sum(w for term, w in weights.items() if term in held)


def _sentence(text: str) -> str:
    text = text.strip().lstrip("-–•➢ ").strip()
    return text if text.endswith((".", "!", "?", "*")) else text + "."
