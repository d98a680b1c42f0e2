"""Boundary models of the corpus: documents, pages, chunks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["current", "historical"]
DocKind = Literal["guide", "fiches", "instruction"]


class DocumentInfo(BaseModel, frozen=True):
    """One entry of ``corpus/catalog.yaml``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str
    issuer: str
    region: str
    period: str
    date: str
    kind: DocKind
    status: Status
    file: str
    page_breaks: Literal["none", "leading-space"] = "none"
    aliases: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    """Subjects only this document treats (« HPR », « e-CARS »): they point to it when the
    question names no other document (« e-CARS dans le guide ARA » is about the ARA guide)."""


class Page(BaseModel, frozen=True):
    """Cleaned text of one page (``number`` is None when pages are unknown)."""

    number: int | None
    text: str


class Chunk(BaseModel, frozen=True):
    """A retrievable unit of text with its provenance."""

    id: str
    doc_id: str
    title: str
    status: Status
    period: str
    section: str
    page: int | None
    fiche: str | None = None
    kind: Literal["text", "faq", "fiche"] = "text"
    start: int
    end: int
    text: str
