"""A tiny OpenAI-compatible chat server on loopback, for the proposal and drafting LLM tests.

It answers ``POST /v1/chat/completions`` with scripted replies, in order (the last one
repeats), and records every request. A reply is a JSON-able object: it is returned as a tool
call when the request offers tools (function calling), else as the message content (JSON mode
or JSON schema). ``GET /v1/models`` lists one model.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeChatServer:
    """Scripted replies and the requests received."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def next_reply(self, request: dict[str, Any]) -> Any:
        with self._lock:
            self.requests.append(request)
            index = min(len(self.requests) - 1, len(self.replies) - 1)
            return self.replies[index]


def _completion(request: dict[str, Any], reply: Any) -> dict[str, Any]:
    text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
    message: dict[str, Any] = {"role": "assistant", "content": text}
    finish = "stop"
    tools = request.get("tools") or []
    if tools:
        name = tools[0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": name, "arguments": text},
                }
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _handler(state: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, payload: dict[str, Any], status: int = 200) -> None:
            body = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send({"object": "list", "data": [{"id": "fake", "object": "model"}]})
            else:
                self._send({"error": {"message": "not found"}}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send({"error": {"message": "not found"}}, 404)
                return
            self._send(_completion(request, state.next_reply(request)))

    return Handler


@contextmanager
def fake_chat_server(replies: list[Any]) -> Iterator[tuple[str, FakeChatServer]]:
    """Serve scripted replies on loopback; yields (base URL ending in /v1, state)."""
    state = FakeChatServer(replies)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
