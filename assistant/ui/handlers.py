"""Transitional: the handlers moved to their tabs (``assistant.ui.tabs``); delete this module.

Kept only because three test modules outside the app's files still import it
(``tests/test_privacy.py``, ``tests/test_hostile_text.py``, ``tests/test_llm_faults.py``).
Once they import the tab modules, remove it. Nothing in the app imports it.
"""

from assistant.ui.tabs.justification import (
    draft_justification,
    editor_values,
    line_findings,
    save_justification,
)
from assistant.ui.tabs.questions import ask, ask_stream
from assistant.ui.tabs.selection import propose_selection
from assistant.ui.tabs.verification import check_uploads
from assistant.ui.whole_draft import check_draft

__all__ = [
    "ask",
    "ask_stream",
    "check_draft",
    "check_uploads",
    "draft_justification",
    "editor_values",
    "line_findings",
    "propose_selection",
    "save_justification",
]
