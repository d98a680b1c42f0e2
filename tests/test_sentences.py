"""The one sentence splitter, and quotes made of whole sentences."""

from __future__ import annotations

import pytest

from assistant.text.sentences import as_item, sentence_spans, split_sentences, whole_quote

LIST = (
    "Le contrat comprend les annexes suivantes :\n"
    "- l'annexe financière,\n"
    "- l'annexe USLD,\n"
    "- l'annexe stratégique.\n"
    "Chaque annexe est signée par les deux parties."
)


def test_spans_keep_their_offsets_and_cut_at_stops() -> None:
    text = "La date limite est le 25 juillet 2025. Elle vaut pour tous. Art. 3 : voir 2.5 points."
    spans = sentence_spans(text)
    assert [text[s.start : s.end] for s in spans] == [s.text for s in spans]
    assert spans[0].text == "La date limite est le 25 juillet 2025."
    assert split_sentences(text, min_words=4)[0].endswith("2025.")


def test_a_semicolon_before_a_figure_goes_on_with_the_sentence() -> None:
    # « … de la DGOS ; 30% du financement … » is one sentence: a « ; » ends one only before a
    # capital, a quote or a bullet (a list item), not before a figure of the same clause run
    text = "SU : 70% du financement par le référentiel ; 30% par le modèle régional ; Le reste."
    spans = [s.text for s in sentence_spans(text)]
    assert spans == [
        "SU : 70% du financement par le référentiel ; 30% par le modèle régional ;",
        "Le reste.",
    ]


def test_a_fragment_is_widened_to_its_whole_sentence() -> None:
    text = "Préambule. La pénalité ne peut excéder 5 % des produits reçus. Fin."
    start = text.index("excéder")
    assert (
        whole_quote(text, start, start + 10)
        == "La pénalité ne peut excéder 5 % des produits reçus."
    )


def test_a_quote_ending_on_a_colon_brings_its_list() -> None:
    start = LIST.index("annexes suivantes")
    quote = whole_quote(LIST, start, start + 5)
    assert quote.startswith("Le contrat comprend")
    assert quote.endswith("- l'annexe stratégique.")
    assert "Chaque annexe" not in quote


def test_a_long_list_is_shortened_inside_never_at_its_end() -> None:
    items = "\n".join(f"- objectif numéro {i} de la liste," for i in range(1, 12))
    text = f"Les objectifs sont :\n{items}\n- dernier objectif."
    quote = whole_quote(text, 0, 5)
    assert " … " in quote
    assert quote.endswith("- dernier objectif.")
    assert not quote.endswith("…")


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(" ".join(f"mot{i}" for i in range(90)), id="no-stop"),
        pytest.param(" ".join(f"mot{i}" for i in range(130)) + ".", id="too-long-to-be-a-sentence"),
    ],
)
def test_whole_sentences_join_the_windows_of_a_long_run(run: str) -> None:
    windows = split_sentences(run)
    assert len(windows) > 1
    assert split_sentences(run, whole=True) == [run]


def test_a_long_sentence_ending_on_a_stop_is_one_sentence() -> None:
    sentence = " ".join(f"mot{i}" for i in range(90)) + " [1]."
    text = f"{sentence} Suite du texte."
    assert split_sentences(text) == [sentence, "Suite du texte."]
    assert not sentence_spans(text)[0].continued


def test_no_sentence_ends_after_an_initial_or_art() -> None:
    text = "Selon l'article R. 6114-9 du code, l'ARS agit. « Art. R. 6152-338 : le contrat."
    assert split_sentences(text) == [
        "Selon l'article R. 6114-9 du code, l'ARS agit.",
        "« Art. R. 6152-338 : le contrat.",
    ]


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        ("Qualité de l'air intérieur", "qualité de l'air intérieur"),
        ("Plan de redressement (PRE)", "plan de redressement (PRE)"),
        ("CDU et charte", "CDU et charte"),  # an acronym keeps its capitals
        ("Cindy PERRICHET, référente", "Cindy PERRICHET, référente"),  # a name too
        ("déjà en minuscules", "déjà en minuscules"),
        ("", ""),
    ],
)
def test_a_list_item_is_shown_in_lower_case_unless_it_opens_on_a_name(
    item: str, shown: str
) -> None:
    assert as_item(item) == shown


def test_a_line_ending_on_a_comma_goes_on_into_the_next() -> None:
    # the PDF broke « … telles que des GCS,⏎GIP ou GIE. » in two lines: one sentence
    text = "Via des structures telles que des GCS,\nGIP ou GIE. Autre phrase.\n- un,\n- deux"
    spans = sentence_spans(text)
    assert [s.text for s in spans] == [
        "Via des structures telles que des GCS, GIP ou GIE.",
        "Autre phrase.",
        "- un,",
        "- deux",  # a bullet after the comma is an item of its own
    ]
    assert text[spans[0].start : spans[0].end].endswith("GIP ou GIE.")  # offsets kept


def test_a_comma_inside_emphasis_at_a_line_end_goes_on_with_the_name_that_signs() -> None:
    text = "Pour la ministre :\n*Le secrétaire général par intérim,*  \nP. DUPONT\n"
    assert [s.text for s in sentence_spans(text)][-1] == (
        "*Le secrétaire général par intérim,*   P. DUPONT"
    )


def test_a_line_ending_on_a_preposition_or_an_article_goes_on_into_the_next() -> None:
    # « … sécuriser les recettes historiques de⏎2022 par le biais … »: one sentence; a line
    # ending on a full word is a line of its own, and a bullet after the break an item
    text = (
        "Une période de transition vise à sécuriser les recettes historiques de\n"
        "2022 par le biais d'une dotation dégressive.\n"
        "Cible annuelle\n"
        "2025 : 75 %\n"
        "Les éléments à fournir sont les\n"
        "- comptes rendus"
    )
    assert [s.text for s in sentence_spans(text)] == [
        "Une période de transition vise à sécuriser les recettes historiques de 2022 par le "
        "biais d'une dotation dégressive.",
        "Cible annuelle",
        "2025 : 75 %",
        "Les éléments à fournir sont les",
        "- comptes rendus",
    ]


def test_a_stop_inside_brackets_that_close_later_ends_no_sentence() -> None:
    text = "Le nombre baisse (142 en 2021 ; 137 en 2023), sur tout le territoire. Depuis 2024, non."
    assert split_sentences(text) == [
        "Le nombre baisse (142 en 2021 ; 137 en 2023), sur tout le territoire.",
        "Depuis 2024, non.",
    ]
    # a bracket left open on its line holds nothing back
    assert split_sentences("Une note (voir plus bas. Autre phrase.") == [
        "Une note (voir plus bas.",
        "Autre phrase.",
    ]
