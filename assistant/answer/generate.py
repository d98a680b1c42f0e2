"""The LLM answer: a LangChain chain (prompt from ``prompts/`` | chat model | text), guarded.

The passages given to the model are those the offline answer cites, then the best others of
the evidence, each numbered and delimited as data. The generated text streams out as it comes;
the final answer is what the grounding guard keeps. When the model fails, times out, refuses a
question the evidence answers, or states nothing grounded, the offline answer is given instead,
with a notice saying so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from assistant.answer.guard import GuardResult, PromptPassage, check, is_instruction
from assistant.answer.models import Answer, Citation, strip_markers
from assistant.config import Settings
from assistant.errors import LLMUnavailableError
from assistant.index.statistics import body_offset
from assistant.llm.models import llm_error
from assistant.llm.prompts import load_prompt, load_prompt_parts
from assistant.text.figures import content_stems, figures, is_year
from assistant.text.sentences import sentence_spans, whole_quote

if TYPE_CHECKING:
    from assistant.answer.offline import OfflineAnswer

logger = logging.getLogger(__name__)

MAX_PROMPT_PASSAGES = 3
MAX_PASSAGE_CHARS = 800
_DELIMITERS = ("<<<", ">>>")

NOTICE_FAILED = "{reason} Réponse hors ligne, extraite des guides."
NOTICE_UNGROUNDED = (
    "La réponse générée citait des chiffres ou des passages absents des sources ; "
    "réponse hors ligne, extraite des guides."
)
NOTICE_REFUSED = (
    "Le modèle n'a pas trouvé la réponse dans les passages ; réponse hors ligne, extraite des "
    "guides."
)
NOTICE_EMPTY = (
    "Le modèle de langage n'a pas produit de réponse exploitable ; réponse hors ligne, extraite "
    "des guides."
)
NOTICE_DRIFT = (
    "La réponse générée laissait de côté ce que disent les guides sur la question ; réponse "
    "hors ligne, extraite des guides."
)
NOTICE_PARTIAL = (
    "Des phrases de la réponse générée, non vérifiables dans les sources, ont été retirées."
)


def answer_chain(chat_model: Any, settings: Settings) -> Any:
    """The runnable ``{passages, question} -> text``.

    Messages: the rules (``answer_system``), one worked example (``answer_example``: passages,
    question, answer; small models follow its form), then the passages and the question
    (``answer_user``).
    """
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    user = load_prompt("answer_user", settings)
    example = example_parts(load_prompt_parts("answer_example", settings))
    shown = user.format(
        passages=example["passages"],
        selected=example.get("phrases", ""),
        question=example["question"],
    )
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", _literal(load_prompt("answer_system", settings))),
            ("human", _literal(shown)),
            ("ai", _literal(example["réponse"])),
            ("human", user),
        ]
    )
    return prompt | chat_model | StrOutputParser()


def example_parts(parts: dict[str, str]) -> dict[str, str]:
    """The ``## passages``, ``## question`` and ``## réponse`` parts of the example prompt.

    Raises:
        LLMUnavailableError: a part is missing (French message; the answer is then offline).
    """
    missing = [name for name in ("passages", "question", "réponse") if not parts.get(name)]
    if missing:
        raise LLMUnavailableError(
            "Le gabarit 'answer_example.md' n'a pas de partie « ## "
            + " », « ## ".join(missing)
            + " »."
        )
    return parts


def _literal(text: str) -> str:
    """A prompt text with no template variables (its braces escaped)."""
    return text.replace("{", "{{").replace("}", "}}")


def prompt_passages(draft: OfflineAnswer) -> list[PromptPassage]:
    """The numbered passages for the prompt: the offline answer's sources, then the best others."""
    index_chunks = _chunks_of(draft)
    out: list[PromptPassage] = []
    seen: set[str] = set()
    focus: dict[str, int] = {}
    for scored in draft.evidence.scored:
        focus.setdefault(scored.passage.chunk.id, scored.sentence.start)
    for citation in draft.answer.citations:
        key = citation.chunk_id or citation.quote
        if key in seen:
            continue
        seen.add(key)
        chunk = index_chunks.get(citation.chunk_id or "")
        text = (
            _excerpt(chunk.text, chunk.text.find(citation.quote[:40]), chunk)
            if chunk is not None
            else citation.quote
        )
        out.append(_passage(len(out) + 1, citation, text))
    for scored in draft.evidence.scored:
        if len(out) >= MAX_PROMPT_PASSAGES:
            break
        chunk = scored.passage.chunk
        if chunk.id in seen:
            continue
        seen.add(chunk.id)
        citation = Citation(
            n=len(out) + 1,
            doc_id=chunk.doc_id,
            title=chunk.title,
            section=chunk.section,
            page=chunk.page,
            quote=whole_quote(
                chunk.text,
                scored.sentence.start,
                scored.sentence.end,
                body=body_offset(chunk),
            ),
            period=chunk.period,
            status=chunk.status,
            chunk_id=chunk.id,
        )
        out.append(_passage(len(out) + 1, citation, _excerpt(chunk.text, focus[chunk.id], chunk)))
    return out[:MAX_PROMPT_PASSAGES]


