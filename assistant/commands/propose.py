"""``propose``: a selection of indicators for an establishment profile."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

import assistant
from assistant.config import Settings

HELP = "proposer une sélection d'indicateurs pour un établissement"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("profile", type=Path, help="profil de l'établissement (fichier JSON)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument(
        "--sans-index",
        dest="no_index",
        action="store_true",
        help="pertinence par recoupement lexical avec les fiches, sans l'index",
    )


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the proposal (French text or JSON); 0 when it was produced."""
    profile = assistant.read_profile(args.profile)
    kb = assistant.load_kb(settings.corpus_dir)
    rules = assistant.load_rules(settings.rules_file)
    index = None
    if not args.no_index and profile.priorites:
        try:
            index = assistant.Index(settings)
        except assistant.IndexNotReadyError:
            print(
                "Note : index absent ; pertinence des priorités par recoupement lexical avec "
                "les fiches.",
                file=sys.stderr,
            )
    proposal = assistant.propose_selection(
        profile, kb=kb, rules=rules, index=index, settings=settings
    )
    if args.json:
        print(json.dumps(proposal.contract(), ensure_ascii=False, indent=2), file=out)
    else:
        print(assistant.format_proposal(proposal), file=out)
    return 0
