"""``users``: accounts for the shared mode (add, list, disable, API token), as administrator."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TextIO

from assistant.config import Settings
from assistant.errors import InvalidInputError

HELP = "gérer les comptes (ajouter, lister, désactiver, créer un jeton d'accès)"


def register(parser: argparse.ArgumentParser) -> None:
    """Declare the sub-commands and their arguments."""
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="ajouter un compte (mot de passe lu sur l'entrée standard)")
    add.add_argument("email", help="adresse électronique (identifiant de connexion)")
    add.add_argument("--role", required=True, choices=("etablissement", "referent", "admin"))
    add.add_argument(
        "--finess", nargs="+", default=[], metavar="N", help="FINESS EJ d'un établissement"
    )
    scope = add.add_mutually_exclusive_group()
    scope.add_argument("--departements", default="", help="départements d'un référent : 31,34")
    scope.add_argument("--region", action="store_true", help="référent de toute la région")
    listing = sub.add_parser("list", help="lister les comptes")
    listing.add_argument("--json", action="store_true", help="sortie JSON")
    disable = sub.add_parser("disable", help="désactiver un compte")
    disable.add_argument("email")
    token = sub.add_parser("token", help="créer un jeton d'accès pour l'API (affiché une fois)")
    token.add_argument("email")


def read_password(stdin: TextIO) -> str:
    """The new account's password: typed twice at a terminal, else the first line of stdin.

    Raises:
        InvalidInputError: Nothing on stdin, or the two typed passwords differ.
    """
    if stdin.isatty():
        first = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Mot de passe (encore) : ") != first:
            raise InvalidInputError("Les deux mots de passe saisis diffèrent.")
        return first
    line = stdin.readline().rstrip("\r\n")
    if not line:
        raise InvalidInputError(
            "Aucun mot de passe sur l'entrée standard.",
            hint="echo 'mot de passe' | python -m assistant users add … (ou lancez la "
            "commande dans un terminal pour le saisir).",
        )
    return line


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Run one ``users`` action as the local administrator."""
    # the store (SQLAlchemy, argon2) is loaded here, so that `--help` stays fast
    from assistant.store import (
        LOCAL_ADMIN,
        add_user,
        create_token,
        disable_user,
        list_users,
        store_from_settings,
    )
    from assistant.store.access import scope_text

    store = store_from_settings(settings)
    try:
        if args.action == "add":
            departements = [d for d in args.departements.split(",") if d.strip()]
            account = add_user(
                store,
                LOCAL_ADMIN,
                args.email,
                role=args.role,
                password=read_password(sys.stdin),
                finess=args.finess,
                departements=departements,
                region=args.region,
            )
            scope = scope_text(account.finess, account.departements, account.region)
            print(f"Compte créé : {account.email} ({account.role} ; {scope}).", file=out)
        elif args.action == "list":
            accounts = list_users(store, LOCAL_ADMIN)
            if args.json:
                data = [account.model_dump(mode="json") for account in accounts]
                print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
            else:
                for a in accounts:
                    state = "actif" if a.actif else "désactivé"
                    scope = scope_text(a.finess, a.departements, a.region)
                    print(f"{a.email}\t{a.role}\t{scope}\t{state}", file=out)
                print(f"{len(accounts)} compte(s).", file=out)
        elif args.action == "disable":
            account = disable_user(store, LOCAL_ADMIN, args.email)
            print(f"Compte désactivé : {account.email}.", file=out)
        else:
            token = create_token(store, LOCAL_ADMIN, args.email)
            print(
                f"Jeton d'accès n° {token.id} créé pour {args.email.strip().lower()}. Il ne sera "
                "plus affiché : conservez-le (en-tête Authorization: Bearer …).",
                file=out,
            )
            print(token.token, file=out)
        return 0
    finally:
        store.close()
