"""Answer quality and speed on the dev set (issue 4). Prints figures; never asserts.

Usage: .venv/bin/python bench/bench_answer.py [--examples N] [--show-misses]

On the real index (``Index(Settings())``), offline mode:
- citation hit: answerable questions answered (supported) whose citations include the gold
  passage (the cited passage, or the quote, holds the gold excerpt; ``devset_tools.is_hit``);
- keywords: answerable questions whose answer holds every ``answer_keywords`` entry;
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
from bench.devset_tools import Item, is_hit, load_devset, normalise, single_turn_question  # noqa: E402

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


def has_keywords(item: Item, answer: Answer) -> bool:
    """Whether the answer holds every expected keyword (case and spaces ignored)."""
    flat = normalise(answer.answer).lower().replace(" ", "")
    return all(normalise(k).lower().replace(" ", "") in flat for k in item.keywords)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    settings = Settings()
    t0 = time.perf_counter()
    index = Index(settings)
    kb = load_kb(settings.corpus_dir)
    answer_question("Combien d'indicateurs ?", index=index, kb=kb, settings=settings)
    print(f"load + first answer (cold): {time.perf_counter() - t0:.1f} s")
    print(f"dense retrieval ready: {index.dense_ready}")

    items = load_devset()
    by_id = {item.id: item for item in items}
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]
    hits = keywords = wrongly_refused = refused = 0
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
        keywords += has_keywords(item, answer)
        wrongly_refused += not answer.supported
        if not hit:
            misses.append(f"{item.id} (source attendue absente) : {question}")

    follow_ups = [i for i in items if i.followup_of and i.answerable]
    follow_hits = 0
    for item in follow_ups:
        first = by_id[item.followup_of or ""]
        previous = answer_question(first.question, index=index, kb=kb, settings=settings)
        answer = answer_question(
            item.question,
            index=index,
            kb=kb,
            settings=settings,
            history=[(first.question, previous.answer)],
        )
        follow_hits += cites_gold(item, answer, index)

    n = len(answerable)
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    rows = [
        ("citations include the gold passage (answerable)", hits / n, ">= 0.90"),
        ("answer holds the expected keywords (answerable)", keywords / n, "-"),
        ("unanswerable correctly refused", refused / len(unanswerable), ">= 0.80"),
        ("answerable wrongly refused", wrongly_refused / n, "<= 0.05"),
        (
            f"follow-ups with history: gold cited ({len(follow_ups)})",
            follow_hits / max(1, len(follow_ups)),
            "-",
        ),
    ]
    print(f"\n{len(answerable)} answerable, {len(unanswerable)} unanswerable questions (offline)")
    print(f"{'metric':<56} {'value':>7}  target")
    for name, value, target in rows:
        print(f"{name:<56} {value:>7.3f}  {target}")
    print(
        f"{'latency of an offline answer, warm (p50 / p95)':<56} "
        f"{statistics.median(latencies) * 1000:>5.0f} ms / {p95 * 1000:.0f} ms  (p50 <= 300 ms)"
    )
    if args.show_misses:
        print("\nMisses:")
        for line in misses:
            print(f"  {line}")
    for question in EXAMPLES[: args.examples]:
        answer = answer_question(question, index=index, kb=kb, settings=settings)
        print(f"\n$ python -m assistant ask {question!r}\n{answer.as_text()}")


if __name__ == "__main__":
    main()
