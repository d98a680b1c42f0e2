"""« Vue régionale » (the tab and `assistant.ui.regional_figures`): its figures are
`compute_synthesis`'s and ``synthese --json``'s.

A real SQLite store in a temporary folder, 40 drafts imported through the store's import
(the bench's draft generator, varied here), driven to every status; the command runs as a
subprocess on the same database.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import openpyxl
import pandas as pd
import pytest

from assistant.api import ApiContext
from assistant.store import (
    LOCAL_ADMIN,
    STATUS_LABELS,
    Actor,
    Checker,
    Store,
    compute_synthesis,
    import_drafts,
    open_store,
    send_back,
    submit,
    validate_dossier,
)
from assistant.ui.regional_figures import (
    COLUMNS,
    NO_SEVERITY,
    SHEETS,
    spread,
    summary_text,
    table_rows,
)
from assistant.ui.service import AppContext, IndexService
from assistant.ui.tabs.regional import (
    ALL,
    ESTABLISHMENT_NOTICE,
    OUTPUTS,
    build,
    frames,
    refresh,
    refresh_outputs,
    wire,
    workbook,
)
from bench.bench_dossiers import write_drafts
from tests.conftest import make_settings
from tests.postgres_fixtures import FAST_HASHER, store_checker

__all__ = ["store_checker"]

ROOT = Path(__file__).resolve().parent.parent
COUNT = 40
REFERENT_31 = Actor(email="ref31@ars.fr", role="referent", departements=("31",), user_id=1)


@dataclass
class Region:
    """A store of 40 dossiers, its URL, and the app's context on it."""

    store: Store
    url: str
    ctx: AppContext


def _vary(folder: Path) -> None:
    """Other indicators, targets, HPR choices and errors in some of the bench's drafts."""
    for n, path in enumerate(sorted(folder.glob("*.json"))):
        draft = json.loads(path.read_text(encoding="utf-8"))
        items = draft["indicateurs"]
        for item in items:
            if n % 3 == 0 and item["code"] == "CPOM_OS_18":
                item["code"] = "CPOM_OS_13"
            if n % 4 == 0 and item["code"] == "CPOM_CT_2":
                item["cibles"]["2029"] = 10 + n % 7
            if n % 9 == 8 and item["code"] == "CPOM_CT_4":
                item["valeur_initiale"] = "beaucoup"
        if n % 7 == 0:
            draft["indicateurs_hpr"] = [dict(items[0], code=c) for c in ("HPR_1_1", "HPR_2_1")]
        path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory, store_checker: Checker) -> Iterator[Region]:
    tmp = tmp_path_factory.mktemp("regional")
    url = f"sqlite:///{tmp / 'cpom.db'}"
    store = open_store(url, checker=store_checker, hasher=FAST_HASHER)
    folder = write_drafts(tmp / "drafts", COUNT)
    _vary(folder)
    items = import_drafts(store, LOCAL_ADMIN, folder)
    assert [item.refus for item in items] == [None] * COUNT
    valid = [item.finess_ej for item in items if item.erreurs == 0]
    for i, finess in enumerate(valid):
        assert finess is not None
        if i % 4 in (1, 2):
            submit(store, LOCAL_ADMIN, finess)
        if i % 8 == 1:
            validate_dossier(store, LOCAL_ADMIN, finess)
        if i % 4 == 2:
            send_back(store, LOCAL_ADMIN, finess, "Revoir la cible 2029.")
    settings = make_settings(tmp, corpus_dir=ROOT / "corpus")
    ctx = AppContext(
        settings, IndexService(settings), tmp / "var", api=ApiContext(settings, store=store)
    )
    yield Region(store, url, ctx)
    store.close()


def _synthese_json(url: str, *args: str) -> dict[str, Any]:
    """What ``python -m assistant synthese --json`` prints on the database at ``url``."""
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "synthese", "--json", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "CPOM_DATABASE_URL": url},
        timeout=120,
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _column(table: pd.DataFrame, key: str, value: str = "Dossiers") -> dict[str, Any]:
    return dict(zip(table[key].tolist(), table[value].tolist(), strict=True))


