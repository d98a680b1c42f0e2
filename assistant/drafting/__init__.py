"""Drafting: one indicator's justification and trajectory for an establishment, validated."""

from assistant.drafting.display import format_draft
from assistant.drafting.draft_file import build_draft_file, draft_selection
from assistant.drafting.indicator import draft_indicator, offline_draft, parse_baseline
from assistant.drafting.line import check_line, justification_of
from assistant.drafting.models import DraftProse, IndicatorDraft

__all__ = [
    "DraftProse",
    "IndicatorDraft",
    "build_draft_file",
    "check_line",
    "draft_indicator",
    "draft_selection",
    "format_draft",
    "justification_of",
    "offline_draft",
    "parse_baseline",
]
