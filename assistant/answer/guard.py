"""The grounding guard of generated answers: a weak model must not mislead a user.

Each sentence of a generated answer must cite passages that were given (``[n]``), and every
figure it states (number in digits or words, date, percentage, indicator or act code) must be
stated by a sentence of the passages it cites (their header included) with the same attachments:
a date's month and year, the unit or noun after a number, its bound (« au moins », « au
maximum »), the rate's period, and words that no other figure of that sentence owns
(``assistant.answer.claims``); a figure the source gives to another thing of the same sentence
(« 100 000 actes de téléexpertise » where 100 000 counts télésurveillance) fails, as do a
value a list gives to another year, a changed frequency and a number moved between a product
and a division; so does a sentence or a clause whose polarity differs from the source it
paraphrases (« il n'y a aucune date limite », « l'ARS ne peut pas résilier »). Source
sentences are read whole, never cut into word windows. A sentence that fails is removed and
reported; citations are renumbered in order of use; each citation quotes the sentence of its
passage that is closest to what the answer says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.claims import number_key, polarity_holds, reattached, unsupported
from assistant.answer.models import MARKER, REFUSAL, Citation
from assistant.kb.codes import CODE_IN_TEXT, find_codes
from assistant.text.french import fold, tokenize
from assistant.text.sentences import split_sentences

_MARKERS_AFTER_STOP = re.compile(r"([.!?])\s*((?:\[\d{1,3}\]\s*)+)")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\bart\.)(?<!\bcf\.)\s+|\n+")
"""A generated sentence's end; not after « R. » (« l'article R. 6114-9 »), « art. », « cf. »."""
_INITIAL_END = re.compile(r"\b(?:[A-Z]|art|cf)\.$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SPLIT_SENTENCES = re.compile(r"(?<=[.!?;:])\s+|\n+")
_INSTRUCTION = re.compile(
    r"(ignore[rz]?|oublie[rz]?|ne tiens? pas compte|fais comme si|disregard|forget)"
    r"[^.?!]{0,60}?\b(regles?|consignes?|instructions?|rules|prompt|systeme|system)\b"
    r"|\btu es (?:maintenant|desormais)\b|\byou are now\b|\bact as\b|\bjailbreak\b"
    r"|\b(?:consignes?|messages?|prompt) (?:du )?systeme\b|\b(?:system|systeme)\s*:"
    r"|\breponds? (?:que|uniquement|toujours)\b",
)


def is_instruction(text: str) -> bool:
    """Whether a text gives orders to the assistant ("ignore les instructions précédentes…").

    Such text in a question is dropped; in a document it is data, never an answer sentence.
    """
    return bool(_INSTRUCTION.search(fold(text)))


@dataclass(frozen=True)
class PromptPassage:
    """A passage as numbered in the prompt, with the citation it becomes when cited."""

    n: int
    header: str
    text: str
    citation: Citation


@dataclass
class GuardResult:
    """What the guard kept of a generated answer."""

    text: str
    citations: list[Citation]
    removed: list[str] = field(default_factory=list)
    refused: bool = False

    @property
    def kept_anything(self) -> bool:
        """Whether at least one grounded sentence remains."""
        return bool(self.text.strip())


def claims(text: str) -> set[str]:
    """The checkable claims of a text: its numbers (normalised) and indicator codes."""
    found: set[str] = set()
    without_markers = MARKER.sub(" ", text)
    found.update(find_codes(without_markers))
    numbers_text = CODE_IN_TEXT.sub(" ", without_markers)
    for match in _NUMBER.finditer(numbers_text):
        found.add(number_key(match.group(0)))
    return found


def passage_claims(passage: PromptPassage) -> set[str]:
    """Numbers and codes a passage holds (its header too), plus its fiche code."""
    found = claims(f"{passage.header}\n{passage.text}")
    section = passage.citation.section
    for match in re.finditer(r"CPOM_(?:CT|OS)_\d+", section):
        found.add(match.group(0))
    # "OS_13_1_1" in a table names the fiche CPOM_OS_13 as well as the numbers 13, 1, 1
    for match in re.finditer(r"\b(CT|OS)_(\d{2})_(\d)_(\d)\b", passage.text):
        found.update({match.group(2).lstrip("0"), match.group(3), match.group(4)})
    return found


def is_refusal(text: str) -> bool:
    """Whether a generated text is (or contains) the refusal sentence."""
    return fold(REFUSAL.rstrip(".")) in fold(" ".join(text.split()))


def split_generated(text: str) -> list[str]:
    """A generated answer's sentences, each with the markers that close it."""
    text = _MARKERS_AFTER_STOP.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)
    return [s.strip() for s in _SENTENCE_BREAK.split(text) if s and s.strip()]


