"""The HTTP JSON API over the dossier service (``/api/``), served by the app's process.

A thin adapter: routes authenticate the caller and call the store's services, which decide
every access. `build_api` makes the FastAPI application the app's server mounts its page on.
"""

from __future__ import annotations

from assistant.api.app import build_api
from assistant.api.auth import SESSION_COOKIE, authenticate
from assistant.api.context import ApiContext
from assistant.api.modes import check_address, is_loopback

__all__ = [
    "SESSION_COOKIE",
    "ApiContext",
    "authenticate",
    "build_api",
    "check_address",
    "is_loopback",
]
