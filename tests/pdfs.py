"""Real PDF files for tests, written with reportlab and its bundled Vera font (œ, ’, €)."""

from __future__ import annotations

import os
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

_FONT = "Vera"


def _register_font() -> None:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        path = os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")
        pdfmetrics.registerFont(TTFont(_FONT, path))


def write_pdf(
    path: Path,
    pages: list[list[str]],
    *,
    header: str | None = None,
    footer: str | None = None,
    encrypt: str | None = None,
) -> Path:
    """Write one PDF page per list of lines, with an optional running header and footer."""
    _register_font()
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    width, height = A4
    for number, lines in enumerate(pages, start=1):
        pdf.setFont(_FONT, 11)
        if header:
            pdf.drawString(60, height - 40, header)
        y = height - 80
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 16
        if footer:
            pdf.drawString(60, 40, footer)
            pdf.drawString(width - 80, 40, str(number))
        pdf.showPage()
    pdf.save()
    return path
