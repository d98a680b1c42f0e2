"""The app's handlers on real components: the repo corpus, a lexical index, the rules file."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from assistant.config import Settings
from assistant.drafts import Draft, read_drafts
from assistant.embeddings import HashingEmbeddings
from assistant.errors import InvalidInputError, UnknownIndicatorError
from assistant.index.build import index_status, ingest
from assistant.rules import validate_draft, validate_path
from assistant.ui import chat, profile_form, trajectory, whole_draft
from assistant.ui.escaping import esc
from assistant.ui.exports import ANNEX_HEADERS, ANNEX_TITLE
from assistant.ui.feedback import read_feedback, record_feedback
from assistant.ui.rule_check import selection_counts
from assistant.ui.service import AppContext, IndexService
from assistant.ui.tabs import documents, justification, questions, selection, verification
from assistant.ui.workspace import Dossier, ProfileForm, draft_tree
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
WITH_ERRORS = ROOT / "examples" / "brouillon-avec-erreurs.json"
VALID = ROOT / "examples" / "brouillon-valide.json"

PROFILE = ProfileForm(
    raison_sociale="Centre hospitalier de Saint-Exemple",
    finess_ej="310000123",
    statut="public",
    categorie="CH",
    lits=350,
    membre_ght=True,
    hopital_proximite=False,
    activites=["medecine", "chirurgie", "urgences"],
    priorites="Développer la chirurgie ambulatoire et réduire les délais aux urgences",
)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    """The app's context over the real corpus, with a lexical-only index (about 2 s)."""
    tmp = tmp_path_factory.mktemp("app")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        index_dir=tmp / "index",
        embedding_cache_dir=tmp / "cache",
        llm_provider="none",
        llm_api_key="sk-secret-never-logged",
    )
    ingest(settings, dense=False)
    return AppContext(settings, IndexService(settings), tmp / "var")


@pytest.fixture(scope="module")
def proposed(ctx: AppContext) -> Dossier:
    dossier, _ = selection.propose_selection(ctx, PROFILE, Dossier())
    return dossier


def _drafted(ctx: AppContext, proposed: Dossier) -> Dossier:
    """Every indicator of the proposal drafted with a plausible 2024 baseline."""
    from assistant.drafting.indicator import is_yes_no

    dossier = proposed
    for code in proposed.codes():
        indicator = ctx.kb().indicators[code]
        baseline = "non" if is_yes_no(indicator) else "40"
        dossier, _ = justification.draft_justification(ctx, dossier, code, baseline)
    return dossier


# --- Questions ----------------------------------------------------------------------------------


def test_question_gets_an_answer_with_numbered_expandable_sources(ctx: AppContext) -> None:
    reply, record = questions.ask(
        ctx, "Combien d'indicateurs au maximum dans l'annexe stratégique ?"
    )
    assert record["supported"] is True
    assert "10" in record["answer"]
    assert record["citations"]
    assert record["citations"][0]["n"] == 1
    assert '<details class="cpom-source"><summary>[1]' in reply
    assert "cpom-refusal" not in reply
    doc_ids = {c["doc_id"] for c in record["citations"]}
    assert doc_ids & {"occitanie-guide-2025-2029", "occitanie-fiches-2025-2029"}


def test_question_outside_the_guides_is_a_refusal_that_looks_different(ctx: AppContext) -> None:
    reply, record = questions.ask(ctx, "Quelle est la recette de la tarte aux pommes ?")
    assert record["supported"] is False
    assert "cpom-refusal" in reply
    assert "Hors des guides" in reply


def test_empty_question_is_refused_in_french(ctx: AppContext) -> None:
    with pytest.raises(InvalidInputError, match="Saisissez une question"):
        questions.ask(ctx, "   ")


def test_follow_ups_read_the_plain_text_turns_never_the_html(ctx: AppContext) -> None:
    _, record = questions.ask(ctx, "Combien d'indicateurs au maximum dans l'annexe stratégique ?")
    turn = chat.Turn.model_validate(record)
    kept = chat.load_turns(json.loads(json.dumps(chat.store_turns([turn]))))
    assert kept == [turn]
    assert turn.answer == record["answer"]
    assert "<" not in turn.answer
    assert turn.citations[0].quote
    [(question, answer)] = chat.history_of(kept, last=4)
    assert question == "Combien d'indicateurs au maximum dans l'annexe stratégique ?"
    assert "[1]" not in answer
    assert "10" in answer
    shown = chat.messages_of(kept)
    assert [m["role"] for m in shown] == ["user", "assistant"]
    assert '<details class="cpom-source"><summary>[1]' in shown[1]["content"]
    assert chat.load_turns([{"question": 3}, "garbage"]) == []


