"""How much a sentence answers a question: a linear score over its signals, fitted on the dev set.

The signals (``assistant.answer.evidence``) are the question's term weight inside the sentence
and around it, the passage's retrieval rank, the sentence's BM25 and its closeness in meaning,
and whether it holds a figure, a date or the kind of fact asked, and reads as an answering line.
Their weights come from ``sentence_model.json`` beside this module, written by
``bench/fit_sentence_model.py`` on the dev set only (hand-set defaults when it is absent).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

MODEL_FILE = Path(__file__).resolve().parent / "sentence_model.json"
SENTENCE_SIGNALS = (
    "own",
    "around",
    "prior",
    "bm25",
    "meaning",
    "figure",
    "date",
    "asked",
    "answer_line",
)
"""The signals of a sentence's score, in the order ``ScoredSentence.signals`` holds them."""
DEFAULT_WEIGHTS = (0.5, 0.3, 0.1, 0.5, 0.4, 0.08, 0.08, 0.0, 0.0)
"""The hand-set weights the fitted ones replaced (and the scale they keep)."""


class SentenceModel(BaseModel, frozen=True):
    """Weights of a sentence's signals (a sentence's score is their weighted sum)."""

    signals: list[str]
    weights: list[float]
    fitted_on: str = ""
    note: str = ""

    def score(self, values: Sequence[float]) -> float:
        """The weighted sum of ``values`` (in the order of ``signals``)."""
        return sum(w * v for w, v in zip(self.weights, values, strict=True))


DEFAULT = SentenceModel(signals=list(SENTENCE_SIGNALS), weights=list(DEFAULT_WEIGHTS))


@lru_cache(maxsize=1)
def sentence_model() -> SentenceModel:
    """The shipped model (read once), or the hand-set weights when there is none."""
    if not MODEL_FILE.exists():
        return DEFAULT
    model = SentenceModel.model_validate(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
    if tuple(model.signals) != SENTENCE_SIGNALS:
        return DEFAULT  # written for other signals: not applicable
    return model
