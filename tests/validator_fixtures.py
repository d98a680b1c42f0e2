"""Fixtures and draft builders shared by tests/test_drafts.py and tests/test_rules.py.

Imported explicitly by those test files (not through conftest.py) so that other test modules
are not affected. Drafts are built here as plain trees, the way a user's JSON file reads.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from assistant.kb import KnowledgeBase, load_kb
from assistant.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
RULES_FILE = CORPUS / "rules" / "occitanie-2025-2029.yaml"

GUIDE_JUSTIFICATION = (
    "Ce choix prolonge le projet médical partagé du territoire et répond aux priorités du "
    "projet régional de santé ; l'établissement dispose déjà d'une équipe identifiée, d'un "
    "pilotage trimestriel en direction et d'un suivi annuel des résultats présenté aux "
    "instances, ce qui rend la trajectoire proposée réaliste sur la durée du contrat."
)

# A public CH of the Haute-Garonne (FINESS EJ 31…), member of a GHT, not an hôpital de
# proximité, with the usual MCO activities.
ESTABLISHMENT: dict[str, Any] = {
    "raison_sociale": "Centre hospitalier de Saint-Exemple",
    "finess_ej": "310000123",
    "statut": "public",
    "categorie": "CH",
    "lits": 350,
    "membre_ght": True,
    "hopital_proximite": False,
    "activites": ["medecine", "chirurgie", "obstetrique", "urgences", "imagerie"],
}

# The guide's minimum: 2 of the 8 cooperation indicators and 6 of the 22 others (8 in all).
BASE_CODES: tuple[str, ...] = (
    "CPOM_CT_2",
    "CPOM_CT_4",
    "CPOM_OS_3",
    "CPOM_OS_6",
    "CPOM_OS_9",
    "CPOM_OS_18",
    "CPOM_OS_20",
    "CPOM_OS_21",
)
# Two more, for the guide's maximum of 10.
EXTRA_CODES: tuple[str, ...] = ("CPOM_CT_6", "CPOM_OS_22")

YEARS = ("2025", "2026", "2027", "2028", "2029")
HPR_YEARS = ("2025", "2026", "2027")


def rising(start: int = 0, step: int = 3, *, years: tuple[str, ...] = YEARS) -> dict[str, int]:
    """Targets that grow every year, from ``start`` by ``step``."""
    return {year: start + step * (i + 1) for i, year in enumerate(years)}


def line(
    code: str,
    *,
    baseline: Any = 0,
    targets: dict[str, Any] | None = None,
    justification: str | None = GUIDE_JUSTIFICATION,
    years: tuple[str, ...] = YEARS,
) -> dict[str, Any]:
    """One indicator line: baseline 0, targets 3, 6, 9, 12, 15 (above every fiche's figure
    for the base establishment), and a justification of more than 30 words."""
    return {
        "code": code,
        "valeur_initiale": baseline,
        "cibles": rising(years=years) if targets is None else targets,
        "justification": justification,
    }


def yes_no_line(code: str) -> dict[str, Any]:
    """A declarative indicator reached in 2026."""
    return line(
        code,
        baseline="non",
        targets={"2025": "non", "2026": "oui", "2027": "oui", "2028": "oui", "2029": "oui"},
    )


def draft(
    codes: tuple[str, ...] = BASE_CODES,
    *,
    hpr: list[dict[str, Any]] | None = None,
    **establishment: Any,
) -> dict[str, Any]:
    """A draft tree in the JSON form, valid unless the caller changes it."""
    return {
        "campagne": "occitanie-2025-2029",
        "date": "2025-07-01",
        "etablissement": {**copy.deepcopy(ESTABLISHMENT), **establishment},
        "indicateurs": [line(code) for code in codes],
        "indicateurs_hpr": hpr or [],
    }


def hpr_line(code: str) -> dict[str, Any]:
    """One HPR line (2024 baseline, 2025-2027 targets)."""
    return line(code, years=HPR_YEARS)


# One indicator on each of the 6 HPR objectives: the starred ones (1, 3, 4, 5) and 2, 6.
HPR_SIX: tuple[str, ...] = ("HPR_1_1", "HPR_2_1", "HPR_3_2", "HPR_4_5", "HPR_5_1", "HPR_6_1")


def proximity_draft(hpr_codes: tuple[str, ...] = HPR_SIX) -> dict[str, Any]:
    """An hôpital de proximité with a strategic annex and an HPR annex."""
    return draft(
        hpr=[hpr_line(code) for code in hpr_codes],
        hopital_proximite=True,
        lits=60,
        activites=["medecine", "imagerie"],
    )


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The knowledge base built from the corpus."""
    return load_kb(CORPUS)


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The Occitanie 2025-2029 rules file."""
    return load_rules(RULES_FILE)


# Justifications that a referent would accept: each names its 2024 starting point, a dated
# action and who carries it, and no two say the same thing (JUST-CONTENT, JUST-DUPLICATE).
WRITTEN: tuple[str, ...] = (
    "En 2024, deux conventions liaient déjà l'établissement à la clinique voisine ; la "
    "direction médicale en signera une troisième en 2026 pour la chirurgie ambulatoire.",
    "L'état des lieux de 2024 recense peu de partenariats avec les EHPAD du secteur ; "
    "l'équipe mobile de gériatrie organisera des visites communes dès le printemps 2025.",
    "Le constat de départ montre une prévention limitée aux seuls vaccins ; le service de "
    "santé publique lancera en 2025 des ateliers nutrition avec la CPTS.",
    "Aucun programme d'éducation thérapeutique n'était autorisé fin 2024 ; une infirmière "
    "coordinatrice déposera le dossier diabète en 2026 avec l'appui du réseau régional.",
    "Le diagnostic initial compte quelques téléconsultations en cardiologie ; le DIM et le "
    "pôle médecine équiperont trois salles en septembre 2025.",
    "À ce jour un exercice annuel de crise est joué ; la cellule de gestion des risques "
    "ajoutera un scénario cyber en mars 2026 avec le GHT.",
    "En 2024 la communication RH tenait au seul site internet ; la DRH publiera une "
    "campagne vidéo sur les réseaux sociaux en 2025, budget de 8 000 euros.",
    "Le bilan social 2024 relève un absentéisme élevé ; le comité QVCT déploiera des "
    "horaires aménagés en 2025 puis un espace de repos en 2027.",
    "Valeur initiale 2024 : un protocole de coopération ; la direction des soins formera "
    "deux infirmières en pratique avancée en 2026.",
    "Constat 2024 : l'établissement participe à une étude multicentrique ; la cellule de "
    "recherche clinique recrutera un attaché de recherche (0,5 ETP) en 2025.",
    "Le recueil 2024 montre des consultations avancées limitées à la cardiologie ; le CH "
    "de référence détachera un pneumologue deux jours par mois dès 2025.",
    "Aujourd'hui les médecins de ville ne siègent à aucune instance ; la commission "
    "médicale invitera deux généralistes de la CPTS à partir de juin 2025.",
    "Le taux 2024 d'entrées directes reste faible ; une ligne d'avis gériatrique ouverte "
    "aux médecins traitants fonctionnera en janvier 2026, portée par le cadre de santé.",
    "En 2024 quelques visites à domicile ont eu lieu ; l'infirmière de liaison structurera "
    "en 2025 un retour à domicile accompagné avec le SSIAD du canton.",
    "Le nombre 2024 de participants reste modeste ; le service de prévention animera en "
    "octobre 2025 une journée dépistage avec la mairie et la MSP.",
    "L'organisation commune de garde n'existait pas en 2024 ; la direction et le centre "
    "hospitalier partenaire signeront une convention de permanence en 2026.",
    "Les admissions non programmées de 2024 passaient presque toutes par les urgences ; le "
    "bureau des entrées installera une filière directe en 2027 avec les spécialistes.",
)


def written(tree: dict[str, Any]) -> dict[str, Any]:
    """The same draft with one of ``WRITTEN`` per line (strategic lines first, then HPR)."""
    items = list(tree.get("indicateurs", [])) + list(tree.get("indicateurs_hpr", []))
    assert len(items) <= len(WRITTEN)
    for item, text in zip(items, WRITTEN, strict=False):
        item["justification"] = text
    return tree