def test_questions_answer_for_the_dossier_unless_asked_in_general(
    ctx: AppContext, proposed: Dossier
) -> None:
    assert questions.answering_for(ctx, Dossier().store()) == questions.INCOMPLETE_PROFILE
    assert questions.establishment_of_dossier(ctx, Dossier().store()) is None
    stored = proposed.store()
    assert questions.answering_for(ctx, stored).startswith(
        "Réponses pour : **Centre hospitalier de Saint\\-Exemple**"
    )
    assert questions.answering_for(ctx, stored, general=True).startswith("Réponses générales")
    # a user who fills no profile in the page (a referent) is never asked to complete one
    assert questions.answering_for(ctx, stored, edits=False) == questions.NO_DOSSIER
    assert questions.refresh(ctx, stored, edits=False)[1] is None
    mine = questions.establishment_of_dossier(ctx, stored)
    assert mine is not None
    assert [line.code for line in mine.strategic] == proposed.codes()
    answer = questions.answer_with(ctx)
    pending = [{"role": "assistant", "content": chat.PENDING}]
    *_, (shown, _, _) = answer("Le CT 3, on peut le prendre ?", pending, [], stored)
    html = shown[-1]["content"]
    assert "Pour Centre hospitalier de Saint-Exemple" in html
    assert "CPOM_CT_3 — Oui" in html  # a member of a GHT
    header, answered_for = questions.refresh(ctx, stored, general=True)
    assert header.startswith("Réponses générales")
    assert answered_for is None
    *_, (general, _, _) = answer("Le CT 3, on peut le prendre ?", pending, [], answered_for)
    assert "Pour Centre hospitalier" not in general[-1]["content"]
    left = "Combien d'indicateurs il nous reste à choisir ?"
    *_, (shown, _, _) = answer(left, pending, [], questions.refresh(ctx, stored)[1])
    count = len(proposed.codes())
    assert f"Votre sélection compte {count} indicateur(s)" in shown[-1]["content"]


def test_user_and_document_text_is_rendered_inert() -> None:
    attack = '<img src=x onerror="alert(1)">'
    assert "<img" not in chat.question_html(attack)
    details = chat.source_details(
        1,
        title=attack,
        period="",
        section=attack,
        page=3,
        status="historical",
        quote=attack,
        doc_id="doc",
    )
    assert "<img" not in details
    assert "&lt;img" in details
    assert "document historique" in details


def test_feedback_is_appended_without_any_setting(ctx: AppContext, tmp_path: Path) -> None:
    _, record = questions.ask(ctx, "Combien d'indicateurs de coopération au minimum ?")
    record_feedback(tmp_path, record, "pas_utile", "Il manque la FAQ.")
    record_feedback(tmp_path, record, "utile", "")
    saved = read_feedback(tmp_path)
    assert [f.rating for f in saved] == ["pas_utile", "utile"]
    assert saved[0].comment == "Il manque la FAQ."
    assert saved[0].question == record["question"]
    text = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8")
    assert "sk-secret" not in text
    assert "llm" not in text


def test_feedback_before_any_answer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="Posez d'abord une question"):
        record_feedback(tmp_path, None, "utile", "")


# --- Choisir mes indicateurs --------------------------------------------------------------------


def test_proposal_fills_the_table_and_passes_the_rule_check(
    ctx: AppContext, proposed: Dossier
) -> None:
    counts = selection_counts(proposed)
    assert counts["CT"] >= 2
    assert counts["OS"] >= 6
    assert counts["?"] == 0
    assert all(line.libelle and line.pourquoi for line in proposed.lignes)
    check = selection.check_selection(ctx, proposed)
    assert "Sélection conforme" in check.verdict
    assert check.kind == "valid"
    assert "cpom-error" not in check.findings


