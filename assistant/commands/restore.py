"""``restore``: replace the whole dossier database by a backup file (``backup``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from assistant.config import Settings

HELP = "remplacer tout le contenu de la base des dossiers par une sauvegarde"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("file", type=Path, help="fichier écrit par « backup »")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Restore the backup and say what it held."""
    # the store (SQLAlchemy) is loaded here, so that `--help` stays fast
    from assistant.store import LOCAL_ADMIN, store_from_settings
    from assistant.store.backup import restore

    store = store_from_settings(settings)
    try:
        summary = restore(store, LOCAL_ADMIN, args.file)
    finally:
        store.close()
    counts = ", ".join(f"{name} : {n}" for name, n in summary.lignes.items())
    print(
        f"Base restaurée depuis {args.file} (sauvegarde du {summary.cree_le:%d/%m/%Y %H:%M} "
        f"UTC ; {counts}).",
        file=out,
    )
    return 0
