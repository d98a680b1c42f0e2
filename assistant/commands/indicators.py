"""``indicators``: list the 30 + 14 indicators, or show one."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

import assistant
from assistant.config import Settings

HELP = "lister les indicateurs ou en afficher un"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("code", nargs="?", help="code de l'indicateur (ex. OS_13, ct3, HPR_4_2)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """List the indicators, or show the one named by ``args.code``."""
    kb = assistant.load_kb(settings.corpus_dir)
    if args.code:
        indicator = kb.get(args.code)
        if args.json:
            print(indicator.model_dump_json(indent=2), file=out)
        else:
            print(assistant.format_indicator(indicator), file=out)
        return 0
    if args.json:
        data = {
            "indicateurs": [i.model_dump(mode="json") for i in kb.indicators.values()],
            "indicateurs_hpr": [h.model_dump(mode="json") for h in kb.hpr.values()],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
    else:
        print(assistant.format_indicator_list(kb), file=out)
    return 0
