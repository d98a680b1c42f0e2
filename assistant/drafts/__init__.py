"""Draft files: the schema, lenient parsing, readers (JSON, YAML, CSV, XLSX) and writers."""

from assistant.drafts.models import (
    TARGET_YEARS,
    Draft,
    DraftIndicator,
    DraftSource,
    DraftView,
    Establishment,
    EstablishmentView,
    SchemaIssue,
    Value,
)
from assistant.drafts.parsing import parse_draft
from assistant.drafts.readers import (
    MAX_FILE_BYTES,
    MAX_FOLDER_FILES,
    MAX_ROWS,
    MAX_YAML_ALIASES,
    SUFFIXES,
    read_draft_file,
    read_drafts,
)
from assistant.drafts.table import COLUMNS
from assistant.drafts.writers import draft_to_json, write_csv, write_json, write_xlsx

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_FOLDER_FILES",
    "MAX_ROWS",
    "MAX_YAML_ALIASES",
    "SUFFIXES",
    "TARGET_YEARS",
    "Draft",
    "DraftIndicator",
    "DraftSource",
    "DraftView",
    "Establishment",
    "EstablishmentView",
    "SchemaIssue",
    "Value",
    "draft_to_json",
    "parse_draft",
    "read_draft_file",
    "read_drafts",
    "write_csv",
    "write_json",
    "write_xlsx",
]
