"""Fiche parser: split the fiches document into the 30 fiches and each fiche into its parts.

The fiches share a template (guide, annexe 6) but their numbering and titles vary: "4. Type
d'indicateur" is "4. Méthode de calcul" in CPOM_CT_6, some fiches have no "Source" part, the
"Cible générale" heading is missing from the extraction of a dozen fiches (their target table
then starts at its "Cible 2025-2029" header line), and CPOM_CT_3 holds two variants (pharmacie,
biologie) one after the other. Parts are therefore found by their titles, not their numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.kb.models import IndicatorType, Unit
from assistant.kb.text import APOSTROPHE, clean, clean_lines, is_link_line

A = APOSTROPHE

SECTION_KEYS: tuple[str, ...] = (
    "contexte",
    "objectif",
    "indicateur",
    "type",
    "source",
    "cible",
    "bonnes_pratiques",
    "suivi",
)
"""Canonical keys of a fiche's parts, in template order (guide, annexe 6)."""

_SECTION_TITLES: tuple[tuple[str, str], ...] = (
    ("contexte", r"Contexte et justification"),
    ("objectif", rf"Description de l{A}objectif"),
    ("indicateur", rf"Description de l{A}indicateur"),
    ("type", rf"Type d{A}indicateur|Méthode de calcul"),
    ("source", r"Source des données"),
    ("cible", r"Cible générale"),
    ("bonnes_pratiques", r"Référentiel de bonnes pratiques"),
    ("suivi", r"Modalités de suivi"),
)
_HEADING = re.compile(
    r"^\s*\d\.\s+(?P<title>" + "|".join(f"(?P<{key}>{rx})" for key, rx in _SECTION_TITLES) + ")"
)
_FICHE_START = re.compile(r"^\s*FICHE METHODOLOGIQUE\s*[–-]\s*ANNEXE STRATEGIQUE\s*$")
_VARIANT = re.compile(r"^\s*ACTIVITE\s+([A-ZÉÈ]+)\s*$")
TABLE_HEADER = re.compile(r"^\s*Cible 2025-")
"""The first line of a fiche's target table ("Cible 2025-2029 2025 2026 …")."""

_HEAD = re.compile(
    r"N° et libellé Indicateur\s*CPOM_(?P<cat>CT|OS)_0*(?P<num>\d+)\s*:?\s*(?P<label>.*?)\s*"
    r"Objectif stratégique\s*(?P<objective>.*)$"
)
_YES_NO_MARK = re.compile(r"\((?:OUI/NON|O/N)\)", re.IGNORECASE)


