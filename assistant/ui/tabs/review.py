"""« Dossiers à examiner »: the referent's queue, one dossier read-only, comments and decisions.

Every handler finds its user with `actor_of` and goes through the store's services, which
decide what this user may read or do: the tab hides nothing in their place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from assistant import AssistantError
from assistant.store import (
    Actor,
    InvalidRequestError,
    add_comment,
    changes_since_send_back,
    get_dossier,
    list_comments,
    send_back,
    validate_dossier,
)
from assistant.ui.errors import french_errors, message_of
from assistant.ui.escaping import md
from assistant.ui.identity import actor_of
from assistant.ui.review_queue import (
    ALL,
    QUEUE_HEADERS,
    STATUS_CHOICES,
    QueueView,
    queue_view,
)
from assistant.ui.stored_dossier import (
    changes_html,
    comments_html,
    content_html,
    header_html,
    indicator_choices,
    stored_report_html,
)

if TYPE_CHECKING:
    from assistant.ui.service import AppContext

F = TypeVar("F", bound=Callable[..., Any])


# --- handlers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierView:
    """One dossier, read-only: its current version, findings, changes and comments."""

    finess: str
    header: str
    content: str
    report: str
    changes: str
    comments: str
    indicators: list[tuple[str, str]]
    message: str = ""
    """What the last action did (French), empty after a plain opening."""


def dossier_view(ctx: AppContext, actor: Actor, finess: str, *, message: str = "") -> DossierView:
    """One dossier's current version, report, changes since its send-back, and comments.

    Raises:
        AccessDeniedError: The dossier is outside the actor's scope.
        NotFoundError: No dossier for this FINESS.
        InvalidRequestError: Not a FINESS number.
    """
    store = ctx.store()
    detail = get_dossier(store, actor, finess)
    comments = list_comments(store, actor, detail.finess_ej)
    diff = changes_since_send_back(store, actor, detail.finess_ej)
    return DossierView(
        finess=detail.finess_ej,
        header=header_html(detail),
        content=content_html(detail.brouillon, ctx.kb()),
        report=stored_report_html(detail.rapport, ctx.titles()),
        changes=changes_html(diff, ctx.kb()),
        comments=comments_html(comments),
        indicators=indicator_choices(detail.brouillon),
        message=message,
    )


def _picked(finess: str | None) -> str:
    if not finess or not str(finess).strip():
        raise InvalidRequestError("Choisissez d'abord un dossier dans la liste.")
    return str(finess).strip()


@french_errors
def show_queue(
    ctx: AppContext,
    request: Any,
    departement: str | None = ALL,
    statut: str | None = "",
    errors_only: bool = False,
) -> QueueView:
    """The list for the user of ``request``, with the filters chosen."""
    actor = actor_of(ctx, request)
    return queue_view(
        ctx, actor, departement=departement, statut=statut, errors_only=bool(errors_only)
    )


@french_errors
def open_dossier(ctx: AppContext, request: Any, finess: str | None) -> DossierView:
    """Open a dossier for the user of ``request`` (refused outside its scope)."""
    return dossier_view(ctx, actor_of(ctx, request), _picked(finess))


@french_errors
def comment(
    ctx: AppContext, request: Any, finess: str | None, indicator: str | None, text: str | None
) -> DossierView:
    """Add a comment on the dossier, or on one of its indicators (``indicator`` empty: all)."""
    actor = actor_of(ctx, request)
    code = indicator or None
    added = add_comment(ctx.store(), actor, _picked(finess), text or "", indicateur=code)
    where = f"l'indicateur {added.indicateur}" if added.indicateur else "le dossier entier"
    return dossier_view(ctx, actor, _picked(finess), message=f"Commentaire ajouté sur {where}.")


@french_errors
def send_back_dossier(
    ctx: AppContext, request: Any, finess: str | None, text: str | None
) -> DossierView:
    """Send the dossier back for corrections, with the comment (required) that says why."""
    actor = actor_of(ctx, request)
    done = send_back(ctx.store(), actor, _picked(finess), text or "")
    message = (
        f"Dossier FINESS {done.finess_ej} renvoyé pour correction : l'établissement voit votre "
        "commentaire et peut de nouveau le modifier."
    )
    return dossier_view(ctx, actor, done.finess_ej, message=message)


@french_errors
def validate(ctx: AppContext, request: Any, finess: str | None, text: str | None) -> DossierView:
    """Validate the submitted dossier (the comment, if any, is kept with it)."""
    actor = actor_of(ctx, request)
    done = validate_dossier(ctx.store(), actor, _picked(finess), text or None)
    return dossier_view(
        ctx, actor, done.finess_ej, message=f"Dossier FINESS {done.finess_ej} validé."
    )


# --- layout and callbacks ------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewTab:
    """The tab's components."""

    notice: Any
    body: Any
    departement: Any
    statut: Any
    errors_only: Any
    count: Any
    table: Any
    picker: Any
    view: Any
    header: Any
    message: Any
    content: Any
    report: Any
    changes: Any
    comments: Any
    indicator: Any
    comment_text: Any
    comment_btn: Any
    decision_text: Any
    send_back_btn: Any
    validate_btn: Any


