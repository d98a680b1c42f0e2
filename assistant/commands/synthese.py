"""``synthese``: the regional figures of the dossiers, as administrator (text or JSON)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from assistant.config import Settings
from assistant.store.models import LOCAL_ADMIN, STATUS_LABELS

if TYPE_CHECKING:
    from assistant.store.synthesis import Synthesis

HELP = "synthèse régionale des dossiers : statuts, départements, indicateurs, règles, échéance"

TOP_SHOWN = 10
"""How many indicators and rules the text lists."""


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments."""
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument("--departement", help="un seul département (31, 2A…)")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the figures of every dossier (or of one département) as the local administrator."""
    # SQLAlchemy and the rules engine are loaded only when the command runs
    import assistant.store as service
    from assistant.store.access import normalize_departement
    from assistant.store.synthesis import compute_synthesis

    departement = normalize_departement(args.departement) if args.departement else None
    store = service.store_from_settings(settings)
    try:
        synthesis = compute_synthesis(store, LOCAL_ADMIN, departement=departement)
    finally:
        store.close()
    if args.json:
        print(synthesis.model_dump_json(indent=2), file=out)
    else:
        print(to_text(synthesis), file=out)
    return 0


def to_text(s: Synthesis) -> str:
    """The figures as readable French text."""
    where = f"département {s.departement}" if s.departement else "tous départements visibles"
    lines = [f"Synthèse des dossiers — campagne {s.campagne} ({where})", ""]
    statuses = ", ".join(f"{n} {STATUS_LABELS[k]}" for k, n in s.par_statut.items())
    lines.append(f"{s.dossiers} dossier(s) : {statuses}.")
    deps = ", ".join(f"{d} : {n}" for d, n in s.par_departement.items()) or "aucun"
    lines.append(f"Par département : {deps}.")
    lines += ["", "Indicateurs les plus choisis :"]
    chosen = sorted(
        ((c, n) for c, n in (s.par_indicateur | s.par_indicateur_hpr).items() if n),
        key=lambda item: -item[1],
    )
    lines += [f"  {code} : {n} dossier(s)" for code, n in chosen[:TOP_SHOWN]] or ["  aucun"]
    lines += ["", "Règles le plus souvent enfreintes :"]
    for rule in s.regles[:TOP_SHOWN]:
        severity = f" ({rule.gravite})" if rule.gravite else ""
        lines.append(f"  {rule.regle}{severity} : {rule.dossiers} dossier(s)")
        if rule.texte_du_guide:
            lines.append(f"    « {rule.texte_du_guide} »")
    if not s.regles:
        lines.append("  aucune")
    lines += ["", f"Dossiers non déposés (brouillon ou à corriger) : {len(s.non_deposes)}"]
    lines += [f"  {finess}" for finess in s.non_deposes]
    if s.echeance is not None and s.jours_avant_echeance is not None:
        date = s.echeance.strftime("%d/%m/%Y")
        days = s.jours_avant_echeance
        left = (
            f"{days} jour(s) restant(s)" if days >= 0 else f"date dépassée depuis {-days} jour(s)"
        )
        lines += ["", f"Échéance e-CARS : {date} — {left}."]
    for item in s.cibles_2029:
        lines += ["", f"Cibles 2029 de {item.code} ({item.dossiers} dossier(s)) :"]
        for t in item.cibles:
            fiche = f" (fiche : {t.fiche})" if t.fiche else " (fiche : pas de cible applicable)"
            lines.append(f"  {t.finess_ej} : {t.cible if t.cible is not None else '—'}{fiche}")
    return "\n".join(lines)
