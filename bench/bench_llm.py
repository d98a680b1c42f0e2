"""Extractive answers against the local models on the dev set (issue 9). Prints a table.

Usage:
    .venv/bin/python bench/bench_llm.py [--modes extractive,0.5b,1.5b] [--limit N] [--json]

For each mode, on the same questions of ``bench/devset.yaml`` (single-turn; ``--limit`` takes an
even spread of answerable and unanswerable ones), through ``stream_answer`` exactly as the app
and ``ask`` run it (``CPOM_LLM_PROVIDER=local``: the llama.cpp server started as a child):

- evidence: answerable questions whose answer cites the gold passage or holds the expected
  keywords;
- unsupported number before the guard: generated texts stating a number, date, percentage or
  indicator code that the passages they cite lack (or citing no given passage at all), among
  the generated texts; after the guard: final answers with such a claim (``mode`` llm or not);
- ``mode: llm``: answers that reached the user as generated text (the others fell back to the
  extractive answer, with a notice);
- refusals of unanswerable questions, answerable questions wrongly refused;
- latency per question p50 / p95 (retrieval, prompt and generation), decoding speed in
  tokens/s (streamed pieces over the time from the first to the last), and peak memory (the
  server process's VmHWM, plus this process's).

Needs the ``llm`` extra and the models (``make llm``; ``LLM_SIZE=0.5b make llm``). The machine's
load average is printed: on shared cores, latencies grow with it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import Answer, stream_answer  # noqa: E402
from assistant.answer.chain import prepare_question  # noqa: E402
from assistant.answer.generate import prompt_passages  # noqa: E402
from assistant.answer.guard import _inherited, claims, passage_claims, split_generated  # noqa: E402
from assistant.answer.offline import offline_answer  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.kb import load_kb  # noqa: E402
from assistant.retrieval.hybrid import Index  # noqa: E402
from bench.bench_answer import cites_gold, has_keywords  # noqa: E402
from tests.devset_tools import Item, load_devset, single_turn_question  # noqa: E402

_MARKER = re.compile(r"\[(\d{1,3})\]")
MODES = ("extractive", "0.5b", "1.5b")


@dataclass
class Run:
    """What one question gave in one mode."""

    item: str
    answerable: bool
    seconds: float
    answer: Answer
    generated: str = ""
    pieces: int = 0
    decode_seconds: float = 0.0
    raw_unsupported: bool | None = None
    final_unsupported: bool = False


@dataclass
class ModeResult:
    """The runs of one mode and the memory it took."""

    mode: str
    runs: list[Run] = field(default_factory=list)
    server_peak_mb: float | None = None
    load_seconds: float = 0.0


def pick(items: list[Item], limit: int | None) -> list[Item]:
    """Single-turn questions; with ``limit``, an even spread keeping the answerable share."""
    single = [i for i in items if not i.followup_of]
    if not limit or limit >= len(single):
        return single
    answerable = [i for i in single if i.answerable]
    refused = [i for i in single if not i.answerable]
    n_refused = max(1, round(limit * len(refused) / len(single)))
    return _spread(answerable, limit - n_refused) + _spread(refused, n_refused)


def _spread(items: list[Item], n: int) -> list[Item]:
    if n >= len(items):
        return items
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def unsupported(text: str, held: dict[int, set[str]]) -> bool:
    """Whether a sentence of ``text`` states a number, date or code its cited passages lack.

    ``held`` maps each passage number to the claims it holds. A sentence without a marker takes
    those of the next cited sentence (else the previous one), as the guard and the answers
    read them (« phrase. phrase [1]. »); a claim with no valid citation counts as unsupported.
    """
    sentences = split_generated(text)
    markers = [[int(n) for n in _MARKER.findall(s)] for s in sentences]
    for i, sentence in enumerate(sentences):
        said = claims(_MARKER.sub(" ", sentence))
        if not said:
            continue
        cited = markers[i] or _inherited(markers, i)
        if not cited or any(n not in held for n in cited):
            return True
        if said - set().union(*(held[n] for n in cited)):
            return True
    return False


def citation_claims(citations: list[Any], index: Index) -> dict[int, set[str]]:
    """The claims each citation's whole passage holds (with its title, period and section)."""
    held = {}
    for citation in citations:
        chunk = index.chunks.get(citation.chunk_id or "")
        source = chunk.text if chunk is not None else citation.quote
        header = f"{citation.title} {citation.period} {citation.section} p. {citation.page}"
        held[citation.n] = claims(f"{header}\n{source}")
    return held


