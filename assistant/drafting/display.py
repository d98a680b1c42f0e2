"""A draft as readable French text (the ``draft`` command without ``--json``)."""

from __future__ import annotations

import textwrap

from assistant.drafting.models import IndicatorDraft
from assistant.drafting.trajectory import show
from assistant.kb.growth import DEFAULT_LECTURE, LECTURE_LABELS, Lecture
from assistant.propose.display import format_findings, format_source, keep_quotes

WIDTH = 100


def _para(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(
        keep_quotes(text),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def _bullets(items: list[str], *, numbered: bool = False) -> list[str]:
    lines: list[str] = []
    for n, entry in enumerate(items, 1):
        mark = f"{n}. " if numbered else "- "
        lines += textwrap.wrap(
            keep_quotes(entry),
            WIDTH,
            initial_indent="  " + mark,
            subsequent_indent="  " + " " * len(mark),
            break_long_words=False,
            break_on_hyphens=False,
        )
    return lines


def format_draft(draft: IndicatorDraft) -> str:
    """The whole draft as French text."""
    annex = "annexe stratégique" if draft.annexe == "strategique" else "annexe HPR"
    mode = "assisté par un modèle de langage" if draft.mode == "llm" else "hors ligne"
    lines = textwrap.wrap(
        f"Brouillon — {draft.code} : {draft.libelle}", WIDTH, subsequent_indent="  "
    )
    lines += [f"({annex}, rédaction {mode})", ""]
    lines += [f"Note : {note}" for note in draft.notes]
    lines += ["CONTEXTE", *_para(draft.contexte), ""]
    lines += ["DIAGNOSTIC INITIAL (2024)", *_para(draft.diagnostic_initial), ""]
    lines += ["ACTIONS", *_bullets(draft.actions, numbered=True), ""]
    unit = draft.unite
    lines.append("TRAJECTOIRE (cibles calculées d'après la règle de la fiche)")
    baseline = (
        "[à compléter]" if draft.valeur_initiale is None else show(draft.valeur_initiale, unit)
    )
    lines.append(f"  2024 (valeur initiale) : {baseline}")
    for year, value in draft.trajectoire.items():
        shown = "[à compléter]" if value is None else show(value, unit)
        rule = draft.regles.get(year)
        lines.append(f"  {year} : {shown}" + (f"   (fiche : {rule})" if rule else ""))
    if draft.portee:
        why = " (votre profil vous déclare déjà engagé : deja_engages)" if draft.deja_engage else ""
        lines += _para(f"Ligne de la fiche appliquée : « {draft.portee} »{why}.")
    if draft.lecture:
        lines += _para(f"Lecture retenue : {draft.lecture}")
    if draft.lecture_hausse and draft.trajectoire_autre_lecture:
        lines += _para(
            f"La hausse de la fiche se lit de deux façons ; trajectoire ci-dessus : "
            f"{LECTURE_LABELS[draft.lecture_hausse]}"
            + (
                " (par défaut : sens littéral de « % »)."
                if draft.lecture_hausse == DEFAULT_LECTURE
                else "."
            )
        )
        other: Lecture = "points" if draft.lecture_hausse == "relative" else "relative"
        shown = " ; ".join(
            f"{year} : {'[à compléter]' if value is None else show(value, unit)}"
            for year, value in draft.trajectoire_autre_lecture.items()
        )
        lines += _para(f"Autre lecture — {LECTURE_LABELS[other]} : {shown}.")
        lines += _para(
            "Choisissez la lecture avec --lecture relative|points ; le validateur accepte les deux."
        )
    lines += ["", "SUIVI", *_para(draft.suivi), ""]
    lines += ["PARTENAIRES", *_para(draft.partenaires), ""]
    if draft.moyens:
        lines += ["MOYENS", *_para(draft.moyens), ""]
    if draft.risques:
        lines += ["RISQUES ET PARADES", *_bullets(draft.risques), ""]
    if draft.preuves:
        lines += ["ÉLÉMENTS DE PREUVE POUR L'ÉVALUATION", *_bullets(draft.preuves), ""]
    if draft.a_completer:
        lines += ["À COMPLÉTER PAR L'ÉTABLISSEMENT", *_bullets(draft.a_completer), ""]
    if draft.avertissements:
        lines += ["ATTENTION", *_bullets(draft.avertissements), ""]
    if draft.sources:
        lines += ["SOURCES", *_bullets([format_source(s) for s in draft.sources]), ""]
    lines += format_findings(draft.findings)
    return "\n".join(lines)


__all__ = ["format_draft"]