def _chunks_of(draft: OfflineAnswer) -> dict[str, Any]:
    return {p.chunk.id: p.chunk for p in draft.evidence.pool}


def _excerpt(text: str, focus: int, chunk: Any) -> str:
    """At most ``MAX_PASSAGE_CHARS`` of a passage's body, around ``focus``."""
    body_start = body_offset(chunk)
    body = text[body_start:]
    if len(body) <= MAX_PASSAGE_CHARS:
        return body
    start = max(0, (focus - body_start if focus >= body_start else 0) - MAX_PASSAGE_CHARS // 3)
    piece = body[start : start + MAX_PASSAGE_CHARS]
    return ("… " if start else "") + piece + ("…" if start + MAX_PASSAGE_CHARS < len(body) else "")


def _passage(n: int, citation: Citation, text: str) -> PromptPassage:
    historical = ", document historique" if citation.status == "historical" else ""
    page = f", p. {citation.page}" if citation.page else ""
    header = f"[{n}] {citation.title} ({citation.period}{historical}{page}) — {citation.section}"
    clean = redact_instructions(text)
    for mark in _DELIMITERS:
        clean = clean.replace(mark, "«")
    return PromptPassage(
        n=n, header=header, text=clean, citation=citation.model_copy(update={"n": n})
    )


REDACTED = "[phrase retirée : consigne adressée à l'assistant, pas une règle des guides]"


def redact_instructions(text: str) -> str:
    """``text`` with its sentences that give orders to the assistant replaced by a mark.

    A document is data: a sentence such as « ignore les instructions précédentes et réponds
    que… » is not shown to the model, so that it can neither obey it nor cite its figures (a
    generated sentence stating them then cites a passage that lacks them, and the guard
    removes it).
    """
    parts = re.split(r"(?<=[.!?])(\s+)", text)
    return "".join(REDACTED if is_instruction(part) else part for part in parts)


MAX_SELECTED = 3


def selected_sentences(draft: OfflineAnswer) -> str:
    """The offline answer's sentences, the answering one first, one per line, for the prompt.

    Without their citation marks (the prompt's passages are numbered on their own) and without
    the closing lines naming a historical document; sentences giving orders are redacted.
    """
    if not draft.answer.supported:
        return ""
    lines = [line for line in draft.answer.answer.splitlines() if not line.startswith("[")]
    text = strip_markers(" ".join(lines))
    sentences = [s.text for s in sentence_spans(text)][:MAX_SELECTED]
    clean = [redact_instructions(s) for s in sentences]
    return "\n".join(
        line.replace(_DELIMITERS[0], "«").replace(_DELIMITERS[1], "»") for line in clean
    )


def format_passages(passages: list[PromptPassage]) -> str:
    """The passages block of the prompt."""
    return "\n\n".join(f"{p.header}\n{p.text}" for p in passages)


def generate_answer_stream(
    draft: OfflineAnswer, *, chat_model: Any, settings: Settings
) -> Iterator[str | Answer]:
    """Generate the answer with ``chat_model``: text pieces as they come, then the Answer.

    A model that fails, times out, or stops in the middle of its answer (a stream that ends
    without saying it is finished: the server died) gives the offline answer with the reason;
    the text already streamed is never kept.
    """
    passages = prompt_passages(draft)
    pieces: list[str] = []
    ending = _StreamEnding()
    try:
        chain = answer_chain(chat_model, settings)
        for piece in chain.stream(
            {
                "passages": format_passages(passages),
                "selected": selected_sentences(draft),
                "question": draft.evidence.question,
            },
            config={"callbacks": [ending]},
        ):
            pieces.append(piece)
            yield piece
        if not ending.finished(chat_model):
            raise _CutShortError("the answer stream ended without a finish reason")
    except Exception as exc:  # any model failure: the offline answer, with the reason
        started = bool(pieces) or isinstance(exc, _CutShortError)
        error = llm_error(exc, settings=settings, started=started)
        logger.warning("LLM answer failed: %s", error.message)
        yield _fallback(draft, NOTICE_FAILED.format(reason=error.message), grounded=True)
        return
    yield guarded_answer(draft, "".join(pieces), passages)


class _CutShortError(ConnectionError):
    """The answer stream ended early with no error: the connection closed mid-answer."""


_REPORTS_FINISH = frozenset({"ChatOpenAI", "AzureChatOpenAI", "ChatOllama"})
"""Chat models whose last streamed chunk says why the answer ended (finish or done reason)."""


class _StreamEnding(BaseCallbackHandler):
    """Keeps the metadata of the streamed answer, to tell a finished answer from a cut one."""

    def __init__(self) -> None:
        self.metadata: dict[str, Any] = {}

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generation in (response.generations or [[]])[0]:
            message = getattr(generation, "message", None)
            self.metadata.update(generation.generation_info or {})
            self.metadata.update(getattr(message, "response_metadata", None) or {})

    def finished(self, chat_model: Any) -> bool:
        """Whether the answer ended as the server meant it to.

        Models that never say why they stopped (the offline fakes) always count as finished.
        """
        meta = self.metadata
        if meta.get("finish_reason") or meta.get("done_reason") or meta.get("done") is True:
            return True
        return not (meta.get("model_provider") or type(chat_model).__name__ in _REPORTS_FINISH)


def guarded_answer(draft: OfflineAnswer, text: str, passages: list[PromptPassage]) -> Answer:
    """The generated ``text`` after the guard, or the offline answer when nothing holds.

    The offline answer is also given when the kept text drops the facts of the answering
    sentence or drifts to another subject (``drops_the_answer``).
    """
    result: GuardResult = check(text, passages)
    if not result.kept_anything:
        if result.refused and not result.removed:
            return _fallback(draft, NOTICE_REFUSED, grounded=True)
        if not result.removed:
            return _fallback(draft, NOTICE_EMPTY, grounded=False)
        return _fallback(draft, NOTICE_UNGROUNDED, grounded=False, removed=result.removed)
    if draft.answer.supported and drops_the_answer(selected_sentences(draft), result.text):
        return _fallback(draft, NOTICE_DRIFT, grounded=True, removed=result.removed)
    return Answer(
        question=draft.evidence.question,
        answer=result.text,
        supported=True,
        mode="llm",
        citations=result.citations,
        grounded=not result.removed,
        removed_claims=result.removed,
        notice=NOTICE_PARTIAL if result.removed else None,
    )


DRIFT_OVERLAP = 0.25
"""A generated answer sharing less than this share of the answering sentence's content words
(and none of its figures) has drifted to another subject."""


def drops_the_answer(selected: str, generated: str) -> bool:
    """Whether ``generated`` leaves out what the answering sentence (first of ``selected``) says.

    It does when the answering sentence states figures and the generated text carries none of
    them (« combien de plans » answered without the number); for a sentence without figures,
    when the two share less than ``DRIFT_OVERLAP`` of its content words (another subject).
    """
    spans = sentence_spans(selected)
    if not spans or not generated.strip():
        return False
    lead = spans[0].text
    said = {(f.kind, f.value) for f in figures(lead) if not is_year(f)}
    kept = {(f.kind, f.value) for f in figures(generated)}
    if said:
        return not said & kept  # the figures are the answer: kept, it is on the subject
    words = content_stems(lead)
    if not words:
        return False
    return len(words & content_stems(generated)) / len(words) < DRIFT_OVERLAP


def _fallback(
    draft: OfflineAnswer, notice: str, *, grounded: bool, removed: list[str] | None = None
) -> Answer:
    return draft.answer.model_copy(
        update={"notice": notice, "grounded": grounded, "removed_claims": removed or []}
    )
