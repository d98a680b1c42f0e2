"""Index faults on real files: missing, interrupted (a real ``kill -9``), damaged, another embedder.

Each damaged state is made by writing the real files of a real build; opening the index must
name the problem in French with the command that fixes it, and that command must fix it.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import Settings, get_settings
from assistant.embeddings import HashingEmbeddings
from assistant.errors import AssistantError, IndexMissingError, IndexNotReadyError
from assistant.index.build import current_build, index_status, ingest
from assistant.retrieval.hybrid import Index, search
from assistant.ui.service import AppContext, IndexService
from tests.conftest import ROOT, make_settings

QUERIES = ["date limite e-cars", "durée du contrat", "nombre d'indicateurs"]
REBUILD = "python -m assistant ingest --rebuild"


def _embedder() -> HashingEmbeddings:
    return HashingEmbeddings(dimension=64)


def _results(settings: Settings) -> list[list[tuple[str, float]]]:
    index = Index(settings, embedder=_embedder())
    index.verify_dense()
    return [[(p.chunk.id, p.score) for p in search(index, q, k=4)] for q in QUERIES]


@pytest.fixture
def built(tmp_path: Path, mini_corpus: Path) -> Settings:
    """A complete (hybrid) index of the mini corpus."""
    settings = make_settings(tmp_path)
    ingest(settings, embedder=_embedder())
    return settings


@pytest.fixture
def cli_env(built: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The CLI pointed at ``built`` (its settings come from CPOM_* variables)."""
    monkeypatch.setenv("CPOM_CORPUS_DIR", str(built.corpus_dir))
    monkeypatch.setenv("CPOM_INDEX_DIR", str(built.index_dir))
    monkeypatch.setenv("CPOM_EMBEDDING_CACHE_DIR", str(built.embedding_cache_dir))
    get_settings.cache_clear()
    yield built
    get_settings.cache_clear()


def _open_as_the_cli_does(settings: Settings) -> None:
    """Open the index and probe its dense part, as ``search`` and ``ask`` do at start."""
    Index(settings, embedder=_embedder()).verify_dense()


def _build(settings: Settings) -> Path:
    build = current_build(settings.index_dir)
    assert build is not None
    return build


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xffpas un fichier d'index\x00" * 40)


