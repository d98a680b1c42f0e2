"""The establishment profile a proposal and a draft start from, read from JSON with French errors.

A profile is the ``etablissement`` object of the draft schema (``statut``, ``categorie``,
``lits``, ``membre_ght``, ``hopital_proximite``, ``activites``; ``raison_sociale`` and
``finess_ej`` are optional here) plus ``priorites`` (free French text), ``deja_atteints``
(indicator codes the establishment already meets) and ``deja_engages`` (codes whose approach the
establishment is already engaged in: the fiches' « Pour les établissements déjà engagés… » rows).
A whole draft file is accepted too: its ``etablissement`` object is read, with ``priorites``,
``deja_atteints`` and ``deja_engages`` from the top level.

An activity outside the draft schema's list (« ehpad », « ssiad », « soins palliatifs »…) is not
refused: it is kept in ``autres_activites`` and the proposal warns that no fiche reads it.
``activites`` keeps its meaning (the schema's activities only), so a draft built from the
profile stays valid.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from assistant.errors import InvalidInputError, UnknownIndicatorError
from assistant.kb import normalize_code
from assistant.kb.models import ACTIVITIES, Activity, EstablishmentCategory, Statut
from assistant.text.french import fold

MAX_PROFILE_BYTES = 1_000_000
MAX_PRIORITIES_CHARS = 4_000

_YES = {"oui", "o", "vrai", "true"}
_NO = {"non", "n", "faux", "false"}

CATEGORY_LABELS: dict[str, str] = {
    "CHU": "centre hospitalier universitaire",
    "CH": "centre hospitalier",
    "CLCC": "centre de lutte contre le cancer",
    "ESPIC": "établissement de santé privé d'intérêt collectif",
    "clinique": "clinique",
    "SMR": "établissement de soins médicaux et de réadaptation",
    "psychiatrie": "établissement de psychiatrie",
    "HAD": "établissement d'hospitalisation à domicile",
    "autre": "établissement de santé",
}
STATUT_LABELS: dict[str, str] = {
    "public": "public",
    "prive_non_lucratif": "privé à but non lucratif",
    "prive_lucratif": "privé à but lucratif",
}
ACTIVITY_LABELS: dict[str, str] = {
    "medecine": "médecine",
    "chirurgie": "chirurgie",
    "obstetrique": "obstétrique",
    "urgences": "urgences",
    "imagerie": "imagerie",
    "mammographie": "mammographie",
    "had": "hospitalisation à domicile",
    "smr": "soins médicaux et de réadaptation",
    "psychiatrie": "psychiatrie",
    "usld": "soins de longue durée",
    "dialyse": "dialyse",
    "cancerologie": "cancérologie",
}


# Usual names of the schema's activities (folded): « SSR » is the former name of SMR, etc.
ACTIVITY_ALIASES: dict[str, str] = {
    "ssr": "smr",
    "soins de suite et de readaptation": "smr",
    "readaptation": "smr",
    "hospitalisation a domicile": "had",
    "radiologie": "imagerie",
    "oncologie": "cancerologie",
    "sante mentale": "psychiatrie",
    "service d'urgences": "urgences",
    "urgence": "urgences",
    "maternite": "obstetrique",
    "gynecologie-obstetrique": "obstetrique",
    "unite de soins de longue duree": "usld",
}
MAX_OTHER_ACTIVITY_CHARS = 80


def _french_bool(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in _YES | _NO:
        return value.strip().lower() in _YES
    return value


def _unique(value: object) -> object:
    if isinstance(value, list):
        return list(dict.fromkeys(v.strip().lower() if isinstance(v, str) else v for v in value))
    return value


class Profile(BaseModel):
    """An establishment's profile: who it is, what it does, what it wants to work on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raison_sociale: str | None = Field(default=None, min_length=1, max_length=300)
    finess_ej: str | None = Field(
        default=None, pattern=r"^\d{9}$", description="FINESS EJ, 9 chiffres."
    )
    statut: Statut
    categorie: EstablishmentCategory
    lits: int = Field(ge=0, le=100_000)
    membre_ght: Annotated[bool, BeforeValidator(_french_bool)]
    hopital_proximite: Annotated[bool, BeforeValidator(_french_bool)]
    activites: Annotated[list[Activity], BeforeValidator(_unique)]
    priorites: str | None = Field(default=None, max_length=MAX_PRIORITIES_CHARS)
    deja_atteints: list[str] = Field(default_factory=list, max_length=44)
    deja_engages: list[str] = Field(
        default_factory=list,
        max_length=44,
        description="Codes dont l'établissement est déjà engagé dans la démarche (lignes « Pour "
        "les établissements déjà engagés… » des fiches).",
    )
    autres_activites: list[str] = Field(
        default_factory=list,
        max_length=40,
        description="Activités déclarées hors de la liste du schéma (ehpad, ssiad…) : gardées "
        "pour information, aucune fiche ne les lit.",
    )

    def warnings(self) -> list[str]:
        """French warnings on what the profile declares but the fiches cannot read."""
        out = []
        for activity in self.autres_activites:
            close = difflib.get_close_matches(fold(activity), ACTIVITIES, n=1, cutoff=0.8)
            hint = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
            out.append(
                f"Activité « {activity} » : aucune fiche ni le validateur ne la lisent (activités "
                "lues : " + ", ".join(ACTIVITIES) + ") ; elle est gardée pour information mais "
                "ne pèse pas dans la proposition." + hint
            )
        return out

    @property
    def departement(self) -> str | None:
        """Two-digit département code: the first two digits of the FINESS EJ."""
        return self.finess_ej[:2] if self.finess_ej else None

    def describe(self) -> str:
        """A short French description: « CH public, 350 lits, membre d'un GHT »."""
        parts = [f"{self.categorie} {STATUT_LABELS[self.statut]}", f"{self.lits} lits"]
        if self.membre_ght:
            parts.append("membre d'un GHT")
        if self.hopital_proximite:
            parts.append("hôpital de proximité")
        if self.departement:
            parts.append(f"département {self.departement}")
        return ", ".join(parts)

    def name(self) -> str:
        """The establishment's name, or a description when the profile gives none."""
        return self.raison_sociale or f"L'établissement ({CATEGORY_LABELS[self.categorie]})"


