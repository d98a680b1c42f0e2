"""Run every benchmark in turn and print their figures (``make bench``).

The retrieval benchmark's LangChain baseline embeds ~760 splits (minutes on 2 cores); pass
``--quick`` to skip it and to run the load test with 5 users for 20 s (instead of 20 users for
2 minutes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ["bench_embedder.py"],
    ["bench_retrieval.py"],
    ["bench_answer.py"],
    ["bench_profile_answers.py"],
    ["bench_guard.py"],
    ["bench_validate.py"],
    ["bench_propose.py"],
    ["bench_load.py"],
    ["bench_api.py"],
]
QUICK_ARGS = {
    "bench_retrieval.py": ["--no-baseline"],
    "bench_load.py": ["--users", "5", "--duration", "20"],
}


def main() -> int:
    """Run the benchmarks; returns the number that failed."""
    quick = "--quick" in sys.argv[1:]
    failed = 0
    for bench in BENCHES:
        args = [*bench, *QUICK_ARGS.get(bench[0], [])] if quick else bench
        print(f"\n=== {' '.join(args)} ===", flush=True)
        result = subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], check=False)
        failed += result.returncode != 0
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
