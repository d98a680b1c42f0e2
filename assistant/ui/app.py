"""The app: a header, five tabs wired to the user's dossier kept in the browser, and serving.

Each tab (``assistant.ui.tabs``) lays out its components and wires its callbacks; this
module creates what they share (the dossier and the chat's turns, in ``gr.BrowserState``, so
that a reload loses nothing), puts the work back after a reload, and serves the page.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import AssistantError
from assistant.ui.dossier_sync import (
    AUTOSAVE_SECONDS,
    Saved,
    has_own_dossier,
    is_dirty,
    may_edit,
    open_dossier,
    save,
    status_line,
)
from assistant.ui.errors import french_errors, message_of
from assistant.ui.identity import actor_of, reviews, user_banner
from assistant.ui.limits import CONCURRENCY, MAX_THREADS, QUEUE_SIZE
from assistant.ui.profile_form import engaged_choices
from assistant.ui.service import AppContext
from assistant.ui.tabs import (
    documents,
    justification,
    my_dossier,
    questions,
    regional,
    review,
    selection,
    verification,
)
from assistant.ui.workspace import Dossier

TITLE = "Assistant CPOM — ARS Occitanie"
HEADER = (
    "<p class='cpom-brand'>ARS Occitanie · Campagne CPOM sanitaires 2025-2029</p>\n\n"
    "# Assistant CPOM\n\n"
    "Questions sur les guides, choix des indicateurs de l'annexe stratégique, rédaction des "
    "justifications et vérification des brouillons. Les réponses citent les guides\u00a0; elles "
    "ne remplacent pas l'échange avec votre référent ARS."
)
CSS_PATH = Path(__file__).with_name("style.css")
FONTS = ["Marianne", "Arial", "Helvetica", "system-ui", "sans-serif"]
DAY = 24 * 3600


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


BLEU_FRANCE = "#000091"
"""The State's design system blue: white text on it has a contrast of 15.9:1 (WCAG AA: 4.5)."""
SUBDUED_TEXT = "#475569"
"""Secondary text (slate-600 on white: 7.6:1), instead of the theme's #94a3b8 (2.6:1)."""


def _theme() -> Any:
    """Gradio's default theme with colours that pass WCAG 2.1 AA contrast."""
    return gr.themes.Default(
        primary_hue="blue", neutral_hue="slate", radius_size="sm", font=FONTS
    ).set(
        button_primary_background_fill=BLEU_FRANCE,
        button_primary_background_fill_hover="#1212ff",
        button_primary_text_color="#ffffff",
        button_primary_text_color_hover="#ffffff",
        body_text_color_subdued=SUBDUED_TEXT,
    )


def _saved(raw: Any) -> Saved:
    try:
        return Saved.model_validate(raw) if isinstance(raw, dict) else Saved()
    except ValueError:
        return Saved()


