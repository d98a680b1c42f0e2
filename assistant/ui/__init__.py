"""The Gradio app's parts: handlers (plain functions), HTML views, exports, the user's dossier.

``app.py`` lays out the page and wires these; tests call the handlers directly.
"""

from assistant.ui.service import AppContext, IndexService
from assistant.ui.workspace import Dossier, Line, ProfileForm

__all__ = ["AppContext", "Dossier", "IndexService", "Line", "ProfileForm"]
