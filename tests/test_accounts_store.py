"""Accounts, logins, sessions and API tokens on SQLite and PostgreSQL (real argon2)."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text, update

from assistant.errors import (
    AccessDeniedError,
    InvalidRequestError,
    NotAuthenticatedError,
    NotFoundError,
)
from assistant.store import (
    LOCAL_ADMIN,
    Actor,
    Store,
    add_user,
    authenticate_session,
    authenticate_token,
    create_token,
    disable_user,
    list_users,
    login,
    logout,
    read_audit,
    require_admin_account,
    revoke_token,
)
from assistant.store.logins import MAX_FAILED_LOGINS
from assistant.store.tables import LoginSession, User
from tests.postgres_fixtures import TABLES, postgres_server, postgres_store, store, store_checker

__all__ = ["postgres_server", "postgres_store", "store", "store_checker"]

PASSWORD = "cheval-agrafe-pile-7"
ETAB = Actor(email="dir@ch.fr", role="etablissement", finess=("310000123",), user_id=5)


def _add_etab(store: Store, email: str = "Dir@CH.fr") -> None:
    add_user(
        store, LOCAL_ADMIN, email, role="etablissement", password=PASSWORD, finess=["310000123"]
    )


def test_accounts_are_created_with_their_scope_and_listed_without_secrets(store: Store) -> None:
    _add_etab(store)
    add_user(
        store,
        LOCAL_ADMIN,
        "ref@ars.fr",
        role="referent",
        password=PASSWORD,
        departements=["31", "9", "2a"],
    )
    add_user(store, LOCAL_ADMIN, "region@ars.fr", role="referent", password=PASSWORD, region=True)
    accounts = list_users(store, LOCAL_ADMIN)
    assert [(a.email, a.role, a.finess, a.departements, a.region) for a in accounts] == [
        ("dir@ch.fr", "etablissement", ["310000123"], [], False),
        ("ref@ars.fr", "referent", [], ["09", "2A", "31"], False),
        ("region@ars.fr", "referent", [], [], True),
    ]
    dumped = " ".join(a.model_dump_json() for a in accounts)
    assert PASSWORD not in dumped
    assert "argon2" not in dumped


def test_the_password_is_stored_nowhere_and_hashed_with_argon2id(store: Store) -> None:
    _add_etab(store)
    login(store, "dir@ch.fr", PASSWORD)
    with pytest.raises(NotAuthenticatedError):
        login(store, "dir@ch.fr", PASSWORD + "x")
    everything = []
    with store.engine.connect() as connection:
        for table in TABLES:
            everything += [str(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
        stored = connection.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert not any(PASSWORD in row for row in everything)
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, PASSWORD)


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        pytest.param("etablissement", {}, "rattaché à un ou plusieurs FINESS", id="etab-no-finess"),
        pytest.param(
            "etablissement",
            {"finess": ["310000123"], "region": True},
            "à eux seuls",
            id="etab-region",
        ),
        pytest.param("referent", {}, "soit à des départements, soit à la région", id="ref-nothing"),
        pytest.param(
            "referent", {"departements": ["31"], "region": True}, "soit à des", id="ref-both"
        ),
        pytest.param(
            "referent", {"departements": ["Toulouse"]}, "département invalide", id="bad-dept"
        ),
        pytest.param("etablissement", {"finess": ["12345"]}, "FINESS invalide", id="bad-finess"),
        pytest.param(
            "admin", {"departements": ["31"]}, "ni FINESS ni départements", id="admin-dept"
        ),
        pytest.param("superuser", {}, "Rôle inconnu", id="bad-role"),
    ],
)
def test_bad_scopes_are_refused(
    store: Store, role: str, scope: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        add_user(store, LOCAL_ADMIN, "x@ars.fr", role=role, password=PASSWORD, **scope)  # type: ignore[arg-type]
    assert list_users(store, LOCAL_ADMIN) == []


def test_short_password_duplicate_and_bad_email_are_refused(store: Store) -> None:
    with pytest.raises(InvalidRequestError, match="au moins 12 caractères"):
        add_user(store, LOCAL_ADMIN, "a@ars.fr", role="admin", password="court")
    with pytest.raises(InvalidRequestError, match="Adresse électronique invalide"):
        add_user(store, LOCAL_ADMIN, "pas-une-adresse", role="admin", password=PASSWORD)
    _add_etab(store)
    with pytest.raises(InvalidRequestError, match="existe déjà"):
        _add_etab(store, "dir@ch.fr ")


def test_only_administrators_manage_accounts(store: Store) -> None:
    _add_etab(store)
    referent = Actor(email="ref@ars.fr", role="referent", region=True, user_id=3)
    for actor in (ETAB, referent):
        with pytest.raises(AccessDeniedError, match="réservée aux administrateurs"):
            add_user(store, actor, "y@ars.fr", role="admin", password=PASSWORD)
        with pytest.raises(AccessDeniedError):
            list_users(store, actor)
        with pytest.raises(AccessDeniedError):
            disable_user(store, actor, "dir@ch.fr")
        with pytest.raises(AccessDeniedError):
            create_token(store, actor, "dir@ch.fr")
    assert [a.email for a in list_users(store, LOCAL_ADMIN)] == ["dir@ch.fr"]


def test_login_opens_a_session_that_expires_and_closes(store: Store) -> None:
    _add_etab(store)
    result = login(store, " DIR@ch.fr", PASSWORD)
    assert result.actor.finess == ("310000123",)
    assert authenticate_session(store, result.token).email == "dir@ch.fr"
    logout(store, result.token)
    with pytest.raises(NotAuthenticatedError, match="reconnectez-vous"):
        authenticate_session(store, result.token)
    second = login(store, "dir@ch.fr", PASSWORD)
    with store.transaction() as session:
        session.execute(
            update(LoginSession).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            )
        )
    with pytest.raises(NotAuthenticatedError) as expired:
        authenticate_session(store, second.token)
    assert expired.value.http_status == 401


def test_five_failures_lock_the_account_for_fifteen_minutes(store: Store) -> None:
    _add_etab(store)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(NotAuthenticatedError, match="incorrect"):
            login(store, "dir@ch.fr", "mauvais-mot-de-passe")
    with pytest.raises(NotAuthenticatedError, match="verrouillé 15 minutes"):
        login(store, "dir@ch.fr", "mauvais-mot-de-passe")
    with pytest.raises(NotAuthenticatedError, match="réessayez dans 15 minutes"):
        login(store, "dir@ch.fr", PASSWORD)  # even the right password, while locked
    assert list_users(store, LOCAL_ADMIN)[0].verrouille_jusqu_a is not None
    with store.transaction() as session:  # fifteen minutes later
        session.execute(
            update(User).values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    assert login(store, "dir@ch.fr", PASSWORD).actor.email == "dir@ch.fr"
    failures = read_audit(store, LOCAL_ADMIN, action="connexion_echouee")
    assert [e.detail for e in reversed(failures)] == [
        "mot de passe incorrect (1/5)",
        "mot de passe incorrect (2/5)",
        "mot de passe incorrect (3/5)",
        "mot de passe incorrect (4/5)",
        "mot de passe incorrect (5/5) ; compte verrouillé 15 minutes",
        "compte verrouillé",
    ]
    assert [e.acteur for e in read_audit(store, LOCAL_ADMIN, action="connexion_reussie")] == [
        "dir@ch.fr"
    ]


def test_a_success_resets_the_failure_count(store: Store) -> None:
    _add_etab(store)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(NotAuthenticatedError):
            login(store, "dir@ch.fr", "mauvais-mot-de-passe")
    login(store, "dir@ch.fr", PASSWORD)
    with pytest.raises(NotAuthenticatedError) as again:
        login(store, "dir@ch.fr", "mauvais-mot-de-passe")
    assert "verrouillé" not in again.value.message


def test_unknown_account_fails_like_a_wrong_password_and_is_audited(store: Store) -> None:
    with pytest.raises(NotAuthenticatedError) as unknown:
        login(store, "personne@ars.fr", PASSWORD)
    _add_etab(store)
    with pytest.raises(NotAuthenticatedError) as wrong:
        login(store, "dir@ch.fr", "mauvais-mot-de-passe")
    assert unknown.value.message == wrong.value.message
    assert read_audit(store, LOCAL_ADMIN, action="connexion_echouee")[-1].detail == "compte inconnu"


def test_api_tokens_are_hashed_revocable_and_stop_with_the_account(store: Store) -> None:
    _add_etab(store)
    token = create_token(store, LOCAL_ADMIN, "dir@ch.fr")
    assert token.token.startswith("cpom_")
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash, prefix FROM api_tokens")).one()
    assert token.token not in stored
    assert authenticate_token(store, token.token).finess == ("310000123",)
    with pytest.raises(NotAuthenticatedError, match="inconnu ou révoqué"):
        authenticate_token(store, token.token + "x")
    other = Actor(email="autre@ch.fr", role="etablissement", finess=("340000456",), user_id=99)
    with pytest.raises(NotFoundError):
        revoke_token(store, other, token.id)  # someone else's token: not even acknowledged
    revoke_token(store, LOCAL_ADMIN, token.id)
    with pytest.raises(NotAuthenticatedError):
        authenticate_token(store, token.token)
    fresh = create_token(store, LOCAL_ADMIN, "dir@ch.fr")
    session_token = login(store, "dir@ch.fr", PASSWORD).token
    disable_user(store, LOCAL_ADMIN, "dir@ch.fr")
    with pytest.raises(NotAuthenticatedError, match="désactivé"):
        authenticate_token(store, fresh.token)
    with pytest.raises(NotAuthenticatedError, match="désactivé"):
        authenticate_session(store, session_token)
    with pytest.raises(NotAuthenticatedError, match="incorrect"):
        login(store, "dir@ch.fr", PASSWORD)
    with pytest.raises(InvalidRequestError, match="désactivé"):
        create_token(store, LOCAL_ADMIN, "dir@ch.fr")
    with pytest.raises(NotFoundError):
        disable_user(store, LOCAL_ADMIN, "personne@ars.fr")
    actions = [e.action for e in read_audit(store, LOCAL_ADMIN)]
    assert {"compte_ajoute", "jeton_cree", "jeton_revoque", "compte_desactive"} <= set(actions)


def test_shared_mode_needs_an_administrator_account(store: Store) -> None:
    with pytest.raises(NotAuthenticatedError, match="users add ADRESSE --role admin"):
        require_admin_account(store)
    add_user(store, LOCAL_ADMIN, "admin@ars.fr", role="admin", password=PASSWORD)
    require_admin_account(store)
    disable_user(store, LOCAL_ADMIN, "admin@ars.fr")
    with pytest.raises(NotAuthenticatedError):
        require_admin_account(store)