def build_blocks(ctx: AppContext) -> Any:
    """Build the Gradio Blocks: the header, the tabs, their events, the restore on load."""
    secret = state_secret(ctx.data_dir)
    with gr.Blocks(title=TITLE, delete_cache=(DAY, DAY)) as demo:
        dossier = gr.BrowserState(Dossier().store(), storage_key="cpom-dossier", secret=secret)
        chat_store = gr.BrowserState([], storage_key="cpom-chat", secret=secret)
        saved_store = gr.BrowserState(Saved().model_dump(), storage_key="cpom-saved", secret=secret)
        owner = gr.BrowserState("", storage_key="cpom-owner", secret=secret)
        gr.Markdown(HEADER, elem_classes=["cpom-header"])
        banner = gr.HTML(elem_id="user-banner")
        with gr.Row(visible=False, elem_id="save-bar", equal_height=True) as save_bar:
            save_status = gr.Markdown(elem_id="save-status")
            save_btn = gr.Button("Enregistrer", variant="primary", scale=0, elem_id="save")
        autosave = gr.Timer(AUTOSAVE_SECONDS, active=False)
        with gr.Tabs():
            with gr.Tab("Questions", id="questions") as questions_tab:
                asked = questions.build()
            with gr.Tab("Choisir mes indicateurs", id="selection") as selection_tab:
                chosen = selection.build(engaged_choices(ctx.kb()))
            with gr.Tab("Rédiger une justification", id="justification") as justification_tab:
                drafted = justification.build()
            with gr.Tab("Mon dossier", id="mon-dossier", visible=False) as my_tab:
                mine = my_dossier.build()
            with gr.Tab("Dossiers à examiner", id="examiner", visible=False) as review_tab:
                examined = review.build()
            with gr.Tab("Vue régionale", id="regionale", visible=False) as regional_tab:
                region = regional.build()
            with gr.Tab("Vérifier un CPOM", id="verifier"):
                checked = verification.build()
            with gr.Tab("Documents", id="documents") as documents_tab:
                indexed = documents.build(ctx, documents_tab)
        questions.wire(asked, ctx, chat_store=chat_store)

        def refresh_questions(stored: Any, general: bool, request: gr.Request) -> list[Any]:
            edits = may_edit(actor_of(ctx, request))
            return questions.refresh(ctx, stored, general, edits=edits)

        for opened_or_switched in (questions_tab.select, asked.general.change):
            opened_or_switched(
                refresh_questions,
                [dossier, asked.general],
                questions.refresh_outputs(asked),
                queue=False,
            )
        keeping = selection.wire(chosen, ctx, dossier=dossier, indicator=drafted.indicator)
        justification.wire(drafted, ctx, dossier=dossier)
        verification.wire(checked, ctx)
        documents.wire(indexed, ctx)
        review.wire(examined, ctx)
        regional.wire(region, ctx)
        mine_out = my_dossier.outputs(mine)
        reviewing = [review_tab, regional_tab, *review.refresh_outputs(examined)]

        def show_reviews(request: gr.Request) -> list[Any]:
            actor = actor_of(ctx, request)
            if not (reviews(actor) and ctx.api is not None):
                hidden = [gr.update(visible=False), gr.update(visible=False)]
                return [*hidden, *[gr.skip()] * (len(reviewing) - 2)]
            shown = [gr.update(visible=True), gr.update(visible=True)]
            return [*shown, *review.refresh(ctx, actor)]

        def show_region(request: gr.Request) -> list[Any]:
            # drawn when the tab is opened: the figures of every dossier take a while
            return regional.refresh(ctx, actor_of(ctx, request))

        regional_tab.select(show_region, None, regional.refresh_outputs(region))

        def open_page(
            stored: Any, turns: Any, known: Any, who: Any, request: gr.Request
        ) -> list[Any]:
            actor = actor_of(ctx, request)
            d, saved = Dossier.load(stored), _saved(known)
            if ctx.shared and who != actor.email:  # another account used this browser before
                d, saved, turns = Dossier(), Saved(), []
            editing = has_own_dossier(actor, shared=ctx.shared) and ctx.api is not None
            if editing:
                d, saved = open_dossier(ctx, actor, d, saved)
            return [
                d.store(),
                turns,
                saved.model_dump(),
                actor.email,
                user_banner(actor, shared=ctx.shared),
                gr.update(visible=editing),
                status_line(saved),
                gr.Timer(active=editing),
                gr.update(visible=may_edit(actor)),
                gr.update(visible=may_edit(actor)),
                gr.update(visible=editing),
            ]

        def show_mine(stored: Any, known: Any, request: gr.Request) -> list[Any]:
            actor = actor_of(ctx, request)
            if not (has_own_dossier(actor, shared=ctx.shared) and ctx.api is not None):
                return [gr.skip()] * len(mine_out)
            return my_dossier.view(ctx, actor, Dossier.load(stored), _saved(known))

        def refused(known: Any, what: str, exc: AssistantError) -> list[Any]:
            """A save or a submission refused: a French notice, the status line kept."""
            gr.Warning(message_of(exc), title=f"{what} impossible")
            note = f"{what} impossible : {message_of(exc)}"
            return [gr.skip(), status_line(_saved(known).model_copy(update={"note": note}))]

        def save_now(stored: Any, known: Any, request: gr.Request) -> list[Any]:
            d, saved = Dossier.load(stored), _saved(known)
            if saved.version and not is_dirty(ctx, d, saved):
                unchanged = "Aucune modification depuis la dernière version enregistrée."
                return [gr.skip(), status_line(saved.model_copy(update={"note": unchanged}))]
            try:
                saved = save(ctx, actor_of(ctx, request), d, saved)
            except AssistantError as exc:
                return refused(known, "Enregistrement", exc)
            return [saved.model_dump(), status_line(saved)]

        def autosave_tick(stored: Any, known: Any, request: gr.Request) -> list[Any]:
            actor = actor_of(ctx, request)
            d, saved = Dossier.load(stored), _saved(known)
            own = has_own_dossier(actor, shared=ctx.shared)
            if not (own and ctx.api is not None and saved.editable):
                return [gr.skip(), gr.skip()]
            if not is_dirty(ctx, d, saved):
                return [gr.skip(), gr.skip()]
            try:
                saved = save(ctx, actor, d, saved)
            except AssistantError as exc:
                failed = saved.model_copy(
                    update={"note": f"Enregistrement automatique impossible : {message_of(exc)}"}
                )
                return [gr.skip(), status_line(failed, dirty=True)]
            note = saved.note.replace("Enregistré", "Enregistré automatiquement")
            saved = saved.model_copy(update={"note": note})
            return [saved.model_dump(), status_line(saved)]

        def submit_now(stored: Any, known: Any, request: gr.Request) -> list[Any]:
            actor = actor_of(ctx, request)
            try:
                saved = my_dossier.submit_dossier(ctx, actor, Dossier.load(stored), _saved(known))
            except AssistantError as exc:
                return refused(known, "Soumission", exc)
            return [saved.model_dump(), status_line(saved)]

        @french_errors
        def export_now(known: Any, request: gr.Request) -> list[Any]:
            xlsx, json_path = my_dossier.export_saved(ctx, actor_of(ctx, request), _saved(known))
            return [
                gr.update(value=str(xlsx), visible=True),
                gr.update(value=str(json_path), visible=True),
            ]

        mine.export_btn.click(export_now, [saved_store], [mine.xlsx, mine.json])
        saved_out = [saved_store, save_status]
        # the save takes the profile as the form shows it: a keep of the last keys still
        # running would otherwise leave the dossier, and the saved version, without them
        save_btn.click(
            selection.with_profile, [dossier, *chosen.form.inputs], [dossier], cancels=[keeping]
        ).then(save_now, [dossier, saved_store], saved_out).then(
            show_mine, [dossier, saved_store], mine_out
        )
        autosave.tick(autosave_tick, [dossier, saved_store], saved_out, show_progress="hidden")
        mine.submit_btn.click(submit_now, [dossier, saved_store], saved_out).then(
            show_mine, [dossier, saved_store], mine_out
        )
        my_tab.select(show_mine, [dossier, saved_store], mine_out)

        def restore(stored: Any, turns: Any) -> list[Any]:
            d = Dossier.load(stored)
            return [
                *selection.restore(d),
                *justification.restore(d, next(iter(d.codes()), None)),
                *questions.restore(turns),
            ]

        def refresh(stored: Any, request: gr.Request) -> list[Any]:
            d = Dossier.load(stored)
            edits = may_edit(actor_of(ctx, request))
            return [
                *selection.refresh(ctx, d),
                *justification.refresh(ctx, d, next(iter(d.codes()), None)),
                *documents.refresh(ctx),
                *questions.refresh(ctx, d.store(), edits=edits),
            ]

        # What the user typed comes back at once (no knowledge base needed), before they can
        # type anything it would overwrite; the checks follow when the context is ready.
        kept = [
            *selection.restore_outputs(chosen, drafted.indicator),
            *justification.restore_outputs(drafted),
            *questions.restore_outputs(asked),
        ]
        opened = [
            dossier,
            chat_store,
            saved_store,
            owner,
            banner,
            save_bar,
            save_status,
            autosave,
            selection_tab,
            justification_tab,
            my_tab,
        ]
        checks = [
            *selection.refresh_outputs(chosen),
            *justification.refresh_outputs(drafted),
            *documents.refresh_outputs(indexed),
            *questions.refresh_outputs(asked),
        ]
        demo.load(open_page, [dossier, chat_store, saved_store, owner], opened, queue=False).then(
            restore, [dossier, chat_store], kept, queue=False
        ).then(refresh, [dossier], checks).then(show_mine, [dossier, saved_store], mine_out)
        # beside the establishment's side, not after it; out of the queue: one quick query
        demo.load(show_reviews, None, reviewing, queue=False)
    return demo


