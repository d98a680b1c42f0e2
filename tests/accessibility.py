"""axe-core in the page: the WCAG 2.1 A and AA violations of the project's own making.

Call it from any browser journey, on the state the user sees, once it has rendered::

    from tests.accessibility import axe_violations, describe_violations

    violations = axe_violations(page, context="mon-dossier")
    assert not violations, describe_violations(violations)

``axe_violations(page, *, context)`` is a stable signature: ``page`` is a Playwright page (sync
API); ``context`` names the state checked (lowercase, dashes) and the file
``test-artifacts/axe/<context>.json`` that receives axe's full result. It waits (at most a few
seconds) until Gradio shows no pending output and no animation runs, injects axe-core, runs the
rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa (the WCAG 2.1 AA level that RGAA 4 maps to),
and returns axe's violations whose nodes are not all in `GRADIO_INTERNAL`.

axe-core 4.14.1 comes from the npm registry: ``tests/axe/package-lock.json`` pins it with its
integrity hash, and ``make test`` (``make axe``) installs it with ``npm ci`` into
``tests/axe/node_modules/``. Nothing is downloaded when the tests run.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RESULTS = ROOT / "test-artifacts" / "axe"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SETTLE_MS = 10_000
"""How long to wait for Gradio's outputs and animations to settle before running axe anyway."""


class AllowedViolation(NamedTuple):
    """A violation that comes from inside a Gradio component, out of the project's reach."""

    rule: str
    """The axe rule id."""
    selector: str
    """A CSS selector that the failing element itself matches (``Element.matches``)."""
    reason: str
    """Why it is Gradio's and not the project's, in one line."""


GRADIO_INTERNAL: tuple[AllowedViolation, ...] = (
    AllowedViolation(
        "aria-prohibited-attr",
        'th .header-icons [aria-label="Static column"]',
        "gr.Dataframe puts aria-label on a role-less <div> around the lock icon of a static "
        "column, in its own table header; no parameter removes it (CSS cannot remove attributes).",
    ),
    AllowedViolation(
        "label-content-name-mismatch",
        'button.upload-container[aria-label="Click to upload or drop files"]',
        "gr.File's drop zone hard-codes the English aria-label « Click to upload or drop files », "
        "which lacks its French visible text; gr.File has no parameter to set it.",
    ),
    AllowedViolation(
        "nested-interactive",
        "button.icon-button:has(button.upload-container)",
        "once gr.File holds a file, Gradio nests its drop-zone <button> inside its own « add a "
        "file » icon <button> (labelled with the untranslated key « common.upload »).",
    ),
)
"""Violations allowed because they come from inside Gradio's own components."""

_SETTLED = """(quiet) => {
  const settled = !document.querySelector('.pending, [data-testid="status-tracker"].generating')
    && document.getAnimations().every(a => a.playState !== 'running'
         || a.effect?.getComputedTiming().endTime === Infinity);
  const now = performance.now();
  if (!settled) { window.__cpomSettledSince = null; return false; }
  window.__cpomSettledSince ??= now;
  return now - window.__cpomSettledSince >= quiet;
}"""
"""True once no Gradio output has been pending, nor any finite animation or transition run, for
``quiet`` ms: an event a click has just triggered (a tab's refresh) may not be pending yet when
the page is first looked at, and its dimmed output would fail the contrast rule."""
QUIET_MS = 500

_RUN = """async ([tags, allowed]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  for (const violation of result.violations) {
    for (const node of violation.nodes) {
      const [target] = node.target;
      const element = node.target.length === 1 && typeof target === 'string'
        ? document.querySelector(target) : null;
      node.gradioInternal = element !== null && allowed.some(
        ([rule, selector]) => rule === violation.id && element.matches(selector));
    }
  }
  return result;
}"""
"""Run axe; mark each violating node that an allow-list entry (rule, selector) matches."""


def axe_violations(page: Any, *, context: str) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now; the project's violations.

    Args:
        page: A Playwright page (sync API) showing the state to check.
        context: A short name for that state (``"connexion"``, ``"onglet-documents"``); axe's
            full result is written to ``test-artifacts/axe/<context>.json``, each violating node
            marked with ``gradioInternal`` (true when `GRADIO_INTERNAL` allows it).

    Returns:
        axe's violations (dicts with ``id``, ``impact``, ``help``, ``helpUrl`` and ``nodes``,
        each node with ``target``, ``html`` and ``failureSummary``), keeping only the nodes
        that `GRADIO_INTERNAL` does not allow and the violations left with a node. Empty when
        the page passes.

    Raises:
        FileNotFoundError: axe-core is not installed (run ``make axe``).
    """
    if not AXE_JS.is_file():
        raise FileNotFoundError(
            f"{AXE_JS} is missing: run `make axe` (npm ci in tests/axe) or `make test`."
        )
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with contextlib.suppress(PlaywrightTimeoutError):  # still busy: axe checks what is there
        page.evaluate("() => { window.__cpomSettledSince = null; }")
        page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=SETTLE_MS)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    allowed = [[entry.rule, entry.selector] for entry in GRADIO_INTERNAL]
    result: dict[str, Any] = page.evaluate(_RUN, [list(WCAG_TAGS), allowed])
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"{context}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    violations = []
    for violation in result["violations"]:
        nodes = [node for node in violation["nodes"] if not node["gradioInternal"]]
        if nodes:
            violations.append(violation | {"nodes": nodes})
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One line per failing element (rule, impact, selector, what to fix), for an assert message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(
                f"{violation['id']} ({violation['impact']}) {node['target']}: {summary} "
                f"— {violation['helpUrl']}"
            )
    return "\n".join(lines)


__all__ = [
    "GRADIO_INTERNAL",
    "AllowedViolation",
    "axe_violations",
    "describe_violations",
]
