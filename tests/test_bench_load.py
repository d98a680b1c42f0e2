"""Smoke test of the load bench: its users (``tests/load/``) against the real app on a tmp index.

The figures themselves belong to ``bench/bench_load.py``; here only what the bench counts:
both kinds of request made, no error on a sound app, and each kind of failure counted.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import ingest
from assistant.ui.serve import ServedApp, serve_app
from tests.conftest import CORPUS, make_settings
from tests.load import ROOT
from tests.load.process import process_tree, rss_bytes
from tests.load.recorder import KINDS, Recorder
from tests.load.run import run_load
from tests.load.session import DRAFTS, User

APP = ROOT / "app.py"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lexical index of the real corpus (no embedding on 2 cores)."""
    tmp = tmp_path_factory.mktemp("load-index")
    ingest(make_settings(tmp, corpus_dir=CORPUS), dense=False)
    return tmp / "index"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, index_dir: Path) -> Iterator[ServedApp]:
    """``app.py --lexical-only`` over the tmp index, offline, on a free port."""
    tmp = tmp_path_factory.mktemp("load")
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith("CPOM_")]:
            env.delenv(name)
        env.setenv("CPOM_LLM_PROVIDER", "none")
        env.setenv("CPOM_EMBEDDING_CACHE_DIR", str(tmp / "cache"))
        with serve_app(APP, tmp, index_dir=index_dir) as served:
            yield served


def test_two_users_make_both_kinds_of_request_without_error(app: ServedApp) -> None:
    result = run_load(app, users=2, duration=3)

    assert result.errors == 0, result.error_examples
    assert all(result.kinds[kind].count > 0 for kind in KINDS)
    assert result.kinds["all"].count == sum(result.kinds[kind].count for kind in KINDS)
    assert result.rss_start_mb > 0
    assert result.scratch_files > 0  # the uploads and reports went to the bench's folder


def test_an_error_in_the_chat_is_counted(app: ServedApp) -> None:
    user = User(app.url, 0, Recorder(max_requests=1))
    try:
        sample = user.ask("x" * 2_001)  # over the app's limit: a French error in the chat
    finally:
        user.close()

    assert sample.error is not None
    assert "error message in the chat" in sample.error
    assert "trop longue" in sample.error


def test_a_refused_upload_and_a_wrong_verdict_are_counted(app: ServedApp, tmp_path: Path) -> None:
    broken = tmp_path / "brouillon.json"
    broken.write_text("{pas du json", encoding="utf-8")
    valid, _ = DRAFTS[0]
    user = User(app.url, 0, Recorder(max_requests=2))
    try:
        refused = user.verify(broken)
        wrong = user.verify(valid, "non")
    finally:
        user.close()

    assert refused.error is not None
    assert refused.error.startswith("AppError")
    assert "JSON mal formé" in refused.error
    assert wrong.error is not None
    assert "expected 'non'" in wrong.error


def test_the_budget_stops_the_users() -> None:
    recorder = Recorder(max_requests=3)

    assert [recorder.take() for _ in range(5)] == [True, True, True, False, False]


def test_memory_counts_the_children() -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert child.pid in process_tree(os.getpid())
        assert rss_bytes(os.getpid()) > rss_bytes(child.pid) > 0
    finally:
        child.kill()
        child.wait()


def _fail_while_serving(workdir: Path, index_dir: Path, seen: dict[int, bool]) -> None:
    with serve_app(APP, workdir, index_dir=index_dir) as served:
        seen[served.pid] = Path(f"/proc/{served.pid}").exists()
        raise RuntimeError("interrompu")


def test_the_app_is_stopped_when_the_run_fails(tmp_path: Path, index_dir: Path) -> None:
    seen: dict[int, bool] = {}
    with pytest.raises(RuntimeError, match="interrompu"):
        _fail_while_serving(tmp_path, index_dir, seen)

    [(pid, alive)] = seen.items()
    assert alive
    assert not Path(f"/proc/{pid}").exists()
