"""A build of the index on disk: its manifest, its files' checksums, the one in service.

Layout of ``index/``::

    CURRENT                 the id of the build in service (replaced atomically)
    builds/<id>/manifest.json
    builds/<id>/chunks.jsonl
    builds/<id>/bm25/
    builds/<id>/chroma/     (local mode; a server collection ``<name>-<id>`` otherwise)

The manifest records the sha256 of the build's files, so that a damaged file is named when the
index is opened (messages in ``assistant.index.health``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock
from pydantic import BaseModel, Field, ValidationError

from assistant.corpus.models import Chunk
from assistant.index.health import BUILD_ID, damaged

INDEX_FORMAT = 3
"""Bumped when what a build holds changes (3: indicator-code tokens from kb.codes)."""


class Manifest(BaseModel):
    """What a build was made from, and whether its dense part is complete."""

    format: int = INDEX_FORMAT
    build_id: str
    built_at: str
    chunker_version: str
    embedding_model: str
    embedder_id: str | None = None
    corpus: dict[str, str] = Field(description="File name -> sha256 (catalog included).")
    documents: list[str] = Field(default_factory=list)
    chunks: int = 0
    dense_ready: bool = False
    collection: str = ""
    errors: list[str] = Field(default_factory=list)
    files: dict[str, str] = Field(
        default_factory=dict, description="File of the build (relative path) -> sha256."
    )


class IngestReport(BaseModel):
    """The outcome of one ``ingest`` run, for the CLI and the app."""

    noop: bool = False
    build_id: str = ""
    documents: list[str] = Field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    dense_ready: bool = False
    errors: list[str] = Field(default_factory=list)


def now() -> str:
    """The local time, as a manifest records it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Hash the catalog and every document file of the corpus."""
    out: dict[str, str] = {}
    for path in sorted(corpus_dir.iterdir()):
        suffix = path.suffix.lower()
        if path.is_file() and (suffix in (".txt", ".pdf") or path.name == "catalog.yaml"):
            out[path.name] = sha256_file(path)
    return out


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read by blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digests(build: Path, names: list[str]) -> dict[str, str]:
    """The sha256 of ``names`` (paths relative to ``build``; a folder stands for its files)."""
    out: dict[str, str] = {}
    for name in names:
        path = build / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            out[file.relative_to(build).as_posix()] = sha256_file(file)
    return out


def verify_files(build: Path, expected: Mapping[str, str]) -> None:
    """Check the build's files against the sha256 its manifest recorded.

    Raises:
        IndexNotReadyError: a file is missing or differs (named in the message).
    """
    for name, digest in expected.items():
        path = build / name
        if not path.is_file():
            raise damaged(build, name, "est absent")
        if sha256_file(path) != digest:
            raise damaged(build, name, "a été modifié ou tronqué depuis la construction")


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` through a synced temporary file (never half-written)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_text_atomic(path: Path, text: str) -> None:
    """Write text to ``path`` through a synced temporary file (never half-written)."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def locked(index_dir: Path) -> FileLock:
    """A lock on ``index_dir`` held by one build at a time (any platform).

    Raises (on enter):
        AssistantError: another build holds it.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(index_dir / ".lock", blocking=False)


def current_id(index_dir: Path) -> str | None:
    """The build id ``CURRENT`` names, or None when it is absent, unreadable or not an id."""
    try:
        text = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if BUILD_ID.fullmatch(text) else None


def current_build(index_dir: Path) -> Path | None:
    """Return the folder of the build in service, or None (``index_health`` says why)."""
    build_id = current_id(index_dir)
    if build_id is None:
        return None
    build = index_dir / "builds" / build_id
    return build if (build / "manifest.json").is_file() else None


def read_manifest(build: Path) -> Manifest:
    """Read a build's manifest.

    Raises:
        IndexNotReadyError: the manifest is unreadable (corrupted index).
    """
    try:
        return Manifest.model_validate_json((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError) as exc:
        raise damaged(build, "manifest.json", "(manifeste) est illisible") from exc


def load_chunks(build: Path) -> list[Chunk]:
    """Read a build's chunks.

    Raises:
        IndexNotReadyError: the chunk file is missing or corrupted.
    """
    try:
        with (build / "chunks.jsonl").open(encoding="utf-8") as fh:
            return [Chunk.model_validate_json(line) for line in fh if line.strip()]
    except (OSError, ValueError, ValidationError) as exc:
        raise damaged(build, "chunks.jsonl", "(passages) est illisible") from exc