def run_mode(mode: str, questions: list[Item], index: Index, kb: Any) -> ModeResult:
    """Answer every question in one mode."""
    base = Settings()
    if mode == "extractive":
        settings = base.model_copy(update={"llm_provider": "none"})
        chat_model = None
    else:
        settings = base.model_copy(update={"llm_provider": "local", "llm_local_size": mode})
    result = ModeResult(mode)
    t0 = time.perf_counter()
    if mode != "extractive":
        from assistant.llm.models import build_chat_model

        chat_model = build_chat_model(settings)
    result.load_seconds = time.perf_counter() - t0
    for item in questions:
        question = single_turn_question(item)
        pieces: list[str] = []
        first = last = 0.0
        start = time.perf_counter()
        answer: Answer | None = None
        for event in stream_answer(
            question, index=index, kb=kb, settings=settings, chat_model=chat_model
        ):
            if isinstance(event, Answer):
                answer = event
                continue
            now = time.perf_counter()
            first = first or now
            last = now
            pieces.append(event)
        assert answer is not None
        run = Run(item.id, item.answerable, time.perf_counter() - start, answer)
        run.generated = "".join(pieces)
        run.pieces = len(pieces)
        run.decode_seconds = last - first if len(pieces) > 1 else 0.0
        if run.generated.strip():
            draft = offline_answer(
                prepare_question(question).question, index=index, kb=kb, settings=settings
            )
            passages = prompt_passages(draft)
            run.raw_unsupported = unsupported(
                run.generated, {p.n: passage_claims(p) for p in passages}
            )
        run.final_unsupported = unsupported(answer.answer, citation_claims(answer.citations, index))
        result.runs.append(run)
        print(
            f"  {mode:>10} {item.id:<22} {run.seconds:6.1f} s  mode={answer.mode:<10} "
            f"supported={answer.supported!s:<5} removed={len(answer.removed_claims)}",
            flush=True,
        )
    result.server_peak_mb = _server_peak_mb()
    return result


def _server_peak_mb() -> float | None:
    from assistant.llm import models as llm

    peaks = []
    for server in getattr(llm, "_LOCAL_SERVERS", {}).values():
        pid = getattr(getattr(server, "process", None), "pid", None)
        if pid:
            peaks.append(_vm(pid, "VmHWM"))
    return max((p for p in peaks if p), default=None)


