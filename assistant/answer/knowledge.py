"""Indicator questions answered from the fiche, through the knowledge base.

"Quelle cible pour la RAAC ?", "comment se calcule l'OS 16 ?", "qui est concerné par le CT 3 ?":
the answer gives the fiche's parts the question is about (target per year and category,
numerator and denominator, unit, data source, collection frequency, eligibility), each with a
citation of the fiche's own words. Target values are shown as the knowledge base read them, next
to the fiche's verbatim row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from assistant.answer.citing import cite_quote
from assistant.answer.extractive import with_marker
from assistant.answer.intent import Intent, asked_type
from assistant.answer.models import Answer, Citation
from assistant.answer.question_parts import question_parts
from assistant.corpus.models import Chunk
from assistant.index.statistics import Sentence, corpus_stats
from assistant.kb import HprIndicator, Indicator, KnowledgeBase, TargetRule, format_year_target
from assistant.kb.codes import find_codes
from assistant.kb.display import ACTIVITY_SHORT_LABELS, UNIT_LABELS
from assistant.kb.models import Scope, YearTarget
from assistant.kb.parts import FIELD_PATTERNS, FichePart
from assistant.kb.text import comparable
from assistant.text.figures import figures, is_year
from assistant.text.french import fold, tokenize
from assistant.text.sentences import as_item, sentence_spans, strip_bullet

MAX_FIELD_WORDS = 45
"""A long fiche field (a definition of a page) is shown up to this many words."""
MAX_LIST_FIELD_WORDS = 120
"""A field that lists items (its sources) is the list asked for: shown up to this many words."""


class _Writer:
    """Collects sentences and their citations (one citation per distinct quote)."""

    def __init__(self, index: Any, indicator: Indicator, question: str = "") -> None:
        self.index = index
        self.indicator = indicator
        self.question = question
        self.lines: list[str] = []
        self.citations: list[Citation] = []

    def cite(self, doc_id: str, quote: str, section: str | None = None) -> int:
        for citation in self.citations:
            if citation.quote == " ".join(quote.split()):
                return citation.n
        fiche = self.indicator.code if doc_id == _doc(self.indicator) else None
        citation = cite_quote(
            self.index,
            len(self.citations) + 1,
            doc_id,
            quote,
            section=section,
            fiche=fiche,
            widen=True,
        )
        self.citations.append(citation)
        return citation.n

    def add(self, text: str, n: int) -> None:
        self.lines.append(with_marker(text, n))


def indicator_answer(
    index: Any, kb: KnowledgeBase, code: str, intent: Intent, question: str
) -> Answer | None:
    """The answer from one indicator's fiche, or None when the question's part is unknown."""
    indicator = kb.get(code)
    if isinstance(indicator, HprIndicator):
        return _hpr_answer(index, indicator, question)
    if (variant := named_variant(indicator, question)) is not None and (
        own := _variant_answer(index, indicator, variant, intent, question)
    ) is not None:
        return own  # CT 3's second activity (biology): its own rows, not the first one's fields
    parts: list[FichePart] = list(intent.parts)
    if asked_type(question) == "reason":
        # « pourquoi l'ARS pousse … ? c'est quoi le problème de fond ? » asks why: the fiche's
        # context says it (the extractive answer reads it), its definition does not
        parts = [p for p in parts if p != "definition"]
    if asked_type(question) == "yes_no" and _IN_THE_TARGET.search(fold(question)):
        # « ça compte dans la cible ? », « peuvent-ils être intégrés aux cibles ? »: what counts
        # toward the target, which the fiche says in its own words, not the target's values
        parts = [p for p in parts if p != "cible"]
    if "preuve" in parts and "cible" in parts and _has_year_proofs(indicator):
        # the proofs are read year by year with each year's target: said once, by the proofs
        parts = [p for p in parts if p != "cible"]
    writer = _Writer(index, indicator, question)
    # a fiche that writes its indicators' names itself (CT 3: « Intitulé de l'indicateur :
    # Nombre de fonctions de biologie … ») answers a name asked in its own words
    named = (
        _ASKS_NAME.search(fold(question)) or _ASKS_WHAT_IT_IS.search(fold(question))
    ) and not _OWN_NAME.search(" ".join(indicator.sections.values()))
    if not parts and not intent.fields and _names_what_the_label_lists(indicator, question):
        named = True  # « OS17, c'est quels plans qu'il faut actualiser ? »: the name lists them
    if (asks_which(question) or named) and not _ASKS_ACTS.search(fold(question)):
        # « c'est quel code ? », « l'indicateur RAAC, c'est lequel ? », « le libellé exact de
        # l'OS 16 ? »: the indicator's name
        _write_which(writer)
    elif asked_type(question) == "code" or _ASKS_ACTS.search(fold(question)):
        _write_act_codes(writer)  # « quels actes CCAM » : the fiche's list of codes first
    fields = list(intent.fields)
    if "reponse" in fields:
        # « on répond comment ? »: the fiche's own « Type de réponse : Oui = … » comes first
        fields.remove("reponse")
        _write_field(writer, "reponse")
    if _ASKS_KIND.search(fold(question)):
        _write_kind(writer)  # « c'est un taux ou oui/non ? » : the kind of indicator first
    if _ASKS_CONTACT.search(fold(question)):
        _write_contact(writer)  # « qui contacter (mail) ? » : the fiche's address first
    if not parts and not intent.fields and not writer.lines:
        return None
    starts: list[int] = []  # where each field's or part's lines start
    for name in fields:
        starts.append(len(writer.lines))
        _write_field(writer, name)
    if intent.fields and writer.lines:
        parts = [p for p in parts if p not in ("definition", "eligibilite")]
    elif "partenaires" in intent.fields:
        # « qui peut nous accompagner » where the fiche names no partners: its good practices
        # say who accompanies (« Accompagnement ANAP : l'ANAP peut accompagner les ES … »)
        parts = ["pratiques", *[p for p in parts if p not in ("definition", "eligibilite")]]
        parts = list(dict.fromkeys(parts))
    for part in parts:
        starts.append(len(writer.lines))
        _PART_WRITERS[part](writer, intent)
    if not writer.lines:
        return None
    body = _both_parts_first(writer.lines, starts, question)
    # the indicator's full name closes, unless the first line already says it
    closing = (
        []
        if body[0].startswith(_NAMED)
        else [f"Indicateur {indicator.code} ({indicator.short_code}) : {_closed(indicator.label)}"]
    )
    return _fiche_answer(writer, [*body, *closing])


def _fiche_answer(w: _Writer, lines: list[str]) -> Answer:
    """The answer of ``lines``: the answering line first, after the indicator's code only."""
    first = lines[0]
    text = "\n".join([f"{w.indicator.code} — {first[:1].lower()}{first[1:]}", *lines[1:]])
    return Answer(
        question=w.question, answer=text, supported=True, mode="extractive", citations=w.citations
    )


