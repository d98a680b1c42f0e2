"""``search``: passages of the guides for a question (or a batch of questions)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import assistant
from assistant.config import Settings
from assistant.errors import InvalidInputError

HELP = "chercher des passages dans les guides"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("question", nargs="?", help="la question")
    parser.add_argument("-k", type=int, default=None, help="nombre de passages (défaut : 5)")
    parser.add_argument("--batch", type=Path, help="un fichier : une question par ligne")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument("--status", choices=["current", "historical"], help="filtrer par statut")
    parser.add_argument("--doc", dest="doc_id", help="filtrer par document (id du catalogue)")
    parser.add_argument("--fiche", help="filtrer par fiche (ex. CPOM_OS_13)")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the passages that best answer the question(s)."""
    questions = read_questions(args.question, args.batch)
    k = args.k if args.k is not None else settings.retrieval_k
    if not 1 <= k <= 100:
        raise InvalidInputError("Le nombre de passages (-k) doit être compris entre 1 et 100.")
    index = assistant.Index(settings)
    index.verify_dense()
    if not index.dense_ready:
        print(
            "Note : la recherche sémantique est en cours de construction ; "
            "résultats lexicaux (BM25) seulement.",
            file=sys.stderr,
        )
    told: list[str] = []
    tell_dense_problem(index, told)
    filters = assistant.Filters(status=args.status, doc_id=args.doc_id, fiche=_fiche(args.fiche))
    for question in questions:
        passages = assistant.search(
            index,
            question,
            k=k,
            filters=filters,
            candidates=settings.retrieval_candidates,
            rrf_k=settings.rrf_k,
        )
        tell_dense_problem(index, told)
        if args.json or args.batch:
            print(
                json.dumps([p.as_search_result() for p in passages], ensure_ascii=False), file=out
            )
            continue
        if not passages:
            print("Aucun passage trouvé.", file=out)
        for p in passages:
            c = p.chunk
            page = f", p. {c.page}" if c.page else ""
            print(f"[{p.rank}] {c.title} ({c.period}{page}) — {c.section}", file=out)
            body = c.text.split("\n", 1)[-1]
            print(
                "    " + (body[:400] + ("…" if len(body) > 400 else "")).replace("\n", " "),
                file=out,
            )
    return 0


def tell_dense_problem(index: Any, told: list[str]) -> None:
    """Say on stderr, once per distinct problem, why the results are lexical only.

    Args:
        index: The opened index (its ``dense_problem``: e.g. the Chroma server is away).
        told: The messages already printed (updated).
    """
    problem = index.dense_problem
    if problem is None or problem.message in told:
        return
    told.append(problem.message)
    hint = f" {problem.hint}" if problem.hint else ""
    print(
        f"Note : {problem.message} Résultats de la recherche lexicale seulement.{hint}",
        file=sys.stderr,
    )


def _fiche(code: str | None) -> str | None:
    """The canonical fiche code of ``--fiche`` (any usual form; an unknown shape as typed)."""
    if not code:
        return None
    try:
        return assistant.normalize_code(code)
    except assistant.UnknownIndicatorError:
        return code.strip().upper()  # no passage will match: the search says so


def read_questions(
    question: str | None, batch: Path | None, *, command: str = "search"
) -> list[str]:
    """The question, or the non-empty lines of the batch file."""
    if batch is not None:
        try:
            text = batch.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"Impossible de lire le fichier {str(batch)!r}.") from exc
        return [line.strip() for line in text.splitlines() if line.strip()]
    if not question or not question.strip():
        raise InvalidInputError(
            "La question est vide.",
            hint=f'Exemple : cpom {command} "Combien d\'indicateurs faut-il choisir au maximum ?"',
        )
    return [question]
