from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.errors import InvalidInputError
from assistant.kb import KnowledgeBase
from assistant.kb.text import comparable
from assistant.propose import Profile, Proposal, parse_profile, propose, read_profile
from assistant.propose.display import format_proposal
from assistant.propose.offline import score_candidates
from assistant.propose.selection import check_selection, establishment_tree
from assistant.rules import RuleSet, Source, validate_draft
from tests.conftest import CORPUS, ROOT
from tests.fake_llm_server_drafting import fake_chat_server

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


def profile_of(**changes: Any) -> Profile:
    return parse_profile({**CH, **changes})


def run(profile: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings) -> Proposal:
    return propose(profile, kb=kb, rules=rules, settings=settings)


BENCH_PROFILES = sorted(PROFILES.glob("*.json"))


def test_the_benchmark_has_at_least_20_varied_profiles() -> None:
    profiles = [read_profile(path) for path in BENCH_PROFILES]
    assert len(profiles) >= 20
    categories = {p.categorie for p in profiles}
    assert {"CHU", "CH", "clinique", "SMR", "psychiatrie", "HAD", "ESPIC", "CLCC"} <= categories
    assert any(p.hopital_proximite for p in profiles)
    assert any(not p.membre_ght for p in profiles)


@pytest.mark.parametrize("path", BENCH_PROFILES, ids=lambda p: p.stem)
def test_every_benchmark_proposal_passes_the_validator(
    path: Path, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = read_profile(path)
    proposal = run(profile, kb, rules, settings)
    codes = proposal.codes
    cooperation = [c for c in codes if c.startswith("CPOM_CT_")]
    assert len(cooperation) >= 2
    assert len(codes) - len(cooperation) >= 6
    assert len(codes) <= 10
    assert len(set(codes)) == len(codes)
    assert not [f for f in proposal.findings if f.severity == "erreur"]
    # The full campaign rules, on the selection as a draft: only value rules may complain.
    tree = {
        "campagne": rules.campaign,
        "etablissement": establishment_tree(profile),
        "indicateurs": [{"code": c} for c in codes],
        "indicateurs_hpr": [{"code": c} for c in proposal.hpr_codes],
    }
    report = validate_draft(tree, kb=kb, rules=rules)
    selection_errors = [
        f
        for f in report.findings
        if f.severity == "erreur" and f.rule.startswith(("SEL-", "ELIG-", "HPR-", "SCHEMA"))
    ]
    assert selection_errors == []
    if profile.hopital_proximite:
        objectives = {kb.hpr[c].objective_number for c in proposal.hpr_codes}
        assert {1, 3, 4, 5} <= objectives
        assert len(proposal.hpr_codes) == 6
    else:
        assert proposal.hpr_codes == []


def test_the_selection_only_draft_would_fail_on_missing_values(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    # Why the selection is checked with the selection rules only: with the whole campaign,
    # a selection without baselines reports one VAL-MISSING error per indicator.
    proposal = run(profile_of(), kb, rules, settings)
    tree = {
        "campagne": rules.campaign,
        "etablissement": CH,
        "indicateurs": [{"code": c} for c in proposal.codes],
    }
    report = validate_draft(tree, kb=kb, rules=rules)
    assert {f.rule for f in report.findings if f.severity == "erreur"} == {"VAL-MISSING"}
    assert check_selection(profile_of(), proposal.codes, [], kb=kb, rules=rules).valid


@pytest.mark.parametrize(
    ("changes", "excluded", "why"),
    [
        pytest.param({"membre_ght": False}, {"CPOM_CT_3", "CPOM_CT_8"}, "GHT", id="no-ght"),
        pytest.param({"activites": ["medecine"]}, {"CPOM_OS_13"}, "chirurgie", id="raac"),
        pytest.param({"activites": ["medecine"]}, {"CPOM_OS_14"}, "hospitalisation", id="had"),
        pytest.param({"activites": ["smr"]}, {"CPOM_OS_11"}, "médecine", id="mco"),
        pytest.param(
            {
                "categorie": "clinique",
                "statut": "prive_lucratif",
                "activites": ["chirurgie", "mammographie"],
            },
            {"CPOM_OS_12"},
            "sans objet",
            id="mammo-clinic",
        ),
        pytest.param({"categorie": "CHU", "lits": 2800}, {"CPOM_CT_1"}, "sans objet", id="chu-31"),
        pytest.param(
            {"categorie": "CHU", "lits": 2800, "finess_ej": None},
            {"CPOM_CT_1"},
            "par prudence",
            id="chu-no-finess",
        ),
    ],
)
def test_ineligible_indicators_are_excluded_with_the_fiche_words(
    changes: dict[str, Any],
    excluded: set[str],
    why: str,
    kb: KnowledgeBase,
    rules: RuleSet,
    settings: Settings,
    documents: dict[str, str],
) -> None:
    profile = profile_of(**{k: v for k, v in changes.items() if v is not None})
    if changes.get("finess_ej", "") is None:
        profile = profile.model_copy(update={"finess_ej": None})
    proposal = run(profile, kb, rules, settings)
    out = {e.code: e for e in proposal.exclus}
    for code in excluded:
        assert code in out
        assert why in out[code].motif
        assert out[code].source is not None
        assert comparable(out[code].source.quote) in documents[out[code].source.doc_id]
        assert code not in proposal.codes
        assert code not in {a.code for a in proposal.alternatives}


def test_chu_of_nimes_keeps_ct1_which_is_sans_objet_only_in_31_and_34(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    strategic, _ = score_candidates(
        profile_of(categorie="CHU", lits=1500, finess_ej="300000013"), kb=kb, rules=rules
    )
    assert next(c for c in strategic if c.code == "CPOM_CT_1").eligible


def test_priorities_steer_the_selection(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    tele = run(profile_of(priorites="développer la télésanté et la RAAC"), kb, rules, settings)
    crisis = run(
        profile_of(priorites="exercices de crise, gestion des lits, événements indésirables"),
        kb,
        rules,
        settings,
    )
    assert {"CPOM_OS_9", "CPOM_OS_13"} <= set(tele.codes)
    assert {"CPOM_OS_18", "CPOM_OS_10", "CPOM_OS_19"} <= set(crisis.codes)
    first = tele.indicateurs[0]
    assert any("Répond à votre priorité" in r for r in first.raisons)
    assert first.detail_score.startswith("Score ")


def test_a_private_clinic_gets_the_public_warning_from_fiche_and_validator(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    clinic = profile_of(
        categorie="clinique",
        statut="prive_lucratif",
        membre_ght=False,
        finess_ej="340000119",
        priorites="participer à un plateau d'imagerie mutualisé avec l'hôpital public",
    )
    proposal = run(clinic, kb, rules, settings)
    strategic, _ = score_candidates(clinic, kb=kb, rules=rules)
    ct1 = next(c for c in strategic if c.code == "CPOM_CT_1")
    assert ct1.eligible
    assert any("établissements publics" in w for w in ct1.avertissements)
    if "CPOM_CT_1" in proposal.codes:
        item = next(i for i in proposal.indicateurs if i.code == "CPOM_CT_1")
        assert item.avertissements
        assert any(f.rule == "ELIG-PUBLIC" for f in proposal.findings)
    else:
        alternative = next(a for a in proposal.alternatives if a.code == "CPOM_CT_1")
        assert alternative.avertissements


def test_an_indicator_already_met_is_set_aside_with_the_guide_reason(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    priorities = "la RAAC, la télésanté, les exercices de crise"
    wanted = profile_of(priorites=priorities)
    met = profile_of(priorites=priorities, deja_atteints=["os13"])
    before = next(
        c for c in score_candidates(wanted, kb=kb, rules=rules)[0] if c.code == "CPOM_OS_13"
    )
    after = next(c for c in score_candidates(met, kb=kb, rules=rules)[0] if c.code == "CPOM_OS_13")
    assert after.score == before.score - 40
    assert any("l’ARS reviendra vers l’établissement" in w for w in after.avertissements)
    assert run(wanted, kb, rules, settings).codes[0] == "CPOM_OS_13"
    proposal = run(met, kb, rules, settings)
    # Enough other indicators remain: another one is proposed, and the proposal says why.
    assert "CPOM_OS_13" not in proposal.codes
    said = [w for w in proposal.avertissements if w.startswith("CPOM_OS_13")]
    assert said
    assert "n'est pas proposé" in said[0]
    assert "l’ARS reviendra vers l’établissement" in said[0]
    assert "cible plus ambitieuse" in said[0]


@pytest.mark.parametrize("path", BENCH_PROFILES[::4], ids=lambda p: p.stem)
def test_the_selection_is_optimal_no_swap_improves_it(
    path: Path, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = read_profile(path)
    proposal = run(profile, kb, rules, settings)
    strategic, _ = score_candidates(profile, kb=kb, rules=rules)
    score = {c.code: c.score for c in strategic if c.eligible}
    chosen = set(proposal.codes)
    for category in ("CPOM_CT_", "CPOM_OS_"):
        inside = [score[c] for c in chosen if c.startswith(category)]
        outside = [s for c, s in score.items() if c.startswith(category) and c not in chosen]
        assert min(inside) >= max(outside, default=-1e9)


def test_alternatives_are_the_next_best_per_category(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    proposal = run(read_profile(PROFILES / "hopital-proximite-aveyron.json"), kb, rules, settings)
    by_category: dict[str, list[str]] = {}
    for alt in proposal.alternatives:
        by_category.setdefault(alt.categorie, []).append(alt.code)
        assert alt.code not in proposal.codes + proposal.hpr_codes
    assert set(by_category) == {"cooperation", "autre", "hpr"}
    assert all(1 <= len(v) <= 3 for v in by_category.values())
    scores = [a.score for a in proposal.alternatives if a.categorie == "autre"]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("path", BENCH_PROFILES[::3], ids=lambda p: p.stem)
def test_every_source_of_a_proposal_is_found_in_the_corpus(
    path: Path, kb: KnowledgeBase, rules: RuleSet, settings: Settings, documents: dict[str, str]
) -> None:
    proposal = run(read_profile(path), kb, rules, settings)
    sources: list[Source] = []
    for entry in proposal.indicateurs + proposal.indicateurs_hpr + proposal.alternatives:
        assert entry.sources
        sources += entry.sources
    sources += [f.source for f in proposal.findings]
    missing = [s.quote[:80] for s in sources if comparable(s.quote) not in documents[s.doc_id]]
    assert missing == []


def test_the_proposal_is_deterministic(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = read_profile(PROFILES / "clinique-chirurgie.json")
    assert run(profile, kb, rules, settings) == run(profile, kb, rules, settings)


def test_proposals_differ_between_profiles(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    selections = {
        p.stem: set(run(read_profile(p), kb, rules, settings).codes) for p in BENCH_PROFILES
    }
    assert len({frozenset(s) for s in selections.values()}) == len(selections)
    changes = [len(a - b) for a, b in itertools.combinations(selections.values(), 2)]
    assert sum(changes) / len(changes) >= 3


def test_relevance_by_retrieval_when_an_index_is_given(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet, documents: dict[str, str]
) -> None:
    from assistant.index.build import ingest
    from assistant.retrieval.hybrid import Index

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        embedding_cache_dir=tmp_path / "cache",
        prompts_dir=ROOT / "prompts",
        llm_provider="none",
    )
    ingest(settings, dense=False)
    index = Index(settings)
    profile = profile_of(priorites="télésanté ; récupération améliorée après chirurgie")
    proposal = propose(profile, kb=kb, rules=rules, index=index, settings=settings)
    assert {"CPOM_OS_9", "CPOM_OS_13"} <= set(proposal.codes)
    raac = next(i for i in proposal.indicateurs if i.code == "CPOM_OS_13")
    assert any("récupération améliorée après chirurgie" in r for r in raac.raisons)
    for entry in proposal.indicateurs:
        for source in entry.sources:
            assert comparable(source.quote) in documents[source.doc_id], source.quote


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({**CH, "activites": "medecine"}, "activites", id="activities-not-a-list"),
        pytest.param({**CH, "deja_engages": ["OS_99"]}, "deja_engages[0]", id="unknown-engaged"),
        pytest.param({**CH, "lits": -5}, "lits", id="negative-beds"),
        pytest.param({**CH, "lits": "beaucoup"}, "lits", id="text-beds"),
        pytest.param({k: v for k, v in CH.items() if k != "statut"}, "statut", id="missing"),
        pytest.param({**CH, "finess_ej": "3100001"}, "finess_ej", id="finess"),
        pytest.param({**CH, "deja_atteints": ["OS_99"]}, "deja_atteints[0]", id="unknown-code"),
        pytest.param({**CH, "couleur": "bleu"}, "couleur", id="unknown-field"),
    ],
)
def test_a_bad_profile_gives_a_french_message_naming_the_field(
    data: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_profile(data)
    assert f"« {field} »" in caught.value.message
    assert "invalide" in caught.value.message


def test_a_profile_accepts_accented_keys_and_a_whole_draft_file() -> None:
    accented = {k: v for k, v in CH.items() if k != "activites"}
    accented |= {"activités": CH["activites"], "Priorités": "la RAAC"}
    assert parse_profile(accented).priorites == "la RAAC"
    draft = parse_profile(
        {
            "campagne": "occitanie-2025-2029",
            "etablissement": CH,
            "indicateurs": [],
            "deja_atteints": ["ct 4"],
        }
    )
    assert draft.deja_atteints == ["CPOM_CT_4"]
    assert draft.membre_ght is True


def test_cli_propose_prints_french_text_and_the_json_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profil.json"
    path.write_text(json.dumps({**CH, "priorites": "la RAAC"}, ensure_ascii=False), "utf-8")
    assert main(["propose", str(path), "--sans-index", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"indicateurs", "indicateurs_hpr", "alternatives", "findings"} <= set(data)
    first = data["indicateurs"][0]
    assert {"code", "libelle", "categorie", "raisons", "sources", "avertissements"} <= set(first)
    assert first["code"] == "CPOM_OS_13"
    assert main(["propose", str(path), "--sans-index"]) == 0
    text = capsys.readouterr().out
    assert "ANNEXE STRATÉGIQUE : 8 indicateurs" in text
    assert "Contrôle du validateur : aucune erreur" in text
    assert "CPOM_OS_13" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            json.dumps({**CH, "activites": ["chirurgie", 3]}), "activites[1]", id="activity"
        ),
        pytest.param(json.dumps({**CH, "lits": -1}), "lits", id="beds"),
        pytest.param("{pas du json", "JSON", id="not-json"),
    ],
)
def test_cli_propose_bad_input_exits_2_in_french_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    path = tmp_path / "profil.json"
    path.write_text(content, encoding="utf-8")
    assert main(["propose", str(path), "--sans-index"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ")
    assert expected in err
    assert "Traceback" not in err


def test_text_output_keeps_guillemets_with_their_words(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    text = format_proposal(run(profile_of(priorites="la RAAC"), kb, rules, settings))
    assert not re.search(r"«\s*$", text, re.MULTILINE)
    assert not re.search(r"^\s*»", text, re.MULTILINE)


# --- With a language model: the local fake OpenAI-compatible server and LangChain fakes ---


def llm_settings(base: Settings, url: str) -> Settings:
    return base.model_copy(
        update={
            "llm_provider": "openai",
            "llm_base_url": url,
            "llm_model": "fake",
            "llm_timeout": 10.0,
        }
    )


def selection(
    codes: list[str], reason: str = "Ce choix sert directement le projet de l'établissement."
) -> dict[str, Any]:
    return {"indicateurs": [{"code": c, "raisons": [reason]} for c in codes], "indicateurs_hpr": []}


def last_user_message(request: dict[str, Any]) -> str:
    return next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")


def test_llm_reranks_and_words_the_reasons_through_the_local_server(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = profile_of(priorites="la RAAC, la télésanté")
    offline = run(profile, kb, rules, settings)
    reordered = list(reversed(offline.codes))
    with fake_chat_server([selection(reordered)]) as (url, server):
        proposal = propose(profile, kb=kb, rules=rules, settings=llm_settings(settings, url))
    assert proposal.mode == "llm"
    assert proposal.codes == reordered
    assert (
        proposal.indicateurs[0]
        .raisons[0]
        .startswith("Ce choix sert directement le projet de l'établissement.")
    )
    assert proposal.indicateurs[0].detail_score.startswith("Score ")
    assert not [f for f in proposal.findings if f.severity == "erreur"]
    assert len(server.requests) == 1
    prompt = last_user_message(server.requests[0])
    assert "CPOM_OS_13 |" in prompt
    assert "la RAAC, la télésanté" in prompt
    offline_sources = {i.code: i.sources for i in offline.indicateurs}
    assert all(i.sources == offline_sources[i.code] for i in proposal.indicateurs)


def test_the_model_gets_the_findings_and_its_corrected_selection_is_kept(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = profile_of(membre_ght=False, priorites="la RAAC")
    offline = run(profile, kb, rules, settings)
    others = [c for c in offline.codes if c.startswith("CPOM_OS_")]
    bad = ["CPOM_CT_3", "CPOM_CT_2", *others]  # CT_3 is for GHT members only
    good = [c for c in offline.codes]
    with fake_chat_server([selection(bad), selection(good)]) as (url, server):
        proposal = propose(profile, kb=kb, rules=rules, settings=llm_settings(settings, url))
    assert proposal.mode == "llm"
    assert len(server.requests) == 2
    correction = last_user_message(server.requests[1])
    assert "CPOM_CT_3 n'est pas accessible à ce profil" in correction
    assert "SEL-MIN-CT" in correction


@pytest.mark.parametrize(
    ("reply", "calls"),
    [
        # 1 call + 2 retries with the validator's findings
        pytest.param(selection(["CPOM_CT_2", "CPOM_OS_13", "CPOM_OS_9"]), 3, id="too-few"),
        # the structured-output helper's own repair round, then it gives up
        pytest.param("pas du json", 2, id="not-json"),
    ],
)
def test_an_llm_selection_that_stays_invalid_falls_back_to_the_offline_proposal(
    reply: Any, calls: int, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = profile_of(priorites="la RAAC")
    offline = run(profile, kb, rules, settings)
    with fake_chat_server([reply]) as (url, server):
        proposal = propose(profile, kb=kb, rules=rules, settings=llm_settings(settings, url))
    assert proposal.mode == "hors_ligne"
    assert proposal.codes == offline.codes
    assert any("proposition hors ligne" in note for note in proposal.notes)
    assert len(server.requests) == calls


def test_figures_the_model_invents_are_rejected(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = profile_of(priorites="la RAAC")
    offline = run(profile, kb, rules, settings)
    invented = selection(offline.codes, "Le taux atteindra 87 % grâce à ce choix.")
    with fake_chat_server([invented]) as (url, server):
        proposal = propose(profile, kb=kb, rules=rules, settings=llm_settings(settings, url))
    assert proposal.mode == "hors_ligne"
    assert "87" in last_user_message(server.requests[1])


def test_a_langchain_fake_chat_model_can_rerank(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    profile = profile_of(priorites="la télésanté")
    offline = run(profile, kb, rules, settings)
    model = GenericFakeChatModel(
        messages=iter([AIMessage(content=json.dumps(selection(offline.codes[::-1])))])
    )
    proposal = propose(profile, kb=kb, rules=rules, settings=settings, chat_model=model)
    assert proposal.mode == "llm"
    assert proposal.codes == offline.codes[::-1]


def test_an_unreachable_model_falls_back_with_a_french_note(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    with fake_chat_server([{}]) as (url, _):
        pass  # the server is closed: nothing listens on its port any more
    proposal = propose(profile_of(), kb=kb, rules=rules, settings=llm_settings(settings, url))
    assert proposal.mode == "hors_ligne"
    assert any("n'a pas pu répondre" in note for note in proposal.notes)
