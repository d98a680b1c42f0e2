"""The validator engine: a draft, the knowledge base and a campaign's rules -> a report.

Pure code, no model: the verdict depends on codes, figures and the establishment's profile,
never on what free text (justifications, comments) says. Free text is scanned for placeholders
(an error) and read for what a referent looks for and for copies (warnings only).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Mapping
from typing import Any

from assistant.drafts import Draft, DraftIndicator, DraftSource, DraftView, parse_draft
from assistant.errors import UnknownIndicatorError
from assistant.kb import KnowledgeBase, normalize_code
from assistant.rules.catalog import RuleSet
from assistant.rules.indicators import check_entry, find_placeholder
from assistant.rules.justification import check_duplicates
from assistant.rules.report import Report
from assistant.rules.run import Entry, Run


def _suggest(code: str, known: list[str]) -> str | None:
    candidates = {c: c for c in known} | {c.removeprefix("CPOM_"): c for c in known}
    probe = code.strip().upper().replace(" ", "_")
    close = difflib.get_close_matches(probe, list(candidates), n=1, cutoff=0.6)
    return candidates[close[0]] if close else None


def _known_code(code: str, known: list[str]) -> str | None:
    try:
        return normalize_code(code, known=known)
    except UnknownIndicatorError:
        return None


def resolve(run: Run, annex: str, items: list[DraftIndicator]) -> list[Entry]:
    """Canonical codes of an annex's lines; SEL-UNKNOWN for codes not in that annex."""
    hpr = annex == "hpr"
    own = list(run.kb.hpr if hpr else run.kb.indicators)
    other = list(run.kb.indicators if hpr else run.kb.hpr)
    entries: list[Entry] = []
    for index, item in enumerate(items):
        code = _known_code(item.code, own)
        entries.append(Entry(annex, index, item, code))
        if code is not None:
            continue
        if _known_code(item.code, other) is not None:
            hint = run.variant("SEL-UNKNOWN", "misplaced_strategic" if hpr else "misplaced_hpr")
        elif suggestion := _suggest(item.code, own):
            hint = run.variant("SEL-UNKNOWN", "suggestion", suggestion=suggestion)
        else:
            hint = "."
        run.emit(
            "SEL-UNKNOWN",
            indicator=item.code,
            citation="hpr" if hpr else None,
            code=item.code,
            expected=run.variant("SEL-UNKNOWN", "hpr" if hpr else "strategic"),
            hint=hint,
        )
    return entries


def _duplicates(run: Run, entries: list[Entry], annexe: str) -> None:
    counts = Counter(entry.code for entry in entries if entry.code is not None)
    for code, times in counts.items():
        if times > 1:
            run.emit("SEL-DUPLICATE", indicator=code, times=times, annexe=annexe)


def _schema(run: Run) -> None:
    issues = list(run.view.issues)
    if run.source is not None:
        issues = run.source.issues + issues
    for issue in issues:
        where = run.source.locate(issue.path) if run.source is not None else None
        run.emit(
            "SCHEMA",
            indicator=issue.indicator,
            path=issue.path,
            problem=issue.message,
            where=f" ({where})" if where else "",
        )
    campagne = run.view.campagne
    if campagne is not None and campagne != run.rules.campaign:
        problem = run.variant("SCHEMA", "campaign", given=campagne, expected=run.rules.campaign)
        run.emit("SCHEMA", path="campagne", problem=problem, where="")


def _selection(run: Run, entries: list[Entry]) -> None:
    if any(issue.path in {"indicateurs", "(racine)"} for issue in run.view.issues):
        return  # missing or not a list: SCHEMA said so, counting would only repeat it
    codes = {entry.code for entry in entries if entry.code is not None}
    cooperation = sum(1 for code in codes if run.kb.indicators[code].category == "cooperation")
    others = len(codes) - cooperation
    if run.applies("SEL-MAX") and len(codes) > run.param("SEL-MAX", "max"):
        run.emit("SEL-MAX", count=len(codes))
    if run.applies("SEL-MIN-CT") and cooperation < run.param("SEL-MIN-CT", "min"):
        run.emit("SEL-MIN-CT", count=cooperation)
    if run.applies("SEL-MIN-OS") and others < run.param("SEL-MIN-OS", "min"):
        run.emit("SEL-MIN-OS", count=others)


def _hpr(run: Run, entries: list[Entry]) -> None:
    proximity = run.view.etablissement.hopital_proximite
    lines = len(run.view.indicateurs_hpr)
    if proximity is False and lines:
        run.emit("HPR-NOT-HPR", count=lines)
    if proximity is not True:
        return
    if not lines:
        run.emit("HPR-MISSING")
        return
    codes = {entry.code for entry in entries if entry.code is not None}
    if run.applies("HPR-MAX") and len(codes) > run.param("HPR-MAX", "max"):
        run.emit("HPR-MAX", count=len(codes))
    if run.applies("HPR-STARRED"):
        starred: list[int] = run.param("HPR-STARRED", "objectives")
        covered = {run.kb.hpr[code].objective_number for code in codes}
        objectives = run.kb.hpr_objectives()
        for number in starred:
            if number not in covered:
                label = objectives[number][0] if number in objectives else "?"
                run.emit(
                    "HPR-STARRED",
                    objective=number,
                    label=label,
                    objectives=", ".join(str(n) for n in starred),
                )
    if run.applies("HPR-COUNT") and len(codes) < run.param("HPR-COUNT", "expected"):
        run.emit("HPR-COUNT", count=len(codes))


def _deadline(run: Run) -> None:
    deadline = run.param("CAMPAIGN-DEADLINE", "deadline")
    if deadline is None or run.view.date is None:
        return
    if isinstance(deadline, str):
        deadline = dt.date.fromisoformat(deadline)
    if run.view.date > deadline:
        run.emit(
            "CAMPAIGN-DEADLINE",
            date=run.view.date.strftime("%d/%m/%Y"),
            deadline=deadline.strftime("%d/%m/%Y"),
        )


def validate_draft(
    draft: Draft | DraftView | Mapping[str, Any],
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
    source: DraftSource | None = None,
) -> Report:
    """Check a draft against a campaign's rules.

    Args:
        draft: A draft model, a draft read leniently, or a raw tree (as read from JSON).
        kb: The indicator knowledge base (fiches and HPR annex).
        rules: The campaign's rules.
        source: Where the draft was read from (row numbers and reader issues), if from a file.

    Returns:
        The report: valid when no finding is an error. Schema problems are SCHEMA findings,
        never exceptions.
    """
    view = draft if isinstance(draft, DraftView) else parse_draft(draft)
    run = Run(view, kb=kb, rules=rules, source=source)
    _schema(run)
    strategic = resolve(run, "strategique", view.indicateurs)
    hpr = resolve(run, "hpr", view.indicateurs_hpr)
    _duplicates(run, strategic, "l'annexe stratégique")
    _duplicates(run, hpr, "l'annexe HPR")
    _selection(run, strategic)
    for entry in strategic:
        check_entry(run, entry)
    _hpr(run, hpr)
    if view.etablissement.hopital_proximite is not False:
        for entry in hpr:
            check_entry(run, entry)
    check_duplicates(
        run, strategic + (hpr if view.etablissement.hopital_proximite is not False else [])
    )
    _placeholder_in_name(run)
    _deadline(run)
    return Report.from_findings(run.findings)


def _placeholder_in_name(run: Run) -> None:
    match = find_placeholder(run, run.view.etablissement.raison_sociale)
    if match:
        run.emit("JUST-PLACEHOLDER", field="la raison sociale de l'établissement", match=match)
