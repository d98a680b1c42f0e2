"""Gradio app: search the CPOM guides (the full app grows tab by tab)."""

from __future__ import annotations

import html
import logging
import os
import threading
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.config import Settings, get_settings  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402

logger = logging.getLogger(__name__)


class IndexService:
    """Opens the index once per process; builds it on first run (lexical first, then dense)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.status = "Index : en préparation."
        self._index: Any = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Make sure an index exists (lexical part now), then complete it in the background."""
        from assistant.index import index_status, ingest

        manifest = index_status(self.settings)
        if manifest is None:
            ingest(self.settings, dense=False)
        threading.Thread(target=self._complete, daemon=True, name="dense-index").start()

    def _complete(self) -> None:
        from assistant.index import ingest

        try:
            ingest(self.settings, dense=True)
            self.status = "Index : recherche hybride prête."
        except AssistantError as exc:
            self.status = f"Index : {exc.message}"
            logger.warning("dense build failed: %s", exc.message)
        with self._lock:
            if self._index is not None:
                self._index.refresh()

    def index(self) -> Any:
        """The opened index (refreshed when a new build was swapped in)."""
        from assistant.retrieval import Index

        with self._lock:
            if self._index is None:
                self._index = Index(self.settings)
            else:
                self._index.refresh()
            return self._index


def _render(passages: list[Any], dense: bool) -> str:
    if not passages:
        return "<p>Aucun passage trouvé.</p>"
    note = "" if dense else "<p><em>Recherche sémantique en cours de construction : résultats lexicaux seulement.</em></p>"
    items = []
    for p in passages:
        c = p.chunk
        page = f", p. {c.page}" if c.page else ""
        label = "" if c.status == "current" else " — <strong>document historique</strong>"
        body = html.escape(c.text.split("\n", 1)[-1][:900])
        items.append(
            f"<div class='passage'><p><strong>[{p.rank}] {html.escape(c.title)}</strong> "
            f"({html.escape(c.period)}{page}){label}<br><small>{html.escape(c.section)}</small></p>"
            f"<p>{body}</p></div>"
        )
    return note + "".join(items)


def build_app(settings: Settings, service: IndexService | None = None) -> Any:
    """Build the Gradio Blocks app."""
    import gradio as gr

    from assistant.retrieval import search

    service = service or IndexService(settings)

    def on_search(question: str, k: float) -> str:
        if not question or not question.strip():
            raise gr.Error("Saisissez une question.")
        try:
            index = service.index()
            passages = search(index, question[:2000], k=int(k))
        except AssistantError as exc:
            raise gr.Error(exc.message) from exc
        return _render(passages, index.dense_ready)

    with gr.Blocks(title="Assistant CPOM") as demo:
        gr.Markdown("# Assistant CPOM — ARS Occitanie 2025-2029\nRecherche dans les guides.")
        with gr.Row():
            question = gr.Textbox(label="Votre question", scale=4)
            k = gr.Slider(1, 10, value=5, step=1, label="Passages")
        button = gr.Button("Rechercher", variant="primary")
        results = gr.HTML()
        button.click(on_search, [question, k], results)
        question.submit(on_search, [question, k], results)
    return demo


def main() -> None:
    """Serve the app on 127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT honoured)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    service = IndexService(settings)
    service.start()
    demo = build_app(settings, service)
    demo.queue(default_concurrency_limit=4).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
    )


if __name__ == "__main__":
    main()
