"""Both sides of the review cycle in a real browser, against the real app in shared mode.

``python app.py`` in ``CPOM_MODE=shared`` on a temporary SQLite database with real accounts,
driven by Debian's Chromium through Playwright: the establishment builds, saves, finds its
dossier again from a fresh browser and submits it; the referent comments, sends it back; the
establishment corrects and resubmits; the referent sees what changed and validates. Another
establishment never sees the dossier. Screenshots of each step go to
``test-artifacts/journeys/``; axe-core runs on every page of the journey.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assistant.drafting.indicator import is_yes_no
from assistant.kb import load_kb
from tests.accessibility import axe_violations, describe_violations
from tests.api_fixtures import ACCOUNTS, FINESS, PASSWORD, ApiServer, clear_dossiers
from tests.browser_fixtures import WAIT_MS, fill_profile, tab, wait_valid_selection

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "journeys"
KB = load_kb(ROOT / "corpus")


class Session:
    """One user in a fresh browser context (no cookie, no local storage)."""

    opened: ClassVar[list[Any]] = []
    """The contexts not closed yet: a failed test's are closed by `close_left_sessions`."""

    def __init__(self, browser: Any, app: ApiServer, who: str) -> None:
        self.app = app
        self.who = who
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, locale="fr-FR", accept_downloads=True
        )
        Session.opened.append(self.context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)

    def login(self) -> Any:
        page = self.page
        page.goto(self.app.url + "/")
        page.wait_for_url("**/connexion")
        page.get_by_label("Adresse électronique").fill(str(ACCOUNTS[self.who]["email"]))
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.locator("#user-banner .cpom-user").wait_for()
        return page

    def logout(self) -> None:
        self.page.get_by_role("link", name="Se déconnecter").click()
        self.page.wait_for_url("**/connexion")

    def close(self) -> None:
        self.context.close()
        Session.opened.remove(self.context)


@pytest.fixture(autouse=True)
def close_left_sessions() -> Iterator[None]:
    """Close the pages a failed test left open.

    An open page keeps its event stream to the shared app, which then cannot stop cleanly at
    the end of the run (its log would show the cancelled stream as a traceback).
    """
    yield
    while Session.opened:
        Session.opened.pop().close()


def shot(page: Any, name: str) -> None:
    """A journey step: its full-page screenshot (test-artifacts/journeys/), then axe-core."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    violations = axe_violations(page, context=f"journey-{Path(name).stem}")
    assert not violations, describe_violations(violations)


def shows(page: Any, selector: str, text: str) -> None:
    """Wait until the element's visible text holds ``text`` (tables render hidden copies)."""
    page.wait_for_function(
        "([s, t]) => (document.querySelector(s)?.innerText || '').includes(t)", arg=[selector, text]
    )


def build_selection(page: Any) -> list[str]:
    """Fill the profile, take the proposal; the codes selected, in table order."""
    tab(page, "Choisir mes indicateurs")
    assert page.locator("#finess textarea").input_value() == FINESS  # from the account
    fill_profile(page)
    page.click("#propose")
    wait_valid_selection(page)
    found = re.findall(r"CPOM_(?:CT|OS)_\d+", page.locator("#selection-table").inner_text())
    return list(dict.fromkeys(found))


def draft_all(page: Any, codes: list[str]) -> None:
    """Draft every indicator from its fiche with a 2024 value (« non » for yes/no ones)."""
    tab(page, "Rédiger une justification")
    check = page.locator("#line-check")
    for code in codes:
        page.locator("#indicator input").click()
        page.get_by_role("option", name=re.compile(f"^{code} ")).click()
        check.get_by_text("VAL-MISSING").first.wait_for()
        yes_no = code in KB.indicators and is_yes_no(KB.indicators[code])
        page.fill("#baseline textarea", "non" if yes_no else "40")
        page.click("#draft")
        page.wait_for_function(
            "() => !document.querySelector('#line-check').innerText.includes('VAL-MISSING')"
        )


