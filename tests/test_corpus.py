from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus.catalog import load_catalog, uncatalogued_files
from assistant.corpus.cleaning import clean_document
from assistant.corpus.loaders import load_pages
from assistant.corpus.models import DocumentInfo, Page
from assistant.errors import CatalogError, UnreadableDocumentError
from tests.conftest import CORPUS
from tests.pdfs import write_pdf


def _info(file: str = "doc.pdf", **kw: object) -> DocumentInfo:
    values: dict[str, object] = {
        "id": "doc",
        "title": "Doc",
        "issuer": "ARS",
        "region": "Occitanie",
        "period": "2025-2029",
        "date": "2025",
        "kind": "guide",
        "status": "current",
        "file": file,
    }
    values.update(kw)
    return DocumentInfo.model_validate(values)


def test_catalog_describes_the_five_seed_documents() -> None:
    docs = load_catalog(CORPUS)
    assert {d.id for d in docs} == {
        "occitanie-guide-2025-2029",
        "occitanie-fiches-2025-2029",
        "ara-guide-2020-2024",
        "dgos-guide-2012",
        "instruction-etat-ars-2014",
    }
    current = {d.id for d in docs if d.status == "current"}
    assert current == {"occitanie-guide-2025-2029", "occitanie-fiches-2025-2029"}
    for doc in docs:
        assert (CORPUS / doc.file).is_file()
    assert uncatalogued_files(CORPUS, docs) == []


def test_missing_catalog_is_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="Catalogue introuvable"):
        load_catalog(tmp_path)


def test_catalog_entry_with_missing_field_is_reported(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        "documents:\n  - id: x\n    title: T\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match="Entrée n° 1"):
        load_catalog(tmp_path)


def test_pdf_pages_keep_accents_and_numbers(tmp_path: Path) -> None:
    write_pdf(
        tmp_path / "doc.pdf",
        [
            ["Première page : l’établissement de santé œuvre pour 10 €."],
            ["Deuxième page : la coopération inter-établissements."],
            ["Troisième page : fin du document."],
        ],
    )
    pages = load_pages(_info(), tmp_path)
    assert [p.number for p in pages] == [1, 2, 3]
    assert "l’établissement de santé œuvre pour 10 €" in pages[0].text
    doc = clean_document(_info(), pages)
    second = doc.text.index("Deuxième page")
    assert doc.page_at(second) == 2
    assert doc.page_at(doc.text.index("Troisième")) == 3


def test_repeated_header_and_footer_are_dropped_from_pdf(tmp_path: Path) -> None:
    header = "ARS Occitanie | Note – Campagne CPOM 2025-2029 – Edition 2025"
    pages = [[f"Contenu propre à la page {i} sur les indicateurs."] for i in range(1, 6)]
    write_pdf(tmp_path / "doc.pdf", pages, header=header, footer="Guide CPOM – bas de page")
    doc = clean_document(_info(), load_pages(_info(), tmp_path))
    assert "Edition 2025" not in doc.text
    assert "bas de page" not in doc.text
    assert "Contenu propre à la page 4" in doc.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "vide", id="empty"),
        pytest.param(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "PDF lisible", id="truncated"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00binary", "PDF lisible", id="binary-renamed"),
    ],
)
def test_unreadable_pdf_gives_french_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "doc.pdf").write_bytes(content)
    with pytest.raises(UnreadableDocumentError, match=message):
        load_pages(_info(), tmp_path)


def test_encrypted_pdf_is_rejected_with_french_message(tmp_path: Path) -> None:
    write_pdf(tmp_path / "doc.pdf", [["Secret"]], encrypt="motdepasse")
    with pytest.raises(UnreadableDocumentError, match="chiffré"):
        load_pages(_info(), tmp_path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocumentError, match=r"absent\.pdf"):
        load_pages(_info("absent.pdf"), tmp_path)


def _clean(text: str) -> str:
    return clean_document(_info("x.txt"), [Page(number=1, text=text)]).text


