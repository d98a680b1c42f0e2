"""Hostile and broken input files: each gets a French message naming the problem.

Every case goes through the real readers (pypdf, openpyxl, csv, json, yaml), the validator
(``validate_path``), the CLI (``validate``, exit 2 on unreadable input) or the ingest, and
checks that nothing crashes, that no traceback reaches the user and that the input file is
left byte for byte unchanged. The cases and their outcomes are listed in
``tests/hostile_cases.md``.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from assistant.cli import main
from assistant.corpus.loaders import load_pages
from assistant.corpus.models import DocumentInfo
from assistant.drafts import MAX_ROWS, Draft, read_draft_file, read_drafts
from assistant.drafts.table import COLUMNS, draft_rows
from assistant.embeddings import HashingEmbeddings
from assistant.errors import InvalidInputError, UnreadableDocumentError
from assistant.index.build import ingest
from assistant.kb import KnowledgeBase
from assistant.rules import Report, RuleSet, validate_path
from tests.conftest import MINI_GUIDE, make_settings
from tests.pdfs import write_pdf
from tests.validator_fixtures import draft, kb, rules

__all__ = ["kb", "rules"]  # fixtures imported from tests/validator_fixtures.py

MAX_PEAK_RSS_BYTES = 1_500 * 1024 * 1024
"""A generous upper bound on the test process's peak memory (1.5 GB)."""

# ---------------------------------------------------------------------------------------------
# Helpers


def _peak_rss_bytes() -> int:
    """The process's peak resident memory so far (Linux reports kibibytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _unchanged_after(path: Path, action: Callable[[], Any]) -> Any:
    """Run ``action``; the input file must be byte for byte the same afterwards, and no file
    may appear or vanish beside it (no partial write, no temporary file left)."""
    before = path.read_bytes()
    neighbours = sorted(path.parent.iterdir())
    try:
        return action()
    finally:
        assert path.read_bytes() == before, f"{path.name} was modified"
        assert sorted(path.parent.iterdir()) == neighbours


def _refused(path: Path, *words: str) -> str:
    """Read ``path``: it must be refused with a French message naming the file and ``words``."""
    with pytest.raises(InvalidInputError) as caught:
        _unchanged_after(path, lambda: read_draft_file(path))
    message = caught.value.message
    assert path.name in message
    assert "illisible" in message or "introuvable" in message
    for word in words:
        assert word in message
    return message


def _cli_refuses(path: Path, capsys: pytest.CaptureFixture[str], *words: str) -> str:
    """``validate PATH`` exits 2 with a French error naming the file, and no traceback."""
    code = _unchanged_after(path, lambda: main(["validate", str(path)]))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("Erreur : ")
    assert path.name in captured.err
    for word in words:
        assert word in captured.err
    assert "Traceback" not in captured.err + captured.out
    return captured.err


def _tree(**establishment: Any) -> dict[str, Any]:
    return draft(**establishment)


def _rows(tree: dict[str, Any]) -> list[list[Any]]:
    """The draft as table rows (header first), the way the writers lay it out."""
    rows = draft_rows(Draft.model_validate(tree))
    return [list(COLUMNS), *([row.get(name) for name in COLUMNS] for row in rows)]


def _csv_text(rows: Sequence[Sequence[Any]], delimiter: str) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else _text(cell) for cell in row])
    return buffer.getvalue()


def _text(cell: Any) -> str:
    if isinstance(cell, bool):
        return "oui" if cell else "non"
    return str(cell)


def _xlsx(path: Path, rows: Sequence[Sequence[Any]], *, banner: str | None = None) -> Path:
    """An XLSX workbook; ``banner`` adds a title row merged over the whole header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "indicateurs"
    if banner is not None:
        sheet.append([banner])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append([_text(cell) if isinstance(cell, bool) else cell for cell in row])
    workbook.save(path)
    return path


def _schema(report: Report) -> list[str]:
    return [finding.message for finding in report.findings if finding.rule == "SCHEMA"]


def _validate(path: Path, kb: KnowledgeBase, rules: RuleSet) -> Report:
    result = _unchanged_after(path, lambda: validate_path(path, kb=kb, rules=rules))
    assert isinstance(result, Report)
    return result


# ---------------------------------------------------------------------------------------------
# PDFs (corpus documents): load_pages and ingest


def _info(file: str) -> DocumentInfo:
    return DocumentInfo.model_validate(
        {
            "id": "doc-hostile",
            "title": "Document hostile",
            "issuer": "ARS Test",
            "region": "Occitanie",
            "period": "2025-2029",
            "date": "2025",
            "kind": "guide",
            "status": "current",
            "file": file,
        }
    )


