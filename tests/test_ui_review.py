"""« Dossiers à examiner »: the tab's handlers against a real SQLite store, real accounts logged
in with their session cookie (as the browser sends it), and the real validator.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from starlette.requests import Request

from assistant.api import SESSION_COOKIE, ApiContext
from assistant.store import (
    Store,
    authenticate_session,
    get_dossier,
    list_comments,
    login,
    open_store,
    save_draft,
    submit,
)
from assistant.ui.review_queue import NO_DOSSIER, QUEUE_HEADERS
from assistant.ui.service import AppContext, IndexService
from assistant.ui.tabs import review
from tests.api_fixtures import ACCOUNTS, CORPUS, FINESS, OTHER_FINESS, PASSWORD, add_accounts
from tests.conftest import make_settings
from tests.postgres_fixtures import FAST_HASHER, store_checker
from tests.test_dossiers_store import ADMIN, VALID, WITH_ERRORS, draft_of

__all__ = ["store_checker"]

ARIEGE = "090000017"  # Ariège (09): REF 31's scope too; no account


@pytest.fixture(scope="module")
def app_ctx(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    """The page's context in shared mode over the real corpus (knowledge base loaded once)."""
    tmp = tmp_path_factory.mktemp("review")
    settings = make_settings(tmp, corpus_dir=CORPUS, mode="shared")
    return AppContext(settings, IndexService(settings), tmp / "var")


@pytest.fixture
def store(tmp_path: Path, store_checker: Any) -> Iterator[Store]:
    sqlite_store = open_store(
        f"sqlite:///{tmp_path / 'cpom.db'}", checker=store_checker, hasher=FAST_HASHER
    )
    add_accounts(sqlite_store)
    yield sqlite_store
    sqlite_store.close()


@pytest.fixture
def ctx(app_ctx: AppContext, store: Store) -> Iterator[AppContext]:
    app_ctx.api = ApiContext(app_ctx.settings, store=store)
    yield app_ctx
    app_ctx.api = None


def as_user(store: Store, who: str) -> gr.Request:
    """A page event from the browser of ``who`` (an account of tests/api_fixtures.py), logged in."""
    session = login(store, str(ACCOUNTS[who]["email"]), PASSWORD)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/gradio_api/queue/join",
        "headers": [
            (b"host", b"127.0.0.1:7860"),
            (b"cookie", f"{SESSION_COOKIE}={session.token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "query_string": b"",
    }
    return gr.Request(request=Request(scope))


def actor(store: Store, who: str) -> Any:
    session = login(store, str(ACCOUNTS[who]["email"]), PASSWORD)
    return authenticate_session(store, session.token)


def seed(store: Store) -> None:
    """310000123 submitted by its establishment; 090000017 with errors, saved last; 340000456
    has an account and no dossier."""
    etab = actor(store, "etab")
    save_draft(store, etab, FINESS, VALID, version=0)
    submit(store, etab, FINESS)
    save_draft(
        store, ADMIN, ARIEGE, draft_of(ARIEGE, WITH_ERRORS, name="CH de l'Ariège"), version=0
    )


def corrected() -> dict[str, Any]:
    tree = copy.deepcopy(VALID)
    for item in tree["indicateurs"]:
        if item["code"] == "CPOM_OS_3":
            item["cibles"]["2029"] = 16
    return tree


def column(view: review.QueueView, header: str) -> list[Any]:
    index = QUEUE_HEADERS.index(header)
    return [row[index] for row in view.rows]


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_referents_dossiers_newest_first(ctx: AppContext, store: Store) -> None:
    seed(store)
    view = review.show_queue(ctx, as_user(store, "ref31"))
    assert view.notice == ""
    assert column(view, "FINESS") == [ARIEGE, FINESS]
    assert column(view, "Statut") == ["brouillon", "soumis"]
    assert column(view, "Raison sociale") == [
        "CH de l'Ariège",
        "Centre hospitalier de Saint-Exemple",
    ]
    assert column(view, "Erreurs") == [3, 0]
    assert column(view, "Indicateurs") == [5, 8]
    changed = column(view, "Dernière modification")[1]
    assert changed.endswith(" par dir@ch-exemple.fr")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d par dir@ch-exemple\.fr", changed)
    assert view.departements == ["Tous", "09", "31"]
    assert view.dossiers == [
        (f"{ARIEGE} — CH de l'Ariège", ARIEGE),
        (f"{FINESS} — Centre hospitalier de Saint-Exemple", FINESS),
    ]
    assert view.count == "**2 dossiers, dont 1 soumis à examiner, 1 avec des erreurs.**"


def test_an_establishment_without_dossier_is_listed_after_the_dossiers(
    ctx: AppContext, store: Store
) -> None:
    seed(store)
    view = review.show_queue(ctx, as_user(store, "admin"))
    assert column(view, "FINESS") == [ARIEGE, FINESS, OTHER_FINESS]
    assert column(view, "Statut")[-1] == "pas de dossier"
    assert column(view, "Dernière modification")[-1] == "—"
    assert [finess for _, finess in view.dossiers] == [ARIEGE, FINESS]  # nothing to open
    assert view.count.endswith("; 1 établissement sans dossier.**")
    assert column(review.show_queue(ctx, as_user(store, "ref34")), "FINESS") == [OTHER_FINESS]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(("09", "", False), [ARIEGE], id="departement"),
        pytest.param(("Tous", "soumis", False), [FINESS], id="status"),
        pytest.param(("Tous", "", True), [ARIEGE], id="errors"),
        pytest.param(("Tous", NO_DOSSIER, False), [OTHER_FINESS], id="no-dossier"),
        pytest.param(("31", "brouillon", False), [], id="nothing"),
    ],
)
def test_filters(
    ctx: AppContext, store: Store, filters: tuple[str, str, bool], expected: list[str]
) -> None:
    seed(store)
    view = review.show_queue(ctx, as_user(store, "admin"), *filters)
    assert column(view, "FINESS") == expected
    if not expected:
        assert view.count == "Aucun dossier à afficher."


