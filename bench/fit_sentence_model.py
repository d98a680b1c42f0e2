"""Fit the sentence score on the dev sets only; write assistant/answer/sentence_model.json.

Usage: .venv/bin/python bench/fit_sentence_model.py [--dry-run]

For every answerable question of the dev sets (``bench/devset.yaml`` and, when present,
``bench/devset_extra.yaml``, ``bench/dev3/``), the evidence is gathered and its best-scored
sentences are kept with their signals; a sentence is a right answer when it holds every
``answer_keywords`` entry. A listwise model (softmax over a question's candidates, L2 pull
toward the hand-set weights) learns the weights that put a right sentence first. Before the
final fit, a two-fold split of the questions reports how a fit carries to questions it did not
see. The held-out sets are never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import sentence_model as sm  # noqa: E402
from assistant.answer.evidence import gather  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.index.reader import Index  # noqa: E402
from tests.devset_tools import (  # noqa: E402
    DEV3,
    DEVSET_EXTRA,
    holds_all,
    load_devset,
    single_turn_question,
)

CANDIDATES = 60
TEMPERATURE = 10.0
L2 = 2.0
EXTRA = DEVSET_EXTRA

Group = tuple[np.ndarray, np.ndarray, np.ndarray]
"""One question: (signals per candidate, multiplier per candidate, right-answer mask)."""


def record() -> tuple[list[Group], list[str]]:
    """The candidates of every answerable dev question, with the sets read."""
    settings = Settings()
    index = Index(settings)
    sm.sentence_model.cache_clear()
    sources = ["bench/devset.yaml"]
    items = [i for i in load_devset() if i.answerable]
    if EXTRA.exists():
        sources.append("bench/devset_extra.yaml")
        items += [i for i in load_devset(EXTRA) if i.answerable]
    sources.append("bench/dev3/")
    items += [i for path in DEV3 for i in load_devset(path) if i.answerable]
    groups: list[Group] = []
    for item in items:
        evidence = gather(index, single_turn_question(item), k=8, candidates=30, rrf_k=10)
        top = evidence.scored[:CANDIDATES]
        right = np.array([holds_all(item.keywords, s.sentence.text) for s in top])
        if not right.any() or right.all():
            continue
        x = np.array([s.signals for s in top], dtype=float)
        linear = x @ np.array(sm.sentence_model().weights)
        # the score's factors outside the linear part (short line, historical document)
        factor = np.divide([s.score for s in top], linear, out=np.ones(len(top)), where=linear != 0)
        groups.append((x, factor, right))
    return groups, sources


def fit(groups: list[Group], start: np.ndarray) -> np.ndarray:
    """Weights that put a right sentence first (softmax listwise loss, L2 toward ``start``)."""
    w = start.copy()
    for _ in range(3000):
        grad = L2 * (w - start)
        for x, factor, right in groups:
            s = TEMPERATURE * factor * (x @ w)
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * right
            q /= q.sum()
            grad += TEMPERATURE * ((p - q) * factor) @ x / len(groups)
        w -= 0.05 * grad
    return w


def top1(groups: list[Group], w: np.ndarray) -> float:
    """Share of questions whose best-scored candidate is a right answer."""
    return float(np.mean([right[np.argmax(factor * (x @ w))] for x, factor, right in groups]))


def main() -> None:
    """Fit, report the two-fold and full figures, write the model."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    groups, sources = record()
    start = np.array(sm.DEFAULT_WEIGHTS, dtype=float)
    halves = groups[::2], groups[1::2]
    for name, (train, test) in (("A->B", halves), ("B->A", halves[::-1])):
        w = fit(train, start)
        print(
            f"two-fold {name}: first sentence right {top1(test, start):.3f} (hand-set) "
            f"-> {top1(test, w):.3f} (fitted on the other half)"
        )
    w = fit(groups, start)
    print(f"{len(groups)} questions with a right and a wrong candidate ({', '.join(sources)})")
    print(f"all: {top1(groups, start):.3f} (hand-set) -> {top1(groups, w):.3f} (fitted)")
    for name, before, after in zip(sm.SENTENCE_SIGNALS, start, w, strict=True):
        print(f"  {name:<12} {before:+.3f} -> {after:+.3f}")
    if args.dry_run:
        return
    model = sm.SentenceModel(
        signals=list(sm.SENTENCE_SIGNALS),
        weights=[round(float(v), 6) for v in w],
        fitted_on=f"{' + '.join(sources)} ({len(groups)} questions)",
        note="written by bench/fit_sentence_model.py; never fitted on bench/heldout/",
    )
    sm.MODEL_FILE.write_text(
        json.dumps(model.model_dump(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"written: {sm.MODEL_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
