"""Texting shorthand written out before a question is read."""

from __future__ import annotations

import pytest

from assistant.text.informal import written


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("c quoi la date limite ?", "c'est quoi la date limite ?"),
        ("OS 7 c juste oui ou non ?", "OS 7 c'est juste oui ou non ?"),
        ("C combien la pénalité ?", "c'est combien la pénalité ?"),
        ("ya un modèle de convention ?", "il y a un modèle de convention ?"),
        ("pk l'ARS demande ça ?", "pourquoi l'ARS demande ça ?"),
        ("c koi le BJML", "c'est quoi le BJML"),
        # a letter that names something stays
        ("l'annexe C du guide", "l'annexe C du guide"),
        ("le cas c est rare", "le cas c est rare"),
    ],
)
def test_shorthand_is_written_out_and_names_stay(typed: str, read: str) -> None:
    assert written(typed) == read
