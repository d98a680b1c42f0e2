"""A tiny OpenAI-compatible server on loopback that returns recorded chat completions.

``POST /v1/chat/completions`` answers with the next scripted reply (the last one repeats) and
records every request; ``stream: true`` requests get server-sent events, word by word. A reply
is a dict:

- ``{"content": "..."}``: a normal completion;
- ``{"status": 500, "body": {...}}``: an HTTP error;
- ``{"sleep": 3.0, "content": "..."}``: answers after a delay (for client timeouts);
- ``{"raw": "not json"}``: a malformed body;
- ``{"reject_json_schema": True, "content": "..."}``: HTTP 500 when the request asks for
  ``response_format`` ``json_schema`` (as llama.cpp's server does), else the content;
- ``{"die_after": 3, "content": "..."}``: a streamed answer cut after that many words: no
  ``finish_reason``, no ``[DONE]``, the connection closed abruptly, as when the server process
  dies mid-answer. ``"framing": "chunked"`` (the default, as uvicorn streams) leaves an
  incomplete chunked body; ``"close"`` ends an HTTP/1.0 body that is delimited by the close,
  so the client sees a clean end of stream; ``"reset"`` resets the connection (TCP RST);
  ``"stall"`` sends nothing more and keeps the connection open (until the server stops or
  its process is killed).

``GET /v1/models`` lists one model.

Run as a program, it stands in for ``python -m llama_cpp.server`` (same options) in a real
child process: ``python -m tests.fake_openai_server --model F --model_alias A --host H --port P
--n_ctx N --n_threads T --replies FILE``; FILE holds the JSON list of replies and is read again
for every request, so that a test can change the script while the child runs.
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Script:
    """Scripted replies (a list, or a JSON file read at each request) and the requests received."""

    def __init__(self, replies: list[dict[str, Any]], *, path: Path | None = None) -> None:
        self.replies = list(replies)
        self.path = path
        self.requests: list[dict[str, Any]] = []
        self.closing = threading.Event()
        self._lock = threading.Lock()

    def next_reply(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self.path is not None:
                self.replies = json.loads(self.path.read_text(encoding="utf-8"))
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


def _handler(script: Script, model_id: str = "recorded") -> type[BaseHTTPRequestHandler]:
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
                body = {"object": "list", "data": [{"id": model_id, "object": "model"}]}
                self._send(200, json.dumps(body).encode())
            else:
                self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            request["_headers"] = {k.lower(): v for k, v in self.headers.items()}
            reply = script.next_reply(request)
            model = request.get("model", model_id)
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
            if "die_after" in reply:
                self._stream_then_die(model, content, reply)
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

        def _stream_then_die(self, model: str, content: str, reply: dict[str, Any]) -> None:
            framing = reply.get("framing", "chunked")
            chunked = framing != "close"
            if chunked:
                self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            events = [_chunk(model, {"role": "assistant", "content": ""})]
            words = content.split(" ")[: int(reply["die_after"])]
            events += [_chunk(model, {"content": word + " "}) for word in words]
            for event in events:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event) if chunked else event)
            self.wfile.flush()
            if framing == "stall":
                script.closing.wait()
            elif framing == "reset":  # SO_LINGER 0: close() sends RST instead of FIN
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

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
        script.closing.set()
        server.shutdown()
        server.server_close()


def main(argv: Sequence[str] | None = None) -> None:
    """Serve like ``python -m llama_cpp.server`` would (the options it takes), until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=Path, required=True)
    for option in ("--model", "--model_alias", "--host", "--port", "--n_ctx", "--n_threads"):
        parser.add_argument(option, required=True)
    args = parser.parse_args(argv)
    script = Script([], path=args.replies)
    server = ThreadingHTTPServer((args.host, int(args.port)), _handler(script, args.model_alias))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