def _drop_last_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def _delete_chroma(build: Path) -> None:
    """Delete the build's Chroma database, as seen by the next process to open it.

    chromadb keeps one database per path and process, whose open files outlive the deletion;
    the command that opens the index next is a new process, without it.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    shutil.rmtree(build / "chroma")
    SharedSystemClient._identifier_to_system.pop(str(build / "chroma"), None)


Damage = Callable[[Settings, Path], None]

CASES = [
    pytest.param(
        lambda s, b: _truncate(b / "manifest.json"), "manifest.json", id="manifest-truncated"
    ),
    pytest.param(
        lambda s, b: _garbage(b / "manifest.json"), "manifest.json", id="manifest-garbage"
    ),
    pytest.param(
        lambda s, b: (b / "manifest.json").unlink(), "n'a pas de manifeste", id="manifest-deleted"
    ),
    pytest.param(
        lambda s, b: (s.index_dir / "CURRENT").write_text("20250101-000000-1-abcdef"),
        "est absente",
        id="current-names-a-missing-build",
    ),
    pytest.param(
        lambda s, b: _garbage(s.index_dir / "CURRENT"), "'index/CURRENT'", id="current-garbage"
    ),
    pytest.param(
        lambda s, b: (s.index_dir / "CURRENT").write_text("../../corpus"),
        "'index/CURRENT'",
        id="current-path-traversal",
    ),
    pytest.param(
        lambda s, b: _truncate(b / "bm25" / "data.csc.index.npy"),
        "bm25/data.csc.index.npy",
        id="bm25-truncated",
    ),
    pytest.param(
        lambda s, b: _garbage(b / "bm25" / "vocab.index.json"),
        "bm25/vocab.index.json",
        id="bm25-garbage",
    ),
    pytest.param(
        lambda s, b: (b / "bm25" / "ids.json").unlink(), "bm25/ids.json", id="bm25-file-deleted"
    ),
    pytest.param(lambda s, b: _garbage(b / "chunks.jsonl"), "chunks.jsonl", id="chunks-garbage"),
    pytest.param(
        lambda s, b: _drop_last_line(b / "chunks.jsonl"), "chunks.jsonl", id="chunks-line-lost"
    ),
    pytest.param(
        lambda s, b: _garbage(b / "sentences.npz"), "sentences.npz", id="sentence-vectors-garbage"
    ),
    pytest.param(
        lambda s, b: _garbage(b / "chroma" / "chroma.sqlite3"),
        "chroma/chroma.sqlite3",
        id="chroma-sqlite-garbage",
    ),
    pytest.param(lambda s, b: _delete_chroma(b), "chroma/chroma.sqlite3", id="chroma-deleted"),
]


@pytest.mark.parametrize(("damage", "named"), CASES)
def test_damaged_index_is_named_at_start_and_rebuild_fixes_it(
    built: Settings, damage: Damage, named: str
) -> None:
    before = _results(built)
    damage(built, _build(built))
    with pytest.raises(IndexNotReadyError) as err:
        _open_as_the_cli_does(built)
    assert named in err.value.message
    assert err.value.message.startswith(("L'index est endommagé", "L'index est incomplet"))
    assert err.value.hint == f"Reconstruisez-le : {REBUILD}"
    report = ingest(built, rebuild=True, embedder=_embedder())  # what the hint's command does
    assert report.dense_ready
    assert _results(built) == before


def test_index_built_before_checksums_still_detects_a_damaged_lexical_file(
    built: Settings,
) -> None:
    build = _build(built)
    manifest = (build / "manifest.json").read_text(encoding="utf-8")
    (build / "manifest.json").write_text(manifest.replace('"files"', '"_files"'), "utf-8")
    Index(built, embedder=_embedder())  # an index of the previous format opens
    _garbage(build / "bm25" / "params.index.json")
    with pytest.raises(IndexNotReadyError, match="bm25"):
        Index(built, embedder=_embedder())


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(lambda s, b: _garbage(b / "chunks.jsonl"), "chunks.jsonl", id="damaged-file"),
        pytest.param(
            lambda s, b: (s.index_dir / "CURRENT").write_text("absent"), "absente", id="current"
        ),
        pytest.param(lambda s, b: shutil.rmtree(s.index_dir), "n'existe pas encore", id="missing"),
    ],
)
def test_cli_names_the_problem_and_the_command_without_traceback(
    cli_env: Settings,
    damage: Damage,
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    damage(cli_env, _build(cli_env))
    for command in (["search", "date limite"], ["ask", "Quelle est la date limite ?"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.startswith("Erreur : L'index ")
        assert expected in err
        assert "Conseil : " in err
        assert "python -m assistant ingest" in err
        assert "Traceback" not in err
    assert main(["ingest", "--rebuild", "--lexical-only"]) == 0  # the one command
    capsys.readouterr()
    assert main(["search", "date limite e-cars", "--json"]) == 0
    assert "25 juillet 2025" in capsys.readouterr().out


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda s, b: _garbage(b / "manifest.json"), id="manifest"),
        pytest.param(lambda s, b: _garbage(s.index_dir / "CURRENT"), id="current"),
        pytest.param(lambda s, b: _truncate(b / "bm25" / "ids.json"), id="lexical-file"),
    ],
)
def test_plain_ingest_replaces_a_damaged_index(built: Settings, damage: Damage) -> None:
    before = _results(built)
    old = _build(built)
    damage(built, old)
    report = ingest(built, embedder=_embedder())  # ``make index``: no ``--rebuild`` needed
    assert not report.noop
    assert report.build_id != old.name
    assert not old.exists()
    assert _results(built) == before


class ImpostorEmbeddings(HashingEmbeddings):
    """An embedder that claims the index's id but gives vectors of another dimension."""

    def __init__(self) -> None:
        super().__init__(dimension=32)
        self.embedder_id = "hashing-v1:64"


def test_index_from_another_embedder_is_never_queried_with_its_vectors(built: Settings) -> None:
    with pytest.raises(IndexNotReadyError) as err:
        Index(built, embedder=HashingEmbeddings(dimension=32))
    assert "'hashing-v1:64'" in err.value.message
    assert "'hashing-v1:32'" in err.value.message
    assert err.value.hint == f"Reconstruisez-le : {REBUILD}"
    index = Index(built, embedder=ImpostorEmbeddings())
    with pytest.raises(IndexNotReadyError, match=r"64 dim.*32 dim"):
        search(index, "date limite e-cars")


def test_app_start_rebuilds_a_damaged_index_and_says_so(built: Settings) -> None:
    before = _results(built)
    _garbage(_build(built) / "bm25" / "data.csc.index.npy")
    service = IndexService(built, embedder=_embedder())
    service.start(dense=False)  # no exception: the app starts
    assert service.status.startswith("Index reconstruit (L'index est endommagé")
    assert "data.csc.index.npy" in service.status
    index = service.index()
    assert search(index, "date limite e-cars", k=1)[0].chunk.section.endswith("Calendrier")
    service.ingest(rebuild=False)
    assert _results(built) == before


def test_app_warm_up_rebuilds_a_damaged_semantic_part(built: Settings, tmp_path: Path) -> None:
    service = IndexService(built, embedder=_embedder())
    service.start(dense=False)
    assert service.status == "Index : recherche hybride prête."
    _garbage(_build(built) / "chroma" / "chroma.sqlite3")
    AppContext(built, service, tmp_path / "var").warm()
    assert "chroma.sqlite3" in service.status
    index = service.index()
    assert not index.dense_ready  # the lexical part serves until the semantic part is rebuilt
    assert search(index, "date limite e-cars", k=1)[0].chunk.section.endswith("Calendrier")


