"""Logins, sessions and API tokens: argon2 password checks, lock-out, hashed tokens.

Session and API tokens are random values given once; only their SHA-256 is stored, so a copy
of the database opens no account. Five failed logins in a row lock an account for 15 minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import InvalidRequestError, NotAuthenticatedError, NotFoundError
from assistant.store.access import require_admin
from assistant.store.accounts import actor_of, count_admins, find_user, normalize_email
from assistant.store.audit import record
from assistant.store.connection import Store
from assistant.store.models import Actor, LoginResult, NewToken
from assistant.store.tables import ApiToken, LoginSession, User, now, utc

MAX_FAILED_LOGINS = 5
"""Failed logins in a row that lock an account."""
LOCK_DURATION = dt.timedelta(minutes=15)
"""How long a locked account stays locked."""
TOKEN_PREFIX = "cpom_"
"""API tokens start with this, so that a leaked one is recognised by secret scanners."""

_BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."


def hash_token(token: str) -> str:
    """The stored form of a session or API token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(secrets.token_urlsafe(16))


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def login(store: Store, email: str, password: str) -> LoginResult:
    """Check a password and open a session; every attempt is written to the audit log.

    Returns:
        The session token (given once) and its expiry.

    Raises:
        NotAuthenticatedError: Unknown address, wrong password, disabled or locked account.
    """
    address = email.strip().lower()
    moment = now()
    refusal: str | None = None
    with store.transaction() as session:
        user = find_user(session, address)
        if user is None or not user.active:
            # spend the same time as a real check, so that timing does not reveal accounts
            hasher = store.hasher
            _verify(
                hasher,
                _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism),
                password,
            )
            refusal = _BAD_CREDENTIALS
            reason = "compte inconnu" if user is None else "compte désactivé"
            record(session, address[:254], "connexion_echouee", detail=reason)
        elif user.locked_until is not None and utc(user.locked_until) > moment:
            minutes = int((utc(user.locked_until) - moment).total_seconds() // 60) + 1
            refusal = (
                f"Ce compte est verrouillé après {MAX_FAILED_LOGINS} échecs de connexion : "
                f"réessayez dans {minutes} minute{'s' if minutes > 1 else ''}."
            )
            record(session, user.email, "connexion_echouee", detail="compte verrouillé")
        elif not _verify(store.hasher, user.password_hash, password):
            refusal = _failed(session, user, moment)
        else:
            return _open_session(store, session, user, password, moment)
    raise NotAuthenticatedError(refusal)


def _failed(session: Session, user: User, moment: dt.datetime) -> str:
    user.failed_logins += 1
    detail = f"mot de passe incorrect ({user.failed_logins}/{MAX_FAILED_LOGINS})"
    message = _BAD_CREDENTIALS
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = moment + LOCK_DURATION
        user.failed_logins = 0
        minutes = int(LOCK_DURATION.total_seconds() // 60)
        detail += f" ; compte verrouillé {minutes} minutes"
        message = (
            f"{_BAD_CREDENTIALS} Après {MAX_FAILED_LOGINS} échecs, le compte est verrouillé "
            f"{minutes} minutes."
        )
    record(session, user.email, "connexion_echouee", detail=detail)
    return message


def _open_session(
    store: Store, session: Session, user: User, password: str, moment: dt.datetime
) -> LoginResult:
    user.failed_logins = 0
    user.locked_until = None
    if store.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = store.hasher.hash(password)
    token = secrets.token_urlsafe(32)
    expires = moment + store.session_ttl
    session.add(LoginSession(user_id=user.id, token_hash=hash_token(token), expires_at=expires))
    record(session, user.email, "connexion_reussie")
    return LoginResult(token=token, expire_le=expires, actor=actor_of(user))


def authenticate_session(store: Store, token: str) -> Actor:
    """The actor of a live session token.

    Raises:
        NotAuthenticatedError: Unknown, expired or closed session, or a disabled account.
    """
    with store.transaction() as session:
        row = session.scalars(
            select(LoginSession).where(LoginSession.token_hash == hash_token(token))
        ).one_or_none()
        if row is None or row.revoked or utc(row.expires_at) <= now():
            raise NotAuthenticatedError(
                "Session expirée ou inconnue : reconnectez-vous.", hint=None
            )
        return _active_actor(session, row.user_id)


def logout(store: Store, token: str) -> None:
    """Close a session (a token already closed or unknown is ignored)."""
    with store.transaction() as session:
        row = session.scalars(
            select(LoginSession).where(LoginSession.token_hash == hash_token(token))
        ).one_or_none()
        if row is not None and not row.revoked:
            row.revoked = True
            user = session.get(User, row.user_id)
            record(session, user.email if user else "?", "deconnexion")


def _active_actor(session: Session, user_id: int) -> Actor:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotAuthenticatedError("Ce compte est désactivé.")
    return actor_of(user)


def create_token(store: Store, actor: Actor, email: str) -> NewToken:
    """Create an API token for an account (administrators); its value is returned once.

    Raises:
        AccessDeniedError: The actor is not an administrator.
        NotFoundError: No such account.
        InvalidRequestError: The account is disabled.
    """
    require_admin(actor)
    address = normalize_email(email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction() as session:
        user = find_user(session, address)
        if user is None:
            raise NotFoundError(f"Aucun compte {address!r}.")
        if not user.active:
            raise InvalidRequestError(f"Le compte {address!r} est désactivé.")
        row = ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:12])
        session.add(row)
        session.flush()
        record(session, actor.label, "jeton_cree", detail=f"{address} ({row.prefix}…)")
        return NewToken(id=row.id, token=token, prefixe=row.prefix)


def revoke_token(store: Store, actor: Actor, token_id: int) -> None:
    """Revoke an API token (administrators, or the token's own account).

    Raises:
        NotFoundError: No such token for this actor.
    """
    with store.transaction() as session:
        row = session.get(ApiToken, token_id)
        if row is None or (actor.role != "admin" and row.user_id != actor.user_id):
            raise NotFoundError(f"Aucun jeton n° {token_id}.")
        if row.revoked_at is None:
            row.revoked_at = now()
            record(session, actor.label, "jeton_revoque", detail=f"{row.prefix}…")


def authenticate_token(store: Store, token: str) -> Actor:
    """The actor of an API token (``Authorization: Bearer …``).

    Raises:
        NotAuthenticatedError: Unknown or revoked token, or a disabled account.
    """
    with store.transaction() as session:
        row = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == hash_token(token))
        ).one_or_none()
        if row is None or row.revoked_at is not None:
            raise NotAuthenticatedError("Jeton d'accès inconnu ou révoqué.")
        return _active_actor(session, row.user_id)


def require_admin_account(store: Store) -> None:
    """Refuse to serve in shared mode before an administrator account exists.

    Raises:
        NotAuthenticatedError: No active administrator account.
    """
    if count_admins(store) == 0:
        raise NotAuthenticatedError(
            "Le mode partagé demande au moins un compte administrateur actif : créez-le avec "
            "« python -m assistant users add ADRESSE --role admin ».",
        )
