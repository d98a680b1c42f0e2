"""The real app in a real browser, one process per mode for the whole test session.

A pytest plugin (``pytest_plugins`` in ``tests/conftest.py``), so that the session-scoped
fixtures are shared by every test module that asks for them by name (a fixture imported into
two modules would start twice):

- ``browser``: Debian's Chromium (``/usr/bin/chromium``, installed by ``make test`` when
  missing) through Playwright, with no browser download;
- ``app_url``: ``python app.py --lexical-only`` in local mode over the real corpus, with a tmp
  index and data folder: ``(url, tmp folder)``;
- ``shared_app``: the app in shared mode (``CPOM_MODE=shared``) on a temporary SQLite
  database with the accounts of ``tests.api_fixtures.ACCOUNTS`` (password ``PASSWORD``).

``open_page`` gives a fresh page (its own cookies and storage) and checks that every request it
made stayed on the machine. Heavy imports stay inside the fixtures: every test run loads this.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.api_fixtures import ApiServer

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 60_000
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``python app.py --lexical-only`` over the real corpus, with a tmp index and data folder."""
    from assistant.config import Settings
    from assistant.index.build import ingest
    from assistant.ui.serve import free_port, wait_until_served

    tmp = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPOM_")}
    env |= {
        "CPOM_INDEX_DIR": str(tmp / "index"),
        "CPOM_EMBEDDING_CACHE_DIR": str(tmp / "cache"),
        "CPOM_APP_DATA_DIR": str(tmp / "var"),
        # the local dossier's database too: its default is the checkout's var/cpom.db, where a
        # save from an earlier run would win over the page's work when the page reloads
        "CPOM_DATABASE_URL": f"sqlite:///{tmp / 'var' / 'cpom.db'}",
        "CPOM_LLM_PROVIDER": "none",
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(free_port()),
        "GRADIO_TEMP_DIR": str(tmp / "gradio"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
    }
    ingest(Settings(_env_file=None, index_dir=tmp / "index"), dense=False)  # type: ignore[call-arg]
    log = tmp / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--lexical-only"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{env['GRADIO_SERVER_PORT']}/"
    try:
        wait_until_served(url, process, log)
        yield url, tmp
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Traceback" not in log.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """The real app in shared mode on a temporary SQLite database, with the test accounts."""
    from assistant.kb import load_kb
    from assistant.rules import load_rules
    from assistant.store import Checker
    from tests.api_fixtures import CORPUS, api_server, lexical_index

    work = tmp_path_factory.mktemp("shared-app")
    index = lexical_index(work / "index-build")
    checker = Checker(
        kb=load_kb(CORPUS), rules=load_rules(CORPUS / "rules" / "occitanie-2025-2029.yaml")
    )
    with api_server(f"sqlite:///{work / 'cpom.db'}", work, index, checker) as served:
        yield served
    log = served.served.log.read_text(encoding="utf-8")
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextlib.contextmanager
def open_page(browser: Any, url: str) -> Iterator[Any]:
    """A page in a fresh context (French locale) opened at ``url``; no request leaves the host."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(url)
    yield page
    context.close()
    assert hosts <= {url.split("/")[2]}, f"requests left the machine: {hosts}"


def tab(page: Any, name: str) -> None:
    """Open a tab of the app by its name."""
    page.get_by_role("tab", name=name).click()


def choose(page: Any, dropdown: str, option: str) -> None:
    """Pick ``option`` in the dropdown of selector ``dropdown``."""
    page.locator(f"{dropdown} input").click()
    page.get_by_role("option", name=option).first.click()


def wait_valid_selection(page: Any) -> None:
    """Wait for the selection's verdict to say it is valid, its text as well as its colour.

    Gradio sets the banner's classes at once and renders its Markdown a moment later: the
    class alone can stand beside the text of the previous state.
    """
    verdict = page.locator("#selection-verdict.cpom-valid")
    verdict.get_by_text("Sélection conforme").first.wait_for()


def fill_profile(page: Any) -> None:
    """The examples' establishment (FINESS 310000123) in « Choisir mes indicateurs »."""
    tab(page, "Choisir mes indicateurs")
    page.fill("#raison textarea", "Centre hospitalier de Saint-Exemple")
    page.fill("#finess textarea", "310000123")
    choose(page, "#statut", "Public")
    choose(page, "#categorie", "CH — centre hospitalier")
    page.fill("#lits input", "350")
    page.locator("#ght input").check()
    for activity in ("Médecine", "Chirurgie", "Urgences"):
        page.locator("#activites").get_by_label(activity).check()
    page.fill(
        "#priorites textarea",
        "Développer la chirurgie ambulatoire et réduire les délais aux urgences",
    )
