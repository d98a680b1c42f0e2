"""The field's vocabulary (``corpus/glossary.yaml``): the guides' words for what staff write.

A question that writes a variant (« deadline », « ecars », « mammo », « PUI ») gets the guides'
term added (« date limite », « e-CARS », « mammographie », « Pharmacie à Usage Intérieur »), so
that search, question reading and the refusal meet the guides' words. Adding a synonym is one
line of the YAML file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import CatalogError
from assistant.text.french import fold, tokenize

GLOSSARY_FILE = "glossary.yaml"


class GlossaryEntry(BaseModel, frozen=True):
    """One term of the guides with the other ways of writing it, and where it is defined."""

    term: str = Field(min_length=1)
    variants: list[str] = Field(min_length=1)
    source: str = Field(min_length=1, description="Document and place, or « usage ».")


class Glossary:
    """The glossary, compiled for matching."""

    def __init__(self, entries: list[GlossaryEntry]) -> None:
        """Compile each entry's variants (acronyms of two letters match in capitals only)."""
        self.entries = entries
        self._patterns = [(entry, _pattern(entry.variants)) for entry in entries]

    def terms_for(self, question: str) -> list[str]:
        """The guides' terms of the variants a question writes (not those it already holds)."""
        folded = fold(question)
        found: list[str] = []
        for entry, (exact, loose) in self._patterns:
            key = fold(entry.term)
            if key in folded or key in {fold(t) for t in found}:
                continue
            if (exact and exact.search(question)) or (loose and loose.search(folded)):
                found.append(entry.term)
        return found

    def written_variants(self, question: str) -> set[str]:
        """The variants a question writes (folded): « KPI », « mini », not the guides' terms."""
        folded = fold(question)
        found: set[str] = set()
        for entry, (exact, loose) in self._patterns:
            if (exact and exact.search(question)) or (loose and loose.search(folded)):
                found |= {fold(v) for v in entry.variants if fold(v) in folded}
        return found

    def acronyms_spelt_out(self, question: str) -> dict[str, set[str]]:
        """The acronyms of the terms a question spells out, by each word of the term (stems).

        « combien de plateaux d'imagerie médicale mutualisés ? » spells out « PIMM »: a passage
        counting « 3 actifs (… PIMM …) » counts the plateaux.
        """
        said = set(tokenize(question))
        out: dict[str, set[str]] = {}
        for entry in self.entries:
            stems = tokenize(entry.term)
            short = [v for v in entry.variants if v.isupper()]
            if stems and short and set(stems) <= said:
                for stem in stems:
                    out.setdefault(stem, set()).update(t for v in short for t in tokenize(v))
        return out

    def rewrite(self, question: str, *, known: Callable[[str], bool] | None = None) -> str:
        """The question folded, each variant it writes replaced by the guides' term.

        « c'est quand la deadline ecars ? » -> « c'est quand la date limite e-cars ? »: what
        question reading and the coverage of its words work on (accents and case folded). An
        acronym that ``known`` says the guides write themselves (« DGOS ») stays as written.
        """
        folded = fold(question)
        extra: list[str] = []
        for entry, (exact, loose) in self._patterns:
            term = fold(entry.term)
            acronyms = {fold(v) for v in entry.variants if v.isupper()}

            def replace(match: re.Match[str], term: str = term, kept: set[str] = acronyms) -> str:
                said = match.group(0)
                return said if said in kept and known is not None and known(said) else term

            if loose is not None:
                folded = loose.sub(replace, folded)
            if exact is not None and exact.search(question) and term not in folded:
                extra.append(term)
        return " ".join([folded, *extra])

    def expand(self, question: str) -> str:
        """The question with the guides' terms of its variants appended in parentheses."""
        terms = self.terms_for(question)
        return f"{question} ({' ; '.join(terms)})" if terms else question


def load_glossary(corpus_dir: Path) -> Glossary:
    """Read ``corpus_dir/glossary.yaml`` (an empty glossary when the file is absent).

    Raises:
        CatalogError: the file is unreadable or an entry is malformed (French message).
    """
    path = Path(corpus_dir) / GLOSSARY_FILE
    if not path.is_file():
        return Glossary([])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = [GlossaryEntry.model_validate(item) for item in data.get("entries", [])]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError) as exc:
        raise CatalogError(f"Le glossaire {path.name!r} est illisible : {exc}.") from exc
    except ValidationError as exc:
        raise CatalogError(
            f"Le glossaire {path.name!r} a une entrée invalide : {exc.errors()[0]['msg']}.",
            hint="Chaque entrée a un terme, au moins une variante et une source.",
        ) from exc
    return Glossary(entries)


def _pattern(variants: list[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(capitals-only pattern for two-letter acronyms, folded pattern for the others)."""
    exact = [v for v in variants if len(v) <= 2 and v.isupper()]
    loose = [fold(v) for v in variants if v not in exact]
    return (
        re.compile(rf"\b(?:{'|'.join(map(re.escape, exact))})\b") if exact else None,
        re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, loose))})(?![\w-])") if loose else None,
    )
