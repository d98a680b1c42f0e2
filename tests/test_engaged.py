"""« Établissements déjà engagés »: a draft says it (``deja_engage``), the matching row applies."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from assistant.drafts import Draft, parse_draft, read_draft_file, write_csv, write_json, write_xlsx
from assistant.kb import KnowledgeBase
from assistant.rules import RuleSet, validate_draft
from tests.validator_fixtures import draft, kb, rules

__all__ = ["kb", "rules"]

OS_20 = 6  # the line of CPOM_OS_20 in the guide's 8-indicator example


def _os20(*, engaged: Any, baseline: float, targets: list[float]) -> dict[str, Any]:
    tree = draft()
    line = tree["indicateurs"][OS_20]
    assert line["code"] == "CPOM_OS_20"
    line |= {
        "valeur_initiale": baseline,
        "cibles": {str(2025 + i): v for i, v in enumerate(targets)},
    }
    if engaged is not None:
        line["deja_engage"] = engaged
    return tree


def _found(tree: dict[str, Any], kb: KnowledgeBase, rules: RuleSet, rule: str) -> list[str]:
    report = validate_draft(tree, kb=kb, rules=rules)
    return [f.message for f in report.findings if f.rule == rule and f.indicator == "CPOM_OS_20"]


def test_an_engaged_establishment_is_held_to_the_engaged_row(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    # OS_20: engaged 2, 4, 4, 4, 4 actions a quarter; the others 1, 2, 3, 3, 3.
    tree = _os20(engaged="oui", baseline=2, targets=[2, 3, 3, 3, 3])
    (below,) = _found(tree, kb, rules, "TRAJ-BELOW-FICHE")
    assert "« Pour les établissements déjà engagés dans des actions de communication »" in below
    assert "2026 : 3 (attendu : au moins 4)" in below
    # The same figures without the flag follow the « autres » row: nothing below it.
    assert (
        _found(
            _os20(engaged=None, baseline=2, targets=[2, 3, 3, 3, 3]), kb, rules, "TRAJ-BELOW-FICHE"
        )
        == []
    )


def test_already_met_under_the_other_row_says_how_to_apply_the_engaged_one(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    # Doing 3 actions already meets the « autres » row's 3 of 2029: a false « déjà atteint »
    # for an establishment that is in fact engaged.
    tree = _os20(engaged=None, baseline=3, targets=[3, 4, 4, 4, 4])
    (met,) = _found(tree, kb, rules, "TRAJ-ALREADY-MET")
    assert "pour « Pour les autres établissements »" in met
    assert "indiquez « deja_engage : oui »" in met
    engaged = _os20(engaged=True, baseline=3, targets=[3, 4, 4, 4, 4])
    assert _found(engaged, kb, rules, "TRAJ-ALREADY-MET") == []
    assert _found(engaged, kb, rules, "TRAJ-BELOW-FICHE") == []


def test_a_fiche_without_an_engaged_row_ignores_the_flag(kb: KnowledgeBase, rules: RuleSet) -> None:
    plain = draft()
    flagged = draft()
    flagged["indicateurs"][1]["deja_engage"] = True  # CPOM_CT_4 has no such row
    assert validate_draft(plain, kb=kb, rules=rules) == validate_draft(flagged, kb=kb, rules=rules)


@pytest.mark.parametrize("value", ["peut-être", 3, "engagé"])
def test_a_flag_that_is_not_yes_or_no_is_a_french_schema_error(value: Any) -> None:
    tree = draft()
    tree["indicateurs"][OS_20]["deja_engage"] = value
    view = parse_draft(tree)
    (issue,) = view.issues
    assert issue.path == "indicateurs[6].deja_engage"
    assert "oui ou non attendu" in issue.message
    assert issue.indicator == "CPOM_OS_20"


def test_the_flag_survives_json_csv_and_xlsx(tmp_path: Path) -> None:
    tree = draft()
    tree["indicateurs"][OS_20]["deja_engage"] = "oui"
    tree["indicateurs"][0]["deja_engage"] = "non"
    original = Draft.model_validate(tree)
    assert original.indicateurs[OS_20].deja_engage is True
    assert original.indicateurs[0].deja_engage is False
    assert original.indicateurs[1].deja_engage is None
    write_json(original, tmp_path / "b.json")
    write_csv(original, tmp_path / "b.csv")
    write_xlsx(original, tmp_path / "b.xlsx")
    for name in ("b.json", "b.csv", "b.xlsx"):
        (source,) = read_draft_file(tmp_path / name)
        assert Draft.model_validate(source.data) == original, name
    with (tmp_path / "b.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [row["deja_engage"] for row in rows][:2] == ["non", ""]
    assert rows[OS_20]["deja_engage"] == "oui"
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert "deja_engage" in header


def test_a_csv_written_by_hand_with_a_french_header_is_read(tmp_path: Path) -> None:
    write_csv(Draft.model_validate(draft()), tmp_path / "b.csv")
    with (tmp_path / "b.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    column = rows[0].index("deja_engage")
    rows[0][column] = "Déjà engagé"
    rows[1 + OS_20][column] = "Oui"
    with (tmp_path / "c.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    (source,) = read_draft_file(tmp_path / "c.csv")
    assert Draft.model_validate(source.data).indicateurs[OS_20].deja_engage is True
