"""Figures in French text, each with what it is attached to in its sentence.

A figure is a number (digits or words: « vingt-deux », « un mois »), a date (day, month, year),
or a code (indicator, CCAM act). Each is read with the unit or noun that follows it (« 10 % »,
« 10 indicateurs »), the bound that frames it (« au moins », « au plus tard »), the period of a
rate (« par semaine »), and the words that follow it up to the next figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.kb.codes import CODE_IN_TEXT, code_of_match
from assistant.text.french import NUMBER_WORDS, fold, tokenize

Bound = Literal["lower", "upper"]

MONTHS = (
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre".split()
)
# Units a figure is measured in (folded spellings -> one name). A figure stated with one of these
# must be stated with the same one in its source.
_UNIT_WORDS: dict[str, str] = {
    "%": "%",
    "pour cent": "%",
    "pourcent": "%",
    "pourcents": "%",
    "point": "point",
    "points": "point",
    "an": "an",
    "ans": "an",
    "annee": "an",
    "annees": "an",
    "mois": "mois",
    "trimestre": "trimestre",
    "trimestres": "trimestre",
    "semestre": "semestre",
    "semestres": "semestre",
    "semaine": "semaine",
    "semaines": "semaine",
    "jour": "jour",
    "jours": "jour",
    "heure": "heure",
    "heures": "heure",
    "minute": "minute",
    "minutes": "minute",
    "euro": "euro",
    "euros": "euro",
    "€": "euro",
    "eur": "euro",
    "million": "million",
    "millions": "million",
    "milliard": "milliard",
    "milliards": "milliard",
    "fois": "fois",
}
# Bound words before a figure, longest first; "au plus tard" / "au plus tot" frame dates.
_BOUND_BEFORE: tuple[tuple[str, Bound], ...] = (
    ("au plus tard", "upper"),
    ("au plus tot", "lower"),
    ("au minimum", "lower"),
    ("au maximum", "upper"),
    ("au moins", "lower"),
    ("au plus", "upper"),
    ("a minima", "lower"),
    ("pas plus de", "upper"),
    ("pas moins de", "lower"),
    ("plus de", "lower"),
    ("moins de", "upper"),
    ("superieur ou egal a", "lower"),
    ("superieure ou egale a", "lower"),
    ("inferieur ou egal a", "upper"),
    ("inferieure ou egale a", "upper"),
    ("en deca de", "upper"),
    ("au-dessous de", "upper"),
    ("au-dessus de", "lower"),
    ("sous le seuil de", "upper"),
    ("dans la limite de", "upper"),
    ("limite a", "upper"),
    ("limitee a", "upper"),
    ("limites a", "upper"),
    ("plafonne a", "upper"),
    ("plafonnee a", "upper"),
    ("superieur a", "lower"),
    ("superieure a", "lower"),
    ("superieurs a", "lower"),
    ("inferieur a", "upper"),
    ("inferieure a", "upper"),
    ("inferieurs a", "upper"),
    ("au-dela de", "lower"),
    ("a partir de", "lower"),
    ("a partir du", "lower"),
    ("a compter de", "lower"),
    ("a compter du", "lower"),
    ("des le", "lower"),
    ("jusqu' a", "upper"),
    ("jusqu' au", "upper"),
    ("d'ici", "upper"),
    ("exceder", "upper"),
    ("depasser", "upper"),
    ("minimum", "lower"),
    ("maximum", "upper"),
    ("minimal", "lower"),
    ("minimale", "lower"),
    ("maximal", "upper"),
    ("maximale", "upper"),
    (">=", "lower"),
    ("<=", "upper"),
    ("≥", "lower"),
    ("≤", "upper"),
    (">", "lower"),
    ("<", "upper"),
)
_BOUND_AFTER: tuple[tuple[str, Bound], ...] = (
    ("au plus tard", "upper"),
    ("au plus tot", "lower"),
    ("au minimum", "lower"),
    ("au maximum", "upper"),
    ("au moins", "lower"),
    ("et plus", "lower"),
    ("ou plus", "lower"),
    ("et moins", "upper"),
    ("ou moins", "upper"),
    ("minimum", "lower"),
    ("maximum", "upper"),
)
# One match per negation: « ne … pas / plus / jamais / rien / aucun », the formal « ne peut »
# without « pas » (« ne peut excéder »), « pas » or « aucun » alone, « non » before a word.
_UNIT_WORD = r"(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf)"
_DAY_WORDS = (
    rf"(?:vingt|trente)(?:-(?:et-)?{_UNIT_WORD}| et un)?|dix-(?:sept|huit|neuf)|onze|douze|"
    rf"treize|quatorze|quinze|seize|dix|{_UNIT_WORD}"
)
"""A day of the month in words (« le vingt-deux février »)."""
_DAY = rf"(?P<day>\d{{1,2}}|1er|premier|{_DAY_WORDS})"
_DATE = re.compile(
    rf"\b{_DAY}\s+(?P<month>{'|'.join(MONTHS)})(?:\s+(?P<year>(?:19|20)\d\d))?\b"
    rf"|\b(?P<month_only>{'|'.join(MONTHS)})\s+(?P<year2>(?:19|20)\d\d)\b"
    r"|\b(?P<nday>[0-3]?\d)/(?P<nmonth>[01]?\d)/(?P<nyear>(?:19|20)\d\d)\b"
)
_RANK_WORDS = {
    "deuxieme": 2,
    "troisieme": 3,
    "quatrieme": 4,
    "cinquieme": 5,
    "sixieme": 6,
    "septieme": 7,
    "huitieme": 8,
    "neuvieme": 9,
    "dixieme": 10,
}
"""Ranks written in words (« le deuxième axe »); « premier » and « second » are left out: they
also say « first of all » and « secondary »."""
_NUMBER_WORD = "|".join(sorted([*NUMBER_WORDS, "et"], key=len, reverse=True))
_SIMPLE_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_MEASURE = (
    "an|ans|annee|annees|mois|trimestre|semestre|semaine|semaines|jour|jours|heure|heures|fois|"
    "point|minute|million|milliard"
)
_FIGURE = re.compile(
    r"(?<!\w)(?<!\d[.,])"
    r"(?P<digits>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?P<ordinal>er|ere|re|e|eme|nd|nde)?(?!\w)"  # « 1er trimestre », « 2nde circulaire »
    # « vingt et un », « quatre-vingts »; not the « cent » of « trente pour cent », and
    # « deux et trois ans » is two figures
    rf"|\b(?!(?<=pour )cents?\b)(?P<word>(?:{_SIMPLE_WORD})"
    rf"(?:[- ](?:et[- ](?:une?|onze)|{_SIMPLE_WORD}))*)\b"
    # « une année » is one year, not in « 2025 est une année de réflexion »
    rf"|(?<!\best )(?<!\bsera )(?<!\betait )\b(?P<one>un|une)\s+(?=(?:{_MEASURE})\b)"
    rf"|\b(?P<rank>{'|'.join(_RANK_WORDS)})s?\b"
)
_PER = re.compile(r"(?:\bpar |/\s*)(an|annee|mois|trimestre|semestre|semaine|jour|heure)\b")
_PER_ADJECTIVE = re.compile(
    r"\b(?:(quotidien)|(hebdomadaire)|(mensuel)|(trimestriel)|(semestriel)|(annuel))(?:le|ne)?s?\b"
)
"""« 2 cellules hebdomadaires »: a rate's period said by an adjective."""
_PERIODS = ("jour", "semaine", "mois", "trimestre", "semestre", "an")
_ACT_CODE = re.compile(r"\b[a-z]{2,}\d{2,}[a-z0-9]*\b")
_TOKEN = re.compile(r"%|€|[≥≤<>]=?|[\w'-]+")
_STOP = frozenset(
    tokenize(
        "le la les de des du un une et ou a au aux en dans pour par sur avec est sont sera "
        "seront etre qui que dont ce cette ces son sa ses leur leurs il elle ils elles on se "
        "lors ainsi plus moins tout tous toute toutes chaque entre contre apres avant parmi "
        "dont soit environ pres chacun chacune"
    )
)


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence, with what it is attached to there."""

    kind: Literal["number", "date", "code"]
    value: str
    """Normalised: ``10``, ``2.5``, ``07-25`` (month-day), ``2025-07-25``, ``CPOM_OS_13``."""
    unit: str | None = None
    """The measure unit (``%``, ``an``, ``mois``…) or the stem of the noun that follows."""
    measure: bool = False
    """Whether ``unit`` is a measure unit (then a source must state the same one)."""
    bound: Bound | None = None
    after: frozenset[str] = frozenset()
    """Stems of the words that follow the figure, up to the next figure or a comma."""
    near: frozenset[str] = frozenset()
    """Stems of its first three words after it: the noun phrase of the thing it counts."""
    year: str | None = None
    per: str | None = None
    """The period of a rate (« par an », « par semaine »), when the figure is one."""
    ordinal: bool = False
    """A rank (« 1er semestre », « 2nde circulaire »), not a quantity."""


def is_year(figure: Figure) -> bool:
    """Whether the figure is a bare year (1900-2099), which says when, not how much."""
    return (
        figure.kind == "number"
        and not figure.measure
        and figure.value.isdigit()
        and 1900 <= int(figure.value) <= 2099
    )


def figures(text: str) -> list[Figure]:
    """The figures of a text: indicator codes, dates, numbers (digits or words)."""
    return [figure for _, _, figure in located(normalised(text))]


def located(folded: str) -> list[tuple[int, int, Figure]]:
    """The figures of a ``normalised`` text with their spans in it, in reading order."""
    found: list[tuple[int, int, Figure]] = []
    for match in CODE_IN_TEXT.finditer(folded):
        found.append((*match.span(), Figure("code", code_of_match(match))))
    for match in _ACT_CODE.finditer(folded):  # CCAM acts (« QEQK004 »), versions (« V2010 »)
        found.append((*match.span(), Figure("code", match.group(0).upper())))
    for match in _REFERENCE.finditer(folded):  # « n° 2007-193 », « annexe 3-1 », « article 46 »
        if not _overlaps(match.span(), found) and not _bare_year(match):
            found.append((*match.span(), _reference(match)))
    for match in _DATE.finditer(folded):
        if not _overlaps(match.span(), found):
            found.append((*match.span(), _date(match, folded)))
    for match in _FIGURE.finditer(folded):
        if _overlaps(match.span(), found):
            continue
        previous = max((e for _, e, _ in found if e <= match.start()), default=0)
        found.append((*match.span(), _number(match, folded, since=previous)))
    return sorted(found, key=lambda item: item[0])


_SHORT_PERIOD = re.compile(r"\b((?:19|20))(\d\d)[/-](\d\d)\b(?![/-]\d)")
_REFERENCE = re.compile(
    r"(?:\b|(?<=°))(?P<noun>n ?°|no|numero|annexe|article|art\.|indicateur|objectif|axe|action|"
    r"defi|mesure|engagement|chapitre|partie|titre|etape|priorite|fiche|decret|arrete|circulaire|"
    r"loi|instruction|note)\s*"
    r"(?P<id>(?:[a-z](?:\.\s?|(?=\d)))?\d+(?:[-/.]\d+)*|[ivx]+)(?![\w%])"
    r"(?!\s*(?:%|pour ?cent|points?\b|ans?\b|mois\b|jours?\b|euros?\b|€))"
)
"""A number that names a text, a part or an item (« n° 2007-193 », « annexe 3-1 »): a code."""
_BROKEN_NUMBER = re.compile(rf"\b({_SIMPLE_WORD})- (?=(?:{_SIMPLE_WORD})\b)")
_ONE_BOUNDED = re.compile(
    r"\b(au moins|au plus|au minimum|au maximum|a minima|minimum|maximum|moins de|plus de) "
    r"(un|une)\b"
)

_ONE_BOUNDED_AFTER = re.compile(
    r"\b(?:un|une) (?=(?:[a-z][a-z'-]* ){1,6}(?:au moins|au plus|au minimum|au maximum)\b"
    r"(?! \d))"
)
"""« une cellule hebdomadaire de gestion des lits au maximum »: one, bounded after its noun
(not « un total d'au moins 30 % », whose bound is the next figure's)."""


def normalised(text: str) -> str:
    """Folded, markers dropped, « d'au moins » split, « au moins une » read as « au moins 1 »."""
    folded = fold(re.sub(r"\[\d{1,3}\]", " ", text)).replace("’", "'")
    folded = re.sub(r"\b(d|l|qu|jusqu)'(?=\w)", r"\1' ", folded)
    folded = re.sub(r"\b(plus|moins) d' (un|une)\b", r"\1 de \2", folded)
    folded = _BROKEN_NUMBER.sub(r"\1-", folded)  # « dix- huit » cut at a line end
    folded = _SHORT_PERIOD.sub(r"\1\2-\g<1>\3", folded)  # « 2023/28 » is « 2023-2028 »
    folded = re.sub(r"\b(?:un|une) ou plusieurs\b", "au moins 1", folded)  # at least one
    folded = re.sub(r"\b(tous|toutes) deux\b", r"\1 ensemble", folded)  # « both »
    folded = re.sub(r"(?:½|1\s*[⁄/]\s*2)\s*(?=journ)", "demi-", folded)  # « ½ journée »
    folded = _ONE_BOUNDED.sub(r"\1 1", folded)
    return _ONE_BOUNDED_AFTER.sub("1 ", folded)  # « une cellule … au maximum »


