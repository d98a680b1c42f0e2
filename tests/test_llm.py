"""The chat-model factory, error translation and structured output; the HTTP path end to end.

The HTTP tests run the real OpenAI client (langchain-openai) against a recorded
OpenAI-compatible server on loopback (``tests/fake_openai_server.py``).
"""

from __future__ import annotations

import http.client
import logging
from pathlib import Path
from typing import Any

import httpx
import httpx2
import ollama
import openai
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, SecretStr

from assistant.answer import answer_question
from assistant.config import Settings
from assistant.errors import LLMUnavailableError
from assistant.index.build import ingest
from assistant.kb import KnowledgeBase, load_kb
from assistant.llm.models import build_chat_model, llm_error, structured_output
from assistant.llm.prompts import load_prompt
from assistant.retrieval.hybrid import Index
from tests.conftest import make_settings
from tests.fake_openai_server import serve

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
KEY = "sk-test-9f8e7d6c5b4a"
QUESTION = "Combien d'indicateurs au maximum ?"


class Choice(BaseModel):
    code: str
    raison: str


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    settings = make_settings(tmp_path_factory.mktemp("llm"), corpus_dir=CORPUS)
    ingest(settings, dense=False)
    return Index(settings)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(CORPUS)


def llm_settings(index: Index, base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_provider": "openai",
        "llm_base_url": base_url,
        "llm_model": "recorded",
        "llm_api_key": SecretStr(KEY),
        "llm_timeout": 5.0,
    }
    values.update(overrides)
    return index.settings.model_copy(update=values)


# --- factory ----------------------------------------------------------------------------------


