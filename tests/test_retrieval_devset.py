"""Retrieval on the real corpus with the bundled embedder and the shipped vector cache."""

from __future__ import annotations

import shutil

import pytest

from assistant.index.build import ingest
from assistant.retrieval.hybrid import Index, search
from tests.conftest import CORPUS, make_settings
from tests.devset_tools import (
    load_devset,
    rank_of_first_hit,
    retrieval_metrics,
    single_turn_question,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Index, int]:
    root = tmp_path_factory.mktemp("devset")
    shutil.copytree(CORPUS / "embeddings-cache", root / "cache")
    settings = make_settings(root, corpus_dir=CORPUS)
    report = ingest(settings)
    return Index(settings), report.embedded


def test_shipped_vector_cache_covers_the_corpus(real_index: tuple[Index, int]) -> None:
    # A change of chunker or corpus must come with a refreshed cache (make index, then commit
    # corpus/embeddings-cache): otherwise a fresh clone would embed for minutes.
    _, embedded = real_index
    assert embedded == 0


def test_max_indicators_question_finds_the_guide_rule_first(real_index: tuple[Index, int]) -> None:
    index, _ = real_index
    top = search(index, "Combien d'indicateurs au maximum dans le CPOM ?", k=5)[0]
    assert top.chunk.doc_id == "occitanie-guide-2025-2029"
    assert "au maximum 10 indicateurs" in top.chunk.text


def test_hybrid_recall_on_the_dev_set(real_index: tuple[Index, int]) -> None:
    index, _ = real_index
    items = [i for i in load_devset() if i.answerable]
    ranks = []
    for item in items:
        passages = search(index, single_turn_question(item), k=10)
        ranks.append(rank_of_first_hit(item, [(p.chunk.doc_id, p.chunk.text) for p in passages]))
    metrics = retrieval_metrics(ranks)
    assert metrics["recall@5"] >= 0.85, metrics
    assert metrics["recall@10"] >= 0.9, metrics
