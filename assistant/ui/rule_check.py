"""The live check of a selection against the campaign's selection rules, as the app shows it.

Counts (a table), a verdict (a Markdown banner) and the findings with the guide's words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from assistant import InvalidInputError
from assistant import check_selection as check_against_rules
from assistant.ui.escaping import md, plural
from assistant.ui.findings import findings_html
from assistant.ui.workspace import Dossier, profile_of, split_annexes

if TYPE_CHECKING:
    from assistant import Report
    from assistant.ui.service import AppContext

COUNT_HEADERS: tuple[str, ...] = ("Annexe", "Retenus", "Règle du guide")
Verdict = Literal["valid", "invalid", "pending", "none"]


@dataclass(frozen=True)
class SelectionCheck:
    """The rule check of a selection, ready to show."""

    counts: list[list[str]]
    """Rows of the counts table: annex, how many are selected, the guide's bound."""
    verdict: str
    """The banner (Markdown): conforme, non conforme, or what is missing to check."""
    kind: Verdict
    findings: str
    """Errors then warnings with the guide's words (HTML, escaped)."""

    @property
    def banner_classes(self) -> list[str]:
        """The banner's CSS classes (its colour)."""
        return ["cpom-verdict", f"cpom-{self.kind}"] if self.kind != "none" else []


def selection_counts(dossier: Dossier) -> dict[str, int]:
    """How many CT, OS, HPR and unknown codes the selection holds."""
    counts = Counter(line.categorie or "?" for line in dossier.lignes)
    return {key: counts.get(key, 0) for key in ("CT", "OS", "HPR", "?")}


def _limits(ctx: AppContext) -> dict[str, int | None]:
    rules = ctx.rules()

    def param(rule_id: str, name: str) -> int | None:
        rule = rules.get(rule_id)
        value = rule.params.get(name) if rule is not None else None
        return int(value) if isinstance(value, int | float) else None

    return {
        "max": param("SEL-MAX", "max"),
        "min_ct": param("SEL-MIN-CT", "min"),
        "min_os": param("SEL-MIN-OS", "min"),
    }


def count_rows(counts: dict[str, int], limits: dict[str, int | None]) -> list[list[str]]:
    """The counts table: CT, OS, the strategic annex as a whole, the HPR annex."""
    ct, os_, hpr = counts.get("CT", 0), counts.get("OS", 0), counts.get("HPR", 0)
    total = ct + os_ + counts.get("?", 0)
    min_ct, min_os, maximum = limits.get("min_ct"), limits.get("min_os"), limits.get("max")
    return [
        ["Coopérations (CT)", str(ct), f"au moins {min_ct}" if min_ct else ""],
        ["Autres objectifs (OS)", str(os_), f"au moins {min_os}" if min_os else ""],
        ["Annexe stratégique", str(total), f"au plus {maximum}" if maximum else ""],
        ["Annexe HPR", str(hpr), ""],
    ]


def _verdict(report: Report) -> str:
    if report.valid:
        return (
            "**Sélection conforme aux règles de sélection** — "
            f"{plural(report.warnings, 'avertissement')}."
        )
    return (
        f"**Sélection non conforme** — {plural(report.errors, 'erreur')}, "
        f"{plural(report.warnings, 'avertissement')}."
    )


def check_selection(ctx: AppContext, dossier: Dossier) -> SelectionCheck:
    """The live rule check of the selection: counts CT/OS/HPR, errors and warnings."""
    counts = count_rows(selection_counts(dossier), _limits(ctx))
    if not dossier.lignes:
        return SelectionCheck(counts, "Aucun indicateur retenu pour l'instant.", "pending", "")
    try:
        profile = profile_of(dossier.profil)
    except InvalidInputError as exc:
        problem = f"Complétez le profil pour vérifier la sélection. {exc.message}"
        return SelectionCheck(counts, md(problem), "pending", "")
    kb = ctx.kb()
    strategic, hpr = split_annexes(dossier.lignes, kb)
    report = check_against_rules(
        profile,
        [line.code for line in strategic],
        [line.code for line in hpr],
        kb=kb,
        rules=ctx.rules(),
    )
    kind: Verdict = "valid" if report.valid else "invalid"
    return SelectionCheck(
        counts, _verdict(report), kind, findings_html(report.findings, ctx.titles())
    )


__all__ = [
    "COUNT_HEADERS",
    "SelectionCheck",
    "check_selection",
    "count_rows",
    "selection_counts",
]
