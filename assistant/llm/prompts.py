"""Model prompts: the templates of ``prompts/`` seen from the model's seam.

A prompt that cannot be read means no model answer: the error is ``LLMUnavailableError``, so
that the chains answer offline and say why.
"""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.errors import CatalogError, LLMUnavailableError
from assistant.text.templates import load_template


def load_prompt(name: str, settings: Settings) -> str:
    """The text of ``prompts/<name>.md`` (``settings.prompts_dir``), comments dropped.

    Raises:
        ValueError: ``name`` is not a plain prompt name.
        LLMUnavailableError: the file is missing or unreadable (French message; the chains
            then answer offline).
    """
    return load_prompt_parts(name, settings).get("", "")


def load_prompt_parts(name: str, settings: Settings) -> dict[str, str]:
    """The ``## name`` parts of ``prompts/<name>.md`` (the worked example, say).

    Raises:
        LLMUnavailableError: the file is missing or unreadable.
    """
    try:
        return load_template(Path(settings.prompts_dir), name)
    except CatalogError as exc:
        raise LLMUnavailableError(
            f"Le gabarit de prompt {name + '.md'!r} est introuvable ou illisible "
            f"({settings.prompts_dir}).",
            hint="Vérifiez CPOM_PROMPTS_DIR.",
        ) from exc
