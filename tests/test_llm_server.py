"""LocalServer: start, reuse, refuse a taken port, time out, report a crash, stop on exit.

The child is a small fake server script written in tmp_path, launched through the real
``LocalServer`` code path (``launcher=[python, script]``): it receives the same options as
``python -m llama_cpp.server`` and answers ``/v1/models`` like it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from assistant.errors import LLMUnavailableError
from assistant.llm.local_server import LocalServer

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent

FAKE_SERVER = textwrap.dedent(
    """\
    import argparse, json, os, sys, time
    from http.server import BaseHTTPRequestHandler, HTTPServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--record")
    for option in ("--model", "--model_alias", "--host", "--port", "--n_ctx", "--n_threads"):
        parser.add_argument(option, required=True)
    args = parser.parse_args()
    if args.record:
        with open(args.record, "w") as out:
            json.dump({"pid": os.getpid(), "argv": sys.argv[1:]}, out)
    if args.mode == "crash":
        print("error: failed to load model", args.model, flush=True)
        sys.exit(3)
    if args.mode == "silent":
        time.sleep(600)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/v1/models":
                self.send_error(404)
                return
            body = json.dumps({"object": "list", "data": [{"id": args.model_alias}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    HTTPServer((args.host, int(args.port)), Handler).serve_forever()
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "mon-modele-q4.gguf"
    path.write_bytes(b"GGUF\0")
    return path


@pytest.fixture
def fake_launcher(tmp_path: Path) -> list[str]:
    script = tmp_path / "fake_llama_server.py"
    script.write_text(FAKE_SERVER, encoding="utf-8")
    return [sys.executable, str(script)]


@contextmanager
def _http_server(port: int, *, models_body: dict[str, object] | None) -> Iterator[None]:
    """An in-process HTTP server on the port: an LLM server if models_body, else a 404 site."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if models_body is None or self.path != "/v1/models":
                self.send_error(404)
                return
            body = json.dumps(models_body).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_server_is_started_with_the_llama_cpp_options_and_stopped_on_exit(
    tmp_path: Path, model_file: Path, fake_launcher: list[str]
) -> None:
    port = _free_port()
    record = tmp_path / "record.json"
    server = LocalServer(
        model_file, port=port, n_threads=2, launcher=[*fake_launcher, "--record", str(record)]
    )

    with server:
        assert server.owned
        process = server.process
        assert process is not None
        assert server.base_url == f"http://127.0.0.1:{port}/v1"
        assert server.model == "mon-modele-q4"
        answer = httpx.get(f"{server.base_url}/models", trust_env=False)
        assert answer.json()["data"][0]["id"] == "mon-modele-q4"

    argv = json.loads(record.read_text())["argv"]
    assert argv[argv.index("--model") + 1] == str(model_file)
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("--port") + 1] == str(port)
    assert argv[argv.index("--n_ctx") + 1] == "4096"
    assert argv[argv.index("--n_threads") + 1] == "2"
    assert process.poll() is not None
    assert server.process is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v1/models", trust_env=False)


def test_a_server_already_answering_on_the_port_is_reused_and_left_running(
    model_file: Path,
) -> None:
    port = _free_port()
    never_started = [sys.executable, "-c", "raise SystemExit(9)"]
    with _http_server(port, models_body={"data": [{"id": "deja-la"}]}):
        with LocalServer(model_file, port=port, launcher=never_started) as server:
            assert server.model == "deja-la"
            assert not server.owned

        still = httpx.get(f"http://127.0.0.1:{port}/v1/models", trust_env=False)
        assert still.status_code == 200


def test_a_port_taken_by_another_web_server_is_refused_in_french(
    model_file: Path, fake_launcher: list[str]
) -> None:
    port = _free_port()
    with (
        _http_server(port, models_body=None),
        pytest.raises(LLMUnavailableError) as caught,
    ):
        LocalServer(model_file, port=port, launcher=fake_launcher).start()

    assert f"Le port {port} est déjà utilisé par un autre programme" in caught.value.message


def test_a_port_taken_by_a_silent_listener_is_refused_in_french(
    model_file: Path, fake_launcher: list[str]
) -> None:
    port = _free_port()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        with pytest.raises(LLMUnavailableError, match=f"Le port {port} est déjà utilisé"):
            LocalServer(model_file, port=port, launcher=fake_launcher).start()


def test_a_server_that_never_answers_times_out_and_is_killed(
    tmp_path: Path, model_file: Path, fake_launcher: list[str]
) -> None:
    record = tmp_path / "record.json"
    launcher = [*fake_launcher, "--mode", "silent", "--record", str(record)]
    server = LocalServer(model_file, port=_free_port(), launcher=launcher, startup_timeout=2)

    with pytest.raises(LLMUnavailableError) as caught:
        server.start()

    assert "n'a pas répondu" in caught.value.message
    assert "dans les 2 s ; il a été arrêté" in caught.value.message
    assert not _alive(json.loads(record.read_text())["pid"])
    assert server.process is None


def test_a_server_that_stops_at_startup_is_reported_with_its_log(
    model_file: Path, fake_launcher: list[str]
) -> None:
    server = LocalServer(
        model_file, port=_free_port(), launcher=[*fake_launcher, "--mode", "crash"]
    )

    with pytest.raises(LLMUnavailableError) as caught:
        server.start()

    assert "s'est arrêté au démarrage (code 3)" in caught.value.message
    assert caught.value.hint is not None
    assert "failed to load model" in caught.value.hint


def test_a_missing_runtime_tells_the_user_to_run_make_llm(
    model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if llama-cpp-python were absent

    with pytest.raises(LLMUnavailableError) as caught:
        LocalServer(model_file, port=_free_port()).start()

    assert "llama-cpp-python" in caught.value.message
    assert "n'est pas installé" in caught.value.message
    assert caught.value.hint is not None
    assert "make llm" in caught.value.hint


def test_the_child_is_stopped_when_the_parent_exits_without_stop(
    tmp_path: Path, model_file: Path, fake_launcher: list[str]
) -> None:
    record = tmp_path / "record.json"
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from assistant.llm.local_server import LocalServer\n"
        "server = LocalServer(Path(sys.argv[1]), port=int(sys.argv[2]), launcher=sys.argv[3:])\n"
        "server.start()\n"
        "print(server.model)\n"
    )
    port = _free_port()
    launcher = [*fake_launcher, "--record", str(record)]
    done = subprocess.run(
        [sys.executable, "-c", program, str(model_file), str(port), *launcher],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )

    assert done.stdout.strip() == "mon-modele-q4"
    assert not _alive(json.loads(record.read_text())["pid"])
