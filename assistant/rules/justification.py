"""JUST-* rules: a justification is written, long enough, and free of placeholders."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.rules.run import Entry, Run
from assistant.rules.values import word_count


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def find_placeholder(run: Run, text: str | None) -> str | None:
    """The first placeholder (``XXX``, ``[à compléter]``, ``TODO``…) left in ``text``."""
    if not text or not run.applies("JUST-PLACEHOLDER"):
        return None
    for pattern in _compiled(tuple(run.param("JUST-PLACEHOLDER", "patterns"))):
        if match := pattern.search(text):
            return match.group(0)
    return None


def check_justification(run: Run, entry: Entry, name: str) -> None:
    """JUST-PLACEHOLDER on the justification and the comment, JUST-MISSING on the first."""
    item = entry.item
    for field, text in (("justification", item.justification), ("commentaire", item.commentaire)):
        match = find_placeholder(run, text)
        if match:
            run.emit(
                "JUST-PLACEHOLDER", indicator=name, field=f"le champ {field} de {name}", match=match
            )
    if not run.applies("JUST-MISSING"):
        return
    words = word_count(item.justification)
    minimum = run.param("JUST-MISSING", "min_words")
    if words == 0:
        run.emit("JUST-MISSING", indicator=name, problem=run.variant("JUST-MISSING", "missing"))
    elif words < minimum:
        problem = run.variant("JUST-MISSING", "short", words=words)
        run.emit("JUST-MISSING", indicator=name, problem=problem)


__all__ = ["check_justification", "find_placeholder"]
