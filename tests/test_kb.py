"""Indicator knowledge base: built from the real corpus, checked against the real documents."""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from assistant.errors import CatalogError, UnknownIndicatorError
from assistant.kb import (
    HprIndicator,
    Indicator,
    KnowledgeBase,
    Quote,
    format_indicator,
    format_indicator_list,
    load_kb,
    normalize_code,
)
from assistant.kb.codes import HPR_CODES, STRATEGIC_CODES, code_token, find_codes
from assistant.kb.text import comparable
from assistant.text.french import tokenize

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FICHES = "occitanie-fiches-2025-2029"
GUIDE = "occitanie-guide-2025-2029"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(CORPUS)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    catalog = yaml.safe_load((CORPUS / "catalog.yaml").read_text(encoding="utf-8"))
    return {
        doc["id"]: comparable((CORPUS / doc["file"]).read_text(encoding="utf-8"))
        for doc in catalog["documents"]
        if doc["file"].endswith(".txt")
    }


def _quotes(obj: object) -> Iterator[Quote]:
    """Every Quote reachable from a model, walking fields, dicts and lists."""
    if isinstance(obj, Quote):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _quotes(getattr(obj, name))
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _quotes(value)
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from _quotes(item)


def _copy_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("catalog.yaml", f"{FICHES}.txt", f"{GUIDE}.txt"):
        shutil.copy(CORPUS / name, corpus / name)
    shutil.copytree(CORPUS / "kb", corpus / "kb")
    return corpus


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))  # a new mtime even on coarse clocks


# --- presence, category, type ---------------------------------------------------------------


def test_all_30_strategic_and_14_hpr_indicators_are_present(kb: KnowledgeBase) -> None:
    assert list(kb.indicators) == list(STRATEGIC_CODES)
    assert list(kb.hpr) == list(HPR_CODES)
    assert [i.code for i in kb.cooperation()] == [f"CPOM_CT_{n}" for n in range(1, 9)]
    assert [i.code for i in kb.others()] == [f"CPOM_OS_{n}" for n in range(1, 23)]
    for code, indicator in kb.indicators.items():
        expected = "cooperation" if code.startswith("CPOM_CT_") else "autre"
        assert indicator.category == expected
        assert indicator.type in {"quantitatif", "declaratif"}
        assert indicator.label
        assert indicator.objective
        assert indicator.frequency


def test_guide_split_of_27_quantitative_and_3_declarative(kb: KnowledgeBase) -> None:
    declarative = [i.code for i in kb.indicators.values() if i.type == "declaratif"]
    assert len(kb.indicators) - len(declarative) == 27
    assert declarative == ["CPOM_CT_5", "CPOM_OS_4", "CPOM_OS_5"]
    assert all(kb.indicators[c].unit == "oui_non" for c in declarative)


@pytest.mark.parametrize(
    ("code", "short_code", "engagement"),
    [
        pytest.param("CPOM_CT_1", "CT_01_1_1", 4, id="CT_1"),
        pytest.param("CPOM_OS_1", "OS_01_1_1", 1, id="OS_1"),
        pytest.param("CPOM_OS_8", "OS_08_1_1", 2, id="OS_8"),
        pytest.param("CPOM_OS_13", "OS_13_1_1", 3, id="OS_13"),
        pytest.param("CPOM_OS_19", "OS_19_1_1", 5, id="OS_19"),
        pytest.param("CPOM_OS_22", "OS_22_1_1", 6, id="OS_22"),
    ],
)
def test_annex_5_gives_short_code_and_prs_engagement(
    kb: KnowledgeBase, code: str, short_code: str, engagement: int
) -> None:
    indicator = kb.indicators[code]
    assert indicator.short_code == short_code
    assert indicator.engagement.number == engagement
    assert indicator.engagement.label