def _figures(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The figures the tables show, in the shape of ``synthese --json``."""
    labels = {label: key for key, label in STATUS_LABELS.items()}
    return {
        "par_indicateur": _column(tables["indicateurs"], "Code"),
        "par_indicateur_hpr": _column(tables["hpr"], "Code"),
        "par_statut": {labels[k]: n for k, n in _column(tables["statuts"], "Statut").items()},
        "par_departement": _column(tables["departements"], "Département"),
        "par_regle": _column(tables["regles"], "Règle"),
        "regles": [
            (rule, n, None if severity == NO_SEVERITY else severity, *(v or None for v in words))
            for rule, n, severity, *words in table_rows(tables["regles"])
        ],
        "cibles_2029": [
            (code, finess, cible, fiche or None, value)
            for code, finess, cible, fiche, value in table_rows(tables["cibles"])
        ],
    }


def _expected(data: dict[str, Any]) -> dict[str, Any]:
    """The same figures, from a synthesis dumped as JSON."""
    return {
        **{key: data[key] for key in ("par_indicateur", "par_indicateur_hpr", "par_statut")},
        "par_departement": data["par_departement"],
        "par_regle": data["par_regle"],
        "regles": [
            (r["regle"], r["dossiers"], r["gravite"], r["titre"], r["section"], r["texte_du_guide"])
            for r in data["regles"]
        ],
        "cibles_2029": [
            (item["code"], t["finess_ej"], t["cible"], t["fiche"], t["fiche_valeur"])
            for item in data["cibles_2029"]
            for t in item["cibles"]
        ],
    }


def _values(ctx: AppContext, actor: Actor, departement: str | None = None) -> dict[str, Any]:
    return dict(zip(OUTPUTS, refresh(ctx, actor, departement), strict=True))


def _tables(values: dict[str, Any]) -> dict[str, pd.DataFrame]:
    names = ("indicators", "hpr", "status", "departement", "rules", "targets")
    return {key: values[f"{name}_table"] for name, key in zip(names, SHEETS, strict=True)}


def _sheet(book: Any, title: str) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in book[title].iter_rows()]


def _cells(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows as a workbook holds them: an empty text reads back as an empty cell."""
    return [[None if value == "" else value for value in row] for row in rows]


def test_figures_equal_the_synthesis_and_the_synthese_command(region: Region) -> None:
    s = compute_synthesis(region.store, LOCAL_ADMIN)
    tables = frames(s)
    data = _synthese_json(region.url)
    assert _figures(tables) == _expected(s.model_dump(mode="json")) == _expected(data)
    assert data["dossiers"] == s.dossiers == COUNT == tables["statuts"]["Dossiers"].sum()
    # the data are varied: both families, HPR, broken rules, every status, many départements
    families = tables["indicateurs"].groupby("Famille")["Dossiers"].sum()
    assert families["Coopération (CPOM_CT)"] > 0
    assert families["Autres (CPOM_OS)"] > 0
    assert len(tables["indicateurs"]) == 30
    assert len(tables["hpr"]) == 14
    assert tables["hpr"]["Dossiers"].sum() > 0
    assert all(n > 0 for n in data["par_statut"].values())
    assert len(data["par_departement"]) == 13
    assert data["par_regle"], "some drafts break rules"
    assert all(tables["regles"]["Termes du guide"])
    assert len({c for c, *_ in table_rows(tables["cibles"])}) == len(data["cibles_2029"])
    # the text: days before the e-CARS deadline, its source, the dossiers not submitted
    text = summary_text(s)
    assert f"{COUNT} dossier(s)" in text
    assert f"Échéance e-CARS : {s.echeance:%d/%m/%Y}" in text
    assert "25 juillet 2025" in text
    days = data["jours_avant_echeance"]
    assert (
        f"{days} jour(s) restant(s)"
        if days > 0
        else "c'est aujourd'hui"
        if days == 0
        else f"date dépassée depuis {-days} jour(s)"
    ) in text
    assert f"(brouillon ou à corriger) : {len(data['non_deposes'])} — " in text


def test_departement_filter_matches_the_command(region: Region) -> None:
    values = _values(region.ctx, LOCAL_ADMIN, "31")
    data = _synthese_json(region.url, "--departement", "31")
    tables = _tables(values)
    assert _figures(tables) == _expected(data)
    assert data["par_departement"] == {"31": 3}
    assert "** — 3 dossier(s), département 31.\n" in values["notice"]
    # the filtered refresh keeps the list of départements; « Tous » gives every one again
    assert values["departement"] == gr.update()
    everything = _values(region.ctx, LOCAL_ADMIN, ALL)
    every = compute_synthesis(region.store, LOCAL_ADMIN).par_departement
    assert everything["departement"]["choices"] == [ALL, *every]
    assert everything["departement_table"]["Dossiers"].sum() == COUNT


def test_workbook_reopens_with_the_tables(region: Region) -> None:
    s = compute_synthesis(region.store, LOCAL_ADMIN)
    labels = {"CPOM_CT_2": "Un libellé", "HPR_1_1": "=1+1"}
    tables = frames(s, labels=labels)
    book = openpyxl.load_workbook(io.BytesIO(workbook(s, labels=labels)))
    assert book.sheetnames == [*SHEETS.values(), "Échéance"]
    for key, title in SHEETS.items():
        assert _sheet(book, title) == _cells([list(COLUMNS[key]), *table_rows(tables[key])]), key
    assert book["Indicateurs HPR"]["C2"].value == "=1+1"  # text, never a formula
    assert book["Indicateurs HPR"]["C2"].data_type == "s"
    deadline = {row[0]: row[1] for row in _sheet(book, "Échéance") if row and row[0]}
    assert deadline["Dossiers"] == COUNT
    assert deadline["Échéance e-CARS"].date() == s.echeance
    assert deadline["Jours avant l'échéance"] == s.jours_avant_echeance
    assert deadline["Dossiers non déposés (brouillon ou à corriger)"] == len(s.non_deposes)
    listed = [row[0] for row in _sheet(book, "Échéance")[-len(s.non_deposes) :]]
    assert listed == s.non_deposes


def test_the_download_holds_the_tables_shown(region: Region) -> None:
    values = _values(region.ctx, LOCAL_ADMIN)
    assert values["download"]["visible"] is True
    book = openpyxl.load_workbook(values["download"]["value"])
    for key, table in _tables(values).items():
        expected = _cells([list(COLUMNS[key]), *table_rows(table)])
        assert _sheet(book, SHEETS[key]) == expected, key
    # labels from the knowledge base
    assert all(values["indicators_table"]["Libellé"])


def test_referent_of_31_sees_only_31(region: Region) -> None:
    values = _values(region.ctx, REFERENT_31)
    tables = _tables(values)
    expected = compute_synthesis(region.store, REFERENT_31)
    assert expected.dossiers == 3
    assert _figures(tables) == _expected(expected.model_dump(mode="json"))
    assert _column(tables["departements"], "Département") == {"31": 3}
    assert tables["statuts"]["Dossiers"].sum() == 3
    assert values["departement"]["choices"] == [ALL, "31"]
    assert {finess[:2] for finess in tables["cibles"]["FINESS EJ"]} == {"31"}
    # another département through the filter: nothing outside the scope
    outside = _tables(_values(region.ctx, REFERENT_31, "34"))
    assert outside["statuts"]["Dossiers"].sum() == 0
    assert outside["departements"].empty


def test_establishment_gets_a_french_message_and_no_figures(region: Region) -> None:
    establishment = Actor(email="dir@ch.fr", role="etablissement", finess=("310000004",), user_id=2)
    values = _values(region.ctx, establishment)
    assert values["notice"] == ESTABLISHMENT_NOTICE
    assert "référents ARS et aux administrateurs" in values["notice"]
    assert all(table.empty for table in _tables(values).values())
    assert all(values[f"{name}_plot"] is None for name in ("indicators", "hpr", "targets"))
    assert values["download"]["visible"] is False
    assert values["departement"]["choices"] == [ALL]


def test_a_page_without_dossiers_says_so(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    ctx = AppContext(settings, IndexService(settings), tmp_path / "var")
    values = _values(ctx, LOCAL_ADMIN)
    assert values["notice"].startswith("Vue régionale indisponible : Les dossiers ne sont pas")
    assert all(table.empty for table in _tables(values).values())


def test_spread_plots_figures_only() -> None:
    targets = pd.DataFrame(
        [
            ["CPOM_CT_2", "310000001", 15, "min 2", 2.0],
            ["CPOM_CT_2", "310000002", "12,5 %", "min 2", 2.0],
            ["CPOM_CT_1", "310000001", "oui", "oui", None],
        ],
        columns=list(COLUMNS["cibles"]),
    )
    assert table_rows(spread(targets)) == [
        ["CPOM_CT_2", 15.0, "Cible du dossier", "310000001"],
        ["CPOM_CT_2", 2.0, "Cible de la fiche", ""],
        ["CPOM_CT_2", 12.5, "Cible du dossier", "310000002"],
    ]


def test_tab_builds_in_blocks_and_gradio_takes_its_values(region: Region) -> None:
    with gr.Blocks() as demo:
        tab = build()
        wire(tab, region.ctx)
    components = refresh_outputs(tab)
    assert len(components) == len(OUTPUTS)
    values = refresh(region.ctx, LOCAL_ADMIN)
    shown = 0
    for component, value in zip(components, values, strict=True):
        frame = value.get("value") if isinstance(value, dict) else value
        if isinstance(frame, pd.DataFrame):
            assert component.postprocess(frame) is not None
            shown += 1
    assert shown == 12  # six charts, six tables
    indicators = dict(zip(OUTPUTS, values, strict=True))["indicators_plot"]
    assert indicators["y_lim"] == [0, COUNT]  # bars from zero
    # both events inject the request (Gradio reads the handler's type hint)
    handlers = [f.fn for f in demo.fns.values() if f.fn is not None]
    assert len(handlers) == 2
    for fn in handlers:
        assert gr.utils.get_type_hints(fn)["request"] is gr.Request