def test_an_establishment_is_told_the_tab_is_for_referents_and_sees_no_data(
    ctx: AppContext, store: Store
) -> None:
    seed(store)
    view = review.show_queue(ctx, as_user(store, "etab"))
    assert "réservée aux référents ARS" in view.notice
    assert (view.rows, view.dossiers, view.count) == ([], [], "")
    notice, body, rows, count, picker, *_ = review.refresh(ctx, actor(store, "etab"))
    assert notice["visible"] is True
    assert "réservée aux référents ARS" in notice["value"]
    assert body["visible"] is False
    assert (rows, count, picker["choices"]) == ([], "", [])


def test_refresh_fills_the_list_and_the_departements_of_the_scope(
    ctx: AppContext, store: Store
) -> None:
    seed(store)
    values = review.refresh(ctx, actor(store, "ref31"))
    notice, body, rows, _, _, departements, statut, errors_only, view = values
    assert (notice["visible"], body["visible"], view["visible"]) == (False, True, False)
    assert [row[0] for row in rows] == [ARIEGE, FINESS]
    assert departements["choices"] == ["Tous", "09", "31"]
    assert (statut, errors_only) == ("", False)


# --- one dossier ---------------------------------------------------------------------------


def test_open_a_dossier_shows_its_version_findings_and_comments(
    ctx: AppContext, store: Store
) -> None:
    seed(store)
    view = review.open_dossier(ctx, as_user(store, "ref31"), ARIEGE)
    assert "CH de l&#x27;Ariège — FINESS 090000017" in view.header
    assert "Statut\u00a0: brouillon" in view.header
    assert "<th>Lits</th><td>350</td>" in view.content
    for text in ("CPOM_OS_3", "Valeur 2024", "2029", "Justification", "Ce choix prolonge"):
        assert text in view.content
    assert "Brouillon non conforme" in view.report
    assert "SEL-MIN-OS" in view.report
    assert 'class="cpom-quote"' in view.report  # the guide's words
    assert "jamais été renvoyé" in view.changes
    assert view.comments == "<p>Aucun commentaire pour l'instant.</p>"
    assert view.indicators[0] == ("Dossier entier", "")
    assert ("CPOM_OS_3", "CPOM_OS_3") in view.indicators


def test_comment_on_one_indicator(ctx: AppContext, store: Store) -> None:
    seed(store)
    request = as_user(store, "ref31")
    view = review.comment(ctx, request, FINESS, "CPOM_OS_3", "Cible 2029 <b>ambitieuse</b> ?")
    assert view.message == "Commentaire ajouté sur l'indicateur CPOM_OS_3."
    assert "<strong>CPOM_OS_3</strong> — ref31@ars.fr (référent ARS)" in view.comments
    assert "&lt;b&gt;ambitieuse&lt;/b&gt;" in view.comments  # shown, never run
    whole = review.comment(ctx, request, FINESS, "", "Dossier clair.")
    assert whole.message == "Commentaire ajouté sur le dossier entier."
    comments = list_comments(store, ADMIN, FINESS)
    assert [(c.indicateur, c.version) for c in comments] == [("CPOM_OS_3", 1), (None, 1)]
    with pytest.raises(gr.Error, match="obligatoire"):
        review.comment(ctx, request, FINESS, "CPOM_OS_3", "  ")


def test_send_back_without_comment_is_refused_in_french(ctx: AppContext, store: Store) -> None:
    seed(store)
    with pytest.raises(gr.Error) as refused:
        review.send_back_dossier(ctx, as_user(store, "ref31"), FINESS, "   ")
    assert "Un commentaire est obligatoire pour renvoyer un dossier" in refused.value.message
    assert get_dossier(store, ADMIN, FINESS).statut == "soumis"
    with pytest.raises(gr.Error, match="Choisissez d"):
        review.send_back_dossier(ctx, as_user(store, "ref31"), None, "Pourquoi ?")


