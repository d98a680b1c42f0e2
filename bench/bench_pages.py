"""Load time of the referents' tabs with 280 dossiers (SQLite), in-process and in a browser.

Prints the median and max over ``--runs`` warm runs of:

- (a) ``assistant.ui.tabs.review.refresh`` (« Dossiers à examiner »'s load) and
- (b) ``assistant.ui.tabs.regional.refresh`` (« Vue régionale »'s load), called in the bench's
  process on an `AppContext` over the store;
- (c) the real app (``app.py --lexical-only``, shared mode, same database) in Debian's Chromium
  through Playwright, logged in as a referent of the 13 Occitanie départements: from clicking
  the tab « Dossiers à examiner » until ``#review-queue`` shows the last-changed FINESS, from
  clicking « Vue régionale » until ``#regional-notice`` is non-empty, and from (re)loading the
  page until the queue shows that FINESS (the app fills both tabs when the page loads, so a
  click mostly measures the rendering); then the app process's RSS.

Run: ``.venv/bin/python bench/bench_pages.py`` (``--drafts N``, ``--runs N``, ``--no-browser``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.api import ApiContext  # noqa: E402 - after the sys.path line above
from assistant.store import (  # noqa: E402
    LOCAL_ADMIN,
    add_user,
    import_drafts,
    open_store,
    review_queue,
)
from assistant.store.accounts import actor_of, find_user  # noqa: E402
from assistant.ui.service import AppContext, IndexService  # noqa: E402
from assistant.ui.tabs import regional, review  # noqa: E402
from bench.bench_dossiers import DEPARTEMENTS, campaign_checker, write_drafts  # noqa: E402
from tests.api_fixtures import PASSWORD, api_server, lexical_index  # noqa: E402
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, WAIT_MS  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.load.process import rss_bytes  # noqa: E402
from tests.postgres_fixtures import FAST_HASHER  # noqa: E402

TARGET_S = 2.0
REFERENT = "ref-occitanie@ars.fr"
MB = 1024 * 1024


def _times(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm: imports, caches, the knowledge base
    out: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _row(label: str, values: list[float] | None, note: str = "") -> str:
    if not values:
        return f"{label:<52} {'—':>9} {'—':>9}  {note}"
    med, top = statistics.median(values), max(values)
    verdict = "OK" if top <= TARGET_S else "OVER"
    return f"{label:<52} {med * 1000:>6.0f} ms {top * 1000:>6.0f} ms  ≤ 2 s: {verdict} {note}"


def _shows(page: Any, selector: str, text: str) -> None:
    """Wait until the element's visible text holds ``text`` (empty: any text)."""
    page.wait_for_function(
        "([s, t]) => { const x = (document.querySelector(s)?.innerText || '').trim();"
        " return t ? x.includes(t) : x.length > 0; }",
        arg=[selector, text],
    )


def _browser(url: str, finess: str, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    found: dict[str, list[float]] = {"load": [], "review": [], "regional": []}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(url + "/")
        page.wait_for_url("**/connexion")
        page.get_by_label("Adresse électronique").fill(REFERENT)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.locator("#user-banner .cpom-user").wait_for()
        for run in range(runs + 1):  # the first one warms
            if run:
                start = time.perf_counter()
                page.reload()
            else:
                start = time.perf_counter()
            review_tab = page.get_by_role("tab", name="Dossiers à examiner")
            review_tab.wait_for()
            clicked = time.perf_counter()
            review_tab.click()
            _shows(page, "#review-queue", finess)
            done = time.perf_counter()
            regional_tab = page.get_by_role("tab", name="Vue régionale")
            clicked_regional = time.perf_counter()
            regional_tab.click()
            _shows(page, "#regional-notice", "")
            done_regional = time.perf_counter()
            if run:
                found["load"].append(done - start)
                found["review"].append(done - clicked)
                found["regional"].append(done_regional - clicked_regional)
        context.close()
        chromium.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=int, default=280)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    checker = campaign_checker()
    tmp = Path(tempfile.mkdtemp(prefix="cpom-bench-pages-"))
    try:
        url = f"sqlite:///{tmp / 'cpom.db'}"
        store = open_store(url, checker=checker, hasher=FAST_HASHER)
        add_user(
            store,
            LOCAL_ADMIN,
            REFERENT,
            role="referent",
            password=PASSWORD,
            departements=DEPARTEMENTS,
        )
        with store.transaction() as session:
            user = find_user(session, REFERENT)
            assert user is not None
            actor = actor_of(user)
        items = import_drafts(store, LOCAL_ADMIN, write_drafts(tmp / "drafts", args.drafts))
        saved = sum(1 for item in items if item.refus is None)
        last = review_queue(store, actor)[0].finess_ej  # the queue's order: last changed first
        settings = make_settings(tmp, corpus_dir=ROOT / "corpus", mode="shared")
        ctx = AppContext(
            settings, IndexService(settings), tmp / "var", api=ApiContext(settings, store=store)
        )
        review_times = _times(lambda: review.refresh(ctx, actor), args.runs)
        regional_times = _times(lambda: regional.refresh(ctx, actor), args.runs)
        bench_rss = rss_bytes(os.getpid())
        store.close()
        page: dict[str, list[float]] = {}
        app_rss: int | None = None
        note = ""
        if not args.no_browser:
            index = lexical_index(tmp / "index-build")
            with api_server(url, tmp / "app", index, checker) as server:
                page = _browser(server.url, last, args.runs)
                app_rss = rss_bytes(server.served.pid)
        else:
            note = "(browser skipped: --no-browser)"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{saved} dossiers imported over {len(DEPARTEMENTS)} départements (SQLite); referent of "
        f"all 13; warm, {args.runs} runs; last-changed FINESS {last}"
    )
    print(f"{'measure':<52} {'median':>9} {'max':>9}  target")
    print(_row("(a) review.refresh « Dossiers à examiner »", review_times))
    print(_row("(b) regional.refresh « Vue régionale »", regional_times))
    print(_row("(c) browser: click « Dossiers à examiner » → FINESS", page.get("review"), note))
    print(_row("(c) browser: click « Vue régionale » → notice", page.get("regional"), note))
    print(_row("(c) browser: page reload → queue shows FINESS", page.get("load"), note))
    print(f"bench process RSS after (a)(b) in-process: {bench_rss / MB:.0f} MB")
    if app_rss is not None:
        print(f"app process RSS after the browser loads: {app_rss / MB:.0f} MB")


if __name__ == "__main__":
    main()
