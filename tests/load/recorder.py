"""What the simulated users share (samples, request budget, first replies) and the figures."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

GROWTH_LIMIT = 10.0
"""Percent of RSS growth between the end of the warm-up and the end of the run (issue 7)."""
KINDS = ("question", "verify")


@dataclass(frozen=True)
class Sample:
    """One user request: its kind, when it started (s since the run's start), its outcome."""

    kind: str
    start: float
    seconds: float
    error: str | None = None


@dataclass
class Recorder:
    """What the users share: the samples, the request budget, the first reply to each request."""

    max_requests: int
    samples: list[Sample] = field(default_factory=list)
    references: dict[str, Any] = field(default_factory=dict)
    taken: int = 0
    t0: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """Reserve one request of the budget (False once it is spent)."""
        with self.lock:
            if self.taken >= self.max_requests:
                return False
            self.taken += 1
            return True

    def add(self, sample: Sample) -> None:
        """Keep a sample."""
        with self.lock:
            self.samples.append(sample)

    def same_as_first(self, key: str, value: Any) -> bool:
        """Whether ``value`` equals the first reply recorded under ``key`` (the first is kept)."""
        with self.lock:
            return self.references.setdefault(key, value) == value


@dataclass
class KindStats:
    """Figures of one kind of request."""

    count: int
    errors: int
    per_second: float
    p50_ms: float
    p95_ms: float
    max_ms: float


@dataclass
class LoadResult:
    """The figures of a run."""

    users: int
    duration_s: float
    elapsed_s: float
    kinds: dict[str, KindStats]
    errors: int
    error_examples: list[str]
    app_warnings: int
    rss_before_warmup_mb: float
    rss_start_mb: float
    rss_end_mb: float
    rss_peak_mb: float
    rss_every_10s_mb: list[float]
    growth_pct: float
    growth_after_30s_pct: float | None
    """From 30 s into the run to its end: what is left once every worker thread has run."""
    threads_start: int
    threads_end: int
    load_start: float
    load_max: float
    load_end: float
    cpus: int
    app_cpu_s: float
    bench_cpu_s: float
    scratch_files: int
    scratch_mb: float
    capped: bool

    @property
    def ok(self) -> bool:
        """No error and memory growth within the limit."""
        return self.errors == 0 and self.growth_pct <= GROWTH_LIMIT


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p`` percentile (0 < p ≤ 100) of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def kind_stats(samples: Sequence[Sample], elapsed: float) -> KindStats:
    """The figures of ``samples`` (one kind, or all), over ``elapsed`` seconds."""
    ms = [s.seconds * 1000 for s in samples]
    return KindStats(
        count=len(samples),
        errors=sum(s.error is not None for s in samples),
        per_second=len(samples) / elapsed if elapsed else 0.0,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        max_ms=max(ms, default=0.0),
    )