def check(text: str, passages: list[PromptPassage]) -> GuardResult:
    """Keep the sentences of ``text`` that cite given passages and state only their figures."""
    by_n = {p.n: p for p in passages}
    held = {p.n: passage_claims(p) for p in passages}
    sentences = split_generated(text)
    markers = [[int(n) for n in MARKER.findall(s)] for s in sentences]
    kept: list[tuple[str, list[int]]] = []
    removed: list[str] = []
    refused = False
    for i, sentence in enumerate(sentences):
        if is_refusal(sentence):
            refused = True
            continue
        cited = markers[i] or _inherited(markers, i)
        body = MARKER.sub("", sentence).strip()
        if not re.search(r"\w", body):
            continue
        if not markers[i] and is_statement(body):
            cited = attribute(body, passages, held) or cited
        if not cited or any(n not in by_n for n in cited) or not is_statement(body):
            removed.append(sentence)
            continue
        sources = source_sentences([by_n[n] for n in cited])
        if (
            unsupported(body, sources)
            or reattached(body, sources)
            or not polarity_holds(body, sources)
        ):
            removed.append(sentence)
            continue
        kept.append((body, cited))
    return _renumber(kept, by_n, removed, refused)


def source_sentences(passages: list[PromptPassage]) -> list[str]:
    """The sentences a generated sentence may rest on: each passage's header, then its text."""
    out: list[str] = []
    for passage in passages:
        out += [passage.header, passage.citation.section]
        for sentence in split_sentences(_cells_joined(passage.text), whole=True):
            if out and _INITIAL_END.search(out[-1]):  # « l'article R. » and « 6114-9 … »
                out[-1] += " " + sentence
            else:
                out.append(sentence)
    return [s for s in out if s]


_CELL_LINE = re.compile(r"\n(?=[^\S\n]*[^\W_]*[^\w\n]*\d[^a-zA-ZÀ-ÿ\n]*(?:\n|$))")
"""A line break before a line of figures without a word (a table's cell: « 0 », « +1 »)."""


_TABLE_HEADER = re.compile(r"Cible 2025- ?2029 (?:20\d\d ){2,}")
"""The header of a fiche's target table (« Cible 2025-2029 2025 2026 … Total »)."""


def _cells_joined(text: str) -> str:
    """``text`` with a fiche's target table on one line, and each line of cells joined.

    A flattened table puts each row label and each cell on its own line: read line by line, a
    cell (« +1 », « +3 interventions ») is a sentence of its own, cut from its row and its year.
    From its header on, the table is one line, read row by row by the checks; elsewhere a line
    of figures without a word joins the line before.
    """
    header = _TABLE_HEADER.search(text)
    if header is not None:
        start = text.rfind("\n", 0, header.start()) + 1
        text = text[:start] + " ".join(text[start:].split())
    return _CELL_LINE.sub(" ", text)


def attribute(body: str, passages: list[PromptPassage], held: dict[int, set[str]]) -> list[int]:
    """The passage an uncited sentence comes from: one holding all its claims and most words.

    At least half of the sentence's words must be in the passage; otherwise no passage.
    """
    words = set(tokenize(body))
    said = claims(body)
    best: tuple[float, int] | None = None
    for passage in passages:
        if said - held[passage.n]:
            continue
        share = len(words & set(tokenize(f"{passage.header} {passage.text}"))) / max(len(words), 1)
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, passage.n)
    return [best[1]] if best else []


def is_statement(body: str) -> bool:
    """Whether a generated sentence (markers removed) states something a user can read.

    Not a statement: a question (the model echoing the user), a bare run of numbers, or a
    sentence holding a placeholder in brackets (« [numéro] », « [phrase retirée…] »).
    """
    text = body.strip()
    if text.endswith("?") or re.search(r"\[[^\]]*[^\]\d\s][^\]]*\]", text):
        return False
    return len(re.findall(r"[^\W\d_]{2,}", text)) >= 2


def _inherited(markers: list[list[int]], i: int) -> list[int]:
    """Markers for an uncited sentence: those of the next cited one, else the previous."""
    for j in range(i + 1, len(markers)):
        if markers[j]:
            return markers[j]
    for j in range(i - 1, -1, -1):
        if markers[j]:
            return markers[j]
    return []


def _renumber(
    kept: list[tuple[str, list[int]]],
    by_n: dict[int, PromptPassage],
    removed: list[str],
    refused: bool,
) -> GuardResult:
    order: dict[int, int] = {}
    for _, cited in kept:
        for n in cited:
            order.setdefault(n, len(order) + 1)
    parts: list[str] = []
    for body, cited in kept:
        text = body.rstrip()
        stop = ""
        if text and text[-1] in ".!?":
            text, stop = text[:-1].rstrip(), text[-1]
        marks = "".join(f"[{order[n]}]" for n in dict.fromkeys(cited))
        parts.append(f"{text} {marks}{stop or '.'}")
    citations = []
    for old, new in order.items():
        passage = by_n[old]
        said = " ".join(body for body, cited in kept if old in cited)
        quote = closest_sentence(passage, said)
        citations.append(passage.citation.model_copy(update={"n": new, "quote": quote}))
    return GuardResult(" ".join(parts), citations, removed, refused)


def closest_sentence(passage: PromptPassage, said: str) -> str:
    """The passage's sentence sharing most words with what the answer says of it."""
    words = set(tokenize(said))
    best, best_score = passage.citation.quote, -1.0
    for sentence in _SPLIT_SENTENCES.split(passage.text):
        sentence = sentence.strip()
        if len(sentence.split()) < 3:
            continue
        score = len(words & set(tokenize(sentence))) + 0.5 * len(claims(sentence) & claims(said))
        if score > best_score:
            best, best_score = sentence, score
    return " ".join(best.split())