# Fields a whole draft file carries at its top level, next to its ``etablissement`` object.
_TOP_LEVEL = ("priorites", "deja_atteints", "deja_engages")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fold_key(key: object) -> str:
    return fold(str(key).strip()).replace(" ", "_")


def _french_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    given = error.get("input")
    shown = f"{given!r:.80}"
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "extra_forbidden":
        return "champ inconnu (champs possibles : " + ", ".join(Profile.model_fields) + ")"
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", " ou ")
        return f"valeur {shown} non reconnue ; valeurs possibles : {expected}"
    if kind == "string_pattern_mismatch":
        return f"le FINESS EJ doit compter 9 chiffres, reçu {shown}"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"nombre positif ou nul attendu, reçu {shown}"
    if kind in {"less_than_equal", "too_long", "string_too_long"}:
        return f"valeur trop grande, reçu {shown}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"nombre entier attendu, reçu {shown}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"oui ou non attendu, reçu {shown}"
    if kind == "list_type":
        return f"liste attendue, reçu {shown}"
    if kind in {"string_type", "string_too_short"}:
        return f"texte non vide attendu, reçu {shown}"
    return f"valeur invalide, reçu {shown}"


def _path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _activity(item: str) -> str:
    """The schema's name of an activity (« Médecine », « SSR »), or the text itself."""
    folded = " ".join(fold(item).replace("_", " ").split())
    folded = ACTIVITY_ALIASES.get(folded, folded)
    for code, label in ACTIVITY_LABELS.items():
        if folded in {code, fold(label)}:
            return code
    return folded


