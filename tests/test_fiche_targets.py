"""Every fiche's yearly target cells, pinned to the fiche's own table (issue 15).

Each row below was read by hand from the fiche's table in ``corpus/occitanie-fiches-2025-2029.txt``
(five cells per row, one per year 2025 to 2029, then the total if the header has one) and
checked against the row's quote. A table read one cell off (OS_19's « A fixer par
l'établissement > 5% » is the 2025 cell, not two cells) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.kb import Indicator, KnowledgeBase, format_year_target, load_kb
from assistant.kb.targets import parse_table
from assistant.kb.text import comparable

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# code -> [(the row's label as it starts, ["kind value" for 2025 … 2029])]
EXPECTED: dict[str, list[tuple[str, list[str]]]] = {
    "CPOM_CT_1": [
        ("CHU 31 et 34", ["sans_objet", "sans_objet", "sans_objet", "sans_objet", "sans_objet"]),
        ("CHU 30", ["non", "non", "oui", "oui", "oui"]),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            ["libre", "libre", "libre", "oui", "oui"],
        ),
        (
            "Etablissements de plus petite taille inférieure ",
            ["libre", "libre", "libre", "oui", "oui"],
        ),
    ],
    "CPOM_CT_2": [
        (
            "Grands établissements, avec plus de 500 lits",
            ["min 0", "min 1", "min 1", "min 2", "min 1"],
        ),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            ["min 0", "min 0", "min 1", "min 1", "min 2"],
        ),
        (
            "Etablissements de plus petite taille inférieure ",
            ["min 0", "min 0", "min 0", "min 1", "min 1"],
        ),
    ],
    "CPOM_CT_3": [
        (
            "Organisation de fonctions en commun au sein du G",
            ["libre", "libre", "libre", "min 1", "min 1"],
        ),
    ],
    "CPOM_CT_4": [
        (
            "Grands établissements, avec plus de 500 lits",
            ["plus_vs_n_1 5", "plus_vs_n_1 5", "plus_vs_n_1 5", "plus_vs_n_1 5", "plus_vs_n_1 5"],
        ),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            ["plus_vs_n_1 2", "plus_vs_n_1 2", "plus_vs_n_1 2", "plus_vs_n_1 2", "plus_vs_n_1 2"],
        ),
        (
            "Etablissements de plus petite taille inférieure ",
            ["plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1"],
        ),
    ],
    "CPOM_CT_5": [
        ("Pour l’ensemble des établissements", ["oui", "oui", "oui", "oui", "oui"]),
    ],
    "CPOM_CT_6": [
        (
            "Grands établissements, avec plus de 500 lits",
            ["plus_vs_n_1 0", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1"],
        ),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            ["plus_vs_n_1 0", "plus_vs_n_1 0", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1"],
        ),
        (
            "Etablissements de plus petite taille inférieure ",
            ["plus_vs_n_1 0", "plus_vs_n_1 0", "plus_vs_n_1 0", "plus_vs_n_1 1", "plus_vs_n_1 1"],
        ),
    ],
    "CPOM_CT_7": [
        ("Pour tous les établissements", ["min 2", "min 2", "min 2", "min 2", "min 2"]),
    ],
    "CPOM_CT_8": [
        (
            "Pour tous les établissements : Nombre total de f",
            ["libre", "min 2", "min 3", "min 4", "min 5"],
        ),
    ],
    "CPOM_OS_1": [
        ("Pour tous les établissements", ["min 10", "min 15", "min 20", "min 25", "min 30"]),
    ],
    "CPOM_OS_2": [
        (
            "Pour les établissements déjà engagés dans des ac",
            ["min 2", "min 3", "min 3", "hausse_vs_n_1 0", "hausse_vs_n_1 0"],
        ),
        ("Pour les autres établissements", ["libre", "min 1", "min 1", "min 2", "min 2"]),
    ],
    "CPOM_OS_3": [
        (
            "Grands établissements, avec plus de 500 lits",
            ["plus_vs_n_1 2", "plus_vs_n_1 3", "plus_vs_n_1 3", "plus_vs_n_1 4", "plus_vs_n_1 4"],
        ),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            ["plus_vs_n_1 1", "plus_vs_n_1 2", "plus_vs_n_1 2", "plus_vs_n_1 3", "plus_vs_n_1 3"],
        ),
        (
            "Etablissements de plus petite taille Inférieure ",
            ["libre", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 2"],
        ),
    ],
    "CPOM_OS_4": [
        ("Pour tous les établissements", ["oui", "oui", "oui", "oui", "oui"]),
    ],
    "CPOM_OS_5": [
        ("Pour les établissements déjà engagés dans la dém", ["oui", "oui", "oui", "oui", "oui"]),
        ("Pour les autres établissements", ["libre", "oui", "oui", "oui", "oui"]),
    ],
    "CPOM_OS_6": [
        (
            "Grands établissements, avec plus de 500 lits",
            ["libre", "plus_vs_n_1 1", "plus_vs_n_1 2", "plus_vs_n_1 2", "plus_vs_n_1 3"],
        ),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            ["libre", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 1", "plus_vs_n_1 2"],
        ),
        (
            "Etablissements de plus petite taille inférieure ",
            ["plus_vs_n_1 0", "libre", "libre", "plus_vs_n_1 1", "plus_vs_n_1 1"],
        ),
    ],
    "CPOM_OS_7": [
        ("Pour tous les établissements", ["libre", "libre", "libre", "libre", "libre"]),
    ],
    "CPOM_OS_8": [
        (
            "Cible attendue pour tous les établissements",
            ["libre", "libre", "libre", "libre", "min 10"],
        ),
    ],
    "CPOM_OS_9": [
        (
            "Grands établissements, avec plus de 500 lits",
            [
                "hausse_vs_2024 20",
                "hausse_vs_2024 40",
                "hausse_vs_2024 60",
                "hausse_vs_2024 80",
                "hausse_vs_2024 100",
            ],
        ),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            [
                "hausse_vs_2024 10",
                "hausse_vs_2024 20",
                "hausse_vs_2024 30",
                "hausse_vs_2024 40",
                "hausse_vs_2024 50",
            ],
        ),
        (
            "Etablissements de plus petite taille inférieure ",
            ["libre", "libre", "libre", "libre", "libre"],
        ),
    ],
    "CPOM_OS_10": [
        ("Pour tous les établissements", ["min 1", "min 1", "min 2", "min 2", "min 2"]),
    ],
    "CPOM_OS_11": [
        (
            "Grands établissements, avec plus de 500 lits",
            ["libre", "libre", "hausse_vs_2024 15", "hausse_vs_2024 20", "hausse_vs_2024 25"],
        ),
        (
            "Pour les autres établissements",
            ["libre", "libre", "hausse_vs_2024 10", "hausse_vs_2024 15", "hausse_vs_2024 20"],
        ),
    ],
    "CPOM_OS_12": [
        (
            "Cible attendue pour les CHU",
            [
                "hausse_vs_2024 3",
                "hausse_vs_n_1 5",
                "hausse_vs_n_1 5",
                "hausse_vs_n_1 5",
                "hausse_vs_n_1 5",
            ],
        ),
        (
            "Cible attendue pour les CH",
            [
                "hausse_vs_2024 3",
                "hausse_vs_n_1 5",
                "hausse_vs_n_1 5",
                "hausse_vs_n_1 5",
                "hausse_vs_n_1 5",
            ],
        ),
        (
            "Cible attendue pour les cliniques",
            ["sans_objet", "sans_objet", "sans_objet", "sans_objet", "sans_objet"],
        ),
    ],
    "CPOM_OS_13": [
        (
            "Pour tous les établissements",
            [
                "hausse_vs_2024 1",
                "hausse_vs_n_1 3",
                "hausse_vs_n_1 3",
                "hausse_vs_n_1 3",
                "hausse_vs_n_1 3",
            ],
        ),
    ],
    "CPOM_OS_14": [
        (
            "Pour les ES concernés par l’HAD",
            ["libre", "libre", "libre", "hausse_vs_n_1 10", "hausse_vs_n_1 20"],
        ),
    ],
    "CPOM_OS_15": [
        (
            "pour tous les établissements",
            [
                "hausse_vs_2024 20",
                "hausse_vs_2024 40",
                "hausse_vs_2024 60",
                "hausse_vs_2024 80",
                "hausse_vs_2024 100",
            ],
        ),
    ],
    "CPOM_OS_16": [
        (
            "Taux de séjours clôturés pour lesquels au moins ",
            ["valeur 50", "valeur 65", "valeur 65", "valeur 65", "valeur 65"],
        ),
    ],
    "CPOM_OS_17": [
        (
            "Cible attendue pour les CHU",
            ["valeur 3", "valeur 3", "valeur 3", "valeur 3", "valeur 3"],
        ),
        (
            "Pour les autres établissements",
            ["valeur 1", "valeur 1", "valeur 2", "valeur 2", "valeur 3"],
        ),
    ],
    "CPOM_OS_18": [
        ("Pour tous les établissements", ["min 1", "min 1", "min 1", "min 1", "min 1"]),
    ],
    "CPOM_OS_19": [
        (
            "Grands établissements, avec plus de 500 lits",
            ["min 5", "hausse_vs_n_1 0", "hausse_vs_n_1 0", "hausse_vs_n_1 0", "hausse_vs_n_1 0"],
        ),
        (
            "Établissements intermédiaires, entre 100 à 499 l",
            ["min 5", "libre", "libre", "libre", "libre"],
        ),
        (
            "Etablissements de plus petite taille inférieure ",
            ["min 5", "libre", "libre", "libre", "libre"],
        ),
    ],
    "CPOM_OS_20": [
        (
            "Pour les établissements déjà engagés dans des ac",
            ["min 2", "min 4", "min 4", "min 4", "min 4"],
        ),
        ("Pour les autres établissements", ["min 1", "min 2", "min 3", "min 3", "min 3"]),
    ],
    "CPOM_OS_21": [
        ("Pour tous les établissements", ["min 1", "min 1", "min 2", "min 3", "min 3"]),
    ],
    "CPOM_OS_22": [
        (
            "Pour l’ensemble des établissements concernés",
            [
                "libre",
                "hausse_vs_n_1 15",
                "hausse_vs_n_1 15",
                "hausse_vs_n_1 15",
                "hausse_vs_n_1 15",
            ],
        ),
    ],
}

HPR_CODES = [
    "HPR_1_1",
    "HPR_1_2",
    "HPR_2_1",
    "HPR_3_1",
    "HPR_3_2",
    "HPR_3_3",
    "HPR_4_1",
    "HPR_4_2",
    "HPR_4_3",
    "HPR_4_4",
    "HPR_4_5",
    "HPR_4_6",
    "HPR_5_1",
    "HPR_6_1",
]


_IN_WORDS = {1: ("une", "un "), 2: ("deux",), 3: ("trois",)}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(CORPUS)


def _cells(kb: KnowledgeBase, code: str) -> list[tuple[str, list[str]]]:
    rows = []
    for rule in kb.get(code).target.rules:
        years = [y.kind if y.value is None else f"{y.kind} {y.value:g}" for y in rule.years]
        rows.append((rule.scope.label, years))
    return rows


def test_the_thirty_fiches_are_all_pinned(kb: KnowledgeBase) -> None:
    assert sorted(EXPECTED) == sorted(kb.indicators)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_year_reads_the_fiche_cell_of_that_year(kb: KnowledgeBase, code: str) -> None:
    rows = _cells(kb, code)
    expected = EXPECTED[code]
    assert [years for _, years in rows] == [years for _, years in expected]
    assert [label[: len(start)] for (label, _), (start, _) in zip(rows, expected, strict=True)] == [
        start for start, _ in expected
    ]


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_figure_of_a_row_is_in_the_row_s_own_quote(kb: KnowledgeBase, code: str) -> None:
    indicator = kb.get(code)
    assert isinstance(indicator, Indicator)
    for rule in indicator.target.rules:
        quote = comparable(rule.quote.text)
        for year in rule.years:
            if year.kind in {"min", "valeur", "plus_vs_n_1"} and year.value:
                written = {f"{year.value:g}", *_IN_WORDS.get(year.value, ())}
                assert any(w in quote for w in written), (code, rule.scope.label, year)


def test_os_19_the_floor_of_5_percent_is_2025_and_the_rmm_rows_keep_their_words(
    kb: KnowledgeBase,
) -> None:
    indicator = kb.get("CPOM_OS_19")
    assert isinstance(indicator, Indicator)
    large, middle, small = indicator.target.rules
    assert format_year_target(large.years[0], "taux") == "2025 : au moins 5 %"
    assert format_year_target(large.years[1], "taux") == "2026 : pas de baisse par rapport à N-1"
    for rule in (middle, small):
        assert (rule.years[0].kind, rule.years[0].value) == ("min", 5)
        assert format_year_target(rule.years[2]) == (
            "2027 : « Progression positive du taux et/ou du nombre total de RMM » "
            "(pas de valeur chiffrée imposée)"
        )
        assert "stabilisation" in (rule.years[4].cell or "")


_HEADER = "Cible 2025-2029 2025 2026 2027 2028 2029 "


def test_a_row_with_one_cell_more_than_the_columns_is_left_unread() -> None:
    # Without the compound cell, « A fixer … > 5% » would be two cells and shift every year.
    text = _HEADER + "Pour tous les établissements Réflexion 10% 20% 30% 40% 50%"
    assert parse_table(text, doc_id="d", section="s") is None
    with_total = _HEADER + "Total " + ("Pour tous les établissements 10% 20% 30% 40% 50% 50%")
    rules = parse_table(with_total, doc_id="d", section="s")
    assert rules is not None
    assert [y.value for y in rules[0].years] == [10, 20, 30, 40, 50]


def test_a_floor_the_establishment_sets_is_one_cell() -> None:
    text = _HEADER + (
        "Pour tous les établissements A fixer par l’établissement ≥ 12% "
        "Progression positive du taux Progression positive du taux "
        "Progression positive du taux Progression positive du taux"
    )
    rules = parse_table(text, doc_id="d", section="s")
    assert rules is not None
    assert [(y.kind, y.value) for y in rules[0].years] == [
        ("min", 12),
        *[("hausse_vs_n_1", 0)] * 4,
    ]


def test_a_cell_without_a_figure_keeps_the_fiche_s_words_but_a_slash_has_none() -> None:
    text = _HEADER + "Pour tous les établissements / Réflexion 1 action 2 actions 3 actions"
    rules = parse_table(text, doc_id="d", section="s")
    assert rules is not None
    assert [y.cell for y in rules[0].years[:2]] == [None, "Réflexion"]
    assert format_year_target(rules[0].years[0]) == "2025 : pas de valeur imposée"


def test_the_hpr_annex_has_its_14_indicators_and_no_invented_yearly_value(
    kb: KnowledgeBase,
) -> None:
    assert sorted(kb.hpr) == HPR_CODES
    for indicator in kb.hpr.values():
        assert not hasattr(indicator, "target")  # the establishment sets its own values
