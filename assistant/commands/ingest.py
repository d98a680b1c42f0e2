"""``ingest``: build or update the index."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO

import assistant
from assistant.config import Settings

HELP = "construire ou mettre à jour l'index"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("--rebuild", action="store_true", help="reconstruire entièrement")
    parser.add_argument("--lexical-only", action="store_true", help="ne pas calculer les vecteurs")


def _progress_bar() -> Callable[[str, int, int], None]:
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="", file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Build or update the index, with a progress bar on stderr."""
    report = assistant.ingest(
        settings, rebuild=args.rebuild, dense=not args.lexical_only, progress=_progress_bar()
    )
    for message in report.errors:
        print(f"Attention : {message}", file=sys.stderr)
    if report.noop:
        print(f"Index à jour ({report.chunks} passages) : rien à faire.", file=out)
    else:
        dense = "recherche hybride prête" if report.dense_ready else "recherche lexicale seule"
        print(
            f"Index construit : {len(report.documents)} documents, {report.chunks} passages, "
            f"{report.embedded} vecteurs calculés ({dense}).",
            file=out,
        )
    return 0
