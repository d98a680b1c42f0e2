"""JUST-* rules: a justification is written, says what a referent looks for, and is its own.

The guide fixes no content for a justification; it says that the ARS analyses the choices of
indicators before validating them. What is checked here (JUST-CONTENT, JUST-DUPLICATE) is what
the assistant looks for on the referent's behalf, and only ever gives warnings: free text
never changes the verdict, except for a placeholder left in it (JUST-PLACEHOLDER).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from assistant.kb.codes import CODE_IN_TEXT
from assistant.rules.run import Entry, Run
from assistant.rules.values import join_fr, word_count
from assistant.text.figures import MONTHS
from assistant.text.french import FIGURE_WORDS, fold
from assistant.text.sentences import split_sentences


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def find_placeholder(run: Run, text: str | None) -> str | None:
    """The first placeholder (``XXX``, ``[à compléter]``, ``TODO``…) left in ``text``."""
    if not text or not run.applies("JUST-PLACEHOLDER"):
        return None
    for pattern in _compiled(tuple(run.param("JUST-PLACEHOLDER", "patterns"))):
        if match := pattern.search(text):
            return match.group(0)
    return None


# --- JUST-CONTENT: what a referent looks for in a justification ---------------------------
# All patterns run on folded text (lower case, no accents, « ’ » read as « ' »).

_BASELINE_WORDS = re.compile(
    r"\b(?:valeur (?:initiale|de (?:depart|reference)|actuelle|2024)|point de depart"
    r"|etat des lieux|diagnostic\w*|autodiagnostic\w*|constat\w*"
    r"|situation (?:actuelle|initiale|de depart)|niveau (?:actuel|initial|de depart)"
    r"|a ce jour|aujourd'hui|actuellement|a l'heure actuelle|en l'etat"
    r"|s'etablit|s'elevait|s'eleve|se situe|se situait|plafonne|stagne"
    r"|l'an dernier|l'annee (?:derniere|passee|precedente)|derniere annee|annee de reference)"
)
"""Words that name the starting point: the 2024 value, a diagnosis, a finding, a past year."""
_PAST_YEAR = re.compile(r"\b(?:19\d\d|20[01]\d|202[0-4])\b")
_TARGET_YEAR = re.compile(r"\b20(?:2[5-9]|30)\b")
_FIGURE = re.compile(rf"\d|\b(?:{FIGURE_WORDS})\b|\baucun\w*\b")
_TARGET_CUE = re.compile(
    r"\b(?:objectif|cible|vis(?:e|ons|ent|er|ee)|atteindre|d'ici|porter|passer a"
    r"|prevu|prevoi\w*|attendu)\b"
)
_FROM_FIGURE = re.compile(r"\b(?:passer|passant|partir|progresser|augmenter) de \d")

_DATE_WORDS = re.compile(
    rf"\b20(?:2[5-9]|30)\b|\b(?:{'|'.join(MONTHS)})\b"
    r"|\b\d{1,2}/(?:\d{1,2}/)?20(?:2[5-9]|30)\b|\b[ts][1-4]\b"
    r"|\b(?:premier|1er|second|deuxieme|2e|troisieme|3e|quatrieme|4e) (?:trimestre|semestre)\b"
)
"""A date within the contract: a year 2025-2030, a month, « 03/2026 », « T2 », « 1er semestre »."""
_ACTION_WORDS = re.compile(
    r"\b(?:(?:mett\w*|mis|mise)\b|deploi\w*|deploy\w*|cre(?:e|er|ee|ees|ation|ations|ons)\b"
    r"|form(?:er|ons|era|eront|ation\w*|e|es|ee|ees)\b|recrut\w*|organis\w*|lanc\w*"
    r"|sign(?:er|e|es|ee|ees|era|ons|ature\w*)\b|convention\w*|install\w*"
    r"|ouv(?:rir|rira|rons|erture\w*|ert\w*)|elabor\w*"
    r"|redig\w*|redaction\w*|etend\w*|extension\w*|generalis\w*|structur\w*|renforc\w*"
    r"|developp\w*|anim\w*|realis\w*|condui\w*|evalu\w*|audit\w*|acqu(?:erir|is\w*)"
    r"|equip(?:er|era|eront|ons|ement\w*)\b|adopt\w*|valid\w*|formalis\w*|actualis\w*"
    r"|programm(?:er|era|ons|ation\w*)\b|planifi\w*|sensibilis\w*|integr\w*|design\w*"
    r"|nomm\w*|demarr\w*"
    r"|implant\w*|constitu\w*|instaur\w*|experiment\w*|contractualis\w*|diffus\w*"
    r"|publi(?:er|era|cation\w*)\b|recens\w*|cartograph\w*|revis\w*|revue\w*"
    r"|exercices? de crise|reunion\w*|campagnes? d[eu]|actions?\b|plan d'actions?"
    r"|protocole\w*|etape\w*|jalon\w*|phase\w*|relanc\w*|doter|dote\w*"
    r"|depos\w*|ajout\w*|detach\w*|\w{3,}r(?:a|ont|ons))\b"
)
"""Action verbs (any form; any verb in the future tense: « formera », « tiendrons ») and nouns."""

_MEANS_WORDS = re.compile(
    r"\b(?:pilot\w*|copil|equipe\w*|referent\w*|coordonn\w*|coordinat\w*|service\w*"
    r"|direct(?:ion|eur|rice)\w*|cadre\w*|medecin\w*|infirmi\w*|ide|ipa"
    r"|pharmac\w*|biologiste\w*|psycholog\w*|assistant\w* social\w*|dieteticien\w*"
    r"|kinesitherapeute\w*|qualiticien\w*|ingenieur\w*|chef\w* de (?:projet|service|pole)"
    r"|pole\w*|unite\w*|bureau\w*|secretariat\w*|specialiste\w*|generaliste\w*"
    r"|praticien\w*|soignant\w*|professionnel\w*|cellule\w*|comite\w*|commission\w*"
    r"|groupe\w* de travail|instance\w*"
    r"|partenai\w*|partenariat\w*|convention\w*|en lien avec"
    r"|aupres d\w*|ght|cpts|esms|ehpad|had|ssiad|samsah|sessad|msp|dac|pta|cls|clsm"
    r"|urps|cpam|assurance maladie|chu|ch|chi|chs|clcc|smr|usld|ifsi|ifas|dim|drh|dsi"
    r"|dsirmt|csirmt|cme|cdu|clin|clan|eoh|emsp|emg|pass|samu|smur|gcs|gip"
    r"|centre\w* hospitali\w*|clinique\w*|hopita\w*|etablissement\w* partenaire\w*"
    r"|association\w*|reseau\w*|universit\w*|facult\w*|laboratoire\w*|mairie\w*"
    r"|conseil departemental|collectivit\w*|prestataire\w*"
    r"|budget\w*|financ\w*|credit\w*|subvention\w*|fir|migac|dotation\w*|enveloppe\w*"
    r"|euros?|\d+(?:[.,]\d+)? ?etp|equivalent\w* temps plein|poste\w*|temps dedie"
    r"|recrut\w*|formation\w*|formateur\w*|logiciel\w*|outil\w*|materiel\w*"
    r"|equipement\w*|investissement\w*|dr|docteur|mme|madame|monsieur)\b"
)
"""Who carries the indicator and with what: roles, teams, structures, partners, money, tools."""


def _normalised(text: str) -> str:
    return fold(text).replace("’", "'")


_NUMBERED = re.compile(r"\bn ?[°o] ?\d+\b")
_RANGE = re.compile(r"\b((?:19|20)\d\d) ?(?:-|–|/|a) ?((?:19|20)\d\d)\b")


def _period(match: re.Match[str]) -> str:
    """A span of three years or more (« CPOM 2025-2029 », « projet 2023-2027 ») dates nothing."""
    start, end = int(match.group(1)), int(match.group(2))
    return " " if end - start >= 3 else match.group(0)


def _clauses(text: str) -> list[str]:
    """The text's sentences (the one splitter), cut at « ; », folded, codes and periods masked.

    Indicator codes (« CPOM_OS_13 »), numbers of a list (« n° 3 ») and multi-year periods are
    neither figures nor dates of the establishment's own.
    """
    clauses = []
    for sentence in split_sentences(text):
        folded = CODE_IN_TEXT.sub(" ", _normalised(sentence))
        folded = _RANGE.sub(_period, _NUMBERED.sub(" ", folded))
        clauses += [clause for clause in folded.split(";") if clause.strip()]
    return clauses


def has_baseline(text: str) -> bool:
    """Whether the text names its starting point: the 2024 value, a diagnosis or a finding.

    A named diagnosis (« état des lieux », « constat », « à ce jour »…), a past year, or a
    figure in a clause that states no target (no year 2025-2030, no « objectif »,
    « viser »…) counts; « passer de 30 % à 45 % » states its start too.
    """
    for clause in _clauses(text):
        if _BASELINE_WORDS.search(clause) or _PAST_YEAR.search(clause):
            return True
        if _FROM_FIGURE.search(clause):
            return True
        if (
            _FIGURE.search(clause)
            and not _TARGET_YEAR.search(clause)
            and not _TARGET_CUE.search(clause)
        ):
            return True
    return False


def has_dated_action(text: str) -> bool:
    """Whether one sentence holds both a date of the contract's years and an action."""
    return any(
        _DATE_WORDS.search(clause) and _ACTION_WORDS.search(clause) for clause in _clauses(text)
    )


