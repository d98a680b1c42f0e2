"""The command line: ``python -m assistant …`` (also installed as ``cpom``)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from assistant.config import Settings, get_settings
from assistant.errors import AssistantError, InvalidInputError

Handler = Callable[[argparse.Namespace, Settings, TextIO], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpom",
        description="Assistant CPOM (ARS Occitanie 2025-2029) : questions, indicateurs, brouillons.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="construire ou mettre à jour l'index")
    p.add_argument("--rebuild", action="store_true", help="reconstruire entièrement")
    p.add_argument("--lexical-only", action="store_true", help="ne pas calculer les vecteurs")

    p = sub.add_parser("search", help="chercher des passages dans les guides")
    p.add_argument("question", nargs="?", help="la question")
    p.add_argument("-k", type=int, default=None, help="nombre de passages (défaut : 5)")
    p.add_argument("--batch", type=Path, help="un fichier : une question par ligne")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--status", choices=["current", "historical"], help="filtrer par statut")
    p.add_argument("--doc", dest="doc_id", help="filtrer par document (id du catalogue)")
    p.add_argument("--fiche", help="filtrer par fiche (ex. CPOM_OS_13)")
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handlers: dict[str, Handler] = {"ingest": _cmd_ingest, "search": _cmd_search}
    try:
        return handlers[args.command](args, get_settings(), out)
    except AssistantError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"Conseil : {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


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


def _cmd_ingest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.index import ingest

    report = ingest(
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


def _cmd_search(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.retrieval import Filters, Index, search

    questions = _questions(args.question, args.batch)
    k = args.k if args.k is not None else settings.retrieval_k
    if not 1 <= k <= 100:
        raise InvalidInputError("Le nombre de passages (-k) doit être compris entre 1 et 100.")
    index = Index(settings)
    if not index.dense_ready:
        print(
            "Note : la recherche sémantique est en cours de construction ; "
            "résultats lexicaux (BM25) seulement.",
            file=sys.stderr,
        )
    filters = Filters(status=args.status, doc_id=args.doc_id, fiche=_fiche(args.fiche))
    for question in questions:
        passages = search(
            index,
            question,
            k=k,
            filters=filters,
            candidates=settings.retrieval_candidates,
            rrf_k=settings.rrf_k,
        )
        if args.json or args.batch:
            print(json.dumps([p.as_search_result() for p in passages], ensure_ascii=False), file=out)
            continue
        if not passages:
            print("Aucun passage trouvé.", file=out)
        for p in passages:
            c = p.chunk
            page = f", p. {c.page}" if c.page else ""
            print(f"[{p.rank}] {c.title} ({c.period}{page}) — {c.section}", file=out)
            body = c.text.split("\n", 1)[-1]
            print("    " + (body[:400] + ("…" if len(body) > 400 else "")).replace("\n", " "), file=out)
    return 0


def _fiche(code: str | None) -> str | None:
    if not code:
        return None
    from assistant.lexical import fold

    folded = fold(code).replace(" ", "_").upper()
    return folded if folded.startswith("CPOM_") else f"CPOM_{folded}"


def _questions(question: str | None, batch: Path | None) -> list[str]:
    if batch is not None:
        try:
            text = batch.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"Impossible de lire le fichier {str(batch)!r}.") from exc
        return [line.strip() for line in text.splitlines() if line.strip()]
    if not question or not question.strip():
        raise InvalidInputError("La question est vide.", hint='Exemple : cpom search "Combien d\'indicateurs ?"')
    return [question]
