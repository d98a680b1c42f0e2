"""The establishment's profile form (« Choisir mes indicateurs »): its fields, read and refilled.

The form is kept as typed (``ProfileForm``) and judged only when used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import ESTABLISHMENT_COLUMNS, engaged_rows
from assistant.ui.workspace import (
    ACTIVITY_CHOICES,
    CATEGORY_CHOICES,
    STATUT_CHOICES,
    ProfileForm,
)

if TYPE_CHECKING:
    from assistant import KnowledgeBase

FIELDS: tuple[str, ...] = (*ESTABLISHMENT_COLUMNS, "priorites", "deja_engages")
"""The form's fields, in the order of its components: the draft's establishment, priorities,
the indicators whose « déjà engagés » row applies."""


def engaged_choices(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(shown, code) of every indicator whose fiche has a « déjà engagés » row."""
    return [
        (f"{ind.code} — {row.scope.label}", ind.code)
        for ind in kb.indicators.values()
        if (rows := engaged_rows(ind))
        for row in rows[:1]
    ]


@dataclass(frozen=True)
class ProfileInputs:
    """The form's components."""

    raison: Any
    finess: Any
    statut: Any
    categorie: Any
    lits: Any
    ght: Any
    hpr: Any
    activites: Any
    priorites: Any
    engages: Any

    @property
    def inputs(self) -> list[Any]:
        """The components, in ``FIELDS`` order."""
        return [
            self.raison,
            self.finess,
            self.statut,
            self.categorie,
            self.lits,
            self.ght,
            self.hpr,
            self.activites,
            self.priorites,
            self.engages,
        ]


def build(engaged: Sequence[tuple[str, str]] = ()) -> ProfileInputs:
    """Lay out the form (call inside a ``gr.Column``).

    Args:
        engaged: The choices of the « déjà engagés » field (``engaged_choices``).
    """
    import gradio as gr

    gr.Markdown("### Profil de l'établissement")
    raison = gr.Textbox(label="Raison sociale", elem_id="raison")
    finess = gr.Textbox(label="FINESS EJ (9 chiffres)", max_length=9, elem_id="finess")
    statut = gr.Dropdown(STATUT_CHOICES, label="Statut", value=None, elem_id="statut")
    categorie = gr.Dropdown(CATEGORY_CHOICES, label="Catégorie", value=None, elem_id="categorie")
    lits = gr.Number(label="Nombre de lits et places", precision=0, minimum=0, elem_id="lits")
    with gr.Row():
        ght = gr.Checkbox(label="Membre d'un GHT", elem_id="ght")
        hpr = gr.Checkbox(label="Hôpital de proximité", elem_id="hpr")
    activites = gr.CheckboxGroup(
        ACTIVITY_CHOICES, label="Activités autorisées", elem_id="activites"
    )
    priorites = gr.Textbox(
        label="Priorités de l'établissement (texte libre)",
        lines=3,
        max_length=4000,
        placeholder="Ex. : développer la chirurgie ambulatoire, réduire les délais aux urgences…",
        elem_id="priorites",
    )
    engages = gr.Dropdown(
        list(engaged),
        multiselect=True,
        value=[],
        label="Déjà engagé pour… (fiches qui fixent une cible propre aux établissements déjà "
        "engagés)",
        elem_id="deja-engages",
    )
    return ProfileInputs(
        raison, finess, statut, categorie, lits, ght, hpr, activites, priorites, engages
    )


def form_of(*values: Any) -> ProfileForm:
    """The profile form from the components' values (in ``FIELDS`` order)."""
    data = dict(zip(FIELDS, values, strict=True))
    for name in ("raison_sociale", "finess_ej", "priorites"):
        data[name] = data[name] or ""
    data["activites"] = data["activites"] or []
    data["deja_engages"] = data["deja_engages"] or []
    data["membre_ght"] = bool(data["membre_ght"])
    data["hopital_proximite"] = bool(data["hopital_proximite"])
    return ProfileForm.model_validate(data)


def values_of(form: ProfileForm) -> list[Any]:
    """The components' values for a kept form (in ``FIELDS`` order)."""
    return [getattr(form, name) for name in FIELDS]


__all__ = ["FIELDS", "ProfileInputs", "build", "engaged_choices", "form_of", "values_of"]
