"""The index as a long-running process holds it: opened once, built or repaired in place.

The app's server keeps one ``IndexService``: a missing or damaged index is built again (the
lexical part at once, the dense part in a background thread) and ``status`` says so in French.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError, IndexMissingError, IndexNotReadyError
from assistant.index.build import index_status, ingest
from assistant.index.manifest import IngestReport
from assistant.index.reader import Index

if TYPE_CHECKING:
    from assistant.config import Settings

logger = logging.getLogger(__name__)

__all__ = ["IndexService"]


class IndexService:
    """Opens the index once per process; builds it on first run (lexical first, then dense).

    A damaged index (interrupted build, damaged file, another embedder) is rebuilt the same
    way, and ``status`` says so: the app always starts.
    """

    def __init__(self, settings: Settings, *, embedder: Any | None = None) -> None:
        """Prepare the service (nothing is opened yet).

        Args:
            settings: The settings (index folder, embedder).
            embedder: An embedder to use instead of the one ``settings`` describe (tests).
        """
        self.settings = settings
        self.embedder = embedder
        self._status = "Index : en préparation."
        self._index: Index | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._dense = True

    @property
    def status(self) -> str:
        """The index status for the user (French), with a Chroma server that does not answer."""
        problem = self._index.dense_problem if self._index is not None else None
        if problem is None:
            return self._status
        return f"{self._status} Attention : {problem.message} Recherche lexicale en attendant."

    @status.setter
    def status(self, value: str) -> None:
        self._status = value

    def start(self, *, dense: bool = True) -> None:
        """Open the index (built or rebuilt now when missing or damaged), then complete it.

        The lexical part is built now when needed, the semantic part in the background. Never
        raises: when no index can be built, ``status`` says why and questions get the error.

        Args:
            dense: Build the semantic part in a background thread (False: lexical search only
                until a re-index is asked for).
        """
        self._dense = dense
        try:
            self.index()
        except IndexNotReadyError as exc:
            self.repair(exc)
            return
        self._serve()

    def repair(self, problem: IndexNotReadyError) -> None:
        """Build a missing index, or rebuild a damaged one: lexical part now, then dense.

        Args:
            problem: Why the index cannot be used (said in ``status``).
        """
        missing = isinstance(problem, IndexMissingError)
        if not missing:
            logger.warning("rebuilding the index: %s", problem.message)
        try:
            ingest(self.settings, rebuild=not missing, dense=False)
            self.index()
        except AssistantError as exc:
            logger.warning("index unavailable: %s", exc.message)
            self.status = f"Index indisponible : {exc.message} {exc.hint or ''}".strip()
            return
        self._serve("" if missing else f"Index reconstruit ({problem.message}). ")

    def _serve(self, prefix: str = "") -> None:
        manifest = index_status(self.settings)
        if manifest is not None and manifest.dense_ready:
            self.status = prefix + "Index : recherche hybride prête."
        elif self._dense:
            self.status = (
                prefix + "Index : recherche lexicale prête ; partie sémantique en construction."
            )
            self._thread = threading.Thread(target=self._complete, daemon=True, name="dense-index")
            self._thread.start()
        else:
            self.status = (
                prefix + "Index : recherche lexicale seulement (partie sémantique non construite)."
            )

    def _complete(self) -> None:
        try:
            ingest(self.settings, dense=True, embedder=self.embedder)
            self.status = "Index : recherche hybride prête."
        except AssistantError as exc:
            self.status = f"Index : {exc.message}"
            logger.warning("dense build failed: %s", exc.message)
        except Exception:  # the thread must not die silently: the status would lie
            self.status = (
                "Index : la construction de la partie sémantique a échoué (voir le journal)."
            )
            logger.exception("dense build failed")
        with contextlib.suppress(AssistantError):
            self.refresh()

    @property
    def building(self) -> bool:
        """Whether the background build is running."""
        return self._thread is not None and self._thread.is_alive()

    def ingest(self, *, rebuild: bool, progress: Any = None) -> IngestReport:
        """Update (or rebuild) the whole index now, then serve the new build.

        Raises:
            AssistantError: Another build is running, or nothing could be indexed.
        """
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
        with self._lock:
            if self._index is None:
                self._index = Index(self.settings, embedder=self.embedder)
            else:
                self._index.refresh()
            return self._index
