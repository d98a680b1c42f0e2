"""The referent's queue and the changes since a send-back, on SQLite and PostgreSQL: scope of
each user (the wrong ones included), filters, order, establishments without a dossier.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from assistant.errors import AccessDeniedError, InvalidRequestError, NotFoundError
from assistant.store import (
    LOCAL_ADMIN,
    Actor,
    Store,
    add_user,
    changes_since_send_back,
    review_queue,
    save_draft,
    send_back,
    submit,
    validate_dossier,
)
from tests.api_fixtures import ACCOUNTS, OTHER_FINESS, PASSWORD
from tests.postgres_fixtures import postgres_server, postgres_store, store, store_checker
from tests.test_dossiers_store import (
    ADMIN,
    ETAB,
    FINESS,
    OTHER_ETAB,
    REF_31,
    REF_34,
    REF_REGION,
    VALID,
    WITH_ERRORS,
    draft_of,
)

__all__ = ["postgres_server", "postgres_store", "store", "store_checker"]

ARIEGE = "090000017"  # Ariège (09), also in REF_31's scope
NO_DOSSIER_31 = "310000999"  # an establishment of 31 with an account and no dossier yet


def add_establishments(store: Store) -> None:
    """The establishment accounts of tests/api_fixtures.py, and one of 31 without a dossier."""
    for name in ("etab", "autre_etab"):
        account = ACCOUNTS[name]
        add_user(
            store,
            LOCAL_ADMIN,
            str(account["email"]),
            role="etablissement",
            password=PASSWORD,
            finess=account["finess"],  # type: ignore[arg-type]
        )
    add_user(
        store,
        LOCAL_ADMIN,
        "dir@ch-sans-dossier.fr",
        role="etablissement",
        password=PASSWORD,
        finess=[NO_DOSSIER_31],
    )


def seed(store: Store) -> None:
    """Three dossiers (31 submitted, 34 with errors, 09 last changed) and the accounts."""
    add_establishments(store)
    save_draft(store, ETAB, FINESS, VALID, version=0)
    submit(store, ETAB, FINESS)
    herault = draft_of(OTHER_FINESS, WITH_ERRORS, name="CH de l'Hérault")
    save_draft(store, OTHER_ETAB, OTHER_FINESS, herault, version=0)
    save_draft(store, ADMIN, ARIEGE, draft_of(ARIEGE, name="CH de l'Ariège"), version=0)


def finess_of(rows: list[Any]) -> list[str]:
    return [row.finess_ej for row in rows]


# --- the queue -----------------------------------------------------------------------------


def test_referent_sees_its_departements_newest_first_then_establishments_without_dossier(
    store: Store,
) -> None:
    seed(store)
    rows = review_queue(store, REF_31)
    assert finess_of(rows) == [ARIEGE, FINESS, NO_DOSSIER_31]
    ariege, haute_garonne, missing = rows
    assert (ariege.statut, ariege.departement, ariege.modifie_par) == (
        "brouillon",
        "09",
        ADMIN.email,
    )
    assert (haute_garonne.statut, haute_garonne.version, haute_garonne.erreurs) == ("soumis", 1, 0)
    assert haute_garonne.raison_sociale == "Centre hospitalier de Saint-Exemple"
    assert haute_garonne.indicateurs == len(VALID["indicateurs"]) == 8
    assert haute_garonne.modifie_par == ETAB.email  # the submission is the last change
    assert ariege.modifie_le is not None
    assert haute_garonne.modifie_le is not None
    assert ariege.modifie_le >= haute_garonne.modifie_le
    assert missing.model_dump() == {
        "finess_ej": NO_DOSSIER_31,
        "raison_sociale": None,
        "departement": "31",
        "statut": None,
        "version": 0,
        "erreurs": 0,
        "avertissements": 0,
        "indicateurs": 0,
        "modifie_le": None,
        "modifie_par": None,
    }


def test_referent_of_34_never_sees_a_31_dossier(store: Store) -> None:
    seed(store)
    rows = review_queue(store, REF_34)
    assert finess_of(rows) == [OTHER_FINESS]
    assert (rows[0].erreurs, rows[0].raison_sociale) == (3, "CH de l'Hérault")
    assert review_queue(store, REF_34, departement="31") == []  # nothing leaks, no error


def test_region_referent_and_admin_see_everything(store: Store) -> None:
    seed(store)
    expected = [ARIEGE, OTHER_FINESS, FINESS, NO_DOSSIER_31]
    assert finess_of(review_queue(store, REF_REGION)) == expected
    assert finess_of(review_queue(store, ADMIN)) == expected
    assert finess_of(review_queue(store, LOCAL_ADMIN)) == expected


@pytest.mark.parametrize("actor", [ETAB, OTHER_ETAB], ids=["own-establishment", "other"])
def test_an_establishment_is_refused_in_french(store: Store, actor: Actor) -> None:
    seed(store)
    with pytest.raises(AccessDeniedError) as refused:
        review_queue(store, actor)
    assert refused.value.http_status == 403
    assert "réservée aux référents ARS" in refused.value.message


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({"departement": "31"}, [FINESS, NO_DOSSIER_31], id="departement"),
        pytest.param({"departement": "9"}, [ARIEGE], id="departement-one-digit"),
        pytest.param({"statut": "soumis"}, [FINESS], id="status"),
        pytest.param({"statut": "brouillon"}, [ARIEGE, OTHER_FINESS], id="status-draft"),
        pytest.param({"with_errors": True}, [OTHER_FINESS], id="with-errors"),
        pytest.param({"with_errors": False}, [ARIEGE, FINESS], id="without-errors"),
        pytest.param(
            {"departement": "34", "statut": "brouillon", "with_errors": True},
            [OTHER_FINESS],
            id="all-three",
        ),
    ],
)
def test_filters(store: Store, filters: dict[str, Any], expected: list[str]) -> None:
    seed(store)
    assert finess_of(review_queue(store, ADMIN, **filters)) == expected


def test_bad_filters_are_refused_in_french(store: Store) -> None:
    with pytest.raises(InvalidRequestError, match="Statut inconnu"):
        review_queue(store, ADMIN, statut="perdu")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="département invalide"):
        review_queue(store, ADMIN, departement="Haute-Garonne")


def test_indicators_counted_are_strategic_and_hpr(store: Store) -> None:
    add_establishments(store)
    tree = draft_of(FINESS)
    tree["indicateurs_hpr"] = [
        {"code": "HPR_1_1", "valeur_initiale": 0, "cibles": {"2025": 1, "2026": 2, "2027": 3}}
    ]
    save_draft(store, ETAB, FINESS, tree, version=0)
    assert review_queue(store, REF_31)[0].indicateurs == 9


def test_a_disabled_establishment_account_does_not_list_its_finess(store: Store) -> None:
    from assistant.store import disable_user

    add_establishments(store)
    disable_user(store, LOCAL_ADMIN, "dir@ch-sans-dossier.fr")
    assert NO_DOSSIER_31 not in finess_of(review_queue(store, REF_31))


@contextmanager
def counted_queries(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_the_queue_takes_the_same_few_queries_for_3_or_9_dossiers(store: Store) -> None:
    seed(store)
    with counted_queries(store) as few:
        review_queue(store, ADMIN)
    for n in range(6):
        finess = f"3100001{n:02d}"
        save_draft(store, ADMIN, finess, draft_of(finess), version=0)
    with counted_queries(store) as more:
        assert len(review_queue(store, ADMIN)) == 10
    assert len(more) == len(few) <= 4


# --- the changes since the last send-back --------------------------------------------------


def corrected(target_2029: int) -> dict[str, Any]:
    tree = copy.deepcopy(VALID)
    for item in tree["indicateurs"]:
        if item["code"] == "CPOM_OS_3":
            item["cibles"]["2029"] = target_2029
    return tree


def test_no_diff_before_any_send_back(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    save_draft(store, ETAB, FINESS, corrected(16), version=1)
    submit(store, ETAB, FINESS)
    assert changes_since_send_back(store, REF_31, FINESS) is None


def test_diff_after_send_back_and_correction_shows_exactly_the_changed_indicator(
    store: Store,
) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    submit(store, ETAB, FINESS)
    send_back(store, REF_31, FINESS, "La cible 2029 de CPOM_OS_3 est à revoir.")
    unchanged = changes_since_send_back(store, REF_31, FINESS)
    assert unchanged is not None
    assert (unchanged.de, unchanged.a, unchanged.changements) == (1, 1, [])

    save_draft(store, ETAB, FINESS, corrected(16), version=1)
    submit(store, ETAB, FINESS)
    diff = changes_since_send_back(store, REF_31, FINESS)
    assert diff is not None
    assert (diff.de, diff.a) == (1, 2)
    assert [(c.chemin, c.avant, c.apres) for c in diff.changements] == [
        ("indicateurs[CPOM_OS_3].cibles.2029", 15, 16)
    ]
    # the establishment reads the same, and the diff stays after validation
    assert changes_since_send_back(store, ETAB, FINESS) == diff
    validate_dossier(store, REF_31, FINESS)
    assert changes_since_send_back(store, ADMIN, FINESS) == diff


def test_the_diff_starts_at_the_last_send_back(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    submit(store, ETAB, FINESS)
    send_back(store, REF_31, FINESS, "Première remarque.")
    save_draft(store, ETAB, FINESS, corrected(16), version=1)
    submit(store, ETAB, FINESS)
    send_back(store, REF_31, FINESS, "Seconde remarque.")
    save_draft(store, ETAB, FINESS, corrected(17), version=2)
    save_draft(store, ETAB, FINESS, corrected(18), version=3)
    diff = changes_since_send_back(store, REF_31, FINESS)
    assert diff is not None
    assert (diff.de, diff.a) == (2, 4)
    assert [(c.chemin, c.avant, c.apres) for c in diff.changements] == [
        ("indicateurs[CPOM_OS_3].cibles.2029", 16, 18)
    ]


@pytest.mark.parametrize("actor", [REF_34, OTHER_ETAB], ids=["referent-34", "other-etab"])
def test_diff_outside_scope_is_refused(store: Store, actor: Actor) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    submit(store, ETAB, FINESS)
    send_back(store, REF_31, FINESS, "À revoir.")
    with pytest.raises(AccessDeniedError, match="accès refusé"):
        changes_since_send_back(store, actor, FINESS)


def test_diff_of_a_missing_dossier_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="Aucun dossier pour le FINESS 310000999"):
        changes_since_send_back(store, REF_31, NO_DOSSIER_31)
