"""Document loaders: plain-text extractions and PDF files (pypdf), page by page."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from assistant.corpus.models import DocumentInfo, Page
from assistant.errors import UnreadableDocumentError

logger = logging.getLogger(__name__)

MAX_PDF_PAGES = 3000
MAX_TEXT_BYTES = 50 * 1024 * 1024


def load_pages(doc: DocumentInfo, corpus_dir: Path) -> list[Page]:
    """Load a catalogued document as raw pages.

    Raises:
        UnreadableDocumentError: missing, empty, encrypted or corrupt file.
    """
    path = corpus_dir / doc.file
    if not path.is_file():
        raise UnreadableDocumentError(
            f"Le fichier {doc.file!r} du document {doc.id!r} est introuvable dans le corpus."
        )
    if path.stat().st_size == 0:
        raise UnreadableDocumentError(f"Le fichier {doc.file!r} est vide.")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _load_pdf(path)
    if suffix == ".txt":
        return _load_text(path, page_breaks=doc.page_breaks)
    raise UnreadableDocumentError(
        f"Le format du fichier {doc.file!r} n'est pas pris en charge (attendu : .txt ou .pdf)."
    )


_INLINE_TAGS = re.compile(r"</?(?:b|i|u|em|strong|sup|sub|span|font)(?:\s[^<>]*)?>", re.IGNORECASE)
"""Inline HTML markup left in a text document (its words are kept)."""
_FOOTNOTE_CALL = re.compile(r"<sup>\s*\d{1,2}\s*</sup>", re.IGNORECASE)
"""A footnote's call (« indicateurs<sup>2</sup> »): dropped, not glued to its word."""


def _load_text(path: Path, *, page_breaks: str) -> list[Page]:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise UnreadableDocumentError(f"Le fichier {path.name!r} dépasse la taille maximale.")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise UnreadableDocumentError(f"Le fichier {path.name!r} n'est pas un fichier texte.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # a text saved from a web page keeps its inline markup (« <b>Indicateurs CPOM</b> »): the
    # words stay, the tags would be quoted to the reader
    text = _INLINE_TAGS.sub("", _FOOTNOTE_CALL.sub("", text))
    if not text.strip():
        raise UnreadableDocumentError(f"Le fichier {path.name!r} ne contient aucun texte.")
    if "\f" in text:
        return [Page(number=i, text=t) for i, t in enumerate(text.split("\f"), start=1)]
    if page_breaks == "leading-space":
        return _split_leading_space_pages(text)
    return [Page(number=None, text=text)]


def _split_leading_space_pages(text: str) -> list[Page]:
    """Split a pdftotext-style extraction where each page opens with a line ' X…'."""
    pages: list[Page] = []
    current: list[str] = []
    for line in text.split("\n"):
        if current and re.match(r"^ \S", line):
            pages.append(Page(number=len(pages) + 1, text="\n".join(current)))
            current = []
        current.append(line)
    pages.append(Page(number=len(pages) + 1, text="\n".join(current)))
    return pages


def _load_pdf(path: Path) -> list[Page]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableDocumentError(
                f"Le fichier {path.name!r} est chiffré ; fournissez une version sans mot de passe."
            )
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise UnreadableDocumentError(
                f"Le fichier {path.name!r} compte {count} pages (maximum {MAX_PDF_PAGES})."
            )
        pages = [
            Page(number=i, text=(page.extract_text() or ""))
            for i, page in enumerate(reader.pages, 1)
        ]
    except UnreadableDocumentError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocumentError(
            f"Le fichier {path.name!r} n'est pas un PDF lisible (fichier corrompu ou tronqué)."
        ) from exc
    if not any(p.text.strip() for p in pages):
        raise UnreadableDocumentError(
            f"Le fichier {path.name!r} ne contient aucun texte extractible (PDF scanné ?)."
        )
    return pages
