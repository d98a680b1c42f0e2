"""Memory, threads and CPU time of a process and its descendants (from ``/proc``)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path


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
