"""How questions name French regions, and the refusal of a region no guide covers."""

from __future__ import annotations

import pytest

from assistant.corpus.regions import named_regions, region_said


@pytest.mark.parametrize(
    ("question", "regions"),
    [
        ("Quelle date limite pour l'ARS Grand Est ?", ["Grand Est"]),
        ("Combien d'indicateurs pour les établissements bretons ?", ["Bretagne"]),
        ("Guide ARA 2020-2024 : combien d'actions ?", ["Auvergne-Rhône-Alpes"]),
        ("En Auvergne-Rhône-Alpes, qui signe ?", ["Auvergne-Rhône-Alpes"]),
        ("La cible régionale Languedoc-Roussillon en 2018 ?", ["Languedoc-Roussillon"]),
        ("On en est où, l'ara ?", []),  # an acronym counts only in capitals
        ("Quelle cible pour la RAAC ?", []),
    ],
)
def test_regions_are_read_from_names_demonyms_and_acronyms(
    question: str, regions: list[str]
) -> None:
    assert named_regions(question) == regions


@pytest.mark.parametrize(
    ("region", "text", "said"),
    [
        ("Picardie", "lundi 20 octobre Pays de la Loire Picardie", True),
        ("Languedoc-Roussillon", "vendredi 24 octobre Languedoc- Roussillon Lorraine", True),
        ("Rhône-Alpes", "le guide Auvergne-Rhône-Alpes 2020-2024", False),
        ("Bretagne", "la campagne CPOM 2025-2029 en Occitanie", False),
    ],
)
def test_a_region_is_said_by_any_of_its_forms_even_cut_at_a_line_end(
    region: str, text: str, said: bool
) -> None:
    assert region_said(region, text) is said