def test_removing_cooperation_indicators_breaks_the_rule_with_the_guide_words(
    ctx: AppContext, proposed: Dossier
) -> None:
    dossier = proposed
    for line in proposed.lignes:
        if line.categorie == "CT":
            dossier = selection.remove_indicator(ctx, line.code, dossier)
    check = selection.check_selection(ctx, dossier)
    assert "non conforme" in check.verdict
    assert "SEL-MIN-CT" in check.findings
    assert "Les établissements ont obligation de choisir au minimum 2 indicateurs" in check.findings
    assert check.counts[0][:2] == ["Coopérations (CT)", "0"]


def test_edited_table_reads_usual_codes_and_flags_unknown_ones(
    ctx: AppContext, proposed: Dossier
) -> None:
    rows = [["os13", "", "", "mon motif", ""], ["CPOM_XX_99", "", "", "", ""], ["", "", "", "", ""]]
    dossier = selection.edit_selection(ctx, rows, proposed.model_copy(update={"profil": PROFILE}))
    assert dossier.codes() == ["CPOM_OS_13", "CPOM_XX_99"]
    assert dossier.lignes[0].libelle.startswith("Taux d")
    assert dossier.lignes[0].categorie == "OS"
    assert dossier.lignes[0].pourquoi == "mon motif"
    assert "SEL-UNKNOWN" in selection.check_selection(ctx, dossier).findings


def test_adding_a_code_that_does_not_exist_suggests_close_ones(ctx: AppContext) -> None:
    with pytest.raises(UnknownIndicatorError, match="OS_22"):
        selection.add_indicator(ctx, "OS_23", Dossier(profil=PROFILE))


def test_incomplete_profile_keeps_the_selection_and_says_what_to_complete(
    ctx: AppContext, proposed: Dossier
) -> None:
    dossier = proposed.model_copy(update={"profil": ProfileForm(raison_sociale="CH")})
    check = selection.check_selection(ctx, dossier)
    assert "Complétez le profil" in check.verdict
    assert "statut" in check.verdict
    with pytest.raises(InvalidInputError, match="statut"):
        selection.propose_selection(ctx, dossier.profil, dossier)
    assert dossier.codes() == proposed.codes()


def test_dossier_survives_a_round_trip_and_ignores_garbage(proposed: Dossier) -> None:
    assert Dossier.load(json.loads(json.dumps(proposed.store()))) == proposed
    assert Dossier.load({"version": "x", "lignes": 3}) == Dossier()
    assert Dossier.load(None) == Dossier()


# --- Rédiger une justification ------------------------------------------------------------------


def test_drafting_an_indicator_fills_the_editor_chart_and_dossier(
    ctx: AppContext, proposed: Dossier
) -> None:
    dossier, draft = justification.draft_justification(ctx, proposed, "CPOM_OS_13", "20")
    line = dossier.line("CPOM_OS_13")
    assert line is not None
    assert line.valeur_initiale == 20
    assert set(line.cibles) == {"2025", "2026", "2027", "2028", "2029"}
    assert line.justification
    assert draft.contexte[:40] in line.justification
    shown = justification.editor_values(dossier, "CPOM_OS_13")
    assert shown["contexte"] == draft.contexte
    assert shown["baseline"] == "20"
    assert [row[0] for row in shown["years"]] == ["2025", "2026", "2027", "2028", "2029"]
    assert set(shown["chart"]["Série"]) == {trajectory.OURS, trajectory.FICHE}  # two lines
    assert shown["table"] is None


def test_drafting_cancels_a_save_of_typed_fields_still_running(ctx: AppContext) -> None:
    """Typing a value then « Rédiger » at once: the save of the typed value, answering late
    with the dossier from before the draft, would undo the draft (a red browser run)."""
    import gradio as gr

    with gr.Blocks() as demo:
        dossier = gr.State(Dossier().store())
        tab = justification.build()
        justification.wire(tab, ctx, dossier=dossier)
    by_name = {dep.fn.__name__: index for index, dep in demo.fns.items() if dep.fn}
    cancelled_on_draft = {
        index
        for dep in demo.fns.values()
        if dep.is_cancel_function and (tab.draft_btn._id, "click") in dep.targets
        for index in dep.cancels
    }
    assert by_name["save"] in cancelled_on_draft
    assert by_name["draft"] not in cancelled_on_draft


