"""A llama.cpp server on loopback, started as a child process (``CPOM_LLM_PROVIDER=local``).

``LocalServer(model_file)`` runs ``python -m llama_cpp.server --model FILE --host 127.0.0.1
--port PORT --n_ctx 4096 --n_threads N`` (the ``llm`` extra: ``make llm``), or reuses a server
already answering ``/v1/models`` on that port, waits until it answers, and stops the child on
exit (context manager, ``stop()`` or at interpreter exit). Clients then talk to ``base_url``
with the ordinary OpenAI-compatible client, like any other endpoint.

Run ``python -m assistant.llm.local_server --size 0.5b`` for a smoke answer through a real server.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from assistant.config import get_settings
from assistant.errors import LLMUnavailableError
from assistant.llm.local_model import MODELS, ensure_model

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "LocalServer", "main"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_RUNTIME_LAUNCHER = (sys.executable, "-m", "llama_cpp.server")
_PROBE_TIMEOUT = 2.0
_POLL_INTERVAL = 0.2
_STOP_TIMEOUT = 5.0
_LOG_TAIL_LINES = 5


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def runtime_installed() -> bool:
    """Whether llama-cpp-python (the ``llm`` extra) is importable here."""
    try:
        return importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


class LocalServer:
    """One llama.cpp OpenAI-compatible server on loopback, started here or reused.

    Args:
        model_file: the GGUF file to serve (see ``assistant.llm.local_model.ensure_model``).
        host: the loopback address to bind.
        port: the port; a server already answering ``/v1/models`` there is reused.
        n_ctx: the context size in tokens.
        n_threads: decoding threads; defaults to the CPUs this process may use.
        startup_timeout: seconds to wait for ``/v1/models`` to answer.
        launcher: the command that starts the server, before its options; defaults to
            ``python -m llama_cpp.server`` (tests pass a small fake server script).
        model_alias: the model name the server reports; defaults to the file's stem.
    """

    def __init__(
        self,
        model_file: Path,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        startup_timeout: float = 60.0,
        launcher: Sequence[str] | None = None,
        model_alias: str | None = None,
    ) -> None:
        self.model_file = Path(model_file)
        self.host = host
        self.port = port
        self.n_ctx = n_ctx
        self.n_threads = n_threads or _default_threads()
        self.startup_timeout = startup_timeout
        self.launcher = tuple(launcher) if launcher is not None else _RUNTIME_LAUNCHER
        self.model_alias = model_alias or self.model_file.stem
        self.process: subprocess.Popen[bytes] | None = None
        self.log_file: Path | None = None
        self._log: IO[bytes] | None = None
        self._model: str | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``http://127.0.0.1:PORT/v1``)."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def model(self) -> str:
        """The model name the server reports in ``/v1/models`` (after ``start()``)."""
        if self._model is None:
            raise RuntimeError("LocalServer.model is known only after start()")
        return self._model

    @property
    def owned(self) -> bool:
        """True when this object started the server (and will stop it)."""
        return self.process is not None

    def command(self) -> list[str]:
        """The command line that starts the server."""
        return [
            *self.launcher,
            "--model",
            str(self.model_file),
            "--model_alias",
            self.model_alias,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.n_threads),
        ]

    def start(self) -> LocalServer:
        """Reuse a server answering on the port, or start one and wait until it answers.

        Returns:
            self, so that ``with LocalServer(path).start() as server:`` also reads well.

        Raises:
            LLMUnavailableError: missing runtime, port taken by another program, or a server
                that stopped or did not answer within ``startup_timeout`` (French messages).
        """
        if self._model is not None:
            return self
        status = self._probe()
        if isinstance(status, str):
            logger.info("reusing the LLM server on %s (model %s)", self.base_url, status)
            self._model = status
            return self
        if status is not None or not _port_free(self.host, self.port):
            raise LLMUnavailableError(
                f"Le port {self.port} est déjà utilisé par un autre programme, qui ne répond "
                f"pas comme un serveur de modèle de langage ({self.base_url}/models).",
                hint="Arrêtez ce programme, ou choisissez un autre port pour le serveur local.",
            )
        self._check_runtime()
        self._spawn()
        self._wait_ready()
        return self

    def running(self) -> bool:
        """Whether the server started (or reused) by ``start()`` is still there.

        The child process must be alive and the port must accept connections (a killed
        server closes its sockets before its process is gone). ``/v1/models`` is not asked:
        it may wait while the server is busy with another answer.
        """
        if self._model is None:
            return False
        if self.process is not None and self.process.poll() is not None:
            return False
        return _listening(self.host, self.port)

    def stop(self) -> None:
        """Stop the child server, if this object started one (reused servers stay up)."""
        process, self.process = self.process, None
        atexit.unregister(self.stop)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            logger.info("stopped the LLM server on %s", self.base_url)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.log_file is not None:
            self.log_file.unlink(missing_ok=True)
            self.log_file = None
        self._model = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- internals ----------------------------------------------------------------------------

    def _probe(self) -> str | int | None:
        """The served model name, an HTTP status if something else answers, None if nothing.

        A listener that accepts but does not answer counts as "something else" (status 0).
        """
        try:
            response = httpx.get(f"{self.base_url}/models", timeout=_PROBE_TIMEOUT, trust_env=False)
        except httpx.ConnectError:
            return None
        except httpx.HTTPError:
            return 0
        if response.status_code != httpx.codes.OK:
            return response.status_code
        try:
            body: Any = response.json()
            name = body["data"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            return response.status_code
        return str(name)

    def _check_runtime(self) -> None:
        if self.launcher == _RUNTIME_LAUNCHER and not runtime_installed():
            raise LLMUnavailableError(
                "Le moteur du modèle local (llama-cpp-python) n'est pas installé.",
                hint="Lancez « make llm » : il installe le moteur et télécharge le modèle.",
            )

    def _spawn(self) -> None:
        fd, name = tempfile.mkstemp(prefix="cpom-llm-server-", suffix=".log")
        self.log_file = Path(name)
        self._log = os.fdopen(fd, "wb")
        command = self.command()
        logger.info("starting the LLM server: %s", " ".join(command))
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
            )
        except OSError as exc:
            self.stop()
            raise LLMUnavailableError(
                f"Impossible de lancer le serveur du modèle local : {exc.strerror or exc}."
            ) from exc
        atexit.register(self.stop)

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            code = self.process.poll()
            if code is not None:
                tail = self._log_tail()
                self.stop()
                raise LLMUnavailableError(
                    f"Le serveur du modèle local s'est arrêté au démarrage (code {code}).",
                    hint=f"Dernières lignes de son journal : {tail}" if tail else None,
                )
            status = self._probe()
            if isinstance(status, str):
                self._model = status
                logger.info("LLM server ready on %s (model %s)", self.base_url, status)
                return
            if time.monotonic() >= deadline:
                tail = self._log_tail()
                self.stop()
                raise LLMUnavailableError(
                    f"Le serveur du modèle local n'a pas répondu sur {self.base_url}/models "
                    f"dans les {self.startup_timeout:g} s ; il a été arrêté.",
                    hint="La machine est peut-être trop chargée, ou le modèle trop gros pour sa "
                    "mémoire." + (f" Fin de son journal : {tail}" if tail else ""),
                )
            time.sleep(_POLL_INTERVAL)

    def _log_tail(self) -> str:
        if self.log_file is None:
            return ""
        with contextlib.suppress(OSError):
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
            return " | ".join(line.strip() for line in lines[-_LOG_TAIL_LINES:] if line.strip())
        return ""


def _listening(host: str, port: int) -> bool:
    """True when something accepts TCP connections on (host, port), or is too busy to say."""
    try:
        with socket.create_connection((host, port), timeout=_PROBE_TIMEOUT):
            return True
    except TimeoutError:  # a full backlog: busy, not gone
        return True
    except OSError:
        return False


def _port_free(host: str, port: int) -> bool:
    """True when nothing listens on (host, port): a bind with SO_REUSEADDR succeeds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


