"""The offline answer: the sentences of the retrieved passages that best answer the question.

Sentences come scored from :mod:`assistant.answer.evidence`. The best one comes first; a few
others follow by source (current documents before historical ones), each source in reading
order with its numbered citation; a historical source is named with its period.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from assistant.answer.claims import unsupported
from assistant.answer.evidence import Evidence, ScoredSentence
from assistant.answer.guard import is_instruction
from assistant.answer.intent import AskedType, asked_type, asks_definition
from assistant.answer.lines import (
    asks_text,
    holds_asked,
    is_answer_line,
    is_placeholder,
    spells_out,
)
from assistant.answer.models import REFUSAL, Answer, Citation
from assistant.answer.question_parts import part_leads, question_parts
from assistant.answer.support import (
    asks_amount,
    asks_representative,
    asks_share,
    counted_thing,
    counts,
    states_amount,
    states_person,
    states_share,
)
from assistant.answer.terms import question_terms
from assistant.answer.trimming import MAX_LEAD_WORDS, trimmed
from assistant.corpus.models import Chunk
from assistant.index.statistics import Sentence, body_offset
from assistant.text.figures import figures
from assistant.text.french import fold, tokenize
from assistant.text.sentences import (
    MAX_SENTENCE_WORDS,
    MID_SENTENCE,
    as_item,
    strip_bullet,
    whole_quote,
)

MAX_WORDS = 120
"""An offline answer stays short: about this many words at most."""
MAX_SENTENCES = 4
LIST_ROOM = 40
"""Words a list may run past the answer's length, so that its last items are not left out."""
MAX_SOURCES = 3
_RELATIVE = 0.72
"""A sentence joins the answer when it scores at least this share of the best one."""


def _similar(a: Sentence, b: Sentence) -> bool:
    if not a.terms or not b.terms:
        return a.text == b.text
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.75


_DANGLING = re.compile(
    r"(?:\b(?:permet(?:tent)?|vise(?:nt)?\s+à|pour\s+objet|suivant(?:e|s|es)?|notamment|"
    r"tel(?:le)?s?\s+que|comprend|comprennent|indiquer|insiste\s+sur|concerne(?:nt)?|"
    r"réunissant)|:)\s*$",
    re.IGNORECASE,
)
"""A sentence ending here announces what follows (« … un outil qui permet », « … a pour
objet : »): the list after it completes it."""
_SHORT_CALL = 8
"""A demonstrative sentence this short that ends on a colon only heads its list."""
_LIST_CALL = re.compile(r":\s*$")
"""A sentence ending on a colon calls for the list after it."""
MAX_ITEMS = 9
"""At most this many items of an announced list follow their sentence."""
_LEADING = frozenset(
    {"date", "number", "duration", "code", "reason", "place", "where", "period", "year"}
)
"""Kinds of fact a sentence must hold to lead (a yes/no or « qui » only weighs in the score)."""


def lead_with_asked(
    chosen: list[ScoredSentence], asked: AskedType | None, evidence: Evidence | None = None
) -> list[ScoredSentence]:
    """The chosen sentences, the first one holding the asked kind of fact leading.

    With the question's ``evidence``, a sentence leads only if it holds at least
    ``_LEAD_SHARE`` of the question's weight that the first one holds: « La date limite … dans
    e-cars est le 25 juillet » does not lead « quand le mot de passe doit-il être modifié ».
    """
    if chosen and asked == "number" and evidence is not None:
        # « combien de schémas » : the sentence whose figure counts schémas, not another figure
        wanted = counted_thing(evidence.question)
        if wanted and not counts(chosen[0].sentence.text, wanted):
            floor = _LEAD_SHARE * _held(chosen[0], evidence, topic=True)
            for candidate in chosen[1:]:
                if counts(candidate.sentence.text, wanted) and (
                    _held(candidate, evidence, topic=True) >= floor
                    or _next_to(candidate, chosen[0])
                ):
                    return [candidate, *[s for s in chosen if s is not candidate]]
            # none of them counts it: a sentence nearly as good that does leads, the others
            # keep the answer's length (« combien de téléconsultations en 2024 ? » answered by
            # « … 1 million d'actes de téléconsultation … », left out for the passage before it)
            if not any(counts(s.sentence.text, wanted) for s in chosen):
                # « Les missions de service public … constituent … » chosen, « Elles sont au
                # nombre de 14 » next to it: the two lead together
                at = {(s.passage.chunk.id, s.sentence.position): s for s in evidence.scored}
                for sentence in chosen:
                    following = at.get((sentence.passage.chunk.id, sentence.sentence.position + 1))
                    if (
                        following is not None
                        and following not in chosen
                        and _ANAPHORIC.match(strip_bullet(following.sentence.text))
                        and counts(f"{sentence.sentence.text} {following.sentence.text}", wanted)
                    ):
                        rest = [s for s in chosen if s is not sentence]
                        return _within_length([sentence, following, *rest])
                for candidate in evidence.scored[:_COUNT_REACH]:
                    if candidate.score < _RELATIVE * chosen[0].score:
                        break
                    if (
                        candidate not in chosen
                        and is_answer_line(candidate.sentence.text)
                        and counts(candidate.sentence.text, wanted)
                        and _held(candidate, evidence, topic=True) >= floor
                    ):
                        return _within_length([candidate, *chosen])
    # « le CPOM 2019-2023 a été prolongé jusqu'à quand ? »: the sentence on 2019-2023 leads
    if chosen and evidence is not None and (years := _asked_years(evidence)):
        first_years = set(_YEAR.findall(chosen[0].sentence.text))
        if years.isdisjoint(first_years):
            floor = _LEAD_SHARE * _held(chosen[0], evidence, topic=True)
            for candidate in chosen[1:]:
                if (
                    not years.isdisjoint(_YEAR.findall(candidate.sentence.text))
                    and (asked not in _LEADING or holds_asked(candidate.sentence.text, asked))
                    and _held(candidate, evidence, topic=True) >= floor
                ):
                    return [candidate, *[s for s in chosen if s is not candidate]]
    # « la prime, c'est combien ? »: the sentence with the euros, not a decree's number
    if (
        evidence is not None
        and asks_amount(evidence.question)
        and (led := _stating_first(chosen, evidence, states_amount)) is not None
    ):
        return led
    if (
        chosen
        and evidence is not None
        and asks_definition(evidence.question)
        and not spells_out(chosen[0].sentence.text, evidence.question)
        and (spelled := [s for s in chosen[1:] if spells_out(s.sentence.text, evidence.question)])
    ):
        # « BJML c'est quoi ? »: the sentence that spells out the acronym says what it is
        return [spelled[0], *[s for s in chosen if s is not spelled[0]]]
    if (
        chosen
        and evidence is not None
        and asked == "definition"
        and not holds_asked(chosen[0].sentence.text, asked)
        and not spells_out(chosen[0].sentence.text, evidence.question)
        and (lead := _told_by_pronoun(evidence.scored, asked, opener=_DEFINES_BEFORE))
    ):
        # « e-CARS, c'est quoi ? »: « … via e-CARS. Il s'agit d'un outil … » says what it is
        return [*lead, *[s for s in chosen if s not in lead]]
    # « qui représente l'ARS ? »: the sentence that names a person, nearly as good as the first
    if (
        chosen
        and evidence is not None
        and asks_representative(evidence.question)
        and not states_person(chosen[0].sentence.text)
    ):
        floor = _LEAD_SHARE * _held(chosen[0], evidence, topic=True)
        for candidate in [*chosen[1:], *evidence.scored[:_COUNT_REACH]]:
            if candidate.score < _RELATIVE * chosen[0].score:
                continue
            if (
                candidate is not chosen[0]
                # a signature or a contact line names its person without a verb
                and not is_placeholder(candidate.sentence.text)
                and states_person(candidate.sentence.text)
                and _held(candidate, evidence, topic=True) >= floor
            ):
                return _within_length([candidate, *[s for s in chosen if s is not candidate]])
    # « qui signe l'annexe USLD ? »: the sentence saying by whom (« … est signée … par »)
    if (
        chosen
        and evidence is not None
        and asked == "who"
        and (agent := _by_whom(chosen, evidence)) is not None
    ):
        return [agent, *[s for s in chosen if s is not agent]]
    # « quel % des patients … ? »: the sentence with the percentage, not a count before it
    if (
        evidence is not None
        and asks_share(evidence.question)
        and (led := _stating_first(chosen, evidence, states_share)) is not None
    ):
        return led
    if not chosen or asked not in _LEADING or holds_asked(chosen[0].sentence.text, asked):
        return chosen
    if asked == "number" and evidence is not None:
        # « Un seul identifiant … a été fourni » counts what is asked: no phone number leads it
        wanted = counted_thing(evidence.question)
        if wanted and counts(chosen[0].sentence.text, wanted):
            return chosen
    if asked == "reason" and evidence is not None and (led := _reason_first(chosen, evidence)):
        return led
    # a reason (« afin de », « en effet ») follows the sentence that restates the question:
    # it need not repeat its words
    floor = (
        _LEAD_SHARE * _held(chosen[0], evidence, topic=True)
        if evidence is not None and asked != "reason"
        else 0.0
    )
    for candidate in chosen[1:]:
        if holds_asked(candidate.sentence.text, asked) and (
            evidence is None or _held(candidate, evidence, topic=True) >= floor
        ):
            antecedent = _antecedent(candidate, chosen)
            lead = [candidate] if antecedent is None else [antecedent, candidate]
            return [*lead, *[s for s in chosen if s not in lead]]
    if (
        asked == "reason"
        and evidence is not None
        and _ASKS_USE.search(fold(evidence.question))
        and (lead := _told_by_pronoun(evidence.scored, asked, opener=_DEFINES_BEFORE))
    ):
        # « e-CARS, ça sert à quoi ? »: « … via e-CARS. Il s'agit d'un outil … qui permet : »
        return [*lead, *[s for s in chosen if s not in lead]]
    if evidence is not None and (lead := _told_by_pronoun(evidence.scored, asked)):
        return [*lead, *[s for s in chosen if s not in lead]]
    return chosen


