"""The campaign's validator as the store uses it: loaded on first use, run on every save."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.kb import KnowledgeBase, load_kb
from assistant.rules import RuleSet, load_rules, validate_draft
from assistant.rules.report import Report


class Checker:
    """The campaign (from its rules file) and the validator a saved draft goes through.

    The knowledge base and the rules are loaded on first use, so that account commands do
    not pay for them. Give either the files or the loaded objects.
    """

    def __init__(
        self,
        *,
        corpus_dir: Path | None = None,
        rules_file: Path | None = None,
        kb: KnowledgeBase | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        if (kb is None and corpus_dir is None) or (rules is None and rules_file is None):
            raise ValueError("give corpus_dir or kb, and rules_file or rules")
        self._corpus_dir = corpus_dir
        self._rules_file = rules_file
        if kb is not None:
            self.__dict__["kb"] = kb
        if rules is not None:
            self.__dict__["rules"] = rules

    @cached_property
    def kb(self) -> KnowledgeBase:
        """The indicator knowledge base."""
        assert self._corpus_dir is not None
        return load_kb(self._corpus_dir)

    @cached_property
    def rules(self) -> RuleSet:
        """The campaign's rules."""
        assert self._rules_file is not None
        return load_rules(self._rules_file)

    @property
    def campaign(self) -> str:
        """The campaign every dossier of this store belongs to."""
        return self.rules.campaign

    def __call__(self, tree: Mapping[str, Any]) -> Report:
        """The validator's report of a draft tree."""
        return validate_draft(tree, kb=self.kb, rules=self.rules)