_TEXT_NOUNS = frozenset({"n°", "n °", "no", "numero", "decret", "arrete", "circulaire", "loi"})
_TEXT_NOUNS |= {"instruction", "note"}


def _bare_year(match: re.Match[str]) -> bool:
    """« objectif 2025 » is a year; only « n° 2016-1814 » names a text by a year."""
    return match.group("noun") not in _TEXT_NOUNS and bool(
        re.fullmatch(r"(?:19|20)\d\d", match.group("id"))
    )


def _reference(match: re.Match[str]) -> Figure:
    """A reference as a code: its identifier (« 2007-193 », « R6114-9 »), its noun as unit."""
    noun = match.group("noun")
    noun = "no" if noun in ("no", "numero") or "°" in noun else noun.rstrip(".")
    return Figure("code", re.sub(r"[\s.]", "", match.group("id")).upper(), unit=noun)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int, Figure]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end, _ in taken)


def _date(match: re.Match[str], folded: str) -> Figure:
    if match.group("month_only"):
        month = MONTHS.index(match.group("month_only")) + 1
        return Figure("date", f"{month:02d}", year=match.group("year2"))
    bound = _bound_before(folded, match.start())
    if match.group("nday"):  # « 31/12/2024 »
        value = f"{int(match.group('nmonth')):02d}-{int(match.group('nday')):02d}"
        return Figure("date", value, year=match.group("nyear"), bound=bound)
    day = match.group("day")
    number = 1 if day in ("1er", "premier") else int(day) if day.isdigit() else _words_value(day)
    month = MONTHS.index(match.group("month")) + 1
    return Figure("date", f"{month:02d}-{number:02d}", year=match.group("year"), bound=bound)


