"""Text that goes into the app's Markdown banners and HTML views is shown as typed, never run."""

from __future__ import annotations

import html
import re

import pytest

from assistant.ui.escaping import NBSP, esc, md
from assistant.ui.tabs.selection import proposal_summary

HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(1)> **gras** _it_ "
    "[lien](https://exemple.invalid) # titre 1. liste > cite `code` a|b ~~x~~ & co ; fin"
)
LIVE_TAG = re.compile(r"<\s*(script|img|a|strong|em|code|h1|ol|blockquote)\b", re.IGNORECASE)


def _render(markdown: str) -> str:
    """Markdown as the page renders it (CommonMark with tables and strikethrough)."""
    # markdown-it-py comes with Gradio's dependencies (through rich), not with ours
    markdown_it = pytest.importorskip("markdown_it")
    return str(
        markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    )


def _text(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(HOSTILE, id="markup-and-tags"),
        pytest.param("1. premier\n- second\n\n> cité", id="lists-and-quotes"),
        pytest.param("\\* déjà échappé \\", id="backslashes"),
    ],
)
def test_markdown_escaping_shows_the_text_as_typed(text: str) -> None:
    rendered = _render(md(text))
    assert not LIVE_TAG.search(rendered), rendered
    assert _text(rendered) == " ".join(text.split()).replace(" ;", NBSP + ";")


def test_none_is_empty() -> None:
    assert md(None) == esc(None) == ""


def test_a_proposal_for_a_hostile_name_is_a_plain_banner() -> None:
    from assistant import Proposal

    proposal = Proposal(etablissement=HOSTILE, indicateurs=[], notes=[HOSTILE])
    rendered = _render(proposal_summary(proposal))
    assert rendered.count("<strong>") == 1  # « Proposition pour … » only
    assert not re.search(r"<\s*(script|img|a)\b", rendered)
    assert "&lt;script&gt;" in rendered
