"""The one loader of ``prompts/*.md``: model prompts and offline text templates alike.

A template file holds named parts: each ``## name`` heading starts a part, whose text runs to
the next heading (the text before any heading is the part ``""``; a file without headings is
that part alone). HTML comments (``<!-- … -->``) document the fields and are dropped. Fields are
``{name}`` (``str.format``); filling a part with a missing field is a programming error.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assistant.errors import CatalogError

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^##\s+(\S+)\s*$", re.MULTILINE)


@lru_cache(maxsize=32)
def _parts(path: Path, _mtime: float) -> dict[str, str]:
    text = _COMMENT.sub("", path.read_text(encoding="utf-8"))
    pieces = _HEADING.split(text)
    parts: dict[str, str] = {}
    if pieces[0].strip():
        parts[""] = pieces[0].strip()
    for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
        parts[name] = body.strip()
    return parts


_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load_template(prompts_dir: Path, name: str) -> dict[str, str]:
    """The named parts of ``prompts_dir/<name>.md`` (the text before any heading is ``""``).

    Raises:
        ValueError: ``name`` is not a plain template name.
        CatalogError: The template file is missing or unreadable.
    """
    if not _NAME.match(name):
        raise ValueError(f"invalid template name {name!r}")
    path = Path(prompts_dir) / f"{name}.md"
    try:
        return _parts(path, path.stat().st_mtime)
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(
            f"Gabarit de texte introuvable ou illisible : {path}.",
            hint="Vérifiez le dossier des gabarits (CPOM_PROMPTS_DIR).",
        ) from exc


def fill(template: str, **fields: object) -> str:
    """Fill ``{name}`` fields; a line left empty by an empty field is dropped.

    Raises:
        KeyError: A field of the template was not given (a programming error).
    """
    text = template.format(**fields)
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line.strip() or not line).strip()


def paragraph(template: str, **fields: object) -> str:
    """Fill a template and join it into one paragraph (single spaces)."""
    return " ".join(fill(template, **fields).split())


def template_text(prompts_dir: Path, name: str) -> str:
    """The whole text of a template without parts (a system prompt, say).

    Raises:
        CatalogError: The template file is missing or unreadable.
    """
    return load_template(prompts_dir, name).get("", "")


__all__ = ["fill", "load_template", "paragraph", "template_text"]
