"""The page's events: Gradio-facing callbacks (values in, component updates out) and wiring.

The callbacks only adapt: the work is done by ``assistant.ui.handlers``. An ``AssistantError``
becomes a French pop-up (``gr.Error``) and the inputs keep what the user typed.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.drafts.table import ESTABLISHMENT_COLUMNS
from assistant.errors import AssistantError
from assistant.ui import handlers as h
from assistant.ui.feedback import Rating, record_feedback
from assistant.ui.render import draft_notes_html, question_html
from assistant.ui.workspace import Dossier, ProfileForm, rows_of

if TYPE_CHECKING:
    from assistant.ui.layout import Page
    from assistant.ui.service import AppContext

CONCURRENCY = 4
"""Events of one kind run at most this many at a time; the others wait in the queue."""
MAX_CHAT_MESSAGES = 40
"""Chat messages kept in the browser."""
PENDING = "<p><em>Recherche dans les guides…</em></p>"
_PROFILE_FIELDS = (*ESTABLISHMENT_COLUMNS, "priorites")


def error_html(exc: AssistantError) -> str:
    """An expected failure shown in the chat, in place of an answer."""
    text = exc.message + (f" {exc.hint}" if exc.hint else "")
    return (
        '<div class="cpom-answer cpom-refusal"><p class="cpom-refusal-label">Réponse impossible'
        f"</p><p>{html.escape(text)}</p></div>"
    )


def french_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Show an ``AssistantError`` as a French pop-up; the inputs are left as typed."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import gradio as gr

        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            message = exc.message + (f" {exc.hint}" if exc.hint else "")
            raise gr.Error(
                html.escape(message), title="Action impossible", print_exception=False
            ) from exc

    return wrapper


def form_of(*values: Any) -> ProfileForm:
    """The profile form from the components' values (in ``Page.profile_inputs`` order)."""
    data = dict(zip(_PROFILE_FIELDS, values, strict=True))
    for name in ("raison_sociale", "finess_ej", "priorites"):
        data[name] = data[name] or ""
    data["activites"] = data["activites"] or []
    data["membre_ght"] = bool(data["membre_ght"])
    data["hopital_proximite"] = bool(data["hopital_proximite"])
    return ProfileForm.model_validate(data)


