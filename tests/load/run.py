"""One load-test run: every user warms up at once, then all loop until the deadline."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.ui.serve import ServedApp, log_lines
from tests.load.process import Sampler, cpu_seconds, rss_bytes, thread_count
from tests.load.recorder import KINDS, LoadResult, Recorder, kind_stats
from tests.load.session import REQUEST_TIMEOUT, User

MAX_REQUESTS = 10_000


def _folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    return len(files), sum(p.stat().st_size for p in files)


def _all_users(users: Sequence[User], action: Any) -> None:
    threads = [threading.Thread(target=action, args=(u,), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * REQUEST_TIMEOUT + 30)


def run_load(
    app: ServedApp,
    *,
    users: int = 20,
    duration: float = 120.0,
    max_requests: int = MAX_REQUESTS,
    think: float = 0.0,
    questions: Callable[[int], Sequence[str]] | None = None,
) -> LoadResult:
    """Warm up, then run ``users`` simulated users for ``duration`` seconds; return the figures.

    ``questions(n)`` gives user ``n`` the questions it asks in turn (default: the app's
    example questions).
    """
    load_start = os.getloadavg()[0]
    rss_before = rss_bytes(app.pid)
    sampler = Sampler(app.pid)
    sampler.start()
    warm = Recorder(max_requests=2 * users)
    crowd = [
        User(app.url, n, warm, think=think, questions=questions(n) if questions else None)
        for n in range(users)
    ]
    try:
        _all_users(crowd, lambda u: (u.ask(), u.verify()))
        rss_start, threads_start = rss_bytes(app.pid), thread_count(app.pid)
        cpu_start, bench_start = cpu_seconds(app.pid), time.process_time()
        recorder = Recorder(max_requests=max_requests, references=warm.references)
        for user in crowd:
            user.recorder = recorder
        deadline = recorder.t0 + duration
        _all_users(crowd, lambda u: u.run(deadline))
        rss_end, threads_end = rss_bytes(app.pid), thread_count(app.pid)
        app_cpu, bench_cpu = cpu_seconds(app.pid) - cpu_start, time.process_time() - bench_start
    finally:
        for user in crowd:
            user.close()
        sampler.stop()
    samples = recorder.samples
    elapsed = max((s.start + s.seconds for s in samples), default=duration)
    logged = log_lines(app.log, "Traceback", "ERROR")
    warnings = log_lines(app.log, "WARNING")
    failures = [f"{s.kind}: {s.error}" for s in [*warm.samples, *samples] if s.error]
    failures += [f"app log: {line}" for line in [*logged, *warnings]]
    files, size = _folder_size(app.scratch)
    in_run = [(t, r) for t, r in sampler.rss if recorder.t0 <= t < deadline]
    rss_30s = next((r for t, r in in_run if t >= recorder.t0 + 30), None)
    mb = 1024 * 1024
    return LoadResult(
        users=users,
        duration_s=duration,
        elapsed_s=elapsed,
        kinds={
            "all": kind_stats(samples, elapsed),
            **{k: kind_stats([s for s in samples if s.kind == k], elapsed) for k in KINDS},
        },
        errors=len(failures),
        error_examples=list(dict.fromkeys(failures))[:5],
        app_warnings=len(logged) + len(warnings),
        rss_before_warmup_mb=rss_before / mb,
        rss_start_mb=rss_start / mb,
        rss_end_mb=rss_end / mb,
        rss_peak_mb=max((r for _, r in sampler.rss), default=rss_end) / mb,
        rss_every_10s_mb=[round(r / mb, 1) for _, r in in_run][::10],
        growth_pct=100 * (rss_end - rss_start) / rss_start,
        growth_after_30s_pct=100 * (rss_end - rss_30s) / rss_30s if rss_30s else None,
        threads_start=threads_start,
        threads_end=threads_end,
        load_start=load_start,
        load_max=max(sampler.load, default=load_start),
        load_end=os.getloadavg()[0],
        cpus=os.cpu_count() or 1,
        app_cpu_s=app_cpu,
        bench_cpu_s=bench_cpu,
        scratch_files=files,
        scratch_mb=size / mb,
        capped=recorder.taken >= max_requests,
    )
