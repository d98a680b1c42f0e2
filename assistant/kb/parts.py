"""The parts of an indicator fiche: how a question asks for one, and how the fiche titles it.

One vocabulary for routing a question to the part of a fiche (answers) and for favouring that
part's passages (retrieval). Patterns read folded text (``assistant.text.french.fold``).
"""

from __future__ import annotations

import re
from typing import Literal

from assistant.text.french import CAMPAIGN_TOTAL

FichePart = Literal[
    "preuve", "cible", "calcul", "source", "frequence", "eligibilite", "pratiques", "definition"
]
PART_PATTERNS: list[tuple[FichePart, re.Pattern[str]]] = [
    (
        "preuve",
        re.compile(
            # « justifier l'atteinte », not « se justifier » nor « pour justifier d'éviter »
            r"\b(preuves?|justificati(?:fs?|ves?)|(?<!se )(?<!pour )justifier|prouver|fournir|"
            r"fournit(?! (?:les|des|ces) donnees)|"
            r"permet de dire|cible (?:est )?atteinte|(?:atteint|atteindre) la cible|"
            r"pour repondre oui|faire valoir|"
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
            # « on vise quoi » asks a target; « l'indicateur vise à », « vise-t-il » its aim
            r"\b(cibles?|viser|vise(?!-t-| a\b| au\b| surtout\b)|atteindre|attendu(?:e|s|es)?|"
            r"trajectoire|progress\w*|"
            r"augmenter|augmentation|objectif chiffre|valeur a atteindre|"
            # « total sur 5 ans ? », « quel total 2025-2029 », « en cumulé »: the table's total
            # (not « d'ici 2029 » alone, which says by when, nor « le total des actions »)
            r"au total|total sur|quel total|cumul\w*|sur (?:les )?(?:5|cinq) ans)\b"
        ),
    ),
    (
        "source",
        re.compile(
            r"\b(sources? des? donnees|source|recense\w*|bases? de donnees|d'ou viennent|"
            r"(?:qui )?fourni\w* (?:les|des|ces) donnees|donnees (?:sont )?fournies|"
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
            r"(?:peut|peuvent|pouvons|peut-(?:il|elle|on)|peuvent-(?:ils|elles)) (?:nous )?"
            r"(?:le |la |l'|les )?(?:prendre|retenir|choisir|selectionner)|"
            r"ca concerne qui)\b"
        ),
    ),
    (
        "pratiques",
        re.compile(
            r"\b(bonnes? pratiques?|exemples? d'actions?|financements?|leviers?|"
            r"accompagnement financier|"
            r"actions? (?:conseillees?|recommandees?|possibles?|a mener|"
            r"a mettre en (?:oeuvre|place))|"
            r"idees? d'actions?)\b"
        ),
    ),
    (
        "definition",
        re.compile(
            # « c'est quoi la moyenne régionale 2024 ? » asks a value, not what a thing is
            r"\b(c'est quoi(?! (?:le |la |l')?(?:moyenne|valeur|cible|date|deadline|montant|"
            r"nombre|chiffre|seuil|plafond|delai|duree|total)\b)|qu'est-ce que|definition|"
            r"de quoi s'agit|que signifie|"
            r"on repond comment|c'est un taux|quel type|type d'indicateur|declaratif|"
            r"quantitatif|mesure quoi|chiffre ou|oui ?/ ?non|binaire)\b"
        ),
    ),
]
# "combien … chaque année / au total / à partir de 2027 / pour un CH / on doit": a target question.
_COUNT_TARGET = re.compile(
    rf"\bcombien\b.*\b(chaque annee|par an|au total|minimum|a partir de|202[5-9]|"
    rf"lits|chu|ch|clinique|on doit|doit-on|on vise|{CAMPAIGN_TOTAL})\b|"
    rf"\b(chaque annee|par an|{CAMPAIGN_TOTAL})\b.*"
    r"\bcombien\b"
    r"|\bquel(?:le)? (?:%|pourcentage|taux|valeur|niveau)(?!\w).*\b202[5-9]\b"
)
_OBSERVED = re.compile(
    r"\b(?:etaient|etait|ont ete|a ete|avaient|avait|comptait|comptaient|existaient)\b|"
    r"\bau \d{1,2}(?:er)? (?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|"
    r"octobre|novembre|decembre) 20\d\d\b"
)
"""« combien … étaient actifs au 15 mars 2025 ? »: a figure observed, not a target to reach."""
_YEAR_TASK = re.compile(
    r"\b202[5-9]\b.{0,40}\b(?:faire quoi|on fait quoi|fait quoi|(?:il )?faut (?:faire|avoir fait)|"
    r"faut-il (?:realiser|faire|mettre en place)|"
    r"(?:il )?faut quoi|"
    r"quoi faire|qu'est-ce qu'on doit|on doit faire|qu'est-ce qui est (?:attendu|prevu))"
    r"|\b(?:faire quoi|fait quoi|quoi faire|faut (?:avoir )?(?:fait )?quoi|qu'est-ce qui est "
    r"(?:attendu|prevu)|que faut-il (?:realiser|faire|mettre en place)|qu'est-ce qui est "
    r"(?:attendu|prevu)|qu'est-ce qu'on doit faire)\b.{0,40}\b202[5-9]\b"
)
"""« en 2027 il faut faire quoi ? »: what a campaign year's cell of the target table says."""
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


