"""HTML views for the app. Every user or document text is escaped: it is shown, never run.

The fragments contain no blank line and no indented line, so that the chat's Markdown renderer
passes them through as one HTML block.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.index.build import Manifest
    from assistant.rules import BatchReport, Finding, Report

_MARKER = re.compile(r"\[(\d{1,2})\]")
STATUS_LABELS = {"current": "en vigueur", "historical": "historique"}


NBSP = "\u00a0"
_FRENCH_SPACES = (
    (" :", NBSP + ":"),
    (" ;", NBSP + ";"),
    (" ?", NBSP + "?"),
    (" !", NBSP + "!"),
    ("« ", "«" + NBSP),
    (" »", NBSP + "»"),
)


def esc(text: object) -> str:
    """Escape any value for HTML (None is empty), with French non-breaking spaces.

    A line never starts with « : », « ; », « ? », « ! » or a closing guillemet.
    """
    if text is None:
        return ""
    out = html.escape(str(text), quote=True)
    for plain, tied in _FRENCH_SPACES:
        out = out.replace(plain, tied)
    return out


def _paragraphs(text: str) -> str:
    """Escaped text, blank lines as paragraphs, line breaks kept."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join(f"<p>{esc(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def _with_markers(text: str) -> str:
    """Escaped text whose ``[n]`` markers point to the sources below."""
    body = _paragraphs(text)
    return _MARKER.sub(r'<sup class="cpom-ref">[\1]</sup>', body)


def french_number(value: float) -> str:
    """``12,5`` (no trailing zeros)."""
    return f"{value:g}".replace(".", ",")


def question_html(question: str) -> str:
    """The user's question as shown in the chat (inert)."""
    return f'<div class="cpom-question">{esc(question).replace(chr(10), "<br>")}</div>'


def _where(period: str, section: str, page: int | None) -> str:
    parts = [f"période {esc(period)}"] if period else []
    if section:
        parts.append(f"section «{NBSP}{esc(section)}{NBSP}»")
    if page:
        parts.append(f"page {page}")
    return " — ".join(parts)


def source_details(
    n: int,
    *,
    title: str,
    period: str,
    section: str,
    page: int | None,
    status: str,
    quote: str,
    doc_id: str,
) -> str:
    """One numbered source: a summary line, and the passage when expanded."""
    page_label = f", p. {page}" if page else ""
    historical = (
        '<span class="cpom-badge cpom-historical">document historique</span>'
        if status == "historical"
        else ""
    )
    return (
        f'<details class="cpom-source"><summary>[{n}] {esc(title)}{esc(page_label)}'
        f"{historical}</summary>"
        f'<p class="cpom-meta">{_where(period, section, page)}'
        f" <code>{esc(doc_id)}</code></p>"
        f"<blockquote>{esc(quote)}</blockquote></details>"
    )


def answer_html(answer: Any) -> str:
    """An ``Answer``: its text with markers, then its numbered sources; a refusal looks apart."""
    sources = "".join(
        source_details(
            c.n,
            title=c.title,
            period=c.period,
            section=c.section,
            page=c.page,
            status=c.status,
            quote=c.quote,
            doc_id=c.doc_id,
        )
        for c in answer.citations
    )
    notice = f'<p class="cpom-notice">Note : {esc(answer.notice)}</p>' if answer.notice else ""
    if not answer.supported:
        closest = (
            f'<p class="cpom-sources-title">Passages les plus proches :</p>{sources}'
            if sources
            else ""
        )
        return (
            '<div class="cpom-answer cpom-refusal">'
            '<p class="cpom-refusal-label">Hors des guides</p>'
            f"{_paragraphs(answer.answer)}{notice}{closest}</div>"
        )
    mode = "réponse rédigée par le modèle" if answer.mode == "llm" else "extraits des guides"
    title = f'<p class="cpom-sources-title">Sources ({esc(mode)}) :</p>' if sources else ""
    return f'<div class="cpom-answer">{_with_markers(answer.answer)}{notice}{title}{sources}</div>'


def preview_html(text: str) -> str:
    """A generated answer while it is being written (checked before it is shown as final)."""
    return (
        f'<div class="cpom-answer cpom-preview">{_paragraphs(text)}'
        '<p class="cpom-notice">Réponse en cours de rédaction ; elle sera vérifiée contre les '
        "passages cités.</p></div>"
    )


def finding_html(finding: Finding, titles: Mapping[str, str] | None = None) -> str:
    """One finding: rule, indicator, message, and the guide's words it rests on."""
    about = ""
    if finding.indicator and finding.indicator not in finding.message:
        about = f"<strong>{esc(finding.indicator)}</strong> — "
    kind = "cpom-error" if finding.severity == "erreur" else "cpom-warning"
    return (
        f'<li class="cpom-finding {kind}"><span class="cpom-rule">{esc(finding.rule)}</span> '
        f"{about}{esc(finding.message)}{_quote_html(finding, titles)}</li>"
    )


def findings_html(findings: Iterable[Finding], titles: Mapping[str, str] | None = None) -> str:
    """Errors then warnings, each with the guide's words (quoted once per rule)."""
    findings = list(findings)
    out = []
    for severity, heading in (("erreur", "Erreurs"), ("avertissement", "Avertissements")):
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        by_rule: dict[tuple[str, str, str | None, str], list[Finding]] = {}
        for f in group:
            key = (f.rule, f.source.doc_id, f.source.section, f.source.quote)
            by_rule.setdefault(key, []).append(f)
        items = "".join(
            finding_html(same[0], titles) if len(same) == 1 else _grouped_html(same, titles)
            for same in by_rule.values()
        )
        out.append(f"<h4>{heading} ({len(group)})</h4><ul class='cpom-findings'>{items}</ul>")
    return "".join(out)


def _grouped_html(findings: Sequence[Finding], titles: Mapping[str, str] | None) -> str:
    """Several findings of one rule resting on the same words: the words are quoted once."""
    first = findings[0]
    kind = "cpom-error" if first.severity == "erreur" else "cpom-warning"
    messages = "".join(f"<li>{esc(f.message)}</li>" for f in findings)
    return (
        f'<li class="cpom-finding {kind}"><span class="cpom-rule">{esc(first.rule)}</span> '
        f"{len(findings)} constats :<ul class='cpom-messages'>{messages}</ul>"
        f"{_quote_html(first, titles)}</li>"
    )


def _quote_html(finding: Finding, titles: Mapping[str, str] | None) -> str:
    source = finding.source
    doc = (titles or {}).get(source.doc_id, source.doc_id)
    where = esc(doc) + (f", {esc(source.section)}" if source.section else "")
    return (
        f'<blockquote class="cpom-quote">«{NBSP}{esc(source.quote)}{NBSP}»<cite>{where}</cite>'
        "</blockquote>"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def verdict_html(valid: bool, errors: int, warnings: int) -> str:
    """The verdict banner."""
    kind = "cpom-valid" if valid else "cpom-invalid"
    label = "Brouillon conforme aux règles" if valid else "Brouillon non conforme"
    return (
        f'<p class="cpom-verdict {kind}"><strong>{label}</strong> — '
        f"{_plural(errors, 'erreur')}, {_plural(warnings, 'avertissement')}.</p>"
    )


def report_html(result: Report | BatchReport, titles: Mapping[str, str] | None = None) -> str:
    """A validation report (one establishment or a batch), with the guide's words."""
    from assistant.rules import BatchReport, EstablishmentReport

    if not isinstance(result, BatchReport):
        body = findings_html(result.findings, titles) or "<p>Aucun constat.</p>"
        return (
            '<div class="cpom-report">'
            f"{verdict_html(result.valid, result.errors, result.warnings)}{body}</div>"
        )
    s = result.summary
    parts = [
        f'<div class="cpom-report"><p class="cpom-verdict '
        f'{"cpom-valid" if result.valid else "cpom-invalid"}"><strong>Lot de '
        f"{_plural(s.establishments, 'établissement')}</strong> — {s.valid} conforme(s), "
        f"{s.invalid} non conforme(s).</p>"
    ]
    for report in result.reports:
        assert isinstance(report, EstablishmentReport)
        name = report.raison_sociale or "Établissement sans raison sociale"
        finess = f"FINESS {report.finess_ej}" if report.finess_ej else "FINESS inconnu"
        state = "conforme" if report.valid else "non conforme"
        opened = "" if report.valid else " open"
        body = findings_html(report.findings, titles) or "<p>Aucun constat.</p>"
        parts.append(
            f'<details class="cpom-establishment"{opened}><summary><strong>{esc(name)}</strong> '
            f"({esc(finess)}, fichier {esc(report.file)}) — {state}, "
            f"{_plural(report.errors, 'erreur')}, {_plural(report.warnings, 'avertissement')}"
            f"</summary>{body}</details>"
        )
    parts.append("</div>")
    return "".join(parts)


def selection_check_html(
    counts: Mapping[str, int],
    limits: Mapping[str, int | None],
    report: Report | None,
    *,
    problem: str | None = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """The live rule check of a selection: counts, then errors and warnings."""
    ct, os_, hpr = counts.get("CT", 0), counts.get("OS", 0), counts.get("HPR", 0)
    total = ct + os_ + counts.get("?", 0)
    maximum = limits.get("max")
    cells = [
        (
            "Coopérations (CT)",
            f"{ct}",
            f"au moins {limits['min_ct']}" if limits.get("min_ct") else "",
        ),
        (
            "Autres objectifs (OS)",
            f"{os_}",
            f"au moins {limits['min_os']}" if limits.get("min_os") else "",
        ),
        ("Annexe stratégique", f"{total}", f"au plus {maximum}" if maximum else ""),
        ("Annexe HPR", f"{hpr}", ""),
    ]
    counters = "".join(
        f'<div class="cpom-counter"><span class="cpom-count">{esc(value)}</span>'
        f"<span>{esc(label)}</span><small>{esc(rule)}</small></div>"
        for label, value, rule in cells
    )
    if problem:
        verdict = f'<p class="cpom-verdict cpom-pending">{esc(problem)}</p>'
        body = ""
    elif report is None:
        verdict, body = "", ""
    else:
        if report.valid:
            verdict = (
                f'<p class="cpom-verdict cpom-valid"><strong>Sélection conforme aux règles de '
                f"sélection</strong> — {_plural(report.warnings, 'avertissement')}.</p>"
            )
        else:
            verdict = (
                f'<p class="cpom-verdict cpom-invalid"><strong>Sélection non conforme'
                f"</strong> — {_plural(report.errors, 'erreur')}, "
                f"{_plural(report.warnings, 'avertissement')}.</p>"
            )
        body = findings_html(report.findings, titles)
    return (
        f'<div class="cpom-check"><div class="cpom-counters">{counters}</div>{verdict}{body}</div>'
    )


def draft_notes_html(draft: Any, titles: Mapping[str, str] | None = None) -> str:
    """What the drafter says about one indicator: rules by year, to complete, warnings, sources."""
    out = []
    if draft.portee:
        out.append(f"<p><strong>Ligne de la fiche appliquée :</strong> {esc(draft.portee)}</p>")
    if draft.regles:
        items = "".join(f"<li>{esc(y)} : {esc(r)}</li>" for y, r in draft.regles.items())
        out.append(f"<p><strong>Règle de la fiche par année :</strong></p><ul>{items}</ul>")
    if draft.lecture:
        out.append(f"<p><em>Lecture retenue : {esc(draft.lecture)}</em></p>")
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


def draft_overview_html(lines: Sequence[Any], years: Sequence[str]) -> str:
    """The whole draft at a glance: one row per indicator, what is filled and what is not."""
    if not lines:
        return (
            "<p>Aucun indicateur retenu : commencez par l'onglet « Choisir mes indicateurs ».</p>"
        )
    head = "".join(f"<th>{esc(y)}</th>" for y in ("Indicateur", "2024", *years, "Justification"))
    rows = []
    for line in lines:
        cells = [line.valeur_initiale, *(line.cibles.get(y) for y in years)]
        shown = "".join(f"<td>{esc('—' if v in (None, '') else v)}</td>" for v in cells)
        written = "rédigée" if (line.justification or "").strip() else "à rédiger"
        rows.append(f"<tr><th>{esc(line.code)}</th>{shown}<td>{esc(written)}</td></tr>")
    return (
        '<table class="cpom-table cpom-overview"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def index_status_html(manifest: Manifest | None, status: str, *, building: bool = False) -> str:
    """When the index was built, how many passages, which embedder, and whether it is hybrid."""
    if manifest is None:
        return f'<p class="cpom-verdict cpom-pending">Aucun index construit. {esc(status)}</p>'
    date, _, time = manifest.built_at.partition("T")
    year, month, day = [*date.split("-"), "", "", ""][:3]
    if manifest.dense_ready:
        dense = "prête (recherche hybride : lexicale et sémantique)"
    elif building:
        dense = "en cours de construction (recherche lexicale seulement en attendant)"
    else:
        dense = "non construite (recherche lexicale seulement) : « Mettre à jour l'index »"
    errors = "".join(f"<li>{esc(e)}</li>" for e in manifest.errors)
    rows = [
        ("Construit le", f"{day}/{month}/{year} à {time[:5]}"),
        ("Documents", str(len(manifest.documents))),
        ("Passages indexés", str(manifest.chunks)),
        ("Modèle d'embeddings", manifest.embedder_id or manifest.embedding_model),
        ("Recherche sémantique", dense),
    ]
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<table class="cpom-table cpom-status">{table}</table>'
        + (f"<p>Fichiers ignorés :</p><ul>{errors}</ul>" if errors else "")
        + f'<p class="cpom-meta">{esc(status)}</p>'
    )


__all__ = [
    "NBSP",
    "STATUS_LABELS",
    "answer_html",
    "draft_notes_html",
    "draft_overview_html",
    "esc",
    "finding_html",
    "findings_html",
    "french_number",
    "index_status_html",
    "preview_html",
    "question_html",
    "report_html",
    "selection_check_html",
    "source_details",
    "verdict_html",
]
