"""How questions name départements and cities, and whether a passage names them."""

from __future__ import annotations

import pytest

from assistant.corpus.places import named_places, place_said


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("combien de places d'HAD dans le Gers ?", [("Gers", "32", "Occitanie")]),
        ("le référent pour la haute-garonne ?", [("Haute-Garonne", "31", "Occitanie")]),
        (
            "une clinique à Grenoble avec un site en Haute-Savoie",
            [
                ("Grenoble", "38", "Auvergne-Rhône-Alpes"),
                ("Haute-Savoie", "74", "Auvergne-Rhône-Alpes"),
            ],
        ),
        ("le CHU de nîmes", [("Nîmes", "30", "Occitanie")]),
        # a name that is also a word is a place only with its capital
        ("dans le Lot", [("Lot", "46", "Occitanie")]),
        ("un lot de dossiers, la somme des cibles", []),
        # a region's name holds a département's: the region is no département
        ("en Pays de la Loire, et dans l'ancien guide auvergne rhone alpes ?", []),
    ],
)
def test_places_are_read_with_their_departement_and_region(
    question: str, places: list[tuple[str, str, str]]
) -> None:
    assert [(p.name, p.departement, p.region) for p in named_places(question)] == places


def test_a_passage_names_a_place_by_its_name_a_city_of_it_or_its_number() -> None:
    (toulouse,) = named_places("le CHU de Toulouse")
    assert place_said(toulouse, "une baisse en Haute-Garonne")
    assert place_said(toulouse, "Cible pour les CHU 31 et 34")
    assert not place_said(toulouse, "Cible pour le CHU 34")
    assert not place_said(toulouse, "au moins 31 lits")
    assert not place_said(toulouse, "la moyenne régionale")
