"""The model cache: an official file is accepted once its size and sha256 are checked.

A file is written under a temporary name and renamed, so the cache never holds a half-written
model. The sha256 is computed once and recorded in a sidecar file (``<file>.sha256``); later
calls only compare sizes and dates.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

from assistant.errors import LLMUnavailableError
from assistant.llm.model_specs import ModelSpec, Progress

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
"""Bytes read or written at a time."""
NO_MODEL_HINT = (
    "Indiquez un fichier GGUF déjà présent sur la machine avec CPOM_LLM_MODEL_PATH, "
    "ou réessayez quand le dépôt de paquets est accessible."
)
"""The advice given whenever no source gave the official file."""


class Hasher(Protocol):
    """What a ``hashlib`` object offers to a copy loop."""

    def update(self, data: bytes, /) -> None:
        """Feed ``data`` to the digest."""


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def cached_ok(spec: ModelSpec, target: Path, progress: Progress | None) -> bool:
    """True when ``target`` is the official file; a wrong file is deleted."""
    if not target.is_file():
        return False
    stat = target.stat()
    if stat.st_size != spec.size_bytes:
        logger.warning("cached %s has the wrong size; deleting it", target)
        remove(target, _sidecar(target))
        return False
    try:
        record = json.loads(_sidecar(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    if record == {"sha256": spec.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}:
        return True
    with target.open("rb") as handle:
        digest = hash_stream(handle, spec.size_bytes, progress)
    if digest != spec.sha256:
        logger.warning("cached %s has the wrong sha256; deleting it", target)
        remove(target, _sidecar(target))
        return False
    _record(target, digest)
    return True


def _record(target: Path, digest: str) -> None:
    """Write the sidecar saying that ``target`` (as it is now) has sha256 ``digest``."""
    stat = target.stat()
    record = {"sha256": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    sidecar = _sidecar(target)
    tmp = sidecar.with_name(f".{sidecar.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record) + "\n", encoding="utf-8")
    os.replace(tmp, sidecar)


def install(spec: ModelSpec, tmp: Path, target: Path, size: int, digest: str) -> Path:
    """Accept ``tmp`` as ``target`` if it is the official file; otherwise delete it and raise."""
    problems = []
    if size != spec.size_bytes:
        problems.append(f"taille de {octets(size)} au lieu de {octets(spec.size_bytes)}")
    if digest != spec.sha256:
        problems.append(f"empreinte SHA-256 {digest} au lieu de {spec.sha256}")
    if problems:
        remove(tmp)
        raise LLMUnavailableError(
            f"Le modèle reconstitué ne correspond pas au fichier officiel {spec.filename!r} : "
            f"{' ; '.join(problems)}. Le fichier a été supprimé.",
            hint="Les paquets qui le transportent sont publiés par des tiers. " + NO_MODEL_HINT,
        )
    tmp.chmod(0o644)  # mkstemp creates 0600; the model is not a secret
    os.replace(tmp, target)
    _record(target, digest)
    logger.info("model %s checked and cached in %s", spec.filename, target)
    return target


def check_free_space(spec: ModelSpec, cache_dir: Path) -> None:
    """Refuse to start a download that the cache's disk cannot hold (the file and one part).

    Raises:
        LLMUnavailableError: not enough free space (French message with both sizes).
    """
    needed = spec.size_bytes + spec.size_bytes // max(spec.parts, 1) + (64 << 20)
    free = shutil.disk_usage(cache_dir).free
    if free < needed:
        raise LLMUnavailableError(
            f"Espace disque insuffisant dans {str(cache_dir)!r} pour le modèle "
            f"{spec.filename!r} : {octets(free)} libres, {octets(needed)} nécessaires.",
            hint="Libérez de la place, ou indiquez un fichier GGUF avec CPOM_LLM_MODEL_PATH.",
        )


@contextmanager
def temp_file(target: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    """A temporary file next to ``target``, deleted on exit unless it was renamed."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield path, handle
    finally:
        remove(path)


def hash_stream(handle: IO[bytes], total: int, progress: Progress | None) -> str:
    """The sha256 (hex) of what is left in ``handle``, reporting progress as "vérification"."""
    hasher = hashlib.sha256()
    done = 0
    while block := handle.read(CHUNK):
        hasher.update(block)
        done += len(block)
        if progress:
            progress("vérification", done, total)
    return hasher.hexdigest()


def remove(*paths: Path) -> None:
    """Delete each of ``paths`` that exists."""
    for path in paths:
        path.unlink(missing_ok=True)


def octets(n: int) -> str:
    """A byte count for a French message (``1 117 320 768 octets``)."""
    return f"{n:,} octets".replace(",", "\u202f")


__all__ = [
    "CHUNK",
    "NO_MODEL_HINT",
    "Hasher",
    "cached_ok",
    "check_free_space",
    "hash_stream",
    "install",
    "octets",
    "remove",
    "temp_file",
]
