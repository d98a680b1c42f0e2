"""Answers that know the establishment: « Le CT 3, on peut le prendre ? » for one profile.

The facts for the establishment (``pour_vous``, ``votre_selection``, ``annexe_hpr``) are checked
against the validator and the knowledge base, run on their own: an indicator said « non » is one
the validator refuses for that establishment, the target row is the knowledge base's row for
its category and size, the computed targets are ones the validator accepts, and the count of
indicators left to choose is what the selection rules say. Never against the answer's words.

The 100 profile questions of ``tests/data/profile_questions.yaml`` were written blind, from the
corpus and the benchmark profiles only (see its header), each with the indicators it designates
and, for eligibility, the writer's own reading of the fiche (``attendu``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer import Answer, answer_question
from assistant.answer.designation import designated_codes
from assistant.answer.establishment import Establishment, establishment_of
from assistant.answer.for_establishment import GENERAL_HEADING
from assistant.answer.for_you import SELECTION_RULES, indicator_facts
from assistant.cli import main
from assistant.config import Settings
from assistant.drafting import draft_indicator
from assistant.index.build import ingest
from assistant.kb import KnowledgeBase
from assistant.kb.codes import normalize_code
from assistant.kb.text import comparable
from assistant.retrieval.hybrid import Index
from assistant.rules import RuleSet, validate_draft
from tests.conftest import ROOT

PROFILES_DIR = ROOT / "bench" / "profiles"
PROFILES = sorted(PROFILES_DIR.glob("*.json"))
QUESTIONS: list[dict[str, Any]] = [
    q
    for path in (
        ROOT / "tests" / "data" / "profile_questions.yaml",
        ROOT / "bench" / "profile_dev2.yaml",
    )
    for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
]
"""The two dev sets of profile questions (written blind, then tuned on); the held-out set,
``bench/profile_heldout2.yaml``, is only measured by ``bench/bench_profile_answers.py``."""
ELIGIBILITY_RULES = {"ELIG-GHT", "ELIG-ACTIVITY", "ELIG-CATEGORY", "HPR-NOT-HPR"}
TRAJECTORY_ERRORS = {"TRAJ-BELOW-FICHE", "TRAJ-DIRECTION"}
BASELINES = {"taux": 40, "oui_non": "non"}
"""A plausible 2024 value by unit (a count otherwise: 12)."""


@pytest.fixture(scope="module")
def index(settings: Settings) -> Index:
    """The real corpus, lexical index (``settings`` and ``kb`` come from the chain fixtures)."""
    ingest(settings, dense=False)
    return Index(settings)


def _profile(name: str) -> dict[str, Any]:
    return json.loads((PROFILES_DIR / name).read_text(encoding="utf-8"))


def _establishment_tree(profile: dict[str, Any]) -> dict[str, Any]:
    fields = ("raison_sociale", "finess_ej", "statut", "categorie", "lits", "membre_ght")
    tree = {key: profile[key] for key in fields}
    tree["hopital_proximite"] = profile["hopital_proximite"]
    known = set(_schema_activities())
    tree["activites"] = [a for a in profile["activites"] if a in known]
    return tree


def _schema_activities() -> tuple[str, ...]:
    from assistant.kb.models import ACTIVITIES

    return ACTIVITIES


def draft_tree(
    profile: dict[str, Any], selection: list[dict[str, Any]], kb: KnowledgeBase, rules: RuleSet
) -> dict[str, Any]:
    """A draft of the profile with the selection, HPR codes in their own annex."""
    strategic, hpr = [], []
    for item in selection:
        code = normalize_code(str(item["code"]))
        line = {"code": code, **{k: v for k, v in item.items() if k != "code"}}
        (hpr if code in kb.hpr else strategic).append(line)
    return {
        "campagne": rules.campaign,
        "etablissement": _establishment_tree(profile),
        "indicateurs": strategic,
        "indicateurs_hpr": hpr,
        "deja_atteints": profile.get("deja_atteints", []),
        "deja_engages": profile.get("deja_engages", []),
    }


def establishment(
    profile: dict[str, Any],
    selection: list[dict[str, Any]] | None,
    kb: KnowledgeBase,
    rules: RuleSet,
) -> Establishment:
    if selection is None:
        return establishment_of(profile)
    tree = draft_tree(profile, selection, kb, rules)
    tree["etablissement"] |= {k: profile[k] for k in ("activites",)}
    return establishment_of(tree)


def refused_by_validator(
    profile: dict[str, Any], code: str, kb: KnowledgeBase, rules: RuleSet
) -> bool:
    """Whether the validator refuses this one indicator for this establishment."""
    report = validate_draft(draft_tree(profile, [{"code": code}], kb, rules), kb=kb, rules=rules)
    return any(
        f.rule in ELIGIBILITY_RULES and f.severity == "erreur" and f.indicator in (code, None)
        for f in report.findings
    )


def assert_quotes_in_corpus(answer: Answer, documents: dict[str, str]) -> None:
    """Markers match citations; the establishment's quotes and facts are the documents' words.

    (The general answer that follows is the chain's, checked by ``tests/test_answer.py``.)
    """
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}
    assert markers == set(range(1, len(markers) + 1))
    own = answer.answer.split(GENERAL_HEADING)[0]
    for n in {int(n) for n in re.findall(r"\[(\d+)\]", own)}:
        citation = answer.citations[n - 1]
        assert comparable(citation.quote) in documents[citation.doc_id], citation.quote
    for item in answer.pour_vous:
        assert comparable(item.source.quote) in documents[item.source.doc_id], item.source.quote


# --- the facts, over every benchmark profile and every indicator ------------------------------


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_eligibility_and_target_row_agree_with_the_validator_and_the_fiches(
    path: Path, kb: KnowledgeBase, rules: RuleSet, documents: dict[str, str]
) -> None:
    profile = _profile(path.name)
    est = establishment_of(profile)
    for code in [*kb.indicators, *kb.hpr]:
        item = indicator_facts(code, est, kb=kb, rules=rules).item
        assert item.code == code
        assert item.eligible is not None, code  # every benchmark profile has its FINESS EJ
        assert item.eligible is not refused_by_validator(profile, code, kb, rules), code
        assert comparable(item.source.quote) in documents[item.source.doc_id], code
        if code in kb.hpr or not item.eligible:
            continue
        row = kb.target_for(
            code,
            categorie=est.profile.categorie,
            statut=est.profile.statut,
            lits=est.profile.lits,
            departement=est.profile.departement,
            engaged=code in est.profile.deja_engages,
        )
        if row is None:
            assert item.ligne_cible is None, code
        else:
            assert item.ligne_cible is not None
            assert item.ligne_cible.startswith(f"« {row.scope.label} »"), code
            assert all(str(y.year) in item.ligne_cible for y in row.years)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_a_reserve_when_the_validator_warns_or_the_indicator_is_already_met(
    path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    profile = _profile(path.name)
    est = establishment_of(profile)
    met = {normalize_code(c) for c in profile.get("deja_atteints", [])}
    for code in kb.indicators:
        item = indicator_facts(code, est, kb=kb, rules=rules).item
        if not item.eligible:
            continue
        report = validate_draft(
            draft_tree(profile, [{"code": code}], kb, rules), kb=kb, rules=rules
        )
        warned = any(f.rule == "ELIG-PUBLIC" and f.indicator == code for f in report.findings)
        assert (item.reserve is not None) == (warned or code in met), code


@pytest.mark.parametrize("path", PROFILES[::4], ids=lambda p: p.stem)
def test_computed_targets_are_the_drafts_and_the_validator_accepts_them(
    path: Path, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = _profile(path.name)
    plain = establishment_of(profile)
    checked = 0
    for code, ind in kb.indicators.items():
        if not indicator_facts(code, plain, kb=kb, rules=rules).item.eligible:
            continue
        unit = "oui_non" if ind.type == "declaratif" else ind.unit
        baseline = BASELINES.get(unit, 12)
        est = establishment(profile, [{"code": code, "valeur_initiale": baseline}], kb, rules)
        item = indicator_facts(code, est, kb=kb, rules=rules).item
        draft = draft_indicator(
            est.profile, code, baseline=baseline, kb=kb, rules=rules, settings=settings
        )
        if item.cibles is None:
            assert all(v is None for v in draft.trajectoire.values()), code
            continue
        assert item.cibles == draft.trajectoire, code
        line = {"code": code, "valeur_initiale": baseline, "cibles": item.cibles}
        report = validate_draft(draft_tree(profile, [line], kb, rules), kb=kb, rules=rules)
        broken = [
            f.rule for f in report.findings if f.rule in TRAJECTORY_ERRORS and f.indicator == code
        ]
        assert broken == [], (code, item.cibles)
        checked += 1
    assert checked >= 10


def test_no_finess_and_a_departement_row_is_undecided(kb: KnowledgeBase, rules: RuleSet) -> None:
    """CT_1 is « sans objet » for the CHU of 31 and 34: without FINESS, the guides do not say."""
    profile = _profile("chu-toulouse.json")
    del profile["finess_ej"]
    item = indicator_facts("CPOM_CT_1", establishment_of(profile), kb=kb, rules=rules).item
    assert item.eligible is None
    with_finess = indicator_facts(
        "CPOM_CT_1", establishment_of(_profile("chu-toulouse.json")), kb=kb, rules=rules
    )
    assert with_finess.item.eligible is False


# --- the 100 profile questions, through the chain ---------------------------------------------


def _answer(index: Index, kb: KnowledgeBase, rules: RuleSet, q: dict[str, Any]) -> Answer:
    est = establishment(_profile(q["profil"]), q.get("selection"), kb, rules)
    return answer_question(
        q["question"], index=index, kb=kb, settings=index.settings, establishment=est
    )


@pytest.mark.parametrize(
    "q",
    [q for q in QUESTIONS if q["kind"] in {"eligibility", "target", "computed"}],
    ids=lambda q: q["id"],
)
def test_indicator_questions_answer_for_the_establishment(
    q: dict[str, Any], index: Index, kb: KnowledgeBase, rules: RuleSet, documents: dict[str, str]
) -> None:
    profile = _profile(q["profil"])
    answer = _answer(index, kb, rules, q)
    assert answer.supported
    assert answer.profil is not None
    assert answer.profil.raison_sociale == profile["raison_sociale"]
    assert [item.code for item in answer.pour_vous] == q["codes"]
    lines = answer.answer.split("\n")
    assert lines[0].startswith("Pour ")
    for item, line in zip(answer.pour_vous, lines[1:], strict=False):
        assert item.eligible is not refused_by_validator(profile, item.code, kb, rules)
        verdict = line.split(" — ", 1)[1]
        assert verdict.startswith("Oui" if item.eligible else "Non"), line
        if q["kind"] == "eligibility":
            expected = {"oui": True, "reserve": True, "non": False}[q["attendu"]]
            assert item.eligible is expected, "the writer's reading of the fiche"
            assert (item.reserve is not None) == (q["attendu"] == "reserve")
        if q["kind"] == "computed" and item.eligible and item.code in kb.indicators:
            chosen = {normalize_code(str(s["code"])): s for s in q["selection"]}
            assert item.cibles is not None, item.code
            line_tree = {**chosen[item.code], "code": item.code, "cibles": item.cibles}
            report = validate_draft(draft_tree(profile, [line_tree], kb, rules), kb=kb, rules=rules)
            assert not [f for f in report.findings if f.rule in TRAJECTORY_ERRORS], item.cibles
    assert_quotes_in_corpus(answer, documents)


@pytest.mark.parametrize(
    "q", [q for q in QUESTIONS if q["kind"] in {"remaining", "valid"}], ids=lambda q: q["id"]
)
def test_selection_questions_are_answered_from_the_validator(
    q: dict[str, Any], index: Index, kb: KnowledgeBase, rules: RuleSet, documents: dict[str, str]
) -> None:
    profile = _profile(q["profil"])
    answer = _answer(index, kb, rules, q)
    state = answer.votre_selection
    assert state is not None
    assert answer.pour_vous == []
    report = validate_draft(
        draft_tree(profile, q.get("selection") or [], kb, rules), kb=kb, rules=rules
    )
    rules_broken = [f for f in report.findings if f.rule in SELECTION_RULES]
    found = {f.rule for f in rules_broken}
    assert ("SEL-MIN-CT" in found) == (state.reste_cooperation > 0)
    assert ("SEL-MIN-OS" in found) == (state.reste_autres > 0)
    assert ("SEL-MAX" in found) == (len(state.retenus) > rules.get("SEL-MAX").params["max"])
    assert state.valide == (not any(f.severity == "erreur" for f in rules_broken))
    assert sorted(c.regle for c in state.constats) == sorted(f.rule for f in rules_broken)
    assert state.reste_au_moins == state.reste_cooperation + state.reste_autres
    assert_quotes_in_corpus(answer, documents)


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q["kind"] == "hpr"], ids=lambda q: q["id"])
def test_hpr_annex_questions_say_whether_it_concerns_the_establishment(
    q: dict[str, Any], index: Index, kb: KnowledgeBase, rules: RuleSet, documents: dict[str, str]
) -> None:
    profile = _profile(q["profil"])
    answer = _answer(index, kb, rules, q)
    assert answer.annexe_hpr is not None
    assert answer.annexe_hpr.concerne is profile["hopital_proximite"]
    verdicts = [line for line in answer.answer.split("\n") if line.startswith(("Oui.", "Non."))]
    assert verdicts[0].startswith("Oui." if profile["hopital_proximite"] else "Non.")
    assert_quotes_in_corpus(answer, documents)


@pytest.mark.parametrize(
    "q", [q for q in QUESTIONS if q["kind"] == "general"], ids=lambda q: q["id"]
)
def test_general_questions_keep_the_general_answer(
    q: dict[str, Any], index: Index, kb: KnowledgeBase, rules: RuleSet
) -> None:
    answer = _answer(index, kb, rules, q)
    general = answer_question(q["question"], index=index, kb=kb, settings=index.settings)
    assert answer.pour_vous == []
    assert answer.votre_selection is None
    assert answer.annexe_hpr is None
    assert answer.answer == general.answer


def test_the_questions_cover_the_kinds_and_the_profiles() -> None:
    kinds = {q["kind"] for q in QUESTIONS}
    assert kinds == {"eligibility", "target", "computed", "remaining", "valid", "hpr", "general"}
    assert len(QUESTIONS) >= 60
    assert len({q["profil"] for q in QUESTIONS}) >= 22
    assert sum(1 for q in QUESTIONS if q.get("attendu") == "non") >= 8


# --- without a profile; the JSON contract; the CLI ---------------------------------------------


def test_without_a_profile_the_answer_is_the_general_one(
    index: Index, kb: KnowledgeBase, rules: RuleSet
) -> None:
    question = "Le CT 3, on peut le prendre ?"
    general = answer_question(question, index=index, kb=kb, settings=index.settings)
    assert set(general.as_json()) == {
        "answer",
        "supported",
        "mode",
        "citations",
        "grounded",
        "removed_claims",
        "notice",
    }
    est = establishment_of(_profile("clinique-chirurgicale-hors-ght.json"))
    mine = answer_question(question, index=index, kb=kb, settings=index.settings, establishment=est)
    data = mine.as_json()
    assert data["profil"] == {
        "raison_sociale": est.profile.raison_sociale,
        "finess_ej": est.profile.finess_ej,
    }
    assert [p["code"] for p in data["pour_vous"]] == ["CPOM_CT_3"]
    assert data["pour_vous"][0]["eligible"] is False
    assert set(data["pour_vous"][0]) == {
        "code",
        "eligible",
        "motif",
        "ligne_cible",
        "cibles",
        "source",
    }
    assert set(data["pour_vous"][0]["source"]) == {"doc_id", "section", "quote"}
    # the general answer follows, its citations renumbered after the establishment's
    assert GENERAL_HEADING in mine.answer
    shift = len(mine.citations) - len(general.citations)
    assert [c.quote for c in mine.citations[shift:]] == [c.quote for c in general.citations]


def test_a_question_designating_nothing_keeps_the_general_answer(
    index: Index, kb: KnowledgeBase
) -> None:
    question = "Quelle est la date limite de saisie dans e-CARS ?"
    general = answer_question(question, index=index, kb=kb, settings=index.settings)
    est = establishment_of(_profile("chu-toulouse.json"))
    mine = answer_question(question, index=index, kb=kb, settings=index.settings, establishment=est)
    assert mine.answer == general.answer
    assert mine.pour_vous == []
    assert mine.profil is not None


def test_a_question_on_an_older_guide_gets_no_facts_of_the_current_campaign(
    index: Index, kb: KnowledgeBase
) -> None:
    est = establishment_of(_profile("chu-toulouse.json"))
    question = "Dans le guide ARA 2020-2024, la RAAC faisait partie des indicateurs ?"
    mine = answer_question(question, index=index, kb=kb, settings=index.settings, establishment=est)
    assert mine.pour_vous == []


@pytest.mark.parametrize(
    ("question", "codes"),
    [
        ("Le CT 3, on peut le prendre ?", ["CPOM_CT_3"]),
        ("cpom_os_13 et OS 12 pour nous ?", ["CPOM_OS_13", "CPOM_OS_12"]),
        ("la mammo, ça nous concerne ?", ["CPOM_OS_12"]),
        ("les admissions directes des plus de 75 ans, on peut ?", ["CPOM_OS_11"]),
        ("dispositif de gestion des lits commun au GHT", ["HPR_3_3"]),
        ("la cellule de gestion des lits", ["CPOM_OS_10"]),
        ("teleconsult / telexpertise : d'ou viennent les donnees ?", ["CPOM_OS_9"]),
        ("Combien d'indicateurs il nous reste à choisir ?", []),
        ("Quelle est la date limite ?", []),
    ],
)
def test_indicators_are_designated_by_code_or_subject(
    question: str, codes: list[str], settings: Settings
) -> None:
    assert designated_codes(question, settings.corpus_dir) == codes


def test_cli_ask_with_a_profile_and_a_draft_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    index: Index,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CPOM_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("CPOM_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("CPOM_LLM_PROVIDER", "none")
    profile = _profile("ch-ght-intermediaire.json")
    draft = {"etablissement": profile, "indicateurs": [{"code": "OS 13", "valeur_initiale": 42}]}
    path = tmp_path / "brouillon.json"
    path.write_text(json.dumps(draft), encoding="utf-8")
    assert (
        main(
            [
                "ask",
                "Quelle cible on doit viser en 2027 sur la RAAC ?",
                "--profil",
                str(path),
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    item = data["pour_vous"][0]
    assert item["code"] == "CPOM_OS_13"
    assert item["eligible"] is True  # a CH member of a GHT with surgery
    assert set(item["cibles"]) == {"2025", "2026", "2027", "2028", "2029"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"statut": "public"}', encoding="utf-8")
    assert main(["ask", "Le CT 3 ?", "--profil", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "champ obligatoire manquant" in err


# --- LLM mode: the model rewords, the code decides ---------------------------------------------


TARGETS = (
    "La cible est de +1 % par rapport à 2024 en 2025, puis de +3 % par rapport à N-1 chaque "
    "année jusqu'en 2029 [1]."
)


@pytest.mark.parametrize(
    ("profile", "verdict", "contradiction"),
    [
        # no surgery: the RAAC is « non »; the model says it may be chosen
        ("psychiatrie-publique.json", "Non", "Oui, vous pouvez retenir cet indicateur [1]."),
        # a surgical clinic: « oui »; the model says it does not concern it
        ("clinique-chirurgie.json", "Oui", "Non, cet indicateur ne vous concerne pas [1]."),
    ],
)
def test_a_generated_sentence_against_the_code_s_verdict_is_removed(
    index: Index, kb: KnowledgeBase, profile: str, verdict: str, contradiction: str
) -> None:
    est = establishment_of(_profile(profile))
    model = GenericFakeChatModel(messages=iter([AIMessage(content=f"{contradiction} {TARGETS}")]))
    answer = answer_question(
        "Quelle cible pour la RAAC ?",
        index=index,
        kb=kb,
        settings=index.settings,
        chat_model=model,
        establishment=est,
    )
    assert answer.mode == "llm"
    assert answer.pour_vous[0].eligible is (verdict == "Oui")
    assert answer.removed_claims == [contradiction]
    assert not answer.grounded
    assert contradiction not in answer.answer
    assert answer.answer.split("\n")[1].startswith(f"CPOM_OS_13 — {verdict}")
    assert "+3 % par rapport à N-1" in answer.answer.split(GENERAL_HEADING)[1]


@pytest.mark.parametrize(
    "question",
    [
        "c'est quand qu'on doit avoir tout saisi dans ecars ?",
        "qui chez nous doit signer le CPOM, le directeur ou le président du conseil ?",
        "on envoie notre dossier comment à l'ARS, par mail ou dans e-CARS ?",
        "est-ce qu'on peut modifier nos indicateurs après la signature ?",
        "on doit faire valider nos choix par la CME avant de saisir ?",
        "il faut combien de temps pour que l'ARS valide notre sélection ?",
    ],
)
def test_questions_in_the_first_person_on_the_campaign_keep_the_general_answer(
    question: str, index: Index, kb: KnowledgeBase
) -> None:
    est = establishment_of(_profile("ch-ght-intermediaire.json"))
    answer = answer_question(
        question, index=index, kb=kb, settings=index.settings, establishment=est
    )
    assert answer.pour_vous == []
    assert answer.votre_selection is None
    assert answer.annexe_hpr is None