def _vm(pid: int | str, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _stop_servers() -> None:
    from assistant.llm import models as llm

    for server in list(getattr(llm, "_LOCAL_SERVERS", {}).values()):
        server.stop()
    getattr(llm, "_LOCAL_SERVERS", {}).clear()


def summarise(result: ModeResult, index: Index, items: dict[str, Item]) -> dict[str, Any]:
    """The figures of one mode."""
    runs = result.runs
    answerable = [r for r in runs if r.answerable]
    refusable = [r for r in runs if not r.answerable]
    generated = [r for r in runs if r.generated.strip()]
    evidence = sum(
        1
        for r in answerable
        if cites_gold(items[r.item], r.answer, index) or has_keywords(items[r.item], r.answer)
    )
    times = sorted(r.seconds for r in runs)
    decode = [r.pieces / r.decode_seconds for r in generated if r.decode_seconds > 0]
    return {
        "mode": result.mode,
        "questions": len(runs),
        "evidence": _share(evidence, len(answerable)),
        "generated": len(generated),
        "llm_mode": _share(sum(r.answer.mode == "llm" for r in runs), len(answerable)),
        "unsupported_before": _share(
            sum(bool(r.raw_unsupported) for r in generated), len(generated)
        ),
        "unsupported_after": _share(sum(r.final_unsupported for r in runs), len(runs)),
        "refused": _share(sum(not r.answer.supported for r in refusable), len(refusable)),
        "wrongly_refused": _share(sum(not r.answer.supported for r in answerable), len(answerable)),
        "p50_s": statistics.median(times) if times else None,
        "p95_s": times[min(len(times) - 1, int(0.95 * len(times)))] if times else None,
        "tokens_per_s": statistics.median(decode) if decode else None,
        "server_peak_mb": result.server_peak_mb,
        "load_s": result.load_seconds,
    }


def save_runs(path: Path, result: ModeResult) -> None:
    """Append the answers of one mode to ``path`` (JSON lines), to read or score them again."""
    with path.open("a", encoding="utf-8") as out:
        for run in result.runs:
            record = {
                "mode": result.mode,
                "item": run.item,
                "seconds": round(run.seconds, 2),
                "generated": run.generated,
                "raw_unsupported": run.raw_unsupported,
                "final_unsupported": run.final_unsupported,
                "answer": run.answer.as_json(),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _share(n: int, total: int) -> float | None:
    return n / total if total else None


def print_table(rows: list[dict[str, Any]], process_peak_mb: float | None) -> None:
    """The results as a Markdown table."""

    def fmt(value: Any, kind: str) -> str:
        if value is None:
            return "–"
        if kind == "share":
            return f"{value:.2f}"
        if kind == "s":
            return f"{value:.1f} s"
        if kind == "mb":
            return f"{value:,.0f} MB"
        return f"{value:.1f}"

    lines = [
        ("answers citing or holding the evidence", "evidence", "share"),
        ("answers given as generated text (mode llm)", "llm_mode", "share"),
        (
            "generated texts with an unsupported number (before the guard)",
            "unsupported_before",
            "share",
        ),
        ("answers with an unsupported number (after the guard)", "unsupported_after", "share"),
        ("unanswerable questions refused", "refused", "share"),
        ("answerable questions wrongly refused", "wrongly_refused", "share"),
        ("latency p50", "p50_s", "s"),
        ("latency p95", "p95_s", "s"),
        ("decoding speed (tokens/s)", "tokens_per_s", "n"),
        ("server start (model load)", "load_s", "s"),
        ("peak memory of the llama.cpp server", "server_peak_mb", "mb"),
    ]
    print()
    print("| metric | " + " | ".join(r["mode"] for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for label, key, kind in lines:
        print(f"| {label} | " + " | ".join(fmt(r[key], kind) for r in rows) + " |")
    print(
        f"\nquestions: {rows[0]['questions']} per mode; peak memory of this process "
        f"(index, embedder, client): {fmt(process_peak_mb, 'mb')}; "
        f"load average: {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--limit", type=int, default=40, help="questions (0: the whole set)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--save", type=Path, help="write every answer of every mode (JSON lines)")
    args = parser.parse_args()

    settings = Settings()
    index = Index(settings)
    kb = load_kb(settings.corpus_dir)
    items = load_devset()
    questions = pick(items, args.limit or None)
    by_id = {i.id: i for i in items}
    print(
        f"{len(questions)} questions ({sum(i.answerable for i in questions)} answerable); "
        f"dense retrieval ready: {index.dense_ready}; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    rows = []
    for mode in args.modes.split(","):
        try:
            result = run_mode(mode, questions, index, kb)
            rows.append(summarise(result, index, by_id))
            if args.save:
                save_runs(args.save, result)
        finally:
            _stop_servers()
    print_table(rows, _vm("self", "VmHWM"))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
