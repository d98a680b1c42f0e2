"""The Gradio app: ``app.py`` wires the tabs, ``tabs/<tab>.py`` holds each tab.

Each tab module holds its layout, its callbacks and its handlers (plain functions the tests
call); what the tabs share lives in modules named after it: the context opened once per
process (``service``), the user's dossier (``workspace``), the chat's turns (``chat``),
findings and reports (``findings``), exports, feedback and escaping. Importing this package
does not import Gradio.
"""

from assistant.ui.service import AppContext, IndexService
from assistant.ui.workspace import Dossier, Line, ProfileForm

__all__ = ["AppContext", "Dossier", "IndexService", "Line", "ProfileForm"]
