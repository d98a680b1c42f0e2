"""Ingest, write side: build and update the index (chunks, BM25, Chroma, manifest).

The layout of ``index/`` is described in ``assistant.index.manifest``. A build is written aside and swapped in by replacing ``CURRENT``: a build that fails or is
killed half-way (even by ``kill -9``) leaves the previous index in service, and the next
``ingest`` removes it. When no hybrid index is in service (first run, lexical-only index), the
lexical part (BM25) is swapped in first and the dense part is added to the same build
afterwards, ``dense_ready`` being set in its manifest once complete: search serves at once and
turns hybrid when vectors are in. When a hybrid index is in service, it stays in service until
the new build is complete. The manifest records the sha256 of the build's files, so that a
damaged file is named when the index is opened (``assistant.index.health``).
"""

from __future__ import annotations

import contextlib
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
from filelock import Timeout

from assistant.config import Settings
from assistant.corpus.chunking import pipeline_version, split_document
from assistant.corpus.catalog import load_catalog, uncatalogued_files
from assistant.corpus.cleaning import clean_document
from assistant.corpus.loaders import load_pages
from assistant.corpus.models import Chunk
from assistant.errors import AssistantError, IndexNotReadyError
from assistant.index.chroma import chroma_client, is_transport_error
from assistant.index.health import server_unavailable
from assistant.index.lexical import Bm25Index
from assistant.index.manifest import (
    INDEX_FORMAT,
    IngestReport,
    Manifest,
    corpus_fingerprint,
    current_build,
    file_digests,
    load_chunks,
    locked,
    now,
    read_manifest,
    verify_files,
    write_json_atomic,
    write_text_atomic,
)
from assistant.text.sentences import MIN_INDEXED_WORDS, chunk_body, split_sentences

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""A progress callback: (stage, done, total)."""


def ingest(
    settings: Settings,
    *,
    rebuild: bool = False,
    dense: bool = True,
    progress: Progress | None = None,
    embedder: Any | None = None,
) -> IngestReport:
    """Build or update the index; a no-op when nothing changed.

    A damaged build in service (unreadable manifest, a file that differs from its checksum)
    is replaced. A hybrid build in service stays in service until the new one is complete.

    Raises:
        AssistantError: nothing at all could be indexed, or another build is running.
        VectorStoreUnavailableError: the Chroma server does not answer (server mode).
    """
    with _exclusive(settings.index_dir):
        fingerprint = corpus_fingerprint(settings.corpus_dir)
        current = current_build(settings.index_dir)
        serving = _usable_manifest(current)
        build = None if rebuild or serving is None else current
        manifest = None if build is None else serving
        deferred = False
        same = (
            manifest is not None
            and manifest.corpus == fingerprint
            and manifest.format == INDEX_FORMAT
            and manifest.chunker_version == pipeline_version()
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
            deferred = dense and serving is not None and serving.dense_ready
            build, manifest = _build_lexical(settings, fingerprint, progress, swap=not deferred)
        report = IngestReport(
            build_id=manifest.build_id,
            documents=manifest.documents,
            chunks=manifest.chunks,
            errors=manifest.errors,
        )
        if dense:
            report.embedded = _build_dense(settings, build, manifest, progress, embedder)
            report.dense_ready = True
        if deferred:
            write_text_atomic(settings.index_dir / "CURRENT", build.name)
        _remove_old_builds(settings, keep={build.name})
        return report


@contextlib.contextmanager
def _exclusive(index_dir: Path) -> Iterator[None]:
    try:
        with locked(index_dir):
            yield
    except Timeout as exc:
        raise AssistantError(
            "Une construction de l'index est déjà en cours ; réessayez dans quelques minutes."
        ) from exc


def _usable_manifest(build: Path | None) -> Manifest | None:
    """The build's manifest, or None: no build, or a damaged one (a new build replaces it)."""
    if build is None:
        return None
    try:
        manifest = read_manifest(build)
        verify_files(build, manifest.files)
    except IndexNotReadyError as exc:
        logger.warning("damaged index: %s", exc.message)
        return None
    return manifest


def _build_lexical(
    settings: Settings, fingerprint: dict[str, str], progress: Progress | None, *, swap: bool
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
        built_at=now(),
        chunker_version=pipeline_version(),
        embedding_model=settings.embedding_model,
        corpus=fingerprint,
        documents=indexed,
        chunks=len(chunks),
        collection=f"{settings.chroma_collection}-{build_id}",
        errors=errors,
        files=file_digests(build, ["chunks.jsonl", "bm25"]),
    )
    write_json_atomic(build / "manifest.json", manifest.model_dump())
    if swap:
        write_text_atomic(settings.index_dir / "CURRENT", build_id)
    return build, manifest


def _build_dense(
    settings: Settings,
    build: Path,
    manifest: Manifest,
    progress: Progress | None,
    embedder: Any | None = None,
) -> int:
    """Embed the build's chunks (cache first) and fill its Chroma collection."""
    # heavy (langchain-core, the model engines): loaded only when vectors are built
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
    try:
        _fill_collection(settings, build, manifest, chunks, vectors, progress)
    except AssistantError:
        raise
    except Exception as exc:
        if settings.chroma_host and is_transport_error(exc):
            raise server_unavailable(settings) from exc
        raise
    files = {**manifest.files, **file_digests(build, ["sentences.npz", "sentences.json"])}
    updated = manifest.model_copy(
        update={"dense_ready": True, "embedder_id": embedder.embedder_id, "files": files}
    )
    write_json_atomic(build / "manifest.json", updated.model_dump())
    return misses


def _fill_collection(
    settings: Settings,
    build: Path,
    manifest: Manifest,
    chunks: list[Chunk],
    vectors: list[list[float]],
    progress: Progress | None,
) -> None:
    """(Re)create the build's Chroma collection; a leftover of a killed run is dropped first."""
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


def _sentences_of(chunks: list[Chunk]) -> tuple[list[int], list[str]]:
    """Every sentence of every chunk body, with the index of its chunk."""
    owners: list[int] = []
    sentences: list[str] = []
    for i, chunk in enumerate(chunks):
        body = chunk_body(chunk.text, chunk.section)
        for sentence in split_sentences(body, min_words=MIN_INDEXED_WORDS):
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


def index_status(settings: Settings) -> Manifest | None:
    """The manifest of the build in service, or None when there is no usable index."""
    return _usable_manifest(current_build(settings.index_dir))
