"""The load test (``bench/bench_load.py``): the served app, simulated users, the figures.

Modules: ``app`` (start and stop the real app, a copy of the index), ``process`` (memory, threads
and CPU of the app's process tree), ``session`` (one browser-like session, one simulated user),
``recorder`` (what the users share, the figures of a run), ``run`` (warm-up, then the crowd).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root (``app.py``, ``examples/``)."""