def test_saving_takes_the_profile_as_typed_and_cancels_a_keep_still_running(
    ctx: AppContext,
) -> None:
    """Typing the name then « Enregistrer » at once: the keep of the last keys, still running,
    left the saved version with a name cut short (« Centre h », a red browser run)."""
    from assistant.ui.app import build_blocks

    demo = build_blocks(ctx)
    save_btn = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "save")
    on_save = [
        (index, dep)
        for index, dep in demo.fns.items()
        if (save_btn._id, "click") in dep.targets and not dep.is_cancel_function
    ]
    assert [dep.fn.__name__ for _, dep in on_save] == ["with_profile"]
    by_name = {dep.fn.__name__: index for index, dep in demo.fns.items() if dep.fn}
    cancelled_on_save = {
        index
        for dep in demo.fns.values()
        if dep.is_cancel_function and (save_btn._id, "click") in dep.targets
        for index in dep.cancels
    }
    assert by_name["save_profile"] in cancelled_on_save
    # what the save then sends: the dossier with the profile as the form shows it
    old = Dossier(profil=ProfileForm(raison_sociale="Centre h"))
    form = ProfileForm(raison_sociale="Centre hospitalier de Saint-Exemple", finess_ej="310000123")
    kept = Dossier.load(selection.with_profile(old.store(), *profile_form.values_of(form)))
    assert kept.profil.raison_sociale == "Centre hospitalier de Saint-Exemple"
    assert kept.profil.finess_ej == "310000123"


def test_the_lecture_chosen_in_the_editor_applies_and_the_other_is_shown(
    ctx: AppContext, proposed: Dossier
) -> None:
    from assistant.ui.draft_notes import draft_notes_html

    relative, drafted = justification.draft_justification(ctx, proposed, "CPOM_OS_13", "40")
    points, _ = justification.draft_justification(ctx, proposed, "CPOM_OS_13", "40", "points")
    kept = {d.line("CPOM_OS_13").lecture: d.line("CPOM_OS_13").cibles for d in (relative, points)}
    # OS_13: +1 % then +3 % a year of a 40 % rate: 40,4 in relative, 41 in points (2025).
    assert kept["relative"]["2025"] == pytest.approx(40.4)
    assert kept["points"]["2025"] == pytest.approx(41)
    assert justification.editor_values(points, "CPOM_OS_13")["lecture"] == "points"
    notes = draft_notes_html(drafted)
    assert "Autre lecture de la hausse (en points)" in notes
    assert "2025 : 41 %" in notes


def test_the_engaged_choice_of_the_profile_drives_drafts_and_the_check(
    ctx: AppContext, proposed: Dossier
) -> None:
    engaged = proposed.model_copy(
        update={"profil": proposed.profil.model_copy(update={"deja_engages": ["CPOM_OS_20"]})}
    )
    from assistant.ui.profile_form import engaged_choices

    assert ("CPOM_OS_20" in [code for _, code in engaged_choices(ctx.kb())]) is True
    assert "CPOM_OS_13" not in [code for _, code in engaged_choices(ctx.kb())]
    dossier, draft = justification.draft_justification(ctx, engaged, "CPOM_OS_20", "3")
    assert draft.deja_engage
    assert draft.trajectoire["2026"] == 4  # the engaged row: 4 actions a quarter from 2026
    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    (line,) = [item for item in tree["indicateurs"] if item["code"] == "CPOM_OS_20"]
    assert line["deja_engage"] is True
    report = validate_draft(tree, kb=ctx.kb(), rules=ctx.rules())
    assert not [
        f for f in report.findings if f.indicator == "CPOM_OS_20" and f.rule.startswith("TRAJ-")
    ]
    # The same line for a profile that is not engaged: 3 already meets the other row's 3.
    plain = dossier.model_copy(update={"profil": proposed.profil})
    tree = draft_tree(plain, campaign=ctx.rules().campaign, kb=ctx.kb())
    report = validate_draft(tree, kb=ctx.kb(), rules=ctx.rules())
    assert "TRAJ-ALREADY-MET" in {f.rule for f in report.findings if f.indicator == "CPOM_OS_20"}


