"""``draft``: the justification and trajectory of one indicator for an establishment."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

import assistant
from assistant.config import Settings
from assistant.kb.growth import LECTURES

HELP = "rédiger le brouillon d'un indicateur (justification, trajectoire 2025-2029)"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("profile", type=Path, help="profil de l'établissement (fichier JSON)")
    parser.add_argument(
        "--indicator",
        "--indicateur",
        dest="indicator",
        required=True,
        help="code de l'indicateur (CPOM_OS_13, OS_13, os13, HPR_4_2…)",
    )
    parser.add_argument(
        "--baseline",
        "--valeur-initiale",
        dest="baseline",
        default=None,
        help="valeur 2024 : un nombre, un taux en %% (ex. 12,5) ou oui/non",
    )
    parser.add_argument(
        "--lecture",
        choices=LECTURES,
        default=None,
        help="lecture d'une hausse en « %% » d'un taux ou en « points » : relative (par "
        "défaut, en pourcentage de la valeur) ou points (ajoutés à la valeur)",
    )
    parser.add_argument("--json", action="store_true", help="sortie JSON")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the draft (French text or JSON); 0 when it was produced."""
    profile = assistant.read_profile(args.profile)
    kb = assistant.load_kb(settings.corpus_dir)
    rules = assistant.load_rules(settings.rules_file)
    draft = assistant.draft_indicator(
        profile,
        args.indicator,
        baseline=args.baseline,
        kb=kb,
        rules=rules,
        settings=settings,
        lecture=args.lecture,
    )
    if args.json:
        print(json.dumps(draft.contract(), ensure_ascii=False, indent=2), file=out)
    else:
        print(assistant.format_draft(draft), file=out)
    return 0
