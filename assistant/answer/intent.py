"""What a question is about: an indicator and which part of its fiche, a campaign rule, a scope.

Plain patterns over the folded question; nothing here decides an answer, it only routes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from assistant.corpus.places import DEPARTEMENTS
from assistant.kb.codes import find_codes
from assistant.kb.parts import FichePart, asked_fields, asked_parts
from assistant.text.french import CAMPAIGN_TOTAL, fold

RuleTopic = Literal["count", "hpr", "deadline", "already_met", "objectives"]

_CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    ("CHU", re.compile(r"\bchu\b")),
    ("CLCC", re.compile(r"\bclcc\b")),
    ("ESPIC", re.compile(r"\bespic\b")),
    ("clinique", re.compile(r"\bcliniques?\b")),
    ("HAD", re.compile(r"\bhad\b")),
    ("SMR", re.compile(r"\bsmr\b")),
    ("psychiatrie", re.compile(r"\bpsychiatri\w*\b")),
    ("CH", re.compile(r"\bch\b|\bcentres? hospitaliers?\b")),
]
_DEPARTEMENTS = {
    number: fold(name) for number, (name, region) in DEPARTEMENTS.items() if region == "Occitanie"
}
"""The départements of Occitanie, by number (folded names)."""
_CITIES = {"nimes": "30", "toulouse": "31", "montpellier": "34"}
"""The seats of Occitanie's CHU, which a question may name the CHU by (« le CHU de Nîmes »)."""
_DEPARTEMENT_NUMBER = re.compile(
    r"\b(?:chu|ch|centres? hospitaliers?(?: universitaires?)?|etablissements?|departement)"
    r"\s*(?:du\s+|de\s+|d'|\(|n°\s*)?(\d{2})\b(?!\s*(?:lits|%|ans|mois))"
)
"""« CHU 30 », « CH du 34 », « établissement (31) »: a number after the category."""
_DEPARTEMENT_NAME = re.compile(
    r"\b(?:dans|du|de|en|le|la|l')\s*(?:l')?("
    + "|".join(sorted(map(re.escape, _DEPARTEMENTS.values()), key=len, reverse=True))
    + r")\b(?!-)"
)
_CITY = re.compile(r"\bchu (?:de |d')?(" + "|".join(_CITIES) + r")\b")
_NOT_CHU = re.compile(r"\b(pas|non|hors)\s+(?:un\s+|le\s+|de\s+)?chu\b")
_BEDS_MORE = re.compile(r"(?:\b(?:plus de|au moins|superieur a)|>=?)\s*(\d{2,4})\s*lits\b")
_BEDS_LESS = re.compile(r"(?:\b(?:moins de|inferieur a)|<=?)\s*(\d{2,4})\s*lits\b")
"""« < 100 lits », « > 500 lits »: the signs stand after a space or a bracket, where ``\b``
never matches."""
_BEDS_RANGE = re.compile(r"\b(?:de |entre )?(\d{2,4})\s*(?:a|-|et)\s*(\d{2,4})\s*lits\b")
_BEDS = re.compile(r"\b(\d{2,4})\s*lits\b")
_ESTABLISHMENT = r"(?:etablissements?|structures?|ch|chu|hopita(?:l|ux)|centres? hospitaliers?)"
_SIZES = (
    (re.compile(rf"\b(?:grands?|gros) {_ESTABLISHMENT}\b"), 501),
    (re.compile(rf"\b{_ESTABLISHMENT} intermediaires?\b|\btaille intermediaire\b"), 300),
    (re.compile(rf"\bpetits? {_ESTABLISHMENT}\b|\bpetite taille\b"), 50),
)
"""The fiches' size rows said in words: « grands établissements » (more than 500 beds),
« établissements intermédiaires » (100 to 499), « plus petite taille » (under 100)."""
_NEGATED_SIZE = re.compile(r"\b(?:pas|plus|non|hors)\s+(?:de |d'|un |une |des |les |le |la )?$")
"""« qui ne sont pas de grands établissements »: the size the question excludes."""
_YEAR = re.compile(r"\b(202[4-9])\b")
_PERIOD = re.compile(
    r"\b20\d\d\s*[-/–]\s*20\d\d\b"
    r"|\b(?:de 20\d\d (?:a|au|jusqu'?a)|entre 20\d\d et|20\d\d a) 20\d\d\b"
)
"""« 2025-2029 », « de 2026 à 2029 »: a period, not the years asked."""
_CONTRACT = r"(?:du |de |d'un |de notre |du present )?(?:cpom|contrat|campagne|periode)"
_END_OF_CONTRACT = re.compile(
    rf"\b(?:a la fin|en fin|au terme|a l'issue|a l'echeance|a echeance) {_CONTRACT}"
    r"|\bau bout (?:des |de )?(?:5|cinq) ans\b|\bderniere annee\b"
)
"""« à la fin du CPOM », « au bout des cinq ans »: the campaign's last year is asked."""
LAST_YEAR = 2029
"""The last year of the 2025-2029 campaign (the guide: « CPOM 2025-2029 »)."""
_EVERY_YEAR = re.compile(
    r"\b(?:suivantes?|apres|ensuite|chaque annee|par an|toutes les annees|periode|"
    r"annees? d'apres|jusqu'(?:en|a))\b"
)
_TOTAL = re.compile(rf"\b(?:{CAMPAIGN_TOTAL})\b")
"""The campaign's total asked, not one year's value."""
_ENGAGED = re.compile(r"\bdeja engage")
_NOT_ENGAGED = re.compile(
    r"\b(?:pas|non|jamais) (?:encore |deja |du tout )?engage|\bpas encore (?:dans|entre)"
    r"|\brien fait\b"
)
"""« pas encore engagé », « non encore engagé », « on n'a encore rien fait »: the other row."""
_HPR = re.compile(r"\bhpr\b|\bhopita(?:l|ux) de proximite\b")
_INDICATORS = r"indicateurs?"
_RULES: list[tuple[RuleTopic, re.Pattern[str]]] = [
    (
        "already_met",
        re.compile(r"\b(deja atteint\w*|atteint\w* deja|atteignons deja|deja a la cible)\b"),
    ),
    (
        "deadline",
        re.compile(
            r"\b(date (?:limite|butoir)|jusqu'?a quand|avant quelle date|quelle date)\b.*"
            r"\b(choi\w*|sais\w*|e-?cars|indicateurs?)\b|"
            r"\b(choi\w*|sais\w*|indicateurs?)\b.*\b(date (?:limite|butoir)|jusqu'?a quand)\b"
        ),
    ),
    (
        "objectives",
        re.compile(r"\b(combien d'objectifs|nombre d'objectifs|declaratifs?|quantitatifs?)\b"),
    ),
    (
        "count",
        re.compile(
            rf"\b(combien d'{_INDICATORS}|nombre d'{_INDICATORS}|{_INDICATORS} (?:au )?max\w*|"
            rf"{_INDICATORS} (?:au )?min\w*|{_INDICATORS} obligatoires?|"
            rf"(?:au )?(?:maximum|minimum|moins|max|plus) (?:combien )?d'{_INDICATORS}|"
            rf"combien .{{0,40}}{_INDICATORS}|{_INDICATORS} .{{0,30}}combien|"
            rf"combien faut-il (?:en )?(?:choisir|retenir|garder))"
        ),
    ),
]


