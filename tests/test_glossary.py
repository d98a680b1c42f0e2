"""The field's vocabulary: staff words meet the guides' words, in search and answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.corpus.glossary import load_glossary
from assistant.errors import CatalogError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def test_every_entry_says_where_it_comes_from() -> None:
    entries = yaml.safe_load((CORPUS / "glossary.yaml").read_text(encoding="utf-8"))["entries"]
    assert len(entries) >= 50
    documents = {
        d["id"] for d in yaml.safe_load((CORPUS / "catalog.yaml").read_text())["documents"]
    }
    for entry in entries:
        source = entry["source"]
        assert source == "usage" or source.split(",")[0] in documents, entry


@pytest.mark.parametrize(
    ("question", "term"),
    [
        pytest.param("C'est quand la deadline ?", "date limite", id="anglicism"),
        pytest.param("on saisit ça dans ecars ?", "e-CARS", id="tool"),
        pytest.param("la mammo, quelle cible ?", "mammographie", id="abbreviation"),
        pytest.param("le rapport fait combien de recos ?", "recommandations", id="staff-short"),
        pytest.param("le rôle de la pui", "Pharmacie à Usage Intérieur", id="acronym-lowercase"),
        pytest.param("ce délai peut-il être prolongé ?", "renouvelé", id="staff-verb"),
        # « amende » is no misspelling of a word of the guides (« amenée »): their word is
        # « pénalités »
        pytest.param("l'amende c'est combien ?", "pénalités", id="staff-noun"),
        pytest.param(
            "un avenant pour modifier les RC ?",
            "reconnaissances contractuelles",
            id="guide-acronym",
        ),
        pytest.param(
            "la réunion de bed managment compte ?", "gestion des lits", id="anglicism-typo"
        ),
        # the guides write the acronym where a question spells it out
        pytest.param(
            "combien d'établissements ont des unités de soins de longue durée ?",
            "USLD",
            id="spelt-out",
        ),
        pytest.param(
            "la dotation nouvelles activités psy sans AAP ?", "appel à projets", id="staff-acronym"
        ),
        pytest.param("la dotation nouvelles activités psy sans AAP ?", "psychiatrie", id="short"),
        pytest.param("FAQ : la révision ?", "foire aux questions", id="guide-part"),
        pytest.param("nos référents DD, ça compte ?", "développement durable", id="staff-dd"),
        pytest.param("os8 : quelle reco HAS ?", "Haute Autorité de Santé", id="body"),
        pytest.param(
            "Que veut dire ESPIC ?",
            "Établissement de santé privé d'intérêt collectif",
            id="ara-glossary",
        ),
    ],
)
def test_a_variant_brings_the_guides_term(question: str, term: str) -> None:
    glossary = load_glossary(CORPUS)
    assert term in glossary.terms_for(question)
    assert glossary.expand(question).startswith(question)


def test_the_variants_a_question_writes_are_known() -> None:
    glossary = load_glossary(CORPUS)
    assert glossary.written_variants("combien de KPI au max ?") == {"kpi", "max"}
    assert glossary.written_variants("combien d'indicateurs au maximum ?") == set()


def test_short_acronyms_match_in_capitals_only_and_terms_are_not_repeated() -> None:
    glossary = load_glossary(CORPUS)
    assert "Établissement de santé" not in glossary.terms_for("es-tu sûr des dates ?")
    assert glossary.terms_for("la date limite et la deadline") == []


def test_a_missing_glossary_is_empty_and_a_broken_one_is_told(tmp_path: Path) -> None:
    assert load_glossary(tmp_path).terms_for("deadline") == []
    (tmp_path / "glossary.yaml").write_text("entries:\n  - term: x\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="glossaire"):
        load_glossary(tmp_path)


def test_a_question_is_rewritten_in_the_guides_words_keeping_the_guides_own_acronyms() -> None:
    glossary = load_glossary(CORPUS)
    assert glossary.rewrite("C'est quand la deadline ecars ?") == (
        "c'est quand la date limite e-cars ?"
    )
    assert "e-cars" in glossary.rewrite("on saisit ça dans l'outil régional ?")
    assert "mammographie" in glossary.rewrite("OS 12 mammo")
    # an acronym the guides write stays as written when the caller says it is known
    assert "dgos" in glossary.rewrite("le guide DGOS", known=lambda word: word == "dgos")
    assert "dgos" not in glossary.rewrite("le guide DGOS")
