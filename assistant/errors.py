"""Expected failures a user can fix; messages are French and shown as is."""

from __future__ import annotations

from typing import ClassVar


class AssistantError(Exception):
    """An expected failure the user can fix. ``message`` is French and shown as is."""

    exit_code: ClassVar[int] = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UnreadableDocumentError(AssistantError):
    """Corrupt, encrypted, empty or missing document."""


class CatalogError(AssistantError):
    """The corpus catalog is missing or malformed."""


class UnknownIndicatorError(AssistantError):
    """Indicator code not in the knowledge base."""


class InvalidInputError(AssistantError):
    """Wrong columns, text where a number belongs, file too large."""


class IndexNotReadyError(AssistantError):
    """index/ missing, half-written or built with another embedder."""


class EmbedderUnavailableError(AssistantError):
    """The configured embedding model cannot be loaded here."""


class LLMUnavailableError(AssistantError):
    """Configured LLM endpoint unreachable or unusable."""


class IndexMissingError(IndexNotReadyError):
    """No index built yet (``ingest`` creates it)."""


class VectorStoreUnavailableError(AssistantError):
    """The Chroma server (client/server mode) does not answer; it may come back by itself."""
