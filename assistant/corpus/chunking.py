"""Structure-aware splitting of a cleaned document into chunks with metadata.

Headings (PARTIE n, ANNEXE n, numbered parts, Titre/Article, fiche headers), FAQ categories
and FAQ entries (``➢ question ?`` and its answer) open sections. A chunk never spans two
fiches or two FAQ entries; long sections are split on paragraph boundaries; each chunk's text
starts with its heading path so that it reads on its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import assistant.corpus.cleaning as _cleaning_module
import assistant.corpus.loaders as _loaders_module
import assistant.text.sentences as _sentences_module
from assistant.corpus.cleaning import CleanDocument, is_heading_line
from assistant.corpus.models import Chunk

CHUNKER_VERSION = "9"


def pipeline_version() -> str:
    """``CHUNKER_VERSION`` and a digest of the code that reads, cuts passages and sentences.

    An index keeps one vector per sentence: built with another cut (a change to
    ``assistant.text.sentences``) or another reading of the files (``assistant.corpus.loaders``,
    ``assistant.corpus.cleaning``), some sentences would have none. A change to any of these
    modules makes ``ingest`` rebuild (from the vector cache: only new sentences are embedded).
    """
    digest = hashlib.sha1(usedforsecurity=False)
    modules = (__file__, _sentences_module.__file__, _loaders_module.__file__)
    for module in (*modules, _cleaning_module.__file__):
        digest.update(Path(str(module)).read_bytes())
    return f"{CHUNKER_VERSION}-{digest.hexdigest()[:12]}"


MAX_WORDS = 260
TARGET_WORDS = 180

_FICHE_HEADER = re.compile(r"^FICHE\s+M[ÉE]THODOLOGIQUE", re.IGNORECASE)
_FICHE_CODE = re.compile(r"\bCPOM_(CT|OS)_(\d{1,2})\b")
_TARGET_TABLE = re.compile(r"^(?:Ann[ée]e\s+)?Cible\s+2025\b")
_FAQ_TITLE = re.compile(r"foire aux questions|\bFAQ\b", re.IGNORECASE)
_FAQ_ENTRY = re.compile(r"^[➢\uf0d8]\s*(.+\?)\s*$")
_LEVEL1 = re.compile(
    r"^(?:(?:PARTIE|ANNEXE|CHAPITRE)\s+(?:\d{1,2}|[IVX]+)\b"
    r"|(?:Partie|Annexe|Chapitre)\s+(?:\d{1,2}|[IVX]+)\s*(?::|$)"
    r"|Fiche\s+pratique\s+[A-Z]\d\b)"
)
_OPENING = re.compile(
    r"^(?:PR[ÉE]AMBULE|Pr[ée]ambule|INTRODUCTION|Introduction|CONCLUSION|Conclusion)\b"
)
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s")
_ACRONYMS = frozenset(
    """
    CPOM ARS HPR USLD GHT PRS PRS3 CHU CH SMR MCO HAD FAQ PDS PIMM EML ES ESMS DGOS ETP RAAC
    E-CARS MIGAC FIR DAF SSR PA-PH CLCC ESPIC HPST SROS CNP SG IFAQ MERM GCS GIE GIP CPTS
    FINESS EJ EHPAD UHCD SAMU SMUR PMSI CSP DOSA DD HAS CME DMP MSS ONDAM PH PA AMP DPN CT
    OS UE IDE AS RH QVT SI PMP PMND SAS CNR DOS
    """.split()
)


@dataclass
class _Heading:
    level: int
    title: str


@dataclass
class _Section:
    path: list[str]
    start: int
    end: int
    fiche: str | None
    kind: str
    lines: list[tuple[int, str]] = field(default_factory=list)


def display_heading(text: str) -> str:
    """Readable heading: all-caps titles become sentence case, acronyms kept."""
    s = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    letters = [c for c in s if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) / len(letters) < 0.8:
        return s
    out: list[str] = []
    capitalise = True
    for word in s.split(" "):
        bare = word.strip("«»()\"'.,;:")
        if bare.upper() in _ACRONYMS or re.fullmatch(r"[IVX]+|[\d\-–/.]+", bare):
            out.append(word)
        else:
            low = word.lower()
            out.append(low[:1].upper() + low[1:] if capitalise else low)
        capitalise = word in (":", "–", "-") or (capitalise and not any(c.isalpha() for c in word))
    return " ".join(out)


def _fiche_title(lines: list[str]) -> tuple[str | None, str]:
    """Find the fiche code and label in the lines that follow a fiche header."""
    joined = " ".join(lines)
    match = _FICHE_CODE.search(joined)
    if not match:
        return None, "Fiche méthodologique"
    code = f"CPOM_{match.group(1)}_{int(match.group(2))}"
    rest = joined[match.end() :].lstrip(" :–-")
    label = re.split(r"\s*Objectif strat[ée]gique", rest, maxsplit=1)[0].strip()
    if len(label) > 240:
        label = label[:237].rsplit(" ", 1)[0] + "…"
    return code, f"Fiche {code} : {label}" if label else f"Fiche {code}"


def _heading_level(line: str, *, inside_part: bool) -> int | None:
    s = line.strip()
    markdown = re.match(r"^(#{1,6})\s+\S", s)
    if markdown:
        return len(markdown.group(1))
    if _LEVEL1.match(s):
        return 1
    if _OPENING.match(s) and len(s) < 120:
        return 2 if inside_part else 1
    if re.match(r"^(TITRE|Titre)\s+[0-9IVX]+", s):
        return 2
    if re.match(r"^Article\s+\d+", s):
        return 3
    match = _NUMBERED.match(s)
    if match and is_heading_line(s):
        return 2 + match.group(1).count(".")
    return None


def split_document(doc: CleanDocument) -> list[Chunk]:
    """Split a cleaned document into chunks (see module docstring)."""
    sections = _sections(doc)
    chunks: list[Chunk] = []
    for section in sections:
        for start, end, body in _pieces(section):
            path = " > ".join(section.path) if section.path else doc.info.title
            text = f"{path}\n{body}"
            digest = hashlib.sha256(f"{doc.info.id}|{start}|{text}".encode()).hexdigest()[:20]
            chunks.append(
                Chunk(
                    id=digest,
                    doc_id=doc.info.id,
                    title=doc.info.title,
                    status=doc.info.status,
                    period=doc.info.period,
                    section=path,
                    page=doc.page_at(start),
                    fiche=section.fiche,
                    kind=section.kind,
                    start=start,
                    end=end,
                    text=text,
                )
            )
    return chunks


def _line_spans(text: str) -> list[tuple[int, str]]:
    spans: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, line))
        pos += len(line) + 1
    return spans


@dataclass
class _Reading:
    """Where the reading of a document stands: the open headings and the kind of part."""

    stack: list[_Heading] = field(default_factory=list)
    fiche: str | None = None
    in_faq: bool = False
    in_template: bool = False


def _sections(doc: CleanDocument) -> list[_Section]:
    lines = _line_spans(doc.text)
    state = _Reading()
    sections: list[_Section] = [_Section(path=[], start=0, end=0, fiche=None, kind="text")]
    i = 0
    while i < len(lines):
        offset, line = lines[i]
        heading, kind, skip = _heading_at(lines, i, state)
        if heading is not None:
            level, title = heading
            while state.stack and state.stack[-1].level >= level:
                state.stack.pop()
            state.stack.append(_Heading(level, title))
            sections.append(
                _Section(
                    path=[h.title for h in state.stack],
                    start=offset,
                    end=offset + len(line),
                    fiche=state.fiche,
                    kind="faq" if kind == "faq" else ("fiche" if state.fiche else "text"),
                )
            )
            if skip >= 0:  # the heading line (and ``skip`` more) are not body text
                i += 1 + skip
                continue
        sections[-1].lines.append((offset, line))
        sections[-1].end = offset + len(line)
        i += 1
    return [s for s in sections if any(ln.strip() for _, ln in s.lines)]


def _heading_at(
    lines: list[tuple[int, str]], i: int, state: _Reading
) -> tuple[tuple[int, str] | None, str, int]:
    """The heading line ``i`` opens, if any: ((level, title), kind, lines to skip).

    ``skip`` is -1 when the line opens a part but stays in its body. Updates ``state``.
    """
    s = lines[i][1].strip()
    if _FICHE_HEADER.match(s):
        following = [ln for _, ln in lines[i + 1 : i + 8] if ln.strip()]
        code, title = _fiche_title(following[:4])
        if not code:
            # a blank template: its part titles are its content, not sections
            state.in_template = True
            return (2, "Fiche méthodologique (exemple)"), "text", 0
        state.fiche = code
        # the code/label line belongs to the header, not the body
        skip = next(
            (k for k in range(1, 8) if i + k < len(lines) and _FICHE_CODE.search(lines[i + k][1])),
            0,
        )
        return (1, title), "fiche", skip
    if (
        state.fiche is not None
        and _TARGET_TABLE.match(s)
        and state.stack
        and "cible" not in state.stack[-1].title.lower()
    ):
        # a target table whose "Cible générale" heading the extraction lost: the table line
        # opens the part and stays in its body
        return (2, "Cible générale (2025-2029)"), "text", -1
    if state.in_faq and _FAQ_ENTRY.match(s):
        return (3, s.lstrip("➢\uf0d8 ").strip()), "faq", 0
    if state.in_faq and _is_faq_category(s, lines, i):
        return (2, s), "text", 0
    inside_part = bool(state.stack) and _LEVEL1.match(state.stack[0].title) is not None
    level = _heading_level(s, inside_part=inside_part) if s else None
    if level is not None and _NUMBERED.match(s) and _in_list(lines, i):
        level = None  # « … fondés sur : / 1. L'évolution des objectifs … ; »: an item
    if state.in_template and level is not None and level > 1:
        level = None
    if level is None:
        return None, "text", 0
    if level == 1:
        state.fiche = None
        state.in_template = False
        state.in_faq = bool(_FAQ_TITLE.search(s))
        state.stack = []
    return (level, display_heading(s.lstrip("#").strip().strip("*"))), "text", 0


def _in_list(lines: list[tuple[int, str]], i: int) -> bool:
    """Whether line ``i`` follows a line calling for a list (« : ») or going on with one (« ; »)."""
    previous = next((ln.strip() for _, ln in reversed(lines[max(0, i - 6) : i]) if ln.strip()), "")
    return previous.endswith((":", ";"))


def _is_faq_category(s: str, lines: list[tuple[int, str]], i: int) -> bool:
    """Return whether ``s`` is a short title line in the FAQ followed by a ``➢`` question."""
    if not s or len(s.split()) > 8 or s[-1] in ".?:;," or s.startswith(("➢", "-", "•")):
        return False
    for _, nxt in lines[i + 1 : i + 4]:
        if nxt.strip():
            return bool(_FAQ_ENTRY.match(nxt.strip()))
    return False


def _pieces(section: _Section) -> list[tuple[int, int, str]]:
    """Split a section body into pieces of at most MAX_WORDS words, on paragraph bounds."""
    paras: list[tuple[int, int, str]] = []
    for offset, line in section.lines:
        if line.strip():
            paras.extend(_split_long(offset, line))
    pieces: list[tuple[int, int, str]] = []
    cur: list[tuple[int, int, str]] = []
    words = 0
    for start, end, text in paras:
        n = len(text.split())
        if cur and words + n > TARGET_WORDS:
            kept, carried = _unfinished(cur)
            pieces.append(_merge(kept))
            cur, words = carried, sum(len(p[2].split()) for p in carried)
        cur.append((start, end, text))
        words += n
    if cur:
        if pieces and words < 60 and len(pieces[-1][2].split()) + words <= MAX_WORDS:
            pieces[-1] = _merge([pieces[-1], *cur])
        else:
            pieces.append(_merge(cur))
    return pieces


MAX_CARRIED_WORDS = 60
"""The longest unfinished tail of a passage moved to the next one (a longer one stays)."""
_FINISHED = re.compile(r"[.!?»)]\s*$")


def _unfinished(
    lines: list[tuple[int, int, str]],
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """A passage's lines, and the unfinished tail that belongs with the next passage.

    A passage never ends on a sentence that goes on in the next one: « … peut être retirée
    pour des motifs fondés sur : » goes with the list it announces, a heading with its text.
    """
    cut = len(lines)
    while cut > 0 and not _FINISHED.search(lines[cut - 1][2]):
        cut -= 1
    carried = lines[cut:]
    if cut == 0 or sum(len(p[2].split()) for p in carried) > MAX_CARRIED_WORDS:
        return lines, []
    return lines[:cut], carried


def _merge(parts: list[tuple[int, int, str]]) -> tuple[int, int, str]:
    return parts[0][0], parts[-1][1], "\n".join(p[2] for p in parts)


def _split_long(offset: int, line: str) -> list[tuple[int, int, str]]:
    """Split a paragraph longer than MAX_WORDS on sentence ends."""
    if len(line.split()) <= MAX_WORDS:
        return [(offset, offset + len(line), line)]
    out: list[tuple[int, int, str]] = []
    start = 0
    count = 0
    for match in re.finditer(r"[^.!?]+[.!?]+\s*|[^.!?]+$", line):
        count += len(match.group().split())
        if count >= TARGET_WORDS:
            out.append((offset + start, offset + match.end(), line[start : match.end()].strip()))
            start, count = match.end(), 0
    if start < len(line):
        out.append((offset + start, offset + len(line), line[start:].strip()))
    return [p for p in out if p[2]]
