"""Indicator knowledge base: the 30 strategic fiches and the 14 HPR indicators of the campaign.

Built by code from the corpus (``load_kb``), with a small reviewed overlay where a fiche's target
table is too irregular to parse. Every value taken from a document keeps its verbatim quote.
"""

from assistant.kb.base import KnowledgeBase, load_kb, scope_matches
from assistant.kb.codes import normalize_code
from assistant.kb.display import format_indicator, format_indicator_list, format_year_target
from assistant.kb.models import (
    Eligibility,
    Engagement,
    HprIndicator,
    Indicator,
    Quote,
    Scope,
    Target,
    TargetRule,
    YearTarget,
)

__all__ = [
    "Eligibility",
    "Engagement",
    "HprIndicator",
    "Indicator",
    "KnowledgeBase",
    "Quote",
    "Scope",
    "Target",
    "TargetRule",
    "YearTarget",
    "format_indicator",
    "format_indicator_list",
    "format_year_target",
    "load_kb",
    "normalize_code",
    "scope_matches",
]
