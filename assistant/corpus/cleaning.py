"""Cleaning a loaded document: never a word changed, only what the PDF extraction broke.

Lines broken by the extraction are rejoined, end-of-line hyphenation undone, repeated page
headers and footers, bare page numbers and lines that are only a URL dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from pydantic import BaseModel

from assistant.corpus.models import DocumentInfo, Page

_URL_LINE = re.compile(r"^\s*(?:https?://|www\.|mailto:)\S*\s*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-–•▪➢●◦*\uf0b7\uf0a7\uf0d8]|o\s|\d{1,2}[.)]\s|[a-z][.)]\s)")
_TERMINAL = re.compile(r"[.!?:;»]\s*$")


class CleanDocument(BaseModel, frozen=True):
    """A document's cleaned text and where each page starts in it."""

    info: DocumentInfo
    text: str
    page_starts: list[tuple[int, int | None]]

    def page_at(self, offset: int) -> int | None:
        """Return the page number holding the character at ``offset``."""
        page: int | None = None
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page


def clean_document(info: DocumentInfo, pages: list[Page]) -> CleanDocument:
    """Clean pages and assemble the document text, keeping where each page starts."""
    double_spaced = _is_double_spaced("\n".join(p.text for p in pages))
    page_lines = [_page_lines(p.text, double_spaced=double_spaced) for p in pages]
    repeated = _repeated_margin_lines(page_lines)
    printed = _printed_page_numbers(page_lines, repeated)
    parts: list[str] = []
    starts: list[tuple[int, int | None]] = []
    offset = 0
    for page, lines in zip(pages, page_lines, strict=True):
        kept = [ln for ln in lines if _normalise(ln) not in repeated]
        kept = _drop_margin_page_numbers(kept)
        text = _join_lines(kept)
        if not text:
            continue
        if parts:
            offset += 2
        number = page.number
        if number is not None and printed:
            # printed page numbers win over counted pages: shift by the last known gap
            known = [gap for index, gap in printed if index <= number] or [printed[0][1]]
            number = max(1, number + known[-1])
        starts.append((offset, number))
        parts.append(text)
        offset += len(text)
    return CleanDocument(info=info, text="\n\n".join(parts), page_starts=starts)


def _printed_page_numbers(page_lines: list[list[str]], repeated: set[str]) -> list[tuple[int, int]]:
    """(page index, printed number - index) where a running footer shows a page number."""
    gaps: list[tuple[int, int]] = []
    for index, lines in enumerate(page_lines, start=1):
        body = [ln for ln in lines if ln]
        for a, b in pairwise(body):
            if _normalise(a) in repeated and _PAGE_NUMBER.match(b):
                digits = re.findall(r"\d+", b)
                if digits:
                    gaps.append((index, int(digits[0]) - index))
                break
    return gaps


def _is_double_spaced(text: str) -> bool:
    """True when most text lines are followed by an empty line (extraction artefact)."""
    lines = text.split("\n")
    text_lines = followed = 0
    for line, nxt in pairwise(lines):
        if line.strip():
            text_lines += 1
            followed += nxt == ""
    return text_lines > 0 and followed / text_lines > 0.5


def _page_lines(text: str, *, double_spaced: bool) -> list[str]:
    """Lines of a page; '' marks a paragraph break. URL-only lines are dropped."""
    out: list[str] = []
    empties = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not raw:
            empties += 1
            if not double_spaced or empties >= 2:
                _paragraph_break(out)
            continue
        empties = 0
        if not line:  # whitespace-only line: a paragraph break in both layouts
            _paragraph_break(out)
            continue
        if _URL_LINE.match(line):
            continue
        out.append(re.sub(r"[ \t\u00a0]+", " ", line))
    while out and out[-1] == "":
        out.pop()
    return out


def _paragraph_break(out: list[str]) -> None:
    if out and out[-1] != "":
        out.append("")


