"""Chroma, the dense store: a local database in the build or a server, opened and probed.

chromadb's HTTP client has no supported timeout; ``_bound_requests`` is the one place that
reaches into it (``tests/test_chroma_server.py`` fails when chromadb changes that).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from assistant.errors import IndexNotReadyError, VectorStoreUnavailableError
from assistant.index.health import REBUILD_HINT, damaged, other_embedder, server_unavailable
from assistant.index.manifest import Manifest

if TYPE_CHECKING:
    from assistant.config import Settings

logger = logging.getLogger(__name__)


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a network failure talking to a server."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, httpx.TransportError | ConnectionError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _answers(settings: Settings) -> None:
    """Check that the Chroma server answers its heartbeat within ``chroma_timeout``.

    chromadb's HTTP client waits without limit: a server that accepts connections but never
    answers (hung, paused) would block the caller for good.

    Raises:
        VectorStoreUnavailableError: no answer in time.
    """
    url = f"http://{settings.chroma_host}:{settings.chroma_port}/api/v2/heartbeat"
    try:
        httpx.get(url, timeout=settings.chroma_timeout, trust_env=False)
    except httpx.TransportError as exc:
        raise server_unavailable(settings) from exc


def _bound_requests(client: Any, seconds: float) -> None:
    """Give the client's HTTP session a timeout (chromadb sets none)."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


def chroma_client(settings: Settings, build: Path | None = None) -> Any:
    """Open Chroma: an HTTP client when ``chroma_host`` is set, else a local database.

    Raises:
        VectorStoreUnavailableError: the Chroma server does not answer.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        _answers(settings)
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises a bare ValueError when nobody answers
            raise server_unavailable(settings) from exc
        _bound_requests(client, settings.chroma_timeout)
        return client
    if build is None:
        raise ValueError("a local Chroma client needs the build folder")
    return chromadb.PersistentClient(path=str(build / "chroma"), settings=chroma_settings)


def open_collection(settings: Settings, build: Path, manifest: Manifest, embedder: Any) -> Any:
    """Open a build's dense collection and probe it (count, one stored vector, one query).

    Args:
        settings: Chroma mode (local database in the build, or a server).
        build: The build folder.
        manifest: The build's manifest (collection name, number of chunks).
        embedder: The query embedder (its dimension must match the vectors), or None.

    Raises:
        VectorStoreUnavailableError: the Chroma server does not answer.
        IndexNotReadyError: the collection is missing, incomplete, damaged, or its vectors
            have another dimension than the embedder's.
    """
    try:
        collection = chroma_client(settings, build).get_collection(
            manifest.collection, embedding_function=None
        )
        count = int(collection.count())
        stored = collection.get(limit=1, include=["embeddings"])["embeddings"]
        vector = [float(x) for x in stored[0]] if stored is not None and len(stored) else []
        if vector:
            collection.query(query_embeddings=[vector], n_results=1)
    except VectorStoreUnavailableError:
        raise
    except Exception as exc:
        raise chroma_failure(settings, build, manifest, exc) from exc
    if count != manifest.chunks:
        problem = f"contient {count} vecteurs au lieu de {manifest.chunks}"
        if settings.chroma_host:
            raise IndexNotReadyError(
                f"L'index sémantique du serveur Chroma {settings.chroma_host}:"
                f"{settings.chroma_port} est incomplet : la collection {manifest.collection!r} "
                f"{problem}.",
                hint=REBUILD_HINT,
            )
        raise damaged(build, "chroma", f"(index sémantique) {problem}")
    expected = getattr(embedder, "dimension", None)
    if vector and expected and len(vector) != expected:
        built = manifest.embedder_id or manifest.embedding_model
        configured = getattr(embedder, "embedder_id", settings.embedding_model)
        raise other_embedder(f"{built}, {len(vector)} dim.", f"{configured}, {expected} dim.")
    return collection


def chroma_failure(
    settings: Settings, build: Path, manifest: Manifest, exc: Exception
) -> IndexNotReadyError | VectorStoreUnavailableError:
    """A Chroma failure in French: the server is away (transient) or the store is damaged."""
    logger.warning("chroma failure: %r", exc)
    if not settings.chroma_host:
        return damaged(build, "chroma/chroma.sqlite3", "(index sémantique) est illisible")
    if is_transport_error(exc):
        return server_unavailable(settings)
    return IndexNotReadyError(
        f"La collection {manifest.collection!r} du serveur Chroma "
        f"{settings.chroma_host}:{settings.chroma_port} est absente ou illisible.",
        hint=REBUILD_HINT,
    )