def has_means(text: str) -> bool:
    """Whether the text names who carries the indicator or with what (pilot, team, partner)."""
    folded = _normalised(text)
    return "€" in folded or bool(_MEANS_WORDS.search(folded))


def _check_content(run: Run, name: str, text: str) -> None:
    dated = has_dated_action(text)
    missing = [
        run.variant("JUST-CONTENT", variant)
        for variant, present in (
            ("baseline", has_baseline(text)),
            ("action", dated),
            ("means", has_means(text)),
        )
        if not present
    ]
    if missing:
        # Without a dated action, the guide's words on « un plan d'actions précis » back it.
        citation = None if dated else "actions"
        run.emit("JUST-CONTENT", indicator=name, citation=citation, missing=" ; ".join(missing))


def check_justification(run: Run, entry: Entry, name: str) -> None:
    """JUST-PLACEHOLDER on both texts, JUST-MISSING and JUST-CONTENT on the justification.

    JUST-CONTENT reads the justification with its comment: a partner named in the comment is
    named for the referent.
    """
    item = entry.item
    for field, text in (("justification", item.justification), ("commentaire", item.commentaire)):
        match = find_placeholder(run, text)
        if match:
            run.emit(
                "JUST-PLACEHOLDER", indicator=name, field=f"le champ {field} de {name}", match=match
            )
    if word_count(item.justification) == 0:
        run.emit("JUST-MISSING", indicator=name)
    elif run.applies("JUST-CONTENT"):
        text = "\n".join(t for t in (item.justification, item.commentaire) if t)
        _check_content(run, name, text)


