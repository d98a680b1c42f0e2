"""Indicator codes: the canonical forms and the usual ways people write them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from assistant.errors import UnknownIndicatorError

# Guide méthodologique CPOM 2025-2029, § 1.4 : « 8 indicateurs sont relatifs aux coopérations,
# mutualisations et 22 indicateurs sur les autres champs ».
COOPERATION_COUNT = 8
OTHER_COUNT = 22
# Guide, annexe HPR: the 14 indicators « 1_1 » … « 6_1 » (objective_indicator).
HPR_CODES: tuple[str, ...] = (
    "HPR_1_1",
    "HPR_1_2",
    "HPR_2_1",
    "HPR_3_1",
    "HPR_3_2",
    "HPR_3_3",
    "HPR_4_1",
    "HPR_4_2",
    "HPR_4_3",
    "HPR_4_4",
    "HPR_4_5",
    "HPR_4_6",
    "HPR_5_1",
    "HPR_6_1",
)
STRATEGIC_CODES: tuple[str, ...] = tuple(
    [f"CPOM_CT_{n}" for n in range(1, COOPERATION_COUNT + 1)]
    + [f"CPOM_OS_{n}" for n in range(1, OTHER_COUNT + 1)]
)
KNOWN_CODES: tuple[str, ...] = STRATEGIC_CODES + HPR_CODES

_SEP = r"[\s_.\-]*"
# CPOM_OS_13, OS_13, os13, OS 13, OS_13_1_1 (annex short code), CPOM_CT_07, CT_01_1
_STRATEGIC = re.compile(
    rf"^(?:CPOM{_SEP})?(CT|OS){_SEP}0*(\d{{1,3}})(?:[\s_.\-]+\d{{1,2}}(?:[\s_.\-]+\d{{1,2}})?)?$",
    re.IGNORECASE,
)
# HPR_4_2, hpr 4.2, HPR4_2, HPR-4-2
_HPR = re.compile(rf"^HPR{_SEP}(\d){_SEP}(\d)$", re.IGNORECASE)


# An indicator code inside free text, in any usual form: "OS 13", "os13", "CPOM_OS_13",
# "OS_13_1_1", "CT3", "le CT_07", "HPR 4.2", "hpr4_2".
CODE_IN_TEXT = re.compile(
    r"\b(?:cpom[\s_-]*)?(?P<family>ct|os)[\s_-]*0*(?P<number>\d{1,2})(?:_\d{1,2}_\d{1,2})?(?!\d)"
    r"|\bhpr[\s_.-]*(?P<objective>\d)[\s_.-]*(?P<item>\d)(?!\d)",
    re.IGNORECASE,
)


def code_of_match(match: re.Match[str]) -> str:
    """The canonical code of a ``CODE_IN_TEXT`` match (``CPOM_OS_13``, ``HPR_4_2``)."""
    if match.group("family"):
        return f"CPOM_{match.group('family').upper()}_{int(match.group('number'))}"
    return f"HPR_{match.group('objective')}_{match.group('item')}"


def find_codes(text: str) -> list[str]:
    """The indicator codes a text names, canonical, in order of first mention, each once.

    The shapes are checked, not the existence (``OS 31`` gives ``CPOM_OS_31``): callers that
    need known codes look them up in the knowledge base.
    """
    codes = [code_of_match(m) for m in CODE_IN_TEXT.finditer(text)]
    if _HPR_CONTEXT.search(text):
        # « l'indicateur 4_2 de l'annexe HPR »: the trame's own number, the annex named apart
        for m in _HPR_NUMBER.finditer(text):
            objective, item = (m[1], m[2]) if m[1] else (m[3], m[4])
            codes.append(f"HPR_{objective}_{item}")
    return list(dict.fromkeys(codes))


_HPR_CONTEXT = re.compile(r"\bhpr\b|\bh[oô]pita(?:l|ux) de proximit[eé]", re.IGNORECASE)
_HPR_NUMBER = re.compile(
    r"(?<![\w.])([1-6])_([1-6])(?![\w.])|\bindicateur\s+([1-6])\.([1-6])\b", re.IGNORECASE
)
"""« 4_2 » as the HPR trame numbers its indicators (« indicateur 4.2 » written with a dot)."""


def code_token(code: str) -> str:
    """The search token of a code: ``CPOM_OS_13`` -> ``os13``, ``HPR_4_2`` -> ``hpr42``."""
    return short_form(code).replace("_", "").lower()


def canonical_code(code: str) -> str | None:
    """The canonical spelling of ``code`` if it has a known shape, else None (no lookup)."""
    text = code.strip()
    if match := _STRATEGIC.match(text):
        return f"CPOM_{match.group(1).upper()}_{int(match.group(2))}"
    if match := _HPR.match(text):
        return f"HPR_{match.group(1)}_{match.group(2)}"
    return None


def short_form(code: str) -> str:
    """``CPOM_OS_13`` -> ``OS_13``; other codes unchanged."""
    return code.removeprefix("CPOM_")


def normalize_code(code: str, *, known: Iterable[str] | None = None) -> str:
    """Return the canonical code (``CPOM_OS_13``, ``CPOM_CT_3``, ``HPR_4_2``) of any usual form.

    Args:
        code: ``os13``, ``OS_13``, ``OS 13``, ``CPOM_OS_13``, ``OS_13_1_1`` (annex short code),
            ``ct3``, ``HPR_4_2``, ``hpr 4.2``, ``HPR4_2``…
        known: the codes that exist (defaults to the 30 strategic and 14 HPR codes).

    Raises:
        UnknownIndicatorError: the code is not one of ``known``; the French message suggests the
            closest codes.
    """
    known_codes = tuple(known) if known is not None else KNOWN_CODES
    canonical = canonical_code(code)
    if canonical is not None and canonical in known_codes:
        return canonical
    raise _unknown(code, canonical, known_codes)


def _nearest_in_family(canonical: str, known: tuple[str, ...]) -> list[str]:
    """A well-formed code out of range: the closest numbers of the same family (OS_23 -> OS_22)."""
    family, _, number = canonical.rpartition("_")
    same = [c for c in known if c.rpartition("_")[0] == family]
    return sorted(same, key=lambda c: abs(int(c.rpartition("_")[2]) - int(number)))[:3]


def _unknown(code: str, canonical: str | None, known: tuple[str, ...]) -> UnknownIndicatorError:
    suggestions = _nearest_in_family(canonical, known) if canonical else []
    if not suggestions:
        probe = canonical or code.strip().upper().replace(" ", "_")
        candidates = {c: c for c in known} | {short_form(c): c for c in known}
        close = difflib.get_close_matches(probe, list(candidates), n=3, cutoff=0.6)
        if not close and not probe.startswith(("CPOM_", "HPR")):
            close = difflib.get_close_matches(f"CPOM_{probe}", list(candidates), n=3, cutoff=0.6)
        suggestions = list(dict.fromkeys(candidates[c] for c in close))
    message = f"Code d'indicateur inconnu : {code!r}."
    if suggestions:
        message += f" Vouliez-vous dire {suggestions[0]!r} ?"
    hint = (
        "Codes valides : CPOM_CT_1 à CPOM_CT_8, CPOM_OS_1 à CPOM_OS_22 et les 14 indicateurs HPR "
        "(HPR_1_1 à HPR_6_1) ; formes acceptées : CPOM_OS_13, OS_13, os13, OS_13_1_1, hpr 4.2."
    )
    if len(suggestions) > 1:
        hint = f"Codes proches : {', '.join(suggestions)}. {hint}"
    return UnknownIndicatorError(message, hint=hint)
