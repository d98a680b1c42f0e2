"""Fit the refusal model on the dev sets only, and write assistant/answer/refusal_model.json.

Usage: .venv/bin/python bench/fit_refusal.py [--dry-run]

Every dev question goes through the offline chain with every candidate answer judged (none is
accepted while fitting), recording each decision's signals. A logistic regression (numpy, L2,
standardised signals, each weight kept on its side of zero: ``SIGNS``) learns P(answerable) from
the first three dev sets (``bench/devset.yaml``, ``bench/devset_extra.yaml``, ``bench/dev3/``)
and a few off-topic questions; the threshold is the highest one that keeps the answerable
questions wrongly refused at or under 1.5 % on every dev set (those three together, and each of
``bench/dev4/`` … ``bench/dev6/``, retired held-out sets whose questions the weights never saw)
when the chain takes the first candidate over it; the trade-off is printed every 0.1. The
held-out sets are never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import support  # noqa: E402
from assistant.answer.offline import offline_answer  # noqa: E402
from assistant.answer.refusal import MODEL_FILE, RefusalModel, refusal_model  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.index.reader import Index  # noqa: E402
from assistant.kb import load_kb  # noqa: E402
from tests.devset_tools import (  # noqa: E402
    DEV3,
    DEV4,
    DEV5,
    DEV6,
    DEVSET_EXTRA,
    load_devset,
    single_turn_question,
)

FEATURES = [
    "coverage",
    "routed_unsaid",
    "missing_named",
    "region_mismatch",
    "type_missing",
    "routed",
    "unknown_terms",
    "year_missing",
    "top_sentence",
    "closeness",
]
MAX_WRONGLY_REFUSED = 0.015
CHECKED_ON = {"dev4": DEV4, "dev5": DEV5, "dev6": DEV6}
"""Dev sets the threshold is checked on but the weights are not fitted on."""
# Questions with nothing to do with the CPOM: the dev set's unanswerable questions are all close
# to the guides, so without these the model would not learn that coverage matters.
OFF_TOPIC = (
    "Quelle est la recette de la tarte aux pommes ?",
    "Quel temps fera-t-il demain à Montpellier ?",
    "Qui a gagné la coupe du monde de football en 1998 ?",
    "Comment changer un pneu de voiture ?",
    "Quel est le prix d'un billet de train Paris-Toulouse ?",
    "Comment installer Python sur Windows ?",
    "Quelle est la capitale de l'Australie ?",
    "Combien de calories dans une banane ?",
)
MORE_OFF_TOPIC = (
    "Comment faire une pâte à crêpes sans gluten ?",
    "Quels sont les horaires d'ouverture de la piscine municipale ?",
    "Comment réinitialiser le mot de passe de ma box internet ?",
    "Quelle est la meilleure période pour planter des tomates ?",
    "Combien coûte une révision de voiture chez un garagiste ?",
    "Quel film voir au cinéma ce week-end ?",
    "Comment entretenir un aquarium d'eau douce ?",
    "Quelles sont les règles du rugby à XV ?",
)
L2 = 0.5
OFF_TOPIC_WEIGHT = 3
"""Each off-topic question counts this many times (the dev sets hold 300 close ones)…"""
LEXICAL_OFF_TOPIC_WEIGHT = 5
"""… and the lexical model sees ``MORE_OFF_TOPIC`` too, this many times each: without vectors,
no closeness in meaning tells « la recette de la tarte » from « les recettes historiques »."""


Signals = list[tuple[bool, list[dict[str, float]]]]
"""(answerable, signals of each candidate in chain order) for each question of a set."""


def record(lexical: bool = False) -> tuple[dict[str, Signals], str]:
    """The signals of every dev question, by set (``fit``: the sets the weights are fitted on,
    with the off-topic questions; then each of ``CHECKED_ON``), and the index's embedder.

    ``lexical``: on an index without vectors, built for the occasion in a temporary folder
    (what a user gets with ``CPOM_DENSE=false`` or before the vectors are computed).
    """
    settings = Settings()
    if lexical:
        from assistant.index.build import ingest

        folder = Path(tempfile.mkdtemp(prefix="cpom-lexical-"))
        settings = settings.model_copy(update={"index_dir": folder / "index"})
        ingest(settings, dense=False)
    index = Index(settings)
    kb = load_kb(settings.corpus_dir)
    refuse_all = RefusalModel(
        features=[],
        mean=[],
        scale=[],
        weights=[],
        bias=-50.0,
        threshold=1.0,
        embedder_id=index.manifest.embedder_id or "",
    )
    support.refusal_model = lambda: refuse_all  # type: ignore[assignment]
    items = load_devset() + load_devset(DEVSET_EXTRA) + [i for p in DEV3 for i in load_devset(p)]
    off_topic = (
        (OFF_TOPIC + MORE_OFF_TOPIC) * LEXICAL_OFF_TOPIC_WEIGHT
        if lexical
        else OFF_TOPIC * OFF_TOPIC_WEIGHT
    )
    questions = {
        "fit": [(single_turn_question(i), i.answerable) for i in items]
        + [(q, False) for q in off_topic],
        **{
            name: [(single_turn_question(i), i.answerable) for p in paths for i in load_devset(p)]
            for name, paths in CHECKED_ON.items()
        },
    }
    out: dict[str, Signals] = {}
    for name, asked in questions.items():
        out[name] = []
        for question, answerable in asked:
            support.FEATURE_LOG = []
            offline_answer(question, index=index, kb=kb, settings=settings)
            out[name].append((answerable, list(support.FEATURE_LOG)))
    support.FEATURE_LOG = None
    return out, refuse_all.embedder_id


SIGNS = {
    "coverage": 1,
    "routed_unsaid": -1,
    "missing_named": -1,
    "region_mismatch": -1,
    "type_missing": -1,
    "unknown_terms": -1,
    "year_missing": -1,
    "closeness": 1,
}
"""The side of zero each signal's weight stays on: a sign of absence never raises support,
a closer match never lowers it. The dev sets' unanswerable questions are written in the guides'
words while answerable ones carry staff words and typos; unconstrained, the fit would learn
that words unknown to the guides make a question more answerable."""


def fit(x: np.ndarray, y: np.ndarray, features: list[str]) -> tuple[np.ndarray, float]:
    """Logistic regression by projected gradient descent (L2 on the weights, signs kept)."""
    w = np.zeros(x.shape[1])
    b = 0.0
    signs = np.array([SIGNS.get(name, 0) for name in features])
    for _ in range(5000):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        grad_w = x.T @ (p - y) / len(y) + L2 * w / len(y)
        grad_b = float(np.mean(p - y))
        w -= 0.5 * grad_w
        b -= 0.5 * grad_b
        w = np.where(signs * w < 0, 0.0, w)
    return w, b


def replay(
    model: RefusalModel, data: list[tuple[bool, list[dict[str, float]]]]
) -> tuple[float, float]:
    """(answerable wrongly refused, unanswerable refused) when the chain uses ``model``."""
    wrong = refused = answerable = unanswerable = 0
    for is_answerable, candidates in data:
        answered = any(model.supports(c) for c in candidates)
        if is_answerable:
            answerable += 1
            wrong += not answered
        else:
            unanswerable += 1
            refused += not answered
    return wrong / max(1, answerable), refused / max(1, unanswerable)


def fitted(
    sets: dict[str, Signals], features: list[str], embedder_id: str
) -> tuple[RefusalModel, float, float]:
    """The model fitted on ``sets["fit"]`` over ``features``, its threshold (checked on every
    set), and its figures on the fitting set."""
    data = sets["fit"]
    rows = [(c, a) for a, cands in data for c in cands]
    x = np.array([[c[f] for f in features] for c, _ in rows], dtype=float)
    y = np.array([1.0 if a else 0.0 for _, a in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    w, b = fit((x - mean) / scale, y, features)
    base = dict(
        features=features,
        mean=mean.round(6).tolist(),
        scale=scale.round(6).tolist(),
        weights=w.round(6).tolist(),
        bias=round(b, 6),
        fitted_on=(
            f"bench/devset.yaml, bench/devset_extra.yaml, bench/dev3/ and off-topic questions "
            f"({len(data)} questions, {len(rows)} candidate answers); threshold checked on "
            f"every dev set, bench/dev4/ to bench/dev6/ included"
        ),
        note="written by bench/fit_refusal.py; never fitted on bench/heldout/",
        embedder_id=embedder_id,
    )
    best = None
    for threshold in np.linspace(0.05, 0.95, 91):
        model = RefusalModel(**base, threshold=round(float(threshold), 3))
        figures = {name: replay(model, signals) for name, signals in sets.items()}
        if round(threshold * 100) % 10 == 0:
            print(
                f"  threshold {threshold:.2f}: "
                + ", ".join(
                    f"{name} wrongly refused {wrong:.3f} refused {refused:.3f}"
                    for name, (wrong, refused) in figures.items()
                )
            )
        if all(wrong <= MAX_WRONGLY_REFUSED for wrong, _ in figures.values()):
            best = (model, *figures["fit"])
    assert best is not None, "no threshold keeps answerable questions answered"
    model, wrong, refused = best
    print(f"{len(data)} questions (dev + off-topic), {len(rows)} candidate decisions")
    for name, weight in zip(features, model.weights, strict=True):
        print(f"  {name:<16} {weight:+.3f}")
    print(f"  bias {model.bias:+.3f}, threshold {model.threshold:.3f}")
    print(f"dev: answerable wrongly refused {wrong:.3f}, unanswerable refused {refused:.3f}")
    return model, wrong, refused


def main() -> None:
    """Fit both models (with vectors, lexical only), print the dev figures, write them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    print("with vectors:")
    data, embedder_id = record()
    model, _, _ = fitted(data, FEATURES, embedder_id)
    print("\nlexical only (no vectors, no closeness):")
    lexical_data, _ = record(lexical=True)
    lexical, _, _ = fitted(lexical_data, [f for f in FEATURES if f != "closeness"], "")
    model = model.model_copy(update={"lexical": lexical})
    if not args.dry_run:
        MODEL_FILE.write_text(json.dumps(model.model_dump(), indent=1) + "\n", encoding="utf-8")
        refusal_model.cache_clear()
        print(f"written: {MODEL_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
