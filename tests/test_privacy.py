"""Privacy: offline mode makes no outbound connection; the API key is never shown or kept.

The socket guard refuses (and records) any connection to an address that is not loopback or a
Unix socket, so a library that phones home (telemetry, a model hub, an update check) fails the
test instead of leaking.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.embeddings import HashingEmbeddings, build_embedder
from assistant.index.build import ingest
from assistant.retrieval.hybrid import Index, search
from assistant.ui import whole_draft
from assistant.ui.feedback import FEEDBACK_FILE, record_feedback
from assistant.ui.service import AppContext, IndexService
from assistant.ui.tabs import justification, questions, selection, verification
from assistant.ui.workspace import Dossier, ProfileForm
from tests.conftest import CORPUS, make_settings

ROOT = Path(__file__).resolve().parent.parent
WITH_ERRORS = ROOT / "examples" / "brouillon-avec-erreurs.json"
KEY = "sk-cpom-test-0123456789-never-shown"
PROFILE = ProfileForm(
    raison_sociale="Centre hospitalier de Saint-Exemple",
    finess_ej="310000123",
    statut="public",
    categorie="CH",
    lits=350,
    membre_ght=True,
    hopital_proximite=False,
    activites=["medecine", "chirurgie", "urgences"],
    priorites="Développer la chirurgie ambulatoire et réduire les délais aux urgences",
)


class OutboundRefused(OSError):
    """Raised by the guard for a connection that would leave the machine."""


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return True
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need a DNS query: refused


@pytest.fixture
def no_outbound(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse every non-loopback connection; yield the list of refused attempts."""
    attempts: list[Any] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    create_connection = socket.create_connection

    def guard(address: Any) -> None:
        if not _is_local(address):
            attempts.append(address)
            raise OutboundRefused(f"outbound connection refused by the test: {address!r}")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        guard(address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return connect_ex(self, address)

    def guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        guard(address)
        return create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    return attempts


def test_the_guard_refuses_outbound_and_allows_loopback(no_outbound: list[Any]) -> None:
    with pytest.raises(OutboundRefused):
        socket.create_connection(("192.0.2.1", 443), timeout=0.1)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
    assert no_outbound == [("192.0.2.1", 443)]


def test_offline_mode_makes_no_outbound_connection(
    no_outbound: list[Any], tmp_path: Path, mini_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ingest (dense, fake embedder) and one query with the real bundled embedder
    mini = make_settings(tmp_path)
    ingest(mini, embedder=HashingEmbeddings())
    assert search(Index(mini, embedder=HashingEmbeddings()), "date limite", k=3)
    bundled = build_embedder(mini)
    assert len(bundled.embed_query("date limite du choix des indicateurs")) > 0

    # ask, propose, draft, validate through the app's handlers on the real corpus
    settings = make_settings(tmp_path / "real", corpus_dir=CORPUS)
    ingest(settings, dense=False)
    ctx = AppContext(settings, IndexService(settings), tmp_path / "var")
    _, record = questions.ask(ctx, "Combien d'indicateurs au maximum ?")
    assert record["supported"] is True
    dossier, _ = selection.propose_selection(ctx, PROFILE, Dossier())
    assert dossier.codes()
    dossier, _ = justification.draft_justification(ctx, dossier, dossier.codes()[0], "40")
    assert whole_draft.check_draft(ctx, dossier)
    rows, _, _, _ = verification.check_uploads(ctx, [WITH_ERRORS], tmp_path / "out")
    assert len(rows) == 1

    # the command line: validate, ask
    assert main(["validate", str(WITH_ERRORS), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False

    # the app starts (built, not served)
    from app import build_app

    app = build_app(settings, context=ctx)
    assert app is not None
    assert no_outbound == []


# --- the API key ---------------------------------------------------------------------------


@pytest.fixture
def keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CPOM_LLM_API_KEY", KEY)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        embedding_cache_dir=tmp_path / "cache",
    )
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == KEY
    return settings


def test_api_key_is_a_secret_never_printed(keyed: Settings) -> None:
    assert KEY not in repr(keyed)
    assert KEY not in str(keyed)
    assert KEY not in keyed.model_dump_json()
    assert KEY not in repr(keyed.model_dump())


def test_api_key_never_reaches_logs_or_feedback(
    keyed: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ingest(keyed, dense=False)
    ctx = AppContext(keyed, IndexService(keyed), tmp_path / "var")
    _, record = questions.ask(ctx, "Combien d'indicateurs de coopération au minimum ?")
    record_feedback(ctx.data_dir, record, "utile", "Très clair.")
    # an LLM endpoint that is down: its error is logged and shown, never with the key
    down = keyed.model_copy(
        update={"llm_provider": "openai", "llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m"}
    )
    from assistant.answer import answer_question
    from assistant.llm.models import build_chat_model

    model = build_chat_model(down)
    answer = answer_question(
        "Combien d'indicateurs au maximum ?",
        index=ctx.service.index(),
        kb=ctx.kb(),
        settings=down,
        chat_model=model,
    )
    assert answer.notice
    assert KEY not in answer.model_dump_json()
    assert caplog.records
    assert KEY not in caplog.text
    assert all(KEY not in repr(r.args) for r in caplog.records)
    feedback = (ctx.data_dir / FEEDBACK_FILE).read_text(encoding="utf-8")
    assert feedback.strip()
    assert KEY not in feedback
