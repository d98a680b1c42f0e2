"""Checks on what a language model wrote: figures must come from the material it was given."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])")


def _normal(number: str) -> str:
    value = float(number.replace(",", "."))
    return f"{value:g}"


def numbers_in(text: str) -> set[str]:
    """The figures of a text, normalised (``12,50`` and ``12.5`` are the same)."""
    return {_normal(n) for n in _NUMBER.findall(text.replace("\u00a0", " "))}


def ungrounded_numbers(text: str, material: Iterable[str]) -> list[str]:
    """The figures of ``text`` that appear nowhere in ``material`` (sorted)."""
    allowed: set[str] = set()
    for piece in material:
        allowed |= numbers_in(piece)
    return sorted(numbers_in(text) - allowed, key=lambda n: float(n))


__all__ = ["numbers_in", "ungrounded_numbers"]
