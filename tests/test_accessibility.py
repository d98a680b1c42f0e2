"""RGAA / WCAG 2.1 AA in a real browser: axe-core on the login page and on each tab, and the
keyboard alone through the login form and the tabs.

The login page is served by the app in shared mode, the tabs by the app in local mode: the
session's ``shared_app`` and ``app_url`` (tests/browser_fixtures.py), one process each. What
Gradio's own components get wrong is allowed by ``tests.accessibility.GRADIO_INTERNAL``, with
the reason; axe's full results go to ``test-artifacts/axe/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.accessibility import axe_violations, describe_violations
from tests.api_fixtures import ACCOUNTS, PASSWORD, ApiServer
from tests.browser_fixtures import ARTIFACTS, open_page

pytestmark = pytest.mark.browser

TABS = [
    pytest.param("Questions", "#question textarea", id="questions"),
    pytest.param("Choisir mes indicateurs", "#raison textarea", id="selection"),
    pytest.param("Rédiger une justification", "#baseline textarea", id="justification"),
    pytest.param("Vérifier un CPOM", "#verify", id="verifier"),
    pytest.param("Documents", "#index-status table", id="documents"),
]
"""Each tab of the local app, and an element that shows it has rendered."""


def _assert_no_violations(page: Any, context: str) -> None:
    violations = axe_violations(page, context=context)
    ARTIFACTS.joinpath("axe").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "axe" / f"{context}.png"), full_page=True)
    assert not violations, describe_violations(violations)


def _focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
            " role: document.activeElement.getAttribute('role') || '',"
            " text: document.activeElement.innerText || ''})"
        )
    )


@pytest.fixture(scope="module")
def app_page(browser: Any, app_url: tuple[str, Path]) -> Iterator[Any]:
    """One page on the local app for the module's tab checks (a page load is seconds)."""
    with open_page(browser, app_url[0]) as page:
        page.wait_for_selector("#question textarea")
        yield page


# --- the login page (shared mode) -----------------------------------------------------------


def test_login_page_has_no_axe_violation(browser: Any, shared_app: ApiServer) -> None:
    with open_page(browser, shared_app.url + "/connexion") as page:
        page.get_by_role("button", name="Se connecter").wait_for()
        _assert_no_violations(page, "connexion")


def test_login_form_works_with_the_keyboard_alone(browser: Any, shared_app: ApiServer) -> None:
    email = str(ACCOUNTS["etab"]["email"])
    with open_page(browser, shared_app.url + "/connexion") as page:
        page.get_by_role("button", name="Se connecter").wait_for()
        page.keyboard.press("Tab")
        assert _focused(page)["id"] == "email"
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        assert _focused(page)["id"] == "mot_de_passe"
        page.keyboard.type("pas-le-bon-mot-de-passe")
        page.keyboard.press("Enter")  # Enter in a field submits the form
        page.get_by_role("alert").get_by_text("mot de passe incorrect").wait_for()
        _assert_no_violations(page, "connexion-erreur")

        page.keyboard.press("Control+A")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Tab")
        button = _focused(page)
        assert (button["tag"], button["text"]) == ("BUTTON", "Se connecter")
        page.keyboard.press("Enter")
        page.wait_for_url(shared_app.url + "/")
        page.wait_for_selector("#question textarea")


# --- the app's tabs (local mode) ------------------------------------------------------------


@pytest.mark.parametrize(("name", "rendered"), TABS)
def test_tab_has_no_axe_violation(app_page: Any, name: str, rendered: str) -> None:
    tab = app_page.get_by_role("tab", name=name, exact=True)
    tab.click()
    app_page.locator(rendered).first.wait_for(state="visible")
    _assert_no_violations(app_page, f"onglet-{tab.get_attribute('data-tab-id')}")
    # axe leaves the tabs' contrast « incomplete » (Gradio's pseudo-elements hide their
    # background): the selected one is blue France on white (14.9:1), not #3b82f6 (3.7:1)
    assert tab.evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 145)"


def test_tabs_are_reached_and_switched_with_the_keyboard(app_page: Any) -> None:
    app_page.locator(".cpom-header h1").click()  # the sequential focus starts at the header
    for _ in range(10):
        app_page.keyboard.press("Tab")
        if _focused(app_page)["role"] == "tab":
            break
    assert (_focused(app_page)["role"], _focused(app_page)["text"]) == ("tab", "Questions")
    for name, rendered in [
        ("Choisir mes indicateurs", "#raison textarea"),
        ("Documents", "#catalog"),
    ]:
        while _focused(app_page)["text"] != name:
            app_page.keyboard.press("Tab")
            assert _focused(app_page)["role"] == "tab", "Tab left the tab list"
        app_page.keyboard.press("Enter")
        tab = app_page.get_by_role("tab", name=name, exact=True)
        assert tab.get_attribute("aria-selected") == "true"
        app_page.locator(rendered).first.wait_for(state="visible")
    app_page.keyboard.press("Shift+Tab")  # back to the tab before « Documents »
    previous = _focused(app_page)["text"]
    app_page.keyboard.press("Space")
    tab = app_page.get_by_role("tab", name=previous, exact=True)
    assert tab.get_attribute("aria-selected") == "true"