def test_means_and_proofs_are_edited_and_kept_in_the_texts(
    ctx: AppContext, proposed: Dossier
) -> None:
    dossier, draft = justification.draft_justification(ctx, proposed, "CPOM_OS_13", "20")
    shown = justification.editor_values(dossier, "CPOM_OS_13")
    assert shown["moyens"] == draft.moyens
    assert shown["moyens"]
    assert shown["preuves"].splitlines() == draft.preuves
    texts = {name: shown[name] for name in justification.TEXTS}
    texts |= {"moyens": "Une IDE coordinatrice RAAC à mi-temps.", "preuves": "- Bilan annuel"}
    edited = justification.save_justification(
        ctx, dossier, "CPOM_OS_13", baseline="20", years=shown["years"], **texts
    )
    line = edited.line("CPOM_OS_13")
    assert line is not None
    assert "Moyens : Une IDE coordinatrice RAAC à mi-temps." in (line.justification or "")
    assert (line.commentaire or "").endswith("Bilan annuel")
    assert justification.editor_values(edited, "CPOM_OS_13")["preuves"] == "Bilan annuel"


def test_edits_of_texts_and_targets_are_kept_and_checked(
    ctx: AppContext, proposed: Dossier
) -> None:
    dossier, _ = justification.draft_justification(ctx, proposed, "CPOM_OS_13", "20")
    shown = justification.editor_values(dossier, "CPOM_OS_13")
    years = [[row[0], "19", row[2]] for row in shown["years"]]
    edited = justification.save_justification(
        ctx,
        dossier,
        "CPOM_OS_13",
        baseline="20",
        contexte="Notre contexte.",
        diagnostic=shown["diagnostic"],
        actions="- Action une\n- Action deux\n",
        suivi=shown["suivi"],
        partenaires=shown["partenaires"],
        years=years,
    )
    line = edited.line("CPOM_OS_13")
    assert line is not None
    assert line.redaction is not None
    assert line.redaction.contexte == "Notre contexte."
    assert line.redaction.actions == ["Action une", "Action deux"]
    assert line.cibles == dict.fromkeys(["2025", "2026", "2027", "2028", "2029"], "19")
    findings = justification.line_findings(ctx, edited, "CPOM_OS_13")
    assert "TRAJ-" in findings  # a target below the 2024 value goes the wrong way


def test_a_wrong_baseline_is_refused_and_nothing_is_lost(
    ctx: AppContext, proposed: Dossier
) -> None:
    with pytest.raises(InvalidInputError, match="valeur initiale"):
        justification.draft_justification(ctx, proposed, "CPOM_OS_13", "beaucoup")
    assert proposed.line("CPOM_OS_13") is not None
    assert proposed.line("CPOM_OS_13").valeur_initiale is None  # type: ignore[union-attr]


def test_export_reads_back_unchanged_in_json_and_xlsx(
    ctx: AppContext, proposed: Dossier, tmp_path: Path
) -> None:
    dossier = _drafted(ctx, proposed)
    xlsx, json_path = whole_draft.export_draft(ctx, dossier, tmp_path)
    tree = draft_tree(dossier, campaign=ctx.rules().campaign, kb=ctx.kb())
    expected = validate_draft(tree, kb=ctx.kb(), rules=ctx.rules())
    from_json = validate_path(json_path, kb=ctx.kb(), rules=ctx.rules())
    from_xlsx = validate_path(xlsx, kb=ctx.kb(), rules=ctx.rules())
    assert from_json.to_json() == expected.to_json() == from_xlsx.to_json()
    json_draft = Draft.model_validate(read_drafts(json_path)[0].data)
    xlsx_draft = Draft.model_validate(read_drafts(xlsx)[0].data)
    assert json_draft == xlsx_draft == Draft.model_validate(tree)
    assert [i.code for i in json_draft.indicateurs] == dossier.codes()


def test_xlsx_export_opens_on_the_annex_5_layout(
    ctx: AppContext, proposed: Dossier, tmp_path: Path
) -> None:
    dossier, _ = justification.draft_justification(ctx, proposed, "CPOM_OS_13", "20")
    xlsx, _ = whole_draft.export_draft(ctx, dossier, tmp_path)
    workbook = openpyxl.load_workbook(xlsx)
    assert workbook.sheetnames[0] == "Annexe stratégique"
    assert "indicateurs" in workbook.sheetnames
    rows = list(workbook["Annexe stratégique"].iter_rows(values_only=True))
    assert rows[0][0] == ANNEX_TITLE
    assert rows[1][0] == "FINESS EJ : 310000123"
    assert tuple(rows[4][: len(ANNEX_HEADERS)]) == ANNEX_HEADERS
    os13 = next(r for r in rows[5:] if r[2] and "CPOM_OS_13" in r[2])
    assert os13[0].startswith("OS_")
    assert "Engagement n°" in os13[0]
    assert os13[3] == 20
    assert os13[4] is not None


