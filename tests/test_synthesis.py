"""The regional figures (``compute_synthesis``, ``synthese``) on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.errors import InvalidRequestError
from assistant.kb.codes import HPR_CODES, STRATEGIC_CODES
from assistant.store import LOCAL_ADMIN, Actor, Store, open_store, save_draft
from assistant.store.checker import Checker
from assistant.store.review import send_back, submit, validate_dossier
from assistant.store.synthesis import compute_synthesis
from tests.postgres_fixtures import (
    database_url,
    postgres_server,
    postgres_store,
    store,
    store_checker,
)

__all__ = ["database_url", "postgres_server", "postgres_store", "store", "store_checker"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = dt.date(2025, 7, 15)

# FINESS -> (example file, codes swapped for others, HPR codes added, status to reach)
PLAN: dict[str, tuple[str, dict[str, str], list[str], str]] = {
    "310000123": ("brouillon-valide.json", {}, ["HPR_1_1"], "brouillon"),
    "310000124": ("brouillon-valide.json", {"CPOM_OS_18": "CPOM_OS_13"}, [], "soumis"),
    "340000111": ("brouillon-valide.json", {}, [], "valide"),
    "340000222": ("brouillon-valide.json", {"CPOM_OS_18": "CPOM_OS_11"}, [], "a_corriger"),
    "090000333": ("brouillon-avec-erreurs.json", {}, [], "brouillon"),
}


def _draft(finess: str) -> dict[str, Any]:
    name, swaps, hpr, _ = PLAN[finess]
    draft: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    draft["etablissement"]["finess_ej"] = finess
    draft["etablissement"]["raison_sociale"] = f"Établissement {finess}"
    for item in draft["indicateurs"]:
        item["code"] = swaps.get(item["code"], item["code"])
    template = draft["indicateurs"][0]
    draft["indicateurs_hpr"] = [copy.deepcopy(template) | {"code": code} for code in hpr]
    return draft


def _fill(store: Store) -> dict[str, dict[str, Any]]:
    """Save every planned draft and drive it to its status; returns the drafts by FINESS."""
    drafts = {}
    for finess, (_, _, _, status) in PLAN.items():
        drafts[finess] = _draft(finess)
        save_draft(store, LOCAL_ADMIN, finess, drafts[finess], version=0)
        if status != "brouillon":
            submit(store, LOCAL_ADMIN, finess)
        if status == "valide":
            validate_dossier(store, LOCAL_ADMIN, finess)
        if status == "a_corriger":
            send_back(store, LOCAL_ADMIN, finess, "Revoir la cible 2029.")
    return drafts


def _expected(store: Store, drafts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The figures counted here, from the drafts themselves and the plan."""
    statuses = Counter(PLAN[f][3] for f in drafts)
    rules: Counter[str] = Counter()
    for draft in drafts.values():
        rules.update({f["rule"] for f in store.validate(draft).contract()["findings"]})
    chosen = Counter(i["code"] for d in drafts.values() for i in d["indicateurs"])
    hpr = Counter(i["code"] for d in drafts.values() for i in d["indicateurs_hpr"])
    return {
        "dossiers": len(drafts),
        "par_statut": {s: statuses[s] for s in ("brouillon", "soumis", "a_corriger", "valide")},
        "par_departement": dict(sorted(Counter(f[:2] for f in drafts).items())),
        "par_indicateur": {c: chosen[c] for c in STRATEGIC_CODES},
        "par_indicateur_hpr": {c: hpr[c] for c in HPR_CODES},
        "par_regle": dict(rules),
        "non_deposes": sorted(f for f in drafts if PLAN[f][3] in ("brouillon", "a_corriger")),
    }


