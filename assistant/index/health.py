"""Index health: what is wrong with ``index/``, in French, with the one command that fixes it.

The faults a user can meet: no index yet; ``CURRENT`` naming a build that is absent or was
interrupted; a damaged file (named, from the sha256 recorded in the manifest); an index built
with another embedder; a Chroma server that does not answer (client/server mode). The first
ones are permanent, so opening the index fails with :class:`IndexNotReadyError` and the fix;
the last one is transient, so search turns lexical and tells it until the server is back.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import (
    AssistantError,
    IndexMissingError,
    IndexNotReadyError,
    VectorStoreUnavailableError,
)

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.index.build import Manifest

logger = logging.getLogger(__name__)

BUILD_COMMAND = "python -m assistant ingest"
REBUILD_COMMAND = "python -m assistant ingest --rebuild"
REBUILD_HINT = f"Reconstruisez-le : {REBUILD_COMMAND}"
BUILD_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")
"""What ``CURRENT`` may hold (never a path: ``../`` cannot escape ``builds/``)."""


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


def _shown(index_dir: Path, *parts: str) -> str:
    """A path of the index as the user knows it: ``index/builds/<id>/chunks.jsonl``."""
    return Path(index_dir.name, *parts).as_posix()


def damaged(build: Path, name: str, problem: str) -> IndexNotReadyError:
    """The error for a damaged file of a build (``problem`` completes « le fichier X … »)."""
    index_dir = build.parent.parent
    where = _shown(index_dir, "builds", build.name, name)
    return IndexNotReadyError(
        f"L'index est endommagé : le fichier {where!r} {problem}.", hint=REBUILD_HINT
    )


def explain_missing(index_dir: Path) -> IndexNotReadyError:
    """Why no build is in service (call it when ``current_build`` returned None)."""
    pointer = index_dir / "CURRENT"
    builds = index_dir / "builds"
    if not pointer.exists():
        started = builds.is_dir() and any(builds.iterdir())
        return IndexMissingError(
            "L'index n'existe pas encore"
            + (" (une construction a été interrompue avant la fin)." if started else "."),
            hint=f"Construisez-le avec : {BUILD_COMMAND}",
        )
    try:
        build_id = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        build_id = ""
    shown = _shown(index_dir, "CURRENT")
    if not BUILD_ID.fullmatch(build_id):
        return IndexNotReadyError(
            f"L'index est endommagé : le fichier {shown!r} ne désigne pas une construction.",
            hint=REBUILD_HINT,
        )
    if not (builds / build_id).is_dir():
        return IndexNotReadyError(
            f"L'index est incomplet : la construction {build_id!r} désignée par {shown!r} "
            "est absente.",
            hint=REBUILD_HINT,
        )
    return IndexNotReadyError(
        f"L'index est incomplet : la construction {build_id!r} n'a pas de manifeste "
        "(construction interrompue ou fichier supprimé).",
        hint=REBUILD_HINT,
    )


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


def other_embedder(built: str, configured: str) -> IndexNotReadyError:
    """The error for an index whose vectors come from another embedding model."""
    return IndexNotReadyError(
        f"L'index a été construit avec un autre modèle d'embeddings "
        f"({built!r}, configuré : {configured!r}) : ses vecteurs ne sont pas comparables.",
        hint=REBUILD_HINT,
    )


def server_unavailable(settings: Settings) -> VectorStoreUnavailableError:
    """The error for a Chroma server that does not answer (client/server mode)."""
    return VectorStoreUnavailableError(
        f"Le serveur Chroma {settings.chroma_host}:{settings.chroma_port} ne répond pas : "
        "la recherche sémantique est indisponible.",
        hint=f"Vérifiez que le serveur Chroma est démarré (port {settings.chroma_port}) ; "
        "l'assistant le retrouve dès qu'il répond, sans redémarrer.",
    )


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a network failure talking to a server."""
    import httpx

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
    import httpx

    url = f"http://{settings.chroma_host}:{settings.chroma_port}/api/v2/heartbeat"
    try:
        httpx.get(url, timeout=settings.chroma_timeout, trust_env=False)
    except httpx.TransportError as exc:
        raise server_unavailable(settings) from exc


def _bound_requests(client: Any, seconds: float) -> None:
    """Give the client's HTTP session a timeout (chromadb sets none)."""
    import httpx

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


def dense_failure(exc: Exception) -> AssistantError:
    """What to tell the user when a search fell back to lexical because of ``exc``."""
    if isinstance(exc, AssistantError):
        return exc
    return AssistantError(
        "La recherche sémantique a échoué ; résultats de la recherche lexicale seulement.",
        hint=REBUILD_HINT,
    )


__all__ = [
    "BUILD_COMMAND",
    "BUILD_ID",
    "REBUILD_COMMAND",
    "REBUILD_HINT",
    "chroma_client",
    "chroma_failure",
    "damaged",
    "dense_failure",
    "explain_missing",
    "file_digests",
    "is_transport_error",
    "open_collection",
    "other_embedder",
    "server_unavailable",
    "sha256_file",
    "verify_files",
]
