"""``ask``: a short answer from the guides with its numbered sources (or a batch of questions)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import assistant
from assistant.answer.establishment import read_establishment
from assistant.commands.search import read_questions, tell_dense_problem
from assistant.config import Settings
from assistant.errors import AssistantError, LLMUnavailableError

HELP = "poser une question sur les guides (réponse avec ses sources)"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("question", nargs="?", help="la question, en français")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument(
        "--batch", type=Path, help="un fichier : une question par ligne (une ligne JSON chacune)"
    )
    parser.add_argument(
        "--profil",
        "--profile",
        dest="profile",
        type=Path,
        help="profil de l'établissement (JSON, format de « propose »), ou son brouillon complet "
        "avec sa sélection : la réponse dit ce que la question signifie pour lui",
    )


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Answer the question (or each line of ``--batch``), loading everything once."""
    questions = read_questions(args.question, args.batch, command="ask")
    profile = getattr(args, "profile", None)
    establishment = read_establishment(profile) if profile else None
    index = assistant.Index(settings)
    index.verify_dense()
    if not index.dense_ready:
        print(
            "Note : la recherche sémantique est en cours de construction ; "
            "passages trouvés par la recherche lexicale seulement.",
            file=sys.stderr,
        )
    told: list[str] = []
    tell_dense_problem(index, told)
    kb = _knowledge_base(settings)
    chat_model, unavailable = _chat_model(settings)
    for question in questions:
        try:
            answer = assistant.answer_question(
                question,
                index=index,
                kb=kb,
                settings=settings,
                chat_model=chat_model,
                establishment=establishment,
            )
            tell_dense_problem(index, told)
            if unavailable and answer.supported:
                notice = " ".join(n for n in (answer.notice, unavailable) if n)
                answer = answer.model_copy(update={"notice": notice})
        except AssistantError as exc:
            if not args.batch:
                raise
            print(
                json.dumps({"question": question, "erreur": exc.message}, ensure_ascii=False),
                file=out,
            )
            continue
        if args.batch:
            print(
                json.dumps({"question": question, **answer.as_json()}, ensure_ascii=False), file=out
            )
        elif args.json:
            print(json.dumps(answer.as_json(), ensure_ascii=False, indent=2), file=out)
        else:
            print(answer.as_text(), file=out)
    return 0


def _knowledge_base(settings: Settings) -> Any:
    try:
        return assistant.load_kb(settings.corpus_dir)
    except AssistantError as exc:
        print(f"Note : base des indicateurs indisponible ({exc.message}).", file=sys.stderr)
        return None


def _chat_model(settings: Settings) -> tuple[Any, str | None]:
    """The chat model, or (None, the French notice saying why answers are offline)."""
    try:
        return assistant.build_chat_model(settings), None
    except LLMUnavailableError as exc:
        print(f"Note : {exc.message} Réponses hors ligne, extraites des guides.", file=sys.stderr)
        if exc.hint:
            print(f"Conseil : {exc.hint}", file=sys.stderr)
        return None, assistant.NOTICE_FAILED.format(reason=exc.message)
