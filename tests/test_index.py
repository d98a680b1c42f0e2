from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

import assistant.index.build as build_module
from assistant.embeddings import HashingEmbeddings
from assistant.errors import AssistantError, IndexNotReadyError
from assistant.index.build import current_build, index_status, ingest, read_manifest
from assistant.retrieval.hybrid import Index, search
from tests.conftest import make_settings
from tests.pdfs import write_pdf


class CountingEmbeddings(HashingEmbeddings):
    """A hashing embedder that counts the passages it embeds."""

    def __init__(self) -> None:
        super().__init__(dimension=64)
        self.embedded: list[str] = []

    def _embed(self, texts: Sequence[str], *, kind: str):  # type: ignore[override]
        if kind == "document":
            self.embedded.extend(texts)
        return super()._embed(texts, kind=kind)  # type: ignore[arg-type]


def test_ingest_builds_then_rerun_is_a_noop(tmp_path: Path, mini_corpus: Path) -> None:
    settings = make_settings(tmp_path)
    embedder = CountingEmbeddings()
    first = ingest(settings, embedder=embedder)
    assert not first.noop
    assert first.dense_ready
    assert set(first.documents) == {"guide-test", "ancien-guide"}
    # every chunk, and every sentence of every chunk (sentence-level scores), once
    assert first.embedded == len(embedder.embedded) > first.chunks
    again = ingest(settings, embedder=embedder)
    assert again.noop
    assert again.build_id == first.build_id
    assert len(embedder.embedded) == first.embedded


