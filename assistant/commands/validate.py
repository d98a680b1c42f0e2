"""``validate``: check one draft, or a batch, against the campaign's selection rules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

import assistant
from assistant.config import Settings

HELP = "vérifier un brouillon de CPOM (ou un lot) au regard des règles de sélection"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("path", type=Path, help="fichier .json .yaml .csv .xlsx, ou dossier")
    parser.add_argument("--json", action="store_true", help="rapport JSON")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the report; exit 0 valid, 1 invalid, 2 unreadable input."""
    return assistant.main_validate(args.path, as_json=args.json, out=out, settings=settings)
