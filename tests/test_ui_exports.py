"""Workbooks the app hands out keep every text as text: a formula is never run by a spreadsheet."""

from __future__ import annotations

import io

import openpyxl
import pytest

from assistant import Finding, Report, Source
from assistant.ui.exports import report_workbook

HOSTILE = ['=HYPERLINK("http://example.invalid","clic")', "+1+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_stays_text_in_the_report_workbook(text: str) -> None:
    finding = Finding(
        rule="SCHEMA",
        severity="erreur",
        message=text,
        source=Source(doc_id="guide", section="1.4", quote=text),
    )
    data = report_workbook([(text, text, "340000000", Report.from_findings([finding]))])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row if c.value == text]
    assert cells, "the text is written as it was given"
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)
