"""What the app opens once per process: the index, the knowledge base, the rules, the catalog."""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import assistant
from assistant import AssistantError, IndexNotReadyError, IndexService

if TYPE_CHECKING:
    from assistant import ApiContext, DocumentInfo, KnowledgeBase, RuleSet, Settings
    from assistant.store import Store

logger = logging.getLogger(__name__)

SCRATCH_MAX_AGE = 24 * 3600
"""Seconds a folder of files handed to the browser is kept."""
CHAT_MODEL_RETRY = 300.0
"""Seconds before a chat model that could not be built (runtime, model file, port, server
start) is tried again; until then, answers are offline and say why."""


class AppContext:
    """Everything the handlers share: settings, index, knowledge base, rules, local folders."""

    def __init__(
        self,
        settings: Settings,
        service: IndexService,
        data_dir: Path,
        *,
        chat_model: Any | None = None,
        api: ApiContext | None = None,
    ) -> None:
        """Prepare the context (the knowledge base and rules load on first use).

        Args:
            settings: The settings.
            service: The index service.
            data_dir: The app's local data folder (feedback, browser-state key).
            chat_model: A chat model to use instead of the one ``settings`` describe.
            api: The API's context (mode, dossier store) the page shares with ``/api/``;
                None for a page without dossiers in the database (tests of other tabs).
        """
        self.settings = settings
        self.service = service
        self.data_dir = data_dir
        self.api = api
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._rules: RuleSet | None = None
        self._catalog: list[DocumentInfo] | None = None
        self._chat_model: Any = chat_model
        self._llm_lock = threading.Lock()
        self._llm_failed_at: float | None = None
        self.llm_notice: str | None = None
        """Why the configured chat model is unavailable (French), while it is; else None."""

    def chat_model(self) -> Any:
        """The configured chat model, or None offline or when it cannot be built.

        When it cannot be built, ``llm_notice`` says why (for the answers to show) and the
        build is tried again after ``CHAT_MODEL_RETRY`` seconds. The local server is checked
        at each call: one that stopped (crashed, killed) is started again.
        """
        provider = self.settings.llm_provider
        if self._chat_model is None and provider == "none":
            return None
        with self._llm_lock:  # a server start may take a while: the other loads go on
            if self._chat_model is not None and provider != "local":
                return self._chat_model
            failed_at = self._llm_failed_at
            if failed_at is not None and time.monotonic() - failed_at < CHAT_MODEL_RETRY:
                return None
            try:
                self._chat_model = assistant.build_chat_model(self.settings)
            except (ImportError, AssistantError) as exc:
                reason = (
                    f"{exc.message} {exc.hint or ''}".strip()
                    if isinstance(exc, AssistantError)
                    else f"Le client du modèle de langage n'est pas installé ({exc.name})."
                )
                logger.warning("chat model unavailable, offline answers: %s", reason)
                self._chat_model = None
                self._llm_failed_at = time.monotonic()
                self.llm_notice = assistant.NOTICE_FAILED.format(reason=reason)
                return None
            self._llm_failed_at = None
            self.llm_notice = None
            return self._chat_model

    @property
    def shared(self) -> bool:
        """True in shared mode (accounts, login), False in local mode."""
        return self.settings.mode == "shared"

    def store(self) -> Store:
        """The dossier store the API uses.

        Raises:
            DatabaseUnavailableError: The database cannot be reached, or the page has no store.
        """
        if self.api is None:
            from assistant.store import DatabaseUnavailableError

            raise DatabaseUnavailableError("Les dossiers ne sont pas disponibles dans cette page.")
        return self.api.store()

    def kb(self) -> KnowledgeBase:
        """The indicator knowledge base (loaded once)."""
        with self._lock:
            if self._kb is None:
                self._kb = assistant.load_kb(self.settings.corpus_dir)
            return self._kb

    def rules(self) -> RuleSet:
        """The campaign's rules (loaded once)."""
        with self._lock:
            if self._rules is None:
                self._rules = assistant.load_rules(self.settings.rules_file)
            return self._rules

    def catalog(self) -> list[DocumentInfo]:
        """The corpus catalog (read once)."""
        with self._lock:
            if self._catalog is None:
                self._catalog = assistant.load_catalog(self.settings.corpus_dir)
            return self._catalog

    def titles(self) -> dict[str, str]:
        """Document id -> title, to name the sources of findings."""
        return {doc.id: doc.title for doc in self.catalog()}

    def warm(self) -> None:
        """Load the knowledge base, the rules and the index now; rebuild a damaged index.

        Each part is loaded on its own: one that fails (logged) does not keep the others cold.
        """
        for load in (self.kb, self.rules, self.catalog):
            try:
                load()
            except AssistantError as exc:
                logger.warning("warm-up incomplete: %s", exc.message)
        try:
            # the query embedder and the dense part, checked before the first question
            self.service.index().verify_dense()
        except IndexNotReadyError:
            # a second look from a fresh Index before rebuilding: never rebuild on a transient
            # failure (a rebuild replaces the hybrid index with a lexical one for a while)
            try:
                self.service.index().verify_dense()  # a failed open is not cached: a new probe
            except IndexNotReadyError as exc:
                self.service.repair(exc)
        except AssistantError as exc:
            logger.warning("warm-up incomplete: %s", exc.message)

    def scratch(self) -> Path:
        """A new folder for files handed to the browser (one per request; a day's are kept)."""
        root = Path(tempfile.gettempdir()) / "cpom-app"
        root.mkdir(parents=True, exist_ok=True)
        old = time.time() - SCRATCH_MAX_AGE
        for folder in root.iterdir():
            with contextlib.suppress(OSError):
                if folder.stat().st_mtime < old:
                    shutil.rmtree(folder, ignore_errors=True)
        folder = root / uuid.uuid4().hex
        folder.mkdir()
        return folder


__all__ = ["AppContext", "IndexService"]
