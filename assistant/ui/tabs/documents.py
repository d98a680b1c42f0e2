"""Documents tab: the corpus catalog, the index status, re-indexing with progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from assistant import index_status as read_index_status
from assistant.ui.errors import french_errors
from assistant.ui.escaping import md

if TYPE_CHECKING:
    from assistant import Manifest
    from assistant.ui.service import AppContext

STATUS_LABELS = {"current": "en vigueur", "historical": "historique"}
CATALOG_HEADERS: tuple[str, ...] = ("Titre", "Émetteur", "Période", "Statut", "Fichier")
STATUS_HEADERS: tuple[str, ...] = ("Index", "État")
STAGES = {
    "lecture": "Lecture des documents",
    "vecteurs": "Calcul des vecteurs des passages",
    "phrases": "Calcul des vecteurs des phrases",
    "chroma": "Écriture de l'index sémantique",
}
"""What each stage of a build reports, for the progress bar."""


@dataclass(frozen=True)
class IndexStatus:
    """The index as the tab shows it: a table, and a note under it (Markdown)."""

    rows: list[list[str]]
    note: str
    kind: Literal["valid", "pending", "none"] = "none"
    """The note's colour: a build done, no index yet, or plain."""

    @property
    def note_classes(self) -> list[str]:
        """The note's CSS classes."""
        return ["cpom-verdict", f"cpom-{self.kind}"] if self.kind != "none" else ["cpom-meta"]


# --- handlers ------------------------------------------------------------------------------


def catalog_rows(ctx: AppContext) -> list[list[str]]:
    """The corpus catalog: title, issuer, period, status, file."""
    return [
        [doc.title, doc.issuer, doc.period, STATUS_LABELS[doc.status], doc.file]
        for doc in ctx.catalog()
    ]


def status_rows(manifest: Manifest, *, building: bool = False) -> list[list[str]]:
    """When the index was built, how many passages, which embedder, whether it is hybrid."""
    date, _, time = manifest.built_at.partition("T")
    year, month, day = [*date.split("-"), "", "", ""][:3]
    if manifest.dense_ready:
        dense = "prête (recherche hybride : lexicale et sémantique)"
    elif building:
        dense = "en cours de construction (recherche lexicale seulement en attendant)"
    else:
        dense = "non construite (recherche lexicale seulement) : « Mettre à jour l'index »"
    return [
        ["Construit le", f"{day}/{month}/{year} à {time[:5]}"],
        ["Documents", str(len(manifest.documents))],
        ["Passages indexés", str(manifest.chunks)],
        ["Modèle d'embeddings", manifest.embedder_id or manifest.embedding_model],
        ["Recherche sémantique", dense],
    ]


def index_status(ctx: AppContext) -> IndexStatus:
    """The index status: its table and the service's note (files skipped, rebuilds)."""
    manifest = read_index_status(ctx.settings)
    status = ctx.service.status
    if manifest is None:
        return IndexStatus([], md(f"Aucun index construit. {status}"), "pending")
    notes = [md(status)]
    if manifest.errors:
        notes.insert(0, "Fichiers ignorés : " + " ; ".join(md(e) for e in manifest.errors))
    return IndexStatus(status_rows(manifest, building=ctx.service.building), "\n\n".join(notes))


def reindex(
    ctx: AppContext, *, rebuild: bool, progress: Callable[[str, int, int], None] | None = None
) -> IndexStatus:
    """Update (or rebuild) the index, reporting progress; the app then uses the new build.

    Returns:
        The new status, its note saying what was done.

    Raises:
        AssistantError: Another build is running, or nothing could be indexed.
    """
    report = ctx.service.ingest(rebuild=rebuild, progress=progress)
    if report.noop:
        done = "L'index était déjà à jour : rien à refaire."
    else:
        done = f"Index mis à jour : {report.chunks} passages, {report.embedded} vecteurs calculés."
    status = index_status(ctx)
    return IndexStatus(status.rows, f"**{md(done)}**\n\n{status.note}", "valid")


# --- layout and callbacks ------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentsTab:
    """The tab's components."""

    status: Any
    note: Any
    rebuild: Any
    reindex_btn: Any
    tab: Any = field(default=None)
    """The ``gr.Tab`` itself (its selection refreshes the status)."""


def build(ctx: AppContext, tab: Any) -> DocumentsTab:
    """Lay out the tab (call inside ``gr.Tab``, given as ``tab``)."""
    import gradio as gr

    gr.Markdown("### Documents de référence")
    gr.Dataframe(
        value=lambda: catalog_rows(ctx),
        headers=list(CATALOG_HEADERS),
        interactive=False,
        wrap=True,
        label="Catalogue du corpus",
        column_widths=["42%", "20%", "10%", "10%", "18%"],
        elem_classes=["cpom-table-sans"],
        elem_id="catalog",
    )
    gr.Markdown("### Index de recherche")
    status = gr.Dataframe(
        headers=list(STATUS_HEADERS),
        datatype=["str", "str"],
        type="array",
        interactive=False,
        wrap=True,
        column_widths=["30%", "70%"],
        show_label=False,
        elem_id="index-status",
        elem_classes=["cpom-table-sans"],
    )
    note = gr.Markdown(elem_id="index-note")
    with gr.Row():
        rebuild = gr.Checkbox(label="Tout reconstruire (sinon : seulement ce qui a changé)")
        reindex_btn = gr.Button("Mettre à jour l'index", elem_id="reindex")
    return DocumentsTab(status, note, rebuild, reindex_btn, tab)


def status_views(status: IndexStatus) -> list[Any]:
    """The status table and its note."""
    import gradio as gr

    return [status.rows, gr.update(value=status.note, elem_classes=status.note_classes)]


def refresh(ctx: AppContext) -> list[Any]:
    """The index status when the page is (re)loaded or the tab shown."""
    return status_views(index_status(ctx))


def refresh_outputs(tab: DocumentsTab) -> list[Any]:
    """The components ``refresh`` fills, in order."""
    return [tab.status, tab.note]


def wire(tab: DocumentsTab, ctx: AppContext) -> None:
    """Attach the re-index button and the status refresh (call inside ``gr.Blocks``)."""
    import gradio as gr

    @french_errors
    def run_with(full: bool, progress: Any) -> list[Any]:
        def step(stage: str, done: int, total: int) -> None:
            progress((done, total or 1), desc=STAGES.get(stage, stage), unit="éléments")

        return status_views(reindex(ctx, rebuild=full, progress=step))

    def run(full: bool, progress: gr.Progress = gr.Progress()) -> list[Any]:  # noqa: B008
        return run_with(full, progress)

    outputs = refresh_outputs(tab)
    tab.reindex_btn.click(run, [tab.rebuild], outputs, concurrency_limit=1)
    tab.tab.select(lambda: refresh(ctx), None, outputs, queue=False)


__all__ = [
    "STAGES",
    "STATUS_LABELS",
    "DocumentsTab",
    "IndexStatus",
    "build",
    "catalog_rows",
    "index_status",
    "refresh",
    "refresh_outputs",
    "reindex",
    "status_rows",
    "wire",
]
