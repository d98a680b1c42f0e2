"""What a question points to: indicator fiches it names, documents it designates, fiche parts.

Built once per opened index from its chunks and the corpus catalog (``query_router``); the
hybrid search and the answer chain both route questions with it.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.corpus.catalog import load_catalog
from assistant.corpus.glossary import Glossary, load_glossary
from assistant.corpus.models import Chunk
from assistant.errors import AssistantError
from assistant.kb.codes import find_codes
from assistant.kb.parts import PART_SECTIONS, asked_parts
from assistant.text.french import fold

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9]+")


class QueryRouter:
    """The routing vocabulary of one corpus: fiche titles and document names."""

    def __init__(self, chunks: Iterable[Chunk], corpus_dir: Path) -> None:
        """Read the vocabulary from the chunks (and the catalog's aliases, when readable)."""
        chunk_list = list(chunks)
        self.fiche_words = _fiche_vocabulary(chunk_list)
        self.document_keys = _document_keys(corpus_dir, chunk_list)
        self.topic_keys = _topic_keys(corpus_dir)
        try:
            self.glossary = load_glossary(corpus_dir)
        except AssistantError as exc:  # a broken glossary only loses the synonyms
            logger.warning("glossary unreadable, no synonyms: %s", exc.message)
            self.glossary = Glossary([])

    def named_fiches(self, query: str) -> list[str]:
        """Fiche codes a question names ("OS 13", "CT_3", "indicateur RAAC")."""
        found: list[str] = []
        found = [code for code in find_codes(query) if code in self.fiche_words]
        if found:
            return found
        for word in _WORD.findall(query):
            # acronyms only ("RAAC", "ETP", "PIMM"): plain words name too many things
            if len(word) < 3 or not word.isupper() or word.isdigit():
                continue
            key = fold(word)
            owners = [code for code, words in self.fiche_words.items() if key in words]
            if len(owners) == 1 and owners[0] not in found:
                found.append(owners[0])
        return found[:2]

    def named_documents(self, query: str) -> tuple[str, ...]:
        """Documents a question points to by their issuer, region, period or date.

        A document's topic (« HPR ») points to it only when the question names no document.
        """
        folded = fold(query)
        words = set(_KEY_WORD.findall(folded))
        found: set[str] = set()
        padded = f" {' '.join(_KEY_WORD.findall(folded))} "
        # « Rhône-Alpes-Auvergne » holds « Rhône-Alpes »: a name inside a hyphenated word
        hyphenated = [f"-{w}-" for w in words if "-" in w]
        by_topic: set[str] = set()
        for keys, into in ((self.document_keys, found), (self.topic_keys, by_topic)):
            for key, docs in keys.items():
                if key in words or (
                    ("-" in key or " " in key)
                    and (f" {key} " in padded or any(f"-{key}-" in w for w in hyphenated))
                ):
                    into |= docs
        return tuple(sorted(found or by_topic))

    def fiche_part_bonus(self, query: str, chunk: Chunk) -> float:
        """A small bonus for the part of a named fiche that the question is about."""
        title = fold(chunk.section.rsplit(" > ", 1)[-1])
        for part in asked_parts(fold(query)):
            if any(name in title for name in PART_SECTIONS[part]):
                return 0.3
        return 0.0


_ROUTERS: weakref.WeakKeyDictionary[Any, tuple[int, QueryRouter]] = weakref.WeakKeyDictionary()
_ROUTERS_LOCK = threading.Lock()


def query_router(index: Any) -> QueryRouter:
    """The router of an opened index (built once; rebuilt when the index reloads its chunks)."""
    with _ROUTERS_LOCK:
        cached = _ROUTERS.get(index)
        if cached is not None and cached[0] == id(index.chunks):
            return cached[1]
        router = QueryRouter(index.chunks.values(), index.settings.corpus_dir)
        _ROUTERS[index] = (id(index.chunks), router)
        return router


_KEY_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_GENERIC_KEYS = frozenset(
    "cpom ars guide de des du la le les et pour l d a en sante etablissements methodologique "
    "elaboration relative relatif campagne contrats contrat sanitaires annexe strategique "
    "ministere national nationale nationaux regional regionale regionaux regionales "
    "strategiques fiches methodologiques titulaires autorisation autorisations "
    # an issuer's or a date's plain words: « directeur général », « le 25 juillet »
    "general generale generaux secretariat ministeres affaires sociaux sociales janvier fevrier "
    "mars avril mai juin juillet aout septembre octobre novembre decembre".split()
)
"""Words of documents' names that staff write about anything (« l'outil régional », « le
directeur général », « le 25 juillet »)."""


def _document_keys(corpus_dir: Path, chunks: Any) -> dict[str, set[str]]:
    """Words of a document's catalog entry that point to it (and at most one other)."""
    meta: dict[str, str] = {}
    aliases: dict[str, set[str]] = {}
    try:
        for doc in load_catalog(corpus_dir):
            meta[doc.id] = " ".join([doc.title, doc.issuer, doc.region, doc.period, doc.date])
            for alias in doc.aliases:
                phrase = " ".join(_KEY_WORD.findall(fold(alias)))
                aliases.setdefault(phrase, set()).add(doc.id)
    except AssistantError as exc:  # the catalog may have moved; chunk metadata is enough
        logger.warning("catalog unreadable, documents named from chunk metadata: %s", exc)
    for chunk in chunks:
        meta.setdefault(chunk.doc_id, f"{chunk.title} {chunk.period}")
    owners: dict[str, set[str]] = {}
    for doc_id, text in meta.items():
        for key in set(_KEY_WORD.findall(fold(text))):
            if key not in _GENERIC_KEYS and len(key) >= 3:
                owners.setdefault(key, set()).add(doc_id)
    keys = {k: v for k, v in owners.items() if len(v) <= 2 and len(v) < len(meta)}
    for phrase, docs in aliases.items():
        keys.setdefault(phrase, set()).update(docs)
    return keys


def _topic_keys(corpus_dir: Path) -> dict[str, set[str]]:
    """The catalog's topics (folded phrase -> documents): a document's own subjects."""
    keys: dict[str, set[str]] = {}
    try:
        for doc in load_catalog(corpus_dir):
            for topic in doc.topics:
                keys.setdefault(" ".join(_KEY_WORD.findall(fold(topic))), set()).add(doc.id)
    except AssistantError:  # already logged by `_document_keys`
        pass
    return keys


def _fiche_vocabulary(chunks: Any) -> dict[str, set[str]]:
    """Fiche code -> folded words of its title (label), for naming by keyword."""
    vocab: dict[str, set[str]] = {}
    for chunk in chunks:
        if chunk.fiche and chunk.fiche not in vocab:
            title = chunk.section.split(" > ")[0]
            label = title.split(":", 1)[-1]
            vocab[chunk.fiche] = {fold(w) for w in _WORD.findall(label) if len(w) >= 3}
    return vocab
