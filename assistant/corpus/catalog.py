"""The corpus catalog (``corpus/catalog.yaml``): which documents, with their metadata."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.corpus.models import DocumentInfo
from assistant.errors import CatalogError

logger = logging.getLogger(__name__)

CATALOG_FILE = "catalog.yaml"
SUPPORTED_SUFFIXES = (".txt", ".pdf")


def load_catalog(corpus_dir: Path) -> list[DocumentInfo]:
    """Read ``corpus/catalog.yaml``.

    Raises:
        CatalogError: the catalog is missing or malformed.
    """
    path = corpus_dir / CATALOG_FILE
    if not path.is_file():
        raise CatalogError(
            f"Catalogue introuvable : {path}.",
            hint="Créez corpus/catalog.yaml (une entrée par document).",
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(f"Le catalogue {path.name!r} est illisible : {exc}.") from exc
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CatalogError(f"Le catalogue {path.name!r} doit contenir une liste 'documents'.")
    docs: list[DocumentInfo] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        try:
            doc = DocumentInfo.model_validate(entry)
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
            raise CatalogError(f"Entrée n° {i} du catalogue invalide (champs : {fields}).") from exc
        if doc.id in seen:
            raise CatalogError(f"Identifiant de document en double dans le catalogue : {doc.id!r}.")
        seen.add(doc.id)
        docs.append(doc)
    return docs


def uncatalogued_files(corpus_dir: Path, docs: Iterable[DocumentInfo]) -> list[Path]:
    """Return the document files of ``corpus_dir`` that no catalog entry names."""
    named = {d.file for d in docs}
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and p.name not in named
    )