def test_hpr_annex_has_six_objectives_of_which_1_3_4_5_are_starred(kb: KnowledgeBase) -> None:
    objectives = kb.hpr_objectives()
    assert sorted(objectives) == [1, 2, 3, 4, 5, 6]
    assert {n for n, (_, starred) in objectives.items() if starred} == {1, 3, 4, 5}
    per_objective = [sum(h.objective_number == n for h in kb.hpr.values()) for n in range(1, 7)]
    assert per_objective == [2, 1, 3, 6, 1, 1]
    assert kb.hpr["HPR_4_2"].label == "Taux de PUMA pris en charge sur une année"


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        pytest.param("CPOM_CT_1", "oui_non", id="CT_1-yes-no-targets"),
        pytest.param("CPOM_CT_7", "ratio", id="CT_7-instances-per-period"),
        pytest.param("CPOM_OS_1", "taux", id="OS_1"),
        pytest.param("CPOM_OS_15", "file_active", id="OS_15"),
        pytest.param("CPOM_OS_6", "nombre", id="OS_6"),
    ],
)
def test_unit_follows_the_fiche(kb: KnowledgeBase, code: str, unit: str) -> None:
    assert kb.indicators[code].unit == unit


def test_numerator_and_denominator_are_read_from_labels_and_formulas(kb: KnowledgeBase) -> None:
    os19 = kb.indicators["CPOM_OS_19"]
    assert os19.numerator == "Nombre d’EIGs identifiés et déclarés à l’ARS"
    assert os19.denominator == "Nombre total d’EI analysés lors des RMM"
    os16 = kb.indicators["CPOM_OS_16"]  # from the formula "(… / …) *100"
    assert os16.denominator == "Nombre de séjours pour des patients disposant d’un DMP"
    assert kb.indicators["CPOM_OS_6"].numerator is None


# --- quotes -----------------------------------------------------------------------------------


def test_every_quote_in_the_knowledge_base_is_found_in_its_document(
    kb: KnowledgeBase, documents: dict[str, str]
) -> None:
    quotes = list(_quotes(kb))
    assert len(quotes) > 60
    assert {q.doc_id for q in quotes} == {FICHES, GUIDE}
    missing = [q.text[:80] for q in quotes if comparable(q.text) not in documents[q.doc_id]]
    assert missing == []


def test_words_in_guillemets_in_readings_are_verbatim(
    kb: KnowledgeBase, documents: dict[str, str]
) -> None:
    fragments = [
        fragment
        for indicator in kb.indicators.values()
        for rule in indicator.target.rules
        for fragment in re.findall(r"«\s*(.+?)\s*»", rule.reading or "")
    ]
    assert fragments
    assert [f for f in fragments if comparable(f) not in documents[FICHES]] == []


# --- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("os13", "CPOM_OS_13"),
        ("OS_13", "CPOM_OS_13"),
        ("OS 13", "CPOM_OS_13"),
        ("CPOM_OS_13", "CPOM_OS_13"),
        ("OS_13_1_1", "CPOM_OS_13"),
        ("ct3", "CPOM_CT_3"),
        ("CPOM_CT_07", "CPOM_CT_7"),
        ("CT_01_1_1", "CPOM_CT_1"),
        ("HPR_4_2", "HPR_4_2"),
        ("hpr 4.2", "HPR_4_2"),
        ("HPR4_2", "HPR_4_2"),
    ],
)
def test_normalize_code_accepts_the_usual_forms(written: str, canonical: str) -> None:
    assert normalize_code(written) == canonical


def test_unknown_code_gives_a_french_error_with_a_suggestion(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownIndicatorError) as excinfo:
        kb.get("OS_23")
    assert excinfo.value.message.startswith("Code d'indicateur inconnu : 'OS_23'.")
    assert "Vouliez-vous dire 'CPOM_OS_22' ?" in excinfo.value.message
    with pytest.raises(UnknownIndicatorError, match="Vouliez-vous dire 'HPR_4_6'"):
        normalize_code("HPR_4_7")
    with pytest.raises(UnknownIndicatorError, match="Vouliez-vous dire 'CPOM_OS_13'"):
        normalize_code("CPOM_SO_13")
    with pytest.raises(UnknownIndicatorError, match="inconnu : 'bonjour'"):
        normalize_code("bonjour")