AskedType = Literal[
    "date",
    "number",
    "duration",
    "code",
    "reason",
    "yes_no",
    "who",
    "place",
    "where",
    "definition",
    "period",
    "year",
]
"""What kind of fact a question asks for, when it asks for one."""

_ASKS_DATE = re.compile(
    r"\b(quand|date|dates|deadline|butoir|jusqu'?a quand|a partir de quand|echeance|"
    r"avant le combien)\b(?! (?:bien )?meme\b)"
)
"""A date asked (« quand », « la deadline »), not « ça passe quand même ? »."""
_ASKS_PERIOD = re.compile(
    r"\bquelles? periodes?\b|\bquelles annees\b|\bde quand a quand\b|\bsur combien d'annees\b"
)
"""« sur quelle période », « elle couvre quelles années »: a span of years."""
_ASKS_YEAR = re.compile(r"\bquelle annee\b")
"""« à quelle année correspond la valeur initiale ? »: a year (not a count)."""
_ASKS_NUMBER = re.compile(
    r"\b(combien|nombre|taux|pourcentage|montant|seuil|duree|delai|max|maximum|minimum|"
    r"min|plafond|cible|cibles|valeur|proportion|quote-part|quelles? parts?)\b|%"
)
_ASKS_REASON = re.compile(
    r"\b(pourquoi|pour quelle raison|dans quel but|"
    r"a quoi (?:ca |il |elle |ils |elles )?ser(?:t|vent)|sert a quoi|servent a quoi)\b"
)
_ASKS_WHO = re.compile(r"^(?:.*[,:] )?(?:qui|par qui|a qui|aupres de qui)\b|\bde qui\b")
_ASKS_YES_NO = re.compile(
    r"\b(est-ce qu\w*|peut-on|doit-on|faut-il|peut-il|peut-elle|peuvent-ils|doit-il|doit-elle|"
    r"doivent-ils|est-il|est-elle|sont-ils|a-t-on|y a-t-il|on peut|on doit|ca compte|ca passe)\b"
)
_ASKS_PLACE = re.compile(
    r"\b(?:quel|quels|quelle|quelles) (?:departements?|regions?|villes?|territoires?|communes?)\b"
)
"""« sur quels départements », « quelle région »: places, named."""
_ASKS_DURATION = re.compile(
    r"\bcombien de (?:temps|mois|ans|annees|jours|semaines)\b|\bpendant combien\b|"
    r"\bquelle (?:est la |etait la )?duree\b|\bdur\w* combien\b|\b(?:quel|dans quel) delai\b|"
    r"\b(?:le|les|un|du|des) delais?\b"
)
"""« combien de temps », « quelle durée », « dans quel délai », « le délai pour »: a length of
time."""
_ASKS_DEFINITION = re.compile(
    r"\bc'est quoi(?:\s+(?:au juste|exactement|concretement))?\s*(?:comme \w+\s*)?\??\s*$|"
    r"^(?:c'est quoi|qu'est-ce que c'est|qu'est-ce qu'une?) |\b(?:que|ca) (?:veut dire|signifie)\b|"
    r"\b(?:veut|voulait|veulent) dire quoi\b|\bdefinition d\w*|"
    r"\b(?:qu'entend-on|qu'est-ce qu'on entend|que faut-il entendre)(?: \w+)? par\b|"
    r"\b(?:que recouvre|recouvre quoi)\b"
)
"""« e-CARS c'est quoi ? », « c'est quoi un HPR », « que signifie PROMs », « qu'entend-on par
reconnaissance contractuelle », « ça recouvre quoi »: what a thing is."""
_ASKS_WHERE = re.compile(
    r"\b(?:sur quel(?:le)?s? (?:plateformes?|outils?|sites?|logiciels?)|a quel endroit|"
    r"dans quel(?:le)?s? (?:outils?|rubriques?|onglets?|champs?|documents?|logiciels?|"
    r"plateformes?|formulaires?|tableaux?))\b|\bc'est ou\b"
)
"""« sur quelle plateforme », « dans quelle rubrique », « c'est où »: where to put, send or
find something (« où » itself is read on the question as written: folded, it is « ou »)."""
_WHERE_WORD = re.compile(r"(?:^|[,:?]\s*)où\b|\boù\s*\?|\b(?:est|sont|on \w+|faut-il \w+)\s+où\b")
"""« Où déclare-t-on … », « elle est où ? », « on déclare où … »: where asked, not the relative
« où » of « les territoires où l'offre est fragile »."""
_ASKS_CODE = re.compile(r"\b(quel|quels|quelle|quelles) (?:est le |sont les )?codes?\b|\bcode\b")


