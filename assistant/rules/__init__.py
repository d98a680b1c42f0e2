"""Selection rules: the campaign's rules file (data), the validator engine (code), reports.

``validate_path`` reads a draft file or a folder and returns a ``Report`` (one
establishment) or a ``BatchReport`` (a folder, or a CSV/XLSX holding several FINESS);
``main_validate`` is what ``python -m assistant validate`` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from assistant.config import Settings, get_settings
from assistant.drafts import DraftSource, parse_draft, read_drafts
from assistant.kb import KnowledgeBase, load_kb
from assistant.rules.catalog import RULE_IDS, Rule, RuleCitation, RuleSet, Severity, load_rules
from assistant.rules.engine import validate_draft
from assistant.rules.report import (
    BatchReport,
    BatchSummary,
    EstablishmentReport,
    Finding,
    Report,
    Source,
)
from assistant.rules.run import source_of

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def _unreadable(source: DraftSource, rules: RuleSet) -> EstablishmentReport:
    """A batch item for a file of a folder that could not be read at all."""
    rule = rules.get("SCHEMA")
    findings = []
    if rule is not None:
        findings.append(
            Finding(
                rule=rule.id,
                severity=rule.severity,
                message=rule.render("unreadable", problem=source.error),
                source=source_of(rule.citation),
            )
        )
    report = Report.from_findings(findings).model_dump()
    return EstablishmentReport(file=source.file, **{**report, "valid": False})


def _establishment_report(
    source: DraftSource, *, kb: KnowledgeBase, rules: RuleSet
) -> EstablishmentReport:
    if source.error is not None:
        return _unreadable(source, rules)
    view = parse_draft(source.data)
    report = validate_draft(view, kb=kb, rules=rules, source=source)
    return EstablishmentReport(
        file=source.file,
        finess_ej=view.etablissement.finess_ej or _raw_establishment_field(source, "finess_ej"),
        raison_sociale=view.etablissement.raison_sociale,
        **report.model_dump(),
    )


def _raw_establishment_field(source: DraftSource, name: str) -> str | None:
    """The field as written, even when invalid (a batch item should still say which FINESS)."""
    data = source.data
    if isinstance(data, dict) and isinstance(data.get("etablissement"), dict):
        value = data["etablissement"].get(name)
        return None if value is None else str(value)
    return None


def validate_path(path: Path, *, kb: KnowledgeBase, rules: RuleSet) -> Report | BatchReport:
    """Validate a draft file or a folder of drafts.

    Args:
        path: A .json, .yaml, .yml, .csv or .xlsx file, or a folder of them.
        kb: The indicator knowledge base.
        rules: The campaign's rules.

    Returns:
        A ``Report`` for a file holding one establishment; a ``BatchReport`` for a folder or
        a CSV/XLSX file holding several establishments (distinct ``finess_ej``).

    Raises:
        InvalidInputError: The file (or folder) cannot be read at all.
    """
    sources = read_drafts(path)
    if not path.is_dir() and len(sources) == 1:
        return validate_draft(parse_draft(sources[0].data), kb=kb, rules=rules, source=sources[0])
    reports = [_establishment_report(source, kb=kb, rules=rules) for source in sources]
    unreadable = [source.file for source in sources if source.error is not None]
    return BatchReport.from_reports(reports, unreadable=unreadable)


def exit_code(result: Report | BatchReport) -> int:
    """0 when every draft is valid, 1 when one is not, 2 when a file of a folder is unreadable."""
    if isinstance(result, BatchReport) and result.unreadable:
        return EXIT_UNREADABLE
    return EXIT_VALID if result.valid else EXIT_INVALID


def main_validate(
    path: Path,
    *,
    as_json: bool,
    out: TextIO,
    kb: KnowledgeBase | None = None,
    rules: RuleSet | None = None,
    settings: Settings | None = None,
) -> int:
    """Run ``validate FILE_OR_FOLDER [--json]``: print the report and return the exit code.

    Args:
        path: The draft file or folder.
        as_json: Print the JSON contract instead of the French text report.
        out: Where to print (stdout for the CLI).
        kb: The knowledge base (default: loaded from ``settings``).
        rules: The campaign's rules (default: ``settings.rules_file``).
        settings: Where the corpus and the rules file are (default: the process settings).

    Returns:
        0 when every draft is valid, 1 when one is not, 2 when a file of a folder could not
        be read.

    Raises:
        InvalidInputError: The file or folder cannot be read (exit code 2 in the CLI).
    """
    if kb is None or rules is None:
        settings = settings or get_settings()
        kb = kb or load_kb(settings.corpus_dir)
        rules = rules or load_rules(settings.rules_file)
    result = validate_path(path, kb=kb, rules=rules)
    out.write((result.to_json() if as_json else result.to_text()) + "\n")
    return exit_code(result)


__all__ = [
    "EXIT_INVALID",
    "EXIT_UNREADABLE",
    "EXIT_VALID",
    "RULE_IDS",
    "BatchReport",
    "BatchSummary",
    "EstablishmentReport",
    "Finding",
    "Report",
    "Rule",
    "RuleCitation",
    "RuleSet",
    "Severity",
    "Source",
    "exit_code",
    "load_rules",
    "main_validate",
    "validate_draft",
    "validate_path",
]
