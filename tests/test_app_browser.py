"""The real app in a real browser: ``python app.py`` on a free loopback port, driven by Chromium.

Uses Debian's chromium (``/usr/bin/chromium``, installed by ``make test`` when missing) through
Playwright, with no browser download. Screenshots of each tab are saved under ``test-artifacts/``;
axe-core checks the states they show (``tests.accessibility``). The app and the browser are the
session's (``tests/browser_fixtures.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from assistant.drafts import Draft, read_drafts
from assistant.kb import load_kb
from assistant.rules import load_rules, validate_path
from tests.accessibility import axe_violations, describe_violations
from tests.browser_fixtures import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT_MS,
    choose,
    fill_profile,
    open_page,
    tab,
    wait_valid_selection,
)

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "WAIT_MS"]  # imported from here by other test modules

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
WITH_ERRORS = ROOT / "examples" / "brouillon-avec-erreurs.json"


@pytest.fixture
def page(browser: Any, app_url: tuple[str, Path]) -> Iterator[Any]:
    """A fresh page on the session's app (``app_url``, ``browser``: tests/browser_fixtures.py)."""
    with open_page(browser, app_url[0]) as page:
        page.wait_for_selector("#question textarea")
        yield page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _assert_accessible(page: Any, context: str) -> None:
    violations = axe_violations(page, context=context)
    assert not violations, describe_violations(violations)


COOPERATION_COUNT = (
    "Number((document.querySelector('#selection-counts').innerText"
    ".match(/Coopérations \\(CT\\)\\s+(\\d+)/) || [])[1])"
)
"""The number of CT indicators selected, as the counts table shows it (JavaScript)."""


def _cooperation_count(page: Any) -> int:
    return int(page.evaluate(COOPERATION_COUNT))


def _propose(page: Any) -> None:
    fill_profile(page)
    page.click("#propose")
    wait_valid_selection(page)


def test_question_gets_a_cited_answer_and_feedback_is_kept(
    page: Any, app_url: tuple[str, Path]
) -> None:
    page.fill("#question textarea", "Combien d'indicateurs au maximum dans l'annexe stratégique ?")
    page.click("#send")
    answer = page.locator("#chat .cpom-answer").last
    answer.locator("details.cpom-source").first.wait_for()
    assert "10" in answer.inner_text()
    source = answer.locator("details.cpom-source").first
    source.locator("summary").click()
    assert "[1]" in source.locator("summary").inner_text()
    assert "page" in source.inner_text()
    _shot(page, "questions.png")
    _assert_accessible(page, "questions-reponse")

    page.get_by_text("Votre avis sur la dernière réponse").click()
    page.get_by_label("Commentaire (facultatif)").fill("Claire et sourcée.")
    page.get_by_role("button", name="Réponse utile", exact=True).click()
    page.get_by_text("Merci : votre avis est enregistré.").wait_for()
    saved = (app_url[1] / "var" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(saved[-1])["comment"] == "Claire et sourcée."

    page.fill("#question textarea", "Quelle est la recette de la tarte aux pommes ?")
    page.click("#send")
    refusal = page.locator("#chat .cpom-refusal")
    refusal.wait_for()
    assert "Hors des guides" in refusal.inner_text()
    assert page.locator("#chat .cpom-answer").count() == 2
    _assert_accessible(page, "questions-hors-guides")


def test_profile_gets_a_valid_proposal_then_removals_break_the_rules(page: Any) -> None:
    _propose(page)
    table = page.locator("#selection-table")
    assert "CPOM_CT_" in table.inner_text()
    assert "CPOM_OS_" in table.inner_text()
    check = page.locator("#selection-check")
    verdict = page.locator("#selection-verdict")
    assert "Sélection conforme" in verdict.inner_text()
    _shot(page, "selection.png")
    _assert_accessible(page, "selection-proposition")

    while "SEL-MIN-CT" not in check.inner_text():
        before = _cooperation_count(page)
        assert before > 0
        page.locator("#to-remove input").click()
        page.get_by_role("option").filter(has_text="CPOM_CT_").first.click()
        page.click("#remove")
        page.wait_for_function(f"n => ({COOPERATION_COUNT}) === n", arg=before - 1)
    check.locator(".cpom-error").first.wait_for()
    verdict.get_by_text("non conforme").first.wait_for()  # its Markdown renders after the list
    assert "SEL-MIN-CT" in check.inner_text()
    assert "Les établissements ont obligation de choisir au minimum 2 indicateurs" in (
        check.inner_text().replace("\xa0", " ")
    )
    _shot(page, "selection-error.png")

    page.reload()
    tab(page, "Choisir mes indicateurs")
    page.locator("#selection-check .cpom-error").first.wait_for()
    assert page.locator("#raison textarea").input_value() == "Centre hospitalier de Saint-Exemple"
    assert "SEL-MIN-CT" in page.locator("#selection-check").inner_text()

    # the Questions tab answers for this dossier, unless asked in general
    tab(page, "Questions")
    header = page.locator("#answering-for")
    page.wait_for_function(
        "() => document.querySelector('#answering-for').innerText.includes('Saint-Exemple')"
    )
    assert "Réponses pour : Centre hospitalier de Saint-Exemple" in header.inner_text()
    page.fill("#question textarea", "Le CT 3, on peut le prendre ?")
    page.click("#send")
    answer = page.locator("#chat .cpom-answer").last
    answer.locator("details.cpom-source").first.wait_for()
    assert "CPOM_CT_3 — Oui" in answer.inner_text()
    page.fill("#question textarea", "Combien d'indicateurs il nous reste à choisir ?")
    page.click("#send")
    page.wait_for_function("() => document.querySelectorAll('#chat .cpom-answer').length === 2")
    page.locator("#chat .cpom-answer").last.locator("details.cpom-source").first.wait_for()
    assert "il vous reste au moins" in page.locator("#chat .cpom-answer").last.inner_text().lower()
    _assert_accessible(page, "questions-pour-vous")
    page.locator("#answer-general input").check()
    page.wait_for_function(
        "() => document.querySelector('#answering-for').innerText.includes('Réponses générales')"
    )


def test_justification_then_export_reads_back(page: Any, tmp_path: Path) -> None:
    _propose(page)
    tab(page, "Rédiger une justification")
    choose(page, "#indicator", "CPOM_OS_13 — Taux d’actes chirurgicaux")
    # the indicator's fields are drawn (then its findings) before typing: typed earlier, the
    # value would be replaced by the indicator's stored one when the reply arrives
    page.locator("#line-check").get_by_text("VAL-MISSING").first.wait_for()
    page.fill("#baseline textarea", "20")
    page.locator("#lecture").get_by_label("en points de taux").check()
    page.click("#draft")
    page.locator("#trajectory-chart .mark-line path").first.wait_for()
    assert page.get_by_label("Contexte").input_value()
    page.get_by_text("Autre lecture de la hausse (en % de la valeur)").wait_for()
    _shot(page, "justification.png")

    page.click("#export")
    page.locator("#draft-xlsx").wait_for(state="visible")
    page.locator("#whole-report .cpom-verdict").first.wait_for()
    _shot(page, "export.png")
    _assert_accessible(page, "justification-export")
    with page.expect_download() as xlsx_download:
        page.click("#draft-xlsx")
    with page.expect_download() as json_download:
        page.click("#draft-json")
    xlsx = tmp_path / xlsx_download.value.suggested_filename
    as_json = tmp_path / json_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx)
    json_download.value.save_as(as_json)
    assert xlsx.suffix == ".xlsx"
    assert as_json.suffix == ".json"
    from_xlsx = Draft.model_validate(read_drafts(xlsx)[0].data)
    from_json = Draft.model_validate(read_drafts(as_json)[0].data)
    assert from_xlsx == from_json
    os13 = next(item for item in from_json.indicateurs if item.code == "CPOM_OS_13")
    assert os13.valeur_initiale == 20
    assert os13.cibles["2025"] == 21  # « +1 % » of a 20 % rate read in points, as chosen
    assert set(os13.cibles) == {"2025", "2026", "2027", "2028", "2029"}
    assert os13.justification
    kb = load_kb(ROOT / "corpus")
    rules = load_rules(ROOT / "corpus" / "rules" / "occitanie-2025-2029.yaml")
    assert (
        validate_path(xlsx, kb=kb, rules=rules).to_json()
        == validate_path(as_json, kb=kb, rules=rules).to_json()
    )


