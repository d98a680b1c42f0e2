"""Spreadsheet formula injection: text cells a spreadsheet would run as a formula.

A justification such as ``=HYPERLINK("http://…")`` or ``@SUM(…)`` written into a CSV or XLSX
file would run as a formula when an ARS referent opens the file. Both writers ask
`starts_like_formula` and keep such a cell as text: the XLSX writer stores it as a string
with Excel's quote prefix, the CSV writer adds a leading apostrophe (OWASP "CSV injection"),
which the CSV reader removes again so that a draft survives a round trip unchanged.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP list)."""

TEXT_MARK = "'"
"""The apostrophe spreadsheets read as "this cell is text"."""

NUMBER = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$|^[+-]?\d+(?:[.,]\d+)?$")
"""A plain number as a French or English spreadsheet writes it (``-1 200,5``, ``+3.2``)."""


def starts_like_formula(value: object) -> bool:
    """Return True for text a spreadsheet would evaluate as a formula.

    A plain signed number such as ``"-5"`` or ``"-1 200,5"`` is not a formula: it stays a
    number in the file.
    """
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not NUMBER.match(value.strip())
    )


def _marked(text: str) -> bool:
    """True when ``text`` is apostrophes followed by formula-like text (a neutralised cell)."""
    rest = text.lstrip(TEXT_MARK)
    return rest != text and starts_like_formula(rest)


def neutralise_formula(value: object) -> object:
    """Return ``value`` with a leading apostrophe when it is formula-like text (for CSV).

    Text that already reads as a neutralised cell (``'=…``) gets one more apostrophe, so that
    `restore_formula` gives back exactly the text written.
    """
    if isinstance(value, str) and (starts_like_formula(value) or _marked(value)):
        return TEXT_MARK + value
    return value


def restore_formula(text: str) -> str:
    """Undo `neutralise_formula` on a cell read from a CSV file."""
    return text[1:] if _marked(text) else text


__all__ = [
    "FORMULA_TRIGGERS",
    "NUMBER",
    "TEXT_MARK",
    "neutralise_formula",
    "restore_formula",
    "starts_like_formula",
]
