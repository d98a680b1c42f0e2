"""What the drafter says about one indicator: the fiche's line and rules, what to complete.

Shown under the editor of « Rédiger une justification »; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from assistant import show_value
from assistant.ui.escaping import esc

if TYPE_CHECKING:
    from assistant import IndicatorDraft


def draft_notes_html(draft: IndicatorDraft, titles: Mapping[str, str] | None = None) -> str:
    """What the drafter says about one indicator: rules by year, to complete, warnings, sources."""
    out = []
    if draft.portee:
        out.append(f"<p><strong>Ligne de la fiche appliquée :</strong> {esc(draft.portee)}</p>")
    if draft.regles:
        items = "".join(f"<li>{esc(y)} : {esc(r)}</li>" for y, r in draft.regles.items())
        out.append(f"<p><strong>Règle de la fiche par année :</strong></p><ul>{items}</ul>")
    if draft.lecture:
        out.append(f"<p><em>Lecture retenue : {esc(draft.lecture)}</em></p>")
    if draft.trajectoire_autre_lecture:
        other = "en points" if draft.lecture_hausse == "relative" else "en % de la valeur"
        items = "".join(
            f"<li>{esc(y)} : {esc(show_value(v, draft.unite))}</li>"
            for y, v in draft.trajectoire_autre_lecture.items()
            if v is not None
        )
        out.append(
            f"<p><strong>Autre lecture de la hausse ({esc(other)}) :</strong> choisissez-la "
            f"au-dessus de l'éditeur puis rédigez à nouveau pour l'appliquer.</p><ul>{items}</ul>"
        )
    if draft.risques:
        items = "".join(f"<li>{esc(t)}</li>" for t in draft.risques)
        out.append(f"<p><strong>Risques et parades :</strong></p><ul>{items}</ul>")
    if draft.a_completer:
        items = "".join(f"<li>{esc(t)}</li>" for t in draft.a_completer)
        out.append(f"<p><strong>À compléter par l'établissement :</strong></p><ul>{items}</ul>")
    if draft.avertissements:
        items = "".join(f"<li>{esc(t)}</li>" for t in draft.avertissements)
        out.append(f'<div class="cpom-notice"><strong>Attention :</strong><ul>{items}</ul></div>')
    if draft.sources:
        items = "".join(
            f"<li>« {esc(s.quote)} » <cite>{esc((titles or {}).get(s.doc_id, s.doc_id))}"
            f"{', ' + esc(s.section) if s.section else ''}</cite></li>"
            for s in draft.sources
        )
        out.append(
            '<details class="cpom-source"><summary>Sources de la rédaction</summary>'
            f"<ul>{items}</ul></details>"
        )
    return "".join(out)


__all__ = ["draft_notes_html"]
