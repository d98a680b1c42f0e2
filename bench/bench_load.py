"""Load test: simulated users ask questions and check drafts on the real app, over loopback.

Usage: .venv/bin/python bench/bench_load.py [--users 20] [--duration 120] [--port 0] [--json]

Starts ``python app.py --lexical-only`` on 127.0.0.1 (the real app; ``--lexical-only`` only
stops a background semantic build, a hybrid index is still used) on a copy of the real index
(``--index-dir`` to copy another; the app rebuilds an index it finds damaged, and a bench must
never touch the developer's), with its scratch, upload and data folders in a temporary folder.
It drives the app through its Gradio HTTP API, one session (one keep-alive connection) per
user, as the page does; not with ``gradio_client``, whose polling threads and new connection
per call cost the load generator more CPU than the app on a shared 2-core machine:

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
import contextlib
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.errors import AssistantError  # noqa: E402
from assistant.ui.events import PENDING, error_html  # noqa: E402
from assistant.ui.questions import text_of  # noqa: E402
from bench.devset_tools import load_devset  # noqa: E402

DRAFTS: tuple[tuple[Path, str], ...] = (
    (ROOT / "examples" / "brouillon-valide.json", "oui"),
    (ROOT / "examples" / "brouillon-avec-erreurs.json", "non"),
)
"""The drafts uploaded in turn, with the "Conforme" cell each must get."""
CHAT_TURNS = 5
"""Questions asked in one chat before the user starts a new one."""
MAX_REQUESTS = 10_000
REQUEST_TIMEOUT = 120.0
START_TIMEOUT = 180.0
GROWTH_LIMIT = 10.0
"""Percent of RSS growth between the end of the warm-up and the end of the run (issue 7)."""
ERROR_LABEL = error_html(AssistantError("")).partition("</p>")[0]
"""How the chat shows an expected failure instead of an answer (``events.error_html``)."""
KINDS = ("question", "verify")
LOG_COPY = "cpom-load-app.log"
"""Where the app's log is kept after a failed run (in the system's temporary folder)."""


# --- The app ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class App:
    """A running app: its URL, process and folders."""

    url: str
    pid: int
    log: Path
    scratch: Path
    """The app's temporary folder (TMPDIR): per-request report folders and Gradio's cache."""


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_app(
    workdir: Path,
    *,
    port: int = 0,
    index_dir: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[App]:
    """Run ``app.py --lexical-only`` on 127.0.0.1 until the block ends (then always stop it).

    Args:
        workdir: Where the app's data, temporary files and log go.
        port: The port (0: a free one).
        index_dir: The index to serve (default: the app's own; the app rebuilds an index it
            finds damaged, so serve a ``copy_index`` instead).
        extra_env: More environment variables for the app (experiments: ``MALLOC_ARENA_MAX``).
    """
    port = port or free_port()
    scratch = workdir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("CPOM_LLM_PROVIDER", "none")
    env |= {
        "CPOM_APP_DATA_DIR": str(workdir / "var"),
        "TMPDIR": str(scratch),
        "GRADIO_TEMP_DIR": str(scratch / "gradio"),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
    }
    if index_dir is not None:
        env["CPOM_INDEX_DIR"] = str(index_dir)
    env |= extra_env or {}
    log = workdir / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--lexical-only"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_served(url, process, log)
        yield App(url, process.pid, log, scratch)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def _wait_until_served(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited:\n{log.read_text(encoding='utf-8')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app never served {url}:\n{log.read_text(encoding='utf-8')[-3000:]}")


def log_lines(log: Path, *starts: str) -> list[str]:
    """The lines of the app's log that start with one of ``starts``."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if line.startswith(starts)]


# --- Memory and CPU of a process tree ---------------------------------------------------------
def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from ``/proc``)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text().rpartition(")")[2].split()
                parents.setdefault(int(stat[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, []))
    return tree


def _tree_sum(pid: int, read: Callable[[int], float]) -> float:
    """The sum of ``read(member)`` over ``pid`` and its descendants (gone ones count 0)."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += read(member)
    return total


def _status(pid: int, key: str) -> int:
    """A number from ``/proc/<pid>/status`` (``VmRSS`` in kB, ``Threads``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants, in bytes (psutil when installed)."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        return int(_tree_sum(pid, lambda p: _status(p, "VmRSS") * 1024))
    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])


