"""What a sentence can be in an answer: an answering line, one holding the kind of fact asked.

Plain predicates over one sentence, shared by the sentence score (``assistant.answer.evidence``)
and the offline answer (``assistant.answer.extractive``).
"""

from __future__ import annotations

import re

from assistant.answer.intent import AskedType
from assistant.kb.codes import find_codes
from assistant.text.french import fold, has_figure, tokenize

__all__ = [
    "asks_list",
    "asks_text",
    "enumerates",
    "holds_asked",
    "is_answer_line",
    "spells_out",
]

_PLACEHOLDER = re.compile(r"x{3,}|\[[^\]]*compl[ée]ter[^\]]*\]|\.{4,}|_{3,}", re.IGNORECASE)
_MONTH = re.compile(
    r"\b(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|"
    r"decembre)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)


_REASON = re.compile(
    r"\b(car|afin d\w*|afin qu\w*|pour (?:garantir|permettre|favoriser|ameliorer|reduire|limiter|"
    r"assurer|renforcer|eviter)|permet\w*|vise\w* a|enjeu\w*|en effet|parce qu\w*|raison\w*|"
    r"objectif\w*|dans le but|ce qui|de ce fait|ainsi|(?:a|ont) pour (?:objet|but|mission|role)|"
    r"ser(?:t|vent) a)\b"
)
"""What gives a reason: « car », « afin de », « vise à », « l'enjeu »…"""


_DECIDING = re.compile(
    r"\b(peu[tv]\w*|doi[tv]\w*|obligatoire\w*|obligation|possible|impossible|autoris\w*|"
    r"interdi\w*|ne \w+ pas|n'\w+ pas|pas de|aucun\w*|plus soumis\w*|tenu\w*|necessaire\w*|"
    r"exig\w*|requi\w*|oui|non)\b"
)
"""What decides a yes-or-no question: a modal (« peut », « doit »), an obligation, a negation."""
_ACTOR = re.compile(
    r"\b(ars|agence|directeur\w*|direct\w+ generale?|president\w*|etablissement\w*|"
    r"referent\w*|equipe\w*|conseil\w*|ministre\w*|dgos|cnp|comite\w*|federation\w*|"
    r"signe\w*|represent\w*|par le|par la|par l')\b"
)
"""Who does or decides: the bodies and roles of the guides, « signé par »…"""


_DURATION = re.compile(
    r"\b(?:\d+|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|trente)"
    r"\s+(?:ans?|annees?|mois|semaines?|jours?|heures?)\b"
)
"""A length of time: « 5 ans », « six mois », « un an », « 15 jours »."""
_DEFINING = re.compile(
    r"\b(il s'agit d\w*|c'est (?:un|une|le|la|l')|(?:est|sont) (?:un|une|des)|designe\w*|"
    r"signifi\w*|correspond\w* a|se defini\w*|defini\w* comme|consiste\w*)\b"
)
"""What says what a thing is: « il s'agit d'un outil … », « désigne », « est une démarche »."""
_PLACE = re.compile(r"\b[a-zà-ÿ']+,? (?:l[ae] |l['’])?[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý]?[a-zà-ÿ]+)*\b")
"""A place named inside a sentence: a capital after a lower-case word (« pour le Lot »,
« dans l'Aveyron »), not the capital that opens a sentence."""


_WHERE = re.compile(
    r"\b(?:dans|sur|via|par|a|aupres d\w*|en)\b[^.;]{0,30}\b(?:commentaires?|plateformes?|"
    r"outils?|e-?cars|annexes?|rubriques?|onglets?|champs?|sites?|adresses?|mail|courriel|"
    r"courrier|formulaires?|tableaux?|logiciels?|espaces?|demarches?-simplifiees)\b|https?://"
)
"""Where something is put, sent or found: « dans les commentaires », « via la plateforme
démarches-simplifiées », « par mail à … », « en annexe 2 »."""
_ASKS_TEXT = re.compile(
    r"\b(?:decret|arrete|loi|circulaire|instruction|ordonnance|note|lettre|decision|"
    r"deliberation|texte)s?\b"
)
"""A question on a legal text: its date is asked, and a visa line may answer it."""
_VISA = re.compile(r"^\s*(?:Vu\s+(?:l[ae]|les|l['’]|le)\b|Fait\s+à\s+[A-ZÀ-Ý][\w-]*\s*,\s+le\b)")
"""A contract's visa line (« Vu la décision … », « Vu l'arrêté … »): the texts it rests on; or
its signing formula (« Fait à Montpellier, le 1er janvier 2025 »)."""


_PERIOD = re.compile(
    r"\b(?:19|20)\d\d\s*(?:-|–|/|a|au|et)\s*(?:19|20)\d\d\b|\b(?:du|de|depuis)\b[^.;]{0,40}"
    r"\b(?:au|a|jusqu'au|jusqu'a|jusqu'en)\b[^.;]{0,25}\b(?:19|20)\d\d\b"
)
"""A span of years: « 2025 - 2027 », « du 1er juillet 2023 à 2027 »."""
_YEARS_LONG = re.compile(
    r"\b(?:\d+|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|vingt)\s+(?:ans|annees)\b"
)
"""A span of years given by its length (« sur 10 ans », « cinq années »)."""
_OTHER_CODE = re.compile(r"\b[A-Z]{4}\d{3}\b|\b[A-Z]\d{2}\s+-\s")
"""A CCAM act code (« QEQK001 ») or a list's code before its label (« T03 - Les unités … »)."""
_YEARS = re.compile(r"\b(?:19|20)\d\d(?:\s*[-/–]\s*(?:19|20)\d\d)?\b")
"""A year or a period (« 2020-2024 »): when, not how many."""
_NUMBERING = re.compile(
    r"^\s*\d{1,2}\s+(?=[A-ZÀ-Ý])|(?<!\S)\d{1,2} - (?=[A-ZÀ-Ý])|\bpage \d+|"
    r"\b[A-ZÀ-Ý]{3,}\s+(?:n°\s*)?\d+(?:\.\d+)*"
)
"""A footnote's or an item's number (« 1 Tous les acronymes … », « 2 - Développer … »), a page,
a heading's (« OBJECTIF STRATÉGIQUE 1.7 »): no count."""
_ONE_PER = re.compile(r"\b(?:un|une)(?: seule?)? [a-z]\w+(?: \w+)? par \w+")
"""« un indicateur par action », « une seule réunion par semaine »: a count of one per thing."""
_NOT_A_COUNT = re.compile(r"\b\d+ ?°|\b[lrd]\. ?\d[\d-]*|\barticles? [lrd]?\.? ?\d[\d-]*")
"""Digits that count nothing: a list's ordinal (« 3° »), an article of a code (« L.6112-1 »)."""


_ASKS_LIST = re.compile(
    r"\b(?:quel|quelle)s (?:sont (?:les |des )?)?(?![a-z]+ (?:sont|etaient) (?:les|des) )"
    r"|\b(?:que|qu'est-ce qu'(?:il|elle)s?) (?:doi\w+|dev\w+|faut(?:-il)?) (?:contenir|comporter|"
    r"preciser|remplir|fournir|mettre)\b|\bcontien\w* quoi\b|"
    r"\bcomposition\b|\bquels? types?\b|\bexemples?\b|\bliste\b|\brubriques\b"
)
"""« quelles rubriques », « que doit contenir », « la composition », « exemples de »: the
question asks for several things, which a sentence answers by listing them."""
_ITEM_BREAK = re.compile(r";|,|\s(?:→|->|•|-)\s|\b\d° ")
"""What separates a list's items (not « / », which a target table's row repeats: « 1 action /
trimestre 2 actions / trimestre »)."""


def asks_list(question: str) -> bool:
    """Whether a question asks for several things (« quels plans », « que doit contenir »)."""
    return bool(_ASKS_LIST.search(fold(question).replace("’", "'")))


def enumerates(text: str) -> bool:
    """Whether a sentence lists things: three items or more, or items after a colon."""
    breaks = len(_ITEM_BREAK.findall(text))
    return breaks >= 3 or (":" in text and breaks >= 2)


def is_placeholder(text: str) -> bool:
    """Whether a line holds a form's blank (« Du xxxx 2025 », « [à compléter] », « ____ »)."""
    return _PLACEHOLDER.search(text) is not None


_TITLE_WORD = re.compile(r"(?<=\s)-?[A-ZÀ-Ý][a-zà-ÿ’'-]+")
_CLAUSE_MARK = re.compile(r"[,;:.!?](?=\s|$)")
_ROW_DATA = re.compile(r"\bwww\.|https?:|\||(?<!\S)[xX](?!\S)")
"""A link, a cell's bar or a ticked cell (« x »): a row of data, not column titles."""


def is_table_header(text: str) -> bool:
    """Whether a line is a table's header row: column titles one after the other.

    « Nom de l'établissement Libellé Activité -Reconnaissance Modalité Capacité reconnue Date
    d'effet Modalité d'évaluation »: five capitalised words or more inside the line, a quarter of
    its words, no comma, colon or full stop between them, and no data (a link, a ticked cell).
    """
    body = text.rstrip(" .")
    titles = _TITLE_WORD.findall(body)
    return (
        len(titles) >= 5
        and len(titles) >= 0.25 * len(body.split())
        and not _CLAUSE_MARK.search(body)
        and not _ROW_DATA.search(body)
    )


def asks_text(question: str) -> bool:
    """Whether a question asks about a legal text (« le décret de nomination date de quand ? »)."""
    return _ASKS_TEXT.search(fold(question)) is not None


def is_answer_line(text: str, *, texts_asked: bool = False) -> bool:
    """Whether a sentence can answer.

    Not a heading in capitals, a table's header row, a placeholder, a lone cell or a contract's
    visa line (unless the question asks about a text: « Vu le décret du 20 avril 2022 portant
    nomination … » then answers).
    """
    if _PLACEHOLDER.search(text) or len(text.split()) < 4:
        return False
    if _VISA.match(text) and not texts_asked:
        return False
    if is_table_header(text):
        return False
    letters = [c for c in text if c.isalpha()]
    return not (len(letters) > 8 and sum(c.isupper() for c in letters) > 0.6 * len(letters))


def holds_asked(text: str, asked: AskedType | None) -> bool:
    """Whether a sentence holds the kind of fact the question asks for."""
    folded = fold(text)
    if asked == "date":
        return bool(_MONTH.search(folded))
    if asked == "year":
        return bool(_YEARS.search(folded))
    if asked == "period":  # « sur combien d'années » is also answered « sur 10 ans »
        return bool(_PERIOD.search(folded) or _YEARS_LONG.search(folded))
    if asked == "duration":
        return bool(_DURATION.search(folded))
    if asked == "number":  # a year counts nothing; « un indicateur par action » counts one
        folded = fold(_NUMBERING.sub(" ", text))
        return has_figure(_YEARS.sub(" ", _NOT_A_COUNT.sub(" ", folded))) or bool(
            _ONE_PER.search(folded)
        )
    if asked == "code":  # an indicator's, a CCAM act's (« QEQK001 »), a MIG's (« T03 - »)
        return bool(find_codes(text)) or bool(_OTHER_CODE.search(text))
    if asked == "reason":
        return bool(_REASON.search(folded))
    if asked == "yes_no":
        return bool(_DECIDING.search(folded))
    if asked == "who":
        return bool(_ACTOR.search(folded))
    if asked == "definition":
        return bool(_DEFINING.search(folded.replace("’", "'")))
    if asked == "place":
        return len(_PLACE.findall(text)) >= 1
    if asked == "where":
        return bool(_WHERE.search(folded)) or "@" in text

    return True


_SPELLED_OUT = re.compile(r"\b([A-Z][A-Z0-9-]{1,})\s*\(\s*[A-ZÀ-Ý][^)]{5,}\)")
"""An acronym followed by its expansion in brackets: « ORSAN (Organisation de la réponse …) »."""


def spells_out(text: str, question: str) -> bool:
    """Whether a sentence spells out an acronym the question writes (it says what it is)."""
    asked = set(tokenize(question))
    return any(set(tokenize(m.group(1))) <= asked for m in _SPELLED_OUT.finditer(text))