_VARIANT_MARK = re.compile(r"\[Activité (\w+)\]")
"""Where a fiche's second activity starts in its parts (CT 3: « [Activité biologie] »)."""
_VARIANT_PREFIX = 3
"""The fewest letters that name an activity (« bio » for « biologie »)."""
_STEM = 6
"""A word sharing this many first letters with an activity names it (« biologique »)."""


def named_variant(indicator: Indicator, question: str) -> str | None:
    """The fiche's second activity the question names, which its fields do not read.

    CT 3 describes pharmacy, then biology, in each of its parts: the knowledge base reads the
    first activity; « la bio dans le GHT, le target 2029 ? » asks about the second.
    """
    marks: dict[str, None] = dict.fromkeys(
        _VARIANT_MARK.findall(" ".join(indicator.sections.values()))
    )
    words = [w for w in re.findall(r"\w+", fold(question)) if len(w) >= _VARIANT_PREFIX]
    for mark in marks:
        name = fold(mark)
        if any(name.startswith(w) or w.startswith(name[:_STEM]) for w in words):
            return mark
    return None


_YEAR_CELL = re.compile(r"(?<!\S)(20(?:2[5-9]|30))\s+(?=\S)")
"""A year opening its cell in a variant's target rows (« 2027 Finalisation d'un plan … »)."""
_VARIANT_NAME = re.compile(r"Intitulé de l['’]indicateur\s*:\s*[^.]+\.")
_VARIANT_MEASURES = re.compile(r"Cet indicateur mesure[^:.]+")


def _variant_answer(
    index: Any, ind: Indicator, variant: str, intent: Intent, question: str
) -> Answer | None:
    """The answer from a fiche's second activity: its parts after the « [Activité …] » mark.

    The target is read year by year from its cells (the asked years, else all of them), the
    data source and the follow-up from their own lines, the indicator from its « Intitulé »
    line. None when the question asks no part the activity writes for itself (its eligibility,
    the reasons of its context): the fiche's answer then stands.
    """
    mark = f"[Activité {variant}]"
    own = {
        name: text.split(mark, 1)[1].strip() for name, text in ind.sections.items() if mark in text
    }
    w = _Writer(index, ind, question)
    doc = _doc(ind)
    parts = set(intent.parts)
    of = f"activité {fold(variant)}"
    if "cible" in parts or intent.years or "preuve" in parts:
        cells = _year_cells(own.get("cible", ""))
        asked = [(y, c) for y, c in cells if y in intent.years] or cells
        said = [f"{y} : « {_unstopped(c)} » [{w.cite(doc, c)}]" for y, c in asked]
        if said:
            w.lines.append(f"Cible ({of}) : {' ; '.join(said)}.")
    if "source" in parts and own.get("source"):
        shown, quote = _shorten(sentence_spans(own["source"])[0].text)
        w.add(f"Source des données ({of}) : {shown}", w.cite(doc, quote))
    if parts & {"frequence", "preuve"} and own.get("suivi"):
        shown, quote = _shorten(strip_bullet(own["suivi"]))
        w.add(f"Suivi ({of}) : {shown}", w.cite(doc, quote))
    if "pratiques" in parts and own.get("bonnes_pratiques"):
        shown, quote = _shorten(own["bonnes_pratiques"], MAX_LIST_FIELD_WORDS)
        w.add(f"Bonnes pratiques ({of}) : {shown}", w.cite(doc, quote))
    text = own.get("indicateur", "")
    if parts & {"definition", "calcul"} and (named := _VARIANT_NAME.search(text)):
        line = named.group(0).strip()
        if measures := _VARIANT_MEASURES.search(text):
            line = f"{line} {measures.group(0).strip()} …"
        w.add(line.rstrip("."), w.cite(doc, named.group(0)))
    return _fiche_answer(w, w.lines) if w.lines else None


def _year_cells(rows: str) -> list[tuple[int, str]]:
    """(year, cell text) of a target's rows written « 2025 … 2026 … » one after the other."""
    pieces = _YEAR_CELL.split(rows)
    return [
        (int(year), " ".join(cell.split()))
        for year, cell in zip(pieces[1::2], pieces[2::2], strict=True)
        if cell.strip()
    ]


MAX_PAIRED_WORDS = 60
"""Two lines said as one sentence (a two-part question's two answers) up to this many words."""


def _both_parts_first(lines: list[str], starts: list[int], question: str) -> list[str]:
    """A two-part question's first two answers said as one sentence, when short enough.

    « Partenaires et pilotage ? » written by two fields: « Partenaires : … [1] ; pilotage et
    suivi : … [2]. », then the other lines.
    """
    firsts = sorted({start for start in starts if start < len(lines)})
    if not question_parts(question) or len(firsts) < 2 or firsts[0] != 0:
        return lines
    one = lines[0]
    said = set(fold(one).split())
    # the other part's first line that says something else (two fields may quote one line)
    second = next(
        (i for i in firsts[1:] if len(set(fold(lines[i]).split()) & said) < 0.5 * len(said)),
        None,
    )
    if second is None:
        return lines
    two = lines[second]
    if len(one.split()) + len(two.split()) > MAX_PAIRED_WORDS or "\n" in one + two:
        return lines
    if not one.endswith("].") or not two[:1].isupper() or not two[1:2].islower():
        return lines
    joined = f"{one[:-1]} ; {two[:1].lower()}{two[1:]}"
    return [joined, *[line for i, line in enumerate(lines) if i not in (0, second)]]


_ASKS_WHICH = re.compile(
    r"\b(?:quel(?:le)? (?:est )?(?:le |son |l')?(?:code|numero|libelle|intitule)|"
    r"c'est (?:lequel|laquelle|quel (?:indicateur|code|numero|n°|os|ct|objectif))|"
    r"le numero combien|quel indicateur|(?:libelle|intitule) exact|code (?:\w+ )?de l'indicateur|"
    r"comment s'appelle l'indicateur)\b"
)
"""« quel est le code de l'indicateur … », « c'est lequel ? », « le numéro combien ? »: which
indicator a subject is, by its code and its name."""


