"""The HPR annex of the Occitanie guide (hôpitaux de proximité, 2025-2027).

The table repeats the objective before each indicator: ``1_Proposer … *`` then ``1_1 Nombre et
types de consultations spécialisées``. A trailing ``*`` marks the 4 priority objectives.
"""

from __future__ import annotations

import re

from assistant.kb.models import HprIndicator, Quote
from assistant.kb.text import clean

_START = re.compile(r"ANNEXE HOPITAUX DE PROXIMITE")
_TABLE_START = re.compile(r"Objectifs opérationnels\s+Indicateurs de suivi")
_END = re.compile(r"ANNEXE 6\b")
_CELL = re.compile(r"(?<!\w)(?P<obj>\d)_(?:(?P<ind>\d)\b|(?=[^\W\d_]))")
_COLUMNS = re.compile(r"^Cible établissement Valeur initiale Valeur cible(?: 20\d\d)+\s*")
SECTION = "Annexe hôpitaux de proximité"


def parse_hpr(guide_text: str, *, doc_id: str) -> list[HprIndicator]:
    """Read the HPR annex table of the guide.

    Args:
        guide_text: the whole guide document.
        doc_id: the guide's id, for the quotes.

    Returns:
        The indicators in table order (empty if the annex is not found).
    """
    annex = _START.search(guide_text)
    if annex is None:
        return []
    table = _TABLE_START.search(guide_text, annex.end())
    if table is None:
        return []
    end = _END.search(guide_text, table.end())
    text = clean(guide_text[table.end() : end.start() if end else len(guide_text)])
    text = _COLUMNS.sub("", text)
    cells = list(_CELL.finditer(text))
    objectives: dict[int, tuple[str, bool]] = {}
    indicators: list[HprIndicator] = []
    for cell, nxt in zip(cells, [*cells[1:], None], strict=True):
        span = clean(text[cell.start() : nxt.start() if nxt else len(text)])
        body = clean(span[cell.end() - cell.start() :])
        number = int(cell["obj"])
        if cell["ind"] is None:
            objectives[number] = (body.rstrip("* ").strip(), body.endswith("*"))
            continue
        label, starred = objectives.get(number, ("", False))
        indicators.append(
            HprIndicator(
                code=f"HPR_{number}_{cell['ind']}",
                objective_number=number,
                objective=label,
                starred=starred,
                label=body,
                quote=Quote(doc_id=doc_id, text=span, section=SECTION),
            )
        )
    return indicators