_QUESTION_WORD = re.compile(
    r"\b(?:combien|quand|quel\w*|lequel\w*|laquelle|lesquel\w*|comment|pourquoi|quoi)\b|"
    r"^(?:.*[,:] )?(?:que|qu')"
)
"""A word that asks for something other than yes or no (« où » is read before, as a place)."""


def asks_definition(question: str) -> bool:
    """Whether a question, or one of its parts, asks what a thing is.

    « BJML c'est quoi et qui le publie ? » asks it in its first part.
    """
    return _ASKS_DEFINITION.search(fold(question).replace("’", "'")) is not None


def asked_type(question: str) -> AskedType | None:
    """The kind of fact a question asks for (a date, a number, a code, a reason, who, yes/no).

    A question that inverts its verb or says « est-ce que » and holds no question word asks
    yes or no, whatever its nouns (« les projets multicentriques peuvent-ils être intégrés aux
    cibles ? » asks no number).
    """
    folded = fold(question).replace("’", "'")
    if _ASKS_WHERE.search(folded) or _WHERE_WORD.search(question.lower()):
        return "where"
    if (
        _ASKS_YES_NO.search(folded)
        and not _QUESTION_WORD.search(folded)
        and not _ASKS_WHO.search(folded)
    ):
        return "yes_no"
    if _ASKS_REASON.search(folded):
        return "reason"
    if _ASKS_CODE.search(folded):
        return "code"
    if _ASKS_PERIOD.search(folded):
        return "period"
    if _ASKS_YEAR.search(folded):
        return "year"
    if _ASKS_DATE.search(folded):
        return "date"
    if _ASKS_DURATION.search(folded):
        return "duration"
    if _ASKS_NUMBER.search(folded):
        return "number"
    if _ASKS_PLACE.search(folded):
        return "place"
    if _ASKS_WHO.search(folded):
        return "who"
    if _ASKS_DEFINITION.search(folded):
        return "definition"
    if _ASKS_YES_NO.search(folded):
        return "yes_no"
    return None


