"""A dossier of the store as a reviewer reads it: its version, findings, changes and comments.

HTML fragments for the « Dossiers à examiner » tab. Every text of the dossier is escaped: it
is shown, never run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from assistant import HPR_YEARS, TARGET_YEARS, AssistantError, Report
from assistant.store import STATUS_LABELS
from assistant.ui.dossier_sync import WORKSPACE_KEY
from assistant.ui.escaping import NBSP, esc, french_number
from assistant.ui.findings import Titles, report_html
from assistant.ui.identity import ROLE_LABELS
from assistant.ui.moments import moment

if TYPE_CHECKING:
    from assistant import KnowledgeBase
    from assistant.store import CommentInfo, DossierDetail, VersionDiff

WHOLE_DOSSIER = "Dossier entier"
"""The comment target that is no single indicator."""
ESTABLISHMENT_FIELDS: dict[str, str] = {
    "raison_sociale": "Raison sociale",
    "finess_ej": "FINESS EJ",
    "statut": "Statut juridique",
    "categorie": "Catégorie",
    "lits": "Lits",
    "membre_ght": "Membre d'un GHT",
    "hopital_proximite": "Hôpital de proximité",
    "activites": "Activités",
}
"""The establishment's fields, in the order shown, with their French names."""
INDICATOR_FIELDS: dict[str, str] = {
    "valeur_initiale": "Valeur initiale (2024)",
    "justification": "Justification",
    "commentaire": "Commentaire de l'établissement",
    "deja_engage": "Déjà engagé",
}
_ANNEXES = (("indicateurs", "Annexe stratégique"), ("indicateurs_hpr", "Annexe HPR"))
_INDICATOR_PATH = re.compile(r"^(indicateurs(?:_hpr)?)\[([^\]]+)\](?:\.(.+))?$")
_STATUS_CLASSES = {
    "brouillon": "cpom-meta",
    "soumis": "cpom-pending",
    "a_corriger": "cpom-invalid",
    "valide": "cpom-valid",
}