def _upload(page: Any, path: Path, attempts: int = 3) -> None:
    """Give ``path`` to the upload area and wait until the area shows its name.

    The file input can be given a file before Gradio has wired its change handler (the tab
    has just been drawn); the upload then never starts. Only then, or when the upload request
    failed, is the file given again, at most ``attempts`` times, as a user would drop it a
    second time. An upload that went through is waited for however slow the page is: given
    twice, the file would make a batch of two. The upload area's row for the file is looked
    for by its label: Gradio may shorten the name it shows, and a text match then never
    comes (a red run).
    """
    page.locator("#verify").wait_for(state="visible")
    for attempt in range(1, attempts + 1):
        try:
            with page.expect_request(
                lambda request: request.method == "POST" and "/upload" in request.url,
                timeout=15_000,
            ) as started:
                page.set_input_files("#uploads input[type=file]", str(path))
        except PlaywrightTimeoutError:
            if attempt == attempts:
                raise
            continue
        response = started.value.response()  # waits for the server's answer
        if response is None or not response.ok:
            if attempt == attempts:
                raise AssertionError(f"upload failed: {response.status if response else None}")
            continue
        # the file's row names it in full in its label (its text may be shortened to fit)
        page.locator(f'#uploads [aria-label="{path.name}"]').first.wait_for(timeout=120_000)
        return


def test_uploaded_draft_shows_its_errors_and_documents_show_the_index(page: Any) -> None:
    tab(page, "Vérifier un CPOM")
    _upload(page, WITH_ERRORS)
    page.click("#verify")
    report = page.locator("#report .cpom-report")
    report.wait_for()
    text = report.inner_text().replace("\xa0", " ")
    assert "Brouillon non conforme" in text
    assert "VAL-TYPE" in text
    assert "JUST-PLACEHOLDER" in text
    assert "« 30 objectifs stratégiques (27 quantitatifs et 3 déclaratifs) »" in text
    assert "non" in page.locator("#summary").inner_text()
    page.locator("#report-xlsx").wait_for(state="visible")
    _shot(page, "verifier.png")
    _assert_accessible(page, "verifier-rapport")

    tab(page, "Documents")
    # the status table is there from the start: wait for its rows
    page.wait_for_function(
        "() => document.querySelector('#index-status').innerText.includes('Passages indexés')"
    )
    assert "Passages indexés" in page.locator("#index-status").inner_text()
    catalog = page.locator("#catalog").inner_text()
    assert "Guide méthodologique" in catalog
    assert "historique" in catalog
    _shot(page, "documents.png")
