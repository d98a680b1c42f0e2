"""Answer quality and speed, dev set and blind held-out set side by side. Prints figures.

Usage: .venv/bin/python bench/bench_answer.py [--examples N] [--show-misses dev|…|dev7]
       [--dev-only]

Tune on the dev set only: looking at held-out misses means writing a new held-out set after.

On the real index (``Index(Settings())``), offline mode:
- citation hit: answerable questions answered (supported) whose citations include the gold
  passage (the cited passage, or the quote, holds the gold excerpt; ``devset_tools.is_hit``);
- evidence: answerable questions answered whose text holds every ``answer_keywords`` entry,
  and those whose first sentence (the project's splitter) holds them all;
- unanswerable questions correctly refused, answerable questions wrongly refused;
- follow-ups asked after their first turn (history), citation hit;
- latency of an offline answer, warm: p50 and p95.
Then a few questions and answers exactly as ``python -m assistant ask`` prints them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import Answer, answer_question  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.kb import load_kb  # noqa: E402
from assistant.retrieval.hybrid import Index  # noqa: E402
from assistant.text.sentences import sentence_spans  # noqa: E402
from tests.devset_tools import (  # noqa: E402
    DEV3,
    DEV4,
    DEV5,
    DEV6,
    DEV7,
    DEVSET_EXTRA,
    HELDOUT,
    Item,
    holds_all,
    is_hit,
    load_devset,
    single_turn_question,
)

EXAMPLES = (
    "Combien d'indicateurs faut-il choisir dans l'annexe stratégique ?",
    "La RAAC, on doit viser quoi comme cible ?",
    "Qui peut choisir le CT 3 ?",
    "Pour renouveler notre contrat, on envoie la demande quand et l'agence a combien de temps "
    "pour répondre ?",
    "Quel montant de MIGAC est prévu pour le CHU de Toulouse en 2026 ?",
)


def cites_gold(item: Item, answer: Answer, index: Index) -> bool:
    """Whether a supported answer cites the gold passage of ``item``."""
    if not answer.supported:
        return False
    for citation in answer.citations:
        chunk = index.chunks.get(citation.chunk_id or "")
        if chunk is not None and is_hit(item, citation.doc_id, chunk.text):
            return True
        if is_hit(item, citation.doc_id, citation.quote):
            return True
    return False


def first_sentence(text: str) -> str:
    """The answer's first sentence, cut by the project's one splitter."""
    spans = sentence_spans(text)
    return spans[0].text if spans else ""


def cut_short(quote: str, passage: str | None = None) -> bool:
    """Whether a quote stops mid-sentence or on the colon of a list it leaves out.

    Read against the passage it quotes: the quote is cut when the passage goes on with a
    lower-case word (the sentence continues) or when the quote ends on a colon and the passage
    goes on (the list it announces is left out). A quote ending at a line's end followed by a
    capital, a bullet or nothing is whole (a table row, a field, a heading are whole lines).
    Without the passage, a colon or a missing stop counts as cut.
    """
    end = " ".join(quote.split()).rstrip(" …")
    end = end.rsplit(" … ", 1)[-1]  # a list trimmed inside: its last item ends the quote
    if passage is not None:
        flat = " ".join(passage.split())
        at = flat.find(end)
        if at >= 0:
            after = flat[at + len(end) :].lstrip()
            if end.endswith(":"):
                return bool(after)
            return bool(after) and (after[0].islower() or after[0] in ",;")
    if end.endswith(":"):
        return True
    last = end.split()[-1] if end.split() else ""
    # a sentence's stop, a closing mark, or a table cell (a figure, a short label)
    return not (end.endswith((".", "!", "?", "»", ")", '"', "*")) or any(c.isdigit() for c in last))


holds = holds_all


def evaluate(items: list[Item], index: Index, kb: object, settings: Settings) -> dict[str, float]:
    """The answer figures of one question set (offline), with the misses."""
    by_id = {item.id: item for item in items}
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]
    hits = evidence = first = wrongly_refused = refused = 0
    quotes = cut_quotes = 0
    latencies: list[float] = []
    misses: list[str] = []
    for item in items:
        question = single_turn_question(item)
        start = time.perf_counter()
        answer = answer_question(question, index=index, kb=kb, settings=settings)
        latencies.append(time.perf_counter() - start)
        if not item.answerable:
            refused += not answer.supported
            if answer.supported:
                misses.append(f"{item.id} (non refusée) : {question}")
            continue
        hit = cites_gold(item, answer, index)
        hits += hit
        for citation in answer.citations:
            quotes += 1
            chunk = index.chunks.get(citation.chunk_id or "")
            cut_quotes += cut_short(citation.quote, chunk.text if chunk else None)
        evidence += answer.supported and holds(item.keywords, answer.answer)
        first += answer.supported and holds(item.keywords, first_sentence(answer.answer))
        wrongly_refused += not answer.supported
        if not answer.supported:
            misses.append(f"{item.id} (refusée à tort) : {question}")
        elif not hit:
            misses.append(f"{item.id} (source attendue absente) : {question}")
    follow_ups = [i for i in items if i.followup_of and i.answerable and i.followup_of in by_id]
    follow_hits = 0
    for item in follow_ups:
        first_turn = by_id[item.followup_of or ""]
        previous = answer_question(first_turn.question, index=index, kb=kb, settings=settings)
        answer = answer_question(
            item.question,
            index=index,
            kb=kb,
            settings=settings,
            history=[(first_turn.question, previous.answer)],
        )
        follow_hits += cites_gold(item, answer, index)
    n = max(1, len(answerable))
    ordered = sorted(latencies)
    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "cites": hits / n,
        "evidence": evidence / n,
        "first": first / n,
        "refused_unanswerable": refused / max(1, len(unanswerable)),
        "wrongly_refused": wrongly_refused / n,
        "follow_ups": len(follow_ups),
        "follow_hits": follow_hits / max(1, len(follow_ups)),
        "cut_quotes": cut_quotes / max(1, quotes),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000,
        "misses": misses,  # type: ignore[dict-item]
    }


ROWS = (
    ("citations include the gold passage", "cites", "-"),
    ("answer text holds the evidence (answerable)", "evidence", ">= 0.90"),
    ("... in the answer's first sentence", "first", ">= 0.70"),
    ("answerable wrongly refused", "wrongly_refused", "<= 0.03"),
    ("unanswerable refused", "refused_unanswerable", ">= 0.85"),
    ("follow-ups with history: gold cited", "follow_hits", "-"),
    ("quotes cut mid-sentence or on a colon", "cut_quotes", "0"),
    ("offline answer p50, warm (ms)", "p50_ms", "<= 300"),
    ("offline answer p95, warm (ms)", "p95_ms", "-"),
)


def main() -> None:
    """Run the benchmark on the dev set and on the held-out set, side by side."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument(
        "--show-misses",
        choices=["dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7"],
        default=None,
        help="a tuning set only: the held-out set's misses are never printed",
    )
    parser.add_argument("--dev-only", action="store_true", help="skip the held-out set")
    args = parser.parse_args()

    settings = Settings()
    t0 = time.perf_counter()
    index = Index(settings)
    kb = load_kb(settings.corpus_dir)
    answer_question("Combien d'indicateurs ?", index=index, kb=kb, settings=settings)
    print(f"load + first answer (cold): {time.perf_counter() - t0:.1f} s")
    print(f"dense retrieval ready: {index.dense_ready}")

    sets = {
        "dev": load_devset(),
        "dev2": load_devset(DEVSET_EXTRA),
        "dev3": [item for path in DEV3 for item in load_devset(path)],
        "dev4": [item for path in DEV4 for item in load_devset(path)],
        "dev5": [item for path in DEV5 for item in load_devset(path)],
        "dev6": [item for path in DEV6 for item in load_devset(path)],
        "dev7": [item for path in DEV7 for item in load_devset(path)],
    }
    if not args.dev_only:
        sets["heldout"] = [item for path in HELDOUT for item in load_devset(path)]
    figures = {name: evaluate(items, index, kb, settings) for name, items in sets.items()}
    print()
    header = "".join(f"{name:>10}" for name in figures)
    print(f"{'offline answers':<48}{header}  target")
    counts = "".join(
        f"{str(f['answerable']) + '+' + str(f['unanswerable']):>10}" for f in figures.values()
    )
    print(f"{'questions (answerable + unanswerable)':<48}{counts}")
    for label, key, target in ROWS:
        cells = "".join(
            f"{f[key]:>10.0f}" if key.endswith("_ms") else f"{f[key]:>10.3f}"
            for f in figures.values()
        )
        print(f"{label:<48}{cells}  {target}")
    if args.show_misses:
        print(f"\nMisses ({args.show_misses}):")
        for line in figures[args.show_misses]["misses"]:  # type: ignore[union-attr]
            print(f"  {line}")
    for question in EXAMPLES[: args.examples]:
        answer = answer_question(question, index=index, kb=kb, settings=settings)
        print(f"\n$ python -m assistant ask {question!r}\n{answer.as_text()}")


if __name__ == "__main__":
    main()