_EXPECTED = re.compile(r"\battendu(?:e|s|es)?\b")
"""« quelles sources sont attendues »: expected, said of the thing another part names."""


def asked_parts(folded: str) -> list[FichePart]:
    """The fiche parts a (folded) question asks for, most specific first."""
    parts = [name for name, pattern in PART_PATTERNS if pattern.search(folded)]
    target = dict(PART_PATTERNS)["cible"]
    named = {"source", "frequence", "calcul", "pratiques"}.intersection(parts)
    if "cible" in parts and named and not target.search(_EXPECTED.sub(" ", folded)):
        # « quelles sources de données sont attendues ? » asks the sources, not the target
        parts.remove("cible")
    if "preuve" in parts:
        parts = [p for p in parts if p != "cible"]
        task = _YEAR_TASK.search(folded)
        if task:  # « que faut-il réaliser en 2026 et quel élément de preuve ? »: both
            proof = PART_PATTERNS[0][1].search(folded)
            parts.insert(0 if proof is None or task.start() < proof.start() else 1, "cible")
        return parts
    if "cible" not in parts and (
        (_COUNT_TARGET.search(folded) and not _OBSERVED.search(folded)) or _YEAR_TASK.search(folded)
    ):
        parts.insert(0, "cible")
    return parts


# Labelled fields inside a fiche (« • Partenaires : DDARS, établissements, ORU », « Participants :
# au moins un cadre… », « Critères d'inclusion … »): how a question asks for one, and the
# labels (folded) the fiches give it. The fiche template of the guide's Annexe 6 lists them.
FIELD_PATTERNS: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    "partenaires": (
        re.compile(
            r"\b((?<!combien de )partenaires?|qui (?:peut|pourrait|pourra|va|doit)?\s*(?:nous )?"
            r"(?:accompagn\w*|aider|appuyer|soutenir)|qui contacter|a qui s'adresser|"
            r"(?:quels? |quel )?organismes?|qui nous accompagne)\b"
        ),
        ("partenaires",),
    ),
    "pilotage": (
        re.compile(r"\b(qui pilote\w*|pilotage|pilote(?:nt)? (?:le|la|les)|qui coordonne)\b"),
        ("pilotage et suivi de la mise en oeuvre", "pilotage"),
    ),
    "participants": (
        # « qui doit au minimum participer »; « le nombre de participants » is a count to report,
        # not who takes part
        re.compile(
            r"\b((?<!nombre de )participants?|qui (?:doit|doivent)(?: \w+){0,2} participer|"
            r"qui participe\w*)\b"
        ),
        ("participants",),
    ),
    "exclusion": (
        re.compile(
            r"\b(exclu\w*|criteres?(?! d'inclusion)|ne comptent? pas|pas pris en compte|ca compte|"
            r"comptent? pour)\b"
        ),
        ("criteres : d'exclusion", "criteres d'exclusion"),
    ),
    "inclusion": (
        re.compile(
            r"\b(criteres? d'inclusion|inclu(?:s|se|ses|re)?|ca compte|comptent? pour|"
            r"pris(?:e|es)? en compte|criteres?(?! d'exclusion))\b"
        ),
        ("criteres d'inclusion",),
    ),
    "reponse": (
        # « on répond comment ? », « on le code comment ? »: how the value is entered
        re.compile(
            r"\b(type de reponse|(?:on )?(?:y )?repond(?:re)? comment|comment (?:on )?(?:y )?"
            r"repond\w*|(?:on )?(?:le )?code comment|comment (?:on )?(?:le )?cod\w*)\b"
        ),
        ("type de reponse",),
    ),
    "suivi": (
        re.compile(
            r"\b(modalites? de suivi|comment (?:est (?:assure|fait)|se fait|on fait) le suivi|"
            r"suivi (?:dans|sur|via) e-?cars|reporting|support de suivi)\b"
        ),
        ("modalite de suivi evaluation", "modalite de suivi", "support de suivi"),
    ),
}


def asked_fields(folded: str) -> list[str]:
    """The labelled fiche fields a (folded) question asks for, in the vocabulary's order."""
    return [name for name, (pattern, _) in FIELD_PATTERNS.items() if pattern.search(folded)]