def test_figures_match_independent_counts(store: Store) -> None:
    drafts = _fill(store)
    s = compute_synthesis(store, LOCAL_ADMIN, today=TODAY)
    expected = _expected(store, drafts)
    got = s.model_dump()
    for key, value in expected.items():
        assert got[key] == value, key
    assert expected["par_regle"], "the draft with errors breaks some rules"
    assert list(s.par_regle.values()) == sorted(s.par_regle.values(), reverse=True)
    assert [r.regle for r in s.regles] == list(s.par_regle)
    assert all(r.gravite and r.texte_du_guide for r in s.regles)
    # the deadline is the rules file's, cited from the guide
    assert s.echeance == dt.date(2025, 7, 25)
    assert s.jours_avant_echeance == 10
    assert s.echeance_source
    assert "25 juillet 2025" in s.echeance_source
    # 2029 targets of the most chosen indicators: CPOM_CT_2 is in every draft
    first = s.cibles_2029[0]
    assert (first.code, first.dossiers) == ("CPOM_CT_2", 5)
    assert {t.finess_ej: t.cible for t in first.cibles} == {
        f: next(i["cibles"]["2029"] for i in d["indicateurs"] if i["code"] == "CPOM_CT_2")
        for f, d in drafts.items()
    }
    for item in s.cibles_2029:
        assert item.dossiers == expected["par_indicateur"][item.code]


def test_scope_and_departement(store: Store) -> None:
    drafts = _fill(store)
    referent = Actor(email="ref34@ars.fr", role="referent", departements=("34",), user_id=1)
    s = compute_synthesis(store, referent, today=TODAY)
    assert s.dossiers == 2
    assert s.par_departement == {"34": 2}
    assert s.non_deposes == ["340000222"]
    assert (s.par_indicateur["CPOM_OS_11"], s.par_indicateur["CPOM_OS_13"]) == (1, 0)
    assert s.par_indicateur_hpr["HPR_1_1"] == 0
    assert compute_synthesis(store, LOCAL_ADMIN).par_indicateur_hpr["HPR_1_1"] == 1
    assert compute_synthesis(store, referent, departement="31").dossiers == 0
    establishment = Actor(email="dir@ch.fr", role="etablissement", finess=("310000124",), user_id=2)
    own = compute_synthesis(store, establishment)
    assert (own.dossiers, own.par_statut["soumis"], own.non_deposes) == (1, 1, [])
    assert own.par_indicateur["CPOM_CT_2"] == 1
    assert sum(own.par_indicateur.values()) == len(drafts["310000124"]["indicateurs"])
    only_31 = compute_synthesis(store, LOCAL_ADMIN, departement="31")
    assert (only_31.departement, only_31.dossiers) == ("31", 2)
    assert compute_synthesis(store, LOCAL_ADMIN, departement="9").par_departement == {"09": 1}
    with pytest.raises(InvalidRequestError, match="département invalide"):
        compute_synthesis(store, LOCAL_ADMIN, departement="3x")


def test_synthese_command(
    database_url: str, capsys: pytest.CaptureFixture[str], store_checker: Checker
) -> None:
    cli_store = open_store(database_url, checker=store_checker)
    try:
        drafts = _fill(cli_store)
        expected = _expected(cli_store, drafts)
    finally:
        cli_store.close()

    assert main(["synthese", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key, value in expected.items():
        assert data[key] == value, key
    assert data["echeance"] == "2025-07-25"
    assert isinstance(data["jours_avant_echeance"], int)

    assert main(["synthese"]) == 0
    text = capsys.readouterr().out
    assert "5 dossier(s) : 2 brouillon, 1 soumis, 1 à corriger, 1 validé." in text
    assert "Par département : 09 : 1, 31 : 2, 34 : 2." in text
    assert "  CPOM_CT_2 : 5 dossier(s)" in text
    most_broken = sorted(expected["par_regle"].items(), key=lambda item: (-item[1], item[0]))
    for rule, n in most_broken[:10]:
        assert re.search(
            rf"^  {rule} \((erreur|avertissement|information)\) : {n} dossier\(s\)$", text, re.M
        ), rule
    assert "Dossiers non déposés (brouillon ou à corriger) : 3\n  090000333\n" in text
    assert "Échéance e-CARS : 25/07/2025" in text

    assert main(["synthese", "--json", "--departement", "34"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["dossiers"], data["departement"], data["non_deposes"]) == (
        2,
        "34",
        ["340000222"],
    )

    assert main(["synthese", "--departement", "Hérault"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Erreur : Numéro de département invalide : 'Hérault'." in captured.err