def test_get_returns_fiche_or_hpr_indicator(kb: KnowledgeBase) -> None:
    assert isinstance(kb.get("os13"), Indicator)
    assert kb.get("OS_13_1_1").code == "CPOM_OS_13"
    assert isinstance(kb.get("hpr 4.2"), HprIndicator)


# --- eligibility ------------------------------------------------------------------------------


def test_ght_only_indicators_are_ct3_and_ct8(kb: KnowledgeBase) -> None:
    ght = [i.code for i in kb.indicators.values() if i.eligibility.requires_ght]
    assert ght == ["CPOM_CT_3", "CPOM_CT_8"]
    assert kb.indicators["CPOM_CT_3"].eligibility.quotes[0].text.endswith("(uniquement GHT)")


@pytest.mark.parametrize(
    ("code", "activities"),
    [
        pytest.param("CPOM_OS_11", ["medecine", "chirurgie", "obstetrique"], id="OS_11-MCO"),
        pytest.param("CPOM_OS_12", ["mammographie"], id="OS_12"),
        pytest.param("CPOM_OS_13", ["chirurgie"], id="OS_13-RAAC"),
        pytest.param("CPOM_OS_14", ["had"], id="OS_14"),
        pytest.param("CPOM_OS_16", [], id="OS_16-none"),
    ],
)
def test_required_activities_come_from_the_fiche(
    kb: KnowledgeBase, code: str, activities: list[str]
) -> None:
    eligibility = kb.indicators[code].eligibility
    assert eligibility.required_activities == activities
    assert bool(eligibility.quotes) == bool(activities)


def test_public_mainly_indicators(kb: KnowledgeBase) -> None:
    public = [i.code for i in kb.indicators.values() if i.eligibility.public_mainly]
    assert public == ["CPOM_CT_1", "CPOM_OS_12"]
    quote = kb.indicators["CPOM_CT_1"].eligibility.quotes[0].text
    assert "concerne plus particulièrement les établissements publics" in quote


# --- targets ----------------------------------------------------------------------------------


def _years(kb: KnowledgeBase, code: str, **establishment: object) -> list[tuple[str, float | None]]:
    profile = {"categorie": "CH", "statut": "public", "lits": 300, "departement": "81"}
    profile.update(establishment)
    rule = kb.target_for(code, **profile)  # type: ignore[arg-type]
    assert rule is not None
    return [(y.kind, y.value) for y in rule.years]


def test_ct1_is_sans_objet_for_the_chu_of_31_and_34_and_yes_in_2027_for_chu_30(
    kb: KnowledgeBase,
) -> None:
    for departement in ("31", "34"):
        assert (
            _years(kb, "CT_1", categorie="CHU", lits=2800, departement=departement)
            == [("sans_objet", None)] * 5
        )
    chu30 = _years(kb, "CT_1", categorie="CHU", lits=1800, departement="30")
    assert [kind for kind, _ in chu30] == ["non", "non", "oui", "oui", "oui"]
    assert _years(kb, "CT_1", lits=150)[3] == ("oui", None)  # CH 100-499 beds: yes by 2028
    assert (
        kb.target_for("CT_1", categorie="CH", statut="public", lits=650, departement="66") is None
    )


def test_os12_is_sans_objet_for_clinics_and_growth_for_chu_and_ch(kb: KnowledgeBase) -> None:
    clinic = _years(kb, "OS_12", categorie="clinique", statut="prive_lucratif")
    assert clinic == [("sans_objet", None)] * 5
    for categorie in ("CHU", "CH"):
        years = _years(kb, "OS_12", categorie=categorie)
        assert years[0] == ("hausse_vs_2024", 3.0)
        assert years[1:] == [("hausse_vs_n_1", 5.0)] * 4


