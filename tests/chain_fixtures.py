"""Fixtures shared by the chain tests (proposal, drafting): real corpus, KB and rules."""

from __future__ import annotations

import pytest
import yaml

from assistant.config import Settings
from assistant.kb import KnowledgeBase, load_kb
from assistant.kb.text import comparable
from assistant.rules import RuleSet, load_rules
from tests.conftest import CORPUS, ROOT


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=CORPUS,
        index_dir=tmp_path_factory.mktemp("index"),
        prompts_dir=ROOT / "prompts",
        rules_file=CORPUS / "rules" / "occitanie-2025-2029.yaml",
        llm_provider="none",
    )


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(CORPUS)


@pytest.fixture(scope="module")
def rules(settings: Settings) -> RuleSet:
    return load_rules(settings.rules_file)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    catalog = yaml.safe_load((CORPUS / "catalog.yaml").read_text(encoding="utf-8"))
    return {
        doc["id"]: comparable((CORPUS / doc["file"]).read_text(encoding="utf-8"))
        for doc in catalog["documents"]
        if doc["file"].endswith(".txt")
    }
