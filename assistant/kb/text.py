"""Text helpers shared by the fiche, annex and HPR parsers.

The corpus documents are plain-text PDF extractions: words are split across lines, table cells
are interleaved and line-break hyphenation leaves ``"inter- établissements"``. Quotes keep the
document's words; these helpers only change whitespace (and rejoin a hyphenated line break), so a
quote stays findable in the source with :func:`comparable`.
"""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")
# A line break after a hyphen inside a word ("inter-\nétablissements"): the hyphen is kept, the
# space that the line break became is dropped.
_HYPHEN_BREAK = re.compile(r"(?<=[a-zà-ÿœ])- (?=[a-zà-ÿœ])")
_LINK_LINE = re.compile(r"^\s*(?:https?://|mailto:|file://)\S*\s*$")

APOSTROPHE = "['’]"
"""Regex class for both apostrophes found in the corpus (typographic and straight)."""


def squash(text: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


def clean(text: str) -> str:
    """Squash whitespace and rejoin words hyphenated across a line break."""
    return _HYPHEN_BREAK.sub("-", squash(text))


def comparable(text: str) -> str:
    """The form in which a quote is compared with its source document.

    Whitespace runs collapse to one space and a line-break hyphenation is rejoined, on both sides
    of the comparison; nothing else changes.
    """
    return clean(text)


def is_link_line(line: str) -> bool:
    """Whether a line only holds a URL (the PDF extraction appends link targets as lines)."""
    return bool(_LINK_LINE.match(line))


def clean_lines(lines: list[str]) -> str:
    """Join raw lines into one cleaned paragraph, dropping link-only lines."""
    return clean(" ".join(line for line in lines if not is_link_line(line)))
