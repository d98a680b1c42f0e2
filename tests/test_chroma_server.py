"""Client/server mode against a real Chroma server that stops mid-session and comes back.

While the server is away, search and ask answer from the lexical index and say why (a French
note on stderr, ``Index.dense_problem`` for the app); ``Index.dense_search`` raises the French
:class:`VectorStoreUnavailableError`. Once the server answers again on the same port and data,
the same ``Index`` object is hybrid again, without restarting the process.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.cli import main
from assistant.config import Settings, get_settings
from assistant.embeddings import HashingEmbeddings
from assistant.errors import IndexNotReadyError, VectorStoreUnavailableError
from assistant.index.build import current_build, ingest
from assistant.index.chroma import chroma_client
from assistant.retrieval.hybrid import Index, search

pytestmark = [pytest.mark.server, pytest.mark.slow]

QUESTION = "date limite e-cars 25 juillet"


class ChromaServer:
    """A real ``chroma run`` child on loopback that can be stopped and started again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = Path(sys.executable).parent / "chroma"
        self._proc = subprocess.Popen(
            [exe, "run", "--path", self.path, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                pytest.fail(f"chroma server exited with {self._proc.returncode}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        pytest.fail("chroma server did not start")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=30)
        self._proc = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    srv = ChromaServer(tmp_path / "chroma-server")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def cli_env(
    tmp_path: Path, mini_corpus: Path, server: ChromaServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The CLI in server mode; its query embedder is the test's (the bundled one is slow)."""
    for name, value in {
        "CPOM_CORPUS_DIR": mini_corpus,
        "CPOM_INDEX_DIR": tmp_path / "index",
        "CPOM_EMBEDDING_CACHE_DIR": tmp_path / "cache",
        "CPOM_CHROMA_HOST": "127.0.0.1",
        "CPOM_CHROMA_PORT": server.port,
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setattr("assistant.embeddings.build_embedder", lambda settings: _embedder())
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _embedder() -> HashingEmbeddings:
    return HashingEmbeddings(dimension=64)


def _ranked(index: Index) -> list[str]:
    return [p.chunk.id for p in search(index, QUESTION, k=5)]


def test_server_stopped_mid_session_is_told_then_recovered(
    cli_env: Settings, server: ChromaServer, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = cli_env
    assert ingest(settings, embedder=_embedder()).dense_ready
    index = Index(settings, embedder=_embedder())
    hybrid = _ranked(index)
    assert index.dense_problem is None
    assert main(["search", QUESTION, "--json"]) == 0
    assert "Note" not in capsys.readouterr().err

    server.stop()
    with pytest.raises(VectorStoreUnavailableError) as err:
        index.dense_search(QUESTION, k=3)
    assert err.value.message == (
        f"Le serveur Chroma 127.0.0.1:{server.port} ne répond pas : "
        "la recherche sémantique est indisponible."
    )
    assert "l'assistant le retrouve dès qu'il répond" in (err.value.hint or "")
    lexical = _ranked(index)  # search goes on, from the lexical index, and says why
    assert lexical
    assert lexical != hybrid
    assert isinstance(index.dense_problem, VectorStoreUnavailableError)
    assert index.chunks[lexical[0]].doc_id == "guide-test"

    for command in (["search", QUESTION, "--json"], ["ask", "Quelle est la date limite ?"]):
        assert main(command) == 0
        out, err_text = capsys.readouterr()
        assert out.strip()
        assert err_text.count(f"Note : Le serveur Chroma 127.0.0.1:{server.port} ne répond") == 1
        assert "Résultats de la recherche lexicale seulement." in err_text
        assert "Traceback" not in err_text
    assert "25 juillet 2025" in out

    build = current_build(settings.index_dir)
    assert main(["ingest", "--rebuild"]) == 2  # a rebuild needs the server: refused, in French
    err_text = capsys.readouterr().err  # after the progress bars
    assert f"\nErreur : Le serveur Chroma 127.0.0.1:{server.port} ne répond" in err_text
    assert "Traceback" not in err_text
    assert current_build(settings.index_dir) == build  # the previous index is still in service

    opened_while_away = Index(settings, embedder=_embedder())
    opened_while_away.verify_dense()  # what the CLI and the app do at start: no exception
    assert isinstance(opened_while_away.dense_problem, VectorStoreUnavailableError)

    server.start()  # same port, same data
    assert _ranked(index) == hybrid  # the same objects, no restart of the process
    assert index.dense_problem is None
    assert _ranked(opened_while_away) == hybrid
    assert opened_while_away.dense_problem is None
    assert main(["search", QUESTION, "--json"]) == 0
    out, err_text = capsys.readouterr()
    assert "Note" not in err_text
    assert [r["text"] for r in json.loads(out)] == [index.chunks[c].text for c in hybrid]


def test_server_restarted_without_its_data_asks_for_a_rebuild(
    cli_env: Settings, server: ChromaServer, tmp_path: Path
) -> None:
    settings = cli_env
    ingest(settings, embedder=_embedder())
    index = Index(settings, embedder=_embedder())
    hybrid = _ranked(index)
    server.stop()
    server.path = tmp_path / "empty-server"
    server.start()
    with pytest.raises(IndexNotReadyError) as err:
        search(index, QUESTION)  # never a silent lexical answer for a permanent fault
    assert "est absente ou illisible" in err.value.message
    assert err.value.hint == "Reconstruisez-le : python -m assistant ingest --rebuild"
    assert ingest(settings, rebuild=True, embedder=_embedder()).dense_ready
    assert _ranked(Index(settings, embedder=_embedder())) == hybrid


def test_a_hung_server_times_out_then_recovers(
    tmp_path: Path, mini_corpus: Path, server: ChromaServer
) -> None:
    """A server that accepts connections but never answers (paused with SIGSTOP)."""
    import os
    import signal
    import threading

    from tests.conftest import make_settings

    settings = make_settings(
        tmp_path,
        corpus_dir=mini_corpus,
        chroma_host="127.0.0.1",
        chroma_port=server.port,
        chroma_timeout=1.0,
    )
    assert ingest(settings, embedder=_embedder()).dense_ready
    index = Index(settings, embedder=_embedder())
    hybrid = _ranked(index)
    assert server._proc is not None
    pid = server._proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        outcome: dict[str, object] = {}

        def query() -> None:
            try:
                index.dense_search(QUESTION, k=3)
            except VectorStoreUnavailableError as exc:
                outcome["error"] = exc
            outcome["lexical"] = _ranked(index)

        worker = threading.Thread(target=query, daemon=True)
        worker.start()
        worker.join(120)  # without a timeout, chromadb's client would wait for good
        assert not worker.is_alive(), "a hung Chroma server blocked the search"
    finally:
        os.kill(pid, signal.SIGCONT)
    assert isinstance(outcome["error"], VectorStoreUnavailableError)
    assert "ne répond pas" in outcome["error"].message
    assert outcome["lexical"]
    assert isinstance(index.dense_problem, VectorStoreUnavailableError)
    assert _ranked(index) == hybrid  # the server answers again: hybrid, same objects
    assert index.dense_problem is None


def test_the_client_gets_the_configured_timeout(cli_env: Settings) -> None:
    """chromadb has no supported timeout: this fails when the private path we set changes."""
    client = chroma_client(cli_env.model_copy(update={"chroma_timeout": 7.5}))
    session = client._server._session
    assert isinstance(session, httpx.Client)
    assert session.timeout == httpx.Timeout(7.5)
