"""Citations of known quotes (rules file, knowledge base): which passage holds them, and where.

A quote from the knowledge base or the rules file is the guide's verbatim words; the citation
points to the passage of the index that holds it, widened to whole sentences, so that the user
can read it in context. When no passage holds it (a table the chunker dropped), the citation
still carries the quote, with the document's title and the quote's section.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.answer.models import Citation
from assistant.corpus.models import Chunk
from assistant.index.statistics import body_offset, corpus_stats
from assistant.text.french import fold
from assistant.text.sentences import whole_quote

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def match_key(text: str) -> str:
    """Letters and digits only, folded: the form in which a quote is looked up in passages."""
    return _NON_ALNUM.sub("", fold(text))


def find_chunk(index: Any, doc_id: str, quote: str, *, fiche: str | None = None) -> Chunk | None:
    """The passage of ``doc_id`` (and ``fiche``) whose text holds ``quote``, if any."""
    key = match_key(quote)
    if not key:
        return None
    head = key[:120]
    in_header: Chunk | None = None
    partial: Chunk | None = None
    chunks: dict[str, Chunk] = index.chunks
    for chunk in chunks.values():
        if chunk.doc_id != doc_id or (fiche and chunk.fiche != fiche):
            continue
        text = match_key(chunk.text)
        if key in text:
            if key in match_key(chunk.text[body_offset(chunk) :]):
                return chunk
            in_header = in_header or chunk
        elif partial is None and len(key) > 160 and head in text:
            partial = chunk
    return in_header or partial


def sentence_span(index: Any, chunk: Chunk, quote: str) -> str:
    """The whole sentences of ``chunk`` that hold ``quote`` (the quote itself if none does)."""
    key = match_key(quote)
    sentences = corpus_stats(index).sentences(chunk.id)
    inside = [s for s in sentences if match_key(s.text) and match_key(s.text) in key]
    holding = [s for s in sentences if key in match_key(s.text)]
    body = body_offset(chunk)
    if holding:
        best = min(holding, key=lambda s: len(s.text))
        return whole_quote(chunk.text, best.start, best.end, body=body)
    if inside:
        return whole_quote(chunk.text, inside[0].start, inside[-1].end, body=body)
    return quote


def document_meta(index: Any, doc_id: str) -> tuple[str, str, str]:
    """(title, period, status) of a document, from any of its passages."""
    chunks: dict[str, Chunk] = index.chunks
    for chunk in chunks.values():
        if chunk.doc_id == doc_id:
            return chunk.title, chunk.period, chunk.status
    return doc_id, "", "current"


def cite_quote(
    index: Any,
    n: int,
    doc_id: str,
    quote: str,
    *,
    section: str | None = None,
    fiche: str | None = None,
    widen: bool = True,
) -> Citation:
    """A citation of a known verbatim ``quote`` of ``doc_id``.

    Args:
        index: the opened index.
        n: the citation number.
        doc_id: the document the quote comes from.
        quote: the document's words.
        section: the section to show when no passage holds the quote.
        fiche: restrict the lookup to one fiche's passages.
        widen: quote whole sentences of the passage rather than the fragment.
    """
    chunk = find_chunk(index, doc_id, quote, fiche=fiche)
    text = " ".join(quote.split())
    if chunk is not None:
        if widen:
            text = " ".join(sentence_span(index, chunk, quote).split())
        return Citation(
            n=n,
            doc_id=doc_id,
            title=chunk.title,
            section=chunk.section,
            page=chunk.page,
            quote=text,
            period=chunk.period,
            status=chunk.status,
            chunk_id=chunk.id,
        )
    title, period, status = document_meta(index, doc_id)
    page = None
    if fiche:
        pages = [c.page for c in index.chunks.values() if c.fiche == fiche and c.page]
        page = min(pages) if pages else None
    return Citation(
        n=n,
        doc_id=doc_id,
        title=title,
        section=section or "",
        page=page,
        quote=text,
        period=period,
        status="historical" if status == "historical" else "current",
        chunk_id=None,
    )
