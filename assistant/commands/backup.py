"""``backup``: save the whole dossier database (SQLite or PostgreSQL) to one file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from assistant.config import Settings

HELP = "sauvegarder la base des dossiers dans un fichier (.json.gz)"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("file", type=Path, help="fichier de sauvegarde à écrire (.json.gz)")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Write the backup and say what it holds."""
    # the store (SQLAlchemy) is loaded here, so that `--help` stays fast
    from assistant.store import LOCAL_ADMIN, store_from_settings
    from assistant.store.backup import backup

    store = store_from_settings(settings)
    try:
        summary = backup(store, LOCAL_ADMIN, args.file)
    finally:
        store.close()
    counts = ", ".join(f"{name} : {n}" for name, n in summary.lignes.items())
    print(f"Sauvegarde écrite : {args.file} (schéma {summary.revision} ; {counts}).", file=out)
    return 0