def test_export_of_an_incomplete_profile_says_what_is_missing(
    ctx: AppContext, proposed: Dossier, tmp_path: Path
) -> None:
    dossier = proposed.model_copy(update={"profil": PROFILE.model_copy(update={"finess_ej": ""})})
    with pytest.raises(InvalidInputError, match="FINESS EJ"):
        whole_draft.export_draft(ctx, dossier, tmp_path)
    report = whole_draft.check_draft(ctx, dossier)
    assert "SCHEMA" in report
    assert "à rédiger" in str(whole_draft.draft_overview(dossier))


# --- Vérifier un CPOM ---------------------------------------------------------------------------


def test_uploaded_draft_with_errors_gets_the_guide_words_and_downloads(
    ctx: AppContext, tmp_path: Path
) -> None:
    rows, report, xlsx, json_path = verification.check_uploads(ctx, [WITH_ERRORS], tmp_path / "out")
    expected = validate_path(WITH_ERRORS, kb=ctx.kb(), rules=ctx.rules())
    assert rows == [
        [
            WITH_ERRORS.name,
            "Centre hospitalier de Saint-Exemple",
            "310000123",
            "non",
            expected.errors,
            expected.warnings,
        ]
    ]
    assert json.loads(json_path.read_text(encoding="utf-8")) == json.loads(expected.to_json())
    for finding in expected.findings:
        assert esc(finding.source.quote) in report
    sheet = openpyxl.load_workbook(xlsx)["Constats"]
    assert sheet.max_row == 1 + len(expected.findings)


def test_several_uploads_make_a_batch_with_one_row_each(ctx: AppContext, tmp_path: Path) -> None:
    rows, report, _, json_path = verification.check_uploads(
        ctx, [VALID, WITH_ERRORS], tmp_path / "out"
    )
    assert sorted(row[3] for row in rows) == ["non", "oui"]
    assert json.loads(json_path.read_text(encoding="utf-8"))["summary"]["establishments"] == 2
    assert "Lot de 2 établissements" in report


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda d: [], "Déposez au moins un brouillon", id="none"),
        pytest.param(
            lambda d: [_touch(d / f"b{i}.json", b"{}") for i in range(201)],
            "la limite est de 200",
            id="too-many",
        ),
        pytest.param(lambda d: [_touch(d / "notes.txt", b"x")], "non pris en charge", id="format"),
        pytest.param(lambda d: [_sparse(d / "gros.json")], "10 Mo", id="too-large"),
        pytest.param(lambda d: [_touch(d / "vide.json", b"")], "vide", id="empty"),
    ],
)
def test_upload_limits_have_french_messages(
    ctx: AppContext, tmp_path: Path, make: object, message: str
) -> None:
    files = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InvalidInputError, match=message):
        verification.check_uploads(ctx, files, tmp_path / "out")


