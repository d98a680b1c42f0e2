"""The establishment's dossier in the page: saved in the database, found again, submitted.

The page's handlers on a real SQLite store with real accounts (logged in through the store),
the repo corpus and rules; the same code serves the browser journeys of ``test_journeys.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.api import ApiContext
from assistant.config import Settings
from assistant.errors import (
    AccessDeniedError,
    InvalidRequestError,
    StatusError,
    VersionConflictError,
)
from assistant.index.build import ingest
from assistant.store import (
    Actor,
    Store,
    add_comment,
    get_dossier,
    login,
    open_store,
    send_back,
)
from assistant.store.review import SubmissionRefusedError
from assistant.ui.dossier_sync import (
    WORKSPACE_KEY,
    Saved,
    dossier_finess,
    dossier_of,
    is_dirty,
    may_edit,
    open_dossier,
    save,
    status_line,
)
from assistant.ui.identity import actor_of, user_banner
from assistant.ui.service import AppContext, IndexService
from assistant.ui.tabs import my_dossier
from assistant.ui.workspace import Dossier, ProfileForm
from tests.api_fixtures import ACCOUNTS, FINESS, OTHER_FINESS, PASSWORD, add_accounts
from tests.postgres_fixtures import FAST_HASHER, store_checker

__all__ = ["store_checker"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parent.parent
VALID = json.loads((ROOT / "examples" / "brouillon-valide.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory, store_checker: object) -> AppContext:
    tmp = tmp_path_factory.mktemp("dossier")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        index_dir=tmp / "index",
        embedding_cache_dir=tmp / "cache",
        llm_provider="none",
        mode="shared",
    )
    ingest(settings, dense=False)
    store = open_store(f"sqlite:///{tmp / 'cpom.db'}", checker=store_checker, hasher=FAST_HASHER)  # type: ignore[arg-type]
    add_accounts(store)
    api = ApiContext(settings, store=store)
    return AppContext(settings, IndexService(settings), tmp / "var", api=api)


@pytest.fixture(autouse=True)
def _empty(ctx: AppContext) -> None:
    from tests.api_fixtures import clear_dossiers

    clear_dossiers(ctx.store())


def _actor(store: Store, who: str) -> Actor:
    return login(store, str(ACCOUNTS[who]["email"]), PASSWORD).actor


def _valid(ctx: AppContext) -> Dossier:
    return dossier_of(VALID, ctx.kb())


def test_a_saved_dossier_is_found_from_another_browser(ctx: AppContext) -> None:
    etab = _actor(ctx.store(), "etab")
    saved = save(ctx, etab, _valid(ctx), Saved())
    assert (saved.finess, saved.version, saved.statut) == (FINESS, 1, "brouillon")
    # a fresh browser: nothing kept, the database copy is shown
    found, known = open_dossier(ctx, etab, Dossier(), Saved())
    assert found.codes() == _valid(ctx).codes()
    assert found.profil.raison_sociale == "Centre hospitalier de Saint-Exemple"
    assert known.version == 1
    assert not is_dirty(ctx, found, known)
    # the page's own fields travel with the version, beside the validator's draft
    stored = get_dossier(ctx.store(), etab, FINESS).brouillon
    assert stored[WORKSPACE_KEY]["profil"]["priorites"] == found.profil.priorites
    assert [i["code"] for i in stored["indicateurs"]] == found.codes()


def test_unsaved_work_of_this_browser_is_kept_a_newer_save_elsewhere_wins(
    ctx: AppContext,
) -> None:
    etab = _actor(ctx.store(), "etab")
    first = save(ctx, etab, _valid(ctx), Saved())
    edited = _valid(ctx).model_copy(
        update={"profil": _valid(ctx).profil.model_copy(update={"lits": 400})}
    )
    kept, known = open_dossier(ctx, etab, edited, first)  # reload: same version, edits kept
    assert kept.profil.lits == 400
    assert is_dirty(ctx, kept, known)
    # another computer saves version 2; this browser's copy (read from version 1) gives way
    save(ctx, etab, _valid(ctx).model_copy(update={"lignes": _valid(ctx).lignes[:7]}), first)
    shown, known = open_dossier(ctx, etab, edited, first)
    assert known.version == 2
    assert len(shown.lignes) == 7
    assert shown.profil.lits == 350


def test_a_save_on_an_old_version_is_refused_and_writes_nothing(ctx: AppContext) -> None:
    etab = _actor(ctx.store(), "etab")
    first = save(ctx, etab, _valid(ctx), Saved())
    save(ctx, etab, _valid(ctx), first)  # version 2, from another browser
    with pytest.raises(VersionConflictError):
        save(ctx, etab, _valid(ctx), first)
    assert open_dossier(ctx, etab, Dossier(), Saved())[1].version == 2


def test_the_status_line_gives_version_time_author_and_unsaved_work(ctx: AppContext) -> None:
    etab = _actor(ctx.store(), "etab")
    assert "pas encore enregistré" in status_line(Saved(finess=FINESS))
    saved = save(ctx, etab, _valid(ctx), Saved())
    line = status_line(saved, dirty=True)
    assert "version 1 enregistrée le " in line
    assert " à " in line
    assert "par dir@ch-exemple.fr" in line
    assert "brouillon" in line
    assert "modifications non enregistrées" in line


def test_an_establishment_always_edits_its_own_dossier(ctx: AppContext) -> None:
    etab, other = _actor(ctx.store(), "etab"), _actor(ctx.store(), "autre_etab")
    save(ctx, etab, _valid(ctx), Saved())
    # another establishment typing the first one's FINESS gets its own dossier, not the other's
    assert dossier_finess(other, _valid(ctx)) == OTHER_FINESS
    with pytest.raises(InvalidRequestError, match="340000456"):
        save(ctx, other, _valid(ctx), Saved())
    # the first establishment's copy left in a shared browser is not shown to the second one
    shown, known = open_dossier(ctx, other, _valid(ctx), Saved())
    assert shown.lignes == []
    assert shown.profil.finess_ej == OTHER_FINESS
    assert known.version == 0
    # nor by asking the tab for the first one's dossier
    with pytest.raises(AccessDeniedError):
        my_dossier.view(ctx, other, Dossier(), Saved(finess=FINESS, version=1))


def test_a_referent_has_no_dossier_of_its_own(ctx: AppContext) -> None:
    referent = _actor(ctx.store(), "ref31")
    assert not may_edit(referent)
    assert open_dossier(ctx, referent, _valid(ctx), Saved()) == (Dossier(), Saved())
    with pytest.raises(AccessDeniedError):
        save(ctx, referent, _valid(ctx).model_copy(), Saved())


def test_submit_is_disabled_with_the_reason_while_there_are_errors(ctx: AppContext) -> None:
    etab = _actor(ctx.store(), "etab")
    broken = _valid(ctx).model_copy(update={"lignes": _valid(ctx).lignes[:3]})
    saved = save(ctx, etab, broken, Saved())
    _status, button, reason, findings, *_ = my_dossier.view(ctx, etab, broken, saved)
    assert button["interactive"] is False
    assert "erreur" in reason
    assert "Corrigez" in reason
    assert "SEL-MIN" in findings  # the findings, with the rule and the guide's words
    with pytest.raises(SubmissionRefusedError):
        my_dossier.submit_dossier(ctx, etab, broken, saved)


def test_submit_then_comments_beside_the_indicator_then_correct(ctx: AppContext) -> None:
    store = ctx.store()
    etab, referent = _actor(store, "etab"), _actor(store, "ref31")
    dossier = _valid(ctx)
    saved = my_dossier.submit_dossier(ctx, etab, dossier, Saved())  # saves first, then submits
    assert (saved.statut, saved.version) == ("soumis", 1)
    _, button, reason, *_ = my_dossier.view(ctx, etab, dossier, saved)
    assert button["interactive"] is False
    assert "soumis" in reason
    with pytest.raises(StatusError):  # a submitted dossier is no longer edited
        save(ctx, etab, dossier, saved)
    code = dossier.codes()[0]
    add_comment(store, referent, FINESS, "Valeur 2024 à sourcer.", indicateur=code)
    send_back(store, referent, FINESS, "Merci de préciser les sources.")
    _, known = open_dossier(ctx, etab, dossier, saved)
    assert known.statut == "a_corriger"
    assert known.editable
    _, _, _, _, rows, general, history = my_dossier.view(ctx, etab, dossier, known)
    beside = {row[0]: row[4] for row in rows}
    assert "Valeur 2024 à sourcer." in beside[code]
    assert all(v == "—" for c, v in beside.items() if c != code)
    assert "Merci de préciser les sources." in general
    assert [row[0] for row in history] == ["1"]
    again = save(ctx, etab, dossier, known)
    assert again.version == 2
    assert again.statut == "a_corriger"


def test_the_page_knows_its_user_from_the_session_cookie(ctx: AppContext) -> None:
    from starlette.requests import Request

    token = login(ctx.store(), "dir@ch-exemple.fr", PASSWORD).token

    def request(cookie: str | None) -> object:
        headers = [(b"host", b"127.0.0.1")]
        if cookie:
            headers.append((b"cookie", f"cpom_session={cookie}".encode()))
        scope = {"type": "http", "method": "POST", "headers": headers, "client": ("127.0.0.1", 1)}

        class GrRequest:  # what gr.Request carries: the underlying request
            def __init__(self) -> None:
                self.request = Request(scope)

        return GrRequest()

    actor = actor_of(ctx, request(token))
    assert (actor.email, actor.role, actor.finess) == (
        "dir@ch-exemple.fr",
        "etablissement",
        (FINESS,),
    )
    banner = user_banner(actor, shared=True)
    assert "dir@ch-exemple.fr" in banner
    assert "établissement" in banner
    assert "Se déconnecter" in banner
    assert "/deconnexion" in banner
    from assistant.errors import NotAuthenticatedError

    with pytest.raises(NotAuthenticatedError):
        actor_of(ctx, request(None))  # shared mode: no cookie, no user
    with pytest.raises(NotAuthenticatedError):
        actor_of(ctx, request("forged-token"))


def test_an_imported_dossier_opens_in_the_page(ctx: AppContext) -> None:
    from assistant.store import LOCAL_ADMIN, save_draft

    save_draft(ctx.store(), LOCAL_ADMIN, FINESS, VALID, version=0)  # no page fields
    shown, known = open_dossier(ctx, _actor(ctx.store(), "etab"), Dossier(), Saved())
    assert shown.codes() == [i["code"] for i in VALID["indicateurs"]]
    line = shown.lignes[0]
    assert line.libelle
    assert line.cibles == VALID["indicateurs"][0]["cibles"]
    assert shown.profil == ProfileForm(**{**shown.profil.model_dump(), **VALID["etablissement"]})
    assert known.version == 1


def test_the_saved_version_exports_as_the_whole_draft_does(ctx: AppContext) -> None:
    from assistant.errors import InvalidInputError
    from assistant.rules import validate_path

    etab = _actor(ctx.store(), "etab")
    with pytest.raises(InvalidInputError, match="enregistrez"):
        my_dossier.export_saved(ctx, etab, Saved(finess=FINESS))
    saved = save(ctx, etab, _valid(ctx), Saved())
    xlsx, json_path = my_dossier.export_saved(ctx, etab, saved)
    assert xlsx.name == f"brouillon-cpom-{FINESS}.xlsx"
    report = validate_path(json_path, kb=ctx.kb(), rules=ctx.rules())
    assert report.valid
    with pytest.raises(AccessDeniedError):
        my_dossier.export_saved(ctx, _actor(ctx.store(), "autre_etab"), saved)


def test_the_referent_sees_changes_of_the_draft_not_of_the_pages_copy(ctx: AppContext) -> None:
    from assistant.store import changes_since_send_back, submit
    from assistant.ui.stored_dossier import changes_html

    store = ctx.store()
    etab, referent = _actor(store, "etab"), _actor(store, "ref31")
    saved = save(ctx, etab, _valid(ctx), Saved())
    submit(store, etab, FINESS)
    send_back(store, referent, FINESS, "Revoir la cible 2029.")
    first = _valid(ctx).lignes[0]
    line = first.model_copy(update={"cibles": {**first.cibles, "2029": 99}})
    corrected = _valid(ctx).model_copy(update={"lignes": [line, *_valid(ctx).lignes[1:]]})
    save(ctx, etab, corrected, saved.model_copy(update={"statut": "a_corriger"}))
    shown = changes_html(changes_since_send_back(store, referent, FINESS), ctx.kb())
    assert "1 modification." in shown
    assert first.code in shown
    assert "→ 99" in shown
    assert WORKSPACE_KEY not in shown
    assert "lignes[" not in shown


def test_only_an_establishment_or_the_local_user_has_a_dossier_to_save(ctx: AppContext) -> None:
    from assistant.store import LOCAL_USER
    from assistant.ui.dossier_sync import has_own_dossier

    store = ctx.store()
    assert has_own_dossier(_actor(store, "etab"), shared=True)
    assert has_own_dossier(LOCAL_USER, shared=False)
    assert not has_own_dossier(_actor(store, "admin"), shared=True)  # tools, no save bar
    assert not has_own_dossier(_actor(store, "ref31"), shared=True)
