"""Offline drafts built from what each fiche says: dated steps, actors, means, risks, proofs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.config import Settings
from assistant.drafting import draft_indicator, justification_of
from assistant.drafting.models import IndicatorDraft
from assistant.drafting.plan import fiche_plan
from assistant.kb import KnowledgeBase
from assistant.kb.text import comparable
from assistant.propose import Profile, parse_profile
from assistant.propose.offline import score_candidates
from assistant.rules import RuleSet
from tests.chain_fixtures import documents, kb, rules, settings
from tests.test_drafting import CH, plausible

__all__ = ["documents", "kb", "rules", "settings"]

YEARS = ["2025", "2026", "2027", "2028", "2029"]


@pytest.fixture(scope="module")
def ch() -> Profile:
    return parse_profile(CH)


def _draft(
    profile: Profile, code: str, baseline: Any, kb: KnowledgeBase, rules: RuleSet, s: Settings
) -> IndicatorDraft:
    return draft_indicator(profile, code, baseline=baseline, kb=kb, rules=rules, settings=s)


def _all_text(draft: IndicatorDraft) -> str:
    return " ".join(
        [
            draft.contexte,
            draft.diagnostic_initial,
            *draft.actions,
            draft.suivi,
            draft.partenaires,
            draft.moyens,
            *draft.risques,
            *draft.preuves,
        ]
    )


def test_actions_are_dated_year_by_year_with_the_year_s_target(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = _draft(ch, "OS_13", 40, kb, rules, settings)
    assert [a.split(" : ", 1)[0] for a in draft.actions] == YEARS
    assert draft.actions[0].startswith("2025 : cible 40,4 % (fiche : +1 % par rapport à 2024)")
    assert "désigner le pilote" in draft.actions[0]
    assert "bilan de la période" in draft.actions[-1]


def test_the_fiche_s_own_pace_is_an_action_in_its_year(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    # OS_13 proposes « l'ajout d'une spécialité supplémentaire par an, avec un palier prévu
    # pour 2027-2028 »: it goes to 2027, in the fiche's words.
    draft = _draft(ch, "OS_13", 40, kb, rules, settings)
    (paced,) = [a for a in draft.actions if "spécialité supplémentaire par an" in a]
    assert paced.startswith("2027 : ")
    assert "palier prévu pour 2027-2028" in paced


def test_steps_written_in_the_fiche_s_table_date_the_actions(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    ct3 = _draft(ch, "CT_3", 0, kb, rules, settings)
    assert "« Réalisation d’un état des lieux précis" in ct3.actions[0]
    assert "« Mise en œuvre effective d’au moins une « fonction »" in ct3.actions[3]
    os4 = _draft(ch, "OS_4", "non", kb, rules, settings)
    assert os4.actions[0].startswith("2025 : « oui » attendu")
    assert "Signature de la charte par l’établissement" in os4.actions[0]
    assert "cellule reconstituée" in os4.actions[0]  # interleaved in the PDF: not quoted


def test_a_fiche_without_a_partner_field_still_names_the_actors_it_cites(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = _draft(ch, "CT_4", 2, kb, rules, settings)
    assert "ne cite pas de partenaire" not in draft.partenaires
    for acronym in ("EMG", "EMPPA", "EMSP"):
        assert f"({acronym}) »" in draft.partenaires
    assert any("EMPPA" in a for a in draft.actions)
    assert any("Partenaire moins disponible" in r for r in draft.risques)


def test_proofs_are_the_fiche_s_elements_de_preuve(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    os7 = _draft(ch, "OS_7", 0, kb, rules, settings)
    assert any("« Questionnaire validé par les instances concernées »" in p for p in os7.preuves)
    os4 = _draft(ch, "OS_4", "non", kb, rules, settings)
    assert any("Copie de la charte signée" in p for p in os4.preuves)
    # a fiche without any: says so, and what to keep
    os1 = _draft(ch, "OS_1", 5, kb, rules, settings)
    assert fiche_plan(kb.indicators["CPOM_OS_1"]).proofs == []
    (kept,) = os1.preuves
    assert kept.startswith("La fiche ne liste pas d'éléments de preuve")


def test_means_name_the_pilot_and_the_support_the_fiche_describes(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = _draft(ch, "OS_17", 1, kb, rules, settings)
    assert draft.moyens.startswith("Pilote désigné par la direction")
    assert "« Accompagnement humain : accompagnement par ESRR et UVPCS, DD »" in draft.moyens
    rising = _draft(ch, "OS_13", 40, kb, rules, settings)
    assert any(r.startswith("Retard sur une étape") for r in rising.risques)


def test_every_drafted_justification_carries_what_a_referent_looks_for(
    ch: Profile, kb: KnowledgeBase, rules: RuleSet, settings: Settings, documents: dict[str, str]
) -> None:
    eligible = [c.code for c in score_candidates(ch, kb=kb, rules=rules)[0] if c.eligible]
    corpus = " ".join(documents.values())
    texts = []
    for code in eligible:
        draft = _draft(ch, code, plausible(kb, ch, code), kb, rules, settings)
        assert not [f.rule for f in draft.findings if f.rule.startswith("JUST-")], code
        assert len(draft.actions) == 5, code
        assert draft.moyens, code
        assert draft.risques, code
        assert draft.preuves, code
        for quoted in re.findall(r"«\s*(.+?)\s*»", _all_text(draft)):
            assert comparable(quoted) in corpus or quoted in (ch.priorites or ""), (code, quoted)
        texts.append(justification_of(draft, prompts_dir=settings.prompts_dir)[0])
    # drafts of different indicators do not read alike
    assert len(set(texts)) == len(texts)