def build() -> ReviewTab:
    """Lay out the tab (call inside ``gr.Tab``)."""
    import gradio as gr

    notice = gr.Markdown(visible=False, elem_id="review-notice", elem_classes=["cpom-notice"])
    with gr.Column() as body:
        gr.Markdown(
            "Les dossiers de vos départements, du plus récemment modifié au plus ancien, puis "
            "les établissements qui n'ont pas encore de dossier. Ouvrez-en un pour le lire, le "
            "commenter, le renvoyer pour correction ou le valider."
        )
        with gr.Row():
            departement = gr.Dropdown([ALL], value=ALL, label="Département", scale=1)
            statut = gr.Dropdown(STATUS_CHOICES, value="", label="Statut", scale=1)
            errors_only = gr.Checkbox(
                label="A des erreurs", scale=1, elem_classes=["cpom-align-end"]
            )
        count = gr.Markdown(elem_id="review-count")
        table = gr.Dataframe(
            headers=list(QUEUE_HEADERS),
            datatype=["str"] * 5 + ["number"] * 3,
            type="array",
            interactive=False,
            wrap=True,
            label="Dossiers à examiner",
            elem_id="review-queue",
            elem_classes=["cpom-table-sans"],
        )
        picker = gr.Dropdown(
            [],
            value=None,
            label="Ouvrir un dossier (ou cliquez sa ligne)",
            allow_custom_value=True,
            elem_id="review-open",
        )
        with gr.Column(visible=False) as view:
            header = gr.HTML(elem_id="review-header")
            message = gr.Markdown(elem_id="review-message", elem_classes=["cpom-meta"])
            with gr.Accordion("Version en cours", open=True):
                content = gr.HTML(elem_id="review-content")
            with gr.Accordion("Constats du vérificateur", open=True):
                report = gr.HTML(elem_id="review-report")
            with gr.Accordion("Ce qui a changé depuis le dernier renvoi", open=True):
                changes = gr.HTML(elem_id="review-changes")
            with gr.Accordion("Commentaires", open=True):
                comments = gr.HTML(elem_id="review-comments")
                with gr.Row():
                    indicator = gr.Dropdown([], label="Sur", scale=1, elem_id="review-indicator")
                    comment_text = gr.Textbox(
                        label="Commentaire", lines=2, scale=3, elem_id="review-comment"
                    )
                comment_btn = gr.Button("Ajouter le commentaire", elem_id="review-add-comment")
            gr.Markdown("### Décision")
            decision_text = gr.Textbox(
                label="Commentaire de décision (obligatoire pour un renvoi, facultatif pour une "
                "validation)",
                lines=3,
                elem_id="review-decision",
            )
            with gr.Row():
                send_back_btn = gr.Button("Renvoyer pour correction", elem_id="review-send-back")
                validate_btn = gr.Button("Valider", variant="primary", elem_id="review-validate")
    return ReviewTab(
        notice, body, departement, statut, errors_only, count, table, picker, view, header,
        message, content, report, changes, comments, indicator, comment_text, comment_btn,
        decision_text, send_back_btn, validate_btn,
    )  # fmt: skip


def queue_updates(view: QueueView, *, with_departements: bool = False) -> list[Any]:
    """The list's components from a `QueueView` (see `list_outputs`)."""
    import gradio as gr

    shown = not view.notice
    out = [
        gr.update(value=md(view.notice), visible=not shown),
        gr.update(visible=shown),
        view.rows,
        view.count,
        gr.update(choices=view.dossiers),
    ]
    if with_departements:
        out.append(gr.update(choices=view.departements, value=ALL))
    return out


def list_outputs(tab: ReviewTab) -> list[Any]:
    """The components a filter change fills, in order."""
    return [tab.notice, tab.body, tab.table, tab.count, tab.picker]