def thread_count(pid: int) -> int:
    """Threads of ``pid`` and its descendants."""
    return int(_tree_sum(pid, lambda p: _status(p, "Threads")))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of ``pid`` and its descendants."""

    def ticks(p: int) -> float:
        stat = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        return int(stat[11]) + int(stat[12])

    return _tree_sum(pid, ticks) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """Samples the app's RSS and the load average every second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True, name="sampler")
        self.pid = pid
        self.rss: list[tuple[float, int]] = []
        self.load: list[float] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(1.0):
            self.rss.append((time.monotonic(), rss_bytes(self.pid)))
            self.load.append(os.getloadavg()[0])

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


# --- Simulated users --------------------------------------------------------------------------
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


def conversations(seed: int) -> list[list[str]]:
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
    return units


class AppError(Exception):
    """The app answered with an error (a ``gr.Error`` pop-up, an unexpected failure)."""


class GradioSession:
    """One browser-like session on the app's HTTP API, over one keep-alive connection.

    Non-queued events go through ``/gradio_api/run/<name>`` (as the page does), queued ones
    through ``/gradio_api/call/<name>`` and its event stream; the session hash carries the
    ``gr.State`` values from one event to the next, as in the browser.
    """

    def __init__(self, url: str) -> None:
        import httpx

        self.http = httpx.Client(
            base_url=f"{url}gradio_api/", timeout=REQUEST_TIMEOUT, trust_env=False
        )
        self.session_hash = uuid.uuid4().hex[:12]

    def _body(self, data: Sequence[Any]) -> dict[str, Any]:
        return {"data": list(data), "session_hash": self.session_hash}

    def run(self, api_name: str, *data: Any) -> list[Any]:
        """Call a non-queued event; its outputs."""
        response = self.http.post(f"run/{api_name}", json=self._body(data))
        if response.status_code == 500:
            raise AppError(str(response.json().get("error")))
        response.raise_for_status()
        return list(response.json()["data"])

    def call(self, api_name: str, *data: Any) -> list[Any]:
        """Call a queued event and wait for its final outputs."""
        deadline = time.monotonic() + REQUEST_TIMEOUT
        response = self.http.post(f"call/{api_name}", json=self._body(data))
        response.raise_for_status()
        event_id = response.json()["event_id"]
        event = ""
        with self.http.stream("GET", f"call/{api_name}/{event_id}") as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"/{api_name}: no result after {REQUEST_TIMEOUT:.0f} s")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = json.loads(line[5:])
                    if event == "error":
                        raise AppError(str(payload))
                    return list(payload)
        raise AppError(f"/{api_name}: the event stream ended without a result")

    def upload(self, path: Path) -> dict[str, Any]:
        """Upload a file as the page does; the value a ``gr.File`` input then holds."""
        with path.open("rb") as handle:
            response = self.http.post("upload", files={"files": (path.name, handle)})
        response.raise_for_status()
        return {
            "path": response.json()[0],
            "orig_name": path.name,
            "size": path.stat().st_size,
            "meta": {"_type": "gradio.FileData"},
        }

    def close(self) -> None:
        """Close the connection."""
        self.http.close()


class User:
    """One simulated user: one session, questions and draft checks in turn."""

    def __init__(self, url: str, n: int, recorder: Recorder, *, think: float = 0.0) -> None:
        self.n = n
        self.recorder = recorder
        self.think = think
        self.session = GradioSession(url)
        self.questions = [q for unit in conversations(seed=n) for q in unit]
        self.history: list[Any] = []
        self.turns = 0
        self.asked = 0
        self.verified = 0

    def _timed(self, kind: str, action: Any) -> Sample:
        start = time.monotonic()
        try:
            error = action()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        seconds = time.monotonic() - start
        sample = Sample(kind, start - self.recorder.t0, seconds, error)
        self.recorder.add(sample)
        return sample

    def ask(self, question: str | None = None) -> Sample:
        """Ask the next question (or ``question``) in the current chat."""
        if question is None:
            question = self.questions[self.asked % len(self.questions)]
        self.asked += 1
        if self.turns >= CHAT_TURNS:
            self.history, self.turns = [], 0
        fresh = not self.history

        def action() -> str | None:
            shown, *_ = self.session.run("show_question", question, self.history)
            history, *_ = self.session.call("answer", shown)
            self.history, self.turns = history, self.turns + 1
            return check_answer(self.recorder, question, history, fresh=fresh)

        return self._timed("question", action)

    def verify(self, path: Path | None = None, expected: str | None = None) -> Sample:
        """Upload a draft and check it (the example drafts in turn by default)."""
        if path is None:
            path, expected = DRAFTS[self.verified % len(DRAFTS)]
        self.verified += 1

        def action() -> str | None:
            result = self.session.call("verify", [self.session.upload(path)])
            return check_report(self.recorder, path, expected, result)

        return self._timed("verify", action)

    def run(self, deadline: float) -> None:
        """Ask and verify in turn until ``deadline`` or the end of the request budget."""
        steps = (self.ask, self.verify)
        step = 0
        while time.monotonic() < deadline and self.recorder.take():
            steps[step % 2]()
            step += 1
            if self.think:
                time.sleep(self.think)

    def close(self) -> None:
        """Close the session's connection."""
        self.session.close()


