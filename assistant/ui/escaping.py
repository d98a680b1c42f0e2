"""Escaping for the app's HTML and Markdown: every user or document text is shown, never run.

HTML fragments contain no blank line and no indented line, so that the chat's Markdown
renderer passes them through as one HTML block.
"""

from __future__ import annotations

import html
import re

NBSP = "\u00a0"
_FRENCH_SPACES = (
    (" :", NBSP + ":"),
    (" ;", NBSP + ";"),
    (" ?", NBSP + "?"),
    (" !", NBSP + "!"),
    ("« ", "«" + NBSP),
    (" »", NBSP + "»"),
)
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def esc(text: object) -> str:
    """Escape any value for HTML (None is empty), with French non-breaking spaces.

    A line never starts with « : », « ; », « ? », « ! » or a closing guillemet.
    """
    if text is None:
        return ""
    out = html.escape(str(text), quote=True)
    for plain, tied in _FRENCH_SPACES:
        out = out.replace(plain, tied)
    return out


def md(text: object) -> str:
    """Escape any value for Markdown: no markup, no HTML tag, no link (None is empty).

    Markdown punctuation is backslash-escaped and ``<``, ``>`` and ``&`` become entities, so
    the text reads as typed and ``<script>`` stays text.
    """
    if text is None:
        return ""
    out = _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace("\\>", "&gt;")
    for plain, tied in _FRENCH_SPACES:
        out = out.replace(plain, tied)
    return out


def paragraphs(text: str) -> str:
    """Escaped HTML text: blank lines as paragraphs, line breaks kept."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join(f"<p>{esc(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def french_number(value: float) -> str:
    """``12,5`` (no trailing zeros)."""
    return f"{value:g}".replace(".", ",")


def plural(n: int, word: str) -> str:
    """``1 erreur``, ``2 erreurs``."""
    return f"{n} {word}{'s' if n > 1 else ''}"


__all__ = ["NBSP", "esc", "french_number", "md", "paragraphs", "plural"]
