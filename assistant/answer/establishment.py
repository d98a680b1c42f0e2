"""The establishment an answer is written for: its profile and its current selection.

Read from a profile file (the format of ``propose``), from a whole draft file (its
``etablissement`` object, and its ``indicateurs`` / ``indicateurs_hpr`` as the current
selection, with their 2024 values), or from the app's dossier (the same draft tree).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.drafts import Value
from assistant.errors import InvalidInputError, UnknownIndicatorError
from assistant.kb.codes import KNOWN_CODES, normalize_code
from assistant.profile import Profile, parse_profile, read_profile_json


@dataclass(frozen=True)
class Line:
    """One indicator of the current selection, with its 2024 value when the dossier holds it."""

    code: str
    """The canonical code when it is a known one, else the code as written."""
    valeur_initiale: Value | None = None


@dataclass(frozen=True)
class Establishment:
    """A profile and the selection its dossier holds (the raw tree for the validator)."""

    profile: Profile
    strategic: tuple[Line, ...] = ()
    hpr: tuple[Line, ...] = ()
    tree: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_selection(self) -> bool:
        """Whether the dossier holds a selection (a list of indicators, even empty)."""
        return isinstance(self.tree.get("indicateurs"), list)

    def line(self, code: str) -> Line | None:
        """The selection's line of an indicator (canonical code), if chosen."""
        return next((line for line in (*self.strategic, *self.hpr) if line.code == code), None)

    def baseline(self, code: str) -> Value | None:
        """The 2024 value the dossier holds for an indicator, if any."""
        line = self.line(code)
        value = line.valeur_initiale if line is not None else None
        if isinstance(value, str) and not value.strip():
            return None
        return value


def selection_lines(items: object) -> tuple[Line, ...]:
    """The lines of a draft's ``indicateurs`` list (anything else gives none)."""
    if not isinstance(items, list):
        return ()
    lines: list[Line] = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("code"), str):
            continue
        try:
            code = normalize_code(item["code"], known=KNOWN_CODES)
        except UnknownIndicatorError:
            code = item["code"].strip()
        value = item.get("valeur_initiale")
        lines.append(Line(code, value if isinstance(value, bool | int | float | str) else None))
    return tuple(lines)


def establishment_of(tree: Mapping[str, Any], *, origin: str = "le profil") -> Establishment:
    """The establishment of a profile tree or of a whole draft tree.

    Raises:
        InvalidInputError: The profile part is invalid (French message naming the field).
    """
    profile = parse_profile(tree, origin=origin)
    selection = dict(tree) if "etablissement" in tree else {}
    return Establishment(
        profile=profile,
        strategic=selection_lines(selection.get("indicateurs")),
        hpr=selection_lines(selection.get("indicateurs_hpr")),
        tree=selection,
    )


def read_establishment(path: Path) -> Establishment:
    """Read a profile file, or a whole draft file with its selection (JSON).

    Raises:
        InvalidInputError: The file is missing, too large, not JSON, or not a valid profile.
    """
    data = read_profile_json(path)
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"Le profil {path.name!r} doit être un objet JSON (clé : valeur).")
    return establishment_of(data, origin=f"le profil {path.name!r}")


__all__ = [
    "Establishment",
    "Line",
    "establishment_of",
    "read_establishment",
    "selection_lines",
]
