"""The proposal as readable French text (the ``propose`` command without ``--json``)."""

from __future__ import annotations

import textwrap

from assistant.propose.models import Proposal, ProposedIndicator
from assistant.rules import Finding, Source

WIDTH = 100
_CATEGORIES = {
    "cooperation": "coopération / mutualisation",
    "autre": "autre champ",
    "hpr": "annexe HPR",
}


NBSP = "\u00a0"


def keep_quotes(text: str) -> str:
    """Non-breaking spaces inside « » and before « : » (French typography for wrapped text)."""
    return text.replace("« ", "«" + NBSP).replace(" »", NBSP + "»").replace(" :", NBSP + ":")


def _wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        keep_quotes(text),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=hanging or indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def format_source(source: Source) -> str:
    """« doc, section : « quote » »."""
    where = f"{source.doc_id}, {source.section}" if source.section else source.doc_id
    return f"{where} : « {source.quote} »"


def _item(entry: ProposedIndicator) -> list[str]:
    lines = _wrap(
        f"{entry.rang}. {entry.code} — {entry.libelle} [{_CATEGORIES[entry.categorie]}]",
        "",
        "     ",
    )
    if entry.detail_score:
        lines += _wrap(entry.detail_score, "   ")
    if entry.raisons:
        lines.append("   Pourquoi :")
        for reason in entry.raisons:
            lines += _wrap(f"- {reason}", "     ", "       ")
    if entry.avertissements:
        lines.append("   Attention :")
        for warning in entry.avertissements:
            lines += _wrap(f"- {warning}", "     ", "       ")
    if entry.sources:
        lines.append("   Sources :")
        for source in entry.sources:
            lines += _wrap(f"- {format_source(source)}", "     ", "       ")
    return lines


def format_findings(findings: list[Finding]) -> list[str]:
    """The validator's findings on a selection or a draft, in French."""
    errors = sum(1 for f in findings if f.severity == "erreur")
    warnings = sum(1 for f in findings if f.severity == "avertissement")
    notes = len(findings) - errors - warnings
    head = "Contrôle du validateur : "
    head += f"{errors} erreur(s)" if errors else "aucune erreur"
    head += f", {warnings} avertissement(s)" if warnings else ", aucun avertissement"
    head += f", {notes} information(s)." if notes else "."
    lines = [head]
    for finding in findings:
        lines += _wrap(f"- [{finding.rule}] {finding.message}", "  ", "    ")
    return lines


def format_proposal(proposal: Proposal) -> str:
    """The whole proposal as French text."""
    lines = [f"Proposition d'indicateurs — {proposal.etablissement}"]
    if proposal.priorites:
        lines += _wrap(f"Priorités déclarées : « {proposal.priorites} »", "")
    mode = "assistée par un modèle de langage" if proposal.mode == "llm" else "hors ligne"
    lines.append(f"Mode : {mode}.")
    lines += [f"Note : {note}" for note in proposal.notes]
    if proposal.priorites_non_couvertes:
        lines += ["", "PRIORITÉS QU'AUCUN INDICATEUR NE COUVRE"]
        for uncovered in proposal.priorites_non_couvertes:
            lines += _wrap(f"- {uncovered.message}", "  ", "    ")
    if proposal.avertissements:
        lines += ["", "ATTENTION"]
        for warning in proposal.avertissements:
            lines += _wrap(f"- {warning}", "  ", "    ")
    cooperation = sum(1 for i in proposal.indicateurs if i.categorie == "cooperation")
    lines += [
        "",
        f"ANNEXE STRATÉGIQUE : {len(proposal.indicateurs)} indicateurs ({cooperation} de "
        f"coopération / mutualisation, {len(proposal.indicateurs) - cooperation} d'autres champs)",
        "",
    ]
    for entry in proposal.indicateurs:
        lines += [*_item(entry), ""]
    if proposal.indicateurs_hpr:
        lines += [f"ANNEXE HÔPITAUX DE PROXIMITÉ : {len(proposal.indicateurs_hpr)} indicateurs", ""]
        for entry in proposal.indicateurs_hpr:
            lines += [*_item(entry), ""]
    if proposal.alternatives:
        lines.append("ALTERNATIVES (indicateurs que vous pourriez leur substituer)")
        for category, label in _CATEGORIES.items():
            pool = [a for a in proposal.alternatives if a.categorie == category]
            if pool:
                lines.append(f"  {label.capitalize()} :")
                for alt in pool:
                    warn = " (avec avertissement)" if alt.avertissements else ""
                    score = f"{alt.score:g}".replace(".", ",")
                    lines += _wrap(
                        f"- {alt.code} — {alt.libelle} (score {score}){warn}", "    ", "      "
                    )
        lines.append("")
    if proposal.exclus:
        lines.append("INDICATEURS ÉCARTÉS POUR CE PROFIL")
        for excluded in proposal.exclus:
            lines += _wrap(f"- {excluded.code} : {excluded.motif}", "  ", "    ")
            if excluded.source:
                lines += _wrap(f"Source : {format_source(excluded.source)}", "      ", "      ")
        lines.append("")
    lines += format_findings(proposal.findings)
    return "\n".join(lines)


__all__ = ["NBSP", "format_findings", "format_proposal", "format_source", "keep_quotes"]
