"""Who an indicator is for, read from the fiche's own words.

Each signal below is a phrase found in the fiches (reviewed against all 30) and what it means for
eligibility; the phrase matched in a fiche becomes the quote. An updated fiche that drops the
phrase drops the restriction with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.kb.models import Activity, Eligibility, Quote
from assistant.kb.parser import SECTION_KEYS, FicheText
from assistant.kb.text import APOSTROPHE, clean

A = APOSTROPHE
_MCO: tuple[Activity, ...] = ("medecine", "chirurgie", "obstetrique")


@dataclass(frozen=True)
class _Signal:
    pattern: re.Pattern[str]
    requires_ght: bool = False
    public_mainly: bool = False
    activities: tuple[Activity, ...] = field(default_factory=tuple)


def _signal(
    rx: str,
    *,
    requires_ght: bool = False,
    public_mainly: bool = False,
    activities: tuple[Activity, ...] = (),
) -> _Signal:
    return _Signal(re.compile(rx), requires_ght, public_mainly, activities)


_SIGNALS: tuple[_Signal, ...] = (
    # CPOM_CT_3 « (uniquement GHT) », CPOM_CT_8 « (uniquement pour les GHT) ».
    _signal(r"[^()]*\(uniquement (?:pour les )?GHT\)", requires_ght=True),
    # CPOM_CT_1 « A noter : cet indicateur concerne plus particulièrement les établissements
    # publics, … ».
    _signal(
        r"cet indicateur concerne plus particulièrement les établissements publics[^.]*",
        public_mainly=True,
    ),
    # CPOM_OS_12: the ARS expects growth in public establishments (cliniques: "Sans objet").
    _signal(
        rf"L{A}objectif recherché par l{A}ARS est la progression, en établissements publics "
        r"de santé, des volumes des examens mammographiques",
        public_mainly=True,
    ),
    # CPOM_OS_14 « … réalisées dans l'année par les établissements autorisés en HAD ».
    _signal(
        rf"Nombre de journées de spécialité .*? réalisées dans l{A}année par les établissements "
        r"autorisés en HAD",
        activities=("had",),
    ),
    # CPOM_OS_11 « Tous les établissements MCO, qu'ils disposent ou non d'un service d'urgences,
    # sont concernés par cette organisation ».
    _signal(r"Tous les établissements MCO[^.]*sont concernés[^.]*", activities=_MCO),
    # CPOM_OS_13: RAAC counts surgical acts.
    _signal(
        rf"Taux d{A}actes chirurgicaux pour lesquels les patients bénéficient de la "
        r"Récupération Améliorée Après Chirurgie \(RAAC\)",
        activities=("chirurgie",),
    ),
    # CPOM_OS_12: counts the mammographies the establishment performs.
    _signal(
        r"Nombre total annuel de mammographies réalisées \(bilatérales, de dépistage et "
        r"unilatérales\)",
        activities=("mammographie",),
    ),
)


def eligibility(fiche: FicheText, *, doc_id: str) -> Eligibility:
    """The eligibility of one fiche, each restriction with the words it comes from."""
    parts = [("N° et libellé Indicateur", fiche.label)] + [
        (fiche.titles.get(key, key), clean(" ".join(fiche.sections.get(key, []))))
        for key in SECTION_KEYS
    ]
    requires_ght = public_mainly = False
    activities: list[Activity] = []
    quotes: list[Quote] = []
    for signal in _SIGNALS:
        for title, text in parts:
            if not (match := signal.pattern.search(text)):
                continue
            requires_ght |= signal.requires_ght
            public_mainly |= signal.public_mainly
            activities += [a for a in signal.activities if a not in activities]
            section = f"{fiche.code} – {title}"
            quotes.append(Quote(doc_id=doc_id, text=clean(match.group(0)), section=section))
            break
    return Eligibility(
        requires_ght=requires_ght,
        required_activities=activities,
        public_mainly=public_mainly,
        quotes=quotes,
    )