_ASKS_NAME = re.compile(
    r"\b(?:libelles?|intitules?|s'appelle|(?:son|le) nom(?: exact| complet)?(?! d[eu']))\b"
)
"""« le libellé exact », « l'intitulé », « ça s'appelle comment », « son nom »: an indicator's
name asked, by its code."""
_ASKS_WHAT_IT_IS = re.compile(
    r"\b(?:mesure|mesurent|evalue|evaluent) quoi\b|\bque (?:mesure|mesurent|evalue|evaluent)\b|"
    r"\bqu'est-ce (?:que|qu'il|qu'elle) (?:mesure|mesurent|evalue|evaluent)\b|\bse formulen?t?\b|"
    r"\bc'est quoi (?:comme indicateur|(?:cet|l'|son|leur) indicateur|(?:le|ce) kpi)\b"
)
"""« OS10 ça mesure quoi ? », « c'est quoi comme indicateur ? », « comment se formule
l'indicateur ? »: what an indicator is, which its name says (its definition follows)."""
_OWN_NAME = re.compile(r"Intitulé de l['’]indicateur\s*:")
"""A fiche that names its indicator itself, in its own line."""
_INDICATOR_WORD = re.compile(r"\bindic\w*|\bkpi\b")


def asks_which(question: str) -> bool:
    """Whether a question asks which indicator a subject is (its code, its number, its name).

    The question says « indicateur » and names no code itself: « c'est lequel ? » about an
    event, or « quel code AC » about a funding line, asks something else.
    """
    folded = fold(question).replace("’", "'")
    return bool(
        _ASKS_WHICH.search(folded) and _INDICATOR_WORD.search(folded) and not find_codes(question)
    )


def _names_what_the_label_lists(indicator: Indicator, question: str) -> bool:
    """Whether the thing a question asks for (« quels plans ») is named in the indicator's label.

    OS 17's label names the three plans (« Mise à jour du Plan de Gestion … (PGTHSSE), Plan de
    Continuité d'Activité (PCA), Plan de Sécurisation … (PSE) »): « quels plans ? » is answered
    by the name.
    """
    asked = _ASKED_THING.search(fold(question).replace("’", "'"))
    thing = set(tokenize(asked.group(1))) if asked else set()
    if thing & _WHEN:
        return False  # « en quelle année … ? » asks a time, which no label lists
    # a label that lists (« A (X), B (Y), C (Z) », « (a, b ou c) ») names the things asked; a
    # label that only counts them (« Nombre de projets de recherche actifs … ») does not
    listed = indicator.label.count(",") + fold(indicator.label).count(" ou ") >= _LISTED
    return listed and bool(thing) and thing <= set(tokenize(indicator.label))


_WHEN = frozenset(tokenize("annee annees date dates mois jour jours periode periodes semaine"))
"""Words that ask for a time (« quelle année »), not for things."""
_LISTED = 2
"""Commas and « ou » a label holds when it lists things."""


_NAMED = "indicateur « "
"""How the line naming the indicator opens."""


def _write_which(w: _Writer) -> None:
    """The indicator's name as its fiche titles it, with its code in the annex 5 trame."""
    ind = w.indicator
    n = w.cite(_doc(ind), ind.label)
    annex = next(
        (
            c.doc_id
            for c in w.index.chunks.values()
            if c.status == "current" and c.doc_id != _doc(ind) and ind.short_code in c.text
        ),
        None,
    )
    named = f"{_NAMED}{_unstopped(ind.label)} » [{n}]"
    if annex is None:
        w.lines.append(f"{named}.")
        return
    # one sentence: the name and the code of the trame (the guide's annex 5) answer together
    m = w.cite(annex, ind.short_code)
    w.lines.append(f"{named}, code {ind.short_code} dans la trame de l'annexe 5 [{m}].")


_IN_THE_TARGET = re.compile(r"\b(?:dans|aux|a) (?:la |les |sa |ses |notre |nos )?cibles?\b")
"""The target as what something counts toward, not as values asked."""
_ASKS_ACTS = re.compile(r"\bccam\b|\bactes? (?:retenus|utilises|pris en compte|comptes)\b")
_ACT_CODE = re.compile(r"\b[A-Z]{4}\d{3}\b")
"""A CCAM act code (« QEQK001 »)."""
MAX_CODE_WORDS = 60


def _write_act_codes(w: _Writer) -> None:
    """The fiche's sentence listing act codes, with the sentence that announces it.

    « La liste des actes CCAM … est la suivante : QEQK001 - Mammographie bilatérale, … ».
    """
    for chunk, sentences in _fiche_sentences(w):
        for i, sentence in enumerate(sentences):
            if not _ACT_CODE.search(sentence.text):
                continue
            head = (
                sentences[i - 1].text if i and sentences[i - 1].text.rstrip().endswith(":") else ""
            )
            codes = [c.strip(" ;,") for c in re.split(r"\s(?=[A-Z]{4}\d{3}\b)", sentence.text)]
            listed = ", ".join(c for c in codes if c)  # one sentence: no « ; » before a code
            shown = f"{head.rstrip()} {listed}".strip() if head else listed
            if len(shown.split()) > MAX_CODE_WORDS:
                shown = " ".join(shown.split()[:MAX_CODE_WORDS]) + " …"
            quote = f"{head} {sentence.text}".strip()
            w.add(shown, w.cite(chunk.doc_id, quote))
            return


def _fiche_sentences(w: _Writer) -> Iterator[tuple[Chunk, list[Sentence]]]:
    """Each passage of the indicator's fiche with its sentences, in index order."""
    stats = corpus_stats(w.index)
    for cid, chunk in w.index.chunks.items():
        if chunk.fiche == w.indicator.code:
            yield chunk, stats.sentences(cid)


def _unstopped(text: str) -> str:
    """``text`` without its final stop."""
    return text.strip().rstrip(".;:").rstrip()


def _closed(text: str) -> str:
    """``text`` ending with a full stop."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _shorten(text: str, limit: int = MAX_FIELD_WORDS) -> tuple[str, str]:
    """(shown text, quoted text): the field's first whole sentences, about ``limit`` words.

    A quote never stops mid-sentence: the first sentence is kept whole however long, the
    others while they fit; « … » says that the field goes on.
    """
    if len(text.split()) <= limit:
        return text, text
    spans = sentence_spans(text)
    end = spans[0].end if spans else len(text)
    for span in spans[1:]:
        if len(text[: span.end].split()) > limit:
            break
        end = span.end
    prefix = text[:end].strip()
    return (prefix + " …", prefix) if end < len(text.rstrip()) else (prefix, prefix)


def _doc(ind: Indicator) -> str:
    return ind.target.wording.doc_id


_ASKS_KIND = re.compile(
    r"\b(?:c'est un (?:taux|pourcentage|nombre|oui)|on repond comment|quel type d'indic\w*|"
    r"chiffre ou|oui ?/ ?non ou|ou (?:en )?oui ?/ ?non|binaire|declaratif ou|quanti\w* ou|"
    r"quali\w* ou|type de (?:reponse|valeur)|format de (?:la )?reponse)"
)
"""« c'est un taux ? », « chiffré ou oui/non ? », « on répond comment ? »: the kind of value."""