_ASKS_USE = re.compile(r"\b(?:a quoi (?:ca |il |elle )?ser\w*|ser\w* a quoi)\b")
"""« ça sert à quoi ? », « à quoi servent … ? »: what a thing is for."""


_WHO_DOES = re.compile(r"\bqui (?:est-ce qui )?(?:l'|la |le |les |en )?([a-z]{4,})\b")
"""« qui signe », « qui arrête », « qui fixe »: the act whose agent is asked."""


def _by_whom(chosen: list[ScoredSentence], evidence: Evidence) -> ScoredSentence | None:
    """The chosen sentence that names the agent of the act asked, when the first does not.

    « Qui signe l'annexe USLD ? »: « cette annexe est signée conjointement par le Directeur
    Général de l'ARS et le Président du Conseil départemental », not a sentence that names a
    minister. The act's word is read on its stem (« signe », « signée »), followed by « par »;
    a first sentence that says the act itself (« l'ORU anime les cellules ») keeps the lead.
    """
    # the last « qui … » asks (« un GCS qui doit avoir un CPOM, qui le signe ? »)
    acts = list(_WHO_DOES.finditer(fold(evidence.question).replace("’", "'")))
    stems = tokenize(acts[-1].group(1)) if acts else []
    if not stems:
        return None
    if any(term.startswith(stems[0]) for term in chosen[0].sentence.terms):
        return None  # the first sentence says the act (« l'ORU … anime les cellules »)
    agent = re.compile(rf"\b{re.escape(stems[0])}\w*(?: \w+)? par\b")
    floor = _LEAD_SHARE * _held(chosen[0], evidence, topic=True)
    for candidate in chosen[1:]:
        if agent.search(fold(candidate.sentence.text)) and (
            _held(candidate, evidence, topic=True) >= floor
        ):
            return candidate
    return None


_COUNT_REACH = 8
"""How many of the best sentences are searched for one that counts the thing asked."""


def _within_length(chosen: list[ScoredSentence]) -> list[ScoredSentence]:
    """The leading sentences that fit in the answer's length (the first one always)."""
    kept = chosen[:1]
    words = chosen[0].sentence.words
    for sentence in chosen[1:]:
        if words + sentence.sentence.words > MAX_WORDS:
            break
        kept.append(sentence)
        words += sentence.sentence.words
    return kept


_FORMULA_LINE = re.compile(
    r"\b(?:nb|nombre)\b[^.]*(?:/|\bpar rapport au nombre\b)|definition de l.indicateur|"
    r"\bnumerateur\b|\bdenominateur\b|\bformule\b"
)
"""A fiche's formula or definition line: what an indicator counts, never why."""
_REASON_REACH = 8
"""How far among the best sentences a reason is looked for when none chosen gives one."""


def _reason_first(chosen: list[ScoredSentence], evidence: Evidence) -> list[ScoredSentence] | None:
    """A reason among the best sentences, leading a « pourquoi » answered by a formula.

    The reason comes from a passage of the same campaign, in place of the last chosen sentence.

    « pourquoi faut éviter les urgences pour les plus de 75 ans ? »: the fiche's « L'enjeu est
    donc de favoriser l'admission directe … », not its numerator.
    """
    # the answer shows the current campaign's sentences first
    shown = next((s for s in chosen if s.passage.chunk.status == "current"), chosen[0])
    if not _FORMULA_LINE.search(fold(shown.sentence.text)):
        return None
    status = shown.passage.chunk.status
    if any(
        holds_asked(s.sentence.text, "reason") and s.passage.chunk.status == status for s in chosen
    ):
        return None
    for candidate in evidence.scored[:_REASON_REACH]:
        if (
            candidate not in chosen
            and candidate.passage.chunk.status == status
            and holds_asked(candidate.sentence.text, "reason")
            and is_answer_line(candidate.sentence.text)
        ):
            return [candidate, *chosen[: max(1, len(chosen) - 1)]]
    return None


