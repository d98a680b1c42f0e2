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


@pytest.mark.parametrize("mode", ["local", "shared"])
def test_a_client_leaving_before_the_answer_is_no_server_error(mode: str) -> None:
    # the app below sends nothing, as when the browser closed the tab mid-stream: Starlette's
    # BaseHTTPMiddleware raised « No response returned. » there, and the log held a traceback
    app = FastAPI()
    app.state.api_context = SimpleNamespace(mode=mode)
    reached: list[str] = []

    async def leaves(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append(scope["path"])

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    _run(PageGate(leaves)(_scope(app, "/api/health"), _nothing, send))
    assert reached == ["/api/health"]
    assert sent == []

    # what the gate was before: the same client, the same app, a server error
    async def passthrough(request: Any, call_next: Any) -> Any:
        return await call_next(request)

    with pytest.raises(RuntimeError, match="No response returned"):
        _run(BaseHTTPMiddleware(leaves, dispatch=passthrough)(_scope(app, "/"), _nothing, send))


def test_a_browser_without_a_session_is_sent_to_the_login_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.api import pages
    from assistant.errors import NotAuthenticatedError

    def refuse(request: Any, context: Any) -> None:
        raise NotAuthenticatedError("Session absente.")

    monkeypatch.setattr(pages, "authenticate", refuse)
    app = FastAPI()
    app.state.api_context = SimpleNamespace(mode="shared")
    reached: list[str] = []

    async def page(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append(scope["path"])

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    _run(PageGate(page)(_scope(app, "/"), _nothing, send))
    assert reached == []  # the page is never reached
    assert sent[0]["status"] == 303
    assert (b"location", pages.LOGIN_PATH.encode()) in sent[0]["headers"]