class Callbacks:
    """The callbacks of one app: each takes component values and returns component updates."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # --- Questions ---------------------------------------------------------------------------
    def show_question(self, text: str, history: list[Any]) -> tuple[Any, ...]:
        """Show the question at once, with a pending answer; clear the box."""
        import gradio as gr

        text = (text or "").strip()
        if not text:
            raise gr.Error("Saisissez une question.", title="Question vide")
        history = [
            *history,
            {"role": "user", "content": question_html(text)},
            {"role": "assistant", "content": PENDING},
        ]
        return history, "", text

    def answer(self, text: str, history: list[Any]) -> Iterator[tuple[Any, ...]]:
        """Replace the pending answer by the answer as it comes (or a French error, in the chat)."""
        import gradio as gr

        base = history[:-1][-(MAX_CHAT_MESSAGES - 1) :]  # the chat shown is capped too
        try:
            for reply, record in h.ask_stream(self.ctx, text, history[:-2]):
                shown = [*base, {"role": "assistant", "content": reply}]
                kept = shown if record is not None else gr.skip()
                yield shown, record, kept
        except AssistantError as exc:
            yield [*base, {"role": "assistant", "content": error_html(exc)}], None, gr.skip()

    def feedback(self, rating: Rating) -> Callable[..., tuple[str, str]]:
        """A callback that records a rating of the last answer."""

        @french_errors
        def record(last: dict[str, Any] | None, comment: str) -> tuple[str, str]:
            record_feedback(self.ctx.data_dir, last, rating, comment)
            return "Merci : votre avis est enregistré.", ""

        return record

    # --- Choisir mes indicateurs -------------------------------------------------------------
    def selection_views(self, d: Dossier, code: str | None = None) -> list[Any]:
        """Table, rule check and the three indicator dropdowns, from a dossier."""
        import gradio as gr

        chosen = h.selection_choices(d)
        codes = d.codes()
        keep = code if code in codes else (codes[0] if codes else None)
        return [
            rows_of(d.lignes),
            h.check_selection(self.ctx, d),
            gr.update(choices=h.indicator_choices(self.ctx, exclude=codes), value=None),
            gr.update(choices=chosen, value=None),
            gr.update(choices=chosen, value=keep),
        ]

    def save_profile(self, stored: Any, *values: Any) -> tuple[Any, ...]:
        """Keep the profile as typed, and check the selection against it."""
        d = Dossier.load(stored).model_copy(update={"profil": form_of(*values)})
        return d.store(), h.check_selection(self.ctx, d)

    @french_errors
    def propose(self, stored: Any, *values: Any) -> list[Any]:
        """Propose a selection for the profile."""
        d, notes = h.propose_selection(self.ctx, form_of(*values), Dossier.load(stored))
        return [d.store(), notes, *self.selection_views(d)]

    def edit_table(self, stored: Any, rows: list[list[Any]] | None) -> list[Any]:
        """The user edited the table: keep it, re-check (the table itself is not rewritten)."""
        d = h.edit_selection(self.ctx, rows or [], Dossier.load(stored))
        return [d.store(), *self.selection_views(d)[1:]]

    @french_errors
    def add(self, stored: Any, code: str | None) -> list[Any]:
        """Add an indicator to the selection."""
        d = h.add_indicator(self.ctx, code, Dossier.load(stored))
        return [d.store(), *self.selection_views(d)]

    @french_errors
    def remove(self, stored: Any, code: str | None) -> list[Any]:
        """Remove an indicator from the selection."""
        d = h.remove_indicator(self.ctx, code, Dossier.load(stored))
        return [d.store(), *self.selection_views(d)]

    # --- Rédiger une justification -----------------------------------------------------------
    def editor_outputs(self, d: Dossier, code: str | None) -> list[Any]:
        """The editor's fields, the chart and the line's findings for an indicator."""
        v = h.editor_values(d, code)
        return [
            v["baseline"],
            v["contexte"],
            v["diagnostic"],
            v["actions"],
            v["suivi"],
            v["partenaires"],
            v["years"],
            v["chart"],
            h.line_findings(self.ctx, d, code),
        ]

    def pick(self, stored: Any, code: str | None) -> list[Any]:
        """Show what was kept for the indicator just chosen."""
        return [*self.editor_outputs(Dossier.load(stored), code), ""]

    @french_errors
    def draft(self, stored: Any, code: str | None, baseline: str) -> list[Any]:
        """Draft the chosen indicator from its 2024 baseline."""
        d, drafted = h.draft_justification(self.ctx, Dossier.load(stored), code, baseline)
        notes = draft_notes_html(drafted, self.ctx.titles())
        return [d.store(), *self.editor_outputs(d, drafted.code), notes]

    def save_editor(
        self,
        stored: Any,
        code: str | None,
        baseline: str,
        contexte: str,
        diagnostic: str,
        actions: str,
        suivi: str,
        partenaires: str,
        rows: list[list[Any]] | None,
    ) -> list[Any]:
        """Keep every edit of the editor at once (a reload loses nothing)."""
        d = h.save_justification(
            self.ctx,
            Dossier.load(stored),
            code,
            baseline=baseline,
            contexte=contexte,
            diagnostic=diagnostic,
            actions=actions,
            suivi=suivi,
            partenaires=partenaires,
            years=rows or [],
        )
        return [d.store(), h.editor_values(d, code)["chart"], h.line_findings(self.ctx, d, code)]

    @french_errors
    def export(self, stored: Any) -> list[Any]:
        """Check the whole draft and hand out its XLSX and JSON files."""
        import gradio as gr

        d = Dossier.load(stored)
        report = h.check_draft(self.ctx, d)
        try:
            xlsx, json_path = h.export_draft(self.ctx, d, self.ctx.scratch())
        except AssistantError as exc:
            text = html.escape(exc.message + (f" {exc.hint}" if exc.hint else ""))
            hidden = gr.update(visible=False)
            return [f'<p class="cpom-verdict cpom-pending">{text}</p>{report}', hidden, hidden]
        return [
            report,
            gr.update(value=str(xlsx), visible=True),
            gr.update(value=str(json_path), visible=True),
        ]

    # --- Vérifier un CPOM --------------------------------------------------------------------
    @french_errors
    def verify(self, files: list[Any] | None) -> list[Any]:
        """Check the uploaded drafts; show the summary, the report and its downloads."""
        import gradio as gr

        paths = [Path(getattr(f, "name", f)) for f in files or []]
        rows, report, xlsx, json_path = h.check_uploads(self.ctx, paths, self.ctx.scratch())
        return [
            gr.update(value=rows, visible=True),
            report,
            gr.update(value=str(xlsx), visible=True),
            gr.update(value=str(json_path), visible=True),
        ]

    # --- Documents ---------------------------------------------------------------------------
    def reindex_with(self, progress: Any) -> Callable[[bool], str]:
        """A re-index callback reporting to a ``gr.Progress``."""

        @french_errors
        def run(full: bool) -> str:
            def step(stage: str, done: int, total: int) -> None:
                progress((done, total or 1), desc=h.STAGES.get(stage, stage), unit="éléments")

            return h.reindex(self.ctx, rebuild=full, progress=step)

        return run

    # --- After a reload ----------------------------------------------------------------------
    def restore(self, stored: Any, chat: Any) -> list[Any]:
        """Put back the user's work kept in the browser."""
        d = Dossier.load(stored)
        p = d.profil
        views = self.selection_views(d)
        code = views[-1]["value"]
        return [
            p.raison_sociale,
            p.finess_ej,
            p.statut,
            p.categorie,
            p.lits,
            p.membre_ght,
            p.hopital_proximite,
            p.activites,
            p.priorites,
            *views,
            *self.editor_outputs(d, code),
            chat if isinstance(chat, list) else [],
            h.index_status(self.ctx),
        ]


