"""The app's colours pass the WCAG 2.1 AA contrast the RGAA asks for (4.5:1 for text)."""

from __future__ import annotations

import pytest

from assistant.ui.app import _theme


def _luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour (WCAG 2.1 definition)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_matches_the_audit() -> None:
    # the audit's figures: white on #3b82f6 is 3.67:1, #94a3b8 on white 2.56:1
    assert contrast("#ffffff", "#3b82f6") == pytest.approx(3.68, abs=0.01)
    assert contrast("#94a3b8", "#ffffff") == pytest.approx(2.56, abs=0.01)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("button_primary_text_color", "button_primary_background_fill"),
        ("button_primary_text_color_hover", "button_primary_background_fill_hover"),
    ],
)
def test_primary_buttons_read_at_aa_contrast(text: str, background: str) -> None:
    theme = _theme()
    assert contrast(getattr(theme, text), getattr(theme, background)) >= 4.5


def test_secondary_text_reads_at_aa_contrast_on_white() -> None:
    assert contrast(_theme().body_text_color_subdued, "#ffffff") >= 4.5
