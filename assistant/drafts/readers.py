"""Read draft files: JSON, YAML, CSV, XLSX, or a folder of them (a batch).

Readers never modify the input. A file that cannot be read at all (empty, binary, badly
encoded, malformed, too large) raises ``InvalidInputError`` with a French message naming the
file; a readable file that does not follow the schema is not an error here (the rules engine
reports it as SCHEMA findings).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from assistant.drafts.models import DraftSource
from assistant.drafts.table import column_name, rows_to_sources
from assistant.errors import InvalidInputError

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest draft file read (10 Mo)."""
MAX_FOLDER_FILES = 200
"""Most draft files read from one folder."""
MAX_ROWS = 50_000
"""Most data rows read from one CSV or XLSX file."""
MAX_YAML_ALIASES = 50
"""Most YAML aliases accepted (guards against "billion laughs" documents)."""
MAX_XLSX_UNZIPPED_BYTES = 200 * 1024 * 1024
"""Largest uncompressed content of an XLSX file (guards against zip bombs)."""
MAX_HEADER_ROWS = 5
"""Filled rows searched for the header row (title rows may stand above it)."""
MAX_COLUMNS = 64
"""Columns read from a CSV or XLSX row (the draft schema has 21)."""

SUFFIXES: dict[str, str] = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    ".xlsx": "xlsx",
}
_FORMATS = "JSON (.json), YAML (.yaml, .yml), CSV (.csv) ou Excel (.xlsx)"