@pytest.mark.parametrize(
    ("code", "lits", "expected"),
    [
        pytest.param(
            "OS_13", 300, [("hausse_vs_2024", 1.0)] + [("hausse_vs_n_1", 3.0)] * 4, id="OS_13"
        ),
        pytest.param("OS_16", 300, [("valeur", 50.0)] + [("valeur", 65.0)] * 4, id="OS_16"),
        pytest.param("CT_4", 800, [("plus_vs_n_1", 5.0)] * 5, id="CT_4-large"),
        pytest.param("CT_4", 60, [("plus_vs_n_1", 1.0)] * 5, id="CT_4-small"),
        pytest.param(
            "OS_15", 300, [("hausse_vs_2024", float(p)) for p in (20, 40, 60, 80, 100)], id="OS_15"
        ),
        pytest.param("OS_1", 300, [("min", float(p)) for p in (10, 15, 20, 25, 30)], id="OS_1"),
    ],
)
def test_parsed_targets_follow_the_fiche_tables(
    kb: KnowledgeBase, code: str, lits: int, expected: list[tuple[str, float | None]]
) -> None:
    assert _years(kb, code, lits=lits) == expected


def test_engaged_rows_apply_only_to_engaged_establishments(kb: KnowledgeBase) -> None:
    profile = {"categorie": "CH", "statut": "public", "lits": 300, "departement": "81"}
    default = kb.target_for("OS_20", **profile)  # type: ignore[arg-type]
    engaged = kb.target_for("OS_20", engaged=True, **profile)  # type: ignore[arg-type]
    assert default is not None
    assert engaged is not None
    assert default.scope.label == "Pour les autres établissements"
    assert engaged.scope.engaged is True
    assert [y.value for y in engaged.years] == [2, 4, 4, 4, 4]


def test_bed_rows_do_not_match_an_unknown_bed_count(kb: KnowledgeBase) -> None:
    assert (
        kb.target_for("CT_4", categorie="CH", statut="public", lits=None, departement=None) is None
    )


def test_every_fiche_has_structured_targets_and_a_direction(kb: KnowledgeBase) -> None:
    for indicator in kb.indicators.values():
        assert indicator.target.rules, indicator.code
        assert all(len(rule.years) == 5 for rule in indicator.target.rules)
    directions = {c: i.target.direction for c, i in kb.indicators.items()}
    assert directions["CPOM_CT_5"] == "atteinte_oui"
    assert directions["CPOM_OS_13"] == "hausse"
    assert directions["CPOM_CT_7"] == "maintien"


# --- an updated fiche flows through -----------------------------------------------------------


