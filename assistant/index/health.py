"""Index health: what is wrong with ``index/``, in French, with the one command that fixes it.

The faults a user can meet: no index yet; ``CURRENT`` naming a build that is absent or was
interrupted; a damaged file (named, from the sha256 recorded in the manifest); an index built
with another embedder; a Chroma server that does not answer (client/server mode). The first
ones are permanent, so opening the index fails with :class:`IndexNotReadyError` and the fix;
the last one is transient, so search turns lexical and tells it until the server is back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import (
    AssistantError,
    IndexMissingError,
    IndexNotReadyError,
    VectorStoreUnavailableError,
)

if TYPE_CHECKING:
    from assistant.config import Settings

BUILD_COMMAND = "python -m assistant ingest"
REBUILD_COMMAND = "python -m assistant ingest --rebuild"
REBUILD_HINT = f"Reconstruisez-le : {REBUILD_COMMAND}"
BUILD_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")
"""What ``CURRENT`` may hold (never a path: ``../`` cannot escape ``builds/``)."""


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
    "damaged",
    "dense_failure",
    "explain_missing",
    "other_embedder",
    "server_unavailable",
]