def _normalise(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip().lower()


def _margin(lines: list[str], n: int = 3) -> list[str]:
    body = [ln for ln in lines if ln]
    return body[:n] + body[-n:]


def _repeated_margin_lines(page_lines: list[list[str]]) -> set[str]:
    r"""Lines repeated at the top or bottom of several pages: running headers and footers.

    A line counts when it stands in the margin (first or last three lines) of at least three
    pages, or of two pages when a bare page number follows it (``Titre | Note … \\n 9``).
    Headings that open a unit (``FICHE …``, ``ANNEXE n``, ``PARTIE n``) are never dropped.
    """
    counts: Counter[str] = Counter()
    numbered: dict[str, list[int]] = {}
    for index, lines in enumerate(page_lines, start=1):
        body = [ln for ln in lines if ln]
        seen: set[str] = set()
        for ln in _margin(lines):
            key = _normalise(ln)
            if key and key not in seen and not _PAGE_NUMBER.match(ln):
                seen.add(key)
                counts[key] += 1
        for a, b in pairwise(body):
            if _PAGE_NUMBER.match(b) and not _PAGE_NUMBER.match(a):
                number = int(re.sub(r"\D.*", "", b.strip().lower().removeprefix("page").strip()))
                # a page number is close to the page's position in the document
                if abs(number - index) <= max(5, index // 5):
                    numbered.setdefault(_normalise(a), []).append(number)
    threshold = max(3, int(0.3 * len(page_lines)))
    repeated = {k for k, c in counts.items() if c >= threshold and len(k) < 120}
    repeated |= {
        k
        for k, numbers in numbered.items()
        if len(numbers) >= 2 and numbers == sorted(set(numbers)) and len(k) < 160
    }
    return {k for k in repeated if not is_heading_line(k.upper())}


def _drop_margin_page_numbers(lines: list[str]) -> list[str]:
    """Drop bare page numbers in the first or last two text lines of a page."""
    idx = [i for i, ln in enumerate(lines) if ln]
    margin = set(idx[:2] + idx[-2:])
    return [ln for i, ln in enumerate(lines) if not (i in margin and _PAGE_NUMBER.match(ln))]


def _join_lines(lines: list[str]) -> str:
    """Rejoin wrapped lines into paragraphs; keep bullets and headings on their own line."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line == "":
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        current = paragraphs[-1]
        if current and _continues(current[-1], line):
            current[-1] = _glue(current[-1], line)
        else:
            current.append(line)
    return "\n\n".join("\n".join(p) for p in paragraphs if p).strip()


def _continues(prev: str, line: str) -> bool:
    """Whether ``line`` continues the wrapped line ``prev``."""
    if _BULLET.match(line) or is_heading_line(line):
        return False
    if prev.endswith("-") and len(prev) > 1:
        return True
    if is_heading_line(prev):
        return False
    first = line[0]
    if _BULLET.match(prev) and first.isupper():
        return False
    if _LABELLED.match(prev) and _LABELLED.match(line):
        return False  # « Objectif chapeau : … » then « 5 priorités nationales : … »: two fields
    if prev.endswith(":") and _BARE_VALUE.match(line):
        return True  # « Objectif 2029 : » then « 926 »: the label's value
    if first.islower() or first in "(«\"'’,;:)»%€":
        return True
    return not _TERMINAL.search(prev)


_LABELLED = re.compile(r"^[\W_]*[A-ZÀ-Ý0-9][^:.;!?]{0,50}?\s:(?:\W|$)")
"""A line that opens on a short label and its colon (« Partenaires : », « 3 axes : »)."""


_BARE_VALUE = re.compile(r"^[+<>≥≤-]?\s?\d[\d\s.,]*\s?(?:%|€|k€)?\s*$")
"""A line that is only a figure (« 926 », « + 5 % »)."""


def _glue(prev: str, line: str) -> str:
    """Join two wrapped lines, undoing an end-of-line hyphenation ("l'en-" + "semble")."""
    if prev.endswith("-") and len(prev) > 1:
        before = prev[-2]
        if before.isalpha() and line[:1].islower():
            return prev[:-1] + line
        return prev + line
    return f"{prev} {line}"


_HEADING = re.compile(
    r"""^(?:
        (?:PARTIE|Partie|ANNEXE|Annexe|TITRE|Titre|CHAPITRE|Chapitre)\s+[0-9IVX]+\b
      | (?:PRÉAMBULE|Préambule|PREAMBULE|Introduction|INTRODUCTION|Conclusion|CONCLUSION)\b
      | Article\s+\d+
      | FICHE\s+METHODOLOGIQUE
      | Fiche\s+pratique\s+[A-Z]\d
      | \d{1,2}(?:\.\d{1,2}){0,3}\.?\s+[A-ZÉÈÀÂÎÔÛÇ«]
    )""",
    re.VERBOSE,
)


_MONTH = re.compile(
    r"^\d{1,2}\s+(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|"
    r"octobre|novembre|décembre|decembre)\b",
    re.IGNORECASE,
)


def is_heading_line(line: str) -> bool:
    """Return whether ``line`` opens a part (PARTIE n, ANNEXE n, Article n, 1.4 TITRE…)."""
    s = line.strip()
    if not s or len(s) > 120 or _HEADING.match(s) is None:
        return False
    if re.match(r"^\d", s):
        if _MONTH.match(s):
            return False
        # numbered parts: short, not a sentence, not a figure ("30 fiches méthodologiques…")
        words = s.split()
        if len(words) > 16 or s.endswith((".", ";", ",")):
            return False
        numbered = re.match(r"^(?:[1-9]\d?\.|[1-9]\d?(?:\.\d{1,2}){1,3}\.?)\s+(\S+)", s)
        return (
            numbered is not None
            and len(numbered.group(1).strip("«»()")) >= 2
            and ("." in words[0] or len(words) <= 10)
        )
    return True
