"""The ARS referent's review of proposals: matching on what an indicator measures, priorities no
indicator covers, penalties from the fiche's eligibility only, indicators already met or already
engaged, unknown activities, private clinics outside a GHT, reasons that quote the indicator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.kb import KnowledgeBase
from assistant.propose import Profile, Proposal, parse_profile, propose, read_profile
from assistant.propose.display import format_proposal
from assistant.propose.offline import score_candidates
from assistant.propose.priorities import split_priorities
from assistant.propose.reasons import anchored, grounding, measure_texts
from assistant.propose.relevance import MIN_RELEVANCE, catalog_for
from assistant.propose.scoring import Candidate
from assistant.rules import RuleSet
from tests.conftest import ROOT

PROFILES = ROOT / "bench" / "profiles"

CH: dict[str, Any] = {
    "raison_sociale": "Centre hospitalier de Saint-Exemple",
    "finess_ej": "310000123",
    "statut": "public",
    "categorie": "CH",
    "lits": 350,
    "membre_ght": True,
    "hopital_proximite": False,
    "activites": ["medecine", "chirurgie", "obstetrique", "urgences", "imagerie"],
}
PSY: dict[str, Any] = {
    **CH,
    "categorie": "psychiatrie",
    "activites": ["psychiatrie"],
    "priorites": "réduire l'isolement et la contention ; développer la télépsychiatrie",
}
HPR: dict[str, Any] = {
    **CH,
    "lits": 110,
    "finess_ej": "480000152",
    "hopital_proximite": True,
    "activites": ["medecine", "smr"],
}
CLINIC: dict[str, Any] = {
    **CH,
    "statut": "prive_lucratif",
    "categorie": "clinique",
    "lits": 160,
    "membre_ght": False,
    "finess_ej": "660000327",
    "activites": ["chirurgie", "imagerie"],
}


def run(data: dict[str, Any], kb: KnowledgeBase, rules: RuleSet, settings: Settings) -> Proposal:
    return propose(parse_profile(data), kb=kb, rules=rules, settings=settings)


def candidate(data: dict[str, Any], code: str, kb: KnowledgeBase, rules: RuleSet) -> Candidate:
    strategic, hpr = score_candidates(parse_profile(data), kb=kb, rules=rules)
    return next(c for c in strategic + hpr if c.code == code)


def priority_reasons(proposal: Proposal, code: str) -> list[str]:
    entries = proposal.indicateurs + proposal.indicateurs_hpr + proposal.alternatives
    entry = next((e for e in entries if e.code == code), None)
    return [r for r in (entry.raisons if entry else []) if "Répond à votre priorité" in r]


# --- 1. Match on what the indicator measures ---------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "context_only"),
    [
        # CT_3's context: « limiter l'isolement professionnel »
        pytest.param("réduire l'isolement", "CPOM_CT_3", id="isolement-pharmacy"),
        # OS_9's description: « partage d'expérience entre pairs »
        pytest.param("pair-aidance", "CPOM_OS_9", id="pair-aidance-telehealth"),
        # OS_10's context: « consultation spécialisée hospitalière »
        pytest.param("consultations avancées de spécialistes", "CPOM_OS_10", id="bed-management"),
        # CT_8's context: « des consultations avancées »
        pytest.param("consultations avancées", "CPOM_CT_8", id="filieres"),
    ],
)
def test_a_context_sentence_does_not_make_a_match(
    clause: str, context_only: str, kb: KnowledgeBase
) -> None:
    match = catalog_for(kb).clause_match(clause, context_only)
    assert match.relevance < MIN_RELEVANCE


def test_isolement_is_not_matched_to_pharmacy_pooling_in_a_proposal(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    proposal = run({**CH, "priorites": "réduire l'isolement"}, kb, rules, settings)
    for entry in proposal.indicateurs + proposal.alternatives:
        assert not priority_reasons(proposal, entry.code), entry.code
    assert proposal.priorites_non_couvertes[0].priorite == "réduire l'isolement"


def test_specialist_consultations_go_to_hpr_1_1_for_an_hopital_de_proximite(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    data = {**HPR, "priorites": "consultations avancées de spécialistes"}
    proposal = run(data, kb, rules, settings)
    assert "HPR_1_1" in proposal.hpr_codes
    reasons = priority_reasons(proposal, "HPR_1_1")
    assert reasons
    assert "Nombre et types de consultations spécialisées" in reasons[0]
    assert not priority_reasons(proposal, "CPOM_OS_10")
    assert proposal.priorites_non_couvertes == []


def test_an_activity_named_only_in_the_context_gives_no_bonus(
    kb: KnowledgeBase, rules: RuleSet
) -> None:
    # OS_22's context speaks of « IA en imagerie diagnostique »; research is not about imagerie.
    research = candidate(CH, "CPOM_OS_22", kb, rules)
    assert not [label for label, _ in research.points if label.startswith("activités")]
    # CT_1 measures a « plateau d'imagerie médicale »: its label earns the bonus.
    imaging = candidate(CH, "CPOM_CT_1", kb, rules)
    assert [label for label, _ in imaging.points if label.startswith("activités")]


def test_telepsychiatry_is_matched_to_telehealth(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    proposal = run(PSY, kb, rules, settings)
    assert proposal.codes[0] == "CPOM_OS_9"
    assert "télépsychiatrie" in priority_reasons(proposal, "CPOM_OS_9")[0]


# --- 2. Priorities no indicator covers -------------------------------------------------------


def test_priorities_are_split_on_lines_bullets_semicolons_and_commas() -> None:
    text = "- la RAAC, la télésanté\n• réduire l'isolement et la contention ; vaccination"
    priorities = split_priorities(text)
    assert [p.text for p in priorities] == [
        "la RAAC",
        "la télésanté",
        "réduire l'isolement et la contention",
        "vaccination",
    ]
    assert priorities[2].clauses == ("réduire l'isolement", "la contention")
    assert priorities[2].topic == "l'isolement et la contention"


def test_an_uncovered_priority_is_stated_in_its_own_words(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    proposal = run(PSY, kb, rules, settings)
    uncovered = proposal.priorites_non_couvertes
    assert [u.priorite for u in uncovered] == ["réduire l'isolement et la contention"]
    assert uncovered[0].message.startswith(
        "Aucun indicateur ne porte sur l'isolement et la contention"
    )
    assert "PRIORITÉS QU'AUCUN INDICATEUR NE COUVRE" in format_proposal(proposal)
    assert proposal.contract()["priorites_non_couvertes"][0]["priorite"] == (
        "réduire l'isolement et la contention"
    )
    # Nothing is forced onto it: no reason cites it.
    for entry in proposal.indicateurs:
        assert not any("isolement" in r for r in entry.raisons)


def test_a_priority_only_an_inaccessible_indicator_measures_says_so(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    # CPOM_CT_1 is « sans objet » for the CHU of the 34.
    data = {**CH, "categorie": "CHU", "lits": 2900, "finess_ej": "340780477"}
    proposal = run({**data, "priorites": "plateau d'imagerie mutualisé"}, kb, rules, settings)
    uncovered = proposal.priorites_non_couvertes[0]
    assert uncovered.inaccessibles == ["CPOM_CT_1"]
    assert uncovered.message.startswith("Aucun indicateur accessible à votre profil")
    assert "sans objet" in uncovered.message


# --- 3. Penalties come from the fiche's eligibility, never from a word of the label -----------

_ALLOWED_PENALTIES = {"pas de cible pour votre situation", "cible non chiffrée", "déjà atteint"}


@pytest.mark.parametrize(
    "activites",
    [["medecine"], ["chirurgie"], ["smr"], ["psychiatrie"], ["had"]],
    ids=lambda a: a[0],
)
def test_every_penalty_comes_from_the_fiche_eligibility_or_target(
    activites: list[str], kb: KnowledgeBase, rules: RuleSet
) -> None:
    strategic, _ = score_candidates(
        parse_profile({**CH, "activites": activites}), kb=kb, rules=rules
    )
    for c in strategic:
        for label, points in c.points:
            if points < 0:
                allowed = set(_ALLOWED_PENALTIES)
                if kb.indicators[c.code].eligibility.public_mainly:
                    allowed.add("fiche tournée vers le public")
                assert label in allowed, (c.code, label)


def test_os11_is_not_marked_down_without_urgences(kb: KnowledgeBase, rules: RuleSet) -> None:
    # Its fiche: « qu'ils disposent ou non d'un service d'urgences ».
    without = candidate({**CH, "activites": ["medecine"]}, "CPOM_OS_11", kb, rules)
    assert without.eligible
    assert all(points >= 0 for _, points in without.points)
    assert not any("urgences" in r and "ne déclare pas" in r for r in without.raisons)


def test_os9_is_not_marked_down_without_smr(kb: KnowledgeBase, rules: RuleSet) -> None:
    # Its label mentions « télé-réadaptation »; the fiche does not require SMR.
    without = candidate({**CH, "activites": ["medecine"]}, "CPOM_OS_9", kb, rules)
    assert all(points >= 0 for _, points in without.points)


# --- 4. deja_atteints -----------------------------------------------------------------------


def test_an_indicator_already_met_is_kept_when_no_other_can_cover_its_objective(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    # HPR_5_1 is the only indicator of the starred objective 5: it must stay.
    proposal = run({**HPR, "deja_atteints": ["HPR_5_1"]}, kb, rules, settings)
    assert "HPR_5_1" in proposal.hpr_codes
    entry = next(e for e in proposal.indicateurs_hpr if e.code == "HPR_5_1")
    assert any(r.startswith("Gardé bien que vous le déclariez déjà atteint") for r in entry.raisons)
    assert any(w.startswith("HPR_5_1") and "est gardé" in w for w in proposal.avertissements)


def test_an_indicator_already_met_is_replaced_by_another(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    data = {**CH, "priorites": "vaccination des professionnels"}
    assert "CPOM_OS_4" in run(data, kb, rules, settings).codes
    proposal = run({**data, "deja_atteints": ["OS_4"]}, kb, rules, settings)
    assert "CPOM_OS_4" not in proposal.codes
    assert len(proposal.codes) >= 8
    assert any("CPOM_OS_4" in w and "l’ARS reviendra" in w for w in proposal.avertissements)


# --- 5. deja_engages ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["CPOM_OS_2", "CPOM_OS_5", "CPOM_OS_20"])
def test_the_engaged_row_is_used_and_named(
    code: str, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    engaged = candidate({**CH, "deja_engages": [code]}, code, kb, rules)
    other = candidate(CH, code, kb, rules)
    row = next(r for r in kb.indicators[code].target.rules if r.scope.engaged)
    expected = kb.target_for(
        code, categorie="CH", statut="public", lits=350, departement="31", engaged=True
    )
    assert expected == row
    assert any(f"ligne « {row.scope.label} »" in r and "deja_engages" in r for r in engaged.raisons)
    assert not any(row.scope.label in r for r in other.raisons)
    # Not declared engaged: the other row applies, and the fiche's engaged row is pointed out.
    assert any(row.scope.label in i and "deja_engages" in i for i in other.infos)


def test_deja_engages_on_a_fiche_without_engaged_row_is_warned(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    proposal = run({**CH, "deja_engages": ["OS_9"]}, kb, rules, settings)
    assert any(
        w.startswith("CPOM_OS_9 est déclaré dans deja_engages") for w in proposal.avertissements
    )


def test_deja_engages_is_read_at_the_top_of_a_whole_draft_file() -> None:
    profile = parse_profile(
        {
            "campagne": "occitanie-2025-2029",
            "etablissement": CH,
            "indicateurs": [],
            "deja_engages": ["os 20", "CPOM_OS_2"],
        }
    )
    assert profile.deja_engages == ["CPOM_OS_20", "CPOM_OS_2"]


# --- 6. Unknown activities --------------------------------------------------------------------


def test_unknown_activities_are_kept_and_warned_not_refused(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    data = {**CH, "activites": ["Médecine", "SSR", "ehpad", "soins palliatifs", "chirugie"]}
    profile = parse_profile(data)
    assert profile.activites == ["medecine", "smr"]
    assert profile.autres_activites == ["ehpad", "soins palliatifs", "chirugie"]
    proposal = propose(profile, kb=kb, rules=rules, settings=settings)
    warned = [w for w in proposal.avertissements if w.startswith("Activité")]
    assert len(warned) == 3
    assert "« ehpad »" in warned[0]
    assert "Vouliez-vous dire « chirurgie » ?" in warned[2]
    assert "ATTENTION" in format_proposal(proposal)


def test_cli_accepts_an_unknown_activity_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profil.json"
    path.write_text(json.dumps({**CH, "activites": ["medecine", "ssiad"]}), encoding="utf-8")
    assert main(["propose", str(path), "--sans-index", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("ssiad" in w for w in data["avertissements"])


# --- 7. A private clinic outside a GHT ---------------------------------------------------------


@pytest.mark.parametrize(
    "priorites",
    [None, "coopérations avec l'hôpital public", "plateau d'imagerie avec l'hôpital public"],
)
def test_a_private_clinic_outside_a_ght_gets_ct2_before_ct1(
    priorites: str | None, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    data = {**CLINIC, "priorites": priorites}
    proposal = run(data, kb, rules, settings)
    ct1 = candidate(data, "CPOM_CT_1", kb, rules)
    ct2 = candidate(data, "CPOM_CT_2", kb, rules)
    if priorites is None or "coopérations" in priorites:
        assert "CPOM_CT_2" in proposal.codes
        assert ct2.score > ct1.score
    assert any("établissement privé" in r for r in ct2.raisons)
    assert any("établissements publics" in w for w in ct1.avertissements)


# --- 8. Reasons quote the indicator ------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(PROFILES.glob("*.json")), ids=lambda p: p.stem)
def test_every_reason_quotes_the_indicator_or_says_where_in_the_fiche(
    path: Path, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    proposal = propose(read_profile(path), kb=kb, rules=rules, settings=settings)
    for entry in proposal.indicateurs + proposal.indicateurs_hpr + proposal.alternatives:
        measured, whole = measure_texts(kb, entry.code)
        for reason in entry.raisons:
            assert grounding(reason, measured=measured, whole=whole), (entry.code, reason)


def test_the_grounding_check_can_fail(kb: KnowledgeBase) -> None:
    measured, whole = measure_texts(kb, "CPOM_OS_13")
    assert grounding("Ce choix sert le projet.", measured=measured, whole=whole) is None
    assert grounding("Priorité « la RAAC ».", measured=measured, whole=whole) is None
    quoted = "La fiche mesure « Récupération Améliorée Après Chirurgie »."
    assert grounding(quoted, measured=measured, whole=whole) == "mesure"
    elsewhere = "D'après le contexte de la fiche : « une phrase qui n'y est pas du tout »."
    assert grounding(elsewhere, measured=measured, whole=whole) is None


def test_a_model_reason_without_a_quote_gets_the_label(kb: KnowledgeBase) -> None:
    reason = anchored("Ce choix sert le projet.", kb=kb, code="CPOM_OS_13")
    assert reason.endswith(f"« {kb.indicators['CPOM_OS_13'].label} »)")
    quoted = "Le label dit « Récupération Améliorée Après Chirurgie »."
    assert anchored(quoted, kb=kb, code="CPOM_OS_13") == quoted


# --- 9. Benchmark profiles -----------------------------------------------------------------------


def test_the_benchmark_covers_the_referent_cases() -> None:
    profiles: list[Profile] = [read_profile(p) for p in sorted(PROFILES.glob("*.json"))]
    assert len(profiles) >= 30
    assert any(p.deja_engages for p in profiles)
    assert any(p.deja_atteints for p in profiles)
    assert any(p.autres_activites for p in profiles)
    assert any(
        p.categorie == "psychiatrie"
        and p.membre_ght
        and "isolement" in (p.priorites or "")
        and "télépsychiatrie" in (p.priorites or "")
        for p in profiles
    )
    assert any(
        p.categorie == "clinique"
        and p.statut == "prive_lucratif"
        and not p.membre_ght
        and "chirurgie" in p.activites
        for p in profiles
    )
    assert any(p.hopital_proximite and {"medecine", "smr"} <= set(p.activites) for p in profiles)
    assert any(
        p.categorie == "CHU" and p.departement == "34" and len(p.activites) == 12 for p in profiles
    )