def _write_kind(w: _Writer) -> None:
    """The kind of indicator and its unit (one line, said once)."""
    ind = w.indicator
    kind = "déclaratif (oui/non)" if ind.type == "declaratif" else "quantitatif"
    line = f"Indicateur {kind}, unité : {UNIT_LABELS[ind.unit]}"
    if any(existing.startswith(line) for existing in w.lines):
        return
    own = _OWN_KIND.search("\n".join(ind.sections.values()))
    if own is not None:
        # the fiche's own word for its kind (« Indicateur qualitatif, avec éléments de preuve
        # documentés »), beside the reading
        line += f" (la fiche : « {own.group(0).rstrip(' .;')} »)"
    _write_unit(w, line)


_OWN_KIND = re.compile(r"\bIndicateur (?:qualitatif|quantitatif)\b[^.;•\n]{0,60}")
"""A fiche stating its kind itself, not the template's « Si l'indicateur est quantitatif »."""


def _write_definition(w: _Writer, intent: Intent) -> None:
    ind = w.indicator
    if ind.definition and not _already_said(w, ind.definition):
        shown, quote = _shorten(ind.definition)
        w.add(f"Définition : {shown}", w.cite(_doc(ind), quote))
    _write_kind(w)
    if "cible" not in intent.parts:
        _write_target(w, intent, brief=True)


def _already_said(w: _Writer, text: str) -> bool:
    """Whether the lines written hold every word of ``text``.

    A definition that repeats the indicator's name, said first (« Participation … (PIMM) »),
    is not said twice.
    """
    return set(tokenize(text)) <= set(tokenize(" ".join(w.lines)))


def _write_calcul(w: _Writer, intent: Intent) -> None:
    """How the indicator is computed: its ratio, its definition, the fiche's formula, its unit.

    The fiche's formula leads when it is the computation itself (no numerator and denominator:
    « Nombre de journées … en indiquant le MPP et le MPA ») or when it holds the field the
    question names (« le périmètre », « l'unité de mesure »): the definition then follows.
    """
    ind = w.indicator
    formula = ind.sections.get("type", "")
    has_formula = bool(re.search(r"formule|unite de mesure", fold(formula)))
    ratio = bool(ind.numerator and ind.denominator)
    if has_formula and (not ratio or _names_a_label_of(w.question, formula)):
        _write_formula(w, formula)
    if ind.numerator and ind.denominator:
        # one sentence: the two terms of the ratio are one answer
        top, top_quote = _shorten(ind.numerator)
        bottom, bottom_quote = _shorten(ind.denominator)
        n, m = w.cite(_doc(ind), top_quote), w.cite(_doc(ind), bottom_quote)
        w.lines.append(
            f"Numérateur : {_unstopped(top)} [{n}] ; dénominateur : {_unstopped(bottom)} [{m}]."
        )
    elif ind.numerator or ind.denominator:
        if ind.numerator:
            shown, quote = _shorten(ind.numerator)
            w.add(f"Numérateur : {shown}", w.cite(_doc(ind), quote))
        if ind.denominator:
            shown, quote = _shorten(ind.denominator)
            w.add(f"Dénominateur : {shown}", w.cite(_doc(ind), quote))
    if ind.definition and not ratio and not _already_said(w, ind.definition):
        shown, quote = _shorten(ind.definition)
        w.add(f"Définition : {shown}", w.cite(_doc(ind), quote))
    if has_formula:
        _write_formula(w, formula)
    _write_unit(w, f"Unité : {UNIT_LABELS[ind.unit]}")


def _write_formula(w: _Writer, formula: str) -> None:
    """The fiche's formula line (said once), without the numerator and denominator."""
    shown, quote = _shorten(formula)
    shown = re.split(r"\s*•\s*(?=Num[ée]rateur|D[ée]nominateur)", shown)[0]
    line = f"Formule de la fiche : {shown}"
    if not any(existing.startswith(line) for existing in w.lines):
        w.add(line, w.cite(_doc(w.indicator), quote))


_FIELD_LABEL = re.compile(r"([^:•\-–]{3,40}?)\s*:")
_NOT_ASKED_LABELS = frozenset({"formule", "formule de calcul", "si l'indicateur est quantitatif"})


def _names_a_label_of(question: str, text: str) -> bool:
    """Whether the question names one of the fields ``text`` labels (« Périmètre : … »)."""
    folded = fold(question)
    for match in _FIELD_LABEL.finditer(fold(text)):
        label = " ".join(match.group(1).split())
        if label in _NOT_ASKED_LABELS or label.startswith(("numerateur", "denominateur")):
            continue  # the formula's own words, or the ratio the line before it says
        if re.search(rf"\b{re.escape(label)}\b", folded):
            return True
    return False


def _write_unit(w: _Writer, text: str) -> None:
    """The unit line, cited to the fiche's 'type' part (or the target table)."""
    ind = w.indicator
    source = ind.sections.get("type") or ind.target.wording.text
    _, quote = _shorten(source)
    w.add(text, w.cite(_doc(ind), quote))


def _rules_for(ind: Indicator, intent: Intent) -> list[TargetRule]:
    """The target rows for the scope the question names (all rows when it names none)."""
    rules = ind.target.rules
    if (
        intent.category is None
        and intent.beds is None
        and intent.engaged is None
        and intent.departement is None
        and intent.not_beds is None
    ):
        return rules
    matching: list[TargetRule] = []
    for rule in rules:
        scope = rule.scope
        if intent.category and scope.categories and intent.category not in scope.categories:
            continue
        if (
            intent.departement
            and scope.departements
            and intent.departement not in scope.departements
        ):
            continue
        if intent.beds is not None and (
            (scope.min_beds is not None and intent.beds < scope.min_beds)
            or (scope.max_beds is not None and intent.beds > scope.max_beds)
        ):
            continue
        if intent.not_beds is not None and _holds_beds(scope, intent.not_beds):
            continue
        if (
            intent.engaged is not None
            and scope.engaged is not None
            and (scope.engaged != intent.engaged)
        ):
            continue
        if intent.engaged is None and scope.engaged:
            continue
        matching.append(rule)
    if intent.not_beds is not None and intent.beds is None and intent.category is None:
        return matching or rules  # « not the large ones »: every other row
    return matching[:1] or rules


def _holds_beds(scope: Scope, beds: int) -> bool:
    """Whether a row is for a size range (not every size) that holds ``beds``."""
    if scope.min_beds is None and scope.max_beds is None:
        return False
    return (scope.min_beds is None or beds >= scope.min_beds) and (
        scope.max_beds is None or beds <= scope.max_beds
    )


