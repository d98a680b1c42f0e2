"""Assistant CPOM: answers, indicator proposals, drafts and checks for the CPOM campaign.

The public API: what the CLI, the app and scripts call. Names are loaded on first use, so that
``import assistant`` (and ``python -m assistant --help``) stays fast; ``__all__`` lists them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answer import REFUSAL, Answer, answer_question, stream_answer
    from assistant.answer.establishment import (
        Establishment,
        establishment_of,
        read_establishment,
        selection_lines,
    )
    from assistant.answer.generate import NOTICE_FAILED
    from assistant.api import ApiContext, build_api, check_address
    from assistant.config import Settings, get_settings
    from assistant.corpus.catalog import load_catalog
    from assistant.corpus.models import Chunk, DocumentInfo
    from assistant.drafting import (
        IndicatorDraft,
        draft_indicator,
        format_draft,
        justification_of,
    )
    from assistant.drafting.trajectory import show as show_value
    from assistant.drafts import (
        MAX_FILE_BYTES,
        MAX_FOLDER_FILES,
        SUFFIXES,
        TARGET_YEARS,
        Draft,
        DraftIndicator,
        Value,
        draft_to_json,
        parse_draft,
        read_draft_file,
        write_csv,
        write_json,
        write_xlsx,
    )
    from assistant.drafts.table import ESTABLISHMENT_COLUMNS
    from assistant.drafts.writers import append_xlsx_row, xlsx_value
    from assistant.errors import (
        AssistantError,
        IndexMissingError,
        IndexNotReadyError,
        InvalidInputError,
        LLMUnavailableError,
        UnknownIndicatorError,
        UnreadableDocumentError,
    )
    from assistant.index.build import index_status, ingest
    from assistant.index.filters import Filters
    from assistant.index.reader import Index
    from assistant.index.service import IndexService
    from assistant.kb import (
        KnowledgeBase,
        format_indicator,
        format_indicator_list,
        load_kb,
        normalize_code,
    )
    from assistant.kb.growth import Lecture
    from assistant.kb.models import HPR_YEARS
    from assistant.llm.models import build_chat_model
    from assistant.profile import (
        ACTIVITY_LABELS,
        CATEGORY_LABELS,
        STATUT_LABELS,
        Profile,
        parse_profile,
        read_profile,
    )
    from assistant.propose import Proposal
    from assistant.propose import propose as propose_selection
    from assistant.propose.display import format_proposal
    from assistant.propose.eligibility import engaged_rows
    from assistant.propose.selection import check_selection
    from assistant.retrieval.hybrid import HybridRetriever, search
    from assistant.retrieval.models import Passage
    from assistant.rules import (
        BatchReport,
        EstablishmentReport,
        Finding,
        Report,
        RuleSet,
        Source,
        load_rules,
        main_validate,
        validate_draft,
        validate_path,
    )
    from assistant.rules.values import as_number

# name -> module that defines it (the public faces of the subpackages where they exist)
_WHERE: dict[str, str] = {
    "REFUSAL": "assistant.answer",
    "Answer": "assistant.answer",
    "answer_question": "assistant.answer",
    "stream_answer": "assistant.answer",
    "NOTICE_FAILED": "assistant.answer.generate",
    "Establishment": "assistant.answer.establishment",
    "establishment_of": "assistant.answer.establishment",
    "read_establishment": "assistant.answer.establishment",
    "selection_lines": "assistant.answer.establishment",
    "ApiContext": "assistant.api",
    "build_api": "assistant.api",
    "check_address": "assistant.api",
    "Settings": "assistant.config",
    "get_settings": "assistant.config",
    "load_catalog": "assistant.corpus.catalog",
    "Chunk": "assistant.corpus.models",
    "DocumentInfo": "assistant.corpus.models",
    "IndicatorDraft": "assistant.drafting",
    "draft_indicator": "assistant.drafting",
    "format_draft": "assistant.drafting",
    "justification_of": "assistant.drafting",
    "show_value": "assistant.drafting.trajectory:show",
    "ESTABLISHMENT_COLUMNS": "assistant.drafts.table",
    "append_xlsx_row": "assistant.drafts.writers",
    "MAX_FILE_BYTES": "assistant.drafts",
    "MAX_FOLDER_FILES": "assistant.drafts",
    "SUFFIXES": "assistant.drafts",
    "TARGET_YEARS": "assistant.drafts",
    "Draft": "assistant.drafts",
    "DraftIndicator": "assistant.drafts",
    "Value": "assistant.drafts",
    "draft_to_json": "assistant.drafts",
    "parse_draft": "assistant.drafts",
    "read_draft_file": "assistant.drafts",
    "write_csv": "assistant.drafts",
    "write_json": "assistant.drafts",
    "write_xlsx": "assistant.drafts",
    "xlsx_value": "assistant.drafts.writers",
    "AssistantError": "assistant.errors",
    "IndexMissingError": "assistant.errors",
    "IndexNotReadyError": "assistant.errors",
    "InvalidInputError": "assistant.errors",
    "LLMUnavailableError": "assistant.errors",
    "UnknownIndicatorError": "assistant.errors",
    "UnreadableDocumentError": "assistant.errors",
    "IngestReport": "assistant.index.manifest",
    "Manifest": "assistant.index.manifest",
    "index_status": "assistant.index.build",
    "ingest": "assistant.index.build",
    "Index": "assistant.index.reader",
    "IndexService": "assistant.index.service",
    "KnowledgeBase": "assistant.kb",
    "format_indicator": "assistant.kb",
    "format_indicator_list": "assistant.kb",
    "load_kb": "assistant.kb",
    "normalize_code": "assistant.kb",
    "HPR_YEARS": "assistant.kb.models",
    "Lecture": "assistant.kb.growth",
    "build_chat_model": "assistant.llm.models",
    "Profile": "assistant.profile",
    "parse_profile": "assistant.profile",
    "read_profile": "assistant.profile",
    "ACTIVITY_LABELS": "assistant.profile",
    "CATEGORY_LABELS": "assistant.profile",
    "STATUT_LABELS": "assistant.profile",
    "Proposal": "assistant.propose",
    "propose_selection": "assistant.propose:propose",
    "format_proposal": "assistant.propose.display",
    "engaged_rows": "assistant.propose.eligibility",
    "check_selection": "assistant.propose.selection",
    "HybridRetriever": "assistant.retrieval.hybrid",
    "search": "assistant.retrieval.hybrid",
    "Filters": "assistant.index.filters",
    "Passage": "assistant.retrieval.models",
    "BatchReport": "assistant.rules",
    "EstablishmentReport": "assistant.rules",
    "Finding": "assistant.rules",
    "Report": "assistant.rules",
    "RuleSet": "assistant.rules",
    "load_rules": "assistant.rules",
    "main_validate": "assistant.rules",
    "validate_draft": "assistant.rules",
    "validate_path": "assistant.rules",
    "Source": "assistant.rules",
    "as_number": "assistant.rules.values",
}

__all__ = [
    "ACTIVITY_LABELS",
    "CATEGORY_LABELS",
    "ESTABLISHMENT_COLUMNS",
    "HPR_YEARS",
    "MAX_FILE_BYTES",
    "MAX_FOLDER_FILES",
    "NOTICE_FAILED",
    "REFUSAL",
    "STATUT_LABELS",
    "SUFFIXES",
    "TARGET_YEARS",
    "Answer",
    "ApiContext",
    "AssistantError",
    "BatchReport",
    "Chunk",
    "DocumentInfo",
    "Draft",
    "DraftIndicator",
    "Establishment",
    "EstablishmentReport",
    "Filters",
    "Finding",
    "HybridRetriever",
    "Index",
    "IndexMissingError",
    "IndexNotReadyError",
    "IndexService",
    "IndicatorDraft",
    "IngestReport",
    "InvalidInputError",
    "KnowledgeBase",
    "LLMUnavailableError",
    "Lecture",
    "Manifest",
    "Passage",
    "Profile",
    "Proposal",
    "Report",
    "RuleSet",
    "Settings",
    "Source",
    "UnknownIndicatorError",
    "UnreadableDocumentError",
    "Value",
    "answer_question",
    "append_xlsx_row",
    "as_number",
    "build_api",
    "build_chat_model",
    "check_address",
    "check_selection",
    "draft_indicator",
    "draft_to_json",
    "engaged_rows",
    "establishment_of",
    "format_draft",
    "format_indicator",
    "format_indicator_list",
    "format_proposal",
    "get_settings",
    "index_status",
    "ingest",
    "justification_of",
    "load_catalog",
    "load_kb",
    "load_rules",
    "main_validate",
    "normalize_code",
    "parse_draft",
    "parse_profile",
    "propose_selection",
    "read_draft_file",
    "read_establishment",
    "read_profile",
    "search",
    "selection_lines",
    "show_value",
    "stream_answer",
    "validate_draft",
    "validate_path",
    "write_csv",
    "write_json",
    "write_xlsx",
    "xlsx_value",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    module, _, attribute = where.partition(":")  # "module:attribute" when the names differ
    value = getattr(importlib.import_module(module), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return [*globals(), *__all__]