def test_a_change_to_the_sentence_cut_rebuilds_the_index(
    tmp_path: Path, mini_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the index holds one vector per sentence: cut otherwise, it must be built again
    settings = make_settings(tmp_path)
    first = ingest(settings, embedder=CountingEmbeddings())
    assert ingest(settings, embedder=CountingEmbeddings()).noop
    monkeypatch.setattr(build_module, "pipeline_version", lambda: "another-cut")
    again = ingest(settings, embedder=CountingEmbeddings())
    assert not again.noop
    assert again.build_id != first.build_id
    assert read_manifest(current_build(settings.index_dir)).chunker_version == "another-cut"


def test_changing_one_document_reembeds_only_its_chunks(tmp_path: Path, mini_corpus: Path) -> None:
    settings = make_settings(tmp_path)
    embedder = CountingEmbeddings()
    ingest(settings, embedder=embedder)
    before = len(embedder.embedded)
    old = (mini_corpus / "ancien.txt").read_text(encoding="utf-8")
    (mini_corpus / "ancien.txt").write_text(
        old + "\nUne phrase ajoutée sur la télésanté.\n", "utf-8"
    )
    report = ingest(settings, embedder=embedder)
    assert not report.noop
    new_texts = embedder.embedded[before:]
    assert new_texts
    old_doc = (mini_corpus / "ancien.txt").read_text(encoding="utf-8").replace("\n", " ")
    assert all(t.startswith("Partie 1 : Les anciens contrats") or t in old_doc for t in new_texts)
    assert report.embedded == len(new_texts)


def test_rebuild_forces_a_new_build(tmp_path: Path, mini_corpus: Path) -> None:
    settings = make_settings(tmp_path)
    first = ingest(settings, embedder=CountingEmbeddings())
    second = ingest(settings, rebuild=True, embedder=CountingEmbeddings())
    assert not second.noop
    assert second.build_id != first.build_id
    assert second.embedded == 0  # vectors come from the cache
    assert not (tmp_path / "index" / "builds" / first.build_id).exists()


def test_failed_build_leaves_previous_index_in_service(
    tmp_path: Path, mini_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    embedder = CountingEmbeddings()
    first = ingest(settings, embedder=embedder)
    (mini_corpus / "guide.txt").write_text("Nouveau texte du guide.\n", encoding="utf-8")

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disque plein")

    monkeypatch.setattr("assistant.index.lexical.Bm25Index.save", crash)
    with pytest.raises(OSError, match="disque plein"):
        ingest(settings, embedder=embedder)
    build = current_build(settings.index_dir)
    assert build is not None
    assert read_manifest(build).build_id == first.build_id
    index = Index(settings, embedder=embedder)
    assert search(index, "date limite e-cars", k=1)[0].chunk.doc_id == "guide-test"


def test_bad_documents_are_reported_and_skipped(tmp_path: Path, mini_corpus: Path) -> None:
    (mini_corpus / "catalog.yaml").write_text(
        (mini_corpus / "catalog.yaml").read_text(encoding="utf-8")
        + """\
  - id: chiffre
    title: "PDF chiffré"
    issuer: X
    region: X
    period: "2020"
    date: "2020"
    kind: guide
    status: historical
    file: chiffre.pdf
  - id: absent
    title: "Absent"
    issuer: X
    region: X
    period: "2020"
    date: "2020"
    kind: guide
    status: historical
    file: absent.pdf
""",
        encoding="utf-8",
    )
    write_pdf(mini_corpus / "chiffre.pdf", [["Secret"]], encrypt="motdepasse")
    (mini_corpus / "orphelin.txt").write_text("Un document sans entrée.", encoding="utf-8")
    report = ingest(make_settings(tmp_path), embedder=CountingEmbeddings())
    assert set(report.documents) == {"guide-test", "ancien-guide"}
    joined = " ".join(report.errors)
    assert "chiffré" in joined
    assert "absent.pdf" in joined
    assert "orphelin.txt" in joined


def test_nothing_indexable_is_an_error(tmp_path: Path, mini_corpus: Path) -> None:
    (mini_corpus / "guide.txt").write_text("", encoding="utf-8")
    (mini_corpus / "ancien.txt").unlink()
    with pytest.raises(AssistantError, match="Aucun document"):
        ingest(make_settings(tmp_path), embedder=CountingEmbeddings())
    assert index_status(make_settings(tmp_path)) is None


def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(IndexNotReadyError) as err:
        Index(make_settings(tmp_path))
    assert "n'existe pas" in err.value.message
    assert "ingest" in (err.value.hint or "")


def test_index_from_another_embedder_is_detected(tmp_path: Path, mini_corpus: Path) -> None:
    ingest(make_settings(tmp_path), embedder=CountingEmbeddings())
    with pytest.raises(IndexNotReadyError, match="autre modèle"):
        Index(make_settings(tmp_path, embedding_model="/modeles/autre"))


def test_corrupted_manifest_is_detected(tmp_path: Path, mini_corpus: Path) -> None:
    settings = make_settings(tmp_path)
    ingest(settings, embedder=CountingEmbeddings())
    build = current_build(settings.index_dir)
    assert build is not None
    (build / "manifest.json").write_text("{pas du json", encoding="utf-8")
    with pytest.raises(IndexNotReadyError, match="endommagé") as err:
        Index(settings)
    assert "--rebuild" in (err.value.hint or "")


def test_lexical_only_build_serves_search_then_turns_hybrid(
    tmp_path: Path, mini_corpus: Path
) -> None:
    settings = make_settings(tmp_path)
    embedder = CountingEmbeddings()
    ingest(settings, dense=False, embedder=embedder)
    index = Index(settings, embedder=embedder)
    assert not index.dense_ready
    assert search(index, "date limite e-cars", k=1)[0].chunk.section.endswith("Calendrier")
    ingest(settings, embedder=embedder)
    index.refresh()
    assert index.dense_ready
    assert search(index, "date limite e-cars", k=1)[0].chunk.section.endswith("Calendrier")


def test_embedding_cache_keeps_only_current_chunks(tmp_path: Path, mini_corpus: Path) -> None:
    from assistant.embeddings import EmbeddingCache

    settings = make_settings(tmp_path)
    embedder = CountingEmbeddings()
    first = ingest(settings, embedder=embedder)
    (mini_corpus / "ancien.txt").write_text("Partie 1 : Autre\n\nUn tout autre texte.\n", "utf-8")
    second = ingest(settings, embedder=embedder)
    cache = EmbeddingCache(settings.embedding_cache_dir, embedder.embedder_id)
    assert len(cache) < len(embedder.embedded)  # vectors of the replaced text are gone
    stale = [t for t in embedder.embedded if "anciens contrats" in t]
    assert stale
    assert all(v is None for v in cache.get_many(stale))
    assert first.chunks >= second.chunks
