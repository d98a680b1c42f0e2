"""Sentences of a chunk: the unit of the sentence-level dense scores (reranking, answers)."""

from __future__ import annotations

import re

MIN_WORDS = 4
MAX_WORDS = 60

# A sentence ends at . ! ? unless the dot is inside a number ("2.5") or an abbreviation
# followed by lower case ("art. l'…"); bullets and lines are sentence bounds too.
_SENTENCE = re.compile(r"(?:[^.!?]|\.(?=\d)|\.(?=\s*[a-zà-ÿ]))+[.!?»]*")


def chunk_body(text: str) -> str:
    """A chunk's text without its heading-path line."""
    return text.split("\n", 1)[1] if "\n" in text else text


def split_sentences(text: str) -> list[str]:
    """Split text into sentences of MIN_WORDS to MAX_WORDS words (longer ones are cut)."""
    out: list[str] = []
    for line in text.split("\n"):
        for match in _SENTENCE.finditer(line):
            words = match.group().strip().split()
            if len(words) < MIN_WORDS:
                continue
            for i in range(0, len(words), MAX_WORDS):
                piece = words[i : i + MAX_WORDS]
                if len(piece) >= MIN_WORDS or i == 0:
                    out.append(" ".join(piece))
    return out