def _write_target(w: _Writer, intent: Intent, *, brief: bool = False) -> None:
    ind = w.indicator
    rules = _rules_for(ind, intent)
    if not rules:
        shown, quote = _shorten(ind.target.wording.text, 80)
        w.add(f"Cible de la fiche : « {shown} »", w.cite(_doc(ind), quote))
        return
    for rule in rules:
        years = rule.years
        wanted = intent.years or _year_reaching(years, w.question)
        asked = [y for y in years if y.year in wanted]
        others = [y for y in years if y.year not in wanted] if asked else []
        if asked and intent.every_year:  # « en 2025 puis les années suivantes »: one line
            asked, others = [*asked, *others], []
        if asked:
            years = asked

        def listed(targets: list[YearTarget]) -> str:
            # one sentence for the row: the years are joined by commas, not semicolons
            return ", ".join(_with_noun(format_year_target(y, ind.unit), y, ind) for y in targets)

        values = listed(years)
        n = w.cite(_doc(ind), rule.quote.text, rule.quote.section)
        row = " ".join(rule.quote.text.split())
        label = " ".join(rule.scope.label.split())
        if len(row) > len(label) and fold(row).startswith(fold(label)):
            row = row[len(label) :].lstrip(" :/")  # the scope is said once, before the quote
        if brief:
            w.add(f"{_scope_phrase(rule.scope.label)} : {listed([*years, *others])}", n)
            continue
        # the fiche's own row leads (its words, its total), the year-by-year reading follows;
        # a question on given years gets those years alone first, the other years after
        if asked:
            # the asked years with the fiche's own cell words beside the reading
            groups = _same_cells(
                [_with_noun(format_year_target(y, ind.unit), y, ind) for y in years], years
            )
            shown = (
                ", ".join(_with_cell_words(text, y) for text, y in groups)
                if len(groups) <= MAX_CELL_WORDS_YEARS
                else values
            )
            if intent.total and rule.total:
                shown += f" ; total 2025-2029 de la fiche : « {rule.total} »"
            w.add(f"{_scope_phrase(rule.scope.label)} : {shown}", n)
            if others:
                w.add(f"Autres années : {listed(others)}", n)
            w.add(f"Texte de la fiche : « {row} »", n)
        elif tangled(row, label):
            # the table's cells read across (« CHU 31 et CHU 31 et … sans objet objet … »):
            # the year-by-year reading leads, the fiche's words follow
            total = f" ; total 2025-2029 de la fiche : « {rule.total} »" if rule.total else ""
            w.add(f"{_scope_phrase(rule.scope.label)} : {values}{total}", n)
            w.add(f"Texte de la fiche : « {row} »", n)
        else:
            w.add(f"{_scope_phrase(rule.scope.label)}, texte de la fiche : « {row} »", n)
            w.add(f"Par année : {values}", n)
        if rule.reading:
            w.lines.append(f"Lecture retenue par l'assistant : {rule.reading}")


TANGLED_UNIT = 3
"""The longest run of words said again in each cell that marks cells read across."""


def tangled(row: str, label: str) -> bool:
    """Whether a fiche's target row reads its cells across (« CHU 31 et CHU 31 et CHU 31 et »).

    The PDF's table gave the row's label once in each year's cell, interleaved with the values:
    a run of one to three words, holding a word of the row's label, said three times in a row.
    A row saying the same value each year (« 3/3 documents actualisés », « Sans objet ») is
    readable as it stands.
    """
    words = fold(row).split()
    named = {w for w in fold(label).split() if len(w) > 2 or w.isdigit()}
    return any(
        words[i : i + n] == words[i + n : i + 2 * n] == words[i + 2 * n : i + 3 * n]
        and not named.isdisjoint(words[i : i + n])
        for n in range(1, TANGLED_UNIT + 1)
        for i in range(len(words) - 3 * n + 1)
    )


_WHICH_YEAR = re.compile(
    r"\b(?:a partir de|des|en|pour|d'ici) quelle annee\b|\ba partir de quand\b|\bquand\b"
)


def _year_reaching(years: list[YearTarget], question: str) -> list[int]:
    """The first year whose figure is the one a question names when it asks when.

    « À partir de quelle année deux cellules hebdomadaires sont-elles attendues ? » asks the
    first year of the row at 2: that year leads the answer.
    """
    if not _WHICH_YEAR.search(fold(question).replace("’", "'")):
        return []
    named = {f.value for f in figures(question) if f.kind == "number" and not is_year(f)}
    for target in years:
        if target.value is not None and f"{target.value:g}" in named:
            return [target.year]
    return []


MAX_CELL_WORDS_YEARS = 2
"""The fiche's cell words are shown beside the reading for one or two asked years (more would
make the answering line too long to read; the fiche's row follows anyway)."""


def _same_cells(texts: list[str], years: list[YearTarget]) -> list[tuple[str, YearTarget]]:
    """Consecutive years that read and are written the same, said once: « 2026 à 2029 : oui ».

    Each text is ``format_year_target``'s (« 2026 : oui »), paired with its year's target.
    """
    groups: list[tuple[list[str], YearTarget]] = []
    for text, target in zip(texts, years, strict=True):
        _, _, value = text.partition(" : ")
        if groups:
            last, first = groups[-1]
            if last[-1].partition(" : ")[2] == value and first.words == target.words:
                last.append(text)
                continue
        groups.append(([text], target))
    out = []
    for run, target in groups:
        if len(run) == 1:
            out.append((run[0], target))
        else:
            start, end = run[0].partition(" : ")[0], run[-1].partition(" : ")
            out.append((f"{start} à {end[0]} : {end[2]}", target))
    return out


def _with_cell_words(text: str, target: YearTarget) -> str:
    """A year's target with the fiche's cell beside it when the cell says more.

    « 2027 : 2 » becomes « 2027 : 2 (fiche : « 2/3 documents actualisés ») ».
    """
    words = target.words

    def squeezed(value: str) -> str:
        return re.sub(r"\s+", "", comparable(value))

    if not words or squeezed(words) in squeezed(text):
        return text
    return f"{text} (fiche : « {words} »)"


_COUNTED = re.compile(
    r"^Nombres? (?:total |annuel )*d(?:e |’|')(?P<noun>\w+(?: ou \w+)?)", re.IGNORECASE
)
_COUNT_KINDS = frozenset({"valeur", "min", "plus_vs_n_1"})


def counted_noun(label: str) -> str | None:
    """What a count indicator counts, from its label: « Nombre de filières … » -> « filières »."""
    match = _COUNTED.match(label.strip())
    return match.group("noun") if match else None


