"""The load generator: simulated users on the app's HTTP API, and the figures of a run.

Used by ``bench/bench_load.py`` (the figures, on a copy of the real index) and by
``tests/test_bench_load.py`` (what it counts, on a small run). Modules: ``session`` (one
browser-like session, one simulated user), ``recorder`` (what the users share, the figures),
``process`` (memory, threads and CPU of the app's process tree), ``run`` (warm-up, then the
crowd). The app itself is served by ``assistant.ui.serve``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root (``app.py``, ``examples/``)."""
