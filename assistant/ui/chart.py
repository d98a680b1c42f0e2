"""The trajectory chart: targets per year against the trajectory computed from the fiche.

An inline SVG (no script, no external library), readable offline and in a screenshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.rules.values import as_number
from assistant.ui.render import esc, french_number


def _numeric(value: Any) -> float | None:
    return as_number(value) if value is not None else None


def trajectory_chart(
    baseline: Any,
    targets: Mapping[str, Any],
    fiche: Mapping[str, Any],
    *,
    unit: str = "nombre",
    years: Sequence[str] = ("2025", "2026", "2027", "2028", "2029"),
) -> str:
    """The targets per year against the trajectory computed from the fiche (inline SVG).

    Yes/no indicators, and values that are not numbers, are shown as a small table instead.
    """
    base = _numeric(baseline)
    ours = {y: _numeric(targets.get(y)) for y in years}
    theirs = {y: _numeric(fiche.get(y)) for y in years}
    if not any(v is not None for v in [*ours.values(), *theirs.values()]):
        return _trajectory_table(baseline, targets, fiche, years)
    xs = ["2024", *years]
    series = {
        "ours": [base, *(ours[y] for y in years)],
        "fiche": [base, *(theirs[y] for y in years)],
    }
    values = [v for s in series.values() for v in s if v is not None]
    top = max(values) if values else 1.0
    if unit == "taux":
        top = max(top, 1.0)
    top = top * 1.15 or 1.0
    width, height, left, right, up, down = 560, 240, 48, 16, 24, 40

    def x(i: int) -> float:
        return left + i * (width - left - right) / (len(xs) - 1)

    def y(v: float) -> float:
        return up + (1 - v / top) * (height - up - down)

    suffix = " %" if unit == "taux" else ""
    parts = [
        f'<svg class="cpom-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Trajectoire des cibles 2024-{years[-1]}">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" class="axis"/>',
    ]
    for i, label in enumerate(xs):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 14}" text-anchor="middle" class="tick">'
            f"{label}</text>"
        )
    for name, css in (("fiche", "fiche"), ("ours", "ours")):
        points = [(x(i), y(v), v) for i, v in enumerate(series[name]) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            parts.append(f'<polyline points="{path}" class="{css}"/>')
        for px, py, v in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" class="{css}"/>')
            if name == "ours":
                parts.append(
                    f'<text x="{px:.1f}" y="{py - 8:.1f}" text-anchor="middle" class="value">'
                    f"{esc(french_number(v))}{suffix}</text>"
                )
    parts.append("</svg>")
    legend = (
        '<p class="cpom-legend"><span class="ours">━ Cibles retenues</span> '
        '<span class="fiche">┅ Trajectoire calculée d\'après la fiche</span></p>'
    )
    return f'<div class="cpom-chart-box">{"".join(parts)}{legend}</div>'


def _trajectory_table(
    baseline: Any, targets: Mapping[str, Any], fiche: Mapping[str, Any], years: Sequence[str]
) -> str:
    head = "".join(f"<th>{esc(y)}</th>" for y in ("2024", *years))

    def cells(first: Any, row: Mapping[str, Any]) -> str:
        return "".join(
            f"<td>{esc(v if v is not None else '—')}</td>"
            for v in (first, *(row.get(y) for y in years))
        )

    return (
        '<table class="cpom-table"><thead><tr><th></th>'
        f"{head}</tr></thead><tbody>"
        f"<tr><th>Cibles retenues</th>{cells(baseline, targets)}</tr>"
        f"<tr><th>D'après la fiche</th>{cells(baseline, fiche)}</tr></tbody></table>"
    )


__all__ = ["trajectory_chart"]