def test_wrapped_lines_are_rejoined_and_hyphenation_undone() -> None:
    text = (
        "Les établissements devront choisir au maximum 10 indicateurs, contre 32 (70\n"
        "pour les CHU) lors de la dernière campagne pour l'en-\n"
        "semble des contrats.\n"
    )
    assert _clean(text) == (
        "Les établissements devront choisir au maximum 10 indicateurs, contre 32 (70 pour les "
        "CHU) lors de la dernière campagne pour l'ensemble des contrats."
    )


def test_double_spaced_extraction_is_read_as_wrapped_lines() -> None:
    text = (
        "La date limite dans le choix des\n\nindicateurs est le 25 juillet 2025.\n\n \n\n"
        "Autre paragraphe.\n"
    )
    assert _clean(text) == (
        "La date limite dans le choix des indicateurs est le 25 juillet 2025.\n\nAutre paragraphe."
    )


def test_labelled_lines_stay_apart_and_a_label_keeps_its_value() -> None:
    # « Objectif chapeau : … » then « 5 priorités nationales : … »: two fields, not one run;
    # « Objectif 2029 : » then « 926 »: the value of its label
    text = (
        "Objectif chapeau : contribuer à la pérennité du système de santé\n"
        "5 priorités nationales : Jeunesse, Addictions, Cancer\n"
        "3 axes stratégiques : A- Réduire les inégalités\n"
        "Objectif 2029 :\n"
        "926\n"
        "Mammos :\n"
        "Fin de l'exemple.\n"
    )
    assert _clean(text).split("\n") == [
        "Objectif chapeau : contribuer à la pérennité du système de santé",
        "5 priorités nationales : Jeunesse, Addictions, Cancer",
        "3 axes stratégiques : A- Réduire les inégalités",
        "Objectif 2029 : 926",
        "Mammos :",
        "Fin de l'exemple.",
    ]


def test_url_only_lines_are_dropped_and_bullets_kept() -> None:
    text = (
        "Voici la liste :\n- premier point ;\n- second point.\n"
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000051249432\nSuite du texte.\n"
    )
    cleaned = _clean(text)
    assert "legifrance" not in cleaned
    assert "- premier point ;\n- second point." in cleaned


def test_numbers_and_hyphenated_years_survive_cleaning() -> None:
    cleaned = _clean("CAMPAGNE CPOM SANITAIRES 2025-\n2029\n")
    assert "2025-2029" in cleaned


def test_cleaning_keeps_every_word_of_the_real_guide() -> None:
    info = next(d for d in load_catalog(CORPUS) if d.id == "occitanie-guide-2025-2029")
    cleaned = clean_document(info, load_pages(info, CORPUS)).text
    assert "choisir au maximum 10 indicateurs" in cleaned
    assert (
        "La date limite dans le choix des indicateurs dans e-cars est le 25 juillet 2025."
        in cleaned
    )
    assert "ARS Occitanie | Note" not in cleaned


def test_printed_page_numbers_calibrate_counted_pages() -> None:
    info = next(d for d in load_catalog(CORPUS) if d.id == "occitanie-guide-2025-2029")
    doc = clean_document(info, load_pages(info, CORPUS))
    # the page footed "ARS Occitanie | Note … Edition 2025 / 9" holds the socle's Titre 1
    assert doc.page_at(doc.text.index("Titre 1. L’objet du contrat")) == 9


def test_a_text_saved_from_a_web_page_loses_its_inline_markup(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text(
        "<i>Il ne font pas l'objet d'une cible.</i> <b>Indicateurs CPOM</b>\n"
        "les cibles des indicateurs<sup>2</sup> en vue des CPOM ; a < b et c > d.\n",
        encoding="utf-8",
    )
    [page] = load_pages(_info("doc.txt"), tmp_path)
    assert page.text.splitlines() == [
        "Il ne font pas l'objet d'une cible. Indicateurs CPOM",
        "les cibles des indicateurs en vue des CPOM ; a < b et c > d.",
    ]
