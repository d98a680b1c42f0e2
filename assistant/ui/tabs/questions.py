"""Questions tab: answers from the guides with numbered sources, streamed when an LLM is set.

The chat's turns are kept as plain text (``assistant.ui.chat.Turn``) in the browser; follow-up
questions read them, and the chat shown is made from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import (
    AssistantError,
    Establishment,
    InvalidInputError,
    selection_lines,
    stream_answer,
)
from assistant.ui.chat import (
    MAX_TURNS_KEPT,
    PENDING,
    Turn,
    answer_html,
    error_html,
    history_of,
    load_turns,
    messages_of,
    preview_html,
    question_html,
    store_turns,
    turn_of,
)
from assistant.ui.errors import french_errors, message_of
from assistant.ui.escaping import md
from assistant.ui.feedback import Rating, record_feedback
from assistant.ui.workspace import Dossier, draft_tree, profile_of

if TYPE_CHECKING:
    from assistant import Answer
    from assistant.ui.service import AppContext

MAX_QUESTION_CHARS = 2_000
MAX_HISTORY_TURNS = 4
"""Previous (question, answer) turns given to the chain for follow-up questions."""
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Combien d'indicateurs au maximum ?",
    "Combien d'indicateurs de coopération au minimum ?",
    "Date limite du choix des indicateurs ?",
    "Que doit choisir un hôpital de proximité ?",
    "Quelle est la cible de l'indicateur OS 13 ?",
)
Record = dict[str, Any]
"""A turn as JSON: what the app keeps of an answer (for follow-ups and feedback)."""


# --- handlers ------------------------------------------------------------------------------


GENERAL_LABEL = "Répondre en général, sans tenir compte de mon dossier"
INCOMPLETE_PROFILE = (
    "Réponses générales : complétez le profil de l'établissement (onglet « Choisir mes "
    "indicateurs ») pour des réponses propres à votre établissement."
)


def establishment_of_dossier(ctx: AppContext, stored: Any) -> Establishment | None:
    """The establishment of the dossier kept in the browser.

    None when its profile is incomplete: the answers are then general.
    """
    dossier = Dossier.load(stored)
    try:
        profile = profile_of(dossier.profil)
    except InvalidInputError:
        return None
    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    return Establishment(
        profile=profile,
        strategic=selection_lines(tree["indicateurs"]),
        hpr=selection_lines(tree["indicateurs_hpr"]),
        tree=tree,
    )


NO_DOSSIER = "Réponses générales, pour tous les établissements (ce compte n'a pas de dossier)."


def answering_for(
    ctx: AppContext, stored: Any, general: bool = False, *, edits: bool = True
) -> str:
    """The line above the chat: whom the answers are written for.

    ``edits``: the user fills a profile in the page (an establishment, the local user); a
    referent does not, and is never asked to complete one.
    """
    if not edits:
        return NO_DOSSIER
    establishment = establishment_of_dossier(ctx, stored)
    if establishment is None:
        return INCOMPLETE_PROFILE
    if general:
        return "Réponses générales, pour tous les établissements."
    profile = establishment.profile
    return f"Réponses pour : **{md(profile.name())}** ({md(profile.describe())})"


def ask_stream(
    ctx: AppContext,
    question: str,
    turns: Sequence[Turn] = (),
    establishment: Establishment | None = None,
) -> Iterator[tuple[str, Record | None]]:
    """Answer a question from the guides, showing generated text as it comes (LLM mode).

    Args:
        ctx: The app's context.
        question: The question as typed.
        turns: The chat so far (the last few are given to the chain for follow-ups).
        establishment: The establishment of the current dossier: the answer starts with what
            the question means for it; None for a general answer.

    Yields:
        (chat HTML, None) for each preview of a generated answer, then (chat HTML, record)
        for the final answer: its text with markers and its numbered, expandable sources;
        the record is the answer's ``Turn`` as JSON. When the configured chat model is
        unavailable, the answer's notice says why.

    Raises:
        InvalidInputError: Empty or over-long question.
        IndexNotReadyError: No index yet.
    """
    question = (question or "").strip()
    if not question:
        raise InvalidInputError("Saisissez une question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInputError(
            f"La question est trop longue ({len(question)} caractères, "
            f"{MAX_QUESTION_CHARS} au plus) : raccourcissez-la."
        )
    index = ctx.service.index()
    chat_model = ctx.chat_model()
    unavailable = ctx.llm_notice if chat_model is None else None
    preview = ""
    for event in stream_answer(
        question,
        index=index,
        kb=ctx.kb(),
        settings=ctx.settings,
        history=history_of(turns, last=MAX_HISTORY_TURNS) or None,
        chat_model=chat_model,
        establishment=establishment,
    ):
        if isinstance(event, str):
            preview += event
            yield preview_html(preview), None
        else:
            answer = _with_notice(event, unavailable) if event.supported else event
            problem = getattr(index, "dense_problem", None)
            if problem is not None:  # a Chroma server away: the answer rests on lexical search
                answer = _with_notice(answer, problem.message)
            yield answer_html(answer), turn_of(answer, question).model_dump(mode="json")


def _with_notice(answer: Answer, notice: str | None) -> Answer:
    """``answer`` with ``notice`` added after its own (the same answer when there is none)."""
    if not notice:
        return answer
    joined = " ".join(n for n in (answer.notice, notice) if n)
    return answer.model_copy(update={"notice": joined})


def ask(
    ctx: AppContext,
    question: str,
    turns: Sequence[Turn] = (),
    establishment: Establishment | None = None,
) -> tuple[str, Record]:
    """Answer a question from the guides: the final chat HTML and the answer's record.

    Raises:
        InvalidInputError: Empty or over-long question.
        IndexNotReadyError: No index yet.
    """
    final: tuple[str, Record] | None = None
    for reply, record in ask_stream(ctx, question, turns, establishment):
        if record is not None:
            final = (reply, record)
    assert final is not None
    return final


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionsTab:
    """The Questions tab's components (and its per-session states)."""

    answering_for: Any
    """The line above the chat: « Réponses pour : <raison sociale> »."""
    general: Any
    """The switch to answer in general, without the dossier."""
    answered_for: Any
    """The dossier the answers are written for (``gr.State``; None: in general), set when the
    tab opens or the switch moves. A state, not the browser's dossier, so that the named
    ``answer`` event keeps the inputs API clients send (the question and the chat)."""
    chatbot: Any
    question: Any
    send: Any
    comment: Any
    useful: Any
    useless: Any
    feedback_note: Any
    new_chat: Any
    last_answer: Any
    """The last answer's record (``gr.State``), for feedback."""
    pending: Any
    """The question being answered (``gr.State``)."""


