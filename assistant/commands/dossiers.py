"""``dossiers``: list, show, import and export the establishments' dossiers, as administrator."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, get_args

# `assistant.store` loads SQLAlchemy and the rules engine on first use of a name, not here:
# `python -m assistant --help` stays fast.
import assistant.store as service
from assistant.config import Settings
from assistant.errors import InvalidInputError
from assistant.store.models import LOCAL_ADMIN, STATUS_LABELS, Status

if TYPE_CHECKING:
    from assistant.store import Store

HELP = "dossiers des établissements : lister, afficher, importer, exporter"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the sub-commands and their arguments."""
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="lister les dossiers")
    listing.add_argument("--json", action="store_true", help="sortie JSON")
    listing.add_argument("--statut", choices=get_args(Status), help="un seul statut")
    listing.add_argument("--departement", help="un seul département (31, 2A…)")
    show = sub.add_parser("show", help="afficher la version courante d'un dossier")
    show.add_argument("finess")
    show.add_argument("--json", action="store_true", help="sortie JSON")
    load = sub.add_parser("import", help="importer des brouillons (fichier ou dossier)")
    load.add_argument("path", type=Path, help="fichier .json .yaml .csv .xlsx, ou dossier")
    export = sub.add_parser("export", help="exporter la version courante d'un dossier")
    export.add_argument("finess")
    export.add_argument("--format", required=True, choices=("xlsx", "json"), dest="fmt")
    export.add_argument("-o", "--output", required=True, type=Path, help="fichier à écrire")


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Run one ``dossiers`` action as the local administrator."""
    store = service.store_from_settings(settings)
    try:
        if args.action == "list":
            return _list(store, args, out)
        if args.action == "show":
            return _show(store, args.finess, as_json=args.json, out=out)
        if args.action == "import":
            return _import(store, args.path, out)
        return _export(store, args.finess, args.fmt, args.output, out)
    finally:
        store.close()


def _list(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    dossiers = service.list_dossiers(
        store, LOCAL_ADMIN, statut=args.statut, departement=args.departement
    )
    if args.json:
        data = [d.model_dump(mode="json") for d in dossiers]
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return 0
    for d in dossiers:
        print(
            f"{d.finess_ej}\t{d.raison_sociale or '—'}\t{STATUS_LABELS[d.statut]}\t"
            f"v{d.version}\t{d.erreurs} erreur(s), {d.avertissements} avertissement(s)\t"
            f"{d.modifie_le:%d/%m/%Y %H:%M} par {d.modifie_par}",
            file=out,
        )
    print(f"{len(dossiers)} dossier(s).", file=out)
    return 0


def _show(store: Store, finess: str, *, as_json: bool, out: TextIO) -> int:
    from assistant.rules.report import Report

    detail = service.get_dossier(store, LOCAL_ADMIN, finess)
    comments = service.list_comments(store, LOCAL_ADMIN, finess)
    if as_json:
        data = detail.model_dump(mode="json") | {
            "commentaires": [c.model_dump(mode="json") for c in comments]
        }
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return 0
    print(
        f"Dossier FINESS {detail.finess_ej} — {detail.raison_sociale or '—'} (campagne "
        f"{detail.campagne})\nStatut : {STATUS_LABELS[detail.statut]} — version "
        f"{detail.version}, enregistrée le {detail.modifie_le:%d/%m/%Y à %H:%M} UTC par "
        f"{detail.modifie_par}.",
        file=out,
    )
    print(Report.model_validate(detail.rapport).to_text(), file=out)
    for c in comments:
        where = f" sur {c.indicateur}" if c.indicateur else ""
        print(f"\nCommentaire de {c.auteur} ({c.role}, version {c.version}){where} :", file=out)
        print(f"  {c.texte}", file=out)
    return 0


def _import(store: Store, path: Path, out: TextIO) -> int:
    """Report each draft; exit 0 all saved, 1 one refused by a rule, 2 one unreadable."""
    items = service.import_drafts(store, LOCAL_ADMIN, path)
    for item in items:
        if item.refus is not None:
            print(f"{item.fichier} : refusé — {item.refus}", file=out)
        else:
            print(
                f"{item.fichier} : FINESS {item.finess_ej} — version {item.version} enregistrée "
                f"({item.erreurs} erreur(s), {item.avertissements} avertissement(s))",
                file=out,
            )
    saved = sum(1 for item in items if item.refus is None)
    print(f"{saved} brouillon(s) importé(s) sur {len(items)}.", file=out)
    return max((item.code for item in items), default=0)


def _export(store: Store, finess: str, fmt: str, output: Path, out: TextIO) -> int:
    # the workbook writer (openpyxl, the Annexe 5 layout) is loaded only for an export
    from pydantic import ValidationError

    from assistant.drafts import Draft
    from assistant.ui.exports import annex_workbook, write_bytes

    detail = service.export_dossier(store, LOCAL_ADMIN, finess, fmt=fmt)
    if fmt == "json":
        data = json.dumps(detail.brouillon, ensure_ascii=False, indent=2) + "\n"
        written = write_bytes(output.parent, output.name, data.encode("utf-8"))
    else:
        try:
            draft = Draft.model_validate(detail.brouillon)
        except ValidationError as error:
            raise InvalidInputError(
                f"La version {detail.version} du dossier FINESS {detail.finess_ej} ne suit pas "
                "le format des brouillons : elle ne peut pas être mise en forme dans la trame "
                "Excel.",
                hint="Exportez-la en JSON (--format json), ou voyez les constats avec "
                "« dossiers show ».",
            ) from error
        written = write_bytes(output.parent, output.name, annex_workbook(draft, store.checker.kb))
    print(
        f"Dossier FINESS {detail.finess_ej} (version {detail.version}) exporté : {written}",
        file=out,
    )
    return 0
