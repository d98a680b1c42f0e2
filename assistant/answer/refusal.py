"""« Les guides ne répondent pas » decided by a small model: a logistic regression over signals.

The signals (``assistant.answer.support``) are combined with weights fitted on the dev set only
by ``bench/fit_refusal.py``, which writes ``refusal_model.json`` beside this module: feature
order, standardisation, weights, bias and the decision threshold, with what they were fitted on.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

MODEL_FILE = Path(__file__).resolve().parent / "refusal_model.json"


class RefusalModel(BaseModel, frozen=True):
    """A fitted logistic model: P(the cited passages answer) from standardised signals."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float
    fitted_on: str = ""
    embedder_id: str = ""
    """The embedder of the index the signals were read on (``closeness`` is its cosine)."""
    note: str = ""
    lexical: RefusalModel | None = None
    """The model fitted on a lexical-only index (no vectors, so no ``closeness``): it decides
    when the signals come without ``closeness``."""

    def probability(self, signals: dict[str, float]) -> float:
        """The probability that the passages answer, from the decision's signals.

        Without ``closeness`` (no vectors, or vectors of another embedder) the lexical model
        decides; a signal that could still not be read counts as its mean on the dev set, so it
        moves nothing.
        """
        if (deciding := self._deciding(signals)) is not self:
            return deciding.probability(signals)
        z = self.bias
        for name, mean, scale, weight in zip(
            self.features, self.mean, self.scale, self.weights, strict=True
        ):
            z += weight * (signals.get(name, mean) - mean) / (scale or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def supports(self, signals: dict[str, float]) -> bool:
        """Whether the passages answer (probability at or over the fitted threshold)."""
        deciding = self._deciding(signals)
        return deciding.probability(signals) >= deciding.threshold

    def _deciding(self, signals: dict[str, float]) -> RefusalModel:
        """The lexical model when the signals come without ``closeness``, else this one."""
        if self.lexical is not None and "closeness" in self.features and "closeness" not in signals:
            return self.lexical
        return self


@lru_cache(maxsize=1)
def refusal_model() -> RefusalModel:
    """The shipped model (read once)."""
    return RefusalModel.model_validate(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
