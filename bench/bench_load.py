"""Load test: simulated users ask questions and check drafts on the real app, over loopback.

Usage: .venv/bin/python bench/bench_load.py [--users 20] [--duration 120] [--port 0] [--json]

Starts ``python app.py --lexical-only`` on 127.0.0.1 (the real app; ``--lexical-only`` only
stops a background semantic build, a hybrid index is still used) on a copy of the real index
(``--index-dir`` to copy another; the app rebuilds an index it finds damaged, and a bench must
never touch the developer's), with its scratch, upload and data folders in a temporary folder.
It drives the app through its Gradio HTTP API, one session (one keep-alive connection) per
user, as the page does; not with ``gradio_client``, whose polling threads and new connection
per call cost the load generator more CPU than the app on a shared 2-core machine. The app
is served by ``assistant.ui.serve``; the simulated users and the figures are ``tests/load/``
(shared with its smoke test, ``tests/test_bench_load.py``):

- question: ``/show_question`` then ``/answer`` (the chat kept for up to ``CHAT_TURNS``
  questions; dev-set questions, follow-ups after their first turn);
- verify: upload of an example draft then ``/verify`` (the valid one and the one with errors
  in turn).

Every user first does one request of each kind (warm-up, all users at once, as soon as the app
serves), then loops without pause (``--think``) until ``--duration`` or ``--max-requests``.
Errors: HTTP or client exceptions, time-outs, ``gr.Error`` pop-ups, answers that are an error
message or still pending, a verdict other than expected, a reply that differs from the first
one to the same request (a question asked on an empty chat, a draft), and tracebacks, errors
and warnings in the app's log. Memory: resident memory (RSS) of the app and its children after
the warm-up and at the end. Exits 1 when there is an error or the memory grew by more than
10 %; the app is always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ui.serve import serve_app  # noqa: E402
from tests.devset_tools import load_devset  # noqa: E402
from tests.load.recorder import GROWTH_LIMIT, LoadResult  # noqa: E402
from tests.load.run import MAX_REQUESTS, run_load  # noqa: E402

LOG_COPY = "cpom-load-app.log"
"""Where the app's log is kept after a failed run (in the system's temporary folder)."""


def print_table(result: LoadResult, *, url: str, index: str) -> None:
    """The figures, as a table and a few lines."""
    r = result
    llm = os.environ.get("CPOM_LLM_PROVIDER", "none")
    print(
        f"Load test: {r.users} users for {r.duration_s:.0f} s on {url} — index {index}, LLM {llm}"
    )
    print(
        f"{'kind':<10}{'count':>7}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    )
    for kind, s in r.kinds.items():
        print(
            f"{kind:<10}{s.count:>7}{s.errors:>8}{s.per_second:>8.2f}{s.p50_ms:>9.0f}"
            f"{s.p95_ms:>9.0f}{s.max_ms:>9.0f}"
        )
    print(
        "(question = /show_question + /answer; verify = upload + /verify; "
        f"measured over {r.elapsed_s:.1f} s{', stopped by --max-requests' if r.capped else ''})"
    )
    print(
        f"errors: {r.errors} (target 0), warm-up included; of which {r.app_warnings} warnings "
        "and errors in the app's log"
    )
    for example in r.error_examples:
        print(f"  - {example[:400]}")
    print(
        f"memory (RSS, app and children): {r.rss_before_warmup_mb:.0f} MB before warm-up, "
        f"{r.rss_start_mb:.0f} MB after, {r.rss_end_mb:.0f} MB at the end "
        f"({r.growth_pct:+.1f} %, limit +{GROWTH_LIMIT:.0f} %), peak {r.rss_peak_mb:.0f} MB"
    )
    every = ", ".join(f"{mb:.0f}" for mb in r.rss_every_10s_mb)
    print(f"memory every 10 s of the run (MB): {every}")
    late = r.growth_after_30s_pct
    print(
        f"growth from 30 s into the run to its end: "
        f"{'n/a (shorter run)' if late is None else f'{late:+.1f} %'}; "
        f"app threads {r.threads_start} after warm-up, {r.threads_end} at the end"
    )
    print(
        f"load average (1 min): {r.load_start:.2f} at start, {r.load_max:.2f} max, "
        f"{r.load_end:.2f} at the end, on {r.cpus} CPUs (shared); CPU time during the run: "
        f"app {r.app_cpu_s:.0f} s, load generator {r.bench_cpu_s:.0f} s"
    )
    print(f"files left in the app's temporary folder: {r.scratch_files} ({r.scratch_mb:.1f} MB)")
    print("verdict:", "OK" if r.ok else "FAIL")


def conversations(seed: int) -> list[str]:
    """Dev-set questions in a shuffled order; a follow-up comes right after its first turn."""
    items = load_devset()
    by_id = {item.id: item for item in items}
    units = [
        [by_id[item.followup_of].question, item.question]
        if item.followup_of in by_id
        else [item.question]
        for item in items
    ]
    random.Random(seed).shuffle(units)
    return [question for unit in units for question in unit]


def copy_index(source: Path, target: Path) -> Path:
    """Copy the build in service of ``source`` (and ``CURRENT``) to ``target``; returns it.

    The app rebuilds an index it finds damaged: a bench must never touch the developer's.
    """
    from assistant.index.manifest import current_build

    build = current_build(source)
    target.mkdir(parents=True, exist_ok=True)
    if build is not None:
        shutil.copytree(build, target / "builds" / build.name)
        shutil.copyfile(source / "CURRENT", target / "CURRENT")
    return target


def index_description(index_dir: Path) -> str:
    """The index in a few words (hybrid or lexical, passages)."""
    from assistant import Settings, index_status

    manifest = index_status(Settings(_env_file=None, index_dir=index_dir))  # type: ignore[call-arg]
    if manifest is None:
        return f"no index in {index_dir} (the app builds a lexical one)"
    mode = "hybrid" if manifest.dense_ready else "lexical"
    return f"{mode}, {manifest.chunks} passages, a copy of {index_dir}"


def _default_index_dir() -> Path:
    from assistant.config import Settings

    return Settings().index_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--think", type=float, default=0.0, help="pause between requests, s")
    parser.add_argument(
        "--index-dir", type=Path, default=None, help="the index to copy (default: the app's)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep-log", type=Path, default=None, help="copy the app's log there")
    parser.add_argument(
        "--app-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the app (repeatable; experiments)",
    )
    args = parser.parse_args(argv)
    source = args.index_dir or _default_index_dir()
    index = index_description(source)
    with tempfile.TemporaryDirectory(prefix="cpom-load-") as tmp:
        served = copy_index(source, Path(tmp) / "index")
        extra = dict(item.split("=", 1) for item in args.app_env)
        with serve_app(
            ROOT / "app.py", Path(tmp), port=args.port, index_dir=served, extra_env=extra
        ) as app:
            result = run_load(
                app,
                users=args.users,
                duration=args.duration,
                max_requests=args.max_requests,
                think=args.think,
                questions=conversations,
            )
        keep = args.keep_log or (None if result.ok else Path(tempfile.gettempdir()) / LOG_COPY)
        if keep is not None:
            shutil.copyfile(app.log, keep)
        if args.json:
            print(json.dumps({**asdict(result), "ok": result.ok}, ensure_ascii=False, indent=1))
        else:
            print_table(result, url=app.url, index=index)
        if keep is not None:
            print(f"the app's log: {keep}", file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
