"""Reading baselines and targets as written: numbers, yes/no answers, and their French display."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from assistant.drafts import Value
from assistant.text.french import fold

_NUMBER = re.compile(r"^(?P<n>[+-]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?)\s*%?$")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def as_number(value: Value | None) -> float | None:
    """The figure a baseline or target holds: a number, or text such as ``"12,5"``, ``"80 %"``.

    Booleans, ``oui``/``non`` and any other text are not numbers (None).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    match = _NUMBER.match(value.strip())
    if match is None:
        return None
    return float(re.sub(r"[ \u00a0\u202f]", "", match["n"]).replace(",", "."))


def _fold(text: str) -> str:
    return fold(text.strip())


def as_yes_no(
    value: Value | None, *, yes: Iterable[str] = ("oui",), no: Iterable[str] = ("non",)
) -> bool | None:
    """``True`` for a yes answer (``oui``, any case, or a boolean true), ``False`` for no."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    folded = _fold(value)
    if folded in {_fold(v) for v in yes}:
        return True
    if folded in {_fold(v) for v in no}:
        return False
    return None


def show(value: Value | float | None) -> str:
    """A value as a French reader expects it: ``12,5``, ``oui``, ``« texte »``."""
    if value is None:
        return "(vide)"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"« {value} »"


def word_count(text: str | None) -> int:
    """Number of words in a French text (``l'ARS`` counts as one)."""
    return len(_WORD.findall(text or ""))


def join_fr(items: list[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
