"""JUST-DUPLICATE, JUST-CONTENT, JUST-MISSING and TRAJ-FLAT, through the real validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.kb import KnowledgeBase
from assistant.rules import Report, RuleSet, validate_draft
from assistant.rules.justification import has_baseline, has_dated_action, has_means
from tests.validator_fixtures import (
    CORPUS,
    ROOT,
    WRITTEN,
    draft,
    kb,
    line,
    proximity_draft,
    rules,
    written,
)

__all__ = ["kb", "rules"]  # fixtures imported from tests/validator_fixtures.py

Tree = dict[str, Any]
EXAMPLE = ROOT / "examples" / "brouillon-valide.json"


def check(tree: Tree, kb: KnowledgeBase, rules: RuleSet) -> Report:
    return validate_draft(tree, kb=kb, rules=rules)


def hits(report: Report, rule: str) -> list[Any]:
    return [finding for finding in report.findings if finding.rule == rule]


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def corpus_text() -> dict[str, str]:
    return {path.stem: _squash(path.read_text(encoding="utf-8")) for path in CORPUS.glob("*.txt")}


def _cited(report: Report, rule: str, corpus_text: dict[str, str]) -> list[Any]:
    found = hits(report, rule)
    for finding in found:
        assert finding.severity == "avertissement"
        assert _squash(finding.source.quote) in corpus_text[finding.source.doc_id], finding
    return found


# --- JUST-DUPLICATE ----------------------------------------------------------------------

TEMPLATE = (
    "Pour l'indicateur {name}, la valeur 2024 est de {figure} ; la direction des soins "
    "réunira un groupe de travail avec les cadres de santé en mars 2026, puis présentera un "
    "bilan annuel aux instances et au conseil de surveillance."
)


def test_written_drafts_have_no_duplicate(kb: KnowledgeBase, rules: RuleSet) -> None:
    report = check(written(proximity_draft()), kb, rules)
    assert hits(report, "JUST-DUPLICATE") == []


def test_identical_justifications_across_both_annexes_are_one_finding(
    kb: KnowledgeBase, rules: RuleSet, corpus_text: dict[str, str]
) -> None:
    tree = written(proximity_draft())
    copied = tree["indicateurs"][0]["justification"]
    tree["indicateurs"][3]["justification"] = copied
    tree["indicateurs_hpr"][2]["justification"] = copied
    report = check(tree, kb, rules)
    (finding,) = _cited(report, "JUST-DUPLICATE", corpus_text)
    assert finding.message.startswith("CPOM_CT_2, CPOM_OS_6 et HPR_3_2 : justifications identiques")
    assert "chaque choix doit être justifié pour lui-même" in finding.message
    assert finding.indicator == "CPOM_CT_2"
    assert report.valid  # a warning


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(("CPOM_CT_2", "3"), ("CPOM_CT_4", "3"), id="code-changed"),
        pytest.param(("CPOM_CT_2", "3"), ("CPOM_CT_4", "12,5 %"), id="code-and-figure"),
        pytest.param(("label", "3"), ("label", "7"), id="label-changed"),
    ],
)
def test_a_copy_that_changes_only_the_name_or_a_figure_is_a_duplicate(
    first: tuple[str, str], second: tuple[str, str], kb: KnowledgeBase, rules: RuleSet
) -> None:
    tree = written(draft())
    for index, (name, figure) in ((0, first), (1, second)):
        code = tree["indicateurs"][index]["code"]
        shown = kb.indicators[code].label if name == "label" else name
        tree["indicateurs"][index]["justification"] = TEMPLATE.format(name=shown, figure=figure)
    (finding,) = hits(check(tree, kb, rules), "JUST-DUPLICATE")
    assert finding.message.startswith("CPOM_CT_2 et CPOM_CT_4 :")
    assert "justifications identiques (" in finding.message  # names and figures set aside


def test_a_copy_with_a_word_changed_is_nearly_identical(kb: KnowledgeBase, rules: RuleSet) -> None:
    tree = written(draft())
    tree["indicateurs"][0]["justification"] = TEMPLATE.format(name="CPOM_CT_2", figure="3")
    changed = TEMPLATE.replace("mars 2026", "septembre 2026")
    tree["indicateurs"][1]["justification"] = changed.format(name="CPOM_CT_4", figure="3")
    (finding,) = hits(check(tree, kb, rules), "JUST-DUPLICATE")
    assert "justifications presque identiques (ressemblance d’au moins 9" in finding.message


def test_justifications_sharing_one_sentence_are_not_duplicates(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    common = (
        "Ce choix s'inscrit dans le projet médical partagé du GHT validé par la commission "
        "médicale d'établissement. "
    )
    tree = written(draft())
    for index in range(len(tree["indicateurs"])):
        tree["indicateurs"][index]["justification"] = common + WRITTEN[index]
    assert hits(check(tree, kb, rules), "JUST-DUPLICATE") == []


def test_short_identical_texts_are_left_to_the_content_rule(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    tree = written(draft())
    tree["indicateurs"][0]["justification"] = "Priorité du GHT."
    tree["indicateurs"][1]["justification"] = "Priorité du GHT."
    report = check(tree, kb, rules)
    assert hits(report, "JUST-DUPLICATE") == []
    assert {f.indicator for f in hits(report, "JUST-CONTENT")} == {"CPOM_CT_2", "CPOM_CT_4"}


def test_the_valid_example_is_valid_but_its_copied_justifications_are_flagged(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    tree = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    report = check(tree, kb, rules)
    assert report.valid
    (finding,) = hits(report, "JUST-DUPLICATE")
    codes = [item["code"] for item in tree["indicateurs"]]
    assert finding.message.startswith(", ".join(codes[:-1]) + " et " + codes[-1] + " :")


# --- JUST-CONTENT ------------------------------------------------------------------------

COMPLETE = (
    "En 2024, 38,5 % des actes relevaient de la RAAC. Le pôle chirurgie formera les équipes "
    "d'orthopédie en 2025 et étendra le protocole au digestif en 2026."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(COMPLETE, (True, True, True), id="complete"),
        pytest.param(
            "2024 : 12 %. Formation des IDE en mars 2026 ; pilote : Dr Martin.",
            (True, True, True),
            id="short-and-precise",
        ),
        pytest.param(
            "L'état des lieux montre un recueil incomplet ; le DIM fiabilisera le codage au "
            "T2 2026.",
            (True, True, True),
            id="etat-des-lieux-trimestre",
        ),
        pytest.param(
            "Le taux est aujourd’hui de trente pour cent ; déploiement du protocole au "
            "premier semestre 2027 avec 0,5 ETP d'infirmière.",
            (True, True, True),
            id="words-and-etp",
        ),
        pytest.param(
            "Nous visons 45 % en 2029 grâce à la formation des équipes en 2025.",
            (False, True, True),
            id="no-baseline-target-only",
        ),
        pytest.param(
            "Le taux 2024 est de 30 % ; l'équipe de chirurgie porte la démarche chaque année.",
            (True, False, True),
            id="no-dated-action",
        ),
        pytest.param(
            "Constat 2024 : 30 % ; la cible 2029 est de 45 %.",
            (True, False, False),
            id="years-without-action",
        ),
        pytest.param(
            "Constat 2024 : 3 ateliers. Nous en tiendrons deux de plus en 2026.",
            (True, True, False),
            id="no-means",
        ),
        pytest.param(
            "Ce choix s'inscrit dans le CPOM 2025-2029 et le projet d'établissement 2023-2027.",
            (False, False, False),
            id="contract-period-is-no-date",
        ),
    ],
)
def test_each_element_is_detected(text: str, expected: tuple[bool, bool, bool]) -> None:
    assert (has_baseline(text), has_dated_action(text), has_means(text)) == expected


@pytest.mark.parametrize(
    ("text", "missing", "present"),
    [
        pytest.param(
            "Nous visons 45 % en 2029 avec la formation des équipes en 2025.",
            ["valeur 2024"],
            ["action datée", "moyens"],
            id="baseline",
        ),
        pytest.param(
            "Le taux 2024 est de 30 % ; l'équipe de chirurgie porte la démarche.",
            ["action datée"],
            ["valeur 2024", "moyens"],
            id="action",
        ),
        pytest.param(
            "Constat 2024 : 3 ateliers. Nous en tiendrons deux de plus en 2026.",
            ["moyens"],
            ["valeur 2024", "action datée"],
            id="means",
        ),
        pytest.param(
            "Indicateur prioritaire pour nous.",
            ["valeur 2024", "action datée", "moyens"],
            [],
            id="all-three",
        ),
    ],
)
def test_one_content_finding_lists_what_is_missing(
    text: str,
    missing: list[str],
    present: list[str],
    kb: KnowledgeBase,
    rules: RuleSet,
    corpus_text: dict[str, str],
) -> None:
    tree = written(draft())
    tree["indicateurs"][2]["justification"] = text
    report = check(tree, kb, rules)
    (finding,) = _cited(report, "JUST-CONTENT", corpus_text)
    assert finding.indicator == "CPOM_OS_3"
    for words in missing:
        assert words in finding.message
    for words in present:
        assert words not in finding.message
    assert "le guide ne fixe pas le contenu" in finding.message
    assert hits(report, "JUST-MISSING") == []
    assert report.valid


def test_a_partner_named_in_the_comment_counts(kb: KnowledgeBase, rules: RuleSet) -> None:
    tree = written(draft())
    tree["indicateurs"][2]["justification"] = (
        "Constat 2024 : 3 ateliers ; deux de plus seront organisés en 2026."
    )
    assert hits(check(tree, kb, rules), "JUST-CONTENT")
    tree["indicateurs"][2]["commentaire"] = "Ateliers animés avec la CPTS du Lot."
    assert hits(check(tree, kb, rules), "JUST-CONTENT") == []


@pytest.mark.parametrize("text", [None, "", "   "])
def test_only_an_absent_justification_is_just_missing(
    text: str | None, kb: KnowledgeBase, rules: RuleSet
) -> None:
    tree = written(draft())
    tree["indicateurs"][1]["justification"] = text
    report = check(tree, kb, rules)
    (finding,) = hits(report, "JUST-MISSING")
    assert finding.indicator == "CPOM_CT_4"
    assert "aucune justification" in finding.message
    assert hits(report, "JUST-CONTENT") == []


# --- TRAJ-FLAT ---------------------------------------------------------------------------

FLAT = dict.fromkeys(("2025", "2026", "2027", "2028", "2029"), 35)


def _with(tree: Tree, index: int, new: Tree) -> Tree:
    new["justification"] = tree["indicateurs"][index]["justification"]
    tree["indicateurs"][index] = new
    return tree


def test_a_flat_trajectory_for_an_indicator_that_asks_progress_is_flagged(
    kb: KnowledgeBase, rules: RuleSet, corpus_text: dict[str, str]
) -> None:
    # CPOM_OS_9: « Développer la télésanté dont la télémédecine// Augmenter le nombre d'actes ».
    tree = _with(written(draft()), 4, line("CPOM_OS_9", baseline=35, targets=FLAT))
    (finding,) = _cited(check(tree, kb, rules), "TRAJ-FLAT", corpus_text)
    assert finding.indicator == "CPOM_OS_9"
    assert "35, 35, 35, 35, 35" in finding.message
    assert "« Développer la télésanté dont la télémédecine »" in finding.message
    assert finding.source.doc_id == "occitanie-fiches-2025-2029"
    rising = _with(written(draft()), 4, line("CPOM_OS_9", baseline=35, targets=None))
    assert hits(check(rising, kb, rules), "TRAJ-FLAT") == []


def test_a_flat_hpr_line_is_flagged_with_the_annex_words(
    kb: KnowledgeBase, rules: RuleSet, corpus_text: dict[str, str]
) -> None:
    tree = written(proximity_draft())
    assert tree["indicateurs_hpr"][2]["code"] == "HPR_3_2"  # « Améliorer le taux d'entrée … »
    tree["indicateurs_hpr"][2] |= {"valeur_initiale": 20, "cibles": dict.fromkeys(FLAT, 20)}
    tree["indicateurs_hpr"][2]["cibles"] = {"2025": 20, "2026": 20, "2027": 20}
    (finding,) = _cited(check(tree, kb, rules), "TRAJ-FLAT", corpus_text)
    assert finding.indicator == "HPR_3_2"
    assert "Améliorer le taux d'entrée directe par le domicile" in finding.message
    tree["indicateurs_hpr"][2]["cibles"] = {"2025": 20, "2026": 22, "2027": 25}
    assert hits(check(tree, kb, rules), "TRAJ-FLAT") == []


@pytest.mark.parametrize(
    ("code", "level", "flagged"),
    [
        pytest.param("CPOM_OS_16", 65, False, id="os16-fiche-65-from-2026"),
        pytest.param("CPOM_OS_16", 80, False, id="os16-above-the-plateau"),
        pytest.param("CPOM_OS_16", 40, True, id="os16-below-the-plateau"),
        pytest.param("CPOM_CT_7", 2, False, id="ct7-maintien-2-a-year"),
        pytest.param("CPOM_OS_18", 1, False, id="os18-maintien"),
    ],
)
def test_a_flat_trajectory_the_fiche_itself_asks_for_is_fine(
    code: str, level: int, flagged: bool, kb: KnowledgeBase, rules: RuleSet
) -> None:
    flat = dict.fromkeys(FLAT, level)
    tree = _with(written(draft()), 7, line(code, baseline=level, targets=flat))
    found = hits(check(tree, kb, rules), "TRAJ-FLAT")
    assert [f.indicator for f in found] == ([code] if flagged else [])


def test_a_declarative_indicator_held_at_oui_is_not_flat(kb: KnowledgeBase, rules: RuleSet) -> None:
    new = line("CPOM_OS_4", baseline="oui", targets=dict.fromkeys(FLAT, "oui"))
    tree = _with(written(draft()), 7, new)
    assert hits(check(tree, kb, rules), "TRAJ-FLAT") == []


def test_the_rules_file_cites_the_guide_for_the_new_rules(rules: RuleSet) -> None:
    for rule_id in ("JUST-CONTENT", "JUST-DUPLICATE", "TRAJ-FLAT"):
        rule = rules.get(rule_id)
        assert rule is not None
        assert rule.severity == "avertissement"
    content = rules.get("JUST-CONTENT")
    assert content is not None
    assert "plan d'actions précis" in content.alt_citations["actions"].quote
    assert Path(CORPUS / "occitanie-guide-2025-2029.txt").exists()
