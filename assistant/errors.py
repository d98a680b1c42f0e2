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


class DatabaseUnavailableError(AssistantError):
    """The dossier database cannot be reached or opened; nothing was written."""

    http_status: ClassVar[int] = 503


class StoreError(AssistantError):
    """A dossier or account operation refused by the service (``http_status`` for the API)."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400


class NotAuthenticatedError(StoreError):
    """Wrong or expired credentials, unknown token, disabled or locked account."""

    http_status: ClassVar[int] = 401


class AccessDeniedError(StoreError):
    """The acting user may not do this (dossier outside their scope, or not their role)."""

    http_status: ClassVar[int] = 403


class NotFoundError(StoreError):
    """No such dossier, version, account or token (within the caller's scope)."""

    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 404


class VersionConflictError(StoreError):
    """Someone saved the dossier since the caller read it (optimistic locking)."""

    http_status: ClassVar[int] = 409

    def __init__(
        self, message: str, *, current_version: int, author: str, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.current_version = current_version
        self.author = author


class StatusError(StoreError):
    """The dossier's status forbids this (editing a submitted dossier, validating a draft)."""

    http_status: ClassVar[int] = 409


class InvalidRequestError(StoreError):
    """Bad input to the service: missing comment, FINESS mismatch, unknown role or e-mail."""

    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 422


class ServingRefusedError(AssistantError):
    """The app refuses to start in this mode: a non-loopback address in local mode, no admin."""
