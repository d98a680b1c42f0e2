"""Documents tab: the corpus catalog, the index status, re-indexing with progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.ui import render

if TYPE_CHECKING:
    from assistant.ui.service import AppContext


def catalog_rows(ctx: AppContext) -> list[list[str]]:
    """The corpus catalog: title, issuer, period, status, file."""
    return [
        [doc.title, doc.issuer, doc.period, render.STATUS_LABELS[doc.status], doc.file]
        for doc in ctx.catalog()
    ]


def index_status(ctx: AppContext) -> str:
    """The index status as HTML."""
    from assistant.index.build import index_status as read_status

    return render.index_status_html(
        read_status(ctx.settings), ctx.service.status, building=ctx.service.building
    )


STAGES = {
    "lecture": "Lecture des documents",
    "vecteurs": "Calcul des vecteurs des passages",
    "phrases": "Calcul des vecteurs des phrases",
    "chroma": "Écriture de l'index sémantique",
}


def reindex(
    ctx: AppContext, *, rebuild: bool, progress: Callable[[str, int, int], None] | None = None
) -> str:
    """Update (or rebuild) the index, reporting progress; the app then uses the new build.

    Raises:
        AssistantError: Another build is running, or nothing could be indexed.
    """
    report = ctx.service.ingest(rebuild=rebuild, progress=progress)
    if report.noop:
        message = "L'index était déjà à jour : rien à refaire."
    else:
        message = (
            f"Index mis à jour : {report.chunks} passages, {report.embedded} vecteurs calculés."
        )
    return f'<p class="cpom-verdict cpom-valid">{render.esc(message)}</p>' + index_status(ctx)