def _stating_first(
    chosen: list[ScoredSentence], evidence: Evidence, states: Callable[[str], bool]
) -> list[ScoredSentence] | None:
    """The chosen sentences led by the first that ``states`` the kind of value asked.

    A sentence in euros, a percentage: it leads when it holds at least ``_LEAD_SHARE`` of the
    first one's question weight. None when the first one states it already or no other does.
    """
    if not chosen or states(chosen[0].sentence.text):
        return None
    floor = _LEAD_SHARE * _held(chosen[0], evidence, topic=True)
    for candidate in chosen[1:]:
        if states(candidate.sentence.text) and _held(candidate, evidence, topic=True) >= floor:
            return [candidate, *[s for s in chosen if s is not candidate]]
    return None


def _next_to(sentence: ScoredSentence, first: ScoredSentence) -> bool:
    """Whether a sentence follows ``first`` in its source (it goes on with its subject)."""
    return (
        sentence.passage.chunk.id == first.passage.chunk.id
        and sentence.sentence.position == first.sentence.position + 1
    )


def with_the_context_before(
    chosen: list[ScoredSentence], evidence: Evidence
) -> list[ScoredSentence]:
    """A reason asked: a first sentence that draws on the one before it comes after that one.

    « Pourquoi l'ARS pousse la mutualisation de la biologie ? » is answered by « Dans ce
    contexte, la mutualisation devient un levier stratégique » only with the sentence before,
    which says what the context is (« une fragilité croissante … des tensions fortes »).
    """
    if not chosen or asked_type(evidence.question) != "reason":
        return chosen
    # the first chosen sentence that concludes (« Il est donc essentiel de … ») when it holds
    # the question's subject as well as the first one does: what it concludes from says why
    lead = next(
        (
            s
            for i, s in enumerate(chosen)
            if draws_on_before(s.sentence.text)
            and (
                i == 0
                or _held(s, evidence, topic=True)
                >= _LEAD_SHARE * _held(chosen[0], evidence, topic=True)
            )
        ),
        None,
    )
    if lead is None:
        return chosen
    at = {
        s.sentence.position: s
        for s in evidence.scored
        if s.passage.chunk.id == lead.passage.chunk.id
    }
    context: list[ScoredSentence] = []
    # the sentence before, or the list before with the sentence that announces it; a sentence
    # before that itself draws on its own antecedent (« Elle aggrave … », « Dans ce contexte,
    # … ») brings that one too, up to ``MAX_CONTEXT_SENTENCES``
    sentences = 0
    while (before := at.get(lead.sentence.position - len(context) - 1)) is not None:
        context.insert(0, before)
        text = before.sentence.text
        if len(context) > MAX_ITEMS:
            break
        if strip_bullet(text) != text and not announces(text):
            continue  # an item of the list before: its announcing sentence comes too
        sentences += 1
        if sentences >= MAX_CONTEXT_SENTENCES or not draws_on_before(text, subject=True):
            break
    if not context or not is_answer_line(context[0].sentence.text):
        return chosen
    run = [*context, lead, *_continuation(lead, evidence.scored)]
    return [*run, *[s for s in chosen if s not in run]]


_DRAWS_ON = re.compile(
    r"^(?:dans ce (?:contexte|cadre)|c'est pourquoi|c’est pourquoi|de ce fait|pour ces raisons|"
    r"face à ce constat|fort de ce constat|en conséquence|par conséquent)\b",
    re.IGNORECASE,
)
"""A sentence that draws its reason from the one before it (« Dans ce contexte, … »)."""
_CONCLUDES = re.compile(r"^(?:\S+\s+){1,4}donc\b", re.IGNORECASE)
"""A sentence that concludes from the one before it (« L'enjeu est donc … »)."""
_GOES_ON = re.compile(r"^(?:il|elle|ils|elles|cela|ceci)\s", re.IGNORECASE)
"""A sentence whose subject is the one before it (« Elle aggrave … »)."""
MAX_CONTEXT_SENTENCES = 3


def draws_on_before(text: str, *, subject: bool = False) -> bool:
    """Whether a sentence draws on the one before it (its reason; with ``subject``, its subject)."""
    text = strip_bullet(text).strip()
    return bool(
        _DRAWS_ON.match(text) or _CONCLUDES.match(text) or (subject and _GOES_ON.match(text))
    )


def lead_with_footnote(chosen: list[ScoredSentence], evidence: Evidence) -> list[ScoredSentence]:
    """The footnote of a starred term leads when the question asks what the star means.

    « OS 6, « constituer une équipe multidisciplinaire d'ETP » avec l'astérisque, ça veut dire
    quoi ? »: the table's cell « Constituer une équipe multidisciplinaire d'ETP* » is told by
    the passage's « * Élaborer un diagnostic éducatif, définir un programme … ».
    """
    question = fold(evidence.question)
    if not chosen or not (_ASKS_STAR.search(question) or asks_definition(evidence.question)):
        return chosen
    starred = [s for s in chosen if _STARRED.search(s.sentence.text)]
    for term in starred[:1]:
        note = next(
            (
                s
                for s in evidence.scored
                if s.passage.chunk.id == term.passage.chunk.id and _FOOTNOTE.match(s.sentence.text)
            ),
            None,
        )
        if note is not None:  # the table's cells around the star say no more, nor its items
            said = fold(note.sentence.text)
            return [
                note,
                *[
                    s
                    for s in chosen
                    if s.passage.chunk.id != note.passage.chunk.id
                    and fold(strip_bullet(s.sentence.text)).rstrip(" .;") not in said
                ],
            ]
    return chosen


_ASKS_STAR = re.compile(r"\b(?:asterisques?|etoiles?)\b|\w\*")
"""« avec l'astérisque », « y a une étoile », « ETP* »: what a star in a table stands for."""
_STARRED = re.compile(r"\w\*(?!\w|\*)")
"""A starred term (« … d'ETP* »), not a bold or italic run (« *Résumé* »)."""
_FOOTNOTE = re.compile(r"^\*\s*[\w(](?![^*]*\*\s*:)")
"""The line a star refers to (« * Élaborer un diagnostic … »), not a field in italics."""