SAVED_AT_LEAST = """n => {
    const text = document.querySelector('#save-status')?.innerText || '';
    const found = text.match(/version (\\d+) enregistrée/);
    return !!found && Number(found[1]) >= n && !text.includes('non enregistrées');
}"""
"""Whether the save bar shows version ``n`` or a later one, with nothing left unsaved."""


def save_now(page: Any, version: int) -> None:
    """« Enregistrer », then wait for the save bar to show that version, or a later one.

    The page also saves unsaved work every 30 s: a slow step may have been saved already, as
    a version of its own.
    """
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_function(SAVED_AT_LEAST, arg=version)


def submit(page: Any) -> None:
    tab(page, "Mon dossier")
    page.locator("#submit-reason").get_by_text("peut être soumis").wait_for()
    page.locator("#submit").click()
    page.locator("#save-status").get_by_text("soumis").first.wait_for()


def open_for_review(page: Any) -> None:
    tab(page, "Dossiers à examiner")
    shows(page, "#review-queue", FINESS)
    page.locator("#review-open input").click()
    page.get_by_role("option").filter(has_text=FINESS).first.click()
    page.locator("#review-content").get_by_text("CPOM_").first.wait_for()


def test_the_review_cycle_on_both_sides(browser: Any, shared_app: ApiServer) -> None:
    clear_dossiers(shared_app.store)
    # the establishment builds a selection and saves it
    first = Session(browser, shared_app, "etab")
    page = first.login()
    banner = page.locator("#user-banner").inner_text()
    assert "dir@ch-exemple.fr" in banner
    assert "établissement" in banner
    assert not page.get_by_role("tab", name="Dossiers à examiner").is_visible()
    shot(page, "01-etablissement-connecte.png")
    codes = build_selection(page)
    assert len(codes) >= 8
    save_now(page, 1)
    shot(page, "02-selection-enregistree.png")
    first.logout()
    first.close()

    # from a fresh browser, the same account finds it, completes it and submits it
    second = Session(browser, shared_app, "etab")
    page = second.login()
    page.locator("#save-status").get_by_text("version 1 enregistrée").wait_for()
    tab(page, "Choisir mes indicateurs")
    shows(page, "#selection-table", codes[0])
    shown = set(re.findall(r"CPOM_\w+", page.locator("#selection-table").inner_text()))
    assert set(codes) <= shown
    tab(page, "Mon dossier")
    assert "erreur" in page.locator("#submit-reason").inner_text()
    assert page.locator("#submit").is_disabled()
    shot(page, "03-mon-dossier-erreurs.png")
    draft_all(page, codes)
    save_now(page, 2)
    submit(page)
    shot(page, "04-dossier-soumis.png")
    second.logout()
    second.close()

    # the referent of the département comments on one indicator and sends it back
    referent = Session(browser, shared_app, "ref31")
    page = referent.login()
    assert "référent ARS" in page.locator("#user-banner").inner_text()
    assert not page.get_by_role("tab", name="Mon dossier").is_visible()
    # a referent has no dossier: the Questions tab answers in general, asks for no profile
    page.wait_for_function(
        "() => document.querySelector('#answering-for').innerText.includes('pas de dossier')"
    )
    open_for_review(page)
    shot(page, "05-referent-ouvre-le-dossier.png")
    target = codes[-1]
    page.locator("#review-indicator input").click()
    page.get_by_role("option", name=re.compile(f"^{target}\\b")).first.click()
    page.fill("#review-comment textarea", "Cible 2029 trop prudente : visez plus haut.")
    page.click("#review-add-comment")
    page.locator("#review-comments").get_by_text("trop prudente").wait_for()
    page.click("#review-send-back")  # no comment: refused in French, nothing changes
    page.get_by_text("Un commentaire est obligatoire").first.wait_for()
    page.fill("#review-decision textarea", "Merci de revoir la trajectoire indiquée.")
    page.click("#review-send-back")
    page.locator("#review-message").get_by_text("renvoyé pour correction").wait_for()
    shot(page, "06-referent-renvoie.png")
    referent.logout()
    referent.close()

    # another establishment never sees it: not in its page, not through the API
    other = Session(browser, shared_app, "autre_etab")
    page = other.login()
    page.locator("#save-status").get_by_text("340000456").wait_for()
    assert FINESS not in page.locator("body").inner_text()
    assert page.request.get(f"{shared_app.url}/api/dossiers/{FINESS}").status == 403
    listed = page.request.get(f"{shared_app.url}/api/dossiers").json()
    assert FINESS not in str(listed)
    shot(page, "07-autre-etablissement.png")
    other.close()

    # the establishment sees the comment beside the indicator, corrects and resubmits
    third = Session(browser, shared_app, "etab")
    page = third.login()
    page.locator("#save-status").get_by_text("à corriger").wait_for()
    tab(page, "Mon dossier")
    shows(page, "#my-indicators", "trop prudente")
    text = page.locator("#my-indicators").inner_text()
    own_row = text.split(f"\n{target}\n")[1].split("\nCPOM_")[0]
    assert "trop prudente" in own_row  # beside its indicator, not elsewhere
    assert "Merci de revoir la trajectoire" in page.locator("#my-comments").inner_text()
    shot(page, "08-etablissement-voit-le-commentaire.png")
    tab(page, "Rédiger une justification")
    page.locator("#indicator input").click()
    page.get_by_role("option", name=re.compile(f"^{target} ")).click()
    yes_no = target in KB.indicators and is_yes_no(KB.indicators[target])
    new_value = "oui" if yes_no else "45"
    # the indicator's stored value is drawn before typing (a late reply would replace it)
    page.wait_for_function(
        "v => document.querySelector('#baseline textarea').value === v",
        arg="non" if yes_no else "40",
    )
    page.fill("#baseline textarea", new_value)
    page.click("#draft")
    page.wait_for_function(
        "v => document.querySelector('#diagnostic textarea').value.includes(v)", arg=new_value
    )
    save_now(page, 3)  # or already saved by the autosave
    submit(page)
    third.close()

    # the referent sees what changed since the send-back, and validates
    referent = Session(browser, shared_app, "ref31")
    page = referent.login()
    open_for_review(page)
    changes = page.locator("#review-changes")
    changes.get_by_text(target).first.wait_for()
    shot(page, "09-referent-voit-les-changements.png")
    page.click("#review-validate")
    page.locator("#review-message").get_by_text("validé").wait_for()
    shot(page, "10-dossier-valide.png")
    referent.close()