def test_no_provider_means_no_model(tmp_path: Path) -> None:
    assert build_chat_model(make_settings(tmp_path)) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"llm_provider": "local", "llm_model_path": Path("/nonexistent/modele.gguf")},
            "introuvable",
            id="local-missing-gguf",
        ),
        pytest.param({"llm_provider": "openai"}, "CPOM_LLM_MODEL", id="openai-no-model"),
        pytest.param({"llm_provider": "ollama"}, "CPOM_LLM_MODEL", id="ollama-no-model"),
    ],
)
def test_unusable_provider_is_a_french_error(
    tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(LLMUnavailableError, match=message):
        build_chat_model(make_settings(tmp_path, **overrides))


def test_local_provider_starts_the_server_and_takes_the_openai_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gguf = tmp_path / "modele.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)
    started: list[Path] = []

    class FakeServer:
        base_url = "http://127.0.0.1:8765/v1"
        model = "qwen-local"

        def __init__(self, model_file: Path, *, port: int) -> None:
            started.append(model_file)
            assert port == 8765

        def start(self) -> FakeServer:
            return self

    monkeypatch.setattr("assistant.llm.models.LocalServer", FakeServer)
    monkeypatch.setattr("assistant.llm.models._LOCAL_SERVERS", {})
    settings = make_settings(tmp_path, llm_provider="local", llm_model_path=gguf)
    first = build_chat_model(settings)
    second = build_chat_model(settings)
    assert started == [gguf]  # one server per process, reused
    assert first is not None
    assert second is not None
    assert first.model_name == "qwen-local"  # type: ignore[attr-defined]
    assert str(first.openai_api_base) == "http://127.0.0.1:8765/v1"  # type: ignore[attr-defined]


def test_openai_and_ollama_models_are_built_from_settings(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        llm_provider="openai",
        llm_model="albert-large",
        llm_base_url="http://127.0.0.1:9/v1",
        llm_api_key=SecretStr(KEY),
        llm_timeout=7,
    )
    model = build_chat_model(settings)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "albert-large"
    assert KEY not in repr(settings)
    assert KEY not in str(settings.model_dump())
    ollama_model = build_chat_model(
        make_settings(tmp_path, llm_provider="ollama", llm_model="qwen")
    )
    assert isinstance(ollama_model, ChatOllama)


def test_client_errors_become_french_messages(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_timeout=3)
    assert "délai imparti (3 s)" in llm_error(TimeoutError(), settings=settings).message
    assert (
        "injoignable (http://127.0.0.1:9/v1)"
        in llm_error(ConnectionError(), settings=settings).message
    )


_URL = "http://127.0.0.1:9/v1/chat/completions"
_REQ = httpx.Request("POST", _URL)
_REQ2 = httpx2.Request("POST", _URL)  # openai's transport
TIMEOUT = "n'a pas répondu dans le délai imparti (3 s)"
UNREACHABLE = "injoignable (http://127.0.0.1:9/v1)"
CUT = "s'est interrompu au milieu de sa réponse"


def _openai_status(cls: type[openai.APIStatusError], status: int) -> openai.APIStatusError:
    return cls("refus", response=httpx2.Response(status, request=_REQ2), body=None)


# Look-alikes: they share a name with a client's class, which must not count.
class APIConnectionError(Exception):
    """Named as openai's connection error, but not one of the clients' errors."""


class ReadTimeout(Exception):
    """Named as httpx's read timeout, but not one of the clients' errors."""


@pytest.mark.parametrize(
    ("exc", "expected", "when_started"),
    [
        pytest.param(TimeoutError(), TIMEOUT, TIMEOUT, id="builtin-timeout"),
        pytest.param(openai.APITimeoutError(request=_REQ2), TIMEOUT, TIMEOUT, id="openai-timeout"),
        pytest.param(httpx.ReadTimeout("lent", request=_REQ), TIMEOUT, TIMEOUT, id="httpx-timeout"),
        pytest.param(
            httpx2.ReadTimeout("lent", request=_REQ2), TIMEOUT, TIMEOUT, id="httpx2-timeout"
        ),
        pytest.param(
            openai.APIConnectionError(request=_REQ2), UNREACHABLE, CUT, id="openai-connection"
        ),
        pytest.param(
            httpx.ConnectError("refusée", request=_REQ), UNREACHABLE, CUT, id="httpx-connect"
        ),
        pytest.param(httpx.ReadError("coupée", request=_REQ), UNREACHABLE, CUT, id="httpx-read"),
        pytest.param(
            httpx.RemoteProtocolError("incomplet", request=_REQ),
            UNREACHABLE,
            CUT,
            id="httpx-protocol",
        ),
        pytest.param(
            httpx2.RemoteProtocolError("incomplet", request=_REQ2),
            UNREACHABLE,
            CUT,
            id="httpx2-protocol",
        ),
        pytest.param(ConnectionRefusedError(), UNREACHABLE, CUT, id="builtin-refused"),
        pytest.param(http.client.IncompleteRead(b"{"), UNREACHABLE, CUT, id="incomplete-read"),
        pytest.param(
            _openai_status(openai.AuthenticationError, 401),
            "La clé d'API a été refusée",
            "La clé d'API a été refusée",
            id="openai-401",
        ),
        pytest.param(
            _openai_status(openai.NotFoundError, 404),
            "ne connaît pas le modèle 'albert' ou l'adresse de l'API (http://127.0.0.1:9/v1)",
            "ne connaît pas le modèle",
            id="openai-404",
        ),
        pytest.param(
            _openai_status(openai.InternalServerError, 503),
            "erreur HTTP 503",
            "erreur HTTP 503",
            id="openai-503",
        ),
        pytest.param(
            httpx.HTTPStatusError("x", request=_REQ, response=httpx.Response(502, request=_REQ)),
            "erreur HTTP 502",
            "erreur HTTP 502",
            id="httpx-502",
        ),
        pytest.param(
            ollama.ResponseError("model 'albert' not found", 404),
            "ne connaît pas le modèle",
            "ne connaît pas le modèle",
            id="ollama-404",
        ),
        pytest.param(
            ollama.ResponseError("boum"),
            "a échoué (ResponseError)",
            "a échoué",
            id="ollama-no-status",
        ),
        pytest.param(
            APIConnectionError("look-alike"),
            "a échoué (APIConnectionError)",
            "a échoué",
            id="name-alike-connection",
        ),
        pytest.param(
            ReadTimeout("look-alike"), "a échoué (ReadTimeout)", "a échoué", id="name-alike-timeout"
        ),
    ],
)
def test_client_exceptions_are_recognised_by_type(
    tmp_path: Path, exc: BaseException, expected: str, when_started: str
) -> None:
    settings = make_settings(
        tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_model="albert", llm_timeout=3
    )
    error = llm_error(exc, settings=settings)
    assert expected in error.message
    assert error.hint == "La réponse hors ligne reste disponible."
    assert when_started in llm_error(exc, settings=settings, started=True).message


class RaisingModel:
    """A chat model whose every call raises ``exc`` (as a client would)."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.calls = 0

    def with_structured_output(self, *_args: Any, **_kwargs: Any) -> RaisingModel:
        return self

    def bind(self, **_kwargs: Any) -> RaisingModel:
        return self

    def invoke(self, _messages: Any) -> Any:
        self.calls += 1
        raise self.exc


def test_a_rejected_format_falls_back_but_a_timeout_does_not() -> None:
    messages = [HumanMessage(content="Choisis.")]
    rejected = RaisingModel(
        openai.BadRequestError("format", response=httpx2.Response(400, request=_REQ2), body=None)
    )
    with pytest.raises(LLMUnavailableError, match="réponse structurée valide"):
        structured_output(rejected, Choice, messages, method="json_schema")
    assert rejected.calls == 4  # json_schema, json_object, function_calling, prompt
    slow = RaisingModel(openai.APITimeoutError(request=_REQ2))
    with pytest.raises(LLMUnavailableError, match="délai imparti"):
        structured_output(slow, Choice, messages, method="json_schema")
    assert slow.calls == 1


def test_prompts_are_loaded_by_name(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert "Les guides ne répondent pas à cette question." in load_prompt("answer_system", settings)
    assert "{question}" in load_prompt("answer_user", settings)
    with pytest.raises(LLMUnavailableError, match="introuvable"):
        load_prompt("absent", make_settings(tmp_path, prompts_dir=tmp_path))


# --- structured output with fake chat models ------------------------------------------------


class ToolFake(GenericFakeChatModel):
    """GenericFakeChatModel with ``bind_tools`` so that ``with_structured_output`` works."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


def _tool_reply(args: dict[str, Any]) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": "Choice", "args": args, "id": "call_1"}])


def test_structured_output_validates_and_repairs_once() -> None:
    model = ToolFake(
        messages=iter(
            [_tool_reply({"code": "OS_13"}), _tool_reply({"code": "OS_13", "raison": "RAAC"})]
        )
    )
    result = structured_output(model, Choice, [HumanMessage(content="Choisis.")])
    assert result == Choice(code="OS_13", raison="RAAC")


def test_structured_output_gives_up_with_a_french_error() -> None:
    model = ToolFake(messages=iter([_tool_reply({"code": "OS_13"})] * 3))
    with pytest.raises(LLMUnavailableError, match="réponse structurée valide"):
        structured_output(model, Choice, [HumanMessage(content="Choisis.")], retries=1)


def test_structured_output_from_plain_json_text() -> None:
    model = GenericFakeChatModel(
        messages=iter([AIMessage(content='Voici : {"code": "CT_3", "raison": "GHT"}')])
    )
    result = structured_output(model, Choice, [HumanMessage(content="Choisis.")], method="prompt")
    assert result.code == "CT_3"


# --- the real HTTP client against the recorded server --------------------------------------


def test_http_answer_is_generated_cited_and_grounded(
    index: Index, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = "Les établissements devront choisir au maximum 10 indicateurs [1]."
    with serve([{"content": reply}]) as (url, script):
        settings = llm_settings(index, url)
        model = build_chat_model(settings)
        answer = answer_question(QUESTION, index=index, kb=kb, settings=settings, chat_model=model)
    assert answer.mode == "llm"
    assert answer.supported
    assert answer.grounded
    assert answer.answer == reply
    assert answer.citations[0].doc_id == "occitanie-guide-2025-2029"
    request = script.requests[0]
    assert request["model"] == "recorded"
    assert request["stream"] is True
    assert request["_headers"]["authorization"] == f"Bearer {KEY}"
    assert "<<<PASSAGES>>>" in request["messages"][-1]["content"]
    assert [m["role"] for m in request["messages"]] == ["system", "user", "assistant", "user"]
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    ("reply", "notice"),
    [
        pytest.param({"status": 500}, "erreur HTTP 500", id="http-500"),
        pytest.param({"status": 401}, "clé d'API a été refusée", id="auth"),
        pytest.param({"sleep": 3.0, "content": "trop tard [1]."}, "délai imparti", id="timeout"),
        pytest.param({"raw": "{pas du json"}, "Réponse hors ligne", id="malformed"),
        pytest.param({"content": "Il faut 10 indicateurs [7]."}, "absents", id="unknown-ref"),
    ],
)
def test_http_failures_fall_back_to_the_offline_answer(
    index: Index, kb: KnowledgeBase, reply: dict[str, Any], notice: str
) -> None:
    with serve([reply]) as (url, _):
        settings = llm_settings(index, url, llm_timeout=0.5)
        model = build_chat_model(settings)
        answer = answer_question(QUESTION, index=index, kb=kb, settings=settings, chat_model=model)
    assert answer.mode == "extractive"
    assert answer.supported
    assert "10 indicateurs" in answer.answer
    assert answer.notice
    assert notice in answer.notice


def test_structured_output_falls_back_when_the_server_rejects_json_schema(index: Index) -> None:
    content = '{"code": "OS_13", "raison": "RAAC"}'
    with serve([{"reject_json_schema": True, "content": content}]) as (url, script):
        model = build_chat_model(llm_settings(index, url))
        result = structured_output(
            model,
            Choice,
            [SystemMessage(content="JSON."), HumanMessage(content="Choisis.")],
            method="json_schema",
        )
    assert result == Choice(code="OS_13", raison="RAAC")
    formats = [r.get("response_format", {}).get("type") for r in script.requests]
    assert formats == ["json_schema", "json_object"]
    assert script.requests[1]["response_format"]["schema"]["title"] == "Choice"


def test_structured_output_repairs_invalid_json_over_http(index: Index) -> None:
    replies = [{"content": '{"code": "OS_13"}'}, {"content": '{"code": "OS_13", "raison": "x"}'}]
    with serve(replies) as (url, script):
        model = build_chat_model(llm_settings(index, url))
        result = structured_output(model, Choice, [HumanMessage(content="Choisis.")])
    assert result.raison == "x"
    assert "n'est pas un JSON valide" in script.requests[1]["messages"][-1]["content"]
