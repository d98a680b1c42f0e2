"""The ask chain: answers from the guides with numbered citations, offline or with an LLM.

``answer_question(question, index=…, kb=…, settings=…, history=…, chat_model=…)`` returns an
``Answer``; ``stream_answer`` yields the generated text as it comes, then the ``Answer``.
"""

from assistant.answer.chain import History, answer_question, stream_answer
from assistant.answer.models import REFUSAL, Answer, AnswerMode, Citation

__all__ = [
    "REFUSAL",
    "Answer",
    "AnswerMode",
    "Citation",
    "History",
    "answer_question",
    "stream_answer",
]