# --- JUST-DUPLICATE: the same justification for several indicators ------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,]\d+)?")
_NUMBER = re.compile(r"^\d")
_STOP = frozenset(
    "a au aux avec c ce ces cet cette d dans de des du en et il ils l la le les leur leurs "
    "n ne ou par pas pour qu que qui s sa se ses son sur un une y est sont sera seront".split()
)


def _comparable(text: str, names: tuple[str, ...]) -> list[str]:
    """Content tokens of a justification, its own indicator's names and every figure masked.

    A justification copied for another indicator usually changes only the indicator's code or
    label and a figure or two: those become one token (``zzcode``, ``#n``) on every line.
    """
    folded = _normalised(text)
    for name in sorted((_normalised(n) for n in names if n), key=len, reverse=True):
        folded = folded.replace(name, " zzcode ")
    folded = CODE_IN_TEXT.sub(" zzcode ", folded)
    return [
        "#n" if _NUMBER.match(token) else token
        for token in _TOKEN.findall(folded)
        if token not in _STOP
    ]


def _label_words(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(token for name in names for token in _comparable(name, ()))


COMPARED_TOKENS = 1500
"""Words of each justification compared by JUST-DUPLICATE: difflib's matcher grows with the
product of the lengths (and with repeated words), and a justification runs to a few hundred
words; two texts that share their first 1,500 words in order are copies."""


def similarity(a: list[str], b: list[str]) -> float:
    """How much two token lists share, in order: difflib's ratio, 1.0 for the same text.

    Only the first ``COMPARED_TOKENS`` words of each are compared.
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    a, b = a[:COMPARED_TOKENS], b[:COMPARED_TOKENS]
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _names(run: Run, entry: Entry) -> tuple[str, ...]:
    """The words naming a line's indicator: its code as written, canonical, and its label."""
    names = [entry.item.code]
    if entry.code is not None:
        names.append(entry.code)
        known = run.kb.hpr.get(entry.code) or run.kb.indicators.get(entry.code)
        if known is not None:
            names.append(known.label)
    return tuple(names)


def check_duplicates(run: Run, entries: list[Entry]) -> None:
    """JUST-DUPLICATE: one finding per group of lines whose justifications are (nearly) the same.

    Lines are compared two by two; a group is every line linked to another by a similarity at
    or above the rule's threshold (so A~B and B~C put A, B and C in one group). Justifications
    shorter than the rule's ``min_words`` are left out (JUST-CONTENT speaks for them).
    """
    if not run.applies("JUST-DUPLICATE"):
        return
    threshold: float = run.param("JUST-DUPLICATE", "threshold")
    minimum: int = run.param("JUST-DUPLICATE", "min_words")
    lines = [
        (entry.code or entry.item.code, _comparable(entry.item.justification or "", names), names)
        for entry in entries
        if word_count(entry.item.justification) >= minimum
        for names in [_names(run, entry)]
    ]
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links: list[tuple[int, float]] = []
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            # A label paraphrased rather than copied: both lines drop both labels' words.
            drop = _label_words(lines[i][2]) | _label_words(lines[j][2])
            score = similarity(
                [t for t in lines[i][1] if t not in drop], [t for t in lines[j][1] if t not in drop]
            )
            if score >= threshold:
                parent[root(j)] = root(i)
                links.append((i, score))
    groups: dict[int, list[str]] = {}
    for i, (name, _, _) in enumerate(lines):
        groups.setdefault(root(i), []).append(name)
    for top, names in groups.items():
        unique = list(dict.fromkeys(names))
        if len(unique) < 2:
            continue
        least = min(score for i, score in links if root(i) == top)
        run.emit(
            "JUST-DUPLICATE",
            indicator=unique[0],
            indicators=join_fr(unique),
            likeness=_likeness(least),
        )


def _likeness(score: float) -> str:
    """« identiques » for the same words, else how alike the least alike pair is."""
    if score >= 0.995:
        return "identiques"
    return f"presque identiques (ressemblance d’au moins {int(score * 100)} %)"


__all__ = [
    "check_duplicates",
    "check_justification",
    "find_placeholder",
    "has_baseline",
    "has_dated_action",
    "has_means",
    "similarity",
]