def _number(match: re.Match[str], folded: str, *, since: int = 0) -> Figure:
    if match.group("digits"):
        raw = re.sub(r"[ \u00a0\u202f]", "", match.group("digits")).replace(",", ".")
        value = raw.rstrip("0").rstrip(".") if "." in raw else raw.lstrip("0") or "0"
    elif match.group("word"):
        value = str(_words_value(match.group("word")))
    elif match.group("rank"):
        value = str(_RANK_WORDS[match.group("rank")])
    else:
        value = "1"
    rest = folded[match.end() :]
    unit, measure = _unit(rest)
    bound = _bound_before(folded, match.start(), since=since) or _bound_after(rest)
    phrase = re.split(r"[,;:.()]|\d", rest, maxsplit=1)[0]
    per = _PER.search(phrase)
    period = _UNIT_WORDS.get(per.group(1)) if per else None
    adjective = _PER_ADJECTIVE.search(" ".join(_TOKEN.findall(phrase)[:3]))
    if period is None and adjective:
        period = _PERIODS[adjective.lastindex - 1 if adjective.lastindex else 0]
    return Figure(
        "number",
        value,
        unit,
        measure,
        bound,
        _after(rest),
        per=period,
        # « 1 million d'actes de téléconsultation »: the noun phrase after the multiplier
        near=_after(_MULTIPLIER.sub("", _NOT_COUNTED.split(rest, maxsplit=1)[0], count=1), 3),
        ordinal=bool(match.group("ordinal") or match.group("rank")),
    )


