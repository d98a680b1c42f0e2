"""Prompt templates, one Markdown file per prompt in ``prompts/``, loaded by name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.errors import LLMUnavailableError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load_prompt(name: str, settings: Any) -> str:
    """The text of ``prompts/<name>.md`` (``settings.prompts_dir``), without trailing spaces.

    Args:
        name: the prompt's file name without ``.md`` (``answer_system``, ``rewrite``…).
        settings: the settings (only ``prompts_dir`` is read); None for the repository's.

    Raises:
        ValueError: ``name`` is not a plain prompt name.
        LLMUnavailableError: the file is missing or unreadable (French message; the chains
            then answer offline).
    """
    if not _NAME.match(name):
        raise ValueError(f"invalid prompt name {name!r}")
    folder = Path(settings.prompts_dir) if settings is not None else _default_dir()
    path = folder / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise LLMUnavailableError(
            f"Le gabarit de prompt {path.name!r} est introuvable ou illisible ({folder}).",
            hint="Vérifiez CPOM_PROMPTS_DIR.",
        ) from exc


def _default_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "prompts"
