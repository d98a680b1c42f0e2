"""Validator benchmark: one draft (target p50 ≤ 20 ms) and a 280-establishment XLSX batch (≤ 2 s).

Run: .venv/bin/python bench/bench_validate.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.drafts import Draft, write_json, write_xlsx  # noqa: E402
from assistant.rules import BatchReport, load_rules, validate_draft, validate_path  # noqa: E402

CODES = (
    "CPOM_CT_2",
    "CPOM_CT_4",
    "CPOM_CT_6",
    "CPOM_OS_3",
    "CPOM_OS_6",
    "CPOM_OS_9",
    "CPOM_OS_13",
    "CPOM_OS_18",
    "CPOM_OS_21",
    "CPOM_OS_22",
)
HPR = ("HPR_1_1", "HPR_2_1", "HPR_3_2", "HPR_4_5", "HPR_5_1", "HPR_6_1")
TEXT = " ".join(["justification"] * 40)


def _line(code: str, years: tuple[str, ...]) -> dict[str, Any]:
    return {
        "code": code,
        "valeur_initiale": 10,
        "cibles": {year: 10 + 2 * (i + 1) for i, year in enumerate(years)},
        "justification": TEXT,
    }


def make_draft(n: int) -> Draft:
    """The n-th establishment of a synthetic campaign (one in four is an HPR)."""
    proximity = n % 4 == 0
    years = ("2025", "2026", "2027", "2028", "2029")
    return Draft.model_validate(
        {
            "campagne": "occitanie-2025-2029",
            "date": "2025-07-01",
            "etablissement": {
                "raison_sociale": f"Établissement n° {n}",
                "finess_ej": f"{31 + n % 4:02d}{n:07d}",
                "statut": ("public", "prive_non_lucratif", "prive_lucratif")[n % 3],
                "categorie": ("CH", "clinique", "ESPIC", "CHU")[n % 4],
                "lits": 40 + n * 3,
                "membre_ght": n % 3 == 0,
                "hopital_proximite": proximity,
                "activites": ["medecine", "chirurgie", "imagerie"],
            },
            "indicateurs": [_line(code, years) for code in CODES],
            "indicateurs_hpr": [_line(code, years[:3]) for code in HPR] if proximity else [],
        }
    )


def _load_kb() -> Any:
    from assistant.kb import load_kb

    return load_kb(ROOT / "corpus")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    start = time.perf_counter()
    kb = _load_kb()
    rules = load_rules(ROOT / "corpus" / "rules" / "occitanie-2025-2029.yaml")
    print(f"load KB + rules: {(time.perf_counter() - start) * 1000:.0f} ms (once per process)")

    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "brouillon.json"
        write_json(make_draft(1), one)
        timings = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            validate_path(one, kb=kb, rules=rules)
            timings.append((time.perf_counter() - t0) * 1000)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(
            f"one draft (JSON file, 10 indicators): p50 {p50:.2f} ms, p95 {p95:.2f} ms "
            f"over {args.repeat} runs (target p50 ≤ 20 ms)"
        )
        tree = make_draft(1)
        engine = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            validate_draft(tree, kb=kb, rules=rules)
            engine.append((time.perf_counter() - t0) * 1000)
        print(f"engine only (Draft in memory): p50 {statistics.median(engine):.2f} ms")

        batch = Path(tmp) / "campagne.xlsx"
        drafts = [make_draft(n) for n in range(280)]
        write_xlsx(drafts, batch)
        rows = sum(len(d.indicateurs) + len(d.indicateurs_hpr) for d in drafts)
        runs, cpu = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            result = validate_path(batch, kb=kb, rules=rules)
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        assert isinstance(result, BatchReport)
        print(
            f"batch XLSX, {result.summary.establishments} establishments, {rows} rows: "
            f"wall median {statistics.median(runs):.2f} s (best {min(runs):.2f} s), "
            f"CPU median {statistics.median(cpu):.2f} s (target ≤ 2 s); "
            f"{result.summary.valid} valid, {result.summary.invalid} invalid"
        )
        print(f"load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
