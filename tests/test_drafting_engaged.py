"""`draft` reads the profile's ``deja_engages``: the fiche's engaged row, said and carried."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.drafting import build_draft_file, draft_indicator, draft_selection, format_draft
from assistant.kb import KnowledgeBase
from assistant.propose import Profile, parse_profile, propose
from assistant.rules import Report, RuleSet, validate_draft
from tests.chain_fixtures import kb, rules, settings
from tests.test_drafting import CH, plausible

__all__ = ["kb", "rules", "settings"]


def _profile(*engaged: str) -> Profile:
    return parse_profile({**CH, "deja_engages": list(engaged)})


def test_an_engaged_profile_gets_the_engaged_row_and_is_told_so(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    # OS_20: the engaged row asks 2, 4, 4, 4, 4 actions a quarter; the others 1, 2, 3, 3, 3.
    engaged = draft_indicator(
        _profile("OS_20"), "OS_20", baseline=2, kb=kb, rules=rules, settings=settings
    )
    other = draft_indicator(_profile(), "OS_20", baseline=2, kb=kb, rules=rules, settings=settings)
    assert engaged.deja_engage
    assert not other.deja_engage
    assert "déjà engagés" in (engaged.portee or "")
    assert "déjà engagés" not in (other.portee or "")
    assert engaged.trajectoire["2026"] == 4
    assert other.trajectoire["2026"] != 4
    shown = format_draft(engaged)
    assert "votre profil vous déclare déjà engagé" in shown
    assert "votre profil vous déclare déjà engagé" not in format_draft(other)
    assert not [f for f in engaged.findings if f.severity == "erreur"]


def test_a_fiche_without_an_engaged_row_keeps_its_row_with_a_warning(
    kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    draft = draft_indicator(
        _profile("OS_13"), "OS_13", baseline=40, kb=kb, rules=rules, settings=settings
    )
    assert not draft.deja_engage
    assert any(
        "n'a pas de ligne « Pour les établissements déjà engagés »" in w
        for w in draft.avertissements
    )


# A 2024 value below the engaged row's last target that meets the other row's.
@pytest.mark.parametrize(("code", "baseline"), [("OS_2", 2), ("OS_20", 3)])
def test_the_draft_file_carries_the_flag_and_the_validator_follows_it(
    code: str, baseline: int, kb: KnowledgeBase, rules: RuleSet, settings: Settings
) -> None:
    profile = _profile(code)
    proposal = propose(profile, kb=kb, rules=rules, settings=settings)
    canonical = f"CPOM_{code}"
    if canonical not in proposal.codes:  # put it in place of the last other indicator
        others = [i for i in proposal.indicateurs if i.categorie == "autre"]
        extra = others[-1].model_copy(update={"code": canonical})
        kept = [i for i in proposal.indicateurs if i is not others[-1]]
        proposal = proposal.model_copy(update={"indicateurs": [*kept, extra]})
    baselines = {c: plausible(kb, profile, c) for c in proposal.codes} | {canonical: baseline}
    drafts = draft_selection(
        profile, proposal, baselines=baselines, kb=kb, rules=rules, settings=settings
    )
    draft_file = build_draft_file(profile, proposal, drafts, rules=rules, settings=settings)
    (line,) = [i for i in draft_file.indicateurs if i.code == canonical]
    assert line.deja_engage is True
    assert all(i.deja_engage is None for i in draft_file.indicateurs if i.code != canonical)

    def traj(report: Report) -> set[str]:
        return {
            f.rule
            for f in report.findings
            if f.indicator == canonical and f.rule in {"TRAJ-BELOW-FICHE", "TRAJ-ALREADY-MET"}
        }

    report = validate_draft(draft_file, kb=kb, rules=rules)
    assert report.valid, [f.message for f in report.findings if f.severity == "erreur"]
    assert traj(report) == set()  # drafted on the engaged row, the targets meet it
    # Read without the flag, the 2024 value already meets the other row's last target.
    line.deja_engage = None
    assert traj(validate_draft(draft_file, kb=kb, rules=rules)) == {"TRAJ-ALREADY-MET"}
