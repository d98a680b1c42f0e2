"""How a question is routed: the establishment size it names (beds) picks the fiche's row."""

from __future__ import annotations

import pytest

from assistant.answer.intent import parse_intent


@pytest.mark.parametrize(
    ("question", "beds"),
    [
        ("pour un petit établissement (<100 lits), la cible ?", 99),
        ("un CHU > 500 lits doit viser combien ?", 501),
        ("un CH >=300 lits", 301),
        ("moins de 100 lits", 99),
        ("plus de 500 lits", 501),
        ("entre 100 et 499 lits", 299),
        ("un CH de 350 lits", 350),
        ("quelle cible pour la RAAC ?", None),
    ],
)
def test_the_size_a_question_names(question: str, beds: int | None) -> None:
    assert parse_intent(question).beds == beds


@pytest.mark.parametrize(
    ("question", "every"),
    [
        ("quel taux viser en 2025 puis les années suivantes ?", True),
        ("la cible en 2025, et après ?", True),
        ("combien de filières en 2029 ?", False),
    ],
)
def test_a_question_asking_for_the_following_years_too(question: str, every: bool) -> None:
    assert parse_intent(question).every_year is every


@pytest.mark.parametrize(
    ("question", "engaged"),
    [
        ("cibles d'un établissement qui n'est pas encore engagé dans ces actions ?", False),
        ("cibles 2025 d'un établissement non encore engagé dans la démarche ?", False),
        ("et si on n'a encore rien fait en santé environnementale ?", False),
        ("pour un établissement déjà engagé en santé environnementale ?", True),
        ("quelle cible pour l'OS 2 ?", None),
    ],
)
def test_whether_the_question_is_for_an_establishment_already_engaged(
    question: str, engaged: bool | None
) -> None:
    assert parse_intent(question).engaged is engaged


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("les cibles 2025 et 2026 ?", [2025, 2026]),
        ("les cibles 2025 et 2026-2029 ?", [2025, 2026, 2027, 2028, 2029]),
        ("la cible totale sur 2025-2029 ?", []),
        ("le CPOM 2020-2024 disait quoi ?", []),
        # a period in words is a period too
        ("les cibles en 2025 puis de 2026 à 2029 ?", [2025, 2026, 2027, 2028, 2029]),
        ("et de 2026 jusqu'à 2028 ?", [2026, 2027, 2028]),
        ("la cible entre 2025 et 2029 ?", []),
        ("la cible en 2025 et 2029 ?", [2025, 2029]),
        # the end of the contract is its last year
        ("de combien doit-elle augmenter à la fin du CPOM ?", [2029]),
        ("quel taux au bout des cinq ans ?", [2029]),
        ("en 2026 puis en fin de contrat ?", [2026, 2029]),
        ("la fin des travaux du PRS ?", []),
    ],
)
def test_the_years_a_question_asks_about(question: str, years: list[int]) -> None:
    assert parse_intent(question).years == years


@pytest.mark.parametrize(
    ("question", "departement"),
    [
        ("la cible du CHU 30 en 2025 ?", "30"),
        ("pour un CH du 34, quelle cible ?", "34"),
        ("on est un CH dans le Gard", "30"),
        ("le CHU de Nîmes doit viser quoi ?", "30"),
        ("CHU de Toulouse : cible CT1 ?", "31"),
        ("un établissement de la Lozère", "48"),
        ("un CH de 30 lits", None),
        ("CHU 31 ou CHU 30 ?", None),
        ("quelle cible pour la RAAC ?", None),
    ],
)
def test_the_departement_a_question_names(question: str, departement: str | None) -> None:
    assert parse_intent(question).departement == departement


@pytest.mark.parametrize(
    ("question", "beds", "not_beds"),
    [
        ("ETP : cible pour un petit établissement ?", 50, None),
        ("on est un établissement intermédiaire", 300, None),
        ("la cible pour un grand CHU ?", 501, None),
        ("et pour les établissements qui ne sont pas de grands établissements ?", None, 501),
        ("un CH de 350 lits, pas un grand établissement", 350, None),  # the figure decides
        ("quelle cible pour la RAAC ?", None, None),
    ],
)
def test_the_size_a_question_names_in_words(
    question: str, beds: int | None, not_beds: int | None
) -> None:
    intent = parse_intent(question)
    assert (intent.beds, intent.not_beds) == (beds, not_beds)