def view_updates(
    view: DossierView, *, clear_comment: bool = False, clear_decision: bool = False
) -> list[Any]:
    """The dossier's components from a `DossierView` (see `view_outputs`)."""
    import gradio as gr

    return [
        gr.update(visible=True),
        view.header,
        md(view.message),
        view.content,
        view.report,
        view.changes,
        view.comments,
        gr.update(choices=view.indicators, value=""),
        "" if clear_comment else gr.skip(),
        "" if clear_decision else gr.skip(),
    ]


def view_outputs(tab: ReviewTab) -> list[Any]:
    """The components opening a dossier (or acting on it) fills, in order."""
    return [
        tab.view, tab.header, tab.message, tab.content, tab.report, tab.changes, tab.comments,
        tab.indicator, tab.comment_text, tab.decision_text,
    ]  # fmt: skip


def refresh(ctx: AppContext, actor: Actor) -> list[Any]:
    """The tab when the page is (re)loaded: the list, unfiltered, and no dossier open.

    An establishment gets the message that the tab is for ARS referents, and no data; a
    database that cannot be reached, its French message.
    """
    import gradio as gr

    try:
        view = queue_view(ctx, actor)
    except AssistantError as exc:
        view = QueueView(notice=message_of(exc))
    return [*queue_updates(view, with_departements=True), "", False, gr.update(visible=False)]


def refresh_outputs(tab: ReviewTab) -> list[Any]:
    """The components ``refresh`` fills, in order."""
    return [*list_outputs(tab), tab.departement, tab.statut, tab.errors_only, tab.view]


def gradio_hints(fn: F) -> F:
    """Give ``request`` and ``evt`` the types Gradio injects (``gr.Request``, ``gr.SelectData``).

    Gradio finds them by their resolved annotations; postponed annotations are strings that
    it cannot resolve here, as gradio is imported late (inside the functions).
    """
    import gradio as gr

    hints = {"request": gr.Request, "evt": gr.SelectData}
    fn.__annotations__.update({k: v for k, v in hints.items() if k in fn.__code__.co_varnames})
    return fn


def wire(tab: ReviewTab, ctx: AppContext) -> None:
    """Attach the filters, the opening of a dossier and the review actions."""
    import gradio as gr

    t = tab
    filters = [t.departement, t.statut, t.errors_only]
    shown, opened = list_outputs(t), view_outputs(t)

    @gradio_hints
    def on_filter(departement: str, statut: str, errors_only: bool, request: Any) -> list[Any]:
        return queue_updates(show_queue(ctx, request, departement, statut, errors_only))

    @gradio_hints
    def on_open(finess: str | None, request: Any) -> list[Any]:
        if not finess:
            return [gr.update(visible=False), *[gr.skip()] * (len(opened) - 1)]
        view = open_dossier(ctx, request, finess)
        return view_updates(view, clear_comment=True, clear_decision=True)

    @gradio_hints
    def on_row(evt: Any) -> Any:
        row = getattr(evt, "row_value", None) or []
        return row[0] if row else gr.skip()

    @gradio_hints
    def on_comment(finess: str, indicator: str, text: str, request: Any) -> list[Any]:
        return view_updates(comment(ctx, request, finess, indicator, text), clear_comment=True)

    @gradio_hints
    def on_send_back(finess: str, text: str, request: Any) -> list[Any]:
        view = send_back_dossier(ctx, request, finess, text)
        return view_updates(view, clear_decision=True)

    @gradio_hints
    def on_validate(finess: str, text: str, request: Any) -> list[Any]:
        return view_updates(validate(ctx, request, finess, text), clear_decision=True)

    for control in filters:
        control.change(on_filter, filters, shown, api_visibility="private")
    # a refused action shows its French message once, not an error mark over every output
    # (which would also cover the buttons until the next event)
    status = {"show_progress_on": [t.message], "api_visibility": "private"}
    t.picker.change(on_open, [t.picker], opened, **status)
    t.table.select(on_row, None, [t.picker], api_visibility="private")
    t.comment_btn.click(on_comment, [t.picker, t.indicator, t.comment_text], opened, **status)
    for button, action in ((t.send_back_btn, on_send_back), (t.validate_btn, on_validate)):
        button.click(action, [t.picker, t.decision_text], opened, **status).success(
            on_filter, filters, shown, api_visibility="private"
        )


__all__ = [
    "DossierView",
    "ReviewTab",
    "build",
    "comment",
    "dossier_view",
    "gradio_hints",
    "list_outputs",
    "open_dossier",
    "queue_updates",
    "refresh",
    "refresh_outputs",
    "send_back_dossier",
    "show_queue",
    "validate",
    "view_outputs",
    "view_updates",
    "wire",
]
