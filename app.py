"""Gradio app: questions on the guides, indicator choice, justifications, checks, documents.

``python app.py`` serves on 127.0.0.1:7860 (``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT``
are honoured). The page is laid out in ``assistant.ui.layout``, its events are wired in
``assistant.ui.events`` and the work is done by ``assistant.ui.handlers``. The index, the
knowledge base and the rules are opened once per process; the user's work is kept in the
browser (``gr.BrowserState``), so that it survives a reload.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Gradio rebuilds its queue statistics after every event by default: once per 1,000 is enough
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

from assistant.config import Settings, get_settings
from assistant.ui.events import CONCURRENCY, Callbacks, wire
from assistant.ui.service import AppContext, IndexService
from assistant.ui.verification import MAX_UPLOAD_BYTES
from assistant.ui.workspace import Dossier

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent
CSS_PATH = ROOT / "assistant" / "ui" / "style.css"
UPLOAD_HARD_LIMIT = 5 * MAX_UPLOAD_BYTES
"""Gradio refuses larger uploads outright (its message is English); between the 10 Mo checked
by the handler and this cap, the user gets the French message."""
QUEUE_SIZE = 64
MAX_THREADS = 12
"""Gradio worker threads (default 40): above the queue's concurrency, each one only adds memory."""
"""Requests waiting beyond the running ones; more are told to retry, never crash the app."""
FONTS = ["Marianne", "Arial", "Helvetica", "system-ui", "sans-serif"]


def data_dir_default() -> Path:
    """The app's local data folder (feedback, browser-state key): ``var/`` unless overridden."""
    return Path(os.environ.get("CPOM_APP_DATA_DIR", str(ROOT / "var")))


def state_secret(data_dir: Path) -> str:
    """The key that encrypts the browser state, kept in ``data_dir`` so reloads survive restarts."""
    path = data_dir / "browser-state.key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key


def build_app(
    settings: Settings,
    service: IndexService | None = None,
    *,
    data_dir: Path | None = None,
    context: AppContext | None = None,
) -> Any:
    """Build the Gradio Blocks app (the index is opened once, through ``service``).

    Args:
        settings: The settings.
        service: The index service (default: a new one, which opens the index on first use).
        data_dir: Where feedback and the browser-state key are kept (default: ``var/``).
        context: The handlers' shared context (default: built from the above).
    """
    import gradio as gr

    from assistant.ui.layout import build_page

    ctx = context or AppContext(
        settings, service or IndexService(settings), data_dir or data_dir_default()
    )
    secret = state_secret(ctx.data_dir)
    day = 24 * 3600
    with gr.Blocks(title="Assistant CPOM — ARS Occitanie", delete_cache=(day, day)) as demo:
        dossier = gr.BrowserState(Dossier().store(), storage_key="cpom-dossier", secret=secret)
        chat_store = gr.BrowserState([], storage_key="cpom-chat", secret=secret)
        page = build_page(ctx)
        wire(page, Callbacks(ctx), dossier=dossier, chat_store=chat_store, demo=demo)
    return demo


def launch(demo: Any, *, block: bool = True) -> None:
    """Queue and serve the app (blocking unless ``block`` is False)."""
    import gradio as gr

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        max_file_size=UPLOAD_HARD_LIMIT,
        max_threads=MAX_THREADS,
        footer_links=["settings"],
        theme=gr.themes.Default(
            primary_hue="blue", neutral_hue="slate", radius_size="sm", font=FONTS
        ),
        css_paths=[CSS_PATH],
        prevent_thread_lock=not block,
    )


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's memory arenas before the worker threads start (``MALLOC_ARENA_MAX``).

    Each new thread otherwise gets an arena of its own, and the app's memory grows by steps
    under concurrent use (``bench/bench_load.py``). An explicit ``MALLOC_ARENA_MAX`` wins.

    Returns:
        Whether the cap was set (False off glibc or when the environment sets it).
    """
    import ctypes
    import ctypes.util

    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def main(argv: list[str] | None = None) -> None:
    """Serve the app; build the index on first run (lexical now, semantic in the background)."""
    parser = argparse.ArgumentParser(description="Assistant CPOM : application web.")
    parser.add_argument(
        "--lexical-only",
        action="store_true",
        help="ne pas construire la partie sémantique de l'index en arrière-plan",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    limit_malloc_arenas()
    settings = get_settings()
    service = IndexService(settings)
    service.start(dense=not args.lexical_only)  # a damaged index is rebuilt, never a crash
    logger.info("%s", service.status)
    context = AppContext(settings, service, data_dir_default())
    demo = build_app(settings, service, context=context)
    launch(demo, block=False)
    context.warm()  # the page is served already; the first answers then come without a wait
    demo.block_thread()


if __name__ == "__main__":
    main()
