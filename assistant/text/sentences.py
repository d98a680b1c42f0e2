"""The sentence splitter: one cut of a text into sentences, used to index and to answer.

A sentence ends at ``.``, ``!``, ``?`` or ``;`` followed by a capital, a digit, a quote or a
bullet (so "2.5", "art. 3" and "cf. la fiche" do not end one); every line is a bound too (list
items, table rows); a run of more than ``MAX_SENTENCE_WORDS`` words without a stop (a table, a
list without punctuation) is cut into overlapping-free windows of half that size. Each piece
keeps its offsets in the text, so that a quote can be widened back to its whole sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.french import fold

MAX_SENTENCE_WORDS = 60
"""A longer "sentence" (a table row run, a list without stops) is cut into windows."""
MIN_INDEXED_WORDS = 4
"""Shorter pieces (headings, cells) get no sentence vector of their own."""

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[«\"(A-ZÀ-ÖØ-Þ0-9•➢\-–])|(?<=[.!?])\s+(?=[a-zà-ÿ])")
_BULLET = re.compile(r"^\s*(?:[-–•➢▪◦*]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence (or a bullet line, or a word window) of a text, with its offsets."""

    start: int
    end: int
    text: str
    continued: bool = False
    """A word window of a longer run, continued by the next span."""

    @property
    def words(self) -> int:
        """Number of words."""
        return len(self.text.split())


def sentence_spans(text: str, *, start: int = 0) -> list[SentenceSpan]:
    """Cut ``text[start:]`` into sentences, bullet lines and (for long runs) word windows."""
    spans: list[tuple[int, int]] = []
    for line_match in re.finditer(r"[^\n]+", text[start:]):
        line_start = start + line_match.start()
        line = line_match.group(0)
        cursor = 0
        for stop in _SENTENCE_END.finditer(line):
            spans.append((line_start + cursor, line_start + stop.start()))
            cursor = stop.end()
        spans.append((line_start + cursor, line_start + len(line)))
    out: list[SentenceSpan] = []
    for span_start, span_end in spans:
        windows = _windows(text, span_start, span_end)
        for i, (s, e) in enumerate(windows):
            piece = text[s:e].strip()
            if len(piece) < 3:
                continue
            s += len(text[s:e]) - len(text[s:e].lstrip())
            out.append(SentenceSpan(s, s + len(piece), piece, continued=i < len(windows) - 1))
    return out


def split_sentences(text: str, *, min_words: int = 1) -> list[str]:
    """The sentences of ``text`` (see :func:`sentence_spans`) of at least ``min_words`` words."""
    return [s.text for s in sentence_spans(text) if s.words >= min_words]


def body_offset(text: str, section: str) -> int:
    """Where a chunk's body starts: its first line repeats the section path."""
    first, sep, _ = text.partition("\n")
    if sep and fold(first.strip()) == fold(section.strip()):
        return len(first) + 1
    return 0


def chunk_body(text: str, section: str) -> str:
    """A chunk's text without its heading-path line."""
    return text[body_offset(text, section) :]


def strip_bullet(text: str) -> str:
    """A sentence without its list bullet ("- ", "• ", "➢ ", "1. ")."""
    return _BULLET.sub("", text, count=1)


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a long span into windows of about ``MAX_SENTENCE_WORDS / 2`` words."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    if len(words) <= MAX_SENTENCE_WORDS:
        return [(start, end)]
    size = MAX_SENTENCE_WORDS // 2
    return [
        (words[i : i + size][0][0], words[i : i + size][-1][1]) for i in range(0, len(words), size)
    ]