def build() -> QuestionsTab:
    """Lay out the Questions tab (call inside ``gr.Tab``)."""
    import gradio as gr

    with gr.Row(equal_height=True):
        answering = gr.Markdown(INCOMPLETE_PROFILE, elem_id="answering-for")
        general = gr.Checkbox(
            label=GENERAL_LABEL, value=False, scale=0, min_width=260, elem_id="answer-general"
        )
    chatbot = gr.Chatbot(
        label="Questions sur les guides",
        height=520,
        feedback_options=None,
        # no « share » button: it posts to Hugging Face Spaces and has an empty aria-label
        buttons=["copy", "copy_all"],
        placeholder="Posez une question sur la campagne CPOM 2025-2029 : chaque "
        "réponse cite les passages des guides sur lesquels elle repose.",
        elem_id="chat",
    )
    with gr.Row():
        question = gr.Textbox(
            label="Votre question",
            placeholder="Ex. : combien d'indicateurs de coopération faut-il retenir ?",
            max_length=MAX_QUESTION_CHARS,
            scale=5,
            elem_id="question",
        )
        send = gr.Button(
            "Envoyer",
            variant="primary",
            scale=0,
            min_width=140,
            elem_id="send",
            elem_classes=["cpom-align-end"],
        )
    gr.Examples(list(EXAMPLE_QUESTIONS), inputs=question, label="Exemples de questions")
    with gr.Accordion("Votre avis sur la dernière réponse", open=False):
        comment = gr.Textbox(label="Commentaire (facultatif)", lines=2, max_length=2000)
        with gr.Row():
            useful = gr.Button("Réponse utile", size="sm")
            useless = gr.Button("Réponse pas utile", size="sm")
        feedback_note = gr.Markdown()
    new_chat = gr.Button("Nouvelle conversation", size="sm", variant="secondary")
    return QuestionsTab(
        answering_for=answering,
        general=general,
        answered_for=gr.State(None),
        chatbot=chatbot,
        question=question,
        send=send,
        comment=comment,
        useful=useful,
        useless=useless,
        feedback_note=feedback_note,
        new_chat=new_chat,
        last_answer=gr.State(None),
        pending=gr.State(""),
    )


