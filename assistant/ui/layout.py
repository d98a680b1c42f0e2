"""The page: header, five tabs and their components (no events: see ``assistant.ui.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.ui import handlers as h
from assistant.ui.workspace import (
    ACTIVITY_CHOICES,
    CATEGORY_CHOICES,
    SELECTION_HEADERS,
    STATUT_CHOICES,
)

if TYPE_CHECKING:
    from assistant.ui.service import AppContext

HEADER = (
    '<div class="cpom-header"><p class="cpom-brand">ARS Occitanie · Campagne CPOM sanitaires '
    "2025-2029</p><h1>Assistant CPOM</h1><p>Questions sur les guides, choix des indicateurs de "
    "l'annexe stratégique, rédaction des justifications et vérification des brouillons. Les "
    "réponses citent les guides ; elles ne remplacent pas l'échange avec votre référent ARS.</p>"
    "</div>"
)
SUMMARY_HEADERS = ["Fichier", "Établissement", "FINESS EJ", "Conforme", "Erreurs", "Avertissements"]
CATALOG_HEADERS = ["Titre", "Émetteur", "Période", "Statut", "Fichier"]


@dataclass(frozen=True)
class Page:
    """The components the events read and write."""

    chatbot: Any
    question: Any
    send: Any
    comment: Any
    useful: Any
    useless: Any
    feedback_note: Any
    new_chat: Any
    raison: Any
    finess: Any
    statut: Any
    categorie: Any
    lits: Any
    ght: Any
    hpr: Any
    activites: Any
    priorites: Any
    propose_btn: Any
    proposal_notes: Any
    table: Any
    to_add: Any
    add_btn: Any
    to_remove: Any
    remove_btn: Any
    check: Any
    indicator: Any
    baseline: Any
    draft_btn: Any
    contexte: Any
    diagnostic: Any
    actions: Any
    suivi: Any
    partenaires: Any
    years: Any
    chart: Any
    line_check: Any
    notes: Any
    whole_btn: Any
    whole_report: Any
    draft_xlsx: Any
    draft_json: Any
    uploads: Any
    verify_btn: Any
    summary: Any
    report: Any
    report_xlsx: Any
    report_json: Any
    status: Any
    rebuild: Any
    reindex_btn: Any
    documents_tab: Any

    @property
    def profile_inputs(self) -> list[Any]:
        """The profile form, in ``ProfileForm`` field order."""
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
        ]

    @property
    def editor(self) -> list[Any]:
        """The justification editor (the chart last: it is shown, not typed in)."""
        return [
            self.baseline,
            self.contexte,
            self.diagnostic,
            self.actions,
            self.suivi,
            self.partenaires,
            self.years,
            self.chart,
        ]

    @property
    def selection_outputs(self) -> list[Any]:
        """Table, rule check and the three indicator dropdowns."""
        return [self.table, self.check, self.to_add, self.to_remove, self.indicator]


def build_page(ctx: AppContext) -> Page:
    """Lay out the page (call inside ``gr.Blocks``)."""
    import gradio as gr

    gr.HTML(HEADER)
    with gr.Tabs():
        with gr.Tab("Questions", id="questions"):
            chatbot = gr.Chatbot(
                label="Questions sur les guides",
                height=520,
                feedback_options=None,
                placeholder="Posez une question sur la campagne CPOM 2025-2029 : chaque "
                "réponse cite les passages des guides sur lesquels elle repose.",
                elem_id="chat",
            )
            with gr.Row():
                question = gr.Textbox(
                    label="Votre question",
                    placeholder="Ex. : combien d'indicateurs de coopération faut-il retenir ?",
                    max_length=h.MAX_QUESTION_CHARS,
                    scale=5,
                    elem_id="question",
                )
                send = gr.Button(
                    "Envoyer",
                    variant="primary",
                    scale=0,
                    min_width=140,
                    elem_id="send",
                    elem_classes=["cpom-align-end"],
                )
            gr.Examples(list(h.EXAMPLE_QUESTIONS), inputs=question, label="Exemples de questions")
            with gr.Accordion("Votre avis sur la dernière réponse", open=False):
                comment = gr.Textbox(label="Commentaire (facultatif)", lines=2, max_length=2000)
                with gr.Row():
                    useful = gr.Button("Réponse utile", size="sm")
                    useless = gr.Button("Réponse pas utile", size="sm")
                feedback_note = gr.Markdown()
            new_chat = gr.Button("Nouvelle conversation", size="sm", variant="secondary")

        with gr.Tab("Choisir mes indicateurs", id="selection"), gr.Row():
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("### Profil de l'établissement")
                raison = gr.Textbox(label="Raison sociale", elem_id="raison")
                finess = gr.Textbox(label="FINESS EJ (9 chiffres)", max_length=9, elem_id="finess")
                statut = gr.Dropdown(STATUT_CHOICES, label="Statut", value=None, elem_id="statut")
                categorie = gr.Dropdown(
                    CATEGORY_CHOICES, label="Catégorie", value=None, elem_id="categorie"
                )
                lits = gr.Number(
                    label="Nombre de lits et places", precision=0, minimum=0, elem_id="lits"
                )
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
                    placeholder="Ex. : développer la chirurgie ambulatoire, réduire les "
                    "délais aux urgences…",
                    elem_id="priorites",
                )
                propose_btn = gr.Button(
                    "Proposer une sélection", variant="primary", elem_id="propose"
                )
            with gr.Column(scale=3, min_width=420):
                gr.Markdown("### Sélection d'indicateurs")
                proposal_notes = gr.HTML()
                table = gr.Dataframe(
                    headers=list(SELECTION_HEADERS),
                    datatype=["str"] * 5,
                    type="array",
                    column_count=5,
                    interactive=True,
                    wrap=True,
                    column_widths=["16%", "31%", "7%", "27%", "19%"],
                    max_height=440,
                    label="Indicateurs retenus (modifiables)",
                    elem_id="selection-table",
                    elem_classes=["cpom-table-sans"],
                )
                with gr.Row():
                    to_add = gr.Dropdown(
                        [], label="Ajouter un indicateur", scale=3, elem_id="to-add"
                    )
                    add_btn = gr.Button(
                        "Ajouter",
                        scale=0,
                        min_width=120,
                        elem_id="add",
                        elem_classes=["cpom-align-end"],
                    )
                with gr.Row():
                    to_remove = gr.Dropdown(
                        [], label="Retirer un indicateur", scale=3, elem_id="to-remove"
                    )
                    remove_btn = gr.Button(
                        "Retirer",
                        scale=0,
                        min_width=120,
                        elem_id="remove",
                        elem_classes=["cpom-align-end"],
                    )
                gr.Markdown("#### Vérification des règles de sélection")
                check = gr.HTML(elem_id="selection-check")

        with gr.Tab("Rédiger une justification", id="justification"):
            with gr.Row():
                indicator = gr.Dropdown(
                    [], label="Indicateur de votre sélection", scale=3, elem_id="indicator"
                )
                baseline = gr.Textbox(
                    label="Valeur initiale 2024",
                    placeholder="ex. 42, 12,5 ou oui",
                    scale=1,
                    elem_id="baseline",
                )
                draft_btn = gr.Button(
                    "Rédiger le brouillon",
                    variant="primary",
                    scale=0,
                    min_width=200,
                    elem_id="draft",
                    elem_classes=["cpom-align-end"],
                )
            with gr.Row():
                with gr.Column(scale=3):
                    contexte = gr.Textbox(label="Contexte", lines=4)
                    diagnostic = gr.Textbox(label="Diagnostic initial (valeur 2024)", lines=3)
                    actions = gr.Textbox(label="Actions (une par ligne)", lines=5)
                    suivi = gr.Textbox(label="Suivi (source des données, fréquence)", lines=2)
                    partenaires = gr.Textbox(label="Partenaires", lines=2)
                with gr.Column(scale=2):
                    years = gr.Dataframe(
                        headers=list(h.YEAR_HEADERS),
                        datatype=["str", "str", "str"],
                        type="array",
                        row_count=5,
                        column_count=3,
                        interactive=True,
                        static_columns=[0, 2],
                        wrap=True,
                        label="Trajectoire 2025-2029 (cibles modifiables)",
                        elem_id="years",
                        elem_classes=["cpom-table-sans"],
                    )
                    chart = gr.HTML()
                    line_check = gr.HTML()
                    notes = gr.HTML()
            gr.Markdown("### Brouillon complet : vérification et export")
            gr.Markdown(
                "Le brouillon réunit le profil, la sélection, les valeurs 2024, les cibles et "
                "les justifications. L'export Excel reprend la trame de l'annexe 5 du guide ; "
                "le fichier JSON se relit tel quel avec `python -m assistant validate`."
            )
            whole_btn = gr.Button(
                "Vérifier et exporter le brouillon complet", variant="primary", elem_id="export"
            )
            with gr.Row():
                draft_xlsx = gr.DownloadButton(
                    "Télécharger le brouillon (Excel, annexe 5)",
                    visible=False,
                    elem_id="draft-xlsx",
                )
                draft_json = gr.DownloadButton(
                    "Télécharger le brouillon (JSON)", visible=False, elem_id="draft-json"
                )
            whole_report = gr.HTML(elem_id="whole-report")

        with gr.Tab("Vérifier un CPOM", id="verifier"):
            gr.Markdown(
                "Déposez un ou plusieurs brouillons (JSON, YAML, CSV ou Excel ; jusqu'à "
                f"{h.MAX_UPLOAD_FILES} fichiers de {h.MAX_UPLOAD_BYTES // (1024 * 1024)} Mo "
                "au plus). Chaque constat cite les termes du guide."
            )
            uploads = gr.File(
                label="Brouillons à vérifier",
                file_count="multiple",
                file_types=[".json", ".yaml", ".yml", ".csv", ".xlsx"],
                elem_id="uploads",
            )
            verify_btn = gr.Button("Vérifier", variant="primary", elem_id="verify")
            summary = gr.Dataframe(
                headers=SUMMARY_HEADERS,
                interactive=False,
                visible=False,
                wrap=True,
                label="Synthèse",
                elem_id="summary",
                elem_classes=["cpom-table-sans"],
            )
            with gr.Row():
                report_xlsx = gr.DownloadButton(
                    "Télécharger le rapport (Excel)", visible=False, elem_id="report-xlsx"
                )
                report_json = gr.DownloadButton(
                    "Télécharger le rapport (JSON)", visible=False, elem_id="report-json"
                )
            report = gr.HTML(elem_id="report")

        with gr.Tab("Documents", id="documents") as documents_tab:
            gr.Markdown("### Documents de référence")
            gr.Dataframe(
                value=lambda: h.catalog_rows(ctx),
                headers=CATALOG_HEADERS,
                interactive=False,
                wrap=True,
                label="Catalogue du corpus",
                column_widths=["42%", "20%", "10%", "10%", "18%"],
                elem_classes=["cpom-table-sans"],
                elem_id="catalog",
            )
            gr.Markdown("### Index de recherche")
            status = gr.HTML(elem_id="index-status")
            with gr.Row():
                rebuild = gr.Checkbox(label="Tout reconstruire (sinon : seulement ce qui a changé)")
                reindex_btn = gr.Button("Mettre à jour l'index", elem_id="reindex")

    return Page(
        chatbot=chatbot,
        question=question,
        send=send,
        comment=comment,
        useful=useful,
        useless=useless,
        feedback_note=feedback_note,
        new_chat=new_chat,
        raison=raison,
        finess=finess,
        statut=statut,
        categorie=categorie,
        lits=lits,
        ght=ght,
        hpr=hpr,
        activites=activites,
        priorites=priorites,
        propose_btn=propose_btn,
        proposal_notes=proposal_notes,
        table=table,
        to_add=to_add,
        add_btn=add_btn,
        to_remove=to_remove,
        remove_btn=remove_btn,
        check=check,
        indicator=indicator,
        baseline=baseline,
        draft_btn=draft_btn,
        contexte=contexte,
        diagnostic=diagnostic,
        actions=actions,
        suivi=suivi,
        partenaires=partenaires,
        years=years,
        chart=chart,
        line_check=line_check,
        notes=notes,
        whole_btn=whole_btn,
        whole_report=whole_report,
        draft_xlsx=draft_xlsx,
        draft_json=draft_json,
        uploads=uploads,
        verify_btn=verify_btn,
        summary=summary,
        report=report,
        report_xlsx=report_xlsx,
        report_json=report_json,
        status=status,
        rebuild=rebuild,
        reindex_btn=reindex_btn,
        documents_tab=documents_tab,
    )
