"""The command line: ``python -m assistant …`` (also installed as ``cpom``).

Each command lives in ``assistant/commands/<name>.py`` with ``HELP``, ``register(parser)``
and ``run(args, settings, out) -> int``; this module only dispatches and translates errors.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from assistant.config import get_settings
from assistant.errors import AssistantError

COMMANDS = (
    "ingest",
    "search",
    "indicators",
    "validate",
    "ask",
    "propose",
    "draft",
    "users",
    "dossiers",
    "synthese",
    "backup",
    "restore",
)


def _available() -> list[str]:
    import importlib.util

    return [c for c in COMMANDS if importlib.util.find_spec(f"assistant.commands.{c}")]


# argparse's own messages, in French (the rest of its text is ours).
_ARGPARSE_FR: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"^the following arguments are required: (.+)$", r"arguments obligatoires manquants : \1"),
        (r"^unrecognized arguments: (.+)$", r"arguments non reconnus : \1"),
        (
            r"^argument (\S+): invalid choice: (.+) \(choose from (.+)\)$",
            r"argument \1 : valeur \2 non reconnue (valeurs possibles : \3)",
        ),
        (r"^argument (\S+): expected one argument$", r"argument \1 : une valeur est attendue"),
        (r"^argument (\S+): invalid (\w+) value: (.+)$", r"argument \1 : valeur \3 invalide"),
    )
)


class _FrenchParser(argparse.ArgumentParser):
    """An argument parser whose errors are in French (usage line, then the reason)."""

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "utilisation :", 1)

    def error(self, message: str) -> NoReturn:
        for pattern, french in _ARGPARSE_FR:
            if pattern.match(message):
                message = pattern.sub(french, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _FrenchParser(
        prog="cpom",
        description="Assistant CPOM (ARS Occitanie 2025-2029) : questions, indicateurs, CPOM.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _available():
        module = importlib.import_module(f"assistant.commands.{name}")
        module.register(sub.add_parser(name, help=module.HELP))
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    module = importlib.import_module(f"assistant.commands.{args.command}")
    try:
        return int(module.run(args, get_settings(), out))
    except AssistantError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"Conseil : {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``cpom … | head``): not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
