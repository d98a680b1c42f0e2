"""The app's one translation point: an ``AssistantError`` becomes a French pop-up.

The inputs keep what the user typed: a callback that fails changes no component.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from assistant import AssistantError
from assistant.ui.escaping import esc

P = ParamSpec("P")
R = TypeVar("R")


def message_of(exc: AssistantError) -> str:
    """The French message of an expected failure, with its hint."""
    return exc.message + (f" {exc.hint}" if exc.hint else "")


def french_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Show an ``AssistantError`` raised by ``fn`` as a French pop-up (``gr.Error``)."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import gradio as gr

        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            raise gr.Error(
                esc(message_of(exc)), title="Action impossible", print_exception=False
            ) from exc

    return wrapper


__all__ = ["french_errors", "message_of"]
