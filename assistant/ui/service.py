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

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.kb import KnowledgeBase
    from assistant.retrieval import Index
    from assistant.rules import RuleSet
    from assistant.schemas import DocumentInfo

logger = logging.getLogger(__name__)

SCRATCH_MAX_AGE = 24 * 3600
"""Seconds a folder of files handed to the browser is kept."""


class IndexService:
    """Opens the index once per process; builds it on first run (lexical first, then dense)."""

    def __init__(self, settings: Settings, *, embedder: Any | None = None) -> None:
        """Prepare the service (nothing is opened yet).

        Args:
            settings: The settings (index folder, embedder).
            embedder: An embedder to use instead of the one ``settings`` describe (tests).
        """
        self.settings = settings
        self.embedder = embedder
        self.status = "Index : en préparation."
        self._index: Any = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, *, dense: bool = True) -> None:
        """Make sure an index exists (lexical part now), then complete it in the background.

        Args:
            dense: Build the semantic part in a background thread (False: lexical search only
                until a re-index is asked for).
        """
        from assistant.index import index_status, ingest

        manifest = index_status(self.settings)
        if manifest is None:
            ingest(self.settings, dense=False)
            manifest = index_status(self.settings)
        if manifest is not None and manifest.dense_ready:
            self.status = "Index : recherche hybride prête."
        elif dense:
            self.status = "Index : recherche lexicale prête ; partie sémantique en construction."
            self._thread = threading.Thread(target=self._complete, daemon=True, name="dense-index")
            self._thread.start()
        else:
            self.status = "Index : recherche lexicale seulement (partie sémantique non construite)."

    def _complete(self) -> None:
        from assistant.index import ingest

        try:
            ingest(self.settings, dense=True, embedder=self.embedder)
            self.status = "Index : recherche hybride prête."
        except AssistantError as exc:
            self.status = f"Index : {exc.message}"
            logger.warning("dense build failed: %s", exc.message)
        self.refresh()

    @property
    def building(self) -> bool:
        """Whether the background build is running."""
        return self._thread is not None and self._thread.is_alive()

    def ingest(self, *, rebuild: bool, progress: Any = None) -> Any:
        """Update (or rebuild) the whole index now, then serve the new build.

        Raises:
            AssistantError: Another build is running, or nothing could be indexed.
        """
        from assistant.index import ingest

        report = ingest(
            self.settings, rebuild=rebuild, dense=True, progress=progress, embedder=self.embedder
        )
        if report.dense_ready:
            self.status = "Index : recherche hybride prête."
        self.refresh()
        return report

    def refresh(self) -> None:
        """Pick up a build swapped in by another run (re-index, background thread)."""
        with self._lock:
            if self._index is not None:
                self._index.refresh()

    def index(self) -> Index:
        """The opened index (refreshed when a new build was swapped in).

        Raises:
            IndexNotReadyError: No index yet, or one built with another embedder.
        """
        from assistant.retrieval import Index

        with self._lock:
            if self._index is None:
                self._index = Index(self.settings, embedder=self.embedder)
            else:
                self._index.refresh()
            return self._index


class AppContext:
    """Everything the handlers share: settings, index, knowledge base, rules, local folders."""

    def __init__(
        self,
        settings: Settings,
        service: IndexService,
        data_dir: Path,
        *,
        chat_model: Any | None = None,
    ) -> None:
        """Prepare the context (the knowledge base and rules load on first use).

        Args:
            settings: The settings.
            service: The index service.
            data_dir: The app's local data folder (feedback, browser-state key).
            chat_model: A chat model to use instead of the one ``settings`` describe.
        """
        self.settings = settings
        self.service = service
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._rules: RuleSet | None = None
        self._catalog: list[DocumentInfo] | None = None
        self._chat_model: Any = chat_model

    def chat_model(self) -> Any:
        """The configured chat model (built once), or None offline or when it cannot be built."""
        if self._chat_model is None and self.settings.llm_provider == "none":
            return None
        with self._lock:
            if self._chat_model is None:
                try:
                    from assistant.llm import build_chat_model

                    self._chat_model = build_chat_model(self.settings)
                except (ImportError, AssistantError) as exc:
                    logger.warning("chat model unavailable, offline answers: %s", exc)
                    return None
            return self._chat_model

    def kb(self) -> KnowledgeBase:
        """The indicator knowledge base (loaded once)."""
        from assistant.kb import load_kb

        with self._lock:
            if self._kb is None:
                self._kb = load_kb(self.settings.corpus_dir)
            return self._kb

    def rules(self) -> RuleSet:
        """The campaign's rules (loaded once)."""
        from assistant.rules import load_rules

        with self._lock:
            if self._rules is None:
                self._rules = load_rules(self.settings.rules_file)
            return self._rules

    def catalog(self) -> list[DocumentInfo]:
        """The corpus catalog (read once)."""
        from assistant.corpus import load_catalog

        with self._lock:
            if self._catalog is None:
                self._catalog = load_catalog(self.settings.corpus_dir)
            return self._catalog

    def titles(self) -> dict[str, str]:
        """Document id -> title, to name the sources of findings."""
        return {doc.id: doc.title for doc in self.catalog()}

    def warm(self) -> None:
        """Load the knowledge base, the rules and the index now (in a background thread)."""
        try:
            self.kb()
            self.rules()
            self.catalog()
            index = self.service.index()
            if index.dense_ready:
                index.embedder()  # the query embedder, loaded before the first question
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