def _with_noun(text: str, target: YearTarget, ind: Indicator) -> str:
    """A count target with what it counts: « 2029 : au moins 5 filières »."""
    noun = counted_noun(ind.label) if ind.unit == "nombre" else None
    if noun is None or target.kind not in _COUNT_KINDS or target.value is None:
        return text
    year, _, value = text.partition(" : ")
    plural = " ou ".join(
        word if target.value <= 1 or word.endswith(("s", "x")) else f"{word}s"
        for word in noun.split(" ou ")
    )
    return f"{year} : " + re.sub(
        r"\d+(?:,\d+)?", lambda m: f"{m.group(0)} {plural}", value, count=1
    )


def _scope_phrase(label: str) -> str:
    """The target's lead: « Cible pour tous les établissements », « Cible pour « CHU 30 » »."""
    if label.lower().startswith("pour "):
        return f"Cible {label[0].lower()}{label[1:]}"
    return f"Cible pour « {label} »"


def _write_source(w: _Writer, intent: Intent) -> None:
    ind = w.indicator
    if ind.data_source:
        # a list of sources (« • Mise à jour du DUERP • Bilan social … ») is what was asked:
        # it is shown whole up to ``MAX_LIST_FIELD_WORDS``
        listed = "•" in ind.data_source
        shown, quote = _shorten(
            ind.data_source, MAX_LIST_FIELD_WORDS if listed else MAX_FIELD_WORDS
        )
        w.add(f"Source des données : {shown}", w.cite(_doc(ind), quote))
    if ind.sections.get("suivi"):
        shown, quote = _shorten(ind.sections["suivi"])
        w.add(f"Suivi et évaluation : {shown}", w.cite(_doc(ind), quote))


def _write_frequency(w: _Writer, intent: Intent) -> None:
    ind = w.indicator
    suivi = ind.sections.get("suivi", "")
    if ind.frequency and suivi:
        shown, quote = _shorten(suivi)
        # the follow-up in the same sentence: « ; contrôle des livrables », not a new sentence
        w.add(
            f"Fréquence de collecte : {ind.frequency} ; {as_item(strip_bullet(shown))}",
            w.cite(_doc(ind), quote),
        )
    elif ind.frequency:
        w.add(f"Fréquence de collecte : {ind.frequency}", w.cite(_doc(ind), ind.frequency))


def _write_eligibility(w: _Writer, intent: Intent) -> None:
    ind = w.indicator
    elig = ind.eligibility
    facts: list[str] = []
    if elig.requires_ght:
        facts.append("réservé aux établissements membres d'un GHT")
    if elig.required_activities:
        names = ", ".join(ACTIVITY_SHORT_LABELS[a] for a in elig.required_activities)
        facts.append(f"suppose au moins une de ces activités : {names}")
    if elig.categories_only:
        facts.append(f"réservé aux catégories {', '.join(elig.categories_only)}")
    if elig.public_mainly:
        facts.append("concerne plus particulièrement les établissements publics")
    quotes = list(elig.quotes)
    if facts and quotes:
        n = w.cite(quotes[0].doc_id, quotes[0].text, quotes[0].section)
        words = _shorten(quotes[0].text, 40)[0]
        w.add("Éligibilité : " + " ; ".join(facts) + f" (la fiche : « {words} »)", n)
        for quote in quotes[1:]:
            w.add(f"« {quote.text} »", w.cite(quote.doc_id, quote.text, quote.section))
    if not facts:
        # « on est quand même concernés par CT7 ? »: the fiche's own sentence on whom the
        # indicator concerns (« Cet indicateur concerne tous les établissements de santé … »)
        _write_concerned(w)
    sans_objet = [
        rule
        for rule in ind.target.rules
        if rule.years and all(y.kind == "sans_objet" for y in rule.years)
    ]
    for rule in sans_objet:
        n = w.cite(_doc(ind), rule.quote.text, rule.quote.section)
        w.add(f"Cible « sans objet » pour « {rule.scope.label} »", n)
    objective = ind.sections.get("objectif", "")
    if objective:
        shown, excerpt = _shorten(objective, 60)
        w.add(f"Description de l'objectif : {shown}", w.cite(_doc(ind), excerpt))


_CONCERNS = re.compile(r"\b(?:cet|l')\s?indicateur (?:concerne|s'applique|s'adresse)\b")


def _write_concerned(w: _Writer) -> None:
    """The fiche's sentence saying whom its indicator concerns, if it has one."""
    for chunk, sentences in _fiche_sentences(w):
        for sentence in sentences:
            if _CONCERNS.search(fold(sentence.text).replace("’", "'")):
                w.add(
                    f"La fiche : « {_unstopped(sentence.text)} »",
                    w.cite(chunk.doc_id, sentence.text),
                )
                return


_PROOF = re.compile(
    r"preuve|critere retenu|justifi|atteinte de la cible|oui ?/ ?non|cible (?:est )?atteinte",
)


def _write_proof(w: _Writer, intent: Intent) -> None:
    """The fiche's sentences on what proves the target is met (evidence, criterion).

    Each comes with the list that follows it. When the question asks for the proofs, the
    sentences naming the « éléments de preuve » come first (those with their list before);
    otherwise the fiche's order holds (« pour répondre oui » asks for the criterion). Two at
    most. A target table whose cells give each year's proof (« Engager dans la démarche.
    Elément de preuve : Formalisation d'un projet … ») is read year by year instead: its
    lines read across the cells say nothing whole.
    """
    if _write_year_proofs(w, intent):
        return
    asks_proof = bool(_ASKS_PROOFS.search(fold(w.question)))
    found: list[tuple[int, int, str, str, str]] = []
    for chunk, sentences in _fiche_sentences(w):
        for i, sentence in enumerate(sentences):
            folded = fold(sentence.text)
            if not _PROOF.search(folded) or sentence.words < 4:
                continue
            items = _items_after(sentences[i + 1 :], announced=sentence.text.rstrip().endswith(":"))
            text = strip_bullet(sentence.text).rstrip(" .;")
            if items and (label := _PROOF_LABEL.search(text)):
                text = text[label.start() :]  # not the end of the field before it
            if items:  # « Eléments de preuve à fournir : » and the list that follows
                text = f"{text.rstrip(' :')} : {' ; '.join(map(as_item, items))}"
            # the fiche's own words, bullets and all
            quote = " ".join(x.text for x in sentences[i : i + 1 + len(items)])
            # the proof field itself (« Élément de preuve : Copie de la charte signée, … »)
            # before a follow-up's « éléments de preuve à fournir : » list, before the rest
            field = _PROOF_FIELD.match(strip_bullet(sentence.text)) is not None
            rank = (0 if field else 1 if items else 2) if asks_proof and "preuve" in folded else 3
            found.append((rank, len(found), chunk.doc_id, quote, text))
    for _, _, doc_id, quote, text in sorted(found)[:2]:
        w.add(text, w.cite(doc_id, quote))
    if not found:
        _write_source(w, intent)