def wire(page: Page, cb: Callbacks, *, dossier: Any, chat_store: Any, demo: Any) -> None:
    """Attach the callbacks to the page's events (call inside ``gr.Blocks``)."""
    import gradio as gr

    p = page
    last_answer = gr.State(None)
    pending = gr.State("")
    # The button's chain has fixed API names: bench/bench_load.py drives the app through them.
    for trigger, named in ((p.send.click, True), (p.question.submit, False)):
        trigger(
            cb.show_question,
            [p.question, p.chatbot],
            [p.chatbot, p.question, pending],
            queue=False,
            api_name="show_question" if named else None,
        ).then(
            cb.answer,
            [pending, p.chatbot],
            [p.chatbot, last_answer, chat_store],
            api_name="answer" if named else None,
        )
    p.useful.click(cb.feedback("utile"), [last_answer, p.comment], [p.feedback_note, p.comment])
    p.useless.click(
        cb.feedback("pas_utile"), [last_answer, p.comment], [p.feedback_note, p.comment]
    )
    p.new_chat.click(
        lambda: ([], [], None), None, [p.chatbot, chat_store, last_answer], queue=False
    )

    gr.on(
        [c.input for c in p.profile_inputs],
        cb.save_profile,
        [dossier, *p.profile_inputs],
        [dossier, p.check],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    p.propose_btn.click(
        cb.propose,
        [dossier, *p.profile_inputs],
        [dossier, p.proposal_notes, *p.selection_outputs],
        concurrency_limit=CONCURRENCY,
    )
    p.table.input(
        cb.edit_table,
        [dossier, p.table],
        [dossier, *p.selection_outputs[1:]],
        trigger_mode="always_last",
    )
    p.add_btn.click(cb.add, [dossier, p.to_add], [dossier, *p.selection_outputs])
    p.remove_btn.click(cb.remove, [dossier, p.to_remove], [dossier, *p.selection_outputs])

    p.indicator.input(cb.pick, [dossier, p.indicator], [*p.editor, p.line_check, p.notes])
    p.draft_btn.click(
        cb.draft,
        [dossier, p.indicator, p.baseline],
        [dossier, *p.editor, p.line_check, p.notes],
        concurrency_limit=CONCURRENCY,
    )
    typed = p.editor[:-1]
    gr.on(
        [c.input for c in typed],
        cb.save_editor,
        [dossier, p.indicator, *typed],
        [dossier, p.chart, p.line_check],
        trigger_mode="always_last",
        show_progress="hidden",
    )
    p.whole_btn.click(cb.export, [dossier], [p.whole_report, p.draft_xlsx, p.draft_json])

    p.verify_btn.click(
        cb.verify,
        [p.uploads],
        [p.summary, p.report, p.report_xlsx, p.report_json],
        concurrency_limit=CONCURRENCY,
        api_name="verify",
    )

    def reindex(full: bool, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return cb.reindex_with(progress)(full)

    p.reindex_btn.click(reindex, [p.rebuild], [p.status], concurrency_limit=1)
    p.documents_tab.select(lambda: h.index_status(cb.ctx), None, [p.status], queue=False)

    demo.load(
        cb.restore,
        [dossier, chat_store],
        [
            *p.profile_inputs,
            *p.selection_outputs,
            *p.editor,
            p.line_check,
            p.chatbot,
            p.status,
        ],
    )


__all__ = ["CONCURRENCY", "Callbacks", "error_html", "form_of", "french_errors", "wire"]
