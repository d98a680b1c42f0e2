"""The model hub: the official GGUF file, fetched only when the machine reaches the hub.

Never used when ``HF_HUB_OFFLINE=1``; ``HF_ENDPOINT`` names another hub (a mirror, a test).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx

from assistant.llm.model_cache import CHUNK, install, temp_file
from assistant.llm.model_specs import ModelSpec, Progress

_HUB_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
_OFFLINE_VALUES = {"1", "true", "yes", "on"}


class HubUnavailableError(Exception):
    """The hub did not give the file; the registry is tried next."""


def hub_enabled() -> bool:
    """Whether the hub may be asked (``HF_HUB_OFFLINE`` is not set to a true value)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() not in _OFFLINE_VALUES


def _hub_url(spec: ModelSpec) -> str:
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    return f"{endpoint}/{spec.hub_repo}/resolve/main/{spec.filename}"


def fetch_from_hub(spec: ModelSpec, target: Path, progress: Progress | None) -> Path:
    """Download ``spec``'s file from the hub into ``target``, checked (see `install`).

    Raises:
        HubUnavailableError: the hub did not give the file (the registry is tried next).
        LLMUnavailableError: the file it gave is not the official one (it was deleted).
    """
    url = _hub_url(spec)
    hasher = hashlib.sha256()
    size = 0
    with temp_file(target) as (tmp, out):
        try:
            with (
                httpx.Client(timeout=_HUB_TIMEOUT, follow_redirects=True) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code != httpx.codes.OK:
                    raise HubUnavailableError(f"HTTP {response.status_code} for {url}")
                for block in response.iter_bytes(CHUNK):
                    out.write(block)
                    hasher.update(block)
                    size += len(block)
                    if progress:
                        progress("téléchargement", size, spec.size_bytes)
        except httpx.HTTPError as exc:
            raise HubUnavailableError(f"{type(exc).__name__} for {url}") from exc
        out.close()
        return install(spec, tmp, target, size, hasher.hexdigest())


__all__ = ["HubUnavailableError", "fetch_from_hub", "hub_enabled"]