def test_send_back_correction_diff_then_validate(ctx: AppContext, store: Store) -> None:
    seed(store)
    referent = as_user(store, "ref31")
    back = review.send_back_dossier(ctx, referent, FINESS, "La cible 2029 de CPOM_OS_3 ?")
    assert back.message.startswith(f"Dossier FINESS {FINESS} renvoyé pour correction")
    assert "Statut\u00a0: à corriger" in back.header
    assert "Aucune modification depuis la version 1" in back.changes
    assert "La cible 2029 de CPOM_OS_3\u00a0?" in back.comments
    listed = review.show_queue(ctx, referent, "31")
    assert column(listed, "Statut") == ["à corriger"]

    etab = actor(store, "etab")
    save_draft(store, etab, FINESS, corrected(), version=1)
    submit(store, etab, FINESS)
    view = review.open_dossier(ctx, referent, FINESS)
    assert "De la version 1, renvoyée pour correction, à la version 2" in view.changes
    assert "1 modification." in view.changes
    assert "<h4>CPOM_OS_3 — " in view.changes
    assert "<li>Cible 2029\u00a0: 15 → 16</li>" in view.changes
    assert view.changes.count("<h4>") == 1  # exactly the changed indicator

    done = review.validate(ctx, referent, FINESS, "")
    assert done.message == f"Dossier FINESS {FINESS} validé."
    assert "Statut\u00a0: validé" in done.header
    with pytest.raises(gr.Error, match="on ne peut le valider que s"):
        review.validate(ctx, referent, FINESS, "")


# --- the wrong user ------------------------------------------------------------------------

OUTSIDE = [
    pytest.param(lambda ctx, r: review.open_dossier(ctx, r, FINESS), id="open"),
    pytest.param(lambda ctx, r: review.comment(ctx, r, FINESS, "CPOM_OS_3", "Non."), id="comment"),
    pytest.param(lambda ctx, r: review.send_back_dossier(ctx, r, FINESS, "Non."), id="send-back"),
    pytest.param(lambda ctx, r: review.validate(ctx, r, FINESS, ""), id="validate"),
]


@pytest.mark.parametrize("call", OUTSIDE)
def test_a_referent_of_another_departement_is_refused_in_french(
    ctx: AppContext, store: Store, call: Any
) -> None:
    seed(store)
    with pytest.raises(gr.Error) as refused:
        call(ctx, as_user(store, "ref34"))
    assert "hors de vos départements\u00a0: accès refusé" in refused.value.message
    assert "Traceback" not in refused.value.message
    assert get_dossier(store, ADMIN, FINESS).statut == "soumis"
    assert list_comments(store, ADMIN, FINESS) == []


def test_an_establishment_cannot_send_back_or_validate_its_own_dossier(
    ctx: AppContext, store: Store
) -> None:
    seed(store)
    for call in (review.send_back_dossier, review.validate):
        with pytest.raises(gr.Error, match="Seul le référent ARS"):
            call(ctx, as_user(store, "etab"), FINESS, "Je me valide.")
    assert get_dossier(store, ADMIN, FINESS).statut == "soumis"


def test_without_a_session_the_page_asks_to_log_in(ctx: AppContext, store: Store) -> None:
    with pytest.raises(gr.Error, match="Connexion requise"):
        review.open_dossier(ctx, None, FINESS)


# --- layout --------------------------------------------------------------------------------


def test_the_tab_builds_in_blocks_and_gradio_gives_each_handler_its_request(
    ctx: AppContext,
) -> None:
    from gradio.helpers import special_args

    with gr.Blocks() as demo:
        tab = review.build()
        review.wire(tab, ctx)
    assert len(review.refresh_outputs(tab)) == 9
    request = gr.Request()
    clicked = gr.SelectData(None, {"index": [1, 3], "value": "soumis", "row_value": [FINESS]})
    handlers = [dep.fn for dep in demo.fns.values() if dep.fn is not None]
    names = {fn.__name__ for fn in handlers}
    assert {"on_filter", "on_open", "on_row", "on_comment", "on_send_back", "on_validate"} <= names
    for fn in handlers:
        params = fn.__code__.co_varnames[: fn.__code__.co_argcount]
        values = [None] * (len(params) - 1)
        inputs, _, _, _ = special_args(fn, inputs=values, request=request, event_data=clicked)
        if "request" in params:
            assert inputs[params.index("request")] is request, fn.__name__
        if "evt" in params:
            assert isinstance(inputs[params.index("evt")], gr.SelectData), fn.__name__
            assert fn(*inputs) == FINESS  # a clicked row opens its dossier