def serve(
    demo: Any,
    api: Any,
    *,
    host: str,
    port: int,
    max_file_size: int,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Serve the page and the API from one process, until interrupted.

    The page is mounted at ``/`` on the API's FastAPI application (``/api/…`` stays the
    API's); uvicorn serves both.

    Args:
        demo: The app (``build_blocks``).
        api: The API's FastAPI application (``assistant.build_api``).
        host: The address to listen on.
        port: The port.
        max_file_size: Uploads above this many bytes are refused by Gradio itself.
        on_started: Called in a background thread once the server accepts connections.
    """
    import uvicorn

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    demo.max_threads = MAX_THREADS
    demo._queue.max_thread_count = MAX_THREADS  # what launch(max_threads=…) sets
    app = gr.mount_gradio_app(
        api,
        demo,
        path="/",
        server_name=host,
        server_port=port,
        footer_links=["settings"],
        max_file_size=max_file_size,
        theme=_theme(),
        css_paths=[CSS_PATH],
    )
    # log_config=None: uvicorn logs through the app's logging set-up, in its format; the
    # access log keeps the API's requests only (the page's own are many and say little)
    logging.getLogger("uvicorn.access").addFilter(_api_requests_only)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_config=None, timeout_graceful_shutdown=5)
    )
    if on_started is not None:
        threading.Thread(
            target=_when_started, args=(server, on_started), name="warm-up", daemon=True
        ).start()
    server.run()


def _api_requests_only(record: logging.LogRecord) -> bool:
    args = record.args
    return isinstance(args, tuple) and len(args) > 2 and str(args[2]).startswith("/api/")


def _when_started(server: Any, action: Callable[[], None]) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.05)
    if server.started:
        action()


__all__ = ["CSS_PATH", "HEADER", "build_blocks", "serve", "state_secret"]