def _words_value(words: str) -> int:
    """« vingt-deux » -> 22, « quatre-vingt-dix » -> 90, « deux cents » -> 200."""
    total = current = 0
    previous = ""
    for word in re.split(r"[- ]+", words):
        if word == "et":
            continue
        value = 1 if word in ("un", "une") else NUMBER_WORDS[word]
        if value == 1000:
            total += max(current, 1) * 1000
            current = 0
        elif value == 100:
            current = max(current, 1) * 100
        elif word in ("vingt", "vingts") and previous == "quatre":
            current += 80 - 4
        else:
            current += value
        previous = word
    return total + current


_BEFORE_UNIT = re.compile(
    r"(?:prochain|dernier|premier|consecutif|suivant|precedent|plein|entier)e?s?"
)
"""Adjectives between a figure and its unit: « 5 prochaines années », « 3 derniers mois »."""


def _unit(rest: str) -> tuple[str | None, bool]:
    words = _TOKEN.findall(rest[:60])
    if words and _BEFORE_UNIT.fullmatch(words[0]):
        words = words[1:]
    if not words:
        return None, False
    two = " ".join(words[:2])
    if two in _UNIT_WORDS:
        return _UNIT_WORDS[two], True
    first = words[0]
    if first in _UNIT_WORDS:
        return _UNIT_WORDS[first], True
    if first in ("de", "d'") and len(words) > 1 and words[1] in _UNIT_WORDS:
        return _UNIT_WORDS[words[1]], True
    stems = tokenize(first)
    if stems and first not in _STOP_WORDS and not first[:1].isdigit():
        return stems[0], False
    return None, False


