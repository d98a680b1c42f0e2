"""The parts of an indicator fiche: how a question asks for one, and how the fiche titles it.

One vocabulary for routing a question to the part of a fiche (answers) and for favouring that
part's passages (retrieval). Patterns read folded text (``assistant.text.french.fold``).
"""

from __future__ import annotations

import re
from typing import Literal

FichePart = Literal[
    "preuve", "cible", "calcul", "source", "frequence", "eligibilite", "pratiques", "definition"
]
PART_PATTERNS: list[tuple[FichePart, re.Pattern[str]]] = [
    (
        "preuve",
        re.compile(
            r"\b(preuves?|justificatifs?|justifier|prouver|fournit|fournir|"
            r"permet de dire|cible (?:est )?atteinte|pour repondre oui|faire valoir|"
            r"elements? de preuve|quoi envoyer|on envoie quoi)\b"
        ),
    ),
    (
        "calcul",
        re.compile(
            r"\b(calcul\w*|numerateur|denominateur|formule|mode de calcul|unite de mesure|"
            r"que mesure|mesure-t-il|comment se mesure|"
            r"on compte quoi|comment on compte|ca se calcule|se calcule)\b"
        ),
    ),
    (
        "cible",
        re.compile(
            r"\b(cibles?|viser|vise|atteindre|attendu|attendue|trajectoire|progress\w*|"
            r"augmenter|objectif chiffre|valeur a atteindre)\b"
        ),
    ),
    (
        "source",
        re.compile(
            r"\b(sources? des? donnees|source|recense\w*|base de donnees|d'ou viennent|"
            r"ou trouver les donnees|quelles donnees|extraction)\b"
        ),
    ),
    (
        "frequence",
        re.compile(r"\b(frequence|periodicite|collecte|recueil|tous les combien|a quel rythme)\b"),
    ),
    (
        "eligibilite",
        re.compile(
            r"\b(qui (?:peut|peuvent|est concerne|sont concernes|doit|choisit)|concerne|"
            r"concernes?|eligibles?|eligibilite|reserve|peut choisir|peut-on choisir|"
            r"ca concerne qui)\b"
        ),
    ),
    (
        "pratiques",
        re.compile(
            r"\b(bonnes? pratiques?|exemples? d'actions?|financements?|leviers?|"
            r"accompagnement financier)\b"
        ),
    ),
    (
        "definition",
        re.compile(
            r"\b(c'est quoi|qu'est-ce que|definition|de quoi s'agit|que signifie|"
            r"on repond comment|c'est un taux|quel type|type d'indicateur|declaratif|"
            r"quantitatif|mesure quoi)\b"
        ),
    ),
]
# "combien … chaque année / au total / à partir de 2027 / pour un CH": a target question.
_COUNT_TARGET = re.compile(
    r"\bcombien\b.*\b(chaque annee|par an|au total|minimum|a partir de|202\d|"
    r"lits|chu|ch|clinique)\b|\b(chaque annee|par an|au total)\b.*\bcombien\b"
)
# The fiche titles of each part (folded), as the 30 fiches write them: « 2. Description de
# l'objectif », « 3. Description de l'indicateur », « Cible 2025-2029 », « Source », « Modalités
# de suivi », « Bonnes pratiques ».
PART_SECTIONS: dict[FichePart, tuple[str, ...]] = {
    "cible": ("cible",),
    "calcul": ("description de l'indicateur", "type d'indicateur", "methode de calcul"),
    "definition": ("description de l'indicateur", "type d'indicateur", "methode de calcul"),
    "source": ("source",),
    "frequence": ("modalites de suivi",),
    "preuve": ("modalites de suivi",),
    "pratiques": ("bonnes pratiques",),
    "eligibilite": ("description de l'objectif", "contexte"),
}


def asked_parts(folded: str) -> list[FichePart]:
    """The fiche parts a (folded) question asks for, most specific first."""
    parts = [name for name, pattern in PART_PATTERNS if pattern.search(folded)]
    if "preuve" in parts:
        return [p for p in parts if p != "cible"]
    if "cible" not in parts and _COUNT_TARGET.search(folded):
        parts.insert(0, "cible")
    return parts
