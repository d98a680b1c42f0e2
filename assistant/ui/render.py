"""Transitional: the chat's views moved to ``assistant.ui.chat``; delete this module.

Kept only because ``tests/test_hostile_text.py`` (outside the app's files) still imports it.
Once it imports ``assistant.ui.chat``, remove it. Nothing in the app imports it.
"""

from assistant.ui.chat import answer_html, question_html

__all__ = ["answer_html", "question_html"]
