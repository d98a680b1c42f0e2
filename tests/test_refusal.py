"""The fitted models of the answer layer (refusal, sentence score): dev sets only, as data."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.answer import sentence_model as sentence_module
from assistant.answer.refusal import refusal_model
from assistant.answer.sentence_model import SENTENCE_SIGNALS, sentence_model
from assistant.answer.support import name_unsaid, named_terms, year_missing
from assistant.text.french import fold
from tests.conftest import CORPUS

SIGNALS = {
    "coverage": 0.8,
    "routed_unsaid": 0.0,
    "missing_named": 0.0,
    "region_mismatch": 0.0,
    "type_missing": 0.0,
    "routed": 0.0,
    "unknown_terms": 0.0,
    "year_missing": 0.0,
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
    for name in (
        "missing_named",
        "region_mismatch",
        "type_missing",
        "year_missing",
        "routed_unsaid",
    ):
        assert model.probability({**SIGNALS, name: 1.0}) < base
    assert model.supports(SIGNALS)


def test_a_question_closer_in_meaning_to_a_sentence_is_more_support() -> None:
    model = refusal_model()
    assert model.probability({**SIGNALS, "closeness": 0.9}) > model.probability(
        {**SIGNALS, "closeness": 0.8}
    )


def test_without_vectors_the_lexical_model_decides() -> None:
    """Without vectors (lexical index) there is no closeness: the model fitted without it
    decides, with its own threshold; a signal it still lacks counts as its dev mean."""
    model = refusal_model()
    lexical = model.lexical
    assert lexical is not None
    assert "closeness" not in lexical.features
    without = {k: v for k, v in SIGNALS.items() if k != "closeness"}
    assert model.probability(without) == lexical.probability(without)
    assert model.supports(without) == (lexical.probability(without) >= lexical.threshold)
    assert model.probability(SIGNALS) != lexical.probability(without)
    mean = lexical.mean[lexical.features.index("coverage")]
    fewer = {k: v for k, v in without.items() if k != "coverage"}
    assert lexical.probability(fewer) == lexical.probability({**fewer, "coverage": mean})


def test_the_sentence_score_is_fitted_on_the_dev_sets_only_for_its_own_signals() -> None:
    model = sentence_model()
    assert tuple(model.signals) == SENTENCE_SIGNALS
    assert "devset" in model.fitted_on
    assert "heldout" not in model.fitted_on
    weights = dict(zip(model.signals, model.weights, strict=True))
    # the question's words in the sentence and its meaning both raise the score
    assert weights["own"] > 0
    assert weights["meaning"] > 0


def test_a_sentence_model_written_for_other_signals_is_not_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "sentence_model.json"
    stale.write_text('{"signals": ["own", "bm25"], "weights": [1.0, 1.0]}', encoding="utf-8")
    monkeypatch.setattr(sentence_module, "MODEL_FILE", stale)
    sentence_model.cache_clear()
    try:
        assert sentence_model() == sentence_module.DEFAULT
    finally:
        monkeypatch.undo()
        sentence_model.cache_clear()


def test_no_sign_of_absence_raises_support() -> None:
    """Words unknown to the guides, a missing name or a missing kind of answer never help."""
    model = refusal_model()
    weights = dict(zip(model.features, model.weights, strict=True))
    for name in ("missing_named", "region_mismatch", "type_missing", "unknown_terms"):
        assert weights[name] <= 0, name
    assert weights["coverage"] >= 0
    assert weights["closeness"] >= 0
    assert "devset_extra" in model.fitted_on


class _Chunk:
    def __init__(self, period: str, title: str) -> None:
        self.period, self.title = period, title


class _Index:
    """The two fields of the index's passages that name a document."""

    def __init__(self) -> None:
        self.chunks = {
            "a": _Chunk("2025-2029", "Guide méthodologique – Campagne CPOM sanitaires 2025-2029"),
            "b": _Chunk("2012", "Guide méthodologique pour l'élaboration des CPOM ARS"),
            "c": _Chunk("2015-2018", "Instruction SG n° 2014-223 du 17 juillet 2014"),
        }