def _error(path: Path, problem: str, *, hint: str | None = None) -> InvalidInputError:
    return InvalidInputError(f"Le fichier {path.name!r} est illisible : {problem}.", hint=hint)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InvalidInputError(f"Le fichier {str(path)!r} est introuvable.")
    if not path.is_file():
        raise InvalidInputError(f"{str(path)!r} n'est ni un fichier ni un dossier lisible.")
    size = path.stat().st_size
    if size == 0:
        raise _error(path, "il est vide (0 octet)")
    if size > MAX_FILE_BYTES:
        raise _error(
            path,
            f"il pèse {size / 1_048_576:.1f} Mo, au-delà de la limite de "
            f"{MAX_FILE_BYTES // 1_048_576} Mo",
            hint="Découpez le fichier ou placez les brouillons dans un dossier.",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _error(path, f"lecture impossible ({exc.strerror})") from exc


def _utf8(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise _error(path, "c'est un fichier binaire, pas un texte JSON ou YAML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(
            path,
            f"il n'est pas encodé en UTF-8 (octet invalide en position {exc.start})",
            hint="Enregistrez le fichier en UTF-8.",
        ) from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _read_json(path: Path, data: bytes) -> list[DraftSource]:
    text = _utf8(path, data)
    try:
        tree = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _error(path, f"JSON mal formé à la ligne {exc.lineno}, colonne {exc.colno}") from exc
    except ValueError as exc:
        raise _error(path, f"valeur {exc} non autorisée en JSON") from exc
    except RecursionError as exc:
        raise _error(path, "structure JSON trop profonde") from exc
    return [DraftSource(file=path.name, data=tree)]


class _GuardedLoader(yaml.SafeLoader):
    """A safe loader that refuses documents with too many aliases (alias bombs)."""

    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"plus de {MAX_YAML_ALIASES} alias YAML")
        return super().compose_node(parent, index)


def _read_yaml(path: Path, data: bytes) -> list[DraftSource]:
    text = _utf8(path, data)
    loader = _GuardedLoader(text)
    try:
        tree = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        where = f" à la ligne {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise _error(path, f"YAML mal formé{where}") from exc
    except yaml.YAMLError as exc:
        raise _error(path, f"YAML refusé ({exc})") from exc
    except RecursionError as exc:
        raise _error(path, "structure YAML trop profonde") from exc
    finally:
        loader.dispose()
    return [DraftSource(file=path.name, data=tree)]


def _decode_csv(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise _error(path, "c'est un fichier binaire, pas un CSV")
    # Spreadsheets export UTF-8 (often with a BOM) or Windows-1252; Latin-1 reads anything.
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _limited(
    path: Path, rows: Iterator[tuple[int, Sequence[Any]]]
) -> Iterator[tuple[int, Sequence[Any]]]:
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise _error(
                path,
                f"il compte plus de {MAX_ROWS} lignes",
                hint="Découpez-le en plusieurs fichiers dans un dossier.",
            )
        yield row


def _table(
    path: Path, rows: Iterator[tuple[int, Sequence[Any]]], *, typed: bool
) -> list[DraftSource]:
    # The header is the first row naming a 'code' column, so that a title row (often merged
    # over the whole width) above it is skipped; only the first few filled rows are searched.
    header: Sequence[Any] | None = None
    filled = 0
    for _line, cells in rows:
        if any(cell not in (None, "") for cell in cells):
            filled += 1
            if "code" in {column_name(cell) for cell in cells}:
                header = cells
                break
            if filled == MAX_HEADER_ROWS:
                break
    if filled == 0:
        raise _error(path, "il ne contient aucune ligne")
    if header is None:
        raise _error(
            path,
            "la colonne 'code' (code de l'indicateur) est absente de la ligne d'en-tête",
            hint=f"La ligne d'en-tête (l'une des {MAX_HEADER_ROWS} premières lignes remplies) "
            "doit nommer les colonnes : annexe, campagne, date, "
            "raison_sociale, finess_ej, statut, categorie, lits, membre_ght, "
            "hopital_proximite, activites, code, valeur_initiale, cible_2025 … cible_2029, "
            "justification, commentaire, deja_engage (oui/non, facultatif).",
        )
    sources = rows_to_sources(path.name, header, _limited(path, rows), typed=typed)
    if not sources:
        raise _error(path, "il ne contient aucune ligne de données sous l'en-tête")
    return sources


def _read_csv(path: Path, data: bytes) -> list[DraftSource]:
    text = _decode_csv(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            for row in reader:
                yield reader.line_num, row[:MAX_COLUMNS]
        except csv.Error as exc:
            raise _error(path, f"CSV mal formé à la ligne {reader.line_num} ({exc})") from exc

    return _table(path, rows(), typed=False)


def _read_xlsx(path: Path, data: bytes) -> list[DraftSource]:
    import openpyxl  # heavy: imported only when an XLSX file is read

    if not data.startswith(b"PK\x03\x04"):
        raise _error(path, "ce n'est pas un classeur Excel .xlsx valide")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > MAX_XLSX_UNZIPPED_BYTES:
            raise _error(path, "son contenu décompressé est trop volumineux")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except InvalidInputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
        raise _error(path, "ce n'est pas un classeur Excel .xlsx valide") from exc
    try:
        by_name = {name.strip().lower(): name for name in workbook.sheetnames}
        sheet = workbook[by_name.get("indicateurs", workbook.sheetnames[0])]

        def rows() -> Iterator[tuple[int, Sequence[Any]]]:
            try:
                yield from enumerate(
                    sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
                )
            except Exception as exc:
                raise _error(path, "une feuille du classeur est corrompue") from exc

        return _table(path, rows(), typed=True)
    finally:
        workbook.close()


_READERS = {"json": _read_json, "yaml": _read_yaml, "csv": _read_csv, "xlsx": _read_xlsx}


def read_draft_file(path: Path) -> list[DraftSource]:
    """Read one draft file (a CSV or XLSX file may hold several establishments).

    Raises:
        InvalidInputError: The file is missing, empty, too large, of an unknown format,
            binary, badly encoded or malformed.
    """
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InvalidInputError(
            f"Format de fichier non pris en charge : {path.name!r}.",
            hint=f"Formats acceptés : {_FORMATS}.",
        )
    data = _read_bytes(path)
    return _READERS[kind](path, data)


def _draft_files(folder: Path) -> list[Path]:
    files = sorted(
        entry
        for entry in folder.iterdir()
        if entry.is_file()
        and entry.suffix.lower() in SUFFIXES
        and not entry.name.startswith((".", "~$"))
    )
    if not files:
        raise InvalidInputError(
            f"Le dossier {folder.name!r} ne contient aucun brouillon.",
            hint=f"Formats acceptés : {_FORMATS}.",
        )
    if len(files) > MAX_FOLDER_FILES:
        raise InvalidInputError(
            f"Le dossier {folder.name!r} contient {len(files)} brouillons, au-delà de la "
            f"limite de {MAX_FOLDER_FILES}.",
            hint="Répartissez-les en plusieurs dossiers.",
        )
    return files


def read_drafts(path: Path) -> list[DraftSource]:
    """Read a draft file or a folder of draft files.

    In a folder, a file that cannot be read becomes a source with ``error`` set, so that
    the others are still checked.

    Args:
        path: A .json, .yaml, .yml, .csv or .xlsx file, or a folder of them.

    Returns:
        One source per establishment found.

    Raises:
        InvalidInputError: The file (or the folder itself) cannot be read.
    """
    if not path.is_dir():
        return read_draft_file(path)
    sources: list[DraftSource] = []
    for file in _draft_files(path):
        try:
            sources.extend(read_draft_file(file))
        except InvalidInputError as exc:
            sources.append(DraftSource(file=file.name, error=exc.message))
    return sources
