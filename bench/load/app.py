"""The real app served on the loopback for the load test, over a copy of an index."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.load import ROOT

START_TIMEOUT = 180.0


@dataclass(frozen=True)
class App:
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
    workdir: Path,
    *,
    port: int = 0,
    index_dir: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[App]:
    """Run ``app.py --lexical-only`` on 127.0.0.1 until the block ends (then always stop it).

    Args:
        workdir: Where the app's data, temporary files and log go.
        port: The port (0: a free one).
        index_dir: The index to serve (default: the app's own; the app rebuilds an index it
            finds damaged, so serve a ``copy_index`` instead).
        extra_env: More environment variables for the app (experiments: ``MALLOC_ARENA_MAX``).
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
            [sys.executable, str(ROOT / "app.py"), "--lexical-only"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_served(url, process, log)
        yield App(url, process.pid, log, scratch)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def wait_until_served(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the app at ``url`` answers 200; fail with the end of its log if it exits."""
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


def copy_index(source: Path, target: Path) -> Path:
    """Copy the build in service of ``source`` (and ``CURRENT``) to ``target``; returns it.

    The app rebuilds an index it finds damaged: a bench must never touch the developer's.
    """
    from assistant.index.build import current_build

    build = current_build(source)
    target.mkdir(parents=True, exist_ok=True)
    if build is not None:
        shutil.copytree(build, target / "builds" / build.name)
        shutil.copyfile(source / "CURRENT", target / "CURRENT")
    return target


def index_description(index_dir: Path) -> str:
    """The index in a few words (hybrid or lexical, passages)."""
    from assistant.config import Settings
    from assistant.index.build import index_status

    manifest = index_status(Settings(_env_file=None, index_dir=index_dir))  # type: ignore[call-arg]
    if manifest is None:
        return f"no index in {index_dir} (the app builds a lexical one)"
    mode = "hybrid" if manifest.dense_ready else "lexical"
    return f"{mode}, {manifest.chunks} passages, a copy of {index_dir}"
