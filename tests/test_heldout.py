"""The blind held-out sets stay valid against the corpus (they are frozen: never edited to pass).

``bench/heldout/``: questions with verbatim evidence, and hand-labelled guard sentences whose
passages are verbatim. A corpus change that breaks a gold shows here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "bench" / "heldout"
CATALOG = ROOT / "corpus" / "catalog.yaml"
_WS = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


@cache
def _document(doc_id: str) -> str:
    documents = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["documents"]
    path = {d["id"]: CATALOG.parent / d["file"] for d in documents}[doc_id]
    return _collapse(path.read_text(encoding="utf-8"))


def _verbatim(doc_id: str, excerpt: str) -> bool:
    hay, needle = _document(doc_id), _collapse(excerpt)
    return needle in hay or needle.replace("- ", "") in hay.replace("- ", "")


def _items(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((HELDOUT / name).read_text(encoding="utf-8"))["items"]


QUESTIONS = _items("guides.yaml") + _items("fiches.yaml")
GUARD = _items("guard_set.yaml")
GUARD_RETIRED = [
    item
    for name in ("guard_dev.yaml", "guard_dev5.yaml")
    for item in yaml.safe_load((ROOT / "bench" / name).read_text(encoding="utf-8"))["items"]
]
"""The first guard set, retired to tuning when the second was written, and the tuning set
written after it: checked the same way."""
EXTRA_DEV = yaml.safe_load((ROOT / "bench" / "devset_extra.yaml").read_text(encoding="utf-8"))[
    "items"
]
"""The second dev set (written blind too, but for tuning): its golds are checked the same way."""
RETIRED = [
    item
    for folder in ("dev3", "dev4", "dev5", "dev6", "dev7")
    for name in ("guides.yaml", "fiches.yaml")
    for item in yaml.safe_load((ROOT / "bench" / folder / name).read_text(encoding="utf-8"))[
        "items"
    ]
]
"""The first five held-out sets, retired to the third to seventh dev sets: checked the same way."""


def test_the_sets_have_the_size_the_answers_issue_asks_for() -> None:
    answerable = [q for q in QUESTIONS if q["answerable"]]
    assert len(answerable) >= 200
    assert len(QUESTIONS) - len(answerable) >= 40
    assert len(GUARD) >= 60
    assert not {g["id"] for g in GUARD} & {g["id"] for g in GUARD_RETIRED}
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    assert not {q["id"] for q in QUESTIONS} & {q["id"] for q in EXTRA_DEV}
    assert not {q["id"] for q in QUESTIONS} & {q["id"] for q in RETIRED}
    # a follow-up is the question it stands for (« et pour un établissement intermédiaire ? »
    # after another question is not the same question)
    asked = {q.get("standalone") or q["question"] for q in QUESTIONS}
    assert not asked & {q.get("standalone") or q["question"] for q in RETIRED + EXTRA_DEV}


@pytest.mark.parametrize(
    "item", [q for q in QUESTIONS + EXTRA_DEV + RETIRED if q["answerable"]], ids=lambda q: q["id"]
)
def test_every_gold_is_verbatim_and_holds_its_keywords(item: dict[str, Any]) -> None:
    for gold in [item["gold"], *item.get("alt_gold", [])]:
        assert _verbatim(item["doc_id"], gold), gold
    flat = _collapse(item["gold"]).lower().replace(" ", "")
    for keyword in item["answer_keywords"]:
        assert str(keyword).lower().replace(" ", "") in flat


@pytest.mark.parametrize("item", GUARD + GUARD_RETIRED, ids=lambda g: g["id"])
def test_every_guard_passage_is_verbatim(item: dict[str, Any]) -> None:
    assert item["label"] in {"faithful", "unfaithful"}
    assert _verbatim(item["doc_id"], item["passage"])