def check_answer(recorder: Recorder, question: str, history: Any, *, fresh: bool) -> str | None:
    """Why a chat after ``/answer`` is not a proper answer (None when it is)."""
    if not isinstance(history, list) or not history:
        return f"empty or unreadable chat: {str(history)[:200]!r}"
    last = history[-1]
    text = text_of(last.get("content")) if isinstance(last, dict) else ""
    if ERROR_LABEL in text:
        return f"error message in the chat: {text[:300]!r}"
    if text == PENDING or 'class="cpom-answer' not in text:
        return f"no answer: {text[:300]!r}"
    if fresh and not recorder.same_as_first(f"question:{question}", text):
        return f"not the first answer to the same question: {question!r}"
    return None


def check_report(recorder: Recorder, path: Path, expected: str | None, result: Any) -> str | None:
    """Why a ``/verify`` result is not the expected report (None when it is)."""
    summary, report, *_files = result
    rows = summary.get("value", {}).get("data") if isinstance(summary, dict) else None
    if not rows or 'class="cpom-report' not in str(report):
        return f"no report: {str(result)[:300]!r}"
    if expected is not None and rows[0][3] != expected:
        return f"{path.name}: conforme = {rows[0][3]!r}, expected {expected!r}"
    if not recorder.same_as_first(f"verify:{path}", (rows, report)):
        return f"not the first report of {path.name}"
    return None


# --- The run ----------------------------------------------------------------------------------
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


def _stats(samples: Sequence[Sample], elapsed: float) -> KindStats:
    ms = [s.seconds * 1000 for s in samples]
    return KindStats(
        count=len(samples),
        errors=sum(s.error is not None for s in samples),
        per_second=len(samples) / elapsed if elapsed else 0.0,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        max_ms=max(ms, default=0.0),
    )


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
    app: App,
    *,
    users: int = 20,
    duration: float = 120.0,
    max_requests: int = MAX_REQUESTS,
    think: float = 0.0,
) -> LoadResult:
    """Warm up, then run ``users`` simulated users for ``duration`` seconds; return the figures."""
    load_start = os.getloadavg()[0]
    rss_before = rss_bytes(app.pid)
    sampler = Sampler(app.pid)
    sampler.start()
    warm = Recorder(max_requests=2 * users)
    crowd = [User(app.url, n, warm, think=think) for n in range(users)]
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
            "all": _stats(samples, elapsed),
            **{k: _stats([s for s in samples if s.kind == k], elapsed) for k in KINDS},
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


def copy_index(source: Path, target: Path) -> Path:
    """Copy the build in service of ``source`` (and ``CURRENT``) to ``target``; returns it.

    The app rebuilds an index it finds damaged: a bench must never touch the developer's.
    """
    from assistant.index import current_build

    build = current_build(source)
    target.mkdir(parents=True, exist_ok=True)
    if build is not None:
        shutil.copytree(build, target / "builds" / build.name)
        shutil.copyfile(source / "CURRENT", target / "CURRENT")
    return target


def index_description(index_dir: Path) -> str:
    """The index in a few words (hybrid or lexical, passages)."""
    from assistant.config import Settings
    from assistant.index import index_status

    manifest = index_status(Settings(_env_file=None, index_dir=index_dir))  # type: ignore[call-arg]
    if manifest is None:
        return f"no index in {index_dir} (the app builds a lexical one)"
    mode = "hybrid" if manifest.dense_ready else "lexical"
    return f"{mode}, {manifest.chunks} passages, a copy of {index_dir}"


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
        with serve_app(Path(tmp), port=args.port, index_dir=served, extra_env=extra) as app:
            result = run_load(
                app,
                users=args.users,
                duration=args.duration,
                max_requests=args.max_requests,
                think=args.think,
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
