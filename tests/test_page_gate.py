"""The gate in front of the app's page, at the ASGI level: what it does when a client leaves."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.middleware.base import BaseHTTPMiddleware

from assistant.api.pages import PageGate


def _scope(app: FastAPI, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"accept", b"text/html")],
        "scheme": "http",
        "server": ("127.0.0.1", 7860),
        "app": app,
    }


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run ``coroutine`` on a loop of its own (a browser test may hold this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _nothing() -> dict[str, Any]:
    return {"type": "http.disconnect"}


class _Trip:
    """One request through the gate to an app that records it and sends nothing back."""

    def __init__(self, mode: str, path: str) -> None:
        self.app = FastAPI()
        self.app.state.api_context = SimpleNamespace(mode=mode)
        self.scope = _scope(self.app, path)
        self.reached: list[str] = []
        self.sent: list[dict[str, Any]] = []

    async def inner(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.reached.append(scope["path"])

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def through(self, middleware: Any) -> None:
        _run(middleware(self.scope, _nothing, self.send))


@pytest.mark.parametrize("mode", ["local", "shared"])
def test_a_client_leaving_before_the_answer_is_no_server_error(mode: str) -> None:
    # the app below sends nothing, as when the browser closed the tab mid-stream: Starlette's
    # BaseHTTPMiddleware raised « No response returned. » there, and the log held a traceback
    trip = _Trip(mode, "/api/health")
    trip.through(PageGate(trip.inner))
    assert trip.reached == ["/api/health"]
    assert trip.sent == []

    # what the gate was before: the same client, the same app, a server error
    async def passthrough(request: Any, call_next: Any) -> Any:
        return await call_next(request)

    with pytest.raises(RuntimeError, match="No response returned"):
        trip.through(BaseHTTPMiddleware(trip.inner, dispatch=passthrough))


def test_a_browser_without_a_session_is_sent_to_the_login_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.api import pages
    from assistant.errors import NotAuthenticatedError

    def refuse(request: Any, context: Any) -> None:
        raise NotAuthenticatedError("Session absente.")

    monkeypatch.setattr(pages, "authenticate", refuse)
    trip = _Trip("shared", "/")
    trip.through(PageGate(trip.inner))
    assert trip.reached == []  # the page is never reached
    assert trip.sent[0]["status"] == 303
    assert (b"location", pages.LOGIN_PATH.encode()) in trip.sent[0]["headers"]
