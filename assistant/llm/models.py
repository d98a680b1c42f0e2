"""Chat models: one factory by provider, error translation, structured output with repair.

``build_chat_model(settings)`` returns a LangChain ``BaseChatModel`` (or None offline):
``openai`` is any OpenAI-compatible endpoint (Albert, vLLM, llama.cpp server, Mistral…),
``ollama`` an Ollama server. The API key is a ``SecretStr``: it is passed to the client and
never printed or logged. Every failure of a model call reaches the user as an
``LLMUnavailableError`` with a French message.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from assistant.config import Settings
from assistant.errors import LLMUnavailableError
from assistant.llm.local_model import ensure_model
from assistant.llm.local_server import LocalServer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

logger = logging.getLogger(__name__)

SchemaT = TypeVar("SchemaT", bound=BaseModel)
STRUCTURED_METHODS = ("json_schema", "json_object", "function_calling", "prompt")
"""How a structured answer is asked for, from the most to the least constrained.

``json_schema``: OpenAI's ``response_format`` json_schema (vLLM, OpenAI, Ollama);
``json_object``: ``response_format {"type": "json_object", "schema": …}`` (llama.cpp server);
``function_calling``: a tool call; ``prompt``: the schema in the prompt, the JSON parsed back.
"""
_NO_KEY = "sk-no-key-required"


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model chosen by ``settings.llm_provider`` (``CPOM_LLM_PROVIDER``).

    Returns:
        None for ``none`` (offline answers), else a LangChain chat model (temperature 0,
        request timeout ``settings.llm_timeout``, no automatic retry).

    Raises:
        LLMUnavailableError: the provider is not usable as configured (French message).
    """
    provider = settings.llm_provider
    match provider:
        case "none":
            return None
        case "openai":
            return _openai(settings)
        case "ollama":
            return _ollama(settings)
        case "local":
            return _openai(_local_server_settings(settings))
        case _:
            raise LLMUnavailableError(f"Fournisseur de modèle de langage inconnu : {provider!r}.")


def _local_server_settings(settings: Settings) -> Settings:
    """Start (or reuse) the llama.cpp server on loopback; the same client path follows.

    The server lives as long as the process (it is stopped at exit). A server that stopped
    since the last call (crashed, killed) is started again, so that the next question does not
    meet a dead address. The wait for a new server is bounded by ``settings.llm_timeout``.
    """
    model_file = ensure_model(
        settings.llm_local_size,
        model_path=settings.llm_model_path,
        cache_dir=settings.llm_models_dir,
    )
    with _LOCAL_LOCK:  # two app requests must not start two servers on one port
        server = _LOCAL_SERVERS.get(model_file)
        if server is not None and not _still_running(server):
            logger.warning("the local LLM server on %s stopped; starting it again", server.base_url)
            server.stop()
            del _LOCAL_SERVERS[model_file]
            server = None
        if server is None:
            server = LocalServer(model_file, port=settings.llm_local_port)
            server.startup_timeout = settings.llm_timeout
            _LOCAL_SERVERS[model_file] = server.start()
    return settings.model_copy(update={"llm_base_url": server.base_url, "llm_model": server.model})


def _still_running(server: Any) -> bool:
    """``server.running()``; a stand-in without that method counts as running."""
    running = getattr(server, "running", None)
    return bool(running()) if callable(running) else True


_LOCAL_SERVERS: dict[Any, Any] = {}
"""The local servers of this process, by model file (one per file, reused by every call)."""
_LOCAL_LOCK = threading.Lock()


def _openai(settings: Settings) -> BaseChatModel:
    if not settings.llm_model:
        raise LLMUnavailableError(
            "Aucun modèle de langage n'est configuré (CPOM_LLM_MODEL).",
            hint="Exemple : CPOM_LLM_MODEL=mistral-small CPOM_LLM_BASE_URL=http://127.0.0.1:8080/v1",
        )
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else _NO_KEY
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0,
        use_responses_api=False,
    )


