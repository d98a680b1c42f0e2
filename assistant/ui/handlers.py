"""The app's event handlers, as plain functions (the tests call them; ``app.py`` wires them).

They take the shared ``AppContext`` and plain values, return plain values (HTML, rows, file
paths, dossiers) and raise ``AssistantError`` with a French message when the user can act;
the app shows those in French and never clears what the user typed. One module per tab.
"""

from assistant.ui.documents import STAGES, catalog_rows, index_status, reindex
from assistant.ui.justification import (
    YEAR_HEADERS,
    check_draft,
    draft_justification,
    editor_values,
    export_draft,
    line_findings,
    save_justification,
)
from assistant.ui.questions import (
    EXAMPLE_QUESTIONS,
    MAX_QUESTION_CHARS,
    ask,
    ask_stream,
    chat_history,
    text_of,
)
from assistant.ui.selection import (
    add_indicator,
    check_selection,
    edit_selection,
    indicator_choices,
    propose_selection,
    remove_indicator,
    selection_choices,
    selection_counts,
)
from assistant.ui.verification import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_FILES,
    check_uploads,
    summary_rows,
)

__all__ = [
    "EXAMPLE_QUESTIONS",
    "MAX_QUESTION_CHARS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_FILES",
    "STAGES",
    "YEAR_HEADERS",
    "add_indicator",
    "ask",
    "ask_stream",
    "catalog_rows",
    "chat_history",
    "check_draft",
    "check_selection",
    "check_uploads",
    "draft_justification",
    "edit_selection",
    "editor_values",
    "export_draft",
    "index_status",
    "indicator_choices",
    "line_findings",
    "propose_selection",
    "reindex",
    "remove_indicator",
    "save_justification",
    "selection_choices",
    "selection_counts",
    "summary_rows",
    "text_of",
]