# --- callbacks -----------------------------------------------------------------------------


def show_question(text: str, shown: list[Any]) -> tuple[list[Any], str, str]:
    """Show the question at once, with a pending answer; clear the box."""
    import gradio as gr

    text = (text or "").strip()
    if not text:
        raise gr.Error("Saisissez une question.", title="Question vide")
    messages = [
        *(shown or []),
        {"role": "user", "content": question_html(text)},
        {"role": "assistant", "content": PENDING},
    ]
    return messages, "", text


def answer_with(
    ctx: AppContext,
) -> Callable[[str, list[Any], Any, Any], Iterator[tuple[Any, ...]]]:
    """The callback that replaces the pending answer by the answer as it comes.

    Its last input is the dossier the answers are written for (None: in general).
    """
    import gradio as gr

    def answer(
        text: str, shown: list[Any], stored: Any, dossier: Any = None
    ) -> Iterator[tuple[Any, ...]]:
        turns = load_turns(stored)
        base = (shown or [])[:-1][-(2 * MAX_TURNS_KEPT - 1) :]  # the chat shown is capped too
        try:
            establishment = establishment_of_dossier(ctx, dossier) if dossier else None
            for reply, record in ask_stream(ctx, text, turns, establishment):
                messages = [*base, {"role": "assistant", "content": reply}]
                if record is None:
                    yield messages, gr.skip(), gr.skip()
                else:
                    kept = store_turns([*turns, Turn.model_validate(record)])
                    yield messages, record, kept
        except AssistantError as exc:
            failed = {"role": "assistant", "content": error_html(message_of(exc))}
            yield [*base, failed], None, gr.skip()

    return answer


def feedback_with(ctx: AppContext, rating: Rating) -> Callable[[Record | None, str], Any]:
    """A callback that records a rating of the last answer."""

    @french_errors
    def record(last: Record | None, comment: str) -> tuple[str, str]:
        record_feedback(ctx.data_dir, last, rating, comment)
        return "Merci : votre avis est enregistré.", ""

    return record


def restore(stored: Any) -> list[Any]:
    """The chat shown after a reload, made from the turns kept in the browser."""
    return [messages_of(load_turns(stored))]


def refresh(
    ctx: AppContext, stored: Any, general: bool = False, *, edits: bool = True
) -> list[Any]:
    """The line above the chat, and the dossier the answers are written for (None: general)."""
    line = answering_for(ctx, stored, general, edits=edits)
    return [line, None if general or not edits else stored]


def refresh_outputs(tab: QuestionsTab) -> list[Any]:
    """The components ``refresh`` fills, in order."""
    return [tab.answering_for, tab.answered_for]


def restore_outputs(tab: QuestionsTab) -> list[Any]:
    """The components ``restore`` fills, in order."""
    return [tab.chatbot]


def wire(tab: QuestionsTab, ctx: AppContext, *, chat_store: Any) -> None:
    """Attach the tab's callbacks (call inside ``gr.Blocks``).

    The send button's chain has fixed API names (``show_question``, ``answer``): the load
    bench drives the app through them. The answers are written for the dossier that
    ``refresh`` puts in ``answered_for``; the app calls it when the tab opens and when the
    « en général » switch moves (it needs the user).
    """
    t = tab
    for trigger, named in ((t.send.click, True), (t.question.submit, False)):
        trigger(
            show_question,
            [t.question, t.chatbot],
            [t.chatbot, t.question, t.pending],
            queue=False,
            api_name="show_question" if named else None,
        ).then(
            answer_with(ctx),
            [t.pending, t.chatbot, chat_store, t.answered_for],
            [t.chatbot, t.last_answer, chat_store],
            api_name="answer" if named else None,
        )
    ratings: tuple[tuple[Any, Rating], ...] = ((t.useful, "utile"), (t.useless, "pas_utile"))
    for button, rating in ratings:
        button.click(
            feedback_with(ctx, rating), [t.last_answer, t.comment], [t.feedback_note, t.comment]
        )
    t.new_chat.click(
        lambda: ([], [], None), None, [t.chatbot, chat_store, t.last_answer], queue=False
    )


__all__ = [
    "EXAMPLE_QUESTIONS",
    "MAX_QUESTION_CHARS",
    "NO_DOSSIER",
    "QuestionsTab",
    "answering_for",
    "ask",
    "ask_stream",
    "build",
    "establishment_of_dossier",
    "refresh",
    "refresh_outputs",
    "restore",
    "restore_outputs",
    "wire",
]