def _ollama(settings: Settings) -> BaseChatModel:
    if not settings.llm_model:
        raise LLMUnavailableError(
            "Aucun modèle Ollama n'est configuré (CPOM_LLM_MODEL).",
            hint="Exemple : CPOM_LLM_MODEL=qwen2.5:1.5b",
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        temperature=0,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def llm_error(
    exc: BaseException, *, settings: Settings | None = None, started: bool = False
) -> LLMUnavailableError:
    """Translate a client exception (openai, httpx, ollama) into a French message.

    Args:
        exc: the exception raised by the client.
        settings: the settings used for the call (address and timeout quoted in the message).
        started: whether the answer had begun to arrive: a lost connection is then a server
            that stopped in the middle of its answer, not one that cannot be reached.
    """
    if isinstance(exc, LLMUnavailableError):
        return exc
    status = _http_status(exc)
    where = f" ({settings.llm_base_url})" if settings and settings.llm_base_url else ""
    timeout = f" ({settings.llm_timeout:g} s)" if settings else ""
    errors = _client_errors()
    if isinstance(exc, errors.timeout):
        message = f"Le modèle de langage n'a pas répondu dans le délai imparti{timeout}."
    elif isinstance(exc, errors.lost) and started:
        message = (
            f"Le serveur du modèle de langage s'est interrompu au milieu de sa réponse{where} ; "
            "le texte déjà reçu est écarté."
        )
    elif isinstance(exc, errors.lost):
        message = f"Le serveur du modèle de langage est injoignable{where}."
    elif status == 401:
        message = "La clé d'API a été refusée par le serveur du modèle de langage."
    elif status == 404:
        model = f" {settings.llm_model!r}" if settings and settings.llm_model else ""
        message = f"Le serveur ne connaît pas le modèle{model} ou l'adresse de l'API{where}."
    elif status is not None:
        message = f"Le serveur du modèle de langage a répondu par une erreur HTTP {status}."
    else:
        message = f"Le modèle de langage a échoué ({type(exc).__name__})."
    return LLMUnavailableError(message, hint="La réponse hors ligne reste disponible.")


class _ClientErrors(NamedTuple):
    """Exception classes of the chat clients, by what the user must be told."""

    timeout: tuple[type[BaseException], ...]
    """A request that outlived its timeout."""
    lost: tuple[type[BaseException], ...]
    """A connection refused, reset or cut short (checked after ``timeout``)."""


def _client_errors() -> _ClientErrors:
    """The exception classes of httpx (ollama) and, once loaded, openai and its httpx2.

    openai is optional and slow to import (about 2 s): no openai exception can exist before
    the package is loaded, so it is only consulted then, and a missing package never is.
    ollama reports a refused connection as the built-in ``ConnectionError``.
    """
    timeout: list[type[BaseException]] = [TimeoutError, httpx.TimeoutException]
    lost: list[type[BaseException]] = [
        ConnectionError,
        http.client.IncompleteRead,
        httpx.NetworkError,
        httpx.RemoteProtocolError,
    ]
    if "openai" in sys.modules:
        import openai

        # APITimeoutError subclasses APIConnectionError: timeouts are checked first.
        timeout.append(openai.APITimeoutError)
        lost.append(openai.APIConnectionError)
    if "httpx2" in sys.modules:  # openai's transport; openai wraps most of its errors
        import httpx2

        timeout.append(httpx2.TimeoutException)
        lost += [httpx2.NetworkError, httpx2.RemoteProtocolError]
    return _ClientErrors(timeout=tuple(timeout), lost=tuple(lost))


def _http_status(exc: BaseException) -> int | None:
    """The HTTP status of an error answer (openai, httpx, ollama), None for any other error."""
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code
    if "openai" in sys.modules:
        import openai

        if isinstance(exc, openai.APIStatusError):
            return int(exc.status_code)
    if "ollama" in sys.modules:
        import ollama

        if isinstance(exc, ollama.ResponseError) and exc.status_code > 0:  # -1: no answer
            return exc.status_code
    return None


def default_structured_method(model: Any) -> str:
    """The structured-output method suited to a chat model's backend."""
    # A model of these classes implies its package is loaded: never import one just to check.
    if "langchain_openai" in sys.modules:
        from langchain_openai import ChatOpenAI

        if isinstance(model, ChatOpenAI):
            base = str(model.openai_api_base or "")
            # llama.cpp's server rejects json_schema (HTTP 500) but constrains json_object.
            return "json_object" if re.search(r"127\.0\.0\.1|localhost", base) else "json_schema"
    if "langchain_ollama" in sys.modules:
        from langchain_ollama import ChatOllama

        if isinstance(model, ChatOllama):
            return "json_schema"
    return "function_calling" if hasattr(model, "bind_tools") else "prompt"


def structured_output(
    model: Any,
    schema: type[SchemaT],
    messages: Sequence[BaseMessage],
    *,
    method: str | None = None,
    retries: int = 1,
) -> SchemaT:
    """Ask ``model`` for an instance of ``schema``; validate it, repair it once, or fail.

    Args:
        model: a LangChain chat model.
        schema: the pydantic model expected.
        messages: the conversation (system and user messages).
        method: one of ``STRUCTURED_METHODS``; by default the backend's own
            (``default_structured_method``). When the server rejects the method, the next,
            less constrained one is tried.
        retries: how many repair rounds after an invalid answer.

    Raises:
        LLMUnavailableError: no valid instance could be obtained (French message).
    """
    from langchain_core.messages import AIMessage, HumanMessage

    methods = list(STRUCTURED_METHODS)
    first = method or default_structured_method(model)
    if first not in methods:
        raise ValueError(f"unknown structured-output method {first!r}")
    order = methods[methods.index(first) :]
    history = list(messages)
    last_error = "réponse vide"
    for method_name in order:
        for _ in range(retries + 1):
            try:
                raw = _invoke_structured(model, schema, history, method_name)
            except NotImplementedError:
                break
            except Exception as exc:
                if _rejected_method(exc):
                    logger.info("structured method %s rejected by the server", method_name)
                    break
                raise llm_error(exc) from exc
            try:
                return _validate(schema, raw)
            except (ValidationError, ValueError) as exc:
                last_error = _short_error(exc)
                text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
                history = [
                    *history,
                    AIMessage(content=text[:4000]),
                    HumanMessage(
                        content="Cette réponse n'est pas un JSON valide pour le schéma demandé "
                        f"({last_error}). Réponds uniquement par le JSON corrigé."
                    ),
                ]
        else:
            break
    raise LLMUnavailableError(
        f"Le modèle de langage n'a pas produit de réponse structurée valide ({last_error}).",
        hint="La réponse hors ligne reste disponible.",
    )


def _invoke_structured(
    model: Any, schema: type[BaseModel], messages: list[Any], method: str
) -> Any:
    """One call; returns a dict, a model instance or the raw text to validate."""
    if method in ("json_schema", "function_calling"):
        runnable = model.with_structured_output(schema, method=method, include_raw=True)
        result = runnable.invoke(messages)
        if isinstance(result, dict):
            if result.get("parsed") is not None:
                return result["parsed"]
            raw = result.get("raw")
            content = getattr(raw, "content", "")
            calls = getattr(raw, "tool_calls", None) or []
            return calls[0]["args"] if calls else content
        return result
    if method == "json_object":
        bound = model.bind(
            response_format={"type": "json_object", "schema": schema.model_json_schema()}
        )
        return bound.invoke(messages).content
    from langchain_core.messages import SystemMessage

    instruction = SystemMessage(
        content="Réponds uniquement par un objet JSON conforme à ce schéma :\n"
        + json.dumps(schema.model_json_schema(), ensure_ascii=False)
    )
    return model.invoke([*messages, instruction]).content


def _validate(schema: type[SchemaT], raw: Any) -> SchemaT:
    if isinstance(raw, schema):
        return raw
    if isinstance(raw, BaseModel):
        return schema.model_validate(raw.model_dump())
    if isinstance(raw, dict):
        return schema.model_validate(raw)
    text = str(raw or "").strip()
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        raise ValueError("aucun objet JSON dans la réponse")
    return schema.model_validate_json(match.group(0))


def _short_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "racine"
        return f"champ {where} : {first['msg']}"
    return str(exc)[:200]


def _rejected_method(exc: Exception) -> bool:
    """Whether the server refused the request's format (it may accept a simpler one)."""
    return _http_status(exc) in (400, 422, 500, 501)
