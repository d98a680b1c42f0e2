"""Where the fiche asks for progress without a figure, the draft proposes the smallest step.

« Progression positive du taux », « Augmentation attendue », an HPR label that asks to
« développer »: a flat trajectory would be sent back (TRAJ-FLAT), so the draft moves by +1 (or
+1 % of a rate) a year and says the step is the assistant's, to adjust. Words that allow holding
a level (« ou stabilisation ») and fiches that set steps in words are left as they are.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.config import Settings
from assistant.drafting import draft_indicator
from assistant.drafting.trajectory import asks_more, smallest_step
from assistant.kb import KnowledgeBase
from assistant.propose import Profile, parse_profile
from assistant.rules import RuleSet, validate_draft
from tests.chain_fixtures import kb, rules, settings
from tests.test_drafting import CH
from tests.validator_fixtures import draft as guide_draft

__all__ = ["kb", "rules", "settings"]


def _profile(**changes: Any) -> Profile:
    return parse_profile({**CH, **changes})


@pytest.mark.parametrize(
    ("words", "asks"),
    [
        ("Augmentation attendue", True),
        ("Progression positive du taux et/ou du nombre total de RMM", True),
        ("Progression positive ou stabilisation du taux et/ou du nombre total de RMM", False),
        ("Maintien montée en charge", False),
        ("Réflexion", False),
        (None, False),
    ],
)
def test_words_that_ask_for_progress(words: str | None, asks: bool) -> None:
    assert asks_more(words) is asks


def test_the_smallest_step_is_one_unit_or_one_percent_of_a_rate() -> None:
    assert smallest_step(3, 0, None) == 4
    assert smallest_step(30, 1, 100.0) == 30.3
    assert smallest_step(2, 1, 100.0) == 2.1  # at least one unit of the last decimal
    assert smallest_step(99.95, 1, 100.0) == 100


def test_os19_progression_positive_moves_up_and_may_hold_in_2029(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    # Intermediate row: 2025 « > 5 % », 2026-2028 « Progression positive », 2029 « … ou
    # stabilisation ».
    profile = _profile(lits=300)
    draft = draft_indicator(profile, "OS_19", baseline=30, kb=kb, rules=rules, settings=settings)
    t = draft.trajectoire
    assert t["2025"] == 30
    assert t["2025"] < t["2026"] < t["2027"] < t["2028"]
    assert t["2029"] == t["2028"]
    (said,) = [w for w in draft.avertissements if "sans la chiffrer" in w]
    assert said.startswith("Pour 2026, 2027, 2028, la fiche demande une progression")
    assert "+1 % de la valeur" in said
    assert "cible proposée" in draft.actions[1]


def test_augmentation_attendue_for_a_count_adds_one_a_year(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = _profile(lits=80)  # OS_9's row for establishments under 100 beds
    draft = draft_indicator(profile, "OS_9", baseline=3, kb=kb, rules=rules, settings=settings)
    assert list(draft.trajectoire.values()) == [4, 5, 6, 7, 8]


def test_an_hpr_label_asking_for_progress_moves_one_that_does_not_holds(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = _profile(hopital_proximite=True, lits=60)
    develop = draft_indicator(profile, "HPR_1_2", baseline=5, kb=kb, rules=rules, settings=settings)
    assert list(develop.trajectoire.values()) == [6, 7, 8]
    assert "l'assistant propose la plus petite progression" in develop.diagnostic_initial
    assert [a.split(" : ", 1)[0] for a in develop.actions] == ["2025", "2026", "2027"]
    orient = draft_indicator(profile, "HPR_4_3", baseline=5, kb=kb, rules=rules, settings=settings)
    assert list(orient.trajectoire.values()) == [5, 5, 5]
    assert not [w for w in orient.avertissements if "sans la chiffrer" in w]
    assert any(t.startswith("actions : l'annexe HPR") for t in orient.a_completer)


def test_a_fiche_of_steps_in_words_is_not_flagged_flat(kb: KnowledgeBase, rules: RuleSet) -> None:
    # OS_7: « Engager dans la démarche », « Réaliser au moins une évaluation… », … each year.
    tree = guide_draft()
    line = tree["indicateurs"][-1]
    line |= {
        "code": "CPOM_OS_7",
        "valeur_initiale": 0,
        "cibles": dict.fromkeys(map(str, range(2025, 2030)), 0),
    }
    findings = validate_draft(tree, kb=kb, rules=rules).findings
    assert not [f for f in findings if f.rule == "TRAJ-FLAT" and f.indicator == "CPOM_OS_7"]
    # The same flat figures for OS_13, whose fiche sets growth, are flagged.
    line |= {
        "code": "CPOM_OS_13",
        "valeur_initiale": 30,
        "cibles": dict.fromkeys(map(str, range(2025, 2030)), 30),
    }
    findings = validate_draft(tree, kb=kb, rules=rules).findings
    assert [f for f in findings if f.rule == "TRAJ-FLAT" and f.indicator == "CPOM_OS_13"]
