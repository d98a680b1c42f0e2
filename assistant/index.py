"""Ingest, write side: build, update and open the index (chunks, BM25, Chroma, manifest).

Layout of ``index/``::

    CURRENT                 the id of the build in service (replaced atomically)
    builds/<id>/manifest.json
    builds/<id>/chunks.jsonl
    builds/<id>/bm25/
    builds/<id>/chroma/     (local mode; a server collection ``<name>-<id>`` otherwise)

A build is written aside and swapped in by replacing ``CURRENT``: a build that fails or is
killed half-way leaves the previous index in service. The lexical part (BM25) is swapped in
first; the dense part is added to the same build afterwards and ``dense_ready`` is set in its
manifest once complete, so that search serves at once and turns hybrid when vectors are in.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from assistant.chunking import CHUNKER_VERSION, split_document
from assistant.config import Settings
from assistant.corpus import clean_document, load_catalog, load_pages, uncatalogued_files
from assistant.errors import AssistantError, IndexNotReadyError
from assistant.lexical import Bm25Index
from assistant.schemas import Chunk
from assistant.sentences import chunk_body, split_sentences

logger = logging.getLogger(__name__)

INDEX_FORMAT = 2
Progress = Callable[[str, int, int], None]
"""A progress callback: (stage, done, total)."""


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


class IngestReport(BaseModel):
    """The outcome of one ``ingest`` run, for the CLI and the app."""

    noop: bool = False
    build_id: str = ""
    documents: list[str] = Field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    dense_ready: bool = False
    errors: list[str] = Field(default_factory=list)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Hash the catalog and every document file of the corpus."""
    out: dict[str, str] = {}
    for path in sorted(corpus_dir.iterdir()):
        suffix = path.suffix.lower()
        if path.is_file() and (suffix in (".txt", ".pdf") or path.name == "catalog.yaml"):
            out[path.name] = _sha256(path)
    return out


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AssistantError(
                "Une construction de l'index est déjà en cours ; réessayez dans quelques minutes."
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def current_build(index_dir: Path) -> Path | None:
    """Return the folder of the build in service, or None."""
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    build = index_dir / "builds" / pointer.read_text(encoding="utf-8").strip()
    return build if (build / "manifest.json").is_file() else None


def read_manifest(build: Path) -> Manifest:
    """Read a build's manifest.

    Raises:
        IndexNotReadyError: the manifest is unreadable (corrupted index).
    """
    try:
        return Manifest.model_validate_json((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError) as exc:
        raise IndexNotReadyError(
            "L'index est endommagé (manifeste illisible).",
            hint="Reconstruisez-le : python -m assistant ingest --rebuild",
        ) from exc


def chroma_client(settings: Settings, build: Path | None = None) -> Any:
    """Open Chroma: an HTTP client when ``chroma_host`` is set, else a local database."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    if build is None:
        raise ValueError("a local Chroma client needs the build folder")
    return chromadb.PersistentClient(path=str(build / "chroma"), settings=chroma_settings)


def ingest(
    settings: Settings,
    *,
    rebuild: bool = False,
    dense: bool = True,
    progress: Progress | None = None,
    embedder: Any | None = None,
) -> IngestReport:
    """Build or update the index; a no-op when nothing changed.

    Raises:
        AssistantError: nothing at all could be indexed, or another build is running.
    """
    with _locked(settings.index_dir):
        fingerprint = corpus_fingerprint(settings.corpus_dir)
        build = None if rebuild else current_build(settings.index_dir)
        manifest = read_manifest(build) if build else None
        same = (
            manifest is not None
            and manifest.corpus == fingerprint
            and manifest.format == INDEX_FORMAT
            and manifest.chunker_version == CHUNKER_VERSION
            and manifest.embedding_model == settings.embedding_model
        )
        if build is not None and manifest is not None and same:
            if manifest.dense_ready or not dense:
                return IngestReport(
                    noop=True,
                    build_id=manifest.build_id,
                    documents=manifest.documents,
                    chunks=manifest.chunks,
                    dense_ready=manifest.dense_ready,
                    errors=manifest.errors,
                )
        else:
            build, manifest = _build_lexical(settings, fingerprint, progress)
        report = IngestReport(
            build_id=manifest.build_id,
            documents=manifest.documents,
            chunks=manifest.chunks,
            errors=manifest.errors,
        )
        if dense:
            report.embedded = _build_dense(settings, build, manifest, progress, embedder)
            report.dense_ready = True
        _remove_old_builds(settings, keep={build.name})
        return report


def _build_lexical(
    settings: Settings, fingerprint: dict[str, str], progress: Progress | None
) -> tuple[Path, Manifest]:
    docs = load_catalog(settings.corpus_dir)
    errors: list[str] = [
        f"Le fichier {p.name!r} n'est pas décrit dans corpus/catalog.yaml : ignoré."
        for p in uncatalogued_files(settings.corpus_dir, docs)
    ]
    chunks: list[Chunk] = []
    indexed: list[str] = []
    for i, doc in enumerate(docs, start=1):
        if progress:
            progress("lecture", i - 1, len(docs))
        try:
            pages = load_pages(doc, settings.corpus_dir)
            doc_chunks = split_document(clean_document(doc, pages))
        except AssistantError as exc:
            errors.append(f"{doc.id} : {exc.message} Document ignoré.")
            continue
        if not doc_chunks:
            errors.append(f"{doc.id} : aucun texte exploitable. Document ignoré.")
            continue
        chunks.extend(doc_chunks)
        indexed.append(doc.id)
    if progress:
        progress("lecture", len(docs), len(docs))
    for message in errors:
        logger.warning("%s", message)
    if not chunks:
        raise AssistantError(
            "Aucun document n'a pu être indexé. " + " ".join(errors),
            hint="Vérifiez corpus/catalog.yaml et les fichiers du corpus.",
        )
    build_id = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    build = settings.index_dir / "builds" / build_id
    build.mkdir(parents=True)
    with (build / "chunks.jsonl").open("w", encoding="utf-8") as fh:
        for chunk in chunks:
            fh.write(chunk.model_dump_json() + "\n")
    Bm25Index.build([c.id for c in chunks], [c.text for c in chunks]).save(build / "bm25")
    manifest = Manifest(
        build_id=build_id,
        built_at=_now(),
        chunker_version=CHUNKER_VERSION,
        embedding_model=settings.embedding_model,
        corpus=fingerprint,
        documents=indexed,
        chunks=len(chunks),
        collection=f"{settings.chroma_collection}-{build_id}",
        errors=errors,
    )
    _write_json_atomic(build / "manifest.json", manifest.model_dump())
    _write_text_atomic(settings.index_dir / "CURRENT", build_id)
    return build, manifest


def _build_dense(
    settings: Settings,
    build: Path,
    manifest: Manifest,
    progress: Progress | None,
    embedder: Any | None = None,
) -> int:
    """Embed the build's chunks (cache first) and fill its Chroma collection."""
    from assistant.embeddings import EmbeddingCache, build_embedder, embed_documents_cached

    chunks = load_chunks(build)
    embedder = embedder or build_embedder(settings)
    cache = EmbeddingCache(settings.embedding_cache_dir, embedder.embedder_id)
    texts = [c.text for c in chunks]
    misses = sum(v is None for v in cache.get_many(texts))

    def report(done: int, total: int) -> None:
        if progress:
            progress("vecteurs", done, total)

    vectors = embed_documents_cached(embedder, texts, cache, progress=report)
    owners, sentences = _sentences_of(chunks)
    misses += sum(v is None for v in cache.get_many(sentences))

    def report_sentences(done: int, total: int) -> None:
        if progress:
            progress("phrases", done, total)

    sentence_vectors = embed_documents_cached(embedder, sentences, cache, progress=report_sentences)
    cache.retain(texts + sentences)  # the cache follows the corpus: vectors of old chunks go
    cache.save()
    np.savez(
        build / "sentences.npz",
        owner=np.asarray(owners, dtype=np.int32),
        vectors=np.asarray(sentence_vectors, dtype=np.float16).reshape(len(sentences), -1),
    )
    (build / "sentences.json").write_text(json.dumps(sentences, ensure_ascii=False), "utf-8")
    client = chroma_client(settings, build)
    with contextlib.suppress(Exception):
        client.delete_collection(manifest.collection)
    collection = client.create_collection(
        manifest.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    step = 500
    for i in range(0, len(chunks), step):
        part = chunks[i : i + step]
        collection.add(
            ids=[c.id for c in part],
            embeddings=vectors[i : i + step],
            metadatas=[
                {"doc_id": c.doc_id, "status": c.status, "fiche": c.fiche or ""} for c in part
            ],
        )
        if progress:
            progress("chroma", min(i + step, len(chunks)), len(chunks))
    updated = manifest.model_copy(update={"dense_ready": True, "embedder_id": embedder.embedder_id})
    _write_json_atomic(build / "manifest.json", updated.model_dump())
    return misses


def _sentences_of(chunks: list[Chunk]) -> tuple[list[int], list[str]]:
    """Every sentence of every chunk body, with the index of its chunk."""
    owners: list[int] = []
    sentences: list[str] = []
    for i, chunk in enumerate(chunks):
        for sentence in split_sentences(chunk_body(chunk.text)):
            owners.append(i)
            sentences.append(sentence)
    return owners, sentences


def _remove_old_builds(settings: Settings, *, keep: set[str]) -> None:
    """Delete builds other than ``keep`` (and their server collections)."""
    builds = settings.index_dir / "builds"
    for old in sorted(builds.iterdir()) if builds.is_dir() else []:
        if old.name in keep:
            continue
        if settings.chroma_host:
            with contextlib.suppress(Exception):
                chroma_client(settings).delete_collection(
                    f"{settings.chroma_collection}-{old.name}"
                )
        shutil.rmtree(old, ignore_errors=True)


def load_chunks(build: Path) -> list[Chunk]:
    """Read a build's chunks.

    Raises:
        IndexNotReadyError: the chunk file is missing or corrupted.
    """
    try:
        with (build / "chunks.jsonl").open(encoding="utf-8") as fh:
            return [Chunk.model_validate_json(line) for line in fh if line.strip()]
    except (OSError, ValueError, ValidationError) as exc:
        raise IndexNotReadyError(
            "L'index est endommagé (fichier des passages illisible).",
            hint="Reconstruisez-le : python -m assistant ingest --rebuild",
        ) from exc


def index_status(settings: Settings) -> Manifest | None:
    """The manifest of the build in service, or None when there is no index."""
    build = current_build(settings.index_dir)
    return read_manifest(build) if build else None
