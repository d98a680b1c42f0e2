"""The places below a region a question may name: départements and cities, with their region.

« combien de places d'HAD dans le Gers », « le référent e-CARS pour l'Aveyron »: the guides state
rules and regional figures; a fact asked for one département or city is theirs only when a
passage names it. « une clinique à Grenoble, dans le cadre ARA »: a place of the region whose
guide answers is covered by that guide. Both are signals of the refusal
(``assistant.answer.support``), not vetoes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.corpus.regions import REGIONS
from assistant.text.french import fold

__all__ = ["DEPARTEMENTS", "Place", "named_places", "place_said"]

_ARA = "Auvergne-Rhône-Alpes"
_BFC = "Bourgogne-Franche-Comté"
_CVL = "Centre-Val de Loire"
_GE = "Grand Est"
_HDF = "Hauts-de-France"
_IDF = "Île-de-France"
_NA = "Nouvelle-Aquitaine"
_OC = "Occitanie"
_PDL = "Pays de la Loire"
_PACA = "Provence-Alpes-Côte d'Azur"

DEPARTEMENTS: dict[str, tuple[str, str]] = {
    "01": ("Ain", _ARA),
    "02": ("Aisne", _HDF),
    "03": ("Allier", _ARA),
    "04": ("Alpes-de-Haute-Provence", _PACA),
    "05": ("Hautes-Alpes", _PACA),
    "06": ("Alpes-Maritimes", _PACA),
    "07": ("Ardèche", _ARA),
    "08": ("Ardennes", _GE),
    "09": ("Ariège", _OC),
    "10": ("Aube", _GE),
    "11": ("Aude", _OC),
    "12": ("Aveyron", _OC),
    "13": ("Bouches-du-Rhône", _PACA),
    "14": ("Calvados", "Normandie"),
    "15": ("Cantal", _ARA),
    "16": ("Charente", _NA),
    "17": ("Charente-Maritime", _NA),
    "18": ("Cher", _CVL),
    "19": ("Corrèze", _NA),
    "2A": ("Corse-du-Sud", "Corse"),
    "2B": ("Haute-Corse", "Corse"),
    "21": ("Côte-d'Or", _BFC),
    "22": ("Côtes-d'Armor", "Bretagne"),
    "23": ("Creuse", _NA),
    "24": ("Dordogne", _NA),
    "25": ("Doubs", _BFC),
    "26": ("Drôme", _ARA),
    "27": ("Eure", "Normandie"),
    "28": ("Eure-et-Loir", _CVL),
    "29": ("Finistère", "Bretagne"),
    "30": ("Gard", _OC),
    "31": ("Haute-Garonne", _OC),
    "32": ("Gers", _OC),
    "33": ("Gironde", _NA),
    "34": ("Hérault", _OC),
    "35": ("Ille-et-Vilaine", "Bretagne"),
    "36": ("Indre", _CVL),
    "37": ("Indre-et-Loire", _CVL),
    "38": ("Isère", _ARA),
    "39": ("Jura", _BFC),
    "40": ("Landes", _NA),
    "41": ("Loir-et-Cher", _CVL),
    "42": ("Loire", _ARA),
    "43": ("Haute-Loire", _ARA),
    "44": ("Loire-Atlantique", _PDL),
    "45": ("Loiret", _CVL),
    "46": ("Lot", _OC),
    "47": ("Lot-et-Garonne", _NA),
    "48": ("Lozère", _OC),
    "49": ("Maine-et-Loire", _PDL),
    "50": ("Manche", "Normandie"),
    "51": ("Marne", _GE),
    "52": ("Haute-Marne", _GE),
    "53": ("Mayenne", _PDL),
    "54": ("Meurthe-et-Moselle", _GE),
    "55": ("Meuse", _GE),
    "56": ("Morbihan", "Bretagne"),
    "57": ("Moselle", _GE),
    "58": ("Nièvre", _BFC),
    "59": ("Nord", _HDF),
    "60": ("Oise", _HDF),
    "61": ("Orne", "Normandie"),
    "62": ("Pas-de-Calais", _HDF),
    "63": ("Puy-de-Dôme", _ARA),
    "64": ("Pyrénées-Atlantiques", _NA),
    "65": ("Hautes-Pyrénées", _OC),
    "66": ("Pyrénées-Orientales", _OC),
    "67": ("Bas-Rhin", _GE),
    "68": ("Haut-Rhin", _GE),
    "69": ("Rhône", _ARA),
    "70": ("Haute-Saône", _BFC),
    "71": ("Saône-et-Loire", _BFC),
    "72": ("Sarthe", _PDL),
    "73": ("Savoie", _ARA),
    "74": ("Haute-Savoie", _ARA),
    "75": ("Paris", _IDF),
    "76": ("Seine-Maritime", "Normandie"),
    "77": ("Seine-et-Marne", _IDF),
    "78": ("Yvelines", _IDF),
    "79": ("Deux-Sèvres", _NA),
    "80": ("Somme", _HDF),
    "81": ("Tarn", _OC),
    "82": ("Tarn-et-Garonne", _OC),
    "83": ("Var", _PACA),
    "84": ("Vaucluse", _PACA),
    "85": ("Vendée", _PDL),
    "86": ("Vienne", _NA),
    "87": ("Haute-Vienne", _NA),
    "88": ("Vosges", _GE),
    "89": ("Yonne", _BFC),
    "90": ("Territoire de Belfort", _BFC),
    "91": ("Essonne", _IDF),
    "92": ("Hauts-de-Seine", _IDF),
    "93": ("Seine-Saint-Denis", _IDF),
    "94": ("Val-de-Marne", _IDF),
    "95": ("Val-d'Oise", _IDF),
}
"""The départements of metropolitan France by number: (name, region)."""

_CITIES: dict[str, str] = {
    # Occitanie: the prefectures and the towns of its hospitals
    "Foix": "09",
    "Pamiers": "09",
    "Saint-Girons": "09",
    "Carcassonne": "11",
    "Narbonne": "11",
    "Castelnaudary": "11",
    "Limoux": "11",
    "Rodez": "12",
    "Millau": "12",
    "Decazeville": "12",
    "Villefranche-de-Rouergue": "12",
    "Saint-Affrique": "12",
    "Nîmes": "30",
    "Alès": "30",
    "Uzès": "30",
    "Bagnols-sur-Cèze": "30",
    "Toulouse": "31",
    "Saint-Gaudens": "31",
    "Muret": "31",
    "Colomiers": "31",
    "Auch": "32",
    "Condom": "32",
    "Montpellier": "34",
    "Béziers": "34",
    "Sète": "34",
    "Agde": "34",
    "Lunel": "34",
    "Lodève": "34",
    "Cahors": "46",
    "Figeac": "46",
    "Gourdon": "46",
    "Mende": "48",
    "Marvejols": "48",
    "Tarbes": "65",
    "Lourdes": "65",
    "Lannemezan": "65",
    "Bagnères-de-Bigorre": "65",
    "Perpignan": "66",
    "Prades": "66",
    "Albi": "81",
    "Castres": "81",
    "Lavaur": "81",
    "Montauban": "82",
    "Moissac": "82",
    "Castelsarrasin": "82",
    # elsewhere: the prefectures and the largest cities
    "Lyon": "69",
    "Grenoble": "38",
    "Saint-Étienne": "42",
    "Clermont-Ferrand": "63",
    "Chambéry": "73",
    "Annecy": "74",
    "Valence": "26",
    "Bourg-en-Bresse": "01",
    "Moulins": "03",
    "Vichy": "03",
    "Aurillac": "15",
    "Le Puy-en-Velay": "43",
    "Privas": "07",
    "Dijon": "21",
    "Besançon": "25",
    "Belfort": "90",
    "Auxerre": "89",
    "Nevers": "58",
    "Mâcon": "71",
    "Chalon-sur-Saône": "71",
    "Vesoul": "70",
    "Lons-le-Saunier": "39",
    "Rennes": "35",
    "Brest": "29",
    "Quimper": "29",
    "Lorient": "56",
    "Vannes": "56",
    "Saint-Brieuc": "22",
    "Orléans": "45",
    "Tours": "37",
    "Bourges": "18",
    "Chartres": "28",
    "Blois": "41",
    "Châteauroux": "36",
    "Ajaccio": "2A",
    "Bastia": "2B",
    "Strasbourg": "67",
    "Mulhouse": "68",
    "Colmar": "68",
    "Metz": "57",
    "Nancy": "54",
    "Reims": "51",
    "Troyes": "10",
    "Épinal": "88",
    "Charleville-Mézières": "08",
    "Châlons-en-Champagne": "51",
    "Lille": "59",
    "Amiens": "80",
    "Arras": "62",
    "Beauvais": "60",
    "Laon": "02",
    "Dunkerque": "59",
    "Calais": "62",
    "Créteil": "94",
    "Versailles": "78",
    "Nanterre": "92",
    "Bobigny": "93",
    "Évry": "91",
    "Melun": "77",
    "Cergy": "95",
    "Rouen": "76",
    "Le Havre": "76",
    "Caen": "14",
    "Cherbourg": "50",
    "Évreux": "27",
    "Alençon": "61",
    "Bordeaux": "33",
    "Limoges": "87",
    "Poitiers": "86",
    "La Rochelle": "17",
    "Angoulême": "16",
    "Niort": "79",
    "Périgueux": "24",
    "Agen": "47",
    "Pau": "64",
    "Bayonne": "64",
    "Mont-de-Marsan": "40",
    "Guéret": "23",
    "Tulle": "19",
    "Brive-la-Gaillarde": "19",
    "Nantes": "44",
    "Angers": "49",
    "Le Mans": "72",
    "Laval": "53",
    "La Roche-sur-Yon": "85",
    "Marseille": "13",
    "Nice": "06",
    "Toulon": "83",
    "Avignon": "84",
    "Aix-en-Provence": "13",
    "Gap": "05",
    "Digne-les-Bains": "04",
}
"""Cities a question may name an establishment by, with their département."""

_WORDS_TOO = frozenset(
    fold(name)
    for name in (
        "Ain Aube Cher Creuse Eure Gap Gard Indre Jura Landes Loire Lot Manche Marne Meuse "
        "Nice Nord Oise Orne Pau Somme Tours Var Valence Vienne Laval Prades Moulins "
        "Calais Nancy Foix Agen Condom Mende Lunel Muret Tulle Vichy Millau Auch Albi"
    ).split()
)
"""Names that are also words (« un lot », « la somme », « nice », « gap », « 3 foix »): a place
only written with its capital."""


@dataclass(frozen=True)
class Place:
    """A département or city a question names."""

    name: str
    departement: str
    """Its département's number."""
    region: str


