"""A tiny OpenAI-compatible server on loopback that returns recorded chat completions.

``POST /v1/chat/completions`` answers with the next scripted reply (the last one repeats) and
records every request; ``stream: true`` requests get server-sent events, word by word. A reply
is a dict:

- ``{"content": "..."}``: a normal completion;
- ``{"status": 500, "body": {...}}``: an HTTP error;
- ``{"sleep": 3.0, "content": "..."}``: answers after a delay (for client timeouts);
- ``{"raw": "not json"}``: a malformed body;
- ``{"reject_json_schema": True, "content": "..."}``: HTTP 500 when the request asks for
  ``response_format`` ``json_schema`` (as llama.cpp's server does), else the content.

``GET /v1/models`` lists one model.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Script:
    """Scripted replies and the requests received."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def next_reply(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(request)
            return self.replies[min(len(self.requests) - 1, len(self.replies) - 1)]


def _completion(model: str, content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-recorded",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-recorded",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, payload: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                body = {"object": "list", "data": [{"id": "recorded", "object": "model"}]}
                self._send(200, json.dumps(body).encode())
            else:
                self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            request["_headers"] = {k.lower(): v for k, v in self.headers.items()}
            reply = script.next_reply(request)
            model = request.get("model", "recorded")
            if reply.get("sleep"):
                time.sleep(float(reply["sleep"]))
            fmt = (request.get("response_format") or {}).get("type")
            if reply.get("reject_json_schema") and fmt == "json_schema":
                self._send(500, b'{"error": {"message": "json_schema is not supported"}}')
                return
            if "status" in reply:
                body = reply.get("body") or {"error": {"message": "recorded failure"}}
                self._send(int(reply["status"]), json.dumps(body).encode())
                return
            if "raw" in reply:
                self._send(200, str(reply["raw"]).encode())
                return
            content = str(reply.get("content", ""))
            if not request.get("stream"):
                self._send(200, json.dumps(_completion(model, content)).encode())
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(_chunk(model, {"role": "assistant", "content": ""}))
            for word in content.split(" "):
                self.wfile.write(_chunk(model, {"content": word + " "}))
            self.wfile.write(_chunk(model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


@contextmanager
def serve(replies: list[dict[str, Any]]) -> Iterator[tuple[str, Script]]:
    """Run the server on 127.0.0.1 (a free port); yields (base URL ending in /v1, script)."""
    script = Script(replies)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", script
    finally:
        server.shutdown()
        server.server_close()