def lead_with_denial(chosen: list[ScoredSentence], evidence: Evidence) -> list[ScoredSentence]:
    """The sentence in the negative leads a yes-or-no question about a thing without something.

    « Un GCS sans autorisation doit-il signer ? » is answered by « les GCS non titulaires d'une
    autorisation ne sont pas soumis », when the first chosen sentence has no negation.
    """
    if len(chosen) < 2 or asked_type(evidence.question) not in (None, "yes_no"):
        return chosen
    if not _DENIAL.search(fold(evidence.question)):
        return chosen
    if _DENIAL.search(fold(chosen[0].sentence.text)):
        return chosen
    floor = _LEAD_SHARE * _held(chosen[0], evidence)
    for candidate in chosen[1:]:
        if _DENIAL.search(fold(candidate.sentence.text)) and _held(candidate, evidence) >= floor:
            return [candidate, *[s for s in chosen if s is not candidate]]
    return chosen


_DENIAL = re.compile(r"\b(?:sans|aucune?|non|hors|ne \w+ pas|n'\w+ pas|pas de|pas d')\b")
"""A sentence or a question in the negative (« sans autorisation », « ne sont pas soumis »)."""


_RANK = re.compile(r"^(?:premi|premier|1er|deuxiem|second|troisiem|quatriem|cinquiem|\d{1,2}em?)$")
"""A rank as the question's terms write it (« troisième », « 2e »)."""
_RANK_WORDS = (
    "premi premier 1er",
    "deuxiem second 2e 2em",
    "troisiem 3e 3em",
    "quatriem 4e 4em",
    "cinquiem 5e 5em",
)
_RANKS = {form: frozenset(words.split()) for words in _RANK_WORDS for form in words.split()}
"""Each way of writing a rank, with the others (« 2e » is « deuxième »)."""
_RANK_REACH = 10
"""How far down the scored sentences an item of the rank asked is looked for (its list's)."""

_PRONOUN_REACH = 5
"""How many of the best sentences may have their fact told by the next one's pronoun."""


def _told_by_pronoun(
    scored: list[ScoredSentence], asked: AskedType, *, opener: re.Pattern[str] | None = None
) -> list[ScoredSentence]:
    """One of the best sentences and the next one, which gives the asked fact by a pronoun.

    « Les missions de service public … constituent des missions spécifiques … » then « Elles
    sont au nombre de 14 »: the second holds few words of the question, the first all of them.
    """
    at = {(s.passage.chunk.id, s.sentence.position): s for s in scored}
    for best in scored[:_PRONOUN_REACH]:
        following = at.get((best.passage.chunk.id, best.sentence.position + 1))
        if (
            following is not None
            and (opener or _ANAPHORIC).match(strip_bullet(following.sentence.text))
            and holds_asked(following.sentence.text, asked)
            and is_answer_line(best.sentence.text)
        ):
            return [best, following, *(_continuation(following, scored) if opener else [])]
    return []


_LEAD_SHARE = 0.5
"""The share of the first sentence's question weight another sentence must hold to lead."""


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _asked_years(evidence: Evidence) -> set[str]:
    """The years a question writes that name none of the documents it points to."""
    return {y for y in _YEAR.findall(evidence.question) if y not in evidence.naming_terms}


def _held(sentence: ScoredSentence, evidence: Evidence, *, topic: bool = False) -> float:
    """The question's weight whose terms (or their forms) the sentence holds.

    With ``topic``, the words that only name the kind of fact asked (« délai », « date »,
    « combien ») do not count: « dans un délai de 4 ans » is not on « le délai pour signer les
    annexes » for holding « délai ».
    """
    terms = sentence.sentence.terms
    forms = evidence.variants
    return sum(
        w
        for t, w in evidence.weights.items()
        if not terms.isdisjoint(forms.get(t, {t})) and not (topic and t in _ASKING_WORDS)
    )


_ASKING_WORDS = frozenset(
    tokenize("date dates limite butoir quand échéance délai délais durée temps combien nombre")
)
"""Question words that name the kind of fact asked, not what it is about."""


def _antecedent(sentence: ScoredSentence, chosen: list[ScoredSentence]) -> ScoredSentence | None:
    """The chosen sentence right before ``sentence`` when it opens on a pronoun (« Elles … »)."""
    if not _ANAPHORIC.match(strip_bullet(sentence.sentence.text)):
        return None
    return next(
        (
            s
            for s in chosen
            if s.passage.chunk.id == sentence.passage.chunk.id
            and s.sentence.position == sentence.sentence.position - 1
        ),
        None,
    )


_ANAPHORIC_PATTERN = (
    r"^(?:elles?|ils|celles?-ci|ceux-ci|celui-ci|celle-ci|ces derni[eè]re?s?|ce dernier|"
    r"cette derni[eè]re)\b"
)
_ANAPHORIC = re.compile(
    _ANAPHORIC_PATTERN,
    re.IGNORECASE,
)
"""A sentence that opens on a pronoun says something of the one before it (not « il »,
impersonal as often as not: « Il s'agit », « Il convient »)."""
_DEFINES_BEFORE = re.compile(
    rf"{_ANAPHORIC_PATTERN}|^(?:il s['’]agit|c['’]est (?:un|une|le|la|l['’]))\b", re.IGNORECASE
)
"""A sentence saying what the thing of the one before it is (« Il s'agit d'un outil … »)."""


def select_sentences(
    scored: list[ScoredSentence],
    *,
    max_words: int = MAX_WORDS,
    variants: Mapping[str, frozenset[str]] | None = None,
    texts_asked: bool = False,
    asked_terms: frozenset[str] = frozenset(),
) -> list[ScoredSentence]:
    """The best sentence, then the other good ones (short, distinct, few sources).

    A sentence that gives orders to the assistant is never part of an answer; a heading, a
    placeholder or a lone table cell never leads one. A line that only repeats words of the
    question (``asked_terms``: « Renforcer le lien … » asked as « l'objectif « Renforcer le
    lien … » ») says nothing. An item of a list whose lead holds words of the question
    (``variants``: each question term with the forms that count) gives way to that lead, with
    the whole list.
    """
    scored = [s for s in scored if not is_instruction(s.sentence.text)]
    answering = [
        s
        for s in scored
        if is_answer_line(s.sentence.text, texts_asked=texts_asked)
        and not _restates(s, asked_terms)
    ]
    if answering and answering[0] is not scored[0]:
        scored = [answering[0], *[s for s in scored if s is not answering[0]]]
    if not scored:
        return []
    best = scored[0]
    ranks = {r for t in variants or () if _RANK.match(t) for r in _RANKS.get(t, {t})}
    if ranks and ranks.isdisjoint(best.sentence.terms):
        # « le troisième axe » asked: the item of that rank leads, not the list's lead
        best = next(
            (
                s
                for s in scored[:_RANK_REACH]
                if not ranks.isdisjoint(s.sentence.terms)
                and s.passage.chunk.id == best.passage.chunk.id  # the list the best one leads
                and strip_bullet(s.sentence.text) != s.sentence.text  # an item of a list
            ),
            best,
        )
    if variants and (lead := _list_lead(best, scored, max_words)) is not None:
        said = lead.sentence.terms
        # an item the question asks by its rank keeps the lead
        ranked = not ranks.isdisjoint(best.sentence.terms)
        if not ranked and any(
            not said.isdisjoint(v) and best.sentence.terms.isdisjoint(v) for v in variants.values()
        ):
            best = lead
    chosen = [best]
    words = best.sentence.words
    for follower in _continuation(best, scored):
        if words + follower.sentence.words > max_words:
            break
        chosen.append(follower)
        words += follower.sentence.words
    sources = {best.passage.chunk.id}
    for cand in scored[1:]:
        if len(chosen) >= MAX_SENTENCES or cand.score < _RELATIVE * best.score:
            break
        if any(_similar(cand.sentence, c.sentence) for c in chosen):
            continue
        if is_placeholder(cand.sentence.text) or _restates(cand, asked_terms):
            continue  # « Du xxxx 2025 », « [à compléter] »: a form's blank supports nothing
        cid = cand.passage.chunk.id
        if cid not in sources and len(sources) >= MAX_SOURCES:
            continue
        if words + cand.sentence.words > max_words:
            continue
        chosen.append(cand)
        sources.add(cid)
        words += cand.sentence.words
        if announces(cand.sentence.text):  # the list it announces comes with it
            for item in _continuation(cand, scored):
                # a list announced is read whole, a little past the answer's length
                if item in chosen or words + item.sentence.words > max_words + LIST_ROOM:
                    break
                chosen.append(item)
                words += item.sentence.words
    return chosen


