"""Validation reports: findings, one establishment's report, a batch, and their French text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from assistant.rules.catalog import Severity


class Source(BaseModel, frozen=True):
    """The words a finding rests on: document id, section, verbatim quote."""

    doc_id: str
    section: str | None = None
    quote: str


class Finding(BaseModel, frozen=True):
    """One broken rule: which rule, how severe, which indicator, why (French), and the source."""

    rule: str
    severity: Severity
    indicator: str | None = None
    message: str
    source: Source


def _count(findings: Sequence[Finding], severity: Severity) -> int:
    return sum(1 for finding in findings if finding.severity == severity)


class Report(BaseModel):
    """The verdict on one establishment's draft (the ``validate --json`` contract)."""

    valid: bool
    errors: int
    warnings: int
    findings: list[Finding]

    @classmethod
    def from_findings(cls, findings: Sequence[Finding]) -> Report:
        """Build a report: valid when no finding is an error."""
        errors = _count(findings, "erreur")
        return cls(
            valid=errors == 0,
            errors=errors,
            warnings=_count(findings, "avertissement"),
            findings=list(findings),
        )

    def contract(self) -> dict[str, Any]:
        """The JSON contract: ``valid, errors, warnings, findings``."""
        return {
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [finding.model_dump(mode="json") for finding in self.findings],
        }

    def to_json(self) -> str:
        """The report as indented JSON (UTF-8 text, accents kept)."""
        return json.dumps(self.contract(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        """The report as readable French text."""
        return "\n".join(_text_lines(self))


class EstablishmentReport(Report):
    """A report inside a batch: which file and establishment it is about."""

    file: str
    finess_ej: str | None = None
    raison_sociale: str | None = None

    def contract(self) -> dict[str, Any]:
        """The batch item contract: ``file, finess_ej, raison_sociale`` then the report."""
        return {
            "file": self.file,
            "finess_ej": self.finess_ej,
            "raison_sociale": self.raison_sociale,
            **super().contract(),
        }


class BatchSummary(BaseModel):
    """How many establishments were checked, and how many drafts are valid."""

    establishments: int
    valid: int
    invalid: int


class BatchReport(BaseModel):
    """Reports on several establishments (a folder, or a CSV/XLSX holding several FINESS)."""

    summary: BatchSummary
    reports: list[EstablishmentReport] = Field(default_factory=list)
    unreadable: list[str] = Field(
        default_factory=list, description="Files of the folder that could not be read at all."
    )

    @classmethod
    def from_reports(
        cls, reports: Sequence[EstablishmentReport], *, unreadable: Sequence[str] = ()
    ) -> BatchReport:
        """Build a batch report and its summary."""
        valid = sum(1 for report in reports if report.valid)
        return cls(
            summary=BatchSummary(
                establishments=len(reports), valid=valid, invalid=len(reports) - valid
            ),
            reports=list(reports),
            unreadable=list(unreadable),
        )

    @property
    def valid(self) -> bool:
        """True when every draft of the batch is valid."""
        return self.summary.invalid == 0

    def contract(self) -> dict[str, Any]:
        """The JSON contract: ``summary`` and ``reports``."""
        return {
            "summary": self.summary.model_dump(),
            "reports": [report.contract() for report in self.reports],
        }

    def to_json(self) -> str:
        """The batch report as indented JSON."""
        return json.dumps(self.contract(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        """The batch report as readable French text."""
        s = self.summary
        lines = [
            f"Lot de {s.establishments} établissement(s) : {s.valid} brouillon(s) valide(s), "
            f"{s.invalid} non valide(s).",
        ]
        for report in self.reports:
            lines += ["", "=" * 72, *_text_lines(report)]
        return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _text_lines(report: Report) -> list[str]:
    lines: list[str] = []
    if isinstance(report, EstablishmentReport):
        name = report.raison_sociale or "Établissement sans raison sociale"
        finess = f"FINESS {report.finess_ej}" if report.finess_ej else "FINESS inconnu"
        lines.append(f"{name} ({finess}) — fichier {report.file}")
    verdict = "VALIDE" if report.valid else "NON VALIDE"
    lines.append(
        f"Verdict : {verdict} — {_plural(report.errors, 'erreur')}, "
        f"{_plural(report.warnings, 'avertissement')}."
    )
    for severity, heading in (
        ("erreur", "Erreurs"),
        ("avertissement", "Avertissements"),
        ("information", "Lectures retenues"),
    ):
        findings = [f for f in report.findings if f.severity == severity]
        if not findings:
            continue
        lines += ["", f"{heading} :"]
        for finding in findings:
            about = ""
            if finding.indicator and finding.indicator not in finding.message:
                about = f" {finding.indicator} —"
            lines.append(f"  [{finding.rule}]{about} {finding.message}")
            section = f", {finding.source.section}" if finding.source.section else ""
            lines.append(
                f"      Source : {finding.source.doc_id}{section} : « {finding.source.quote} »"
            )
    return lines
