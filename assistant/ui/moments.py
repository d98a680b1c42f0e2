"""Dates and times as the page shows them: French format, Paris time (the campaign's)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def moment(value: datetime | str) -> str:
    """``03/12/2026 11:30`` in Paris time (a naive value is taken as UTC, as the store writes)."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo("UTC"))
    return when.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


__all__ = ["PARIS", "moment"]