def shown(value: Any) -> str:
    """A draft value in words: « — » when absent, oui/non, lists joined, French decimals."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return french_number(value)
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) or "—"
    if isinstance(value, Mapping):
        return " ; ".join(f"{k} : {shown(v)}" for k, v in value.items()) or "—"
    return str(value)


def header_html(detail: DossierDetail) -> str:
    """Who, which status and version, last changed when and by whom."""
    name = detail.raison_sociale or "Établissement sans raison sociale"
    status = STATUS_LABELS.get(detail.statut, detail.statut)
    kind = _STATUS_CLASSES.get(detail.statut, "cpom-meta")
    return (
        f"<h3>{esc(name)} — FINESS {esc(detail.finess_ej)}</h3>"
        f'<p class="cpom-verdict {kind}"><strong>Statut{NBSP}: {esc(status)}</strong> — version '
        f"{detail.version}, modifiée le {moment(detail.modifie_le)} par "
        f"{esc(detail.modifie_par)} (département {esc(detail.departement)}).</p>"
    )


def _items(content: Mapping[str, Any], annex: str) -> list[dict[str, Any]]:
    items = content.get(annex)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _label(kb: KnowledgeBase | None, code: str) -> str:
    if kb is None:
        return ""
    try:
        return kb.get(code).label
    except (AssistantError, KeyError):
        return ""


def content_html(content: Mapping[str, Any], kb: KnowledgeBase | None = None) -> str:
    """The version read-only: the establishment, then each indicator and its targets."""
    establishment = content.get("etablissement")
    fields = establishment if isinstance(establishment, Mapping) else {}
    rows = "".join(
        f"<tr><th>{esc(label)}</th><td>{esc(shown(fields.get(key)))}</td></tr>"
        for key, label in ESTABLISHMENT_FIELDS.items()
    )
    parts = [f'<table class="cpom-table"><tbody>{rows}</tbody></table>']
    for annex, title in _ANNEXES:
        years = TARGET_YEARS if annex == "indicateurs" else tuple(str(y) for y in HPR_YEARS)
        items = _items(content, annex)
        if not items and annex == "indicateurs_hpr":
            continue
        parts.append(f"<h4>{title} ({len(items)} indicateur{'s' if len(items) > 1 else ''})</h4>")
        if not items:
            parts.append("<p>Aucun indicateur.</p>")
            continue
        head = "".join(
            f"<th>{esc(h)}</th>" for h in ("Indicateur", "Valeur 2024", *years, "Justification")
        )
        body = "".join(_indicator_row(item, years, kb) for item in items)
        parts.append(
            f'<table class="cpom-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        )
    return "".join(parts)


def _indicator_row(item: Mapping[str, Any], years: Iterable[str], kb: KnowledgeBase | None) -> str:
    code = str(item.get("code") or "")
    label = _label(kb, code)
    targets = item.get("cibles")
    targets = targets if isinstance(targets, Mapping) else {}
    cells = [shown(item.get("valeur_initiale")), *(shown(targets.get(y)) for y in years)]
    name = f"<strong>{esc(code)}</strong>" + (f"<br>{esc(label)}" if label else "")
    return (
        f"<tr><td>{name}</td>{''.join(f'<td>{esc(c)}</td>' for c in cells)}"
        f"<td>{esc(shown(item.get('justification')))}</td></tr>"
    )


def stored_report_html(rapport: Mapping[str, Any], titles: Titles | None = None) -> str:
    """The validator's report stored with a version, with the guide's words."""
    try:
        report = Report.model_validate(dict(rapport))
    except ValueError:
        return "<p>Le rapport de cette version est illisible ; enregistrez-la de nouveau.</p>"
    return report_html(report, titles)


def _what(field_path: str) -> str:
    """« cibles.2029 » -> « Cible 2029 », « lits » -> « Lits »."""
    head, _, rest = field_path.partition(".")
    if head == "cibles" and rest:
        return f"Cible {rest}"
    return INDICATOR_FIELDS.get(field_path) or ESTABLISHMENT_FIELDS.get(field_path) or field_path


def _change_html(what: str, before: Any, after: Any) -> str:
    if isinstance(before, str) and isinstance(after, str) and len(before) + len(after) > 80:
        return (
            f"<li>{esc(what)}{NBSP}:<br>avant{NBSP}: «{NBSP}{esc(before)}{NBSP}»<br>"
            f"après{NBSP}: «{NBSP}{esc(after)}{NBSP}»</li>"
        )
    return f"<li>{esc(what)}{NBSP}: {esc(shown(before))} → {esc(shown(after))}</li>"


def changes_html(diff: VersionDiff | None, kb: KnowledgeBase | None = None) -> str:
    """What changed since the version last sent back, indicator by indicator."""
    if diff is None:
        return "<p>Ce dossier n'a jamais été renvoyé pour correction.</p>"
    # the page's own copy of its work (reasons, notes) repeats the draft: the draft is judged
    changes = [c for c in diff.changements if not c.chemin.startswith(WORKSPACE_KEY)]
    if not changes:
        return f"<p>Aucune modification depuis la version {diff.de}, renvoyée pour correction.</p>"
    groups: dict[str, list[str]] = {}
    for change in changes:
        found = _INDICATOR_PATH.match(change.chemin)
        if found:
            code, sub = found.group(2), found.group(3)
            label = _label(kb, code)
            group = f"{code} — {label}" if label else code
            if sub is None:
                added = change.avant is None
                line = (
                    "<li>Indicateur ajouté au dossier</li>"
                    if added
                    else ("<li>Indicateur retiré du dossier</li>")
                )
            else:
                line = _change_html(_what(sub), change.avant, change.apres)
        else:
            head, _, sub = change.chemin.partition(".")
            group = "Établissement" if head == "etablissement" else "Dossier"
            line = _change_html(_what(sub or head), change.avant, change.apres)
        groups.setdefault(group, []).append(line)
    body = "".join(f"<h4>{esc(g)}</h4><ul>{''.join(lines)}</ul>" for g, lines in groups.items())
    return (
        f"<p>De la version {diff.de}, renvoyée pour correction, à la version {diff.a}{NBSP}: "
        f"{len(changes)} modification{'s' if len(changes) > 1 else ''}.</p>"
        f"{body}"
    )


def comments_html(comments: Iterable[CommentInfo]) -> str:
    """The comments so far, oldest first: on what, who, when, on which version."""
    items = []
    for c in comments:
        about = c.indicateur or WHOLE_DOSSIER
        role = ROLE_LABELS.get(c.role, c.role)
        text = esc(c.texte).replace("\n", "<br>")
        items.append(
            f'<li class="cpom-finding"><strong>{esc(about)}</strong> — {esc(c.auteur)} '
            f"({esc(role)}), le {moment(c.cree_le)}, version {c.version}<br>{text}</li>"
        )
    if not items:
        return "<p>Aucun commentaire pour l'instant.</p>"
    return f'<ul class="cpom-findings">{"".join(items)}</ul>'


def indicator_choices(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a comment may be about: the whole dossier, or one of its indicators."""
    codes = [
        str(item["code"])
        for annex, _ in _ANNEXES
        for item in _items(content, annex)
        if str(item.get("code") or "").strip()
    ]
    return [(WHOLE_DOSSIER, ""), *((code, code) for code in dict.fromkeys(codes))]


__all__ = [
    "ESTABLISHMENT_FIELDS",
    "INDICATOR_FIELDS",
    "WHOLE_DOSSIER",
    "changes_html",
    "comments_html",
    "content_html",
    "header_html",
    "indicator_choices",
    "shown",
    "stored_report_html",
]
