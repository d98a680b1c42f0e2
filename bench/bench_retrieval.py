"""Retrieval quality and speed on the dev set (issue 2). Prints figures; never asserts.

Usage: .venv/bin/python bench/bench_retrieval.py [--no-baseline]

Compares BM25 alone, dense alone and hybrid (the product) with the plain LangChain recipe
(RecursiveCharacterTextSplitter 1000/200 over the raw files, same embedder, top-k cosine).
Also reports: full ingest time, no-op rerun time, search latency p50/p95 (warm, query
embedding included) and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.embeddings import EmbeddingCache, embed_documents_cached  # noqa: E402
from assistant.index.build import ingest  # noqa: E402
from assistant.retrieval.hybrid import Index, search  # noqa: E402
from tests.devset_tools import (  # noqa: E402
    load_devset,
    rank_of_first_hit,
    retrieval_metrics,
    single_turn_question,
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _table(rows: dict[str, dict[str, float]]) -> str:
    head = f"{'method':<28} {'recall@1':>9} {'recall@5':>9} {'recall@10':>10} {'MRR@10':>8}"
    lines = [head, "-" * len(head)]
    for name, m in rows.items():
        lines.append(
            f"{name:<28} {m['recall@1']:>9.3f} {m['recall@5']:>9.3f} "
            f"{m['recall@10']:>10.3f} {m['mrr@10']:>8.3f}"
        )
    return "\n".join(lines)


def _baseline(settings: Settings, embedder, questions, items) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.corpus.catalog import load_catalog

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    splits: list[tuple[str, str]] = []
    for doc in load_catalog(settings.corpus_dir):
        raw = (settings.corpus_dir / doc.file).read_text(encoding="utf-8")
        splits.extend((doc.id, text) for text in splitter.split_text(raw))
    cache = EmbeddingCache(settings.index_dir / "bench-baseline-cache", embedder.embedder_id)
    t0 = time.perf_counter()
    vectors = np.asarray(embed_documents_cached(embedder, [t for _, t in splits], cache))
    cache.save()
    print(f"baseline: {len(splits)} splits embedded in {time.perf_counter() - t0:.1f} s")
    ranks = []
    for item, question in zip(items, questions, strict=True):
        q = np.asarray(embedder.embed_query(question))
        order = np.argsort(-(vectors @ q))[:10]
        ranks.append(rank_of_first_hit(item, [splits[i] for i in order]))
    return retrieval_metrics(ranks)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cpom-bench-"))
    settings = Settings(_env_file=None, index_dir=tmp / "index")  # type: ignore[call-arg]

    t0 = time.perf_counter()
    report = ingest(settings)
    print(
        f"ingest: {report.chunks} chunks, {report.embedded} embedded (cache misses), "
        f"{time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    again = ingest(settings)
    print(f"no-op rerun: noop={again.noop}, {time.perf_counter() - t0:.2f} s")

    index = Index(settings)
    items = [i for i in load_devset() if i.answerable]
    questions = [single_turn_question(i) for i in items]
    index.embedder().embed_query("préchauffage")

    results: dict[str, list[int | None]] = {"bm25": [], "dense": [], "hybrid": []}
    latencies: list[float] = []
    for item, question in zip(items, questions, strict=True):
        lexical = [index.chunks[c] for c, _ in index.bm25.search(question, k=10)]
        results["bm25"].append(rank_of_first_hit(item, [(c.doc_id, c.text) for c in lexical]))
        dense = [index.chunks[c] for c, _ in index.dense_search(question, k=10)]
        results["dense"].append(rank_of_first_hit(item, [(c.doc_id, c.text) for c in dense]))
        index._vectors.clear()  # time the query embedding too
        t1 = time.perf_counter()
        passages = search(index, question, k=10)
        latencies.append((time.perf_counter() - t1) * 1000)
        results["hybrid"].append(
            rank_of_first_hit(item, [(p.chunk.doc_id, p.chunk.text) for p in passages])
        )
    rows = {
        "BM25 alone": retrieval_metrics(results["bm25"]),
        "dense alone": retrieval_metrics(results["dense"]),
        "hybrid (product)": retrieval_metrics(results["hybrid"]),
    }
    if not args.no_baseline:
        rows["LangChain recipe 1000/200"] = _baseline(settings, index.embedder(), questions, items)
    print(f"\nDev set: {len(items)} answerable questions\n")
    print(_table(rows))
    misses = [i.id for i, r in zip(items, results["hybrid"], strict=True) if r is None or r > 5]
    print(f"\nhybrid misses at 5: {len(misses)} {misses}")
    latencies.sort()
    print(
        f"\nsearch latency (warm, k=10, query embedding included): "
        f"p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms"
    )
    print(f"peak memory (RSS): {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