@pytest.mark.parametrize(
    ("question", "answer", "missing"),
    [
        ("C'est quoi le target 2030 ?", "Cible : 2025 : 50 %, 2029 : 65 % [1].", True),
        ("Pour la campagne 2030-2034, combien d'indicateurs ?", "Au maximum 10 [1].", True),
        ("Quelle est la cible 2027 ?", "2027 : au moins 2 [1].", False),
        # years that name a document are not years asked about
        ("Dans le CPOM 2025-2029, combien d'indicateurs ?", "Au maximum 10 [1].", False),
        ("Selon le guide de 2012, qui signe ?", "Le directeur général de l'ARS [1].", False),
        ("Dans l'instruction de 2014, quelle grille ?", "La grille des objectifs [1].", False),
        ("Combien d'indicateurs ?", "Au maximum 10 [1].", False),
        # once the period names the document, a year written on its own is asked about
        ("Quelle était la cible 2018 du CPOM 2015-2018 ?", "Le taux global [1].", True),
        ("Quelle était la cible 2018 du CPOM 2015-2018 ?", "2018 : 66 % [1].", False),
        ("Dans le CPOM 2015-2018, quelle grille ?", "La grille des objectifs [1].", False),
        ("Quelle est la cible 2029 ?", "2027 : au moins 2 [1].", True),
        # a legal text's date says no year of the figure asked; a text asked for is dated by it
        (
            "Combien d'actes en 2022 ?",
            "Vu le décret du 20 avril 2022, 1 million d'actes [1].",
            True,
        ),
        ("Combien d'actes en 2022 ?", "En 2022, 1 million d'actes [1].", False),
        ("Quel décret de 2022 ?", "Vu le décret du 20 avril 2022 relatif aux actes [1].", False),
        # two years offered as a choice: the one the answer says is enough
        ("La période de référence, c'est 2024 ou 2025 ?", "Période : N-1 ou 2025 [1].", False),
        ("La période de référence, c'est 2024 ou 2025 ?", "Période : N-1 [1].", True),
        ("La cible 2024 et la cible 2025 ?", "2025 : au moins 2 [1].", True),
    ],
)
def test_a_year_asked_that_the_answer_never_says_is_a_signal(
    question: str, answer: str, missing: bool
) -> None:
    assert year_missing(question, answer, _Index()) is missing


class _CatalogIndex(_Index):
    """The same passages, with the corpus catalog beside them (the documents' issue dates)."""

    def __init__(self) -> None:
        super().__init__()
        self.settings = SimpleNamespace(corpus_dir=CORPUS)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # the ARA guide for 2020-2024 was issued in 2019: « de 2019 » names it
        ("e-CARS, ça voulait dire quoi dans le guide ARA de 2019 ?", False),
        # the current guide was issued in 2025, inside its own period: 2025 is a year asked
        ("Quelle est la cible 2025 pour un CH ?", True),
    ],
)
def test_the_year_a_document_was_issued_names_it(question: str, missing: bool) -> None:
    answer = "L'outil e-CARS, cible 2027 : au moins 2 [1]."
    assert year_missing(question, answer, _CatalogIndex()) is missing


@pytest.mark.parametrize(
    ("question", "cited", "unsaid"),
    [
        # « Gers » and « gérer » share the stem « ger »: the name must be there as written
        ("Qui est le référent CPOM des établissements du Gers ?", "Il faut gérer le CPOM.", True),
        ("Qui est le référent CPOM des établissements du Gers ?", "Le Gers et l'Aveyron.", False),
        ("Une clinique à Grenoble signe-t-elle ?", "Les établissements de grenoble.", False),
        # acronyms and lower-case words are left to the stems
        ("Le rôle de l'ANAP à Montpellier ?", "L'ANAPE de Montpellier accompagne.", False),
        ("Le rôle de l'ANAP à Montpellier ?", "L'ANAP accompagne à Montpelliers.", True),
    ],
)
def test_a_name_of_the_question_must_be_cited_as_written(
    question: str, cited: str, unsaid: bool
) -> None:
    stem = [t for t in named_terms(question) if t not in {"cpom", "hpr"}]
    assert any(name_unsaid(t, question, fold(cited)) for t in stem) is unsaid