def test_the_regional_view_shows_the_figures_of_synthese(
    browser: Any, shared_app: ApiServer, tmp_path: Path
) -> None:
    import json
    import os
    import subprocess
    import sys

    import openpyxl

    from assistant.store import LOCAL_ADMIN, import_drafts, submit
    from bench.bench_dossiers import write_drafts

    clear_dossiers(shared_app.store)
    items = import_drafts(shared_app.store, LOCAL_ADMIN, write_drafts(tmp_path / "drafts", 40))
    assert [item.refus for item in items] == [None] * 40
    for item in items[::3]:
        if item.erreurs == 0 and item.finess_ej:
            submit(shared_app.store, LOCAL_ADMIN, item.finess_ej)
    database = shared_app.store.engine.url.render_as_string(hide_password=False)
    printed = subprocess.run(
        [sys.executable, "-m", "assistant", "synthese", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={
            **os.environ,
            "CPOM_DATABASE_URL": database,
        },
        timeout=120,
    )
    expected = json.loads(printed.stdout)
    assert expected["dossiers"] == 40

    admin = Session(browser, shared_app, "admin")
    page = admin.login()
    tab(page, "Vue régionale")
    page.locator("#regional-xlsx").wait_for(state="visible")
    shows(page, "#regional-status", str(expected["par_statut"]["brouillon"]))
    shot(page, "11-vue-regionale.png")
    with page.expect_download() as download:
        page.click("#regional-xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)

    def column(sheet: str, key: str, value: str = "Dossiers") -> dict[str, Any]:
        rows = list(book[sheet].iter_rows(values_only=True))
        header = list(rows[0])
        return {r[header.index(key)]: r[header.index(value)] for r in rows[1:] if r[0]}

    assert column("Indicateurs", "Code") == expected["par_indicateur"]
    assert column("Indicateurs HPR", "Code") == expected["par_indicateur_hpr"]
    assert column("Départements", "Département") == expected["par_departement"]
    assert column("Règles", "Règle") == expected["par_regle"]
    by_status = column("Statuts", "Statut")
    assert sum(by_status.values()) == sum(expected["par_statut"].values()) == 40
    assert sorted(by_status.values()) == sorted(expected["par_statut"].values())
    admin.close()


FOCUSED_IN = "s => !!document.activeElement && !!document.activeElement.closest(s)"
"""Whether the focused element is, or is inside, the element of a selector (JavaScript)."""


ON_TAB = (
    "n => !!document.activeElement && document.activeElement.getAttribute('role') === 'tab'"
    " && document.activeElement.innerText.trim() === n"
)
"""Whether the focused element is the tab named ``n`` (JavaScript)."""


def reach(page: Any, selector: str, *, test: str = FOCUSED_IN, limit: int = 400) -> None:
    """Press Tab until the focus is in ``selector`` (a keyboard user's way there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(test, selector):
            return
    raise AssertionError(f"{selector} is never reached with the Tab key")


def open_tab_with_keyboard(page: Any, name: str) -> None:
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reach(page, name, test=ON_TAB)
    page.keyboard.press("Enter")
    page.get_by_role("tab", name=name, selected=True).wait_for()


def test_the_journeys_work_with_the_keyboard_alone(browser: Any, shared_app: ApiServer) -> None:
    clear_dossiers(shared_app.store)
    etab = Session(browser, shared_app, "etab")
    page = etab.login()
    open_tab_with_keyboard(page, "Choisir mes indicateurs")
    reach(page, "#raison")
    page.keyboard.type("Centre hospitalier de Saint-Exemple")
    reach(page, "#save")
    page.keyboard.press("Enter")
    page.locator("#save-status").get_by_text("version 1 enregistrée").wait_for()
    open_tab_with_keyboard(page, "Mon dossier")
    reach(page, "#my-export")
    page.keyboard.press("Enter")  # an incomplete profile: the export says what to complete
    page.get_by_text("ne peut pas encore être exporté").first.wait_for()
    etab.close()

    referent = Session(browser, shared_app, "ref31")
    page = referent.login()
    open_tab_with_keyboard(page, "Dossiers à examiner")
    shows(page, "#review-queue", FINESS)  # the queue drawn, as a user sees it before choosing
    reach(page, "#review-open")
    option = page.get_by_role("option").filter(has_text=FINESS).first
    option.wait_for()  # the list opens on focus, with its choices loaded
    page.keyboard.type(FINESS)
    option.wait_for()  # and filtered on what was typed, as the user sees it before choosing
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    try:
        page.locator("#review-content").get_by_text("Saint-Exemple").first.wait_for()
    except Exception as exc:  # say what the page showed instead
        picked = page.locator("#review-open input").input_value()
        message = page.locator("#review-message").inner_text()
        raise AssertionError(f"dossier not opened: picker {picked!r}, message {message!r}") from exc
    reach(page, "#review-comment")
    page.keyboard.type("Profil à compléter avant dépôt.")
    reach(page, "#review-add-comment")
    page.keyboard.press("Enter")
    page.locator("#review-comments").get_by_text("Profil à compléter").wait_for()
    for control in ("#review-decision", "#review-send-back", "#review-validate"):
        reach(page, control)
    open_tab_with_keyboard(page, "Vue régionale")
    page.locator("#regional-xlsx").wait_for(state="visible")
    reach(page, "#regional-xlsx")
    referent.close()
