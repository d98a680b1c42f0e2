"""The dossier service on SQLite and PostgreSQL: versions, locking, review cycle, comments,
access control (every wrong-user case), audit. Real databases, real validator.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from assistant.errors import (
    AccessDeniedError,
    InvalidRequestError,
    NotFoundError,
    StatusError,
    VersionConflictError,
)
from assistant.store import (
    LOCAL_ADMIN,
    Actor,
    Store,
    SubmissionRefusedError,
    add_comment,
    compare_versions,
    export_dossier,
    get_dossier,
    get_version,
    list_comments,
    list_dossiers,
    list_versions,
    read_audit,
    save_draft,
    send_back,
    submit,
    validate_dossier,
)
from assistant.store.tables import Version
from tests.postgres_fixtures import postgres_server, postgres_store, store, store_checker

__all__ = ["postgres_server", "postgres_store", "store", "store_checker"]

ROOT = Path(__file__).resolve().parent.parent
VALID: dict[str, Any] = json.loads((ROOT / "examples" / "brouillon-valide.json").read_text())
WITH_ERRORS: dict[str, Any] = json.loads(
    (ROOT / "examples" / "brouillon-avec-erreurs.json").read_text()
)
FINESS = "310000123"  # Haute-Garonne (31), the examples' establishment

ETAB = Actor(email="dir@ch-exemple.fr", role="etablissement", finess=(FINESS,), user_id=10)
OTHER_ETAB = Actor(email="dir@ch-autre.fr", role="etablissement", finess=("340000456",), user_id=11)
REF_31 = Actor(email="ref31@ars.fr", role="referent", departements=("31", "09"), user_id=20)
REF_34 = Actor(email="ref34@ars.fr", role="referent", departements=("34",), user_id=21)
REF_REGION = Actor(email="region@ars.fr", role="referent", region=True, user_id=22)
ADMIN = Actor(email="admin@ars.fr", role="admin", user_id=1)


def draft_of(finess: str, base: dict[str, Any] = VALID, name: str | None = None) -> dict[str, Any]:
    tree = copy.deepcopy(base)
    tree["etablissement"]["finess_ej"] = finess
    if name:
        tree["etablissement"]["raison_sociale"] = name
    return tree


def versions_count(store: Store) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Version)) or 0)


# --- versions and optimistic locking -------------------------------------------------------


def test_every_save_is_a_version_with_its_report(store: Store) -> None:
    first = save_draft(store, ETAB, FINESS, WITH_ERRORS, version=0)
    second = save_draft(store, ETAB, FINESS, VALID, version=1)
    assert (first.version, first.rapport["errors"]) == (1, 3)
    assert (second.version, second.rapport["errors"], second.rapport["valid"]) == (2, 0, True)
    detail = get_dossier(store, ETAB, FINESS)
    assert (detail.version, detail.statut, detail.erreurs) == (2, "brouillon", 0)
    assert detail.brouillon == VALID
    assert detail.raison_sociale == "Centre hospitalier de Saint-Exemple"
    history = list_versions(store, REF_31, FINESS)
    assert [(v.version, v.erreurs, v.auteur) for v in history] == [
        (2, 0, ETAB.email),
        (1, 3, ETAB.email),
    ]
    old = get_version(store, REF_31, FINESS, 1)
    assert old.brouillon == WITH_ERRORS
    assert {f["rule"] for f in old.rapport["findings"]} >= {"SEL-MIN-OS"}


def test_versions_are_compared_indicator_by_indicator(store: Store) -> None:
    save_draft(store, ETAB, FINESS, WITH_ERRORS, version=0)
    changed = copy.deepcopy(WITH_ERRORS)
    changed["etablissement"]["lits"] = 400
    changed["indicateurs"].reverse()  # the same indicators in another order: not a change
    save_draft(store, ETAB, FINESS, changed, version=1)
    diff = compare_versions(store, ETAB, FINESS, 1, 2)
    assert [(c.chemin, c.avant, c.apres) for c in diff.changements] == [
        ("etablissement.lits", 350, 400)
    ]
    diff = compare_versions(store, ETAB, FINESS, 2, 1)
    assert diff.changements[0].avant == 400
    with pytest.raises(NotFoundError, match="pas de version 7"):
        compare_versions(store, ETAB, FINESS, 1, 7)


def test_second_writer_gets_a_conflict_and_nothing_is_lost(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    admin_edit = draft_of(FINESS, name="CH de Saint-Exemple (fusionné)")
    save_draft(store, ADMIN, FINESS, admin_edit, version=1)
    late = draft_of(FINESS, name="Édition tardive")
    with pytest.raises(VersionConflictError) as caught:
        save_draft(store, ETAB, FINESS, late, version=1)
    assert caught.value.message.startswith("Ce dossier a été modifié entre-temps par admin@ars.fr")
    assert (caught.value.current_version, caught.value.author) == (2, "admin@ars.fr")
    assert caught.value.http_status == 409
    assert get_dossier(store, ETAB, FINESS).raison_sociale == "CH de Saint-Exemple (fusionné)"
    assert versions_count(store) == 2
    # the late writer re-reads version 2 and saves again: their content is kept
    assert save_draft(store, ETAB, FINESS, late, version=2).version == 3
    assert get_dossier(store, ETAB, FINESS).raison_sociale == "Édition tardive"


def test_creating_an_existing_dossier_is_a_conflict(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    with pytest.raises(VersionConflictError, match="modifié entre-temps"):
        save_draft(store, ADMIN, FINESS, VALID, version=0)
    with pytest.raises(NotFoundError, match="Aucun dossier pour le FINESS 340000456"):
        save_draft(store, ADMIN, "340000456", draft_of("340000456"), version=3)


def test_concurrent_writers_of_one_version_make_one_version(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def write(n: int) -> None:
        barrier.wait()
        try:
            save_draft(store, ETAB, FINESS, draft_of(FINESS, name=f"écrivain {n}"), version=1)
            outcomes.append("saved")
        except VersionConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "saved"]
    assert versions_count(store) == 2
    assert get_dossier(store, ETAB, FINESS).version == 2


def test_a_draft_of_another_finess_is_not_saved_in_this_dossier(store: Store) -> None:
    with pytest.raises(InvalidRequestError, match="porte le FINESS 340000456 et non 310000123"):
        save_draft(store, ETAB, FINESS, draft_of("340000456"), version=0)
    with pytest.raises(InvalidRequestError, match="FINESS invalide"):
        save_draft(store, ADMIN, "31-000", VALID, version=0)
    assert versions_count(store) == 0


# --- review cycle --------------------------------------------------------------------------


def test_full_review_cycle(store: Store) -> None:
    save_draft(store, ETAB, FINESS, WITH_ERRORS, version=0)
    with pytest.raises(SubmissionRefusedError) as refused:
        submit(store, ETAB, FINESS)
    assert (refused.value.http_status, refused.value.exit_code) == (422, 1)
    assert refused.value.report.errors == 3
    assert "SEL-MIN-OS" in {f.rule for f in refused.value.report.findings}
    assert get_dossier(store, ETAB, FINESS).statut == "brouillon"

    save_draft(store, ETAB, FINESS, VALID, version=1)
    assert submit(store, ETAB, FINESS).statut == "soumis"
    with pytest.raises(StatusError, match="ne peut plus être modifié"):
        save_draft(store, ETAB, FINESS, VALID, version=2)
    with pytest.raises(StatusError, match="on ne peut le soumettre"):
        submit(store, ETAB, FINESS)

    with pytest.raises(InvalidRequestError, match="commentaire est obligatoire"):
        send_back(store, REF_31, FINESS, "   ")
    back = send_back(store, REF_31, FINESS, "Précisez la valeur 2024 de CPOM_OS_3.")
    assert back.statut == "a_corriger"
    assert save_draft(store, ETAB, FINESS, VALID, version=2).version == 3
    assert submit(store, ETAB, FINESS).statut == "soumis"
    assert validate_dossier(store, REF_31, FINESS).statut == "valide"
    with pytest.raises(StatusError, match="ne peut plus être modifié"):
        save_draft(store, ETAB, FINESS, VALID, version=3)
    with pytest.raises(StatusError, match="que s'il est « soumis »"):
        send_back(store, REF_31, FINESS, "Trop tard ?")

    comments = list_comments(store, ETAB, FINESS)
    assert [(c.version, c.role, c.texte) for c in comments] == [
        (2, "referent", "Précisez la valeur 2024 de CPOM_OS_3.")
    ]
    statuses = [e.detail for e in read_audit(store, ADMIN, action="changement_statut")]
    assert statuses == [
        "soumis → valide (version 3)",
        "a_corriger → soumis (version 3)",
        "soumis → a_corriger (version 2)",
        "brouillon → soumis (version 2)",
    ]


def test_validating_needs_a_submitted_dossier(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    with pytest.raises(StatusError, match="est « brouillon »"):
        validate_dossier(store, REF_31, FINESS)
    with pytest.raises(NotFoundError):
        submit(store, OTHER_ETAB, "340000456")


# --- comments ------------------------------------------------------------------------------


def test_comments_on_the_dossier_and_on_an_indicator_keep_their_version(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    add_comment(store, REF_31, FINESS, "Bonne sélection d'ensemble.")
    save_draft(store, ETAB, FINESS, VALID, version=1)
    on_indicator = add_comment(store, ETAB, FINESS, "Valeur 2024 vérifiée.", indicateur="os_3")
    assert on_indicator.indicateur == "CPOM_OS_3"
    comments = list_comments(store, REF_REGION, FINESS)
    assert [(c.version, c.indicateur, c.auteur, c.role) for c in comments] == [
        (1, None, "ref31@ars.fr", "referent"),
        (2, "CPOM_OS_3", "dir@ch-exemple.fr", "etablissement"),
    ]
    with pytest.raises(InvalidRequestError, match="n'est pas dans le dossier"):
        add_comment(store, REF_31, FINESS, "Et celui-ci ?", indicateur="CPOM_OS_99")
    with pytest.raises(InvalidRequestError, match="obligatoire"):
        add_comment(store, REF_31, FINESS, "")


# --- access control: every wrong user is refused by the service ------------------------------


def _seed(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    save_draft(
        store, OTHER_ETAB, "340000456", draft_of("340000456", name="CH de l'Hérault"), version=0
    )
    submit(store, ETAB, FINESS)


WRONG_USERS = [
    pytest.param(OTHER_ETAB, lambda s: get_dossier(s, OTHER_ETAB, FINESS), id="etab-reads-other"),
    pytest.param(
        OTHER_ETAB, lambda s: list_versions(s, OTHER_ETAB, FINESS), id="etab-lists-other-versions"
    ),
    pytest.param(
        OTHER_ETAB, lambda s: get_version(s, OTHER_ETAB, FINESS, 1), id="etab-reads-other-version"
    ),
    pytest.param(
        OTHER_ETAB,
        lambda s: save_draft(s, OTHER_ETAB, FINESS, VALID, version=1),
        id="etab-writes-other",
    ),
    pytest.param(OTHER_ETAB, lambda s: submit(s, OTHER_ETAB, FINESS), id="etab-submits-other"),
    pytest.param(
        OTHER_ETAB, lambda s: add_comment(s, OTHER_ETAB, FINESS, "Hé !"), id="etab-comments-other"
    ),
    pytest.param(
        OTHER_ETAB, lambda s: list_comments(s, OTHER_ETAB, FINESS), id="etab-reads-other-comments"
    ),
    pytest.param(
        OTHER_ETAB,
        lambda s: export_dossier(s, OTHER_ETAB, FINESS, fmt="json"),
        id="etab-exports-other",
    ),
    pytest.param(ETAB, lambda s: validate_dossier(s, ETAB, FINESS), id="etab-validates-own"),
    pytest.param(
        ETAB, lambda s: send_back(s, ETAB, FINESS, "Je me renvoie"), id="etab-sends-back-own"
    ),
    pytest.param(REF_34, lambda s: get_dossier(s, REF_34, FINESS), id="referent-reads-other-dept"),
    pytest.param(
        REF_34, lambda s: validate_dossier(s, REF_34, FINESS), id="referent-validates-other-dept"
    ),
    pytest.param(
        REF_34, lambda s: send_back(s, REF_34, FINESS, "Non."), id="referent-sends-back-other-dept"
    ),
    pytest.param(
        REF_34, lambda s: add_comment(s, REF_34, FINESS, "Non."), id="referent-comments-other-dept"
    ),
    pytest.param(
        REF_31,
        lambda s: save_draft(s, REF_31, "340000456", draft_of("340000456"), version=1),
        id="referent-writes-other-dept",
    ),
    pytest.param(
        REF_31,
        lambda s: save_draft(s, REF_31, FINESS, VALID, version=1),
        id="referent-writes-own-dept",
    ),
    pytest.param(REF_31, lambda s: submit(s, REF_31, FINESS), id="referent-submits"),
    pytest.param(ETAB, lambda s: read_audit(s, ETAB), id="etab-reads-audit"),
    pytest.param(REF_REGION, lambda s: read_audit(s, REF_REGION), id="referent-reads-audit"),
]


@pytest.mark.parametrize(("actor", "call"), WRONG_USERS)
def test_wrong_user_is_refused_and_nothing_changes(store: Store, actor: Actor, call: Any) -> None:
    _seed(store)
    before = (versions_count(store), get_dossier(store, ADMIN, FINESS).statut)
    audit_before = len(read_audit(store, ADMIN))
    with pytest.raises(AccessDeniedError) as refused:
        call(store)
    assert refused.value.http_status == 403
    assert (
        "refusé" in refused.value.message
        or "réservée" in refused.value.message
        or (
            "Seul le référent" in refused.value.message
            or "Un référent ne modifie pas" in refused.value.message
        )
    )
    assert (versions_count(store), get_dossier(store, ADMIN, FINESS).statut) == before
    assert len(read_audit(store, ADMIN)) == audit_before


def test_lists_show_only_what_the_caller_may_see(store: Store) -> None:
    _seed(store)
    save_draft(store, ADMIN, "2A0000017", draft_of("2A0000017", name="CH d'Ajaccio"), version=0)
    assert [d.finess_ej for d in list_dossiers(store, ETAB)] == [FINESS]
    assert [d.finess_ej for d in list_dossiers(store, OTHER_ETAB)] == ["340000456"]
    assert [d.finess_ej for d in list_dossiers(store, REF_31)] == [FINESS]
    assert [d.finess_ej for d in list_dossiers(store, REF_34)] == ["340000456"]
    assert len(list_dossiers(store, REF_REGION)) == 3
    corsica = Actor(email="ref2a@ars.fr", role="referent", departements=("2A",), user_id=30)
    assert [(d.finess_ej, d.departement) for d in list_dossiers(store, corsica)] == [
        ("2A0000017", "2A")
    ]
    assert [d.finess_ej for d in list_dossiers(store, ADMIN, statut="soumis")] == [FINESS]
    assert [d.finess_ej for d in list_dossiers(store, LOCAL_ADMIN, departement="34")] == [
        "340000456"
    ]
    # a referent filtering on another département gets nothing, not an error that leaks
    assert list_dossiers(store, REF_31, departement="34") == []


def test_unknown_dossier_within_scope_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError) as missing:
        get_dossier(store, REF_31, "310009999")
    assert missing.value.http_status == 404
    assert "Aucun dossier pour le FINESS 310009999" in missing.value.message
    with pytest.raises(AccessDeniedError):  # outside scope: 403 before any lookup
        get_dossier(store, REF_34, "310009999")


# --- audit ---------------------------------------------------------------------------------


def test_saves_comments_exports_are_audited_with_who(store: Store) -> None:
    save_draft(store, ETAB, FINESS, VALID, version=0)
    add_comment(store, REF_31, FINESS, "Vu.")
    export_dossier(store, LOCAL_ADMIN, FINESS, fmt="xlsx")
    entries = read_audit(store, ADMIN, finess=FINESS)
    assert [(e.action, e.acteur) for e in entries] == [
        ("export", "admin-local (ligne de commande)"),
        ("commentaire", "ref31@ars.fr"),
        ("enregistrement", "dir@ch-exemple.fr"),
    ]
    assert entries[0].detail == "version 1 en xlsx"
    assert entries[0].le >= entries[2].le
