"""Validation findings and reports as the app shows them, with the guide's words they rest on.

Shared by the selection check, the justification editor, the whole draft and the check of
uploaded drafts. Every text is escaped: it is shown, never run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from assistant import BatchReport, EstablishmentReport
from assistant.ui.escaping import NBSP, esc, plural

if TYPE_CHECKING:
    from assistant import Finding, Report

Titles = Mapping[str, str]
"""Document id -> title, to name where a finding's words come from."""


def finding_html(finding: Finding, titles: Titles | None = None) -> str:
    """One finding: rule, indicator, message, and the guide's words it rests on."""
    about = ""
    if finding.indicator and finding.indicator not in finding.message:
        about = f"<strong>{esc(finding.indicator)}</strong> — "
    return (
        f'<li class="cpom-finding {_kind(finding)}"><span class="cpom-rule">'
        f"{esc(finding.rule)}</span> {about}{esc(finding.message)}{_quote_html(finding, titles)}"
        "</li>"
    )


def findings_html(findings: Iterable[Finding], titles: Titles | None = None) -> str:
    """Errors then warnings, each with the guide's words (quoted once per rule)."""
    findings = list(findings)
    out = []
    for severity, heading in (
        ("erreur", "Erreurs"),
        ("avertissement", "Avertissements"),
        ("information", "Lectures retenues"),
    ):
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


def _kind(finding: Finding) -> str:
    return "cpom-error" if finding.severity == "erreur" else "cpom-warning"


def _grouped_html(findings: Sequence[Finding], titles: Titles | None) -> str:
    """Several findings of one rule resting on the same words: the words are quoted once."""
    first = findings[0]
    messages = "".join(f"<li>{esc(f.message)}</li>" for f in findings)
    return (
        f'<li class="cpom-finding {_kind(first)}"><span class="cpom-rule">{esc(first.rule)}'
        f"</span> {len(findings)} constats :<ul class='cpom-messages'>{messages}</ul>"
        f"{_quote_html(first, titles)}</li>"
    )


def _quote_html(finding: Finding, titles: Titles | None) -> str:
    source = finding.source
    doc = (titles or {}).get(source.doc_id, source.doc_id)
    where = esc(doc) + (f", {esc(source.section)}" if source.section else "")
    return (
        f'<blockquote class="cpom-quote">«{NBSP}{esc(source.quote)}{NBSP}»<cite>{where}</cite>'
        "</blockquote>"
    )


def verdict_html(valid: bool, errors: int, warnings: int) -> str:
    """The verdict line of one draft's report."""
    kind = "cpom-valid" if valid else "cpom-invalid"
    label = "Brouillon conforme aux règles" if valid else "Brouillon non conforme"
    return (
        f'<p class="cpom-verdict {kind}"><strong>{label}</strong> — '
        f"{plural(errors, 'erreur')}, {plural(warnings, 'avertissement')}.</p>"
    )


def report_html(result: Report | BatchReport, titles: Titles | None = None) -> str:
    """A validation report (one establishment or a batch), with the guide's words."""
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
        f"{plural(s.establishments, 'établissement')}</strong> — {s.valid} conforme(s), "
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
            f"{plural(report.errors, 'erreur')}, {plural(report.warnings, 'avertissement')}"
            f"</summary>{body}</details>"
        )
    parts.append("</div>")
    return "".join(parts)


__all__ = ["Titles", "finding_html", "findings_html", "report_html", "verdict_html"]