def year_proofs(rule: TargetRule, table: str) -> dict[int, str]:
    """Each year's proof in a target row whose cells give it after the year's target.

    The row reads « <target 2025>. Elément de preuve : <proof 2025> <target 2026> Elément de
    preuve : <proof 2026> … »: each year's proof runs from the label after its target to the
    next year's target. Empty when the row has no such label or a target is not found in it.
    The row is read in the fiche's whole target ``table`` (its quote may stop short).
    """
    row = " ".join(table.split())
    head = " ".join(rule.quote.text.split())[:60]
    row = row[row.find(head) :] if head and head in row else row
    if not _PROOF_LABEL.search(row):
        return {}
    spans: list[tuple[int, int, int]] = []
    at = 0
    for target in rule.years:
        cell = " ".join((target.words or target.cell or "").split())
        start = row.find(cell, at) if cell else -1
        if start < 0:
            return {}
        spans.append((target.year, start, start + len(cell)))
        at = start + len(cell)
    proofs: dict[int, str] = {}
    for i, (year, _, end) in enumerate(spans):
        stop = spans[i + 1][1] if i + 1 < len(spans) else len(row)
        label = _PROOF_LABEL.search(row, end, stop)
        if label is None:
            continue
        proof = re.sub(r"^-\s+", "", row[label.end() : stop].lstrip(" :").strip(" ."))
        items = [item.strip(" .;") for item in re.split(r"\s+-\s+", proof) if item.strip(" .;-")]
        if items:
            proofs[year] = " ; ".join(items)
    return proofs


def _has_year_proofs(indicator: Indicator) -> bool:
    """Whether a fiche's target table gives each year's proof beside its target."""
    table = indicator.target.wording.text
    return any(year_proofs(rule, table) for rule in indicator.target.rules)


def _write_year_proofs(w: _Writer, intent: Intent) -> bool:
    """The asked years' targets with their proofs (every year when none is asked)."""
    for rule in _rules_for(w.indicator, intent):
        proofs = year_proofs(rule, w.indicator.target.wording.text)
        if not proofs:
            continue
        wanted = [
            y
            for y in rule.years
            if y.year in proofs and (not intent.years or y.year in intent.years)
        ]
        if not wanted:
            continue
        said = " ; ".join(
            f"{y.year} : « {y.words or y.cell} », élément de preuve : {proofs[y.year]}"
            for y in wanted
        )
        w.add(
            f"{_scope_phrase(rule.scope.label)} : {said}",
            # the fiche's whole table: the rule's own quote may stop before the years said
            w.cite(_doc(w.indicator), w.indicator.target.wording.text, rule.quote.section),
        )
        return True
    return False


_PROOF_LABEL = re.compile(r"[ÉE]l[ée]ments? de preuve")
_PROOF_FIELD = re.compile(r"\s*[ÉE]l[ée]ments? de preuve\s*:\s*\w")
"""A fiche's proof field with its content on its line (« Élément de preuve : liste des
projets, protocole, … »)."""
_ASKS_PROOFS = re.compile(r"preuve|justificati(?:fs?|ves?)\b")
"""« quelle preuve », « pièces justificatives »: the proofs asked, not the criterion."""
_ITEM = re.compile(r"^\s*(?:[-–•➢▪◦*o]|\d{1,2}[.)])\s+(?=\S)")
"""A list item: a bullet, « o » (a PDF's bullet glyph) or a number."""
MAX_PROOF_ITEMS = 6


def _items_after(sentences: list[Any], *, announced: bool = False) -> list[str]:
    """The list items that follow a sentence, in order (at most ``MAX_PROOF_ITEMS``).

    After a sentence ending on a colon (``announced``), its next line is its item even without
    a bullet (« Éléments de preuve attendus : » / « Tableau de suivi des produits, … »).
    """
    items: list[str] = []
    for following in sentences[:MAX_PROOF_ITEMS]:
        text = following.text.strip()
        bare = announced and not items and not _LABEL.match(text)
        if not bare and (not _ITEM.match(text) or _LABEL.match(_ITEM.sub("", text))):
            break
        items.append(_ITEM.sub("", text).rstrip(" ,;."))
        if bare and not _ITEM.match(text):
            break  # a line, not a list: the bullets after it belong to what follows
    return items


def _write_practices(w: _Writer, intent: Intent) -> None:
    ind = w.indicator
    items = practices_asked(ind.good_practices, w.question)[:MAX_PRACTICES]
    named = labels_named(items, w.question)
    if len(named) >= 2:
        # « quel accompagnement financier et humain ? »: both labelled lines, as one sentence
        said = []
        for item in named:
            shown, quote = _shorten(item, 40)
            said.append(with_marker(shown, w.cite(_doc(ind), quote)))
        joined = " ; ".join(
            (s[:1].lower() + s[1:] if i else s).removesuffix(".") for i, s in enumerate(said)
        )
        joined += "."
        w.lines.append(f"Bonne pratique de la fiche : {joined}")
        items = [i for i in items if i not in named]
    for item in items:
        shown, quote = _shorten_to_asked(item, w.question)
        w.add(f"Bonne pratique de la fiche : {shown}", w.cite(_doc(ind), quote))


MAX_PRACTICE_WORDS = 40
"""A good practice is shown up to this many words…"""
MAX_ASKED_PRACTICE_WORDS = 80
"""… and the sentence of it that the question asks up to this many."""


def _shorten_to_asked(text: str, question: str) -> tuple[str, str]:
    """A long practice from its sentence that holds the thing the question asks for.

    « selon quels critères l'ARS étudierait-elle une demande ? » is answered by the second
    sentence of « Accompagnement financier : Pas d'information … Toutefois, des demandes …
    au regard des critères de recevabilité … », shown from there (« … Toutefois, … »); a
    question that names no such thing (« que doit décrire la convention ? ») gets the opening.
    """
    spans = sentence_spans(text)
    asked = _ASKED_THING.search(fold(question).replace("’", "'"))
    if len(text.split()) <= MAX_PRACTICE_WORDS or len(spans) < 2 or asked is None:
        return _shorten(text, MAX_PRACTICE_WORDS)
    thing = set(tokenize(asked.group(1)))
    holding = [i for i, span in enumerate(spans) if thing <= set(tokenize(span.text))]
    if not thing or not holding or holding[0] == 0:
        return _shorten(text, MAX_PRACTICE_WORDS)
    # the sentence asked is shown whole (its list of criteria), up to the answer's length
    shown, quote = _shorten(text[spans[holding[0]].start :].strip(), MAX_ASKED_PRACTICE_WORDS)
    return f"… {shown}", quote


