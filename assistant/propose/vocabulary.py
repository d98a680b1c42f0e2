"""The words priorities and fiches are matched on, and how a fiche names an activity.

Stems (``assistant.text.french.tokenize``) cut to ``STEM_CHARS`` characters, so that
« spécialistes » meets « spécialisées »; the « télé- » words of telehealth share one word, as do
the « cyber- » words; a few names establishments write for what the fiches name otherwise
(« EHPAD » for « ESMS PA ») bring the fiche's words along.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.text.french import tokenize

STEM_CHARS = 7

# « télé- » words of telehealth (télésanté, téléconsultation, télépsychiatrie…) share the word
# « tele »; the others (téléphone, télétravail…) keep their own. « cyber- » words likewise
# (« cybersécurité » meets « cyber-attaque »).
_TELE = re.compile(r"^tele(?!phon|travail|vision|charg|com|transmi)[a-z]{3,}")
_CYBER = re.compile(r"^cyb(?:er)?(?:[a-z]*)$")
# What an establishment writes for what a fiche names otherwise (folded words added to a clause):
# an EHPAD or a SSIAD is an ESMS for the elderly (« ESMS PA-PH », CPOM_CT_4); « HAD » is
# « hospitalisation à domicile » (HPR_4_3 « orientés vers l'HAD »).
_SYNONYMS: dict[str, str] = {
    "had": "hospitalisation domicile",
    "ehpad": "esms pa",
    "ssiad": "esms pa",
    "esat": "esms ph",
    "mas": "esms ph",
    "fam": "esms ph",
}
# Folded-text patterns by which a fiche names an activity of the draft schema.
ACTIVITY_PATTERNS: dict[str, re.Pattern[str]] = {
    "medecine": re.compile(r"\bmedecine\b(?! (?:de ville|du travail|liberale|generale))|\bmco\b"),
    "chirurgie": re.compile(r"chirurgi(?!en)"),
    "obstetrique": re.compile(r"obstetri|perinat|maternite|post.?partum|accouchement"),
    "urgences": re.compile(r"\burgences\b|\bsau\b|soins non programmes"),
    "imagerie": re.compile(r"imagerie|radiolog|materiels? lourds|\birm\b|scanner"),
    "mammographie": re.compile(r"mammograph"),
    "had": re.compile(r"\bhad\b|hospitalisation a domicile"),
    "smr": re.compile(r"\bsmr\b|\bssr\b|readaptation"),
    "psychiatrie": re.compile(r"psychiatr|sante mentale"),
    "usld": re.compile(r"\busld\b|soins de longue duree"),
    "dialyse": re.compile(r"dialys|insuffisance renale"),
    "cancerologie": re.compile(r"cancer|oncolog|chimiotherap"),
}
# The words of each activity (folded French), as a priority writes them.
_ACTIVITY_WORDS: dict[str, str] = {
    "medecine": "médecine",
    "chirurgie": "chirurgie chirurgical",
    "obstetrique": "obstétrique",
    "urgences": "urgences",
    "imagerie": "imagerie",
    "mammographie": "mammographie",
    "had": "HAD",
    "smr": "SMR réadaptation",
    "psychiatrie": "psychiatrie",
    "usld": "USLD",
    "dialyse": "dialyse",
    "cancerologie": "cancérologie cancer",
}
# Activities a category implies even when the profile does not list them (scoring only).
CATEGORY_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "HAD": ("had",),
    "SMR": ("smr",),
    "psychiatrie": ("psychiatrie",),
    "CLCC": ("cancerologie",),
}


def words(text: str) -> list[str]:
    """The matching words of a text: stems cut to ``STEM_CHARS``, telehealth words as one."""
    out = []
    for token in tokenize(text):
        if _TELE.match(token):
            out.append("tele")
        elif _CYBER.match(token):
            out.append("cyber")
        else:
            out.append(token[:STEM_CHARS])
        if token in _SYNONYMS:
            out += words(_SYNONYMS[token])
    return out


def own_words(activities: Iterable[str], category: str) -> frozenset[str]:
    """The words by which an establishment names its own activities (and its category's)."""
    names = {*activities, *CATEGORY_ACTIVITIES.get(category, ())}
    found: set[str] = set()
    for name in names:
        found |= set(words(_ACTIVITY_WORDS.get(name, name)))
    return frozenset(found)


__all__ = ["ACTIVITY_PATTERNS", "CATEGORY_ACTIVITIES", "STEM_CHARS", "own_words", "words"]
