"""The refusal model: fitted on the dev set, shipped as data, read by the support decision."""

from __future__ import annotations

from assistant.answer.refusal import refusal_model

SIGNALS = {
    "coverage": 0.8,
    "missing_named": 0.0,
    "region_mismatch": 0.0,
    "type_missing": 0.0,
    "routed": 0.0,
    "unknown_terms": 0.0,
    "top_sentence": 1.0,
    "closeness": 0.88,
}


def test_the_shipped_model_says_what_it_was_fitted_on() -> None:
    model = refusal_model()
    assert "devset" in model.fitted_on
    assert "heldout" not in model.fitted_on
    assert set(model.features) == set(SIGNALS)
    assert 0.0 < model.threshold < 1.0


def test_more_of_the_question_in_the_passages_is_more_support() -> None:
    model = refusal_model()
    low = model.probability({**SIGNALS, "coverage": 0.1})
    high = model.probability({**SIGNALS, "coverage": 0.9})
    assert high > low


def test_each_missing_signal_lowers_support_and_none_alone_decides_everything() -> None:
    model = refusal_model()
    base = model.probability(SIGNALS)
    for name in ("missing_named", "region_mismatch", "type_missing"):
        assert model.probability({**SIGNALS, name: 1.0}) < base
    assert model.supports(SIGNALS)


def test_a_question_closer_in_meaning_to_a_sentence_is_more_support() -> None:
    model = refusal_model()
    assert model.probability({**SIGNALS, "closeness": 0.9}) > model.probability(
        {**SIGNALS, "closeness": 0.8}
    )


def test_a_signal_that_could_not_be_read_moves_nothing() -> None:
    """Without vectors (lexical index) there is no closeness: it counts as its dev mean."""
    model = refusal_model()
    mean = model.mean[model.features.index("closeness")]
    without = {k: v for k, v in SIGNALS.items() if k != "closeness"}
    assert model.probability(without) == model.probability({**SIGNALS, "closeness": mean})