def test_app_starts_when_no_index_can_be_built(tmp_path: Path, mini_corpus: Path) -> None:
    (mini_corpus / "catalog.yaml").write_text("documents: []\n", encoding="utf-8")
    service = IndexService(make_settings(tmp_path), embedder=_embedder())
    service.start()
    assert service.status.startswith("Index indisponible : Aucun document")
    with pytest.raises(IndexMissingError):
        service.index()
    assert index_status(make_settings(tmp_path)) is None


# --- kill -9 during ingest (a real child process) ------------------------------------------------

CHILD = r"""
import sys, time
from pathlib import Path
from assistant.config import Settings
from assistant.embeddings import HashingEmbeddings
from assistant.index.build import ingest
from assistant.index.lexical import Bm25Index

root, stage = Path(sys.argv[1]), sys.argv[2]


def pause(name):
    print(name, flush=True)
    time.sleep(600)  # killed here


if stage == "lexical":
    def save(self, folder):  # the BM25 files are written, its id list is not yet
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        pause(stage)
    Bm25Index.save = save


def progress(name, done, total):
    if name == stage:
        pause(name)


settings = Settings(
    _env_file=None, corpus_dir=root / "corpus", index_dir=root / "index",
    embedding_cache_dir=root / "cache",
)
ingest(settings, rebuild=True, embedder=HashingEmbeddings(dimension=64), progress=progress)
print("finished", flush=True)
"""


def _kill_ingest_at(root: Path, stage: str) -> None:
    """Run ``ingest --rebuild`` in a child, SIGKILL it once it reaches ``stage``."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), stage],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 120)
        line = child.stdout.readline().strip() if ready and child.stdout else ""
        if line != stage:
            child.kill()
            pytest.fail(f"child did not reach {stage!r}: {line!r} {child.communicate()[1]}")
        with pytest.raises(AssistantError, match="déjà en cours"):  # the child holds the lock
            ingest(make_settings(root), embedder=_embedder())
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    assert child.returncode == -signal.SIGKILL


ADDED = "La télésanté fait l'objet d'un avenant spécifique au contrat.\n"


@pytest.mark.parametrize(
    "stage",
    [
        pytest.param("lexical", marks=pytest.mark.slow),
        pytest.param("vecteurs", marks=pytest.mark.slow),
        "chroma",
    ],
)
def test_kill_9_during_ingest_leaves_the_previous_index_in_service(
    built: Settings, mini_corpus: Path, tmp_path: Path, stage: str
) -> None:
    before = _results(built)
    old = _build(built)
    guide = mini_corpus / "guide.txt"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n" + ADDED, encoding="utf-8")
    _kill_ingest_at(tmp_path, stage)
    builds = sorted(p.name for p in (built.index_dir / "builds").iterdir())
    assert len(builds) == 2  # the half-written build is there, not in service
    assert _build(built) == old
    assert Index(built, embedder=_embedder()).dense_ready
    assert _results(built) == before
    report = ingest(built, embedder=_embedder())  # no stale lock, no leftover in the way
    assert report.dense_ready
    assert [p.name for p in (built.index_dir / "builds").iterdir()] == [report.build_id]
    index = Index(built, embedder=_embedder())
    assert "télésanté" in search(index, "télésanté avenant", k=1)[0].chunk.text


@pytest.mark.slow
def test_kill_9_during_the_first_build_leaves_no_index_and_ingest_recovers(
    tmp_path: Path, mini_corpus: Path
) -> None:
    settings = make_settings(tmp_path)
    _kill_ingest_at(tmp_path, "lexical")
    with pytest.raises(IndexMissingError) as err:
        Index(settings, embedder=_embedder())
    assert err.value.message == (
        "L'index n'existe pas encore (une construction a été interrompue avant la fin)."
    )
    assert err.value.hint == "Construisez-le avec : python -m assistant ingest"
    assert ingest(settings, embedder=_embedder()).dense_ready
    assert len(list((settings.index_dir / "builds").iterdir())) == 1


@pytest.mark.slow
def test_kill_9_while_the_first_build_is_embedded_keeps_lexical_search_then_resumes(
    tmp_path: Path, mini_corpus: Path
) -> None:
    settings = make_settings(tmp_path)
    _kill_ingest_at(tmp_path, "chroma")
    index = Index(settings, embedder=_embedder())
    assert not index.dense_ready  # the lexical part was swapped in, the vectors were not
    assert search(index, "date limite e-cars", k=1)[0].chunk.section.endswith("Calendrier")
    lexical_build = _build(settings).name
    report = ingest(settings, embedder=_embedder())
    assert report.build_id == lexical_build  # resumed: the same build gets its vectors
    assert report.dense_ready
    index.refresh()
    assert index.dense_ready
    assert index.dense_search("date limite e-cars 25 juillet", k=1)