def _touch(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _sparse(path: Path) -> Path:
    with path.open("wb") as handle:
        handle.truncate(verification.MAX_UPLOAD_BYTES + 1)
    return path


# --- Documents ----------------------------------------------------------------------------------


def test_catalog_lists_current_and_historical_documents(ctx: AppContext) -> None:
    rows = documents.catalog_rows(ctx)
    assert len(rows) == len(ctx.catalog()) >= 5
    assert {row[3] for row in rows} == {"en vigueur", "historique"}


def test_index_status_tells_how_many_passages_and_whether_semantic(ctx: AppContext) -> None:
    manifest = index_status(ctx.settings)
    assert manifest is not None
    status = documents.index_status(ctx)
    assert ["Passages indexés", str(manifest.chunks)] in status.rows
    assert "non construite" in str(status.rows)


def test_reindex_reports_progress_and_serves_the_hybrid_index(
    tmp_path: Path, mini_corpus: Path
) -> None:
    settings = make_settings(tmp_path)
    service = IndexService(settings, embedder=HashingEmbeddings())
    service.start(dense=False)
    assert service.index().dense_ready is False
    ctx = AppContext(settings, service, tmp_path / "var")
    stages: list[str] = []
    status = documents.reindex(
        ctx, rebuild=False, progress=lambda stage, done, total: stages.append(stage)
    )
    assert "Index mis à jour" in status.note
    assert "prête" in str(status.rows)
    assert "vecteurs" in stages
    assert service.index().dense_ready is True
    assert "déjà à jour" in documents.reindex(ctx, rebuild=False).note


def test_trajectory_chart_draws_numbers_and_tabulates_yes_no() -> None:
    years = ("2025", "2026")
    targets, fiche = {"2025": 12, "2026": 14}, {"2025": 11, "2026": 12}
    assert trajectory.is_numeric(targets, fiche, years)
    chart = trajectory.points(10, targets, fiche, years=years)
    lines = chart.groupby("Série")["Valeur"].apply(list).to_dict()
    assert lines == {trajectory.OURS: [10, 12, 14], trajectory.FICHE: [10, 11, 12]}  # two lines
    assert list(chart["Année"].unique()) == ["2024", "2025", "2026"]
    assert not trajectory.is_numeric({"2025": "oui"}, {"2025": "oui"}, years)
    table = trajectory.table("non", {"2025": "oui"}, {"2025": "oui"}, years=years)
    assert table.values.tolist() == [
        [trajectory.OURS, "non", "oui", "—"],
        ["D'après la fiche", "non", "oui", "—"],
    ]


def test_a_hopital_de_proximite_gets_the_hpr_annex_with_its_three_years(
    ctx: AppContext, tmp_path: Path
) -> None:
    profile = PROFILE.model_copy(
        update={
            "finess_ej": "090000111",
            "lits": 60,
            "hopital_proximite": True,
            "activites": ["medecine", "smr"],
        }
    )
    dossier, _ = selection.propose_selection(ctx, profile, Dossier())
    hpr = [code for code in dossier.codes() if code.startswith("HPR_")]
    assert hpr
    assert selection_counts(dossier)["HPR"] == len(hpr)
    assert "Sélection conforme" in selection.check_selection(ctx, dossier).verdict
    dossier, _ = justification.draft_justification(ctx, dossier, hpr[0], "3")
    assert [row[0] for row in justification.editor_values(dossier, hpr[0])["years"]] == [
        "2025",
        "2026",
        "2027",
    ]
    xlsx, _ = whole_draft.export_draft(ctx, dossier, tmp_path)
    sheet = openpyxl.load_workbook(xlsx)["Annexe HPR"]
    assert any(hpr[0] in str(row[1]) for row in sheet.iter_rows(values_only=True))


def test_with_a_chat_model_the_answer_streams_then_comes_checked(ctx: AppContext) -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    model = GenericFakeChatModel(
        messages=iter(
            [AIMessage("Les établissements devront choisir au maximum 10 indicateurs [1].")]
        )
    )
    llm_ctx = AppContext(ctx.settings, ctx.service, ctx.data_dir, chat_model=model)
    events = list(questions.ask_stream(llm_ctx, "Combien d'indicateurs au maximum ?"))
    previews = [reply for reply, record in events if record is None]
    assert len(previews) > 1
    assert "cpom-preview" in previews[0]
    assert "en cours de rédaction" in previews[0]
    reply, record = events[-1]
    assert record is not None
    assert record["mode"] == "llm"
    assert record["supported"] is True
    assert "cpom-preview" not in reply
    assert '<details class="cpom-source"><summary>[1]' in reply


def test_an_answer_says_so_when_the_chroma_server_is_away(ctx: AppContext) -> None:
    from assistant.errors import VectorStoreUnavailableError

    index = ctx.service.index()
    away = VectorStoreUnavailableError(
        "Le serveur Chroma 127.0.0.1:8000 ne répond pas : la recherche sémantique est indisponible."
    )
    index.dense_problem = away
    try:
        reply, _ = questions.ask(
            ctx, "Combien d'indicateurs au maximum dans l'annexe stratégique ?"
        )
    finally:
        index.dense_problem = None
    assert "10" in reply
    assert "Le serveur Chroma 127.0.0.1:8000 ne répond pas" in reply
    again, _ = questions.ask(ctx, "Combien d'indicateurs au maximum dans l'annexe stratégique ?")
    assert "Le serveur Chroma" not in again