def _split_activities(tree: dict[str, Any]) -> None:
    """Move the activities the schema does not know into ``autres_activites`` (in place)."""
    items = tree.get("activites")
    if not isinstance(items, list):
        return
    known: list[object] = []
    others = list(tree.get("autres_activites") or [])
    for item in items:
        if not isinstance(item, str) or not item.strip():
            known.append(item)  # left for the schema to refuse with its message
            continue
        name = _activity(item)
        if name in ACTIVITIES:
            known.append(name)
        else:
            others.append(" ".join(item.split())[:MAX_OTHER_ACTIVITY_CHARS])
    tree["activites"] = known
    if others:
        tree["autres_activites"] = list(dict.fromkeys(others))


def _codes(profile: Profile, field: str, origin: str) -> list[str]:
    codes: list[str] = []
    for i, code in enumerate(getattr(profile, field)):
        try:
            codes.append(normalize_code(code))
        except UnknownIndicatorError as exc:
            raise InvalidInputError(
                f"{_cap(origin)} est invalide : champ « {field}[{i}] » : " + exc.message,
                hint=exc.hint,
            ) from exc
    return list(dict.fromkeys(codes))


def parse_profile(data: object, *, origin: str = "le profil") -> Profile:
    """Read a profile tree (or a whole draft tree), with French errors naming the field.

    Args:
        data: The tree read from JSON.
        origin: How to name the input in messages (e.g. the file name).

    Raises:
        InvalidInputError: A field is missing, unknown or invalid (the message names it), or an
            already-met or already-engaged code is not an indicator code. An activity outside
            the schema's list is not an error: it goes to ``autres_activites``.
    """
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"{_cap(origin)} doit être un objet JSON (clé : valeur).")
    tree = {_fold_key(k): v for k, v in data.items()}
    if isinstance(tree.get("etablissement"), Mapping):
        extras = {k: tree[k] for k in _TOP_LEVEL if k in tree}
        tree = {_fold_key(k): v for k, v in tree["etablissement"].items()} | extras
    _split_activities(tree)
    try:
        profile = Profile.model_validate(tree)
    except ValidationError as exc:
        problems = [f"champ « {_path(e['loc'])} » : {_french_message(e)}" for e in exc.errors()]
        raise InvalidInputError(
            f"{_cap(origin)} est invalide : " + " ; ".join(problems[:6]) + ".",
            hint="Activités possibles : " + ", ".join(ACTIVITIES) + ".",
        ) from exc
    return profile.model_copy(
        update={
            "deja_atteints": _codes(profile, "deja_atteints", origin),
            "deja_engages": _codes(profile, "deja_engages", origin),
        }
    )


def read_profile(path: Path) -> Profile:
    """Read a profile from a JSON file.

    Raises:
        InvalidInputError: The file is missing, too large, not JSON, or not a valid profile.
    """
    return parse_profile(read_profile_json(path), origin=f"le profil {path.name!r}")


def read_profile_json(path: Path) -> object:
    """The JSON tree of a profile file (a profile, or a whole draft).

    Raises:
        InvalidInputError: The file is missing, too large, not UTF-8 or not JSON.
    """
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise InvalidInputError(f"Le fichier {path.name!r} est trop volumineux pour un profil.")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInputError(f"Impossible de lire le profil {str(path)!r}.") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"Le profil {path.name!r} n'est pas un texte UTF-8.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"Le profil {path.name!r} n'est pas un JSON valide (ligne {exc.lineno}, "
            f"colonne {exc.colno})."
        ) from exc
    return data


__all__ = [
    "ACTIVITY_ALIASES",
    "ACTIVITY_LABELS",
    "CATEGORY_LABELS",
    "STATUT_LABELS",
    "Profile",
    "parse_profile",
    "read_profile",
    "read_profile_json",
]
