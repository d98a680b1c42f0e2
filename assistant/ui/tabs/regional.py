"""« Vue régionale »: the regional figures of the dossiers, as charts, tables and a workbook.

For referents and administrators. The figures are `compute_synthesis`'s, the same that
``python -m assistant synthese --json`` prints, for the dossiers the caller may read (the store
decides the scope); an establishment account gets a message and no figure. The tables, the
text and the workbook are made in `assistant.ui.regional_figures`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from assistant import AssistantError
from assistant.store import compute_synthesis
from assistant.ui.errors import french_errors, message_of
from assistant.ui.escaping import md
from assistant.ui.exports import write_bytes
from assistant.ui.identity import actor_of
from assistant.ui.limits import CONCURRENCY
from assistant.ui.regional_figures import (
    ALL,
    COLUMNS,
    COOPERATION,
    DOSSIER_TARGET,
    FICHE_TARGET,
    NO_SEVERITY,
    OTHER,
    SHEETS,
    frames,
    spread,
    summary_text,
    workbook,
)

if TYPE_CHECKING:
    import pandas as pd

    from assistant.store import Actor
    from assistant.ui.service import AppContext

ESTABLISHMENT_NOTICE = (
    "La vue régionale est réservée aux référents ARS et aux administrateurs : un compte "
    "d'établissement n'y voit aucun chiffre."
)
XLSX_NAME = "vue-regionale.xlsx"
# Colours on white, all >= 4.5:1 (WCAG AA for text): Bleu France 14.9:1, #B34000 5.8:1,
# #18753C 5.8:1, #CE0500 5.8:1, #716043 6.1:1, #475569 7.6:1.
FAMILY_COLOURS = {COOPERATION: "#000091", OTHER: "#B34000"}
STATUS_COLOURS = {"brouillon": "#475569", "soumis": "#000091", "à corriger": "#B34000"}
STATUS_COLOURS["validé"] = "#18753C"
SEVERITY_COLOURS = {
    "erreur": "#CE0500",
    "avertissement": "#716043",
    "information": "#000091",
    NO_SEVERITY: "#475569",
}
TARGET_COLOURS = {DOSSIER_TARGET: "#000091", FICHE_TARGET: "#B34000"}


# --- handlers --------------------------------------------------------------------------------


def departement_of(choice: str | None) -> str | None:
    """The filter's choice as a département (None for « Tous » or no choice)."""
    return None if choice in (None, "", ALL) else choice


def refresh(ctx: AppContext, actor: Actor, departement: str | None = None) -> list[Any]:
    """The tab's values for ``actor`` (in the order of `refresh_outputs`): one synthesis.

    An establishment account, or a store that cannot answer (no database in this page, a
    database unreachable), gets a French message in the tab and no figure.

    Args:
        ctx: The app's context (the store, the knowledge base, the scratch folders).
        actor: Who looks; the store restricts the figures to what they may read.
        departement: One département (``31``, ``2A``…), or None (or « Tous ») for all.
    """
    import gradio as gr

    wanted = departement_of(departement)
    if actor.role == "etablissement":
        return _empty(ESTABLISHMENT_NOTICE)
    try:
        synthesis = compute_synthesis(ctx.store(), actor, departement=wanted)
    except AssistantError as exc:
        return _empty(f"Vue régionale indisponible : {md(message_of(exc))}")
    labels = _labels(ctx)
    tables = frames(synthesis, labels=labels)
    xlsx = write_bytes(ctx.scratch(), XLSX_NAME, workbook(synthesis, tables=tables))
    choices = (
        gr.update(choices=[ALL, *synthesis.par_departement], value=ALL)
        if wanted is None
        else gr.update()  # the list of every département comes from an unfiltered refresh
    )
    values: dict[str, Any] = {
        "departement": choices,
        "notice": summary_text(synthesis),
        "download": gr.update(value=str(xlsx), visible=True),
    }
    for name, key in _TABLE_OF.items():
        values[f"{name}_table"] = tables[key]
        values[f"{name}_plot"] = spread(tables[key]) if key == "cibles" else _bars(tables[key])
    return [values[name] for name in OUTPUTS]


def _bars(table: pd.DataFrame) -> Any:
    """A bar chart's value: its table, on a scale from zero (``[0, 0]`` would draw no axis)."""
    import gradio as gr

    top = int(table["Dossiers"].max()) if len(table) else 0
    return gr.update(value=table, y_lim=[0, max(top, 1)])


def _labels(ctx: AppContext) -> dict[str, str]:
    """Indicator code -> label in the fiches (none when the knowledge base cannot load)."""
    try:
        kb = ctx.kb()
    except AssistantError:
        return {}
    hpr = {code: h.label for code, h in kb.hpr.items()}
    return {code: i.label for code, i in kb.indicators.items()} | hpr


def _empty(notice: str) -> list[Any]:
    """A message and no figure: empty charts and tables, no download."""
    import gradio as gr
    import pandas as pd

    values: dict[str, Any] = {
        "departement": gr.update(choices=[ALL], value=ALL),
        "notice": notice,
        "download": gr.update(value=None, visible=False),
    }
    for name, key in _TABLE_OF.items():
        values[f"{name}_table"] = pd.DataFrame(columns=list(COLUMNS[key]))
        values[f"{name}_plot"] = None
    return [values[name] for name in OUTPUTS]


# --- layout and callbacks --------------------------------------------------------------------


@dataclass(frozen=True)
class RegionalTab:
    """The tab's components."""

    departement: Any
    refresh_btn: Any
    notice: Any
    indicators_plot: Any
    indicators_table: Any
    hpr_plot: Any
    hpr_table: Any
    status_plot: Any
    status_table: Any
    departement_plot: Any
    departement_table: Any
    rules_plot: Any
    rules_table: Any
    targets_plot: Any
    targets_table: Any
    download: Any


