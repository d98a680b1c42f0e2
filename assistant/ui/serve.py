"""Serving the app: the process's memory settings, and the app run as a child on the loopback.

``serve_app`` is how the browser tests, the load test and the load bench run the real app
(``python app.py --lexical-only``) and wait until it serves.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 180.0
"""Seconds an app started by ``serve_app`` has to answer its first request."""
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's memory arenas before the worker threads start (``MALLOC_ARENA_MAX``).

    Each new thread otherwise gets an arena of its own, and the app's memory grows by steps
    under concurrent use (``bench/bench_load.py``). An explicit ``MALLOC_ARENA_MAX`` wins.

    Returns:
        Whether the cap was set (False off glibc or when the environment sets it).
    """
    import ctypes
    import ctypes.util

    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


@dataclass(frozen=True)
class ServedApp:
    """A running app: its URL, process and folders."""

    url: str
    pid: int
    log: Path
    scratch: Path
    """The app's temporary folder (TMPDIR): per-request report folders and Gradio's cache."""


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_app(
    entry: Path,
    workdir: Path,
    *,
    port: int = 0,
    index_dir: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[ServedApp]:
    """Run ``entry --lexical-only`` on 127.0.0.1 until the block ends (then always stop it).

    Args:
        entry: The app's script (``app.py``); it runs from its folder.
        workdir: Where the app's data, temporary files and log go.
        port: The port (0: a free one).
        index_dir: The index to serve (default: the app's own; the app rebuilds an index it
            finds damaged, so serve a copy of one you care about).
        extra_env: More environment variables for the app (``CPOM_*``, experiments).
    """
    port = port or free_port()
    scratch = workdir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("CPOM_LLM_PROVIDER", "none")
    env |= {
        "CPOM_APP_DATA_DIR": str(workdir / "var"),
        "TMPDIR": str(scratch),
        "GRADIO_TEMP_DIR": str(scratch / "gradio"),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
    }
    if index_dir is not None:
        env["CPOM_INDEX_DIR"] = str(index_dir)
    env |= extra_env or {}
    log = workdir / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(entry), "--lexical-only"],
            cwd=entry.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_served(url, process, log)
        yield ServedApp(url, process.pid, log, scratch)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def wait_until_served(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the app at ``url`` answers 200; fail with the end of its log if it exits.

    Raises:
        RuntimeError: The app exited, or did not serve within ``START_TIMEOUT`` seconds.
    """
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited:\n{log.read_text(encoding='utf-8')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app never served {url}:\n{log.read_text(encoding='utf-8')[-3000:]}")


def log_lines(log: Path, *starts: str) -> list[str]:
    """The lines of the app's log that start with one of ``starts``."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if line.startswith(starts)]


__all__ = [
    "START_TIMEOUT",
    "ServedApp",
    "free_port",
    "limit_malloc_arenas",
    "log_lines",
    "serve_app",
    "wait_until_served",
]
