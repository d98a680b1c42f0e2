from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.drafting import (
    IndicatorDraft,
    build_draft_file,
    draft_indicator,
    draft_selection,
    format_draft,
    parse_baseline,
)
from assistant.drafts import Value
from assistant.errors import InvalidInputError, UnknownIndicatorError
from assistant.kb import KnowledgeBase
from assistant.kb.text import comparable
from assistant.propose import Profile, parse_profile, propose, read_profile
from assistant.propose.offline import score_candidates
from assistant.propose.scoring import target_rule
from assistant.rules import RuleSet, validate_draft
from tests.conftest import ROOT
from tests.fake_llm_server_drafting import fake_chat_server

PROFILES = ROOT / "bench" / "profiles"
PLACEHOLDERS = re.compile(r"(?i)\bx{3,}\b|\btodo\b|\blorem\b|\{\{|\{[a-z_]+\}")

CH: dict[str, Any] = {
    "raison_sociale": "Centre hospitalier de Saint-Exemple",
    "finess_ej": "310000123",
    "statut": "public",
    "categorie": "CH",
    "lits": 350,
    "membre_ght": True,
    "hopital_proximite": False,
    "activites": ["medecine", "chirurgie", "obstetrique", "urgences", "imagerie", "mammographie"],
    "priorites": "développer la télésanté et la RAAC, fidéliser les soignants",
}


@pytest.fixture(scope="module")
def ch() -> Profile:
    return parse_profile(CH)


def make(
    profile: Profile,
    code: str,
    baseline: Value | None,
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
) -> IndicatorDraft:
    return draft_indicator(profile, code, baseline=baseline, kb=kb, rules=rules, settings=settings)


def errors(draft: IndicatorDraft) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in draft.findings if f.severity == "erreur"]