_ASKED_THING = re.compile(
    r"\b(?:quel|quels|quelle|quelles) (?!(?:est|sont|etai\w*|type|types)\b)([a-z]{4,})"
)
"""« selon quels critères », « quelle aide »: the thing a question asks for, by its noun."""


_PRACTICE_LABEL = re.compile(r"^([^:]{3,40}?)\s*:")
"""A labelled good practice (« Accompagnement financier : … », « Accompagnement humain : … »)."""


def labels_named(items: list[str], question: str) -> list[str]:
    """The labelled items the question names by a word of their label no other label holds.

    « accompagnement financier et humain » names « Accompagnement financier : … » and
    « Accompagnement humain : … » (« accompagnement » is every label's).
    """
    labels = {item: set(tokenize(m[1])) for item in items if (m := _PRACTICE_LABEL.match(item))}
    asked = set(tokenize(question))
    named = []
    for item, words in labels.items():
        others = set().union(*(w for i, w in labels.items() if i is not item))
        if asked & (words - others):
            named.append(item)
    return named


MAX_PRACTICES = 4
_NUMBERED = re.compile(r"^\d{1,2}\.\s")
"""A theme of a fiche's good practices (« 8. Lutte contre les maladies vectorielles »)."""
_PRACTICE_WORDS = frozenset(
    tokenize(
        "exemple exemples action actions bonne bonnes pratique pratiques concret concretement "
        "conseille conseillees recommandees possibles type types svp donner donnez oui non "
        "repondre permettent compte compter fiche indicateur faire quoi quel quelles"
    )
)
"""Words asking for good practices, not saying on what."""


def practices_asked(practices: list[str], question: str) -> list[str]:
    """A fiche's good practices as the question asks them: the theme it names, or all.

    « des exemples d'actions contre les maladies vectorielles ? » gets the theme « 8. Lutte
    contre les maladies vectorielles » with its items, as one line (and no other theme);
    a question on no theme of the fiche gets the fiche's order.
    """
    terms = set(tokenize(question)) - _PRACTICE_WORDS

    def held(item: str) -> int:
        return len(terms & set(tokenize(item)))

    themes = [i for i, p in enumerate(practices) if _NUMBERED.match(p)]
    if not terms or not themes or max(held(practices[i]) for i in themes) == 0:
        return practices
    best = max(themes, key=lambda i: held(practices[i]))
    items = [practices[best]]  # the theme asked, said with its items
    for item in practices[best + 1 :]:
        if _NUMBERED.match(item):
            break
        items.append(item)
    return [f"{_NUMBERED.sub('', items[0]).rstrip(' :')} : {' ; '.join(items[1:])}"]


MAX_FIELD_LINES = 4
"""A labelled field runs on at most this many lines after its label."""
_LABEL = re.compile(r"^[A-ZÀ-Ý][^:]{2,60}:")
"""The start of the next labelled field (« Partenaires : », « Support de suivi : »)."""


_ASKS_CONTACT = re.compile(
    r"\b(?:contacter|contact|joindre|e-?mail|mail|courriel|telephone|numero de tel\w*)\b"
)
_CONTACT = re.compile(r"[\w.-]+@[\w-]+(?:\.[\w-]+)+|\b0\d(?:[ .]?\d\d){4}\b")
"""An e-mail address or a French phone number."""


def _write_contact(w: _Writer) -> None:
    """The fiche's first sentence that gives an address or a phone number, as written."""
    for chunk, sentences in _fiche_sentences(w):
        for sentence in sentences:
            text = strip_bullet(sentence.text).strip()
            if _CONTACT.search(text) and not text.lower().startswith(("mailto:", "http")):
                shown, quote = _shorten(text, MAX_FIELD_WORDS)
                w.add(shown, w.cite(chunk.doc_id, quote))
                return


def _write_field(w: _Writer, name: str) -> None:
    """A labelled field of the fiche (« Partenaires : … »), its value as the fiche writes it.

    The field starts at a line whose words begin with one of its labels and runs on over the
    next lines until the next label, a bullet or ``MAX_FIELD_LINES`` lines.
    """
    labels = FIELD_PATTERNS[name][1]
    for chunk, sentences in _fiche_sentences(w):
        for i, sentence in enumerate(sentences):
            head = _from_label(strip_bullet(sentence.text).strip(), labels)
            if head is None:
                continue
            run = [head]
            listed = head.endswith(":")  # « … portant sur : » brings its bullet items
            for following in sentences[i + 1 : i + 1 + MAX_FIELD_LINES]:
                text = following.text.strip()
                item = strip_bullet(text) != text
                if (item and not listed) or (not item and _LABEL.match(text)):
                    break
                run.append(as_item(strip_bullet(text)).rstrip(" ;.") + " ;" if item else text)
            if run[-1].endswith(" ;"):
                run[-1] = run[-1][:-2] + "."
            value = " ".join(run)
            if len(value.split()) <= len(fold(head.split(":")[0]).split()) + 1:
                continue  # a label with nothing after it
            shown, quote = _shorten(value, 60)
            w.add(shown, w.cite(chunk.doc_id, quote))
            return


def _from_label(text: str, labels: tuple[str, ...]) -> str | None:
    """``text`` from the first of ``labels`` it holds as a field (« Label : »), or None.

    A line may hold two fields (« Durée de la mesure : 2025-2029 Partenaires : … »): the label
    is looked for in the folded text, letter by letter, and the original words are returned.
    """
    folded: list[str] = []
    origin: list[int] = []
    for at, char in enumerate(text):
        for piece in fold(char).replace("’", "'"):
            folded.append(piece)
            origin.append(at)
    flat = "".join(folded)
    for label in labels:
        if flat.startswith(label):  # a line that opens on the label
            return text
        colon = "" if ":" in label else r"\s*:"  # inside a line: a field's label, with its colon
        for match in re.finditer(re.escape(label) + colon, flat):
            start = match.start()
            if flat[start - 1] in " •":
                return text[origin[start] :]
    return None


_PART_WRITERS = {
    "preuve": _write_proof,
    "pratiques": _write_practices,
    "definition": _write_definition,
    "calcul": _write_calcul,
    "cible": _write_target,
    "source": _write_source,
    "frequence": _write_frequency,
    "eligibilite": _write_eligibility,
}


def _hpr_answer(index: Any, hpr: HprIndicator, question: str) -> Answer:
    citation = cite_quote(index, 1, hpr.quote.doc_id, hpr.quote.text, section=hpr.quote.section)
    star = " (objectif prioritaire, marqué *)" if hpr.starred else ""
    text = (
        f"{hpr.code} — {hpr.label} [1] : indicateur de l'annexe hôpitaux de proximité, "
        f"objectif {hpr.objective_number}{star} : {hpr.objective}."
    )
    return Answer(
        question=question, answer=text, supported=True, mode="extractive", citations=[citation]
    )
