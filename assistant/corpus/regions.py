"""The French regions and how questions name them (« en Bretagne », « les établissements bretons »).

A question that names a region no document of the corpus covers asks about rules the guides do
not hold: a signal for the refusal (``assistant.answer.support``), not a veto.
"""

from __future__ import annotations

import re

from assistant.text.french import fold

__all__ = ["REGIONS", "named_regions", "region_said"]

REGIONS: dict[str, tuple[str, ...]] = {
    "Auvergne-Rhône-Alpes": ("auvergne-rhone-alpes", "ara", "rhonalpin", "auvergnat"),
    "Bourgogne-Franche-Comté": ("bourgogne-franche-comte", "bfc", "bourguignon", "franc-comtois"),
    "Bretagne": ("bretagne", "breton", "bretonne", "bretons", "bretonnes"),
    "Centre-Val de Loire": ("centre-val de loire", "centre-val-de-loire"),
    "Corse": ("corse", "corses"),
    "Grand Est": ("grand est", "grand-est"),
    "Hauts-de-France": ("hauts-de-france",),
    "Île-de-France": ("ile-de-france", "idf", "francilien", "francilienne", "franciliens"),
    "Normandie": ("normandie", "normand", "normande", "normands"),
    "Nouvelle-Aquitaine": ("nouvelle-aquitaine", "aquitain", "aquitaine"),
    "Occitanie": ("occitanie", "occitan", "occitane", "occitans"),
    "Pays de la Loire": ("pays de la loire", "ligerien", "ligeriens"),
    "Provence-Alpes-Côte d'Azur": ("provence-alpes-cote d'azur", "paca", "provencal"),
    "Guadeloupe": ("guadeloupe",),
    "Martinique": ("martinique",),
    "Guyane": ("guyane",),
    "La Réunion": ("la reunion", "reunionnais"),
    "Mayotte": ("mayotte",),
    # the regions before 2016: their targets and contracts are not Occitanie's
    "Languedoc-Roussillon": ("languedoc-roussillon",),
    "Midi-Pyrénées": ("midi-pyrenees",),
    "Alsace": ("alsace",),
    "Lorraine": ("lorraine",),
    "Champagne-Ardenne": ("champagne-ardenne",),
    "Picardie": ("picardie",),
    "Nord-Pas-de-Calais": ("nord-pas-de-calais",),
    "Limousin": ("limousin",),
    "Poitou-Charentes": ("poitou-charentes",),
    "Rhône-Alpes": ("rhone-alpes",),
}
"""Each region (its name) and the folded ways a question writes it, demonyms included."""

_FORMS = sorted(
    ((form, name) for name, forms in REGIONS.items() for form in forms),
    key=lambda pair: -len(pair[0]),
)
_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(form) for form, _ in _FORMS) + r")(?![\w-])"
)
_BY_FORM = dict(_FORMS)


def named_regions(question: str) -> list[str]:
    """The regions a question names (acronyms such as ARA, IDF, PACA only in capitals).

    The longest form wins: « Auvergne-Rhône-Alpes » is one region, not « Auvergne ».
    """
    folded = fold(question)
    found: list[str] = []
    for match in _PATTERN.finditer(folded):
        form = match.group(1)
        if len(form) <= 4 and form.upper() not in question:
            continue  # « ara » in lower case is a word, not the region
        name = _BY_FORM[form]
        if name not in found:
            found.append(name)
    return found


def region_said(name: str, text: str) -> bool:
    """Whether ``text`` names the region ``name`` (one of ``REGIONS``), in any of its forms.

    « Languedoc- Roussillon » cut at a line's end is still the region; « Rhône-Alpes » inside
    « Auvergne-Rhône-Alpes » is not.
    """
    folded = fold(text)
    for form in REGIONS.get(name, ()):
        if len(form) <= 4:
            continue  # an acronym in lower case is a word
        flexible = r"[-\s]*".join(re.escape(part) for part in re.split(r"[-\s]+", form))
        if re.search(rf"(?<![\w-]){flexible}(?![\w-])", folded):
            return True
    return False
