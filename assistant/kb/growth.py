"""What a fiche's growth figure means for one year, under each reading of « % » and « points ».

« +3 % par rapport à N-1 » on a rate (OS_13) and « Augmentation de 20 points » (OS_9) read two
ways: as a relative growth (40 % → 41,2 %; 200 actes → 240) or as points added to the value
(40 % → 43 %; 200 actes → 220). The assistant applies the relative reading by default: it is
the literal sense of « % », and for « points » the reading the fiche's own total supports
(« Augmentation de 100 points » over five years, i.e. twice the 2024 value). The user may
choose the other (`draft --lecture points`), and the validator accepts either.

The validator and the drafting both compute a year's figure here, so they never disagree.
"""

from __future__ import annotations

from typing import Literal

from assistant.kb.models import Unit, YearTarget

Lecture = Literal["relative", "points"]
LECTURES: tuple[Lecture, ...] = ("relative", "points")
DEFAULT_LECTURE: Lecture = "relative"

LECTURE_LABELS: dict[Lecture, str] = {
    "relative": "lecture relative (la hausse en pourcentage de la valeur : +3 % de 40 donne 41,2)",
    "points": "lecture en points (la hausse ajoutée à la valeur : +3 points sur 40 donnent 43)",
}
"""How each reading is named to the user (French)."""
LECTURE_NAMES: dict[Lecture, str] = {"relative": "lecture relative", "points": "lecture en points"}
"""Their short names (French)."""

_GROWTH = {"hausse_vs_2024", "hausse_vs_n_1", "baisse_vs_2024", "baisse_vs_n_1"}


def two_readings(target: YearTarget, unit: Unit) -> bool:
    """Whether the year's figure reads differently as a relative growth and as points.

    True for a growth in % of a rate (« +3 % par rapport à N-1 » on a taux) and for a fiche
    cell in points (« Augmentation de 10 points »), whatever the unit; a growth of zero
    (« pas de baisse ») reads the same both ways.
    """
    if target.kind not in _GROWTH or not target.value:
        return False
    return target.points or unit == "taux"


def year_figure(
    target: YearTarget,
    base: float | None,
    previous: float | None,
    *,
    lecture: Lecture = DEFAULT_LECTURE,
) -> float | None:
    """The fiche's figure for a year, or None when it needs an unknown value or sets none.

    Args:
        target: the fiche's target for that year.
        base: the 2024 value (baseline).
        previous: the value the year is measured from when the fiche says « par rapport à N-1 ».
        lecture: how a growth in « % » or « points » is read (see the module's docstring).
    """
    value = target.value
    if value is None:
        return None
    points = lecture == "points"
    match target.kind:
        case "valeur" | "min":
            return value
        case "hausse_vs_2024" if base is not None:
            return base + value if points else base * (1 + value / 100)
        case "hausse_vs_n_1" if previous is not None:
            return previous + value if points else previous * (1 + value / 100)
        case "plus_vs_n_1" if previous is not None:
            return previous + value
        case "baisse_vs_2024" if base is not None:
            return base - value if points else base * (1 - value / 100)
        case "baisse_vs_n_1" if previous is not None:
            return previous - value if points else previous * (1 - value / 100)
    return None


__all__ = [
    "DEFAULT_LECTURE",
    "LECTURES",
    "LECTURE_LABELS",
    "LECTURE_NAMES",
    "Lecture",
    "two_readings",
    "year_figure",
]