@dataclass
class Intent:
    """The routing of one question."""

    codes: list[str] = field(default_factory=list)
    """Indicator codes written in the question (canonical form, known or not)."""
    parts: list[FichePart] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    """Labelled fields of a fiche asked for (« Partenaires », « Participants »…)."""
    rule_topics: list[RuleTopic] = field(default_factory=list)
    category: str | None = None
    beds: int | None = None
    engaged: bool | None = None
    years: list[int] = field(default_factory=list)
    every_year: bool = False
    """The question asks for the years after the one it names too (« en 2025 puis après »)."""
    total: bool = False
    """The question asks for the total over the campaign (« et le total sur la période »)."""
    hpr: bool = False
    not_beds: int | None = None
    """A bed count the question excludes (« les établissements qui ne sont pas grands »)."""
    departement: str | None = None
    """The département the question names for the establishment (« CHU 30 », « du Gard »)."""


def parse_intent(question: str, *, rewritten: str | None = None) -> Intent:
    """Route a question: indicator codes, fiche parts, rule topics and the scope it names.

    ``rewritten`` is the question in the guides' words (``Glossary.rewrite``: « deadline
    ecars » -> « date limite e-cars »): the parts and topics it names are added.
    """
    folded = fold(question).replace("’", "'")
    codes = find_codes(question)
    parts = asked_parts(folded)
    fields = asked_fields(folded)
    topics: list[RuleTopic] = [name for name, pattern in _RULES if pattern.search(folded)]
    if rewritten:
        words = fold(rewritten).replace("’", "'")
        parts += [p for p in asked_parts(words) if p not in parts]
        topics += [n for n, pattern in _RULES if n not in topics and pattern.search(words)]
    hpr = bool(_HPR.search(folded))
    if hpr and ("count" in topics or "objectives" in topics):
        topics = [t for t in topics if t not in ("count", "objectives")]
        topics.insert(0, "hpr")
    elif hpr and re.search(r"\b(regles?|choisir|retenir|garder)\b", folded):
        topics.append("hpr")
    # A follow-up rewritten as "previous question + new question" names its scope last.
    category, beds, not_beds = None, None, None
    for sentence in reversed([s for s in re.split(r"(?<=[?.!])\s+", folded) if s.strip()]):
        category, beds = _category(sentence), _beds(sentence)
        if beds is None:
            beds, not_beds = _size_in_words(sentence)
        if category or beds or not_beds:
            break
    return Intent(
        codes=codes,
        parts=parts,
        fields=fields,
        rule_topics=topics,
        category=category,
        beds=beds,
        engaged=False
        if _NOT_ENGAGED.search(folded)
        else (True if _ENGAGED.search(folded) else None),
        years=_asked_years(folded),
        # « le total sur la période » asks for the total, not for every year
        every_year=bool(_EVERY_YEAR.search(_TOTAL.sub(" ", folded))),
        total=bool(_TOTAL.search(folded)),
        hpr=hpr,
        departement=_departement(folded),
        not_beds=not_beds,
    )