def _restates(sentence: ScoredSentence, asked_terms: frozenset[str]) -> bool:
    """Whether a sentence only repeats words of the question (and announces no list)."""
    return (
        bool(asked_terms)
        and sentence.sentence.terms <= asked_terms
        and not announces(sentence.sentence.text)
    )


def _list_lead(
    item: ScoredSentence, scored: list[ScoredSentence], max_words: int
) -> ScoredSentence | None:
    """The sentence announcing the list ``item`` belongs to, when the list fits in an answer.

    « Outre l'évaluation des objectifs, sur quoi porte la revue de contrat ? » finds an item
    (« • L'évaluation de la réalisation des objectifs … ; »): the answer is the list, from its
    lead (« La revue de contrat a pour objet : »), with the item inside it.
    """
    text = item.sentence.text.lstrip()
    if announces(text) or not (strip_bullet(text) != text or text[:1].islower()):
        return None  # a bullet or a lower-case line: an item, not a sentence after a colon
    lines = {c.sentence.position: c for c in scored if c.passage.chunk.id == item.passage.chunk.id}
    position = item.sentence.position
    for _ in range(MAX_ITEMS):
        before = lines.get(position - 1)
        if before is None:
            return None
        if announces(before.sentence.text):
            if position == item.sentence.position and not _is_item(
                item.sentence.text, before.sentence.text
            ):
                return None
            listed = [before, *_continuation(before, scored)]
            if item not in listed or sum(s.sentence.words for s in listed) > max_words:
                return None
            return before
        if not _is_item(lines[position].sentence.text, before.sentence.text):
            return None
        position -= 1
    return None