@dataclass
class FicheText:
    """One fiche as found in the document: its head and its raw lines per part."""

    code: str
    label: str
    objective: str
    lines: list[str]
    sections: dict[str, list[str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    table: list[str] = field(default_factory=list)
    """Raw lines of the first contiguous "cible" part (the target wording and table)."""

    def text(self, key: str) -> str:
        """The cleaned text of one part ('' if the fiche has no such part)."""
        return clean_lines(self.sections.get(key, []))

    @property
    def full_text(self) -> str:
        """The whole fiche, cleaned (link lines kept: quotes are compared against this)."""
        return clean(" ".join(self.lines))


def split_fiches(text: str) -> list[FicheText]:
    """Split the fiches document on its "FICHE METHODOLOGIQUE – ANNEXE STRATEGIQUE" headers.

    Args:
        text: the whole fiches document.

    Returns:
        The fiches in document order; blocks without an indicator code are skipped.
    """
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if _FICHE_START.match(line):
            blocks.append([])
        if blocks:
            blocks[-1].append(line)
    fiches = [fiche for block in blocks if (fiche := _parse_block(block)) is not None]
    return fiches


def _parse_block(lines: list[str]) -> FicheText | None:
    first_part = next(
        (i for i, line in enumerate(lines) if _HEADING.match(line) or _VARIANT.match(line)),
        len(lines),
    )
    head = _HEAD.search(clean(" ".join(lines[1:first_part])))
    if head is None:
        return None
    fiche = FicheText(
        code=f"CPOM_{head['cat']}_{int(head['num'])}",
        label=head["label"].strip(),
        objective=head["objective"].strip(),
        lines=lines,
    )
    current: str | None = None
    variant: str | None = None
    table_state = "before"  # the first contiguous "cible" part: before, in, after
    for line in lines[first_part:]:
        if variant_match := _VARIANT.match(line):
            variant = variant_match.group(1).lower()
            continue
        heading = _HEADING.match(line)
        starts_table = not heading and TABLE_HEADER.match(line) and current != "cible"
        if heading or starts_table:
            # A table header outside a "cible" part: its "Cible générale" heading is missing
            # from the extraction, the part starts here.
            current = (
                next(k for k, _ in _SECTION_TITLES if heading.group(k)) if heading else "cible"
            )
            fiche.titles.setdefault(current, clean(line) if heading else "Cible générale")
            part = fiche.sections.setdefault(current, [])
            if variant and part:
                part.append(f"[Activité {variant}]")  # CPOM_CT_3: second variant of a part
            if table_state == "in":
                table_state = "after"
            elif current == "cible" and table_state == "before":
                table_state = "in"
            if heading:
                continue
        if current is None:
            continue
        fiche.sections[current].append(line)
        if table_state == "in":
            fiche.table.append(line)
    return fiche


# --- fields -------------------------------------------------------------------------------

_DEFINITION = re.compile(
    rf"Définition de l{A}indicateur\s*:?\s*(?P<v>.*?)\s*"
    rf"(?=•?\s*(?:Durée (?:de |la )?(?:la |l{A})?(?:mesure|action)|Partenaires\s*:|Pilotage"
    rf"|Élément de preuve|Intitulé de l{A}indicateur)|$)"
)
_NUMERATOR = re.compile(r"Numérateur\s*:\s*(?P<v>.*?)\s*(?=•?\s*Dénominateur|$)")
_DENOMINATOR = re.compile(
    r"Dénominateur\s*:\s*(?P<v>.*?)\s*(?=•|Unité de mesure|Durée|Partenaires|$)"
)
_NUM_DEN = re.compile(r"Numérateur/dénominateur\s*:\s*(?P<n>.+?)\s*/\s*(?P<d>.+?)\s*$")
_FORMULA = re.compile(
    r"Formule(?: de calcul)?\s*:\s*(?P<v>.*?)\s*(?=•\s*Unité|- Unité|Unité de mesure|\*\(|$)"
)
_FRACTION = re.compile(r"^(?P<n>.+?)\s*/\s*(?P<d>.+?)$")
_FREQUENCY = re.compile(
    rf"Fréquence de collecte(?: de l{A}indicateur)?\s*:\s*(?P<v>.*?)\s*(?=•|Modalit|$)"
)
_PARTNERS = re.compile(r"Partenaires\s*:\s*(?P<v>.*?)\s*(?=•|Pilotage|$)")
_UNIT_LINE = re.compile(r"Unité de mesure\s*:\s*(?P<v>.*?)\s*(?=•|$)")
_BULLET = re.compile(r"^\s*(?:[•▪✓➢-]|o\s|\d{1,2}\.\s)")


def _first(pattern: re.Pattern[str], texts: list[str], group: str = "v") -> str | None:
    for text in texts:
        if (match := pattern.search(text)) and (value := _tidy(match.group(group))):
            return value
    return None


def _tidy(value: str) -> str:
    return value.strip(" •-–:;.").strip()


def definition(fiche: FicheText) -> str | None:
    """The fiche's "Définition de l'indicateur"."""
    return _first(_DEFINITION, [fiche.text("indicateur"), fiche.full_text])


def numerator_denominator(fiche: FicheText, unit: Unit) -> tuple[str | None, str | None]:
    """Numerator and denominator: explicit labels, "Numérateur/dénominateur", or a rate formula."""
    parts = [fiche.text(key) for key in SECTION_KEYS]
    numerator, denominator = _first(_NUMERATOR, parts), _first(_DENOMINATOR, parts)
    if numerator or denominator:
        return numerator, denominator
    for text in parts:
        if match := _NUM_DEN.search(text):
            return _tidy(match["n"]), _tidy(match["d"])
    if unit != "taux":
        return None, None
    for text in parts:
        if not (formula := _FORMULA.search(text)):
            continue
        body = _tidy(formula["v"])
        if inner := re.search(r"\((?P<f>[^()]*/[^()]*)\)\s*\*\s*100", body):
            body = inner["f"]
        if fraction := _FRACTION.match(body):
            return _tidy(fraction["n"]), _tidy(fraction["d"])
    return None, None


def data_source(fiche: FicheText) -> str | None:
    """The "Source des données" part, if the fiche has one."""
    return _tidy(fiche.text("source")) or None


def frequency(fiche: FicheText) -> str | None:
    """The collection frequency ("annuelle", …) from the follow-up part."""
    return _first(_FREQUENCY, [fiche.text("suivi"), fiche.full_text])


def partners(fiche: FicheText) -> str | None:
    """The "Partenaires" line of the indicator description."""
    return _first(_PARTNERS, [fiche.text("indicateur")])


def good_practices(fiche: FicheText) -> list[str]:
    """The items of the "Référentiel de bonnes pratiques" part, one per bullet."""
    items: list[list[str]] = []
    for line in fiche.sections.get("bonnes_pratiques", []):
        if not line.strip() or is_link_line(line) or line.strip().isdigit():
            continue  # blank, link target or page number
        if line.startswith("[Activité"):
            items.append([])  # CPOM_CT_3: the second variant's practices start here
            continue
        if _BULLET.match(line) or not items:
            items.append([])
        items[-1].append(line)
    practices: list[str] = []
    continued: set[str] = set()  # items that a bullet went on
    for item in items:
        text = re.sub(r"^\s*(?:[•▪✓➢-]|o\s)", "", clean(" ".join(item)))
        words = text.split()
        if (text.endswith(":") and len(words) <= 4) or (len(words) == 1 and text.islower()):
            continue  # a sub-heading ("Actions :") or the wrapped end of the part's title
        if not (tidy := _tidy(text)):
            continue
        if practices and tidy[:1].islower() and not practices[-1].endswith((".", ";", ":")):
            # a bullet that goes on with the item before (« … qui les étudiera au regard » /
            # « des critères de recevabilité … » / « des crédits précédemment accordés … »):
            # the sentence it ends, the next ones listed after it
            joint = " ; " if practices[-1] in continued else " "
            practices[-1] = f"{practices[-1]}{joint}{tidy}"
            continued.add(practices[-1])
            continue
        practices.append(tidy)
    return practices


def indicator_type(fiche: FicheText) -> IndicatorType:
    """Declarative (yes/no) when the label carries "(OUI/NON)" or "(O/N)", else quantitative.

    The guide (§ 1.4) counts 27 quantitative and 3 declarative objectives; the three fiches whose
    label ends with the yes/no mark (also in the annexe 5 table) are the declarative ones.
    """
    return "declaratif" if _YES_NO_MARK.search(fiche.label) else "quantitatif"


def unit_from_text(fiche: FicheText, kind: IndicatorType) -> Unit | None:
    """The unit implied by the label, the definition or the type part (None if undecided)."""
    if kind == "declaratif":
        return "oui_non"
    label = fiche.label.lower()
    declared = (_first(_UNIT_LINE, [fiche.text("type")]) or "").lower()
    if label.startswith("file active"):
        return "file_active"
    if label.startswith("taux"):
        return "taux"
    if "numérateur/dénominateur" in fiche.text("type").lower():
        return "ratio"
    if label.startswith("nombre") or (definition(fiche) or "").lower().startswith("nombre"):
        return "nombre"
    if "%" in declared or "pourcentage" in declared:
        return "taux"
    return None
