"""Texting shorthand written out, so that a question is read as if written in full.

Staff write « c quoi la deadline ? », « c koi l'OS 4 ? », « ya une cible ? », « pk ? »: the
question's words are read (intent, answer type, refusal) in their written form, « c'est quoi
la deadline ? ». The question shown to the user stays as typed.
"""

from __future__ import annotations

import re

_SHORTHAND: tuple[tuple[re.Pattern[str], str], ...] = (
    # « c quoi », « c combien », « c juste un oui/non » : a lone « c » before a word
    (
        re.compile(
            r"(?:(?<![\w'’-])c|^C)(?= (?:quoi|koi|qui|quand|combien|comment|quel\w*|lequel|"
            r"laquelle|juste|pas|obligatoire\w*|possible|normal|valable|bon)\b)"
        ),
        "c'est",
    ),
    (re.compile(r"(?<![\w'’-])(?:ya|y'a|y’a)(?![\w'’-])", re.IGNORECASE), "il y a"),
    (re.compile(r"(?<![\w'’-])koi(?![\w'’-])", re.IGNORECASE), "quoi"),
    (re.compile(r"(?<![\w'’-])(?:pk|pq|pourkoi)(?![\w'’-])", re.IGNORECASE), "pourquoi"),
    (re.compile(r"(?<![\w'’-])qd(?![\w'’-])", re.IGNORECASE), "quand"),
    (re.compile(r"(?<![\w'’-])cmb(?![\w'’-])", re.IGNORECASE), "combien"),
    (re.compile(r"(?<![\w'’-])bcp(?![\w'’-])", re.IGNORECASE), "beaucoup"),
)


def written(question: str) -> str:
    """``question`` with its texting shorthand written out (« c quoi » -> « c'est quoi »)."""
    for pattern, full in _SHORTHAND:
        question = pattern.sub(full, question)
    return question