_STOP_WORDS = frozenset(
    "le la les de des du d' un une et ou a au aux en dans pour par sur avec est sont".split()
)


def _bound_before(folded: str, start: int, *, since: int = 0) -> Bound | None:
    """The bound nearest before a figure, back to the previous figure (12 words at most)."""
    clause = re.split(r"[.;:]", folded[max(since, start - 120) : start])[-1]
    window = " ".join(_TOKEN.findall(clause)[-12:])
    best: tuple[int, Bound] | None = None
    for phrase, bound in _BOUND_BEFORE:
        for hit in re.finditer(rf"(?:^|\s){re.escape(phrase)}(?=\s|$)", window):
            if best is None or hit.end() > best[0]:
                best = (hit.end(), bound)
    return best[1] if best else None


def _bound_after(rest: str) -> Bound | None:
    """A bound right after a figure (« 5 actes par semaine au maximum », « 75 ans et plus »).

    Not one that introduces the next figure (« … d'au moins 1 acte »).
    """
    tokens = _TOKEN.findall(re.split(r"[,;.]", rest, maxsplit=1)[0])
    for phrase, bound in _BOUND_AFTER:
        size = len(phrase.split())
        for at in range(min(len(tokens), _AFTER_WINDOW)):
            if " ".join(tokens[at : at + size]) != phrase:
                continue
            following = tokens[at + size] if at + size < len(tokens) else ""
            if not (following[:1].isdigit() or following in NUMBER_WORDS):
                return bound
    return None


_AFTER_WINDOW = 9
"""How far after a figure (in words) a bound may start and still frame it."""


_NOT_TOPIC = frozenset(
    [*_UNIT_WORDS, "minimum", "maximum", "minimal", "maximal", "moins", "plus", "environ"]
)


_NOT_COUNTED = re.compile(
    r"(?<![\w-])(?:pour|par|parmi|chez|selon|contre|avec|dans|sur)(?![\w-])", re.IGNORECASE
)
"""« 32 (70 pour les CHU) », « 2 parmi les 8 »: what follows these words is not what the figure
counts."""


_MULTIPLIER = re.compile(r"^\s*(?:millions?|milliards?)\b\s*(?:de\s+|d['’]\s*)?")
"""The word that scales a figure (« 1 million », « 2 milliards »), before what it counts."""


def _after(rest: str, limit: int = 6) -> frozenset[str]:
    """Content stems of the first ``limit`` words after a figure.

    The words stop at the next figure, a comma or the sentence's end. Units and bound words
    are left out: they are checked on their own.
    """
    phrase = re.split(r"[,;:.()]|\d", rest, maxsplit=1)[0]
    words = [w for w in _TOKEN.findall(phrase)[:limit] if w not in _NOT_TOPIC]
    return content_stems(" ".join(words))


def content_stems(text: str) -> frozenset[str]:
    """The stems of a text's content words (stop words and figures left out)."""
    return frozenset(t for t in tokenize(text) if t not in _STOP and not t[:1].isdigit())
