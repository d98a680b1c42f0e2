"""The serving modes: ``local`` (one user, loopback only, no login) and ``shared`` (accounts).

In local mode the app and its API act as `LOCAL_USER`, with every right on this computer's
dossiers: whoever can reach a loopback address here can already run the command line as its
administrator. So the app listens on a loopback address only, and refuses any other.
"""

from __future__ import annotations

import ipaddress

from assistant.errors import ServingRefusedError

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) stays on this computer."""
    if not host:
        return False
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_address(mode: str, host: str) -> None:
    """Refuse to serve local mode on an address other computers can reach.

    Raises:
        ServingRefusedError: ``mode`` is ``local`` and ``host`` is not a loopback address.
    """
    if mode == "local" and not is_loopback(host):
        raise ServingRefusedError(
            f"Le mode local (CPOM_MODE=local, sans connexion) ne sert que cet ordinateur : "
            f"l'adresse {host!r} est refusée, seule 127.0.0.1 est permise.",
            hint="Retirez GRADIO_SERVER_NAME (ou mettez 127.0.0.1) ; pour servir d'autres "
            "postes, passez en mode partagé : CPOM_MODE=shared, avec des comptes.",
        )
