"""Write drafts as JSON, XLSX or CSV (atomically: a half-written file is never left)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.drafts.formulas import neutralise_formula, starts_like_formula
from assistant.drafts.models import Draft
from assistant.drafts.table import COLUMNS, draft_rows

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


def _as_list(drafts: Draft | Sequence[Draft]) -> list[Draft]:
    return [drafts] if isinstance(drafts, Draft) else list(drafts)


def _replace_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def draft_to_json(draft: Draft) -> str:
    """Serialise one draft as indented JSON (absent values are left out)."""
    return (
        json.dumps(draft.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=2)
        + "\n"
    )


def write_json(draft: Draft, path: Path) -> None:
    """Write one draft as a JSON file (UTF-8)."""
    _replace_atomically(path, draft_to_json(draft).encode("utf-8"))


def _text_cell(value: Any) -> Any:
    """A cell value for CSV: booleans as oui/non, dates ISO, numbers with a dot.

    Text a spreadsheet would run as a formula gets a leading apostrophe (see
    `assistant.drafts.formulas`); the CSV reader removes it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise_formula(value)


def write_csv(drafts: Draft | Sequence[Draft], path: Path, *, delimiter: str = ";") -> None:
    """Write drafts as one CSV table (UTF-8 with BOM, ``;`` by default, as French Excel).

    Decimal numbers are written with a dot; the reader accepts a dot or a comma. Text
    starting with ``=``, ``+``, ``-`` or ``@`` is written after an apostrophe, so that a
    spreadsheet never runs it as a formula (numbers such as ``-5`` stay numbers).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for draft in _as_list(drafts):
        for row in draft_rows(draft):
            writer.writerow([_text_cell(row.get(name)) for name in COLUMNS])
    _replace_atomically(path, buffer.getvalue().encode("utf-8-sig"))


def xlsx_value(value: Any) -> Any:
    """A value a workbook can hold: text loses the control characters Excel refuses."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def append_xlsx_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row of values to an openpyxl sheet, every text cell kept as text.

    Formula-like text (starting with ``=``, ``+``, ``-`` or ``@``, see
    `assistant.drafts.formulas`) becomes a string cell with Excel's quote prefix, so it is
    never run as a formula, not even after the user edits the cell; control characters Excel
    refuses are dropped (`xlsx_value`).
    """
    sheet.append([xlsx_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if starts_like_formula(cell.value):
            cell.data_type = "s"  # openpyxl made "=…" a formula: keep it text
            cell.quotePrefix = True


def write_xlsx(drafts: Draft | Sequence[Draft], path: Path) -> None:
    """Write drafts as an Excel workbook: sheet ``indicateurs``, one row per indicator.

    Text cells are always stored as text, never run as formulas (see `append_xlsx_row`).
    """
    import openpyxl  # heavy: imported only when an XLSX file is written

    # A normal (not write-only) workbook records the sheet's dimensions, which spares
    # read-only readers a full scan of the sheet.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "indicateurs"
    sheet.append(list(COLUMNS))
    for draft in _as_list(drafts):
        for row in draft_rows(draft):
            append_xlsx_row(sheet, [row.get(name) for name in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _replace_atomically(path, buffer.getvalue())
