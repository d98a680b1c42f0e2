"""An indicator's trajectory: the targets per year against those computed from the fiche.

Numbers become the rows of a line chart (``gr.LinePlot``); yes/no indicators, and values that
are not numbers, become a small table instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assistant import as_number

if TYPE_CHECKING:
    import pandas as pd

OURS = "Cibles retenues"
FICHE = "Trajectoire d'après la fiche"
BASELINE_YEAR = "2024"
COLORS: dict[str, str] = {OURS: "#000091", FICHE: "#d28b00"}
"""Blue France for the targets kept, amber for the fiche's."""


def _numeric(value: Any) -> float | None:
    return as_number(value) if value is not None else None


def is_numeric(targets: Mapping[str, Any], fiche: Mapping[str, Any], years: Sequence[str]) -> bool:
    """Whether the trajectory has a number to draw (else it is shown as a table)."""
    values = [*(targets.get(y) for y in years), *(fiche.get(y) for y in years)]
    return any(_numeric(v) is not None for v in values)


def points(
    baseline: Any,
    targets: Mapping[str, Any],
    fiche: Mapping[str, Any],
    *,
    years: Sequence[str],
) -> pd.DataFrame:
    """The chart's points: one row per (series, year) with a number; the 2024 value starts both.

    Columns: ``Année`` (text, so that the axis reads 2024 and not 2 024), ``Valeur``, ``Série``.
    """
    import pandas as pd

    base = _numeric(baseline)
    rows: list[tuple[str, float, str]] = []
    for series, values in ((FICHE, fiche), (OURS, targets)):  # the targets kept drawn on top
        if base is not None:
            rows.append((BASELINE_YEAR, base, series))
        rows += [(y, v, series) for y in years if (v := _numeric(values.get(y))) is not None]
    return pd.DataFrame(rows, columns=["Année", "Valeur", "Série"])


def table(
    baseline: Any,
    targets: Mapping[str, Any],
    fiche: Mapping[str, Any],
    *,
    years: Sequence[str],
) -> pd.DataFrame:
    """The trajectory as a table: the targets kept and the fiche's, 2024 first."""
    import pandas as pd

    def row(label: str, values: Mapping[str, Any]) -> list[str]:
        cells = [baseline, *(values.get(y) for y in years)]
        return [label, *("—" if v in (None, "") else str(v) for v in cells)]

    return pd.DataFrame(
        [row(OURS, targets), row("D'après la fiche", fiche)],
        columns=["", BASELINE_YEAR, *years],
    )


def build() -> tuple[Any, Any]:
    """The line chart and the table shown for yes/no values, both hidden until drafted."""
    import gradio as gr

    chart = gr.LinePlot(
        x="Année",
        y="Valeur",
        color="Série",
        color_map=COLORS,
        x_title="Année",
        y_title="Valeur",
        color_title="Série",
        tooltip="all",
        label="Trajectoire des cibles face à celle calculée d'après la fiche",
        visible=False,
        elem_id="trajectory-chart",
    )
    shown_as_table = gr.Dataframe(
        interactive=False,
        wrap=True,
        visible=False,
        label="Trajectoire (cibles retenues et d'après la fiche)",
        elem_id="trajectory-table",
        elem_classes=["cpom-table-sans"],
    )
    return chart, shown_as_table


def views(chart: pd.DataFrame | None, shown_as_table: pd.DataFrame | None) -> list[Any]:
    """The updates of ``build``'s chart and table: the one given is shown, the other hidden."""
    import gradio as gr

    return [
        gr.update(value=v, visible=True) if v is not None else gr.update(visible=False)
        for v in (chart, shown_as_table)
    ]


__all__ = ["COLORS", "FICHE", "OURS", "build", "is_numeric", "points", "table", "views"]
