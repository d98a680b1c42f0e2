"""Shared fixtures: an isolated environment, small real corpora, a fast embedder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.config import Settings

pytest_plugins = ["tests.chain_fixtures", "tests.browser_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CPOM_* variable from the developer's shell (but the model cache); no hub, no telemetry."""
    for name in list(os.environ):
        if name.startswith("CPOM_") and name != "CPOM_LLM_MODELS_DIR":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("CPOM_LLM_PROVIDER", "none")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings pointing at tmp_path, never at the developer's index."""
    values: dict[str, object] = {
        "corpus_dir": tmp_path / "corpus",
        "index_dir": tmp_path / "index",
        "embedding_cache_dir": tmp_path / "cache",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


MINI_CATALOG = """\
documents:
  - id: guide-test
    title: "Guide de test 2025-2029"
    issuer: ARS Test
    region: Occitanie
    period: "2025-2029"
    date: "2025"
    kind: guide
    status: current
    file: guide.txt
  - id: ancien-guide
    title: "Ancien guide 2012"
    issuer: Ministère
    region: national
    period: "2012"
    date: "2012"
    kind: guide
    status: historical
    file: ancien.txt
"""

MINI_GUIDE = """\
PARTIE 1 : LES REGLES DE SELECTION

1.1 NOMBRE D'INDICATEURS :

Les établissements devront choisir au maximum 10 indicateurs dans l'annexe stratégique.
Les établissements ont obligation de choisir au minimum 2 indicateurs parmi les 8 sur les
coopérations.

1.2 CALENDRIER :

La date limite dans le choix des indicateurs dans e-cars est le 25 juillet 2025.

ANNEXE 7 : FOIRE AUX QUESTIONS

Structuration du CPOM

➢ Combien de temps dure le contrat ?

La durée du CPOM est de 5 ans avec une révision possible.

➢ Qui signe les annexes ?

Les annexes peuvent être signées après le socle du contrat.
"""

MINI_OLD = """\
Partie 1 : Les anciens contrats

Le nombre d'objectifs du contrat était de 32 indicateurs en moyenne, contre 70 pour les CHU.
Les contrats duraient 5 ans et comportaient des annexes nombreuses sur la chirurgie ambulatoire.
"""


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    """A two-document corpus (one current, one historical) in tmp_path/corpus."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "catalog.yaml").write_text(MINI_CATALOG, encoding="utf-8")
    (corpus / "guide.txt").write_text(MINI_GUIDE, encoding="utf-8")
    (corpus / "ancien.txt").write_text(MINI_OLD, encoding="utf-8")
    return corpus


@pytest.fixture
def real_corpus_copy(tmp_path: Path) -> Path:
    """A copy of the real corpus (documents and catalog) in tmp_path/corpus."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in CORPUS.iterdir():
        if path.is_file():
            shutil.copy(path, corpus / path.name)
    return corpus