def _folded_names() -> dict[str, tuple[str, str]]:
    names = {fold(name): (name, number) for number, (name, _) in DEPARTEMENTS.items()}
    names |= {fold(city): (city, number) for city, number in _CITIES.items()}
    return names


_NAMES = _folded_names()
_PATTERN = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True))
    + r")(?![\w-])"
)

_REGION_NAMES = re.compile(
    "|".join(
        r"[-\s]".join(re.escape(w) for w in re.split(r"[-\s]", form))
        for forms in REGIONS.values()
        for form in sorted(forms, key=len, reverse=True)
        if re.search(r"[-\s]", form)
    )
)
"""A region's name, hyphens or spaces (« auvergne rhone alpes »)."""


def named_places(question: str) -> list[Place]:
    """The départements and cities a question names (the longest name wins).

    « Haute-Garonne » is one département, not « Garonne »; a name that is also a word is a
    place only with its capital (« dans le Lot », not « un lot de »).
    """
    # a region's name holds a département's (« Pays de la Loire », « Centre-Val de Loire »)
    folded = _REGION_NAMES.sub(lambda m: " " * len(m.group(0)), fold(question))
    found: list[Place] = []
    for match in _PATTERN.finditer(folded):
        form = match.group(1)
        name, number = _NAMES[form]
        if form in _WORDS_TOO and not _capitalised(question, form):
            continue
        place = Place(name, number, DEPARTEMENTS[number][1])
        if place not in found:
            found.append(place)
    return found


def _capitalised(question: str, form: str) -> bool:
    """Whether the question writes the folded name ``form`` with its capital."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", question) if not unicodedata.combining(c)
    )
    first, rest = re.escape(form[0].upper()), re.escape(form[1:])
    return re.search(rf"(?<![\w-]){first}(?i:{rest})(?![\w-])", plain) is not None


_NUMBERED = (
    r"\b(?:chu|ch|departements?|dept)\s*(?:du\s+|de\s+la\s+|de\s+|d'|\()?(?:\d\d\s*(?:,|et)\s*)*"
)
"""« CHU 31 et 34 », « CH du 12 »: département numbers after a category."""


def place_said(place: Place, text: str) -> bool:
    """Whether ``text`` names the place.

    By its name, its département's or a city of it, or the département's number after a
    category (« CHU 31 et 34 » names Toulouse's).
    """
    folded = fold(text)
    number = place.departement
    names = [DEPARTEMENTS[number][0], *(c for c, n in _CITIES.items() if n == number)]
    for name in names:
        if re.search(rf"(?<![\w-]){re.escape(fold(name))}(?![\w-])", folded):
            return True
    return re.search(_NUMBERED + re.escape(number.lower()) + r"\b", folded) is not None
