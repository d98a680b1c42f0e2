"""What the API's routes share: the mode and the dossier store, opened on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable

from assistant.config import Settings
from assistant.kb import KnowledgeBase
from assistant.rules import RuleSet
from assistant.store import Store, require_admin_account, store_from_settings


class ApiContext:
    """The serving mode and the dossier store the API acts on.

    The store is opened on first use (an app that never serves the API never creates the
    database); an open that fails (database unreachable) is tried again at the next request.

    Args:
        settings: The settings (``mode``, ``database_url``, ``session_hours``).
        kb: Returns the knowledge base already loaded by the app (default: loaded here).
        rules: Returns the campaign's rules already loaded by the app (default: loaded here).
        store: An opened store to use instead (tests, benchmarks).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        kb: Callable[[], KnowledgeBase] | None = None,
        rules: Callable[[], RuleSet] | None = None,
        store: Store | None = None,
    ) -> None:
        self.settings = settings
        self._kb = kb
        self._rules = rules
        self._store = store
        self._lock = threading.Lock()

    @property
    def mode(self) -> str:
        """``local`` (one user on this computer, no login) or ``shared`` (accounts)."""
        return self.settings.mode

    @property
    def session_seconds(self) -> int:
        """How long a login session (and its cookie) lasts."""
        return int(self.settings.session_hours * 3600)

    def store(self) -> Store:
        """The dossier store, opened (and migrated) on first use.

        Raises:
            DatabaseUnavailableError: The database cannot be reached (tried again next time).
        """
        with self._lock:
            if self._store is None:
                self._store = store_from_settings(
                    self.settings,
                    kb=self._kb() if self._kb else None,
                    rules=self._rules() if self._rules else None,
                )
            return self._store

    def check_ready(self) -> None:
        """In shared mode, open the store now and refuse to serve without an administrator.

        Raises:
            DatabaseUnavailableError: The database cannot be reached.
            NotAuthenticatedError: No active administrator account (says which command
                creates one).
        """
        if self.mode == "shared":
            require_admin_account(self.store())

    def close(self) -> None:
        """Close the store's pooled connections, if it was opened."""
        with self._lock:
            if self._store is not None:
                self._store.close()
