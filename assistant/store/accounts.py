"""Accounts: add, list and disable them (administrators), with argon2 password hashes.

A password is hashed as soon as it arrives and is never stored, logged or returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.errors import InvalidRequestError, NotFoundError
from assistant.store.access import normalize_departement, normalize_finess, require_admin
from assistant.store.audit import record
from assistant.store.connection import Store
from assistant.store.models import Account, Actor, Role
from assistant.store.tables import ROLES, User, utc

MIN_PASSWORD_LENGTH = 12
"""Shortest password accepted (ANSSI recommends 12 characters or more for a password alone)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str:
    """An e-mail address as stored (trimmed, lower case).

    Raises:
        InvalidRequestError: Not an e-mail address.
    """
    email = value.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidRequestError(f"Adresse électronique invalide : {value!r}.")
    return email


def check_password(password: str) -> None:
    """Refuse a password too short to protect an account (the password is never echoed).

    Raises:
        InvalidRequestError: Shorter than `MIN_PASSWORD_LENGTH`, or blank.
    """
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise InvalidRequestError(
            f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
        )


def account_of(user: User) -> Account:
    """The administrators' view of an account (no hash)."""
    return Account(
        email=user.email,
        role=user.role,
        finess=list(user.finess),
        departements=list(user.departements),
        region=user.region,
        actif=user.active,
        verrouille_jusqu_a=utc(user.locked_until) if user.locked_until else None,
        cree_le=utc(user.created_at),
    )


def actor_of(user: User) -> Actor:
    """The actor an authenticated account acts as."""
    return Actor(
        email=user.email,
        role=user.role,
        finess=tuple(user.finess),
        departements=tuple(user.departements),
        region=user.region,
        user_id=user.id,
    )


def find_user(session: Session, email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return session.scalars(select(User).where(User.email == email)).one_or_none()


def add_user(
    store: Store,
    actor: Actor,
    email: str,
    *,
    role: Role,
    password: str,
    finess: Sequence[str] = (),
    departements: Sequence[str] = (),
    region: bool = False,
) -> Account:
    """Create an account (administrators only).

    Args:
        store: The dossier store.
        actor: Who creates it.
        email: The account's e-mail address (its login).
        role: ``etablissement`` (needs ``finess``), ``referent`` (needs ``departements`` or
            ``region``) or ``admin``.
        password: The password, hashed with argon2 and then forgotten.
        finess: The establishments of an ``etablissement`` account.
        departements: The départements of a ``referent`` account.
        region: A ``referent`` of the whole region.

    Raises:
        AccessDeniedError: The actor is not an administrator.
        InvalidRequestError: A bad e-mail, role, scope or password, or an existing account.
    """
    require_admin(actor)
    email = normalize_email(email)
    if role not in ROLES:
        raise InvalidRequestError(
            f"Rôle inconnu : {role!r}.", hint="Rôles : etablissement, referent, admin."
        )
    finess_list = sorted({normalize_finess(f) for f in finess})
    departement_list = sorted({normalize_departement(d) for d in departements})
    _check_scope(role, finess_list, departement_list, region)
    check_password(password)
    password_hash = store.hasher.hash(password)
    with store.transaction() as session:
        if find_user(session, email) is not None:
            raise InvalidRequestError(f"Le compte {email!r} existe déjà.")
        user = User(
            email=email,
            role=role,
            finess=finess_list,
            departements=departement_list,
            region=region,
            password_hash=password_hash,
            active=True,
            failed_logins=0,
        )
        session.add(user)
        session.flush()
        record(session, actor.label, "compte_ajoute", detail=f"{email} ({role})")
        return account_of(user)


def _check_scope(role: str, finess: list[str], departements: list[str], region: bool) -> None:
    if role == "etablissement":
        if not finess or departements or region:
            raise InvalidRequestError(
                "Un compte établissement est rattaché à un ou plusieurs FINESS EJ, et à eux seuls.",
                hint="Indiquez --finess N (une ou plusieurs fois).",
            )
    elif role == "referent":
        if finess or (bool(departements) == region):
            raise InvalidRequestError(
                "Un compte référent est rattaché soit à des départements, soit à la région.",
                hint="Indiquez --departements 31,34 ou --region.",
            )
    elif finess or departements or region:
        raise InvalidRequestError("Un compte administrateur n'a ni FINESS ni départements.")


def list_users(store: Store, actor: Actor) -> list[Account]:
    """Every account, by e-mail address (administrators only).

    Raises:
        AccessDeniedError: The actor is not an administrator.
    """
    require_admin(actor)
    with store.transaction() as session:
        return [account_of(user) for user in session.scalars(select(User).order_by(User.email))]


def disable_user(store: Store, actor: Actor, email: str) -> Account:
    """Disable an account: it can no longer log in, and its sessions and tokens stop working.

    Raises:
        AccessDeniedError: The actor is not an administrator.
        NotFoundError: No such account.
    """
    require_admin(actor)
    email = normalize_email(email)
    with store.transaction() as session:
        user = find_user(session, email)
        if user is None:
            raise NotFoundError(f"Aucun compte {email!r}.")
        user.active = False
        record(session, actor.label, "compte_desactive", detail=email)
        return account_of(user)


def count_admins(store: Store) -> int:
    """How many active administrator accounts exist (shared mode needs one)."""
    with store.transaction() as session:
        query = select(func.count()).select_from(User).where(User.role == "admin", User.active)
        return int(session.scalar(query) or 0)