def plausible(kb: KnowledgeBase, profile: Profile, code: str) -> Value:
    ind = kb.indicators[code]
    if ind.type == "declaratif" or ind.unit == "oui_non":
        return "non"
    rule = target_rule(kb, code, profile)
    final = max(rule.years, key=lambda y: y.year) if rule and rule.years else None
    if final is not None and final.kind in {"valeur", "min"} and final.value:
        return final.value / 2 if ind.unit == "taux" else int(final.value // 2)
    return 30 if ind.unit == "taux" else 4


def test_raac_trajectory_follows_the_fiche_rule(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = make(ch, "OS_13", 40, kb, rules, settings)
    # +1 % against 2024, then +3 % a year against N-1, rounded up to one decimal.
    assert draft.trajectoire == {
        "2025": 40.4,
        "2026": 41.7,
        "2027": 43.0,
        "2028": 44.3,
        "2029": 45.7,
    }
    assert draft.regles["2025"] == "+1 % par rapport à 2024"
    assert draft.regles["2029"] == "+3 % par rapport à N-1"
    assert errors(draft) == []
    assert [(f.rule, f.severity) for f in draft.findings] == [("TRAJ-READING", "information")]


@pytest.mark.parametrize(
    ("changes", "code", "baseline", "expected"),
    [
        pytest.param({}, "CT_5", "non", ["oui"] * 5, id="declarative-oui"),
        pytest.param({}, "CT_1", "non", ["non", "non", "non", "oui", "oui"], id="ct1-ch-2028"),
        pytest.param(
            {"categorie": "CHU", "lits": 1500, "finess_ej": "300000013"},
            "CT_1",
            "non",
            ["non", "non", "oui", "oui", "oui"],
            id="ct1-chu-30",
        ),
        pytest.param({}, "CT_4", 3, [5, 7, 9, 11, 13], id="plus-two-a-year"),
        pytest.param({"lits": 80}, "CT_4", 3, [4, 5, 6, 7, 8], id="plus-one-small"),
        pytest.param({}, "OS_9", 200, [220, 240, 260, 280, 300], id="growth-vs-2024"),
        pytest.param({}, "OS_15", 50, [60, 70, 80, 90, 100], id="active-file"),
        pytest.param({}, "OS_16", 20, [50.0, 65.0, 65.0, 65.0, 65.0], id="absolute-rate"),
        pytest.param({}, "OS_8", 5, [6.0, 7.0, 8.0, 9.0, 10.0], id="steps-to-2029"),
    ],
)
def test_targets_are_computed_from_the_fiche_rule(
    changes: dict[str, Any],
    code: str,
    baseline: Value,
    expected: list[Value],
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
) -> None:
    profile = parse_profile({**CH, **changes})
    draft = make(profile, code, baseline, kb, rules, settings)
    assert list(draft.trajectoire.values()) == expected
    assert errors(draft) == []
    assert not any(f.rule == "TRAJ-BELOW-FICHE" for f in draft.findings)


def test_every_eligible_indicator_drafts_without_validator_error(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    eligible = [c.code for c in score_candidates(ch, kb=kb, rules=rules)[0] if c.eligible]
    assert len(eligible) == 29  # all but OS_14 (HAD)
    for code in eligible:
        draft = make(ch, code, plausible(kb, ch, code), kb, rules, settings)
        assert errors(draft) == [], code
        assert 3 <= len(draft.actions) <= 6
        assert draft.a_completer == []
        values = [v for v in draft.trajectoire.values()]
        assert None not in values
        text = " ".join(
            [
                draft.contexte,
                draft.diagnostic_initial,
                *draft.actions,
                draft.suivi,
                draft.partenaires,
            ]
        )
        assert not PLACEHOLDERS.search(text), code
        assert "[à compléter]" not in text


def test_a_baseline_meeting_the_final_target_gets_a_more_ambitious_trajectory(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = make(ch, "OS_16", 70, kb, rules, settings)  # the fiche asks 65 % in 2029
    assert draft.deja_atteint
    values = list(draft.trajectoire.values())
    assert values == sorted(values)
    assert values[0] > 70
    assert values[-1] <= 100
    assert "atteint déjà la cible de la fiche" in draft.diagnostic_initial
    assert "l’ARS reviendra vers l’établissement" in draft.diagnostic_initial
    assert "plus ambitieuse" in draft.diagnostic_initial
    assert [f.rule for f in draft.findings] == ["TRAJ-ALREADY-MET"]
    assert errors(draft) == []


def test_a_baseline_at_the_maximum_advises_another_indicator(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    chu = parse_profile({**CH, "categorie": "CHU", "lits": 2800})
    draft = make(chu, "OS_17", 3, kb, rules, settings)  # « 3/3 documents actualisés »
    assert list(draft.trajectoire.values()) == [3] * 5
    assert "autre indicateur" in draft.diagnostic_initial
    assert errors(draft) == []


def test_a_declarative_indicator_already_yes_says_so(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = make(ch, "OS_4", "oui", kb, rules, settings)
    assert draft.deja_atteint
    assert list(draft.trajectoire.values()) == ["oui"] * 5
    assert "remplit déjà l'objectif" in draft.diagnostic_initial
    assert errors(draft) == []


def test_without_a_baseline_the_only_placeholder_is_flagged(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = make(ch, "OS_13", None, kb, rules, settings)
    assert draft.valeur_initiale is None
    assert set(draft.trajectoire.values()) == {None}
    assert draft.a_completer
    assert "valeur_initiale" in draft.a_completer[0]
    assert "[à compléter]" in draft.diagnostic_initial
    assert not PLACEHOLDERS.search(draft.diagnostic_initial)
    assert {f.rule for f in draft.findings if f.severity == "erreur"} == {
        "VAL-MISSING",
        "JUST-PLACEHOLDER",
    }
    assert "[à compléter]" in format_draft(draft)


def test_every_quoted_passage_of_a_draft_is_the_corpus_or_the_profile(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings, documents: dict[str, str]
) -> None:
    corpus = " ".join(documents.values())
    for code, baseline in (
        ("OS_13", 40),
        ("OS_16", 70),
        ("CT_5", "non"),
        ("OS_21", 1),
        ("CT_8", 0),
        ("OS_12", 700),
    ):
        draft = make(ch, code, baseline, kb, rules, settings)
        for source in draft.sources:
            assert comparable(source.quote) in documents[source.doc_id], (code, source.quote)
        text = " ".join(
            [
                draft.contexte,
                draft.diagnostic_initial,
                *draft.actions,
                draft.suivi,
                draft.partenaires,
            ]
        )
        for quoted in re.findall(r"«\s*(.+?)\s*»", text):
            assert comparable(quoted) in corpus or quoted in (ch.priorites or ""), (code, quoted)


def test_hpr_draft_keeps_the_baseline_as_floor_for_2025_2027(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    hpr = read_profile(PROFILES / "hopital-proximite-aveyron.json")
    draft = make(hpr, "hpr 4.2", 12.5, kb, rules, settings)
    assert draft.annexe == "hpr"
    assert draft.trajectoire == {"2025": 12.5, "2026": 12.5, "2027": 12.5}
    assert "L'annexe HPR ne fixe pas de cible chiffrée" in draft.diagnostic_initial
    assert errors(draft) == []


def test_a_proposal_and_its_drafts_make_a_draft_file_the_validator_accepts(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    for name in ("hopital-proximite-ariege", "clinique-chirurgie", "chu-toulouse"):
        profile = read_profile(PROFILES / f"{name}.json")
        proposal = propose(profile, kb=kb, rules=rules, settings=settings)
        baselines = {
            code: (5 if code.startswith("HPR") else plausible(kb, profile, code))
            for code in proposal.codes + proposal.hpr_codes
        }
        drafts = draft_selection(
            profile, proposal, baselines=baselines, kb=kb, rules=rules, settings=settings
        )
        draft_file = build_draft_file(profile, proposal, drafts, rules=rules, settings=settings)
        report = validate_draft(draft_file, kb=kb, rules=rules)
        assert report.valid, [f.message for f in report.findings if f.severity == "erreur"]
        assert not any(f.rule == "JUST-MISSING" for f in report.findings)
        assert len(draft_file.indicateurs) == len(proposal.codes)
        assert len(draft_file.indicateurs_hpr) == len(proposal.hpr_codes)


@pytest.mark.parametrize(
    ("code", "baseline", "words"),
    [
        pytest.param("OS_13", "beaucoup", "doit être un taux", id="text-for-rate"),
        pytest.param("OS_13", "150", "entre 0 et 100", id="rate-above-100"),
        pytest.param("OS_13", "-3", "entre 0 et 100", id="negative-rate"),
        pytest.param("CT_4", "-2", "ne peut pas être négative", id="negative-count"),
        pytest.param("CT_4", "quelques", "doit être un nombre", id="text-for-count"),
        pytest.param("CT_5", "12", "« oui » ou « non »", id="number-for-yes-no"),
    ],
)
def test_a_bad_baseline_gives_a_french_message_naming_the_field(
    code: str, baseline: str, words: str, kb: KnowledgeBase
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_baseline(baseline, kb.get(code))
    assert "valeur_initiale" in caught.value.message
    assert words in caught.value.message


def test_baselines_are_read_in_french_forms(kb: KnowledgeBase) -> None:
    assert parse_baseline("12,5", kb.get("OS_13")) == 12.5
    assert parse_baseline("80 %", kb.get("OS_13")) == 80
    assert parse_baseline("Oui", kb.get("CT_5")) == "oui"
    assert parse_baseline(None, kb.get("CT_5")) is None


def test_unknown_ineligible_and_misplaced_indicators_are_refused(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    with pytest.raises(UnknownIndicatorError, match="Vouliez-vous dire"):
        make(ch, "OS_23", 1, kb, rules, settings)
    no_ght = parse_profile({**CH, "membre_ght": False})
    with pytest.raises(InvalidInputError, match="GHT"):
        make(no_ght, "CT_3", 1, kb, rules, settings)
    with pytest.raises(InvalidInputError, match="hopital_proximite"):
        make(ch, "HPR_1_1", 1, kb, rules, settings)


def test_cli_draft_prints_french_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profil.json"
    path.write_text(json.dumps(CH, ensure_ascii=False), encoding="utf-8")
    assert main(["draft", str(path), "--indicator", "os13", "--baseline", "40", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in (
        "code",
        "libelle",
        "contexte",
        "diagnostic_initial",
        "actions",
        "trajectoire",
        "suivi",
        "partenaires",
        "sources",
    ):
        assert key in data
    assert data["code"] == "CPOM_OS_13"
    assert list(data["trajectoire"]) == ["2025", "2026", "2027", "2028", "2029"]
    assert main(["draft", str(path), "--indicator", "CPOM_OS_13", "--baseline", "40"]) == 0
    text = capsys.readouterr().out
    for heading in (
        "CONTEXTE",
        "DIAGNOSTIC INITIAL (2024)",
        "ACTIONS",
        "TRAJECTOIRE",
        "SUIVI",
        "PARTENAIRES",
        "SOURCES",
    ):
        assert heading in text
    assert "2025 : 40,4 %" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--indicator", "OS_99"], "Code d'indicateur inconnu", id="unknown-code"),
        pytest.param(
            ["--indicator", "OS_13", "--baseline", "beaucoup"],
            "valeur_initiale",
            id="text-baseline",
        ),
        pytest.param(
            ["--indicator", "OS_13", "--baseline", "120"], "entre 0 et 100", id="rate-over-100"
        ),
    ],
)
def test_cli_draft_bad_input_exits_2_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    path = tmp_path / "profil.json"
    path.write_text(json.dumps(CH, ensure_ascii=False), encoding="utf-8")
    assert main(["draft", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ")
    assert expected in err
    assert "Traceback" not in err


# --- With a language model: the local fake OpenAI-compatible server ---


def llm_settings(base: Settings, url: str) -> Settings:
    return base.model_copy(
        update={
            "llm_provider": "openai",
            "llm_base_url": url,
            "llm_model": "fake",
            "llm_timeout": 10.0,
        }
    )


GOOD_PROSE: dict[str, Any] = {
    "contexte": (
        "Le centre hospitalier développe la récupération améliorée après chirurgie dans ses "
        "spécialités chirurgicales, en cohérence avec l'engagement n° 3 du projet régional de "
        "santé."
    ),
    "diagnostic_initial": (
        "En 2024, 40 % des actes éligibles bénéficient d'un parcours RAAC ; la marge de "
        "progression reste réelle dans plusieurs spécialités."
    ),
    "actions": [
        "Réunir les chirurgiens, anesthésistes et soignants autour d'un chemin clinique commun.",
        "Étendre le protocole à une nouvelle spécialité chaque année.",
        "Suivre l'indicateur dans le tableau de bord du bloc opératoire.",
    ],
    "suivi": "Recueil annuel à partir des bases de données hospitalières.",
    "partenaires": "Équipes chirurgicales, anesthésie et rééducation de l'établissement.",
}


def test_llm_prose_goes_into_the_same_structure_with_the_computed_targets(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    offline = make(ch, "OS_13", 40, kb, rules, settings)
    with fake_chat_server([GOOD_PROSE]) as (url, server):
        draft = make(ch, "OS_13", 40, kb, rules, llm_settings(settings, url))
    assert draft.mode == "llm"
    assert draft.contexte == GOOD_PROSE["contexte"]
    assert draft.actions == GOOD_PROSE["actions"]
    assert draft.trajectoire == offline.trajectoire
    assert draft.valeur_initiale == 40
    assert draft.sources == offline.sources
    assert errors(draft) == []
    assert len(server.requests) == 1
    prompt = next(m["content"] for m in server.requests[0]["messages"] if m["role"] == "user")
    assert "2025 : 40,4 %" in prompt


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        pytest.param(
            {"actions": ["XXX", "Former les équipes.", "Suivre l'indicateur."]},
            "JUST-PLACEHOLDER",
            id="placeholder",
        ),
        pytest.param(
            {"diagnostic_initial": "En 2024, le taux atteint 75 % des actes éligibles."},
            "75",
            id="invented-figure",
        ),
        pytest.param(
            {"contexte": "La fiche dit : « la RAAC est obligatoire partout »."},
            "mot pour mot",
            id="false-quote",
        ),
    ],
)
def test_llm_prose_that_breaks_a_rule_gets_the_findings_then_falls_back(
    bad: dict[str, Any],
    expected: str,
    ch: Profile,
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
) -> None:
    offline = make(ch, "OS_13", 40, kb, rules, settings)
    with fake_chat_server([{**GOOD_PROSE, **bad}]) as (url, server):
        draft = make(ch, "OS_13", 40, kb, rules, llm_settings(settings, url))
    assert draft.mode == "hors_ligne"
    assert draft.contexte == offline.contexte
    assert any("brouillon hors ligne" in note for note in draft.notes)
    assert len(server.requests) == 3
    correction = [m["content"] for m in server.requests[1]["messages"] if m["role"] == "user"][-1]
    assert expected in correction


def test_llm_prose_corrected_after_the_findings_is_kept(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    bad = {**GOOD_PROSE, "suivi": "TODO"}
    with fake_chat_server([bad, GOOD_PROSE]) as (url, server):
        draft = make(ch, "OS_13", 40, kb, rules, llm_settings(settings, url))
    assert draft.mode == "llm"
    assert len(server.requests) == 2
