"""Which indicators a question designates: by code, or by the subject staff name it by.

« Le CT 3, on peut le prendre ? » names CPOM_CT_3 by its code (any usual form: ``CT 3``,
``os13``, ``CPOM_OS_13``, ``HPR 4.2``); « quelle cible pour nous sur la RAAC ? » and « la mammo,
ça nous concerne ? » designate CPOM_OS_13 and CPOM_OS_12 by their subject. The subjects are data
(``corpus/kb/subjects.yaml``): words of each indicator's label and the names staff use, matched
as whole words, accents and case aside, in the question and in the glossary's terms for it. A
code written in the question wins over subjects; of two overlapping subjects, the longer wins
(« dispositif de gestion des lits commun » is HPR_3_3, not CPOM_OS_10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.corpus.glossary import load_glossary
from assistant.errors import AssistantError, CatalogError
from assistant.kb.codes import KNOWN_CODES, find_codes
from assistant.text.french import fold

SUBJECTS_FILE = Path("kb") / "subjects.yaml"
MAX_DESIGNATED = 3
"""A question designating more indicators is about a theme, not about given indicators."""


class SubjectFile(BaseModel):
    """The subjects file: indicator code -> the subjects that name it."""

    subjects: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class _Subject:
    code: str
    phrase: str
    pattern: re.Pattern[str]


def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s'’\-]+", fold(phrase)) if w]
    return re.compile(r"(?<![\w])" + r"[\s'’\-]*".join(words) + r"(?![\w])")


@lru_cache(maxsize=4)
def _subjects(path: Path, mtime: float) -> tuple[_Subject, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        parsed = SubjectFile.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(f"Le fichier des sujets {path.name!r} est illisible : {exc}.") from exc
    except ValidationError as exc:
        raise CatalogError(f"Le fichier des sujets {path.name!r} est mal formé : {exc}.") from exc
    unknown = [code for code in parsed.subjects if code not in KNOWN_CODES]
    if unknown:
        raise CatalogError(
            f"Le fichier des sujets {path.name!r} nomme des codes inconnus : {', '.join(unknown)}."
        )
    return tuple(
        _Subject(code, phrase, _pattern(phrase))
        for code, phrases in parsed.subjects.items()
        for phrase in phrases
        if phrase.strip()
    )


def load_subjects(corpus_dir: Path) -> tuple[_Subject, ...]:
    """The subjects of ``corpus_dir/kb/subjects.yaml`` (none when the file is absent).

    Raises:
        CatalogError: The file is unreadable, malformed or names an unknown code.
    """
    path = Path(corpus_dir) / SUBJECTS_FILE
    if not path.is_file():
        return ()
    return _subjects(path, path.stat().st_mtime)


def _with_glossary_terms(question: str, corpus_dir: Path) -> str:
    try:
        terms = load_glossary(corpus_dir).terms_for(question)
    except AssistantError:
        terms = []
    return " ".join([question, *terms])


_EXPLICIT = re.compile(
    r"\bindicateurs? (?:sur|de|des|du|d'|concernant|relatif a)\s*(?:la |le |les |l')?$"
)
"""The words just before a subject that make it the one asked about: « l'indicateur sur … »."""
_EXPLICIT_REACH = 40


def subject_codes(question: str, corpus_dir: Path) -> list[str]:
    """The indicators a question designates by subject, in order of mention.

    Of overlapping subjects the longer wins. A subject right after « l'indicateur sur … » is
    the one asked about: others are then context (« on fait des simulations plan blanc, on
    peut retenir l'indicateur sur les exercices de crise ? »). A subject two indicators share
    (« santé environnementale ») goes to the one that the question also names by a subject of
    its own (« … perturbateurs endocriniens »).
    """
    text = fold(_with_glossary_terms(question, corpus_dir)).replace("’", "'")
    spans: list[tuple[int, int, str]] = []
    for subject in load_subjects(corpus_dir):
        for match in subject.pattern.finditer(text):
            spans.append((match.start(), match.end(), subject.code))
    kept = [
        (start, end, code)
        for start, end, code in spans
        if not any(
            s <= start and end <= e and (e - s) > (end - start) and c != code for s, e, c in spans
        )
    ]
    explicit = [
        span for span in kept if _EXPLICIT.search(text[max(0, span[0] - _EXPLICIT_REACH) : span[0]])
    ]
    kept = explicit or kept
    owners: dict[tuple[int, int], set[str]] = {}
    for start, end, code in kept:
        owners.setdefault((start, end), set()).add(code)
    own = {next(iter(codes)) for codes in owners.values() if len(codes) == 1}
    kept = [
        (start, end, code)
        for start, end, code in kept
        if len(owners[(start, end)]) == 1 or not own & owners[(start, end)] or code in own
    ]
    kept.sort()
    return list(dict.fromkeys(code for _, _, code in kept))


def named_indicators(question: str, corpus_dir: Path) -> list[str]:
    """Every known indicator a question names: its codes, else its subjects (no cap)."""
    codes = [code for code in find_codes(question) if code in KNOWN_CODES]
    return codes or subject_codes(question, corpus_dir)


def designated_codes(question: str, corpus_dir: Path) -> list[str]:
    """The known indicators a question designates: its codes, else its subjects.

    At most ``MAX_DESIGNATED``: a question naming more is about a theme or a list (none are
    returned).
    """
    codes = named_indicators(question, corpus_dir)
    return codes if len(codes) <= MAX_DESIGNATED else []


__all__ = [
    "MAX_DESIGNATED",
    "designated_codes",
    "load_subjects",
    "named_indicators",
    "subject_codes",
]
