"""Checks bench/devset.yaml against the corpus: gold passages are verbatim, questions are not."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "bench" / "devset.yaml"
CATALOG = ROOT / "corpus" / "catalog.yaml"

KINDS = {"rule", "indicator", "general", "historical"}
CURRENT_GUIDE = "occitanie-guide-2025-2029"
FICHES = "occitanie-fiches-2025-2029"
HISTORICAL = ("ara-guide-2020-2024", "dgos-guide-2012", "instruction-etat-ars-2014")
_WS = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _dehyphenate(text: str) -> str:
    # "l'en- semble" (a word broken at a line end, once whitespace is collapsed) -> "l'ensemble"
    return text.replace("- ", "")


def _contains(haystack: str, needle: str) -> bool:
    needle = _collapse(needle)
    return needle in haystack or _dehyphenate(needle) in _dehyphenate(haystack)


def _question_form(text: str) -> str:
    text = _collapse(text.replace("’", "'")).lower()
    return text.rstrip(" ?!.")


def _load_items() -> list[dict[str, Any]]:
    return yaml.safe_load(DEVSET.read_text(encoding="utf-8"))["items"]


ITEMS = _load_items()
ANSWERABLE = [item for item in ITEMS if item.get("answerable", True)]
UNANSWERABLE = [item for item in ITEMS if not item.get("answerable", True)]


@cache
def _catalog() -> dict[str, Path]:
    documents = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["documents"]
    return {doc["id"]: CATALOG.parent / doc["file"] for doc in documents}


@cache
def _document_text(doc_id: str) -> str:
    return _collapse(_catalog()[doc_id].read_text(encoding="utf-8"))


@cache
def _corpus_question_forms() -> tuple[str, str]:
    text = _question_form(" ".join(_document_text(doc_id) for doc_id in _catalog()))
    return text, _dehyphenate(text)


def _params(items: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(item, id=item["id"]) for item in items]


def test_devset_has_enough_answerable_and_unanswerable_questions() -> None:
    assert len(ANSWERABLE) >= 70
    assert len(UNANSWERABLE) >= 15


def test_ids_are_unique() -> None:
    duplicates = [key for key, count in Counter(item["id"] for item in ITEMS).items() if count > 1]
    assert duplicates == []


def test_questions_are_unique() -> None:
    forms = Counter(_question_form(item["question"]) for item in ITEMS)
    assert [question for question, count in forms.items() if count > 1] == []


def test_answerable_items_spread_over_all_documents() -> None:
    per_doc = Counter(item["doc_id"] for item in ANSWERABLE)
    total = len(ANSWERABLE)
    assert 0.3 <= per_doc[CURRENT_GUIDE] / total <= 0.5
    assert 0.25 <= per_doc[FICHES] / total <= 0.45
    for doc_id in HISTORICAL:
        assert per_doc[doc_id] >= 4, doc_id


def test_fiche_questions_cover_at_least_twenty_fiches() -> None:
    fiches = {item["fiche"] for item in ANSWERABLE if "fiche" in item}
    assert len(fiches) >= 20
    assert {code.split("_")[1] for code in fiches} == {"CT", "OS"}


def test_followups_form_three_to_five_pairs_after_their_first_turn() -> None:
    position = {item["id"]: index for index, item in enumerate(ITEMS)}
    followups = [item for item in ITEMS if "followup_of" in item]
    assert 3 <= len(followups) <= 5
    for item in followups:
        first = ITEMS[position[item["followup_of"]]]
        assert position[first["id"]] < position[item["id"]], item["id"]
        assert "followup_of" not in first, item["id"]
        assert item["standalone"].strip(), item["id"]


@pytest.mark.parametrize("item", _params(ITEMS))
def test_item_fields_are_well_formed(item: dict[str, Any]) -> None:
    assert item["kind"] in KINDS
    assert item["question"].strip()
    if item.get("answerable", True):
        assert item["doc_id"] in _catalog()
        keywords = item["answer_keywords"]
        assert 1 <= len(keywords) <= 4
        assert all(isinstance(keyword, str) and keyword.strip() for keyword in keywords)
        assert "note" not in item
        if item["doc_id"] in HISTORICAL:
            assert item["kind"] == "historical"
    else:
        assert item["note"].strip()
        assert not {"gold", "alt_gold", "doc_id", "answer_keywords"} & set(item)


@pytest.mark.parametrize("item", _params(ANSWERABLE))
def test_gold_excerpts_are_verbatim_in_their_document(item: dict[str, Any]) -> None:
    text = _document_text(item["doc_id"])
    for excerpt in [item["gold"], *item.get("alt_gold", [])]:
        assert 15 <= len(excerpt.split()) <= 40, excerpt
        assert _contains(text, excerpt), excerpt


@pytest.mark.parametrize("item", _params(ANSWERABLE))
def test_answer_keywords_come_from_a_gold_excerpt(item: dict[str, Any]) -> None:
    excerpts = [item["gold"], *item.get("alt_gold", [])]
    squeezed = [_WS.sub("", excerpt).lower() for excerpt in excerpts]
    for keyword in item["answer_keywords"]:
        needle = _WS.sub("", keyword).lower()
        assert any(needle in excerpt for excerpt in squeezed), keyword


@pytest.mark.parametrize("item", _params([item for item in ANSWERABLE if "fiche" in item]))
def test_fiche_items_name_a_fiche_of_the_fiches_document(item: dict[str, Any]) -> None:
    assert item["doc_id"] == FICHES
    match = re.fullmatch(r"CPOM_(CT|OS)_([1-9]\d?)", item["fiche"])
    assert match, "canonical code, no leading zero"
    # the fiches print some codes with a leading zero (CPOM_CT_07)
    header = rf"N° et libellé Indicateur\s*CPOM_{match[1]}_0?{match[2]}\b"
    assert re.search(header, _document_text(FICHES))


@pytest.mark.parametrize("item", _params(ITEMS))
def test_questions_are_not_copied_from_the_corpus(item: dict[str, Any]) -> None:
    corpus, corpus_dehyphenated = _corpus_question_forms()
    for question in filter(None, [item["question"], item.get("standalone")]):
        form = _question_form(question)
        assert form not in corpus
        assert _dehyphenate(form) not in corpus_dehyphenated
