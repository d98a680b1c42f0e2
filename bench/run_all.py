"""Run every benchmark in turn and print their figures (``make bench``).

The retrieval benchmark's LangChain baseline embeds ~760 splits (minutes on 2 cores); pass
``--quick`` to skip it.
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
    ["bench_validate.py"],
    ["bench_propose.py"],
]


def main() -> int:
    """Run the benchmarks; returns the number that failed."""
    quick = "--quick" in sys.argv[1:]
    failed = 0
    for bench in BENCHES:
        args = [*bench, "--no-baseline"] if quick and bench[0] == "bench_retrieval.py" else bench
        print(f"\n=== {' '.join(args)} ===", flush=True)
        result = subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], check=False)
        failed += result.returncode != 0
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
