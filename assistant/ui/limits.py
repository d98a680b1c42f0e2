"""How much the served app does at once: events per kind, queue, worker threads."""

from __future__ import annotations

CONCURRENCY = 4
"""Events of one kind run at most this many at a time; the others wait in the queue."""
QUEUE_SIZE = 64
"""Requests waiting beyond the running ones; more are told to retry, never crash the app."""
MAX_THREADS = 12
"""Gradio worker threads (default 40): above the queue's concurrency, each one only adds memory."""

__all__ = ["CONCURRENCY", "MAX_THREADS", "QUEUE_SIZE"]