def _size_in_words(folded: str) -> tuple[int | None, int | None]:
    """(beds, excluded beds): the size a sentence names in words, or the one it excludes."""
    for pattern, beds in _SIZES:
        for match in pattern.finditer(folded):
            if _NEGATED_SIZE.search(folded[max(0, match.start() - 20) : match.start()]):
                return None, beds
            return beds, None
    return None, None


def _departement(folded: str) -> str | None:
    """The Occitanie département a question names, or None (none named, or several).

    Its number after a category (« CHU 30 »), its name (« du Gard ») or the city of a CHU.
    """
    found = {m.group(1) for m in _DEPARTEMENT_NUMBER.finditer(folded)} & set(_DEPARTEMENTS)
    by_name = {name: number for number, name in _DEPARTEMENTS.items()}
    found |= {by_name[m.group(1)] for m in _DEPARTEMENT_NAME.finditer(folded)}
    found |= {_CITIES[m.group(1)] for m in _CITY.finditer(folded)}
    return found.pop() if len(found) == 1 else None


def _asked_years(folded: str) -> list[int]:
    """The campaign years a question asks about.

    « 2026-2029 » asks for each of them; the whole campaign « 2025-2029 », for none in
    particular (a total, the period).
    """
    years = {int(y) for y in _YEAR.findall(_PERIOD.sub(" ", folded))}
    for match in _PERIOD.finditer(folded):
        low, high = (int(y) for y in re.findall(r"20\d\d", match.group(0)))
        if (low, high) != (2025, 2029) and 2024 <= low < high <= 2029:
            years |= set(range(low, high + 1))
    if _END_OF_CONTRACT.search(folded):
        years.add(LAST_YEAR)
    return sorted(years)


def _category(folded: str) -> str | None:
    """The establishment category a sentence names (the last one named)."""
    found: list[tuple[int, str]] = []
    for name, pattern in _CATEGORIES:
        found.extend((m.start(), name) for m in pattern.finditer(folded))
    if not found:
        return None
    position, category = max(found)
    if category == "CHU" and _NOT_CHU.search(folded[max(0, position - 12) : position + 3]):
        return "CH"
    return category


def _beds(folded: str) -> int | None:
    """A bed count representative of the size the question names."""
    if match := _BEDS_RANGE.search(folded):
        low, high = int(match.group(1)), int(match.group(2))
        if low < high:
            return (low + high) // 2
    if match := _BEDS_MORE.search(folded):
        return int(match.group(1)) + 1
    if match := _BEDS_LESS.search(folded):
        return max(int(match.group(1)) - 1, 1)
    if match := _BEDS.search(folded):
        return int(match.group(1))
    return None
