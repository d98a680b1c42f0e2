"""Questions on a labelled field of a fiche (« Partenaires : », « Participants : »…).

The fiches give some facts as labelled lines rather than parts: who the partners are, who
pilots, who must take part, what is included or excluded, how the follow-up is done. A question
asking for one is answered with that line, quoted from the fiche, not with the fiche's summary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer import Answer, answer_question
from assistant.config import Settings
from assistant.index.build import ingest
from assistant.kb import KnowledgeBase, load_kb
from assistant.kb.parts import asked_fields
from assistant.retrieval.hybrid import Index
from assistant.text.french import fold

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FICHES = (CORPUS / "occitanie-fiches-2025-2029.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def index(settings: Settings) -> Index:
    """The real corpus, lexical index (``settings`` and ``kb`` come from the chain fixtures)."""
    ingest(settings, dense=False)
    return Index(settings)


def ask(index: Index, kb: KnowledgeBase, question: str) -> Answer:
    return answer_question(question, index=index, kb=kb, settings=index.settings)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def _letters(text: str) -> str:
    """Only letters and digits: a quote of the cleaned text is found in the extracted one."""
    return re.sub(r"[\W_]+", "", text.replace("’", "'")).lower()


def _first_line(answer: Answer) -> str:
    return answer.answer.splitlines()[0]


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        ("qui sont les partenaires du CT 7 ?", ["partenaires"]),
        ("formation santé environnement : qui peut nous aider ?", ["partenaires"]),
        ("qui pilote les réunions de l'OS 10 ?", ["pilotage"]),
        ("bed management : qui doit participer à la cellule ?", ["participants"]),
        ("quelles réunions sont exclues du décompte ?", ["exclusion"]),
        ("quels sont les critères d'inclusion de l'OS 10 ?", ["inclusion"]),
        ("une réunion tous les 15 jours, ça compte ?", ["exclusion", "inclusion"]),
        ("comment est assuré le suivi de l'indicateur CT7 dans eCARS ?", ["suivi"]),
        ("qui doit au minimum participer à la cellule ?", ["participants"]),
        ("où indiquer le nombre de participants aux exercices ?", []),
        ("combien de partenaires compte le projet OMéGA ?", []),
        ("quelle est la cible de l'OS 10 ?", []),
        ("OS 4 : on y répond comment ?", ["reponse"]),
        ("c'est quoi le type de réponse attendu ?", ["reponse"]),
        ("la réponse de l'OS 4 est-elle publiée ?", []),
    ],
)
def test_a_question_names_the_fields_it_asks_for(question: str, fields: list[str]) -> None:
    assert asked_fields(fold(question).replace("’", "'")) == fields


def _with_partners(kb: KnowledgeBase) -> list[str]:
    return sorted(code for code, ind in kb.indicators.items() if ind.partners)


@pytest.mark.parametrize("code", _with_partners(load_kb(CORPUS)))
def test_the_partners_of_every_fiche_are_its_own_line(
    index: Index, kb: KnowledgeBase, code: str
) -> None:
    partners = kb.get(code).partners
    assert partners
    answer = ask(index, kb, f"Qui sont les partenaires de l'indicateur {code} ?")
    assert answer.supported
    first = _first_line(answer)
    assert first.startswith(f"{code} — partenaires")
    # the knowledge base read the same line on its own: its first words lead the answer
    assert _flat(" ".join(partners.split()[:6])) in _flat(first)
    quote = answer.citations[0].quote
    assert _letters(quote) in _letters(FICHES)
    assert answer.citations[0].doc_id == "occitanie-fiches-2025-2029"


def test_participants_and_exclusions_come_from_the_fiche(index: Index, kb: KnowledgeBase) -> None:
    answer = ask(
        index, kb, "bed management : qui doit participer à la cellule pour qu'elle compte ?"
    )
    assert "cadre administratif" in _first_line(answer)
    answer = ask(index, kb, "Quelles réunions sont exclues du décompte de l'OS 10 ?")
    first = _flat(_first_line(answer))
    assert "informelles" in first
    assert "moins d'une fois par semaine" in first


def test_a_label_announcing_a_list_brings_its_items(index: Index, kb: KnowledgeBase) -> None:
    answer = ask(index, kb, "Quels sont les critères d'inclusion de l'OS 10 ?")
    first = _flat(_first_line(answer))
    assert first.startswith("cpom_os_10 — critères d'inclusion")
    for item in ("lits disponibles", "prévisions de sorties", "plans de désengorgement"):
        assert item in first


def test_a_fiche_without_the_field_is_not_answered_by_a_label(
    index: Index, kb: KnowledgeBase
) -> None:
    without = [code for code, ind in kb.indicators.items() if not ind.partners]
    assert without
    code = without[0]
    answer = ask(index, kb, f"Qui sont les partenaires de l'indicateur {code} ?")
    assert not _first_line(answer).startswith(f"{code} — partenaires")


def test_the_pilot_line_is_quoted_whole(index: Index, kb: KnowledgeBase) -> None:
    answer = ask(
        index, kb, "qui pilote les réunions de gestion des tensions saisonnières du CT 7 ?"
    )
    first = _first_line(answer)
    assert first.startswith("CPOM_CT_7 — pilotage et suivi de la mise en œuvre")
    assert "plans blancs" in first


# --- target questions on given years -------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "code", "year"),
    [
        ("CT8 filières GHT : combien de filières faut-il avoir en 2029 ?", "CPOM_CT_8", 2029),
        ("OS 6 : combien de programmes d'ETP en 2027 pour un CHU de 800 lits ?", "CPOM_OS_6", 2027),
        ("CT 4, on vise combien de partenariats en 2026 (CH de 300 lits) ?", "CPOM_CT_4", 2026),
    ],
)
def test_a_year_asked_leads_alone_with_what_the_indicator_counts(
    index: Index, kb: KnowledgeBase, question: str, code: str, year: int
) -> None:
    answer = ask(index, kb, question)
    first, second = answer.answer.split("\n")[:2]
    assert first.startswith(f"{code} — ")
    years = [int(y) for y in re.findall(r"\b(20\d\d) : ", first)]
    assert years == [year], "the asked year alone in the answering line"
    assert second.startswith("Autres années : ")
    noun = kb.indicators[code].label.split()[2].strip("’'")  # « Nombre de filières … »
    target = next(
        y for rule in kb.indicators[code].target.rules for y in rule.years if y.year == year
    )
    if target.kind in {"min", "valeur", "plus_vs_n_1"}:
        assert noun.lower() in first.lower(), "what the count counts is said with its figure"


def test_what_to_do_in_a_year_is_that_year_s_cell_of_the_target_table(
    index: Index, kb: KnowledgeBase
) -> None:
    answer = ask(index, kb, "PREMS : en 2027 il faut faire quoi ?")
    first = answer.answer.split("\n")[0]
    assert first.startswith("CPOM_OS_7 — ")
    cell = next(y for y in kb.indicators["CPOM_OS_7"].target.rules[0].years if y.year == 2027)
    assert cell.cell
    assert f"2027 : « {cell.cell} »" in first


def test_a_list_of_sources_is_shown_whole(index: Index, kb: KnowledgeBase) -> None:
    # the OS_21 sources run to some 100 words in two bulleted lists: the second one (« Mise à
    # jour du DUERP • Bilan social … SGRH ») is what a question on its sources asks for too
    source = kb.indicators["CPOM_OS_21"].data_source
    assert "•" in source
    assert len(source.split()) > 45
    answer = ask(index, kb, "OS_21 : quelles sont les sources de données ?")
    first = answer.answer.split("\n")[0]
    assert first.startswith("CPOM_OS_21 — source des données")
    for item in ("DUERP", "Bilan social", "SGRH", "promouvoir la QVCT"):
        assert item in first


def test_years_that_read_the_same_are_said_once_with_the_fiche_s_words(
    index: Index, kb: KnowledgeBase
) -> None:
    # OS 4: « oui » each year, but 2025 is the charter's signature and 2026-2029 its upkeep
    answer = ask(index, kb, "Quelles sont les cibles de l'OS 4 en 2025 puis de 2026 à 2029 ?")
    first = answer.answer.split("\n")[0]
    assert "2025 : oui (fiche : « Signature de la charte" in first
    assert "2026 à 2029 : oui (fiche : « Maintien de l’engagement" in first
