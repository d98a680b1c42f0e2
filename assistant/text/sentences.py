"""The sentence splitter: one cut of a text into sentences, used to index and to answer.

A sentence ends at ``.``, ``!`` or ``?`` followed by a capital, a digit, a quote or a bullet
(so "2.5", "art. 3" and "cf. la fiche" do not end one), or at ``;`` followed by a capital, a
quote or a bullet (« … de la DGOS ; 30% du financement … » goes on); every line is a bound too (list
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
MAX_STOPPED_WORDS = 120
"""A sentence that ends on a stop is kept whole up to this many words."""
_STOPPED = re.compile(r"[.!?][»\")\]]*\s*$")
MIN_INDEXED_WORDS = 4
"""Shorter pieces (headings, cells) get no sentence vector of their own."""

_NOT_ABBREVIATION = r"(?<!\b[A-Z]\.)(?<!\b[Aa]rt\.)"
_SENTENCE_END = re.compile(
    rf"(?<=[.!?]){_NOT_ABBREVIATION}\s+(?=[«\"(A-ZÀ-ÖØ-Þ0-9•➢\-–])"
    rf"|(?<=;)\s+(?=[«\"(A-ZÀ-ÖØ-Þ•➢\-–])"
    rf"|(?<=[.!?]){_NOT_ABBREVIATION}\s+(?=[a-zà-ÿ])"
)
"""A sentence's end; not after an initial or « Art. » (« l'article R. 6114-9 », « Art. R. »)."""
_BULLET = re.compile(r"^\s*(?:[-–•➢▪◦*]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"\S+")
_ENDS = re.compile(r"[.!?»:)]\s*$")


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


MID_SENTENCE = re.compile(
    r"\b(?:à|de|des|du|sur|par|pour|avec|et|ou|le|la|les|l'|l’|un|une|au|aux|son|sa|ses|"
    r"leur|leurs|ce|cette|ces)\s*$",
    re.IGNORECASE,
)
"""A line ending on a preposition, an article or « et » stops mid-sentence (a PDF line break):
the next line goes on with it."""
_GOES_ON = re.compile(rf",[*_]*\s*$|{MID_SENTENCE.pattern}", re.IGNORECASE)
"""A line that goes on into the next: it ends on a comma (inside emphasis too: « *Le
secrétaire général par intérim,* » goes on with the name that signs) or mid-sentence."""


def _lines(text: str, start: int) -> list[tuple[int, str]]:
    """The lines of ``text[start:]`` with their offsets; a line that stops mid-sentence goes on.

    « … des structures telles que des GCS,⏎GIP ou GIE. » and « … les recettes historiques de⏎
    2022 par le biais … » are sentences that the PDF broke; a bullet after the break starts an
    item of its own.
    """
    out: list[tuple[int, str]] = []
    for match in re.finditer(r"[^\n]+", text[start:]):
        line_start, line = start + match.start(), match.group(0)
        if out and _GOES_ON.search(out[-1][1]) and not _BULLET.match(line):
            first_start = out[-1][0]
            out[-1] = (first_start, text[first_start : line_start + len(line)])
        else:
            out.append((line_start, line))
    return out


def _inside_brackets(before: str, after: str) -> bool:
    """Whether a stop falls inside brackets that close later on its line.

    « (142 en 2021 ; 137 en 2023) » is one sentence's aside, not two sentences.
    """
    if before.count("(") <= before.count(")"):
        return False
    close, reopen = after.find(")"), after.find("(")
    return close >= 0 and (reopen < 0 or close < reopen)


def sentence_spans(text: str, *, start: int = 0) -> list[SentenceSpan]:
    """Cut ``text[start:]`` into sentences, bullet lines and (for long runs) word windows."""
    spans: list[tuple[int, int]] = []
    for line_start, line in _lines(text, start):
        cursor = 0
        for stop in _SENTENCE_END.finditer(line):
            if _inside_brackets(line[cursor : stop.start()], line[stop.end() :]):
                continue
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
            out.append(
                # a line that went on (see `_lines`) reads as one line
                SentenceSpan(
                    s, s + len(piece), piece.replace("\n", " "), continued=i < len(windows) - 1
                )
            )
    return out


def split_sentences(text: str, *, min_words: int = 1, whole: bool = False) -> list[str]:
    """The sentences of ``text`` (see :func:`sentence_spans`) of at least ``min_words`` words.

    With ``whole``, the word windows of a long run are joined back into the run.
    """
    out: list[str] = []
    joining = False
    for span in sentence_spans(text):
        if joining:
            out[-1] += " " + span.text
        else:
            out.append(span.text)
        joining = whole and span.continued
    return [s for s in out if len(s.split()) >= min_words]


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


def as_item(text: str) -> str:
    """A list item as French writes it after a colon or a « ; »: in lower case.

    « Qualité de l'air intérieur » becomes « qualité de l'air intérieur », so that the list reads
    as one sentence; an item opening on an acronym (« CDU ») or a name (« Cindy PERRICHET »)
    keeps its capital.
    """
    words = text.split(maxsplit=2)
    if not words or not (words[0][:1].isupper() and words[0][1:2].islower()):
        return text
    if len(words) > 1 and words[1].isupper() and len(words[1]) > 1:
        return text  # a person's name: first name, then surname in capitals
    return text[:1].lower() + text[1:]


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a long span into windows of about ``MAX_SENTENCE_WORDS / 2`` words."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    if len(words) <= MAX_SENTENCE_WORDS:
        return [(start, end)]
    if len(words) <= MAX_STOPPED_WORDS and _STOPPED.search(text[start:end]):
        return [(start, end)]  # a long sentence, not a run without a stop
    size = MAX_SENTENCE_WORDS // 2
    return [
        (words[i : i + size][0][0], words[i : i + size][-1][1]) for i in range(0, len(words), size)
    ]


MAX_LIST_ITEMS = 6
"""A quote ending on a colon brings the list it introduces: this many items at most."""
MAX_LIST_WORDS = 70


def whole_quote(text: str, start: int, end: int, *, body: int = 0) -> str:
    """The whole sentences of ``text`` that hold ``text[start:end]``, as a quote.

    A quote is never cut mid-sentence; one that ends on a colon brings the list it introduces
    (its items, the middle ones left out with « … » when the list is long, never the last).

    Args:
        text: the passage's text.
        start: where the quoted words start in ``text``.
        end: where they end.
        body: where the passage's body starts (its heading line is never quoted).
    """
    spans = sentence_spans(text, start=body)
    inside = [s for s in spans if s.end > start and s.start < end] or [
        s for s in spans if s.start >= start
    ][:1]
    if not inside:
        return " ".join(text[start:end].split())
    first, last = inside[0], inside[-1]
    before = [s for s in spans if s.end <= first.start]
    # a line that goes on from the previous one (« … qui portera » / « sur trois axes. »)
    while before and first.text[:1].islower() and not _ENDS.search(before[-1].text):
        first = before.pop()
    following = [s for s in spans if s.start >= last.end]
    steps = 0
    while (
        following
        and steps < 4
        and (
            last.continued
            # a sentence that goes on at the next line, in lower case (not a heading, not a list)
            or (not _ENDS.search(last.text) and following[0].text[:1].islower())
        )
    ):
        last = following.pop(0)
        steps += 1
    quote = text[first.start : last.end]
    if quote.rstrip().endswith(":"):
        items = _list_items([s for s in spans if s.start >= last.end][:40])
        if len(items) > MAX_LIST_ITEMS or sum(s.words for s in items) > MAX_LIST_WORDS:
            head = items[: MAX_LIST_ITEMS // 2]
            quote = f"{text[first.start : head[-1].end]} … {items[-1].text}"
        elif items:
            quote = text[first.start : items[-1].end]
    return " ".join(quote.split())


def _list_items(following: list[SentenceSpan]) -> list[SentenceSpan]:
    """The items of the list a colon introduces, up to the item that closes it.

    An item is a bulleted line, or a line that ends on « , », « ; » or « : » or without a stop;
    the list ends with the first item ending on a full stop, or before a plain sentence.
    """
    taken: list[SentenceSpan] = []
    for item in following:
        text = item.text.rstrip()
        closes = text.endswith((".", "!", "?"))
        if taken and closes and not _BULLET.match(text):
            break  # a plain sentence after the list
        taken.append(item)
        if closes:
            break
    return taken
