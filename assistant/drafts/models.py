"""The draft schema (pydantic) and a lenient parser that turns schema errors into issues.

A draft is one establishment's proposed selection: the strategic annex (``indicateurs``) and,
for an hôpital de proximité, the HPR annex (``indicateurs_hpr``). Baselines and targets are
kept as written (a number, ``"oui"``/``"non"`` or any text): judging them is the rules
engine's job, not the parser's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
)

from assistant.kb.models import ACTIVITIES, YEARS, Activity, EstablishmentCategory, Statut

Value = bool | int | float | str
"""A baseline or target as written: a number, ``"oui"``/``"non"``, or any other text."""

TARGET_YEARS: tuple[str, ...] = tuple(str(y) for y in YEARS)

_FR_BOOLEANS = {"oui": True, "o": True, "vrai": True, "non": False, "n": False, "faux": False}
_FR_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def _french_bool(value: object) -> object:
    """Accept ``oui``/``non`` (any case) for a boolean field; leave anything else to pydantic."""
    if isinstance(value, str) and value.strip().lower() in _FR_BOOLEANS:
        return _FR_BOOLEANS[value.strip().lower()]
    return value


def _french_date(value: object) -> object:
    """Accept ``JJ/MM/AAAA`` and datetimes for a date field."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and (m := _FR_DATE.match(value)):
        day, month, year = (int(g) for g in m.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return value
    return value


def blank_to_none(value: object) -> object:
    """Treat an empty or blank string as absent."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _tidy_value(value: object) -> object:
    """Blank is absent; a whole float is an int (12.0 and 12 are one figure in every format)."""
    value = blank_to_none(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


FrenchBool = Annotated[bool, BeforeValidator(_french_bool)]
Finess = Annotated[str, StringConstraints(pattern=r"^\d{9}$")]
DraftDate = Annotated[dt.date, BeforeValidator(_french_date)]
Text = Annotated[str | None, BeforeValidator(blank_to_none)]
TargetValue = Annotated[Value, BeforeValidator(_tidy_value)]
OptionalValue = Annotated[Value | None, BeforeValidator(_tidy_value)]


def clean_target_mapping(value: Mapping[Any, Any]) -> dict[object, object]:
    """Year keys become strings (YAML reads ``2025:`` as an int); empty targets are dropped."""
    cleaned: dict[object, object] = {}
    for key, item in value.items():
        item = blank_to_none(item)
        if item is not None:
            cleaned[str(key).strip() if isinstance(key, int | str) else key] = item
    return cleaned


def clean_targets(value: object) -> object:
    """Clean a targets mapping (see `clean_target_mapping`); leave anything else to pydantic."""
    return clean_target_mapping(value) if isinstance(value, Mapping) else value


class Establishment(BaseModel):
    """The establishment block of a draft (every field is required)."""

    raison_sociale: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    finess_ej: Finess = Field(description="FINESS juridique : 9 chiffres.")
    statut: Statut
    categorie: EstablishmentCategory
    lits: int = Field(ge=0)
    membre_ght: FrenchBool
    hopital_proximite: FrenchBool
    activites: list[Activity]


class DraftIndicator(BaseModel):
    """One chosen indicator: baseline (2024), yearly targets, justification, comment."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    valeur_initiale: OptionalValue = None
    cibles: Annotated[dict[str, TargetValue], BeforeValidator(clean_targets)] = Field(
        default_factory=dict, description="Année ('2025'…'2029') -> cible telle qu'écrite."
    )
    justification: Text = None
    commentaire: Text = None
    deja_engage: Annotated[FrenchBool | None, BeforeValidator(blank_to_none)] = Field(
        default=None,
        description="L'établissement est déjà engagé dans la démarche : la ligne « Pour les "
        "établissements déjà engagés… » de la fiche s'applique (OS_2, OS_5, OS_20).",
    )


class Draft(BaseModel):
    """A whole draft: campaign, optional date, establishment and both annexes."""

    campagne: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    date: DraftDate | None = None
    etablissement: Establishment
    indicateurs: list[DraftIndicator]
    indicateurs_hpr: list[DraftIndicator] = Field(default_factory=list)


class SchemaIssue(BaseModel, frozen=True):
    """A place where a draft does not follow the schema (reported as a SCHEMA finding)."""

    path: str = Field(description="Chemin du champ, par exemple 'etablissement.finess_ej'.")
    message: str = Field(description="Explication en français.")
    indicator: str | None = Field(None, description="Code de l'indicateur concerné, tel qu'écrit.")


class EstablishmentView(BaseModel):
    """The establishment as far as it could be read: None where missing or invalid."""

    raison_sociale: str | None = None
    finess_ej: str | None = None
    statut: Statut | None = None
    categorie: EstablishmentCategory | None = None
    lits: int | None = None
    membre_ght: bool | None = None
    hopital_proximite: bool | None = None
    activites: list[Activity] | None = None

    @property
    def departement(self) -> str | None:
        """Two-digit département code: the first two digits of the FINESS EJ."""
        return self.finess_ej[:2] if self.finess_ej else None


class DraftView(BaseModel):
    """A draft read leniently: the valid parts plus the schema issues found on the way."""

    campagne: str | None = None
    date: dt.date | None = None
    etablissement: EstablishmentView = Field(default_factory=EstablishmentView)
    indicateurs: list[DraftIndicator] = Field(default_factory=list)
    indicateurs_hpr: list[DraftIndicator] = Field(default_factory=list)
    issues: list[SchemaIssue] = Field(default_factory=list)


class DraftSource(BaseModel):
    """One draft tree as read from a file, before schema checks.

    ``data`` is the raw tree; ``issues`` holds problems only the reader can see (e.g. two
    rows of one establishment that disagree); ``locations`` maps a tree path prefix such as
    ``indicateurs[2]`` to where it came from (``ligne 4``); ``error`` is set instead of
    ``data`` when the file of a folder could not be read at all.
    """

    file: str
    data: Any = None
    issues: list[SchemaIssue] = Field(default_factory=list)
    locations: dict[str, str] = Field(default_factory=dict)
    error: str | None = None

    def locate(self, path: str) -> str | None:
        """Return where ``path`` came from in the file (longest known prefix), if known."""
        best: str | None = None
        for prefix, _where in self.locations.items():
            if (path == prefix or path.startswith((prefix + ".", prefix + "["))) and (
                best is None or len(prefix) > len(best)
            ):
                best = prefix
        return self.locations[best] if best is not None else None


__all__ = [
    "ACTIVITIES",
    "TARGET_YEARS",
    "Draft",
    "DraftIndicator",
    "DraftSource",
    "DraftView",
    "Establishment",
    "EstablishmentView",
    "SchemaIssue",
    "Value",
]
