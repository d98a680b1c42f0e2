"""The rules of a campaign, loaded from a YAML file and checked (rules are data)."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator

from assistant.errors import CatalogError

Severity = Literal["erreur", "avertissement", "information"]
"""« information » says how the draft was read; it neither blocks nor warns."""

RULE_IDS: tuple[str, ...] = (
    "SEL-MAX",
    "SEL-MIN-CT",
    "SEL-MIN-OS",
    "SEL-DUPLICATE",
    "SEL-UNKNOWN",
    "ELIG-GHT",
    "ELIG-ACTIVITY",
    "ELIG-CATEGORY",
    "ELIG-PUBLIC",
    "VAL-MISSING",
    "VAL-TYPE",
    "VAL-RANGE",
    "TRAJ-DIRECTION",
    "TRAJ-BELOW-FICHE",
    "TRAJ-ALREADY-MET",
    "TRAJ-FLAT",
    "TRAJ-READING",
    "JUST-MISSING",
    "JUST-CONTENT",
    "JUST-DUPLICATE",
    "JUST-PLACEHOLDER",
    "HPR-NOT-HPR",
    "HPR-MISSING",
    "HPR-MAX",
    "HPR-STARRED",
    "HPR-COUNT",
    "CAMPAIGN-DEADLINE",
    "SCHEMA",
)


def rule_ids(*prefixes: str) -> frozenset[str]:
    """The rule IDs that start with one of ``prefixes`` ("SEL-", "VAL-"…), SCHEMA included."""
    return frozenset(r for r in RULE_IDS if r.startswith(prefixes) or r == "SCHEMA")


"""The rule IDs the engine knows (a contract: reports, the app and outside checks use them)."""

# The figures each rule needs from the file, with their type.
_REQUIRED_PARAMS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "SEL-MAX": {"max": int},
    "SEL-MIN-CT": {"min": int},
    "SEL-MIN-OS": {"min": int},
    "VAL-MISSING": {"baseline_year": int, "years": list, "hpr_years": list},
    "VAL-TYPE": {"yes_values": list, "no_values": list},
    "VAL-RANGE": {"rate_min": (int, float), "rate_max": (int, float), "min": (int, float)},
    "JUST-DUPLICATE": {"threshold": (int, float), "min_words": int},
    "JUST-PLACEHOLDER": {"patterns": list},
    "HPR-MAX": {"max": int},
    "HPR-STARRED": {"objectives": list},
    "HPR-COUNT": {"expected": int},
    "CAMPAIGN-DEADLINE": {"deadline": object},
}
_REQUIRED_VARIANTS: dict[str, tuple[str, ...]] = {
    "SEL-UNKNOWN": ("strategic", "hpr", "misplaced_hpr", "misplaced_strategic", "suggestion"),
    "ELIG-CATEGORY": ("sans_objet", "categories_only"),
    "VAL-RANGE": ("rate", "count"),
    "TRAJ-ALREADY-MET": ("fiche", "draft", "engaged"),
    "TRAJ-BELOW-FICHE": ("reading", "both"),
    "TRAJ-READING": ("one", "both", "none"),
    "TRAJ-FLAT": ("label", "objective", "fiche", "hpr_label", "hpr_objective"),
    "JUST-CONTENT": ("baseline", "action", "means"),
    "SCHEMA": ("campaign", "unreadable"),
}


class RuleCitation(BaseModel, frozen=True):
    """Where a rule comes from: a corpus document, its section, and its verbatim words."""

    doc_id: str
    section: str | None = None
    quote: str = Field(min_length=1)


class Rule(BaseModel, frozen=True):
    """One rule: ID, severity, French message template(s), figures and citation."""

    id: str
    severity: Severity
    title: str
    message: str
    variants: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    citation: RuleCitation
    alt_citations: dict[str, RuleCitation] = Field(default_factory=dict)

    @field_validator("message", "title")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    def render(self, template: str | None = None, /, **fields: Any) -> str:
        """Fill the message (or a named variant) with the rule's params and ``fields``.

        Raises:
            KeyError: A field of the template was given neither by the params nor ``fields``.
        """
        text = self.message if template is None else self.variants[template]
        return text.format(**{**self.params, **fields})


class RuleSet(BaseModel, frozen=True):
    """The rules of one campaign."""

    campaign: str
    title: str
    rules: list[Rule]
    _by_id: dict[str, Rule] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        """Index the rules by ID (the first one wins; load_rules refuses duplicates)."""
        self._by_id = {}
        for rule in self.rules:
            self._by_id.setdefault(rule.id, rule)

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this ID, or None when the campaign does not apply it."""
        return self._by_id.get(rule_id)

    @property
    def ids(self) -> list[str]:
        """The rule IDs, in file order."""
        return [rule.id for rule in self.rules]


def _check(ruleset: RuleSet, path: Path) -> None:
    problems: list[str] = []
    seen: set[str] = set()
    for rule in ruleset.rules:
        if rule.id in seen:
            problems.append(f"la règle {rule.id} est définie deux fois")
        seen.add(rule.id)
        if rule.id not in RULE_IDS:
            problems.append(f"la règle {rule.id!r} est inconnue du moteur")
        for name, kind in _REQUIRED_PARAMS.get(rule.id, {}).items():
            if not isinstance(rule.params.get(name), kind):
                problems.append(f"la règle {rule.id} n'a pas de paramètre {name!r} valable")
        for name in _REQUIRED_VARIANTS.get(rule.id, ()):
            if name not in rule.variants:
                problems.append(f"la règle {rule.id} n'a pas de variante de message {name!r}")
        for pattern in rule.params.get("patterns", []) if rule.id == "JUST-PLACEHOLDER" else []:
            try:
                re.compile(pattern)
            except (re.error, TypeError):
                problems.append(f"le motif {pattern!r} de la règle {rule.id} est invalide")
        for template in (rule.message, *rule.variants.values()):
            try:
                list(string.Formatter().parse(template))
            except ValueError:
                problems.append(f"le message de la règle {rule.id} est mal formé")
    if problems:
        raise CatalogError(
            f"Le fichier de règles {path.name!r} est invalide : " + " ; ".join(problems) + "."
        )


def load_rules(path: Path) -> RuleSet:
    """Load and check a campaign's rules file.

    Raises:
        CatalogError: The file is missing, not YAML, or does not describe valid rules.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"Le fichier de règles {str(path)!r} est introuvable.") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(f"Le fichier de règles {path.name!r} n'est pas un YAML valide.") from exc
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problem = "manquant" if first["type"] == "missing" else f"invalide ({first['input']!r:.60})"
        raise CatalogError(
            f"Le fichier de règles {path.name!r} est invalide : champ {where} {problem}."
        ) from exc
    _check(ruleset, path)
    return ruleset
