"""Growth in « % » of a rate and in « points »: two readings, shown, chosen, both accepted."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.drafting import draft_indicator
from assistant.kb import KnowledgeBase, YearTarget
from assistant.kb.growth import two_readings, year_figure
from assistant.propose import parse_profile
from assistant.rules import RuleSet, validate_draft
from tests.chain_fixtures import kb, rules, settings
from tests.validator_fixtures import BASE_CODES, draft

__all__ = ["kb", "rules", "settings"]

PROFILE: dict[str, Any] = {
    "finess_ej": "310000123",
    "statut": "public",
    "categorie": "CH",
    "lits": 350,
    "membre_ght": True,
    "hopital_proximite": False,
    "activites": ["medecine", "chirurgie", "obstetrique", "urgences", "imagerie"],
}


def _with(code: str, baseline: float, targets: list[float]) -> dict[str, Any]:
    """The guide's 8-indicator example with one line replaced (CH of 350 beds)."""
    tree = draft((*[c for c in BASE_CODES if c != code][:7], code))
    tree["indicateurs"][-1] |= {
        "valeur_initiale": baseline,
        "cibles": {str(2025 + i): v for i, v in enumerate(targets)},
    }
    return tree


def _findings(tree: dict[str, Any], kb: KnowledgeBase, rules: RuleSet, rule: str) -> list[str]:
    report = validate_draft(tree, kb=kb, rules=rules)
    code = tree["indicateurs"][-1]["code"]
    return [f.message for f in report.findings if f.rule == rule and f.indicator == code]


def test_a_growth_reads_as_a_share_or_as_points() -> None:
    growth = YearTarget(year=2026, kind="hausse_vs_n_1", value=3)
    assert year_figure(growth, 40, 40) == pytest.approx(41.2)
    assert year_figure(growth, 40, 40, lecture="points") == 43
    cumulated = YearTarget(year=2027, kind="hausse_vs_2024", value=30, points=True)
    assert year_figure(cumulated, 200, None) == pytest.approx(260)
    assert year_figure(cumulated, 200, None, lecture="points") == 230


def test_which_targets_read_two_ways(kb: KnowledgeBase) -> None:
    os13 = kb.indicators["CPOM_OS_13"]  # a rate, « +3% par rapport à N-1 »
    os9 = kb.indicators["CPOM_OS_9"]  # a count, « Augmentation de 10 points »
    os15 = kb.indicators["CPOM_OS_15"]  # a count, « + 20 % de la file active initiale »
    assert all(two_readings(y, os13.unit) for y in os13.target.rules[0].years)
    assert all(two_readings(y, os9.unit) for y in os9.target.rules[1].years)
    assert not any(two_readings(y, os15.unit) for y in os15.target.rules[0].years)
    no_decrease = YearTarget(year=2027, kind="hausse_vs_n_1", value=0)
    assert not two_readings(no_decrease, "taux")


def test_the_validator_accepts_the_points_reading_and_says_so(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    # OS_9 for 100-499 beds: « Augmentation de 10 points » a year. From 200 acts: relative
    # 220, 240…; points 210, 220… A draft at 210, 220… follows the points reading only.
    tree = _with("CPOM_OS_9", 200, [210, 220, 230, 240, 250])
    assert _findings(tree, kb, rules, "TRAJ-BELOW-FICHE") == []
    (said,) = _findings(tree, kb, rules, "TRAJ-READING")
    assert "le brouillon suit la lecture en points" in said


def test_the_validator_says_when_a_draft_follows_the_relative_reading(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    tree = _with("CPOM_OS_13", 40, [40.4, 41.7, 43, 44.3, 45.7])
    assert _findings(tree, kb, rules, "TRAJ-BELOW-FICHE") == []
    (said,) = _findings(tree, kb, rules, "TRAJ-READING")
    assert "le brouillon suit la lecture relative" in said
    both = _with("CPOM_OS_13", 40, [41, 44, 47, 50, 53])
    (said,) = _findings(both, kb, rules, "TRAJ-READING")
    assert "respecte les deux lectures" in said


def test_a_draft_under_both_readings_is_below_the_fiche(kb: KnowledgeBase, rules: RuleSet) -> None:
    tree = _with("CPOM_OS_9", 200, [205, 208, 215, 220, 230])
    (below,) = _findings(tree, kb, rules, "TRAJ-BELOW-FICHE")
    assert "2025 : 205 (attendu : au moins 220)" in below
    assert "deux lectures" in below
    (said,) = _findings(tree, kb, rules, "TRAJ-READING")
    assert "ni l'une ni l'autre" in said


def test_a_year_short_under_one_reading_only_is_not_reported(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    # OS_13 from 40 %: 2025-2026 meet the relative reading only, 2028-2029 neither reading.
    tree = _with("CPOM_OS_13", 40, [40.5, 41.8, 49, 50, 51])
    (below,) = _findings(tree, kb, rules, "TRAJ-BELOW-FICHE")
    assert "2028 : 50 %" in below or "2028 : 50 " in below
    assert "2029" in below
    assert "2025" not in below.split("Lecture")[0]
    (said,) = _findings(tree, kb, rules, "TRAJ-READING")
    assert "ni l'une ni l'autre" in said


def test_the_draft_applies_the_chosen_reading_and_shows_the_other(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = parse_profile(PROFILE)
    relative = draft_indicator(profile, "OS_13", baseline=40, kb=kb, rules=rules, settings=settings)
    assert relative.lecture_hausse == "relative"
    assert relative.trajectoire["2026"] == 41.7
    assert relative.trajectoire_autre_lecture is not None
    assert relative.trajectoire_autre_lecture["2026"] == 44
    points = draft_indicator(
        profile, "OS_13", baseline=40, kb=kb, rules=rules, settings=settings, lecture="points"
    )
    assert points.lecture_hausse == "points"
    assert points.trajectoire == {"2025": 41, "2026": 44, "2027": 47, "2028": 50, "2029": 53}
    assert points.trajectoire_autre_lecture == relative.trajectoire
    assert not [f for f in points.findings if f.severity != "information"]
    # a fiche without such a growth has no second reading
    plain = draft_indicator(profile, "OS_15", baseline=50, kb=kb, rules=rules, settings=settings)
    assert plain.lecture_hausse is None
    assert plain.trajectoire_autre_lecture is None


def test_the_cli_takes_the_reading_and_refuses_another_word_in_french(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "profil.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    out = io.StringIO()
    args = [str(profile), "--indicator", "OS_9", "--baseline", "200", "--json"]
    assert main(["draft", *args, "--lecture", "points"], out=out) == 0
    printed = json.loads(out.getvalue())
    assert printed["lecture_hausse"] == "points"
    assert printed["trajectoire"]["2025"] == 210
    assert printed["trajectoire_autre_lecture"]["2025"] == 220
    with pytest.raises(SystemExit) as exc:
        main(["draft", *args, "--lecture", "pourcent"])
    assert exc.value.code == 2
    assert "valeur 'pourcent' non reconnue (valeurs possibles" in capsys.readouterr().err