OUTPUTS: tuple[str, ...] = tuple(f.name for f in fields(RegionalTab) if f.name != "refresh_btn")
"""The components `refresh` fills, in order."""
_CHARTS = ("indicators", "hpr", "status", "departement", "rules", "targets")
_TABLE_OF = dict(zip(_CHARTS, SHEETS, strict=True))
"""Chart and table of the tab (``<name>_plot``, ``<name>_table``) -> key of their table."""


def build() -> RegionalTab:
    """Lay out the tab (call inside ``gr.Tab``)."""
    import gradio as gr

    gr.Markdown(
        "Les chiffres des dossiers de votre périmètre (version en cours de chaque dossier), "
        "les mêmes que la commande `synthese`. Réservé aux référents ARS et aux administrateurs."
    )
    with gr.Row(equal_height=True):
        departement = gr.Dropdown(
            [ALL], value=ALL, label="Département", interactive=True, elem_id="regional-dep"
        )
        refresh_btn = gr.Button("Actualiser", variant="primary", elem_id="regional-refresh")
        download = gr.DownloadButton("Télécharger (XLSX)", visible=False, elem_id="regional-xlsx")
    notice = gr.Markdown(elem_id="regional-notice")
    bars: dict[str, Any] = {"y": "Dossiers", "y_title": "Dossiers", "y_lim": [0, 1]}
    tip = ["Code", "Libellé", "Dossiers"]
    indicators_plot = gr.BarPlot(
        x="Code", color="Famille", color_map=FAMILY_COLOURS, sort="-y", x_label_angle=-45,
        tooltip=tip, label="Indicateurs de l'annexe stratégique choisis (30)", **bars,
    )  # fmt: skip
    indicators_table = _table(
        "Indicateurs de l'annexe stratégique", "regional-indicators",
        widths=["12%", "18%", "10%", "60%"],
    )  # fmt: skip
    hpr_plot = gr.BarPlot(
        x="Code", sort="-y", x_label_angle=-45, tooltip=tip,
        label="Indicateurs des hôpitaux de proximité choisis (14)", **bars,
    )  # fmt: skip
    hpr_table = _table("Indicateurs HPR", "regional-hpr", widths=["12%", "10%", "78%"])
    with gr.Row():
        status_plot = gr.BarPlot(
            x="Statut", color="Statut", color_map=STATUS_COLOURS, colors_in_legend=[],
            sort=list(STATUS_COLOURS), label="Dossiers par statut", scale=3, **bars,
        )  # fmt: skip
        status_table = _table("Par statut", "regional-status", scale=2)
    with gr.Row():
        departement_plot = gr.BarPlot(
            x="Département", sort="x", label="Dossiers par département", scale=3, **bars
        )
        departement_table = _table("Par département", "regional-departements", scale=2)
    rules_plot = gr.BarPlot(
        x="Règle", color="Gravité", color_map=SEVERITY_COLOURS, sort="-y", x_label_angle=-45,
        tooltip=["Règle", "Titre", "Dossiers"],
        label="Règles le plus souvent enfreintes (dossiers concernés)", **bars,
    )  # fmt: skip
    rules_table = _table(
        "Règles enfreintes, avec les termes du guide", "regional-rules",
        widths=["15%", "9%", "12%", "22%", "14%", "28%"],
    )  # fmt: skip
    targets_plot = gr.ScatterPlot(
        x="Indicateur", y="Cible 2029", color="Série", color_map=TARGET_COLOURS, tooltip="all",
        label="Cibles 2029 des indicateurs les plus choisis, et celle de la fiche (valeurs "
        "chiffrées ; chaque indicateur dans son unité)",
    )  # fmt: skip
    targets_table = _table("Cibles 2029 par dossier", "regional-targets")
    return RegionalTab(
        departement, refresh_btn, notice, indicators_plot, indicators_table, hpr_plot,
        hpr_table, status_plot, status_table, departement_plot, departement_table, rules_plot,
        rules_table, targets_plot, targets_table, download,
    )  # fmt: skip


def _table(
    label: str, elem_id: str, *, scale: int | None = None, widths: list[str] | None = None
) -> Any:
    import gradio as gr

    return gr.Dataframe(
        interactive=False, wrap=True, label=label, elem_id=elem_id, scale=scale,
        max_height=360, column_widths=widths,
    )  # fmt: skip


def refresh_outputs(tab: RegionalTab) -> list[Any]:
    """The components `refresh` fills, in its order."""
    return [getattr(tab, name) for name in OUTPUTS]


def wire(tab: RegionalTab, ctx: AppContext) -> None:
    """Attach the filter and « Actualiser » (call inside ``gr.Blocks``); API name ``regional``."""
    import gradio as gr

    def show(choice: str | None, request: gr.Request) -> list[Any]:
        return refresh(ctx, actor_of(ctx, request), choice)

    # Gradio finds the request parameter by its resolved type hint; postponed annotations make
    # it the text "gr.Request", a name of this function's scope it cannot resolve.
    show.__annotations__["request"] = gr.Request
    handler = french_errors(show)
    outputs = refresh_outputs(tab)
    tab.refresh_btn.click(
        handler, [tab.departement], outputs, concurrency_limit=CONCURRENCY, api_name="regional"
    )
    # .input (not .change): the refresh that sets the list of départements does not loop back
    tab.departement.input(
        handler, [tab.departement], outputs, concurrency_limit=CONCURRENCY, api_name=False
    )


__all__ = [
    "ALL",
    "ESTABLISHMENT_NOTICE",
    "OUTPUTS",
    "RegionalTab",
    "build",
    "departement_of",
    "frames",
    "refresh",
    "refresh_outputs",
    "wire",
    "workbook",
]