# --- command line: a smoke answer -------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server, send one chat completion, print the answer and the speed."""
    parser = argparse.ArgumentParser(
        prog="python -m assistant.llm.local_server",
        description="Démarre le serveur du modèle local et vérifie qu'il répond.",
    )
    parser.add_argument("--size", choices=sorted(MODELS), default="1.5b", help="taille du modèle")
    parser.add_argument("--model-path", type=Path, help="un fichier GGUF déjà présent")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port sur 127.0.0.1")
    parser.add_argument(
        "--question",
        default="En une phrase : à quoi sert un contrat pluriannuel d'objectifs et de moyens ?",
        help="la question envoyée au modèle",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        model_file = ensure_model(
            args.size, model_path=args.model_path, cache_dir=get_settings().llm_models_dir
        )
        started = time.monotonic()
        with LocalServer(model_file, port=args.port) as server:
            loaded = time.monotonic() - started
            model_name = server.model
            started = time.monotonic()
            response = httpx.post(
                f"{server.base_url}/chat/completions",
                json={
                    "model": server.model,
                    "messages": [{"role": "user", "content": args.question}],
                    "max_tokens": 96,
                    "temperature": 0,
                },
                timeout=120.0,
                trust_env=False,
            )
            elapsed = time.monotonic() - started
            response.raise_for_status()
            body = response.json()
    except LLMUnavailableError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"Conseil : {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except httpx.HTTPError as exc:
        print(f"Erreur : le serveur du modèle local n'a pas répondu ({exc}).", file=sys.stderr)
        return 2
    answer = body["choices"][0]["message"]["content"].strip()
    tokens = int(body.get("usage", {}).get("completion_tokens", 0))
    print(f"Modèle : {model_name} ({model_file})")
    print(f"Démarrage du serveur : {loaded:.1f} s ; réponse : {tokens} jetons en {elapsed:.1f} s")
    print(f"Réponse : {answer}")
    return 0 if answer else 1


if __name__ == "__main__":
    raise SystemExit(main())
