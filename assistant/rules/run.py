"""The state shared by the rule checks of one validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.drafts import DraftIndicator, DraftSource, DraftView
from assistant.kb import KnowledgeBase
from assistant.kb.models import Quote
from assistant.rules.catalog import RuleCitation, RuleSet
from assistant.rules.report import Finding, Source


@dataclass(frozen=True)
class Entry:
    """One indicator line of a draft, with its canonical code when it is a known one."""

    annex: str  # "strategique" or "hpr"
    index: int
    item: DraftIndicator
    code: str | None


def source_of(quote: Quote | RuleCitation) -> Source:
    """A finding's source from a knowledge-base quote or a rule citation."""
    if isinstance(quote, RuleCitation):
        return Source(doc_id=quote.doc_id, section=quote.section, quote=quote.quote)
    return Source(doc_id=quote.doc_id, section=quote.section, quote=quote.text)


class Run:
    """One validation: its inputs and the findings collected so far."""

    def __init__(
        self, view: DraftView, *, kb: KnowledgeBase, rules: RuleSet, source: DraftSource | None
    ) -> None:
        self.view = view
        self.kb = kb
        self.rules = rules
        self.source = source
        self.findings: list[Finding] = []
        self._by_id = {rule.id: rule for rule in reversed(rules.rules)}  # the first one wins
        self.memo: dict[Any, Any] = {}
        """Values computed once per validation (years of an annex, an entry's points)."""

    def applies(self, rule_id: str) -> bool:
        """Whether the campaign's rules file holds this rule."""
        return rule_id in self._by_id

    def param(self, rule_id: str, name: str) -> Any:
        """A rule's parameter (the catalog checked it exists; None if the rule is absent)."""
        rule = self._by_id.get(rule_id)
        return rule.params[name] if rule is not None else None

    def variant(self, rule_id: str, name: str, **fields: Any) -> str:
        """A named variant of a rule's message ("" when the campaign does not apply the rule)."""
        rule = self._by_id.get(rule_id)
        return rule.render(name, **fields) if rule is not None else ""

    def emit(
        self,
        rule_id: str,
        *,
        indicator: str | None = None,
        quote: Quote | RuleCitation | None = None,
        citation: str | None = None,
        **fields: Any,
    ) -> None:
        """Add a finding (a no-op when the campaign does not apply the rule).

        Args:
            rule_id: The rule's ID.
            indicator: The indicator the finding concerns (also the template's ``{indicator}``).
            quote: The words the finding rests on, e.g. a fiche's (default: the rule's citation).
            citation: The name of one of the rule's alternative citations.
            **fields: The other fields of the rule's message template.
        """
        rule = self._by_id.get(rule_id)
        if rule is None:
            return
        if quote is None:
            quote = rule.alt_citations.get(citation or "", rule.citation)
        self.findings.append(
            Finding(
                rule=rule.id,
                severity=rule.severity,
                indicator=indicator,
                message=rule.render(indicator=indicator, **fields),
                source=source_of(quote),
            )
        )
