"""Annexe 5 of the Occitanie guide: the strategic annex table.

Each indicator appears as three coded cells: ``CT_01 Engagement n°4- …`` (the PRS engagement),
``CT_01_1 …`` (the operational objective) and ``CT_01_1_1 …`` (the indicator), in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.kb.models import Engagement
from assistant.kb.text import clean

_START = re.compile(r"ANNEXE ORIENTATION STRATEGIQUE\s*[–-]\s*ENGAGEMENTS DU PRS")
_END = re.compile(r"ANNEXE HOPITAUX DE PROXIMITE")
_TABLE_HEADER = re.compile(
    r"Engagements Objectifs opérationnels Indicateurs(?: 20\d\d)+", re.IGNORECASE
)
_CELL = re.compile(r"\b(?P<cat>CT|OS)_(?P<num>\d\d)(?:_(?P<obj>\d))?(?:_(?P<ind>\d))?\b")
_ENGAGEMENT = re.compile(r"^Engagement n°\s*(?P<n>\d+)\s*-\s*(?P<label>.+)$")


@dataclass(frozen=True)
class AnnexRow:
    """One indicator of the annexe 5 table."""

    code: str
    short_code: str
    engagement: Engagement
    operational_objective: str
    label: str


def parse_annex(guide_text: str) -> dict[str, AnnexRow]:
    """Read the annexe 5 table of the guide, keyed by canonical code (``CPOM_CT_1``).

    Args:
        guide_text: the whole guide document.

    Returns:
        One row per indicator code found in the table (empty if the table is not found).
    """
    start = _START.search(guide_text)
    if start is None:
        return {}
    end = _END.search(guide_text, start.end())
    text = clean(guide_text[start.end() : end.start() if end else len(guide_text)])
    text = _TABLE_HEADER.sub(" ", text)
    cells = list(_CELL.finditer(text))
    engagements: dict[str, Engagement] = {}
    objectives: dict[str, str] = {}
    rows: dict[str, AnnexRow] = {}
    for cell, nxt in zip(cells, [*cells[1:], None], strict=True):
        body = clean(text[cell.end() : nxt.start() if nxt else len(text)])
        key = f"{cell['cat']}_{cell['num']}"
        if cell["obj"] is None:
            if engagement := _ENGAGEMENT.match(body):
                engagements[key] = Engagement(
                    number=int(engagement["n"]), label=engagement["label"].strip()
                )
        elif cell["ind"] is None:
            objectives[key] = body
        elif key in engagements:
            code = f"CPOM_{cell['cat']}_{int(cell['num'])}"
            rows[code] = AnnexRow(
                code=code,
                short_code=cell.group(0),
                engagement=engagements[key],
                operational_objective=objectives.get(key, ""),
                label=body,
            )
    return rows
