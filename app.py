"""Gradio app: questions on the guides, indicator choice, justifications, checks, documents.

``python app.py`` serves on 127.0.0.1:7860 (``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT``
are honoured) the page and, from the same process, the dossiers' JSON API under ``/api/``.
The page is built by ``assistant.ui.app`` from one module per tab (``assistant.ui.tabs``). The
index, the knowledge base and the rules are opened once per process; the user's work is kept
in the browser (``gr.BrowserState``), so that it survives a reload.

``CPOM_MODE=local`` (default) serves this computer only: any address but a loopback one is
refused. ``CPOM_MODE=shared`` refuses to start before an administrator account exists.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Gradio rebuilds its queue statistics after every event by default: once per 1,000 is enough
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

from assistant import (
    ApiContext,
    AssistantError,
    IndexService,
    Settings,
    build_api,
    check_address,
    get_settings,
)
from assistant.ui.app import build_blocks, serve
from assistant.ui.serve import limit_malloc_arenas
from assistant.ui.service import AppContext
from assistant.ui.tabs.verification import MAX_UPLOAD_BYTES

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent
UPLOAD_HARD_LIMIT = 5 * MAX_UPLOAD_BYTES
"""Gradio refuses larger uploads outright (its message is English); between the 10 Mo checked
by the handler and this cap, the user gets the French message."""


def data_dir_default() -> Path:
    """The app's local data folder (feedback, browser-state key): ``var/`` unless overridden."""
    return Path(os.environ.get("CPOM_APP_DATA_DIR", str(ROOT / "var")))


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
    ctx = context or AppContext(
        settings, service or IndexService(settings), data_dir or data_dir_default()
    )
    return build_blocks(ctx)


def main(argv: list[str] | None = None) -> None:
    """Serve the app and its API; build the index on first run (lexical now, semantic later).

    Exits with code 2 and a French message when the mode forbids the start (a non-loopback
    address in local mode; no administrator account, or no database, in shared mode).
    """
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
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    service = IndexService(settings)
    context = AppContext(settings, service, data_dir_default())
    api_context = ApiContext(settings, kb=context.kb, rules=context.rules)
    context.api = api_context  # the page and the API share the mode and the dossier store
    try:
        check_address(settings.mode, host)
        api_context.check_ready()  # shared mode: the database answers, an administrator exists
    except AssistantError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"Conseil : {exc.hint}", file=sys.stderr)
        raise SystemExit(2) from None
    service.start(dense=not args.lexical_only)  # a damaged index is rebuilt, never a crash
    logger.info("%s", service.status)
    demo = build_app(settings, service, context=context)
    logger.info(
        "serving http://%s:%s/ (API: /api/, documentation: /api/docs), mode %s",
        host,
        port,
        settings.mode,
    )
    try:
        serve(
            demo,
            build_api(api_context),
            host=host,
            port=port,
            max_file_size=UPLOAD_HARD_LIMIT,
            # the page is served already; the first answers then come without a wait
            on_started=context.warm,
        )
    finally:
        api_context.close()


if __name__ == "__main__":
    main()