def _continuation(best: ScoredSentence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """What completes the best sentence: the line it announces, the cells of its table row."""
    following = {
        c.sentence.position: c for c in scored if c.passage.chunk.id == best.passage.chunk.id
    }
    out: list[ScoredSentence] = []
    position = best.sentence.position + 1
    if best.sentence.continued and (rest := _rest_of_sentence(best, following)):
        # a sentence the splitter cut into windows reads whole (cut to its clauses if long)
        return rest
    text = best.sentence.text.rstrip()
    after = following.get(position)
    if (
        not announces(text)
        and after is not None
        and after.sentence.words <= _SHORT_CALL
        and _REFERS_BACK.match(strip_bullet(after.sentence.text))
        and _LIST_CALL.search(after.sentence.text)
    ):
        # « … par voie d'avenant. Cet avenant fixe : • … » : the list says what it holds
        return [after, *_continuation(after, scored)]
    if announces(text) and position in following:
        # the list it announces: its items, in order, while they read as items
        while position in following and len(out) < MAX_ITEMS:
            item = following[position]
            if (
                out
                and not _is_item(item.sentence.text, out[-1].sentence.text)
                and not _item_goes_on(
                    item, out[-1], following.get(position + 1), best.sentence.text
                )
            ):
                break
            out.append(item)
            position += 1
        return out
    if (best.sentence.words < 8 or best.sentence.continued) and position in following:
        out.append(following[position])
        position += 1
    # a table row: the short cells that follow its label ("50%", "65%"…)
    while position in following and following[position].sentence.words <= 3 and len(out) < 8:
        out.append(following[position])
        position += 1
    return out


def _rest_of_sentence(
    best: ScoredSentence, following: dict[int, ScoredSentence]
) -> list[ScoredSentence]:
    """The word windows that go on from ``best`` to the end of its sentence."""
    out: list[ScoredSentence] = []
    position, current = best.sentence.position + 1, best
    while current.sentence.continued and position in following:
        current = following[position]
        out.append(current)
        position += 1
    if not out or not _SENTENCE_END.search(out[-1].sentence.text):
        return []  # a table row or a glossary run, not a sentence: its windows stand alone
    return out


_SENTENCE_END = re.compile(r"[.!?][»)\s]*$")


def announces(text: str) -> bool:
    """Whether a sentence ends by calling for what follows.

    It announces a list (a colon, « permet », « vise à ») or stops mid-sentence (« … et le »).
    """
    text = strip_bullet(text).rstrip()
    return bool(_DANGLING.search(text) or MID_SENTENCE.search(text))


_ITEM_TAIL_WORDS = 25
"""The longest second sentence of a bulleted item that the list's answer keeps."""


def _item_goes_on(
    text: ScoredSentence, item: ScoredSentence, after: ScoredSentence | None, lead: str = ""
) -> bool:
    """Whether a sentence that is not an item is the second sentence of a bulleted ``item``.

    « ➢ Les 30 fiches … comprenant : … indicateurs. Les fiches sont issues de travaux
    concertés. ➢ Un guide signature électronique » : the bullets go on after it, so the list does.
    A sentence that announces a list of its own (« Il est composé de plusieurs compartiments : »)
    is not a tail: the bullets after it are its list, not this one's; unless it mirrors the
    list's ``lead`` (« Un taux élevé … peut indiquer : » then « Un taux faible … peut indiquer
    : »), two lists read together.
    """

    def bulleted(s: ScoredSentence) -> bool:
        return strip_bullet(s.sentence.text) != s.sentence.text

    return (
        after is not None
        and bulleted(item)
        and bulleted(after)
        and text.sentence.words <= _ITEM_TAIL_WORDS
        and (not text.sentence.text.rstrip().endswith(":") or _mirrors(text.sentence.text, lead))
    )


def _mirrors(text: str, lead: str) -> bool:
    """Whether two list leads open with the same two words (« Un taux élevé » / « Un taux »)."""
    first, other = fold(text).split()[:2], fold(strip_bullet(lead)).split()[:2]
    return len(first) == 2 and first == other


def _is_item(text: str, previous: str) -> bool:
    """Whether ``text`` goes on the list ``previous`` belongs to.

    A bullet, a lower-case item, an item after one that ended on « ; » or « , », or a labelled
    line after another (« PGTHSSE : Plan de Gestion … » then « PCA : Plan de Continuité … »).
    """
    first = text.lstrip()[:1]
    return (
        strip_bullet(text) != text
        or first.islower()
        or previous.rstrip().endswith((";", ",", ":"))
        or bool(_LABELLED.match(text) and _LABELLED.match(previous))
    )


_LABELLED = re.compile(r"\s*[^\s:.;,][^:.;,]{0,30}?\s:\s+\S")
"""A line that opens on a short label and its colon (« PCA : Plan de Continuité d'Activité »)."""


def document_label(chunk: Chunk) -> str:
    """How an answer names a document: « title » (period)."""
    return f"« {chunk.title} » ({chunk.period})"


def build_answer(
    chosen: list[ScoredSentence],
    *,
    prefer_historical: bool = False,
    shorten: Callable[[str, bool], str] | None = None,
    years: frozenset[str] = frozenset(),
) -> tuple[str, list[Citation]]:
    """Write the answer text with [n] markers, and its citations.

    The best sentence comes first; the others follow by source, current documents before
    historical ones (unless the question is about a historical document), each source in
    reading order. A historical source is named with its period. When the best sentence
    announces a list keyed by years (« 2025 : 75 % ; 2026 : 50 % »), the items of the
    ``years`` asked come first in it.
    """
    if not chosen:
        return REFUSAL, []
    if not prefer_historical and chosen[0].passage.chunk.status == "historical":
        # the rule in force first: the best sentence of a current document leads
        current = [s for s in chosen if s.passage.chunk.status == "current"]
        if current:
            chosen = [current[0], *[s for s in chosen if s is not current[0]]]
    best, rest = chosen[0], chosen[1:]

    def status_key(s: ScoredSentence) -> int:
        historical = s.passage.chunk.status == "historical"
        return 0 if historical == prefer_historical else 1

    order = [best.passage.chunk.id]
    for s in sorted(rest, key=lambda s: (status_key(s), s.passage.rank)):
        if s.passage.chunk.id not in order:
            order.append(s.passage.chunk.id)
    groups: dict[str, list[ScoredSentence]] = {cid: [] for cid in order}
    for s in chosen:
        groups[s.passage.chunk.id].append(s)
    parts: list[str] = []
    citations: list[Citation] = []
    said: dict[int, str] = {}
    for n, cid in enumerate(order, start=1):
        group = groups[cid]
        head, tail = group[0], sorted(group[1:], key=lambda s: s.sentence.position)
        if n == 1:  # the best sentence leads, the lines that complete it right after it
            run = [head]
            while next_of := [
                s for s in tail if s.sentence.position == run[-1].sentence.position + 1
            ]:
                run.append(next_of[0])
            items = [*run, *[s for s in tail if s not in run]]
            windows = len(run) > 1 and all(s.sentence.continued for s in run[:-1])
            long = len(run) == 1 and head.sentence.words > MAX_SENTENCE_WORDS
            if shorten is not None and (windows or long):
                # one long sentence the splitter cut into windows: read from its start as far
                # as fits when the run ends the sentence, else its answering clauses lead
                rest = items[len(run) :]
                whole = _SENTENCE_END.search(run[-1].sentence.text) is not None
                text = " ".join([shorten(_joined(run), whole), *([_joined(rest)] if rest else [])])
            else:
                text = _joined(items, years)
        else:
            items = sorted(group, key=lambda s: s.sentence.position)
            text = _joined(items)
        if not parts and text[:1].islower():
            text = text[0].upper() + text[1:]  # an item that leads opens the answer: « Le … »
        said[n] = text
        parts.append(with_marker(text, n))
        citations.append(_citation(n, head.passage.chunk, items))
    notes = historical_notes(citations, said)
    return " ".join(parts) + "".join(f"\n{note}" for note in notes), citations


def _years_first(pieces: list[str], years: frozenset[str]) -> list[str]:
    """A list's items, those keyed by one of ``years`` (« 2026 : 50% ») first.

    The items keep the list's punctuation: « ; » after each but the last, which keeps its end.
    """
    asked = [p for p in pieces if _key_year(p) in years]
    if not asked or asked == pieces[: len(asked)]:
        return pieces
    ordered = [*asked, *[p for p in pieces if p not in asked]]
    end = pieces[-1][len(pieces[-1].rstrip(" ;.")) :]
    bare = [p.rstrip(" ;.") for p in ordered]
    return [*(b + " ;" for b in bare[:-1]), bare[-1] + end]


_KEYED = re.compile(r"^[^:]{0,40}?\b((?:19|20)\d\d)\b[^:]{0,15}:")
"""An item keyed by a year: its label before the colon names it (« 1er janvier 2026 : »)."""


def _key_year(text: str) -> str | None:
    match = _KEYED.match(strip_bullet(text).strip())
    return match.group(1) if match else None


_QUESTION_YEAR = re.compile(r"(?<![\d-])((?:19|20)\d\d)(?![\d-])")
"""A year asked on its own (not a bound of a period such as « 2025-2029 »)."""


def historical_notes(citations: list[Citation], said: dict[int, str]) -> list[str]:
    """One line per historical document an answer quotes: which one, and the rule in force.

    The answering sentence keeps the lead; the line after it names the document and its
    period, and points to the current campaign's sentence when the answer quotes one, saying
    whether its figures differ from the historical ones.
    """
    current = [c for c in citations if c.status == "current"]
    notes: list[str] = []
    seen: set[str] = set()
    for citation in citations:
        if citation.status != "historical" or citation.doc_id in seen:
            continue
        seen.add(citation.doc_id)
        markers = ", ".join(f"[{c.n}]" for c in citations if c.doc_id == citation.doc_id)
        label = f"« {citation.title} » ({citation.period})"
        note = f"{markers} : {label}, document antérieur à la campagne en cours"
        if current:
            now = current[0]
            old = " ".join(said[c.n] for c in citations if c.doc_id == citation.doc_id)
            if unsupported(old, [said[now.n]]) and figures(said[now.n]):
                note += f" ; la campagne {now.period} fixe d'autres valeurs [{now.n}]."
            else:
                note += f" ; pour la campagne {now.period}, voir [{now.n}]."
        else:
            note += " ; les règles de la campagne en cours peuvent différer."
        notes.append(note)
    return notes


def with_marker(text: str, n: int) -> str:
    """``text`` closed by its citation marker, before its final stop ("… campagne [1].")."""
    text = text.rstrip()
    stop = "."
    if text and text[-1] in ".!?":
        text, stop = text[:-1].rstrip(), text[-1]
    return f"{text} [{n}]{stop}"


def _marked(text: str, n: int) -> str:
    """``text`` with its marker and without its final stop (« … échéance [1] »)."""
    return with_marker(text, n)[:-1].rstrip()


def _joined(items: list[ScoredSentence], years: frozenset[str] = frozenset()) -> str:
    """The sentences of one source as one text; an announced list stays attached.

    A sentence that announces the next one (« … qui permet », « … a pour objet : ») runs on
    into it, and list items keep their « ; » until the last one. In a list keyed by years,
    the items of the ``years`` asked come first.
    """
    pieces: list[str] = []
    in_list = False
    item_tail = False
    lead = ""
    first_item: int | None = None
    lower_next = False
    joined_words = 0  # the words of the sentences already joined into the current one
    for i, s in enumerate(items):
        if first_item is not None and not in_list:  # the list just ended
            pieces[first_item:] = _years_first(pieces[first_item:], years)
            first_item = None
        if in_list and first_item is None:
            first_item = len(pieces)
        text = strip_bullet(s.sentence.text).strip()
        if in_list and not item_tail:  # an item of the list announced: « … sont : qualité ; »
            text = as_item(text)
        item_tail = False
        after = items[i + 1] if i + 1 < len(items) else None
        next_one = (
            after is not None
            and after.passage.chunk.id == s.passage.chunk.id
            and after.sentence.position == s.sentence.position + 1
        )
        if next_one and s.sentence.continued:
            pieces.append(text)  # a word window of a long run: the run goes on, no stop
        elif next_one and MID_SENTENCE.search(text) and not _DANGLING.search(text):
            pieces.append(text)  # the sentence goes on at the next line, as one sentence
        elif next_one and announces(text):
            pieces.append(text)
            in_list = True
            lead = text
        elif next_one and in_list and after is not None and _is_item(after.sentence.text, text):
            item = text.rstrip(" ,;")
            if item.endswith(".") and not item.endswith("etc."):
                item = item[:-1].rstrip()  # « … travaux concertés ; un guide … »
            pieces.append(item + " ;")
        elif (
            next_one
            and in_list
            and after is not None
            and _item_goes_on(after, s, items[i + 2] if i + 2 < len(items) else None, lead)
        ):
            # the item's own second sentence follows (« … indicateurs. Les fiches sont issues
            # de travaux concertés ; un guide … »): a full stop, then the list goes on
            pieces.append(text if text.endswith(".") else text.rstrip(" ,;") + ".")
            item_tail = True
        elif (
            next_one
            and after is not None
            and _refers_back(text, after.sentence.text)
            and joined_words + len(text.split()) + len(after.sentence.text.split())
            <= MAX_JOINED_WORDS
        ):
            # « … territorialement ; elles sont au nombre de 14 »: what the next sentence says
            # by a pronoun is said in this one, not in a sentence that cannot stand alone
            piece = text[:-1].rstrip() + " ;"
            if lower_next:  # itself the follower of the sentence before
                piece = piece[:1].lower() + piece[1:]
            pieces.append(piece)
            joined_words += len(text.split())
            lower_next = True
            in_list = False
            continue
        else:
            shown = _display(text)
            # the last item of an announced list ends before the next sentence
            if in_list and after is not None and shown[-1:].isalnum():
                shown += "."
            pieces.append(shown)
            in_list = False
        if lower_next:
            pieces[-1] = pieces[-1][:1].lower() + pieces[-1][1:]
            lower_next = False
        joined_words = 0
    if first_item is not None:
        pieces[first_item:] = _years_first(pieces[first_item:], years)
    return " ".join(pieces)


_REFERS_BACK = re.compile(
    rf"^(?:{_ANAPHORIC.pattern[1:]}|il s['’]agit\b|"
    r"(?:cet|cette|ces|ce)\s+(?!qui\b|que\b|qu['’]|dont\b)[^\W\d_]{3,}|"
    rf"{_DRAWS_ON.pattern[1:]})",
    re.IGNORECASE,
)
"""A sentence opening on a pronoun (``_ANAPHORIC``), a demonstrative (« Cet avenant
fixe ») or a phrase drawing on it (« Dans ce contexte ») says something of the one before."""
MAX_JOINED_WORDS = 70
"""A sentence and its pronoun follower are said as one sentence up to this many words."""


def _refers_back(text: str, following: str) -> bool:
    """Whether the sentence ``following`` (next in its source) is said as a part of ``text``.

    ``text`` must be a whole sentence (a full stop) and the two together short enough to read
    as one sentence.
    """
    follower = strip_bullet(following).strip()
    return (
        text.endswith(".")
        and not text.endswith("etc.")
        and bool(_REFERS_BACK.match(follower))
        and len(text.split()) + len(follower.split()) <= MAX_JOINED_WORDS
    )


def _display(text: str) -> str:
    text = strip_bullet(text).strip()
    if text.endswith((":", ";", ",")):
        text = text[:-1].rstrip() + "."
    return text


def _citation(n: int, chunk: Chunk, items: list[ScoredSentence]) -> Citation:
    """The citation of ``chunk`` quoting the answer's sentences of it.

    Sentences that follow each other are quoted as one run of whole sentences; runs apart in
    the passage are joined by « … », so that the quote shows all that the answer takes from it.
    """
    ordered = sorted(items, key=lambda s: s.sentence.position)
    runs: list[list[Sentence]] = []
    for item in ordered:
        if runs and item.sentence.position == runs[-1][-1].position + 1:
            runs[-1].append(item.sentence)
        elif not runs or item.sentence.position != runs[-1][-1].position:
            runs.append([item.sentence])
    body = body_offset(chunk)
    quotes: list[str] = []
    for run in runs:
        quote = whole_quote(chunk.text, run[0].start, run[-1].end, body=body)
        if not any(quote in q or q in quote for q in quotes):
            quotes.append(quote)
    return citation_for(n, chunk, " … ".join(quotes))


def citation_for(n: int, chunk: Chunk, quote: str) -> Citation:
    """A citation of ``chunk`` with ``quote`` (verbatim words of the passage)."""
    return Citation(
        n=n,
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section,
        page=chunk.page,
        quote=" ".join(quote.split()),
        period=chunk.period,
        status=chunk.status,
        chunk_id=chunk.id,
    )


CURRENT_SHARE = 0.8
"""A current sentence joins an answer on a historical guide when it scores this share of the
best one: the reader then sees the rule in force beside the old one."""


def named_first(chosen: list[ScoredSentence], named: tuple[str, ...]) -> list[ScoredSentence]:
    """``chosen`` with the best sentence of a document the question names leading.

    « e-CARS dans le guide ARA » is answered from the ARA guide, the campaign's own sentence on
    e-CARS after it.
    """
    own = next((s for s in chosen if s.passage.chunk.doc_id in named), None)
    if own is None or own is chosen[0]:
        return chosen
    return [own, *[s for s in chosen if s is not own]]


def with_rule_in_force(
    chosen: list[ScoredSentence], scored: list[ScoredSentence]
) -> list[ScoredSentence]:
    """``chosen`` and, when it quotes only historical guides, the closest current sentence."""
    if not chosen or any(s.passage.chunk.status == "current" for s in chosen):
        return chosen
    floor = CURRENT_SHARE * chosen[0].score
    for candidate in scored:
        if candidate.score < floor:
            break
        text = candidate.sentence.text
        if (
            candidate.passage.chunk.status == "current"
            and is_answer_line(text)
            and not is_instruction(text)
        ):
            return [*chosen, candidate]
    return chosen


def _says_no_new_figure(cand: ScoredSentence, taken: list[ScoredSentence]) -> bool:
    """Whether a sentence's figures (two or more: dates, numbers) are all said already."""
    own = {(f.kind, f.value) for f in figures(cand.sentence.text)}
    said = {(f.kind, f.value) for s in taken for f in figures(s.sentence.text)}
    return len(own) >= 2 and own <= said


def paired_answer(
    leads: list[ScoredSentence],
    scored: list[ScoredSentence],
    *,
    max_words: int = MAX_WORDS,
    shorten: Callable[[str, int], str] | None = None,
    years: frozenset[str] = frozenset(),
) -> tuple[str, list[Citation]]:
    """The answer to a two-part question: one sentence per part, joined, then the others.

    ``leads`` answer the parts, in the question's order; each comes with the lines that complete
    it (the list it announces, its table cells). Both lead the answer as one sentence
    (« … [1] ; … [2]. »), so that the reader sees both answers first; the other good sentences
    follow by source, as in :func:`build_answer`. When one lead's run holds the other (a
    sentence running on into the other's list), the run is said once. In a list keyed by
    years, the ``years`` asked come first.
    """
    runs = [[lead, *_continuation(lead, scored)] for lead in leads]
    if any(s in runs[1] for s in runs[0]):
        # one passage's run answers both parts (a sentence running on into the other's list):
        # said once, in reading order, not twice
        both = [*runs[0], *[s for s in runs[1] if s not in runs[0]]]
        runs = [sorted(both, key=lambda s: s.sentence.position)]
    taken = [s for run in runs for s in run]
    words = sum(s.sentence.words for s in taken)
    rest: list[ScoredSentence] = []
    for cand in select_sentences(scored, max_words=max_words):
        if len(taken) + len(rest) >= MAX_SENTENCES + 1 or words + cand.sentence.words > max_words:
            break
        if cand in taken or any(_similar(cand.sentence, c.sentence) for c in taken):
            continue
        if _says_no_new_figure(cand, taken) or not is_answer_line(cand.sentence.text):
            continue  # « Il prendra effet au 01 janvier 2025 … » again, « Fait à Montpellier »
        rest.append(cand)
        words += cand.sentence.words
    order: list[str] = []
    for s in [*taken, *sorted(rest, key=lambda s: s.passage.rank)]:
        if s.passage.chunk.id not in order:
            order.append(s.passage.chunk.id)
    number = {cid: n for n, cid in enumerate(order, start=1)}
    said: dict[int, str] = {}

    def say(items: list[ScoredSentence]) -> tuple[str, int]:
        n, text = number[items[0].passage.chunk.id], _joined(items, years)
        said[n] = f"{said.get(n, '')} {text}".strip()
        return text, n

    pieces = [_marked(*say(run)) for run in runs]
    if shorten is not None and sum(len(p.split()) for p in pieces) > MAX_LEAD_WORDS:
        # both answers must fit one readable sentence: a lone sentence is cut to the clauses
        # that answer its part (a list stays whole)
        pieces = [
            piece
            if len(run) > 1
            else _marked(shorten(_joined(run), i), number[run[0].passage.chunk.id])
            for i, (piece, run) in enumerate(zip(pieces, runs, strict=True))
        ]
    if len(pieces) == 1:
        lead = f"{pieces[0]}."
    elif (second := pieces[1])[:1].isupper() and second[1:2].islower():
        second = second[0].lower() + second[1:]  # « ; le socle … », one sentence
        lead = f"{pieces[0]} ; {second}."
    else:  # « ; ARS … » would end the sentence at the semicolon
        lead = f"{pieces[0]} — {second}."
    parts = [lead]
    for cid in order:
        group = sorted(
            (s for s in rest if s.passage.chunk.id == cid), key=lambda s: s.sentence.position
        )
        if group:
            parts.append(with_marker(*say(group)))
    quoted: dict[str, list[ScoredSentence]] = {cid: [] for cid in order}
    for item in [*taken, *rest]:
        quoted[item.passage.chunk.id].append(item)
    citations = [
        _citation(number[cid], items[0].passage.chunk, items) for cid, items in quoted.items()
    ]
    notes = historical_notes(citations, said)
    return " ".join(parts) + "".join(f"\n{note}" for note in notes), citations


def extractive_answer(evidence: Evidence) -> Answer:
    """The offline answer built from the evidence's best sentences (no support decision)."""
    leads = part_leads(evidence)
    years = frozenset(_QUESTION_YEAR.findall(evidence.question))
    if leads:
        parts = question_parts(evidence.in_guides_words or evidence.question)

        def shorten(text: str, part: int) -> str:
            own = set(question_terms(parts[part]))
            asked = replace(
                evidence,
                question=parts[part],
                weights={t: w for t, w in evidence.weights.items() if t in own},
            )
            return trimmed(text, asked, limit=MAX_LEAD_WORDS // 2)

        text, citations = paired_answer(
            leads,
            evidence.scored,
            shorten=shorten,
            years=years,
        )
    else:
        chosen = lead_with_asked(
            select_sentences(
                evidence.scored,
                variants=evidence.variants,
                texts_asked=asks_text(evidence.question),
                # a yes-or-no question is answered by the sentence that restates it
                asked_terms=frozenset(tokenize(evidence.question))
                if asked_type(evidence.question) != "yes_no"
                else frozenset(),
            ),
            asked_type(evidence.question),
            evidence,
        )
        chosen = lead_with_footnote(lead_with_denial(chosen, evidence), evidence)
        chosen = with_the_context_before(chosen, evidence)
        if evidence.historical_focus:
            chosen = with_rule_in_force(
                named_first(chosen, evidence.named_documents), evidence.scored
            )
        text, citations = build_answer(
            chosen,
            prefer_historical=evidence.historical_focus,
            shorten=lambda text, whole: trimmed(text, evidence, whole=whole),
            years=years,
        )
    return Answer(
        question=evidence.question,
        answer=text,
        supported=bool(citations),
        mode="extractive",
        citations=citations,
    )