def test_a_changed_fiche_value_is_picked_up(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    before = load_kb(corpus).target_for(
        "OS_16", categorie="CH", statut="public", lits=300, departement="81"
    )
    assert before is not None
    assert before.years[0].value == 50
    _edit(corpus / f"{FICHES}.txt", "\n50% \n", "\n55% \n")
    after = load_kb(corpus).target_for(
        "OS_16", categorie="CH", statut="public", lits=300, departement="81"
    )
    assert after is not None
    assert after.years[0].value == 55
    assert "55%" in after.quote.text


def test_a_stale_overlay_entry_is_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = _copy_corpus(tmp_path)
    _edit(corpus / f"{FICHES}.txt", "non non oui oui oui", "non oui oui oui oui")
    with caplog.at_level(logging.WARNING, logger="assistant.kb"):
        kb = load_kb(corpus)
    assert "Overlay entry for CPOM_CT_1 ignored" in caplog.text
    assert kb.indicators["CPOM_CT_1"].target.rules == []
    assert "non oui oui oui oui" in kb.indicators["CPOM_CT_1"].target.wording.text


def test_an_overlay_row_keeps_its_total_cell_only_as_the_fiche_writes_it(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    engaged = kb.indicators["CPOM_OS_5"].target.rules[0]
    assert (
        engaged.total
        == "Minimum 1 action structurée et 4 actions complémentaires au bout des 5 ans"
    )
    # a total the fiche no longer writes is left out, not shown
    corpus = _copy_corpus(tmp_path)
    _edit(corpus / f"{FICHES}.txt", "structurée et 4", "structurée et 5")
    assert load_kb(corpus).indicators["CPOM_OS_5"].target.rules[0].total is None


def test_an_invalid_overlay_is_reported_in_french(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    overlay = corpus / "kb" / "overlay.yaml"
    overlay.write_text(
        "fiches:\n  CPOM_CT_1:\n    target:\n      rules:\n"
        "        - {scope: {label: x}, years: [oui, oui, peut-être, oui, oui], quote: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match=r"Le fichier de relecture 'overlay\.yaml' est invalide"):
        load_kb(corpus)


# --- text views -------------------------------------------------------------------------------


def test_format_indicator_is_french_and_shows_target_and_eligibility(kb: KnowledgeBase) -> None:
    text = format_indicator(kb.get("CT_3"))
    assert text.startswith("CPOM_CT_3 (CT_03_1_1) — Organisation de fonctions en commun")
    assert "réservé aux établissements membres d'un GHT" in text
    assert "2028 : au moins 1" in " ".join(text.split())  # lines are wrapped
    hpr = format_indicator(kb.get("HPR_1_1"))
    assert "Objectif 1 (objectif prioritaire *)" in hpr


def test_format_indicator_list_names_every_indicator(kb: KnowledgeBase) -> None:
    text = format_indicator_list(kb)
    assert "30 indicateurs (27 quantitatifs, 3 déclaratifs)" in text
    for code in [*STRATEGIC_CODES, *HPR_CODES]:
        assert re.search(rf"^{code}\s", text, re.MULTILINE), code


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        pytest.param("Le CT 3, on peut le prendre ?", ["CPOM_CT_3"], id="ct-space"),
        pytest.param("cible de l'OS10 et de l'os_13", ["CPOM_OS_10", "CPOM_OS_13"], id="os"),
        pytest.param("CPOM_CT_07 puis OS_13_1_1", ["CPOM_CT_7", "CPOM_OS_13"], id="padded-annex"),
        pytest.param("indicateur HPR 4.2 ou hpr4_2", ["HPR_4_2"], id="hpr-once"),
        pytest.param("un CPOM de 2025 à 2029, 10 indicateurs", [], id="no-code"),
        pytest.param("les cost 12 et hospitalisations", [], id="no-code-inside-words"),
        # the HPR trame's own numbers, the annex named elsewhere in the question
        pytest.param("c quoi l'indicateur 3_2 de l'annexe hpr ?", ["HPR_3_2"], id="hpr-trame"),
        pytest.param(
            "hôpitaux de proximité : l'indicateur 6.1 ?", ["HPR_6_1"], id="hpr-spelled-out"
        ),
        pytest.param("l'article 4_2 du contrat", [], id="no-hpr-without-the-annex"),
    ],
)
def test_find_codes_reads_every_usual_form(text: str, codes: list[str]) -> None:
    assert find_codes(text) == codes


def test_code_tokens_are_the_search_tokens() -> None:
    assert code_token("CPOM_OS_13") in tokenize("Quelle cible pour l'OS 13 ?")
    assert code_token("HPR_4_2") in tokenize("l'indicateur HPR 4.2")


def test_a_bullet_that_goes_on_with_the_item_before_is_part_of_it(kb: KnowledgeBase) -> None:
    # a fiche's list cut inside a sentence (« … qui les étudiera au regard » / « des critères
    # de recevabilité … ») is one practice: no item opens in the middle of a sentence
    for indicator in kb.indicators.values():
        practices = indicator.good_practices
        for before, item in itertools.pairwise(practices):
            assert not (item[:1].islower() and not before.endswith((".", ";", ":"))), item
    criteria = [p for p in kb.indicators["CPOM_OS_12"].good_practices if "au regard" in p]
    assert criteria
    assert "au regard des critères de recevabilité" in criteria[0]