def _corpus_with(tmp_path: Path, name: str) -> Path:
    """A corpus holding a good text guide and the document ``name`` (written by the caller)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "guide.txt").write_text(MINI_GUIDE, encoding="utf-8")
    (corpus / "catalog.yaml").write_text(
        "documents:\n"
        "  - {id: guide-test, title: Guide, issuer: ARS, region: Occitanie, period: '2025-2029',"
        " date: '2025', kind: guide, status: current, file: guide.txt}\n"
        "  - {id: doc-hostile, title: Hostile, issuer: ARS, region: Occitanie,"
        f" period: '2025-2029', date: '2025', kind: guide, status: current, file: {name}}}\n",
        encoding="utf-8",
    )
    return corpus


def _pdf_refused(tmp_path: Path, name: str, write: Callable[[Path], None], *words: str) -> None:
    """The PDF is refused by load_pages and skipped by ingest with the same French message."""
    corpus = _corpus_with(tmp_path, name)
    path = corpus / name
    write(path)
    with pytest.raises(UnreadableDocumentError) as caught:
        _unchanged_after(path, lambda: load_pages(_info(name), corpus))
    message = caught.value.message
    assert name in message
    for word in words:
        assert word in message
    report = _unchanged_after(
        path, lambda: ingest(make_settings(tmp_path), embedder=HashingEmbeddings())
    )
    assert report.documents == ["guide-test"]
    assert [error for error in report.errors if error.startswith("doc-hostile")] == [
        f"doc-hostile : {message} Document ignoré."
    ]


def _truncated_pdf(path: Path) -> None:
    write_pdf(path, [["Les établissements devront choisir au maximum 10 indicateurs."]] * 3)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def test_truncated_pdf_is_refused_and_skipped_by_ingest(tmp_path: Path) -> None:
    _pdf_refused(tmp_path, "tronque.pdf", _truncated_pdf, "corrompu ou tronqué")


def test_encrypted_pdf_is_refused_and_skipped_by_ingest(tmp_path: Path) -> None:
    def write(path: Path) -> None:
        write_pdf(path, [["Secret"]], encrypt="motdepasse")

    _pdf_refused(tmp_path, "chiffre.pdf", write, "chiffré", "sans mot de passe")


def test_empty_pdf_is_refused_and_skipped_by_ingest(tmp_path: Path) -> None:
    _pdf_refused(tmp_path, "vide.pdf", lambda path: path.write_bytes(b""), "vide")


def test_binary_renamed_pdf_is_refused_and_skipped_by_ingest(tmp_path: Path) -> None:
    def write(path: Path) -> None:
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)

    _pdf_refused(tmp_path, "image.pdf", write, "PDF lisible")


def test_pdf_of_2000_pages_is_indexed_with_bounded_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus_with(tmp_path, "gros.pdf")
    path = corpus / "gros.pdf"
    write_pdf(
        path,
        [[f"Section {n} : les établissements choisissent leurs indicateurs."] for n in range(2000)],
    )
    pages = _unchanged_after(path, lambda: load_pages(_info("gros.pdf"), corpus))
    assert len(pages) == 2000
    assert "Section 1999" in pages[-1].text
    report = _unchanged_after(
        path, lambda: ingest(make_settings(tmp_path), embedder=HashingEmbeddings())
    )
    assert report.documents == ["guide-test", "doc-hostile"]
    assert report.errors == []
    assert report.dense_ready
    assert report.chunks > 1
    peak = _peak_rss_bytes()
    with capsys.disabled():
        print(f"\n[hostile] peak RSS after a 2,000-page PDF: {peak / 1_048_576:.0f} MiB")
    assert peak < MAX_PEAK_RSS_BYTES


# ---------------------------------------------------------------------------------------------
# Draft files: 0 bytes, binary renamed


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx", ".yaml"])
def test_empty_draft_file_is_refused_in_french(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"brouillon{suffix}"
    path.write_bytes(b"")
    _refused(path, "vide (0 octet)")
    _cli_refuses(path, capsys, "vide (0 octet)")


@pytest.mark.parametrize(
    ("suffix", "words"),
    [
        pytest.param(".csv", "fichier binaire", id="csv"),
        pytest.param(".xlsx", "classeur Excel .xlsx valide", id="xlsx"),
        pytest.param(".json", "fichier binaire", id="json"),
    ],
)
def test_binary_renamed_draft_is_refused_in_french(
    tmp_path: Path, suffix: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"brouillon{suffix}"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 32)
    _refused(path, words)
    _cli_refuses(path, capsys, words)


def test_zip_that_is_not_a_workbook_is_refused_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "pas un classeur")
    _refused(path, "classeur Excel .xlsx valide")
    _cli_refuses(path, capsys, "classeur Excel .xlsx valide")


# ---------------------------------------------------------------------------------------------
# CSV as French spreadsheets export it


def test_latin1_csv_is_read_with_its_accents(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    tree = _tree(raison_sociale="Hôpital Sainte-Émilie de Lézignan")
    path = tmp_path / "latin1.csv"
    path.write_bytes(_csv_text(_rows(tree), ",").encode("latin-1"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    sources = _unchanged_after(path, lambda: read_draft_file(path))
    assert sources[0].data["etablissement"]["raison_sociale"] == (
        "Hôpital Sainte-Émilie de Lézignan"
    )
    report = _validate(path, kb, rules)
    assert report.valid, report.to_text()
    assert _schema(report) == []


def test_semicolon_csv_is_read_not_rejected(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    rows = _rows(_tree())
    for row in rows[1:]:  # French decimal commas inside a ';' file
        row[COLUMNS.index("valeur_initiale")] = "0,0"
    path = tmp_path / "export-excel.csv"
    path.write_bytes(_csv_text(rows, ";").encode("utf-8-sig"))
    report = _validate(path, kb, rules)
    assert report.valid, report.to_text()
    assert _schema(report) == []


def test_formula_text_in_csv_is_a_value_finding_never_evaluated(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    rows = _rows(_tree())
    rows[1][COLUMNS.index("valeur_initiale")] = "=1+1"
    rows[2][COLUMNS.index("valeur_initiale")] = "=cmd|' /C calc'!A0"
    path = tmp_path / "formules.csv"
    path.write_bytes(_csv_text(rows, ";").encode("utf-8"))
    sources = _unchanged_after(path, lambda: read_draft_file(path))
    baselines = [item["valeur_initiale"] for item in sources[0].data["indicateurs"][:2]]
    assert baselines == ["=1+1", "=cmd|' /C calc'!A0"]  # kept as text, never computed
    report = _validate(path, kb, rules)
    assert not report.valid
    flagged = {f.indicator for f in report.findings if f.severity == "erreur"}
    assert {rows[1][COLUMNS.index("code")], rows[2][COLUMNS.index("code")]} <= flagged


# ---------------------------------------------------------------------------------------------
# XLSX layouts


def test_xlsx_with_a_merged_banner_above_the_header_is_read(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    path = _xlsx(tmp_path / "bandeau.xlsx", _rows(_tree()), banner="Annexe stratégique CPOM")
    report = _validate(path, kb, rules)
    assert report.valid, report.to_text()


def test_xlsx_with_merged_header_cells_is_read(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    rows = _rows(_tree())
    # "justification" spans two merged header cells; the text sits in the first column.
    at = COLUMNS.index("justification")
    rows = [[*row[: at + 1], None, *row[at + 1 :]] for row in rows]
    path = tmp_path / "fusion.xlsx"
    _xlsx(path, rows)
    workbook = openpyxl.load_workbook(path)
    letter = get_column_letter(at + 1)
    workbook.active.merge_cells(f"{letter}1:{get_column_letter(at + 2)}1")
    workbook.save(path)
    report = _validate(path, kb, rules)
    assert report.valid, report.to_text()


def test_xlsx_extra_columns_are_ignored(tmp_path: Path, kb: KnowledgeBase, rules: RuleSet) -> None:
    rows = _rows(_tree())
    rows = [
        [*row, "Remarque interne" if i == 0 else "à revoir", None if i == 0 else 42]
        for i, row in enumerate(rows)
    ]
    report = _validate(_xlsx(tmp_path / "colonnes-en-plus.xlsx", rows), kb, rules)
    assert report.valid, report.to_text()
    assert _schema(report) == []


def test_xlsx_missing_column_is_a_schema_finding_naming_it(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    at = COLUMNS.index("finess_ej")
    rows = [[*row[:at], *row[at + 1 :]] for row in _rows(_tree())]
    report = _validate(_xlsx(tmp_path / "sans-finess.xlsx", rows), kb, rules)
    assert not report.valid
    assert any("finess_ej" in message for message in _schema(report)), report.to_text()


def test_xlsx_without_the_code_column_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    at = COLUMNS.index("code")
    rows = [[*row[:at], *row[at + 1 :]] for row in _rows(_tree())]
    path = _xlsx(tmp_path / "sans-code.xlsx", rows)
    _refused(path, "la colonne 'code'")
    _cli_refuses(path, capsys, "la colonne 'code'")


def test_xlsx_formulas_are_never_executed(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    rows = _rows(_tree())
    code_at = COLUMNS.index("code")
    rows[1][COLUMNS.index("valeur_initiale")] = "=1+1"
    rows[2][COLUMNS.index("cible_2025")] = '=WEBSERVICE("http://127.0.0.1:9/x")'
    path = _xlsx(tmp_path / "formules.xlsx", rows)
    assert (
        openpyxl.load_workbook(path).active.cell(2, 1 + COLUMNS.index("valeur_initiale")).data_type
        == "f"
    )
    sources = _unchanged_after(path, lambda: read_draft_file(path))
    items = sources[0].data["indicateurs"]
    assert items[0]["valeur_initiale"] is None  # only a cached value would be read: none here
    assert "2025" not in items[1]["cibles"]
    report = _validate(path, kb, rules)
    assert not report.valid
    flagged = {f.indicator for f in report.findings if f.severity == "erreur"}
    assert {rows[1][code_at], rows[2][code_at]} <= flagged


# ---------------------------------------------------------------------------------------------
# Size caps


def _long_csv(path: Path, rows: int) -> Path:
    lines = ["finess_ej;code;valeur_initiale"]
    lines += [f"310000123;CPOM_OS_{1 + n % 22};{n % 97}" for n in range(rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_csv_of_max_rows_is_accepted(tmp_path: Path) -> None:
    path = _long_csv(tmp_path / "long.csv", MAX_ROWS)
    assert MAX_ROWS == 50_000
    sources = _unchanged_after(path, lambda: read_draft_file(path))
    assert len(sources) == 1
    assert len(sources[0].data["indicateurs"]) == MAX_ROWS
    assert _peak_rss_bytes() < MAX_PEAK_RSS_BYTES


def test_csv_of_one_row_more_is_refused_with_the_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _long_csv(tmp_path / "trop-long.csv", MAX_ROWS + 1)
    _refused(path, "plus de 50000 lignes")
    _cli_refuses(path, capsys, "plus de 50000 lignes", "Découpez")


def test_xlsx_of_one_row_more_is_refused_with_the_cap(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("indicateurs")
    sheet.append(["finess_ej", "code", "valeur_initiale"])
    for n in range(MAX_ROWS + 1):
        sheet.append(["310000123", "CPOM_OS_3", n])
    path = tmp_path / "trop-long.xlsx"
    workbook.save(path)
    _refused(path, "plus de 50000 lignes")


# ---------------------------------------------------------------------------------------------
# JSON and YAML bombs


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 10_000 + "]" * 10_000, id="lists"),
        pytest.param('{"a":' * 10_000 + "1" + "}" * 10_000, id="objects"),
    ],
)
def test_json_nested_10000_deep_is_refused_in_french(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profond.json"
    path.write_text(text, encoding="utf-8")
    _refused(path, "structure JSON trop profonde")
    _cli_refuses(path, capsys, "structure JSON trop profonde")


def test_yaml_nested_10000_deep_is_refused_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profond.yaml"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    _refused(path, "structure YAML trop profonde")
    _cli_refuses(path, capsys, "structure YAML trop profonde")


_BILLION_LAUGHS = (
    "a: &a ["
    + ", ".join(['"lol"'] * 9)
    + "]\n"
    + "".join(
        f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


def test_yaml_billion_laughs_is_refused_with_bounded_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rires.yaml"
    path.write_text(_BILLION_LAUGHS, encoding="utf-8")
    assert len(_BILLION_LAUGHS) < 1_000  # 9**9 (387 million) strings once expanded
    _refused(path, "alias YAML")
    _cli_refuses(path, capsys, "alias YAML")
    assert _peak_rss_bytes() < MAX_PEAK_RSS_BYTES


def test_a_hostile_file_in_a_folder_does_not_stop_the_others(
    tmp_path: Path, kb: KnowledgeBase, rules: RuleSet
) -> None:
    folder = tmp_path / "lot"
    folder.mkdir()
    (folder / "a-bon.json").write_text(json.dumps(_tree()), encoding="utf-8")
    (folder / "b-rires.yaml").write_text(_BILLION_LAUGHS, encoding="utf-8")
    (folder / "c-vide.csv").write_bytes(b"")
    sources = read_drafts(folder)
    assert [source.error is None for source in sources] == [True, False, False]
    result = validate_path(folder, kb=kb, rules=rules)
    assert sorted(result.unreadable) == ["b-rires.yaml", "c-vide.csv"]  # type: ignore[union-attr]
