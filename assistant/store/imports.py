"""Import draft files into dossiers: each draft goes to the dossier of the FINESS it carries."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from assistant.drafts import SUFFIXES, read_draft_file
from assistant.drafts.models import DraftSource
from assistant.errors import AssistantError, InvalidInputError, NotFoundError
from assistant.store.connection import Store
from assistant.store.dossiers import draft_finess, get_dossier, save_draft
from assistant.store.models import Actor

MAX_IMPORT_FILES = 5000
"""Most draft files imported from one folder."""


class ImportItem(BaseModel):
    """What became of one draft of an import: saved as a version, or refused and why."""

    fichier: str
    finess_ej: str | None = None
    version: int | None = None
    erreurs: int | None = None
    avertissements: int | None = None
    refus: str | None = None
    code: Literal[0, 1, 2] = 0
    """0 saved, 1 refused by a rule (e.g. a submitted dossier), 2 unreadable or bad input."""


def draft_files(path: Path) -> list[Path]:
    """The draft files of a folder (by name), or the file itself.

    Raises:
        InvalidInputError: Missing path, empty folder, or too many files.
    """
    if not path.exists():
        raise InvalidInputError(f"{str(path)!r} est introuvable.")
    if not path.is_dir():
        return [path]
    files = sorted(
        entry
        for entry in path.iterdir()
        if entry.is_file()
        and entry.suffix.lower() in SUFFIXES
        and not entry.name.startswith((".", "~$"))
    )
    if not files:
        raise InvalidInputError(f"Le dossier {path.name!r} ne contient aucun brouillon.")
    if len(files) > MAX_IMPORT_FILES:
        raise InvalidInputError(
            f"Le dossier {path.name!r} contient {len(files)} brouillons, au-delà de la limite "
            f"de {MAX_IMPORT_FILES}."
        )
    return files


def _current_version(store: Store, actor: Actor, finess: str) -> int:
    try:
        return get_dossier(store, actor, finess).version
    except NotFoundError:
        return 0


def _import_source(store: Store, actor: Actor, file: str, source: DraftSource) -> ImportItem:
    tree = source.data
    finess = draft_finess(tree) if isinstance(tree, dict) else None
    try:
        if not isinstance(tree, dict):
            raise InvalidInputError("ce n'est pas un brouillon (objet JSON attendu).")
        if finess is None:
            raise InvalidInputError(
                "le brouillon ne porte pas de FINESS EJ (etablissement.finess_ej)."
            )
        version = _current_version(store, actor, finess)
        result = save_draft(store, actor, finess, tree, version=version)
    except AssistantError as error:
        code: Literal[1, 2] = 1 if error.exit_code == 1 else 2
        return ImportItem(fichier=file, finess_ej=finess, refus=error.message, code=code)
    return ImportItem(
        fichier=file,
        finess_ej=finess,
        version=result.version,
        erreurs=result.rapport["errors"],
        avertissements=result.rapport["warnings"],
    )


def import_drafts(store: Store, actor: Actor, path: Path) -> list[ImportItem]:
    """Import a draft file or a folder of them, each into the dossier of its FINESS.

    A CSV or XLSX file may hold several establishments. A file that cannot be read, or a
    draft that cannot be saved, is reported in its item and does not stop the others.

    Raises:
        InvalidInputError: Missing path, empty folder, or too many files.
    """
    items: list[ImportItem] = []
    for file in draft_files(path):
        try:
            sources = read_draft_file(file)
        except InvalidInputError as error:
            items.append(ImportItem(fichier=file.name, refus=error.message, code=2))
            continue
        items.extend(_import_source(store, actor, file.name, source) for source in sources)
    return items
