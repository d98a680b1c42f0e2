"""Whether a source sentence carries what a generated sentence claims, figure by figure.

The guard must not check digits as a bag: « 25 décembre » is not « 25 juillet », « 10 % » is not
« 10 indicateurs », « au minimum 10 » is not « au maximum 10 », « dix » is « 10 », and « il n'y a
aucune date limite » says the opposite of « la date limite est… ». Figures are read with their
attachments by ``assistant.text.figures``; here each one of a claim is looked for in the sources,
and the claim's polarity is compared with the source sentence it paraphrases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.kb.targets import parse_table, row_labels
from assistant.text.figures import Figure, content_stems, figures, is_year, located, normalised
from assistant.text.french import CAMPAIGN_TOTAL, fold, tokenize

_NEGATION = re.compile(
    r"\b(?:ne|n')\s*(?:[\w-]+\s+){0,3}?(?:pas|plus|jamais|rien|guere|aucun\w*|nullement)\b"
    r"|\b(?:ne|n')\s*(?:peut|peuvent|puisse|puissent|saurait|sauraient|pourra|pourront|doit|"
    r"doivent)\b"
    r"|\bpas\b(?! a pas)|\baucun(?:e|s|es)?\b|\bjamais\b|\bnullement\b"
    r"|(?<!\bou )(?<!\bou par )(?<!oui/)\bnon\s+(?=[a-z])"  # not « oui ou non »
)


def negations(text: str) -> int:
    """How many negations a sentence holds (« n'est pas », « aucun », « non soumise »…)."""
    return len(_NEGATION.findall(fold(text).replace("’", "'")))


def supported(figure: Figure, sources: Sequence[Sequence[Figure]]) -> bool:
    """Whether some source sentence states ``figure`` with the same attachments.

    The words after the figure must not belong to another figure of that source sentence when
    the source's figure says something else (« 22 indicateurs relatifs aux coopérations » where
    the source gives that to « 8 » and « sur les autres champs » to « 22 »).
    """
    for source in sources:
        for candidate in source:
            if not _carries(candidate, figure):
                continue
            topic, own = _topic(figure), _topic(candidate)
            if not topic or not own or _shares(topic, own) or is_year(figure):
                return True  # nothing to compare, or the source's figure says the same
            # a rival: another figure of the same noun (« 8 indicateurs … 22 indicateurs »)
            rivals = [
                f for f in source if f is not candidate and not is_year(f) and f.unit == figure.unit
            ]
            if not any(topic & _topic(rival) for rival in rivals):
                return True
    return False


def _shares(words: frozenset[str], others: frozenset[str]) -> bool:
    """Whether two sets of stems share one, an abbreviation counting (« com », « commun »)."""
    return bool(words & others) or any(
        len(short) >= 3 and long.startswith(short)
        for a in words
        for b in others
        for short, long in ((a, b) if len(a) <= len(b) else (b, a),)
    )


def _overlap(words: frozenset[str], others: frozenset[str]) -> int:
    """How many of ``words`` the ``others`` hold, a stem beginning another counting (« défin »)."""
    return sum(
        w in others
        or any(
            len(min(w, o, key=len)) >= 4 and (o.startswith(w) or w.startswith(o)) for o in others
        )
        for w in words
    )


def _topic(figure: Figure) -> frozenset[str]:
    """The words after a figure that say what it counts, its own noun left out."""
    return figure.after - {figure.unit} if figure.unit else figure.after


def unsupported(text: str, sources: Iterable[str]) -> list[Figure]:
    """The figures of ``text`` that no source sentence carries (nor with its « parmi les »)."""
    sources = list(sources)
    read = [figures(source) for source in sources]
    missing = [
        figure
        for figure in figures(text)
        if not supported(figure, read)
        and not _enumerated(figure, sources, read)
        and not _one_by_article(figure, sources)
        and not _fraction_said(figure, sources)
    ]
    return missing or _regrouped(text, sources)


_FRACTIONS = {
    "50": r"(?:la |une )?moitie",
    "25": r"(?<!trois )(?:le |un )quart",
    "75": r"trois quarts",
    "33": r"(?<!deux )(?:le |un )tiers",
    "33.3": r"(?<!deux )(?:le |un )tiers",
    "66": r"deux tiers",
    "66.7": r"deux tiers",
    "67": r"deux tiers",
}


def _fraction_said(figure: Figure, sources: list[str]) -> bool:
    """Whether a rate (« 50 % ») is said by a source as a fraction (« la moitié »)."""
    pattern = _FRACTIONS.get(figure.value)
    if figure.unit != "%" or figure.bound or pattern is None:
        return False
    return any(re.search(rf"\b{pattern}\b", normalised(source)) for source in sources)


_PER_YEAR = re.compile(r"\b(?:annuel\w*|chaque annee|tous les ans|par an)\b")


def _one_by_article(figure: Figure, sources: list[str]) -> bool:
    """Whether « 1 » counts what a source says with its article (« une évaluation »).

    « 1 exercice de crise est organisé » where the source says « un exercice de crise »; « 1
    fois par an » where it says « annuelle ». Not a bounded one (« au moins 1 ») nor a
    measure other than « fois ».
    """
    if figure.kind != "number" or figure.value != "1" or figure.bound or not figure.unit:
        return False
    if figure.unit == "fois":
        return figure.per == "an" and any(_PER_YEAR.search(fold(s)) for s in sources)
    if figure.measure:
        return False
    articled = {
        noun
        for source in sources
        for noun in re.findall(r"\b(?:un|une|seule?)\s+([\w-]+)", normalised(source))
    }
    return figure.unit in {t for noun in articled for t in tokenize(noun)}


def _enumerated(figure: Figure, sources: list[str], read: list[list[Figure]]) -> bool:
    """Whether the sources name as many distinct things of the figure's noun as it counts.

    « Le contrat vise trois circulaires » where the passage cites three « Vu la circulaire … »;
    « trois annexes » where it lists « Annexe I », « Annexe II », « Annexe III ».
    """
    if figure.kind != "number" or not figure.unit or figure.bound or figure.measure:
        return False
    if not figure.value.isdigit() or not 2 <= int(figure.value) <= 9:
        return False
    references = {
        f.value
        for found in read
        for f in found
        if f.kind == "code" and f.unit and figure.unit in {f.unit, *tokenize(f.unit)}
    }
    if references:
        return len(references) == int(figure.value)
    mentions = sum(tokenize(source).count(figure.unit) for source in sources)
    return mentions == int(figure.value)


_AMONG = re.compile(
    r"\b(\d+)\s+(?:[^\W\d]+\s+){0,3}?,?\s*(?:parmi|sur)\s+(?:les\s+|des\s+)?(\d+)\b"
)
"""« 2 indicateurs parmi les 8 », « 1 indicateur sur les 6 objectifs »: a part of a whole."""


def _regrouped(text: str, sources: list[str]) -> list[Figure]:
    """Figures of a « X parmi les Y » of ``text`` that a source pairs with another whole.

    « choisir 6 indicateurs parmi les 8 » where the source says « 2 … parmi les 8 » and « 6 …
    parmi les 22 »: every figure is in the source, attached to another one.
    """
    said = _AMONG.findall(fold(text))
    if not said:
        return []
    pairs = {pair for source in sources for pair in _AMONG.findall(fold(source))}
    wrong = [
        (part, whole)
        for part, whole in said
        if (part, whole) not in pairs and any(p == part or w == whole for p, w in pairs)
    ]
    return [Figure("number", part) for part, _ in wrong]


def polarity_holds(text: str, sources: Iterable[str]) -> bool:
    """Whether the source sentence closest to ``text`` has the same polarity, clause by clause.

    The whole sentence is compared with the source sentence sharing at least half of its
    content words; then each clause of three content words or more with the source clause
    sharing ``CLAUSE_SHARE`` of them (« l'ARS ne peut pas résilier le contrat » against « si
    la structure n'a pas fourni …, l'Agence … peut résilier le contrat »). Without such a
    source, nothing tells which one the claim paraphrases, and the claim holds.
    """
    sources = list(sources)
    if not _same_polarity(text, sources, 0.5) or _antonym_said(text, sources):
        return False
    clauses = [c for s in sources for c in _CLAUSE.split(s)]
    return all(
        _same_polarity(clause, clauses, CLAUSE_SHARE, local=True)
        for clause in _CLAUSE.split(text)
        if len(content_stems(clause)) >= 3
    )


_ANTONYMS: tuple[tuple[str, str], ...] = (
    (r"avant", r"apres"),
    (r"obligatoire\w*|obligation\w*|obligee?s?", r"facultati\w*|optionnel\w*"),
    (r"minimum|minimale?s?|plancher", r"maximum|maximale?s?|plafond"),
    (r"au moins|a minima", r"au plus(?! t(?:ard|ot))"),
    (r"au plus tard", r"au plus tot"),
    (r"hausse|augment\w*|progress\w*", r"baisse|diminu\w*|reduction|reduit\w*"),
    (r"superieure?s?", r"inferieure?s?"),
    (r"inclu(?:s|se|ses|t)?", r"exclu(?:s|e|es|t)?"),
    (r"autorise\w*|permis\w*", r"interdit\w*"),
    (r"possibles?", r"impossibles?"),
    (r"favorables?", r"defavorables?"),
    (r"publi(?:c|cs|que|ques)", r"prive(?:s|e|es)?"),
    (r"internes?", r"externes?"),
    (r"y compris|inclus", r"hors|sauf|exclus"),
    (r"suffisante?s?", r"insuffisante?s?"),
)
"""Words that say the opposite of each other: a claim saying one where the source it
paraphrases says the other (and not the first) says the opposite (« facultative » for
« obligatoirement », « un an après » for « un an avant », « cotation B au plus » for « au
moins »)."""
ANTONYM_SHARE = 0.5


def _antonym_said(text: str, sources: list[str]) -> bool:
    """Whether ``text`` says a word whose opposite the source it paraphrases says instead.

    The source is the one sharing most content words (at least ``ANTONYM_SHARE`` of them) with
    the claim, or with one of its clauses (a claim merging two sentences: « les annexes doivent
    être signées avant le socle, qui prend effet le 1er janvier »); a denied word (« n'est pas
    facultative ») is no opposite.
    """
    pieces = [text, *(c for c in _CLAUSE.split(text) if len(content_stems(c)) >= 3)]
    if any(_opposed(piece, sources) for piece in pieces):
        return True
    # the source's own clause, when its sentence says both words of different things (« 2 %
    # … par des établissements publics …, 45 % par des établissements privés »)
    clauses = [c for s in sources for c in _CLAUSE.split(s) if len(content_stems(c)) >= 3]
    return _opposed(text, clauses)


def _opposed(text: str, sources: list[str]) -> bool:
    words = content_stems(text)
    if not words:
        return False
    shares = [len(words & content_stems(source)) / len(words) for source in sources]
    best = max(range(len(sources)), key=shares.__getitem__, default=None)
    if best is None or shares[best] < ANTONYM_SHARE:
        return False
    said = _unnegated(text)
    stated = normalised(sources[best])
    folded = normalised(text)
    for one, other in _ANTONYMS:
        for mine, theirs in ((one, other), (other, one)):
            if (
                re.search(rf"\b(?:{mine})\b", said)
                and not re.search(rf"\b(?:{theirs})\b", folded)
                and re.search(rf"\b(?:{theirs})\b", stated)
                and not re.search(rf"\b(?:{mine})\b", stated)
                and (one not in _RELATIONS or _followed_alike(mine, said, theirs, stated))
            ):
                return True
    return False


_RELATIONS = frozenset({"avant"})
"""Antonyms that relate two things: « A avant B » is « B après A », so the flip counts only
when the same thing follows (« un an après l'échéance » for « un an avant l'échéance », not
« après avis … validés » for « soumis à l'avis … avant validation »)."""
RELATED = 3
"""How many content words after « avant » / « après » say what they relate to."""


def _followed_alike(mine: str, said: str, theirs: str, stated: str) -> bool:
    """Whether ``mine`` in ``said`` and ``theirs`` in ``stated`` relate to a same word."""

    def following(pattern: str, text: str) -> set[str]:
        return {
            stem
            for match in re.finditer(rf"\b(?:{pattern})\b", text)
            for stem in [t for t in tokenize(text[match.end() :]) if content_stems(t)][:RELATED]
        }

    return bool(following(mine, said) & following(theirs, stated))


def _unnegated(text: str) -> str:
    """``text`` normalised, its negations and the word each one bears on taken out."""
    folded = normalised(text).replace("’", "'")
    return re.sub(rf"(?:{_NEGATION.pattern})\s*[\w'-]*", " ", folded)


_CLAUSE = re.compile(r"[,;:()]|\s(?:et|mais|si|lorsque|car|alors que)\s")
CLAUSE_SHARE = 0.6
_WORD = re.compile(r"[\w'’-]+")


def _same_polarity(text: str, sources: list[str], share: float, *, local: bool = False) -> bool:
    """Whether a source close to ``text`` (sharing ``share`` of its words) has its polarity.

    The sources within ``POLARITY_SLACK`` of the closest one are each a candidate: a claim
    may take its words from one sentence and its negation from the next (« si le contrat est
    de 5 ans, la durée … n'est pas modifiée » after « l'attribution d'une mission … porte la
    durée … à 5 ans »). The same word denied on one side and affirmed on the other fails
    (``polarity``). Outside ``local`` (a clause, whose source clause may deny something else),
    so does a denial the source does not make about words it does not use.
    """
    words = content_stems(text)
    if not words:
        return True
    scored = [(len(words & content_stems(source)) / len(words), source) for source in sources]
    closest = max((shared for shared, _ in scored), default=0.0)
    if closest < share:
        return True
    said = polarity(text)
    candidates = [
        source for shared, source in scored if shared >= max(share, closest - POLARITY_SLACK)
    ]
    if not local and said.denied:
        # a claim merging two sentences may take its denial from one that shares fewer words
        # (« … plus aucune visite initiale en V2007, la V2010 … 650 visites par an »)
        candidates += [
            source
            for _, source in scored
            if source not in candidates
            and _shares(said.denied - _MODAL_STEMS, polarity(source).denied - _MODAL_STEMS)
        ]
    return any(_polarity_agrees(text, said, source, local=local) for source in candidates)


POLARITY_SLACK = 0.15
_MODAL_STEMS = frozenset(tokenize("peut peuvent puisse doit doivent faut pourra pourront devra"))
"""Denied modals say nothing of what is denied (« ne peut pas être renouvelé », « ne peut
excéder »)."""


def _polarity_agrees(text: str, said: Polarity, source: str, *, local: bool) -> bool:
    stated = polarity(source)
    if said.denied & stated.affirmed - stated.denied or stated.denied & said.affirmed - said.denied:
        return False  # a word denied on one side, affirmed on the other
    if local:
        return True
    # a denial the source does not make, about words it does not use (« il n'est pas
    # nécessaire » against « il faudra »); a source's denial the claim leaves out is no fault
    return negations(text) <= negations(source) or _shares(said.denied, stated.denied)


@dataclass(frozen=True)
class Polarity:
    """The content words a sentence denies (« ne peut pas résilier ») and those it affirms."""

    denied: frozenset[str]
    affirmed: frozenset[str]


_MODALS = frozenset(
    {"utile", "necessaire", "obligatoire", "tenu", "tenus", "tenue", "tenues", "besoin", "oblige"}
)
"""Words whose denial carries over to the verb they govern (« pas nécessaire de signer »)."""
_GOVERNING = frozenset({"de", "d", "d'", "la", "le", "les", "l", "l'", "en", "y", "lui", "leur"})
_PREPOSITIONS = frozenset({"a", "au", "aux", "pour", "par", "dans", "sur", "avec", "chez", "selon"})
_PASSED = frozenset({"ete", "etre", "eu", "encore", "toujours", "vraiment", "forcement"})
"""Words between a negation and the word it denies: auxiliaries, adverbs."""
_NEGATION_WORDS = frozenset({"pas", "plus", "jamais", "rien", "guer", "aucun", "nullement", "non"})


def polarity(text: str) -> Polarity:
    """What a sentence denies: the words of each negation and the content word after it.

    A « pas » without its « ne » denies the word before it too.

    « l'ARS ne peut pas résilier le contrat » denies « peut » and « résilier »; « non
    programmées » denies « programmées ». A claim that denies a word its source affirms (or
    the reverse) does not say what the source says.
    """
    folded = fold(text).replace("’", "'")
    tokens = list(_WORD.finditer(folded))
    negated = [False] * len(tokens)
    for match in _NEGATION.finditer(folded):
        inside = [
            i for i, t in enumerate(tokens) if t.start() < match.end() and t.end() > match.start()
        ]
        content = [i for i, t in enumerate(tokens) if content_stems(t.group(0)) - _NEGATION_WORDS]
        # the word the negation bears on: past an auxiliary or an adverb (« n'a pas été
        # valablement justifiée » denies « justifiée »), not past a preposition (« ne
        # s'applique pas aux établissements » does not deny the établissements)
        after = []
        for i in range(len(tokens)):
            if tokens[i].start() < match.end():
                continue
            word = tokens[i].group(0)
            if word in _PREPOSITIONS or re.search(
                r"[,;:.()]", folded[match.end() : tokens[i].start()]
            ):
                break
            verbal = match.group(0).startswith("n")  # « pas uniquement »: the adverb is denied
            if i in content and not (verbal and (word in _PASSED or word.endswith("ment"))):
                after = [i]
                break
        # « il n'est pas utile de la déclencher »: a denied modal denies the verb it governs
        if after and tokens[after[0]].group(0) in _MODALS:
            verb = after[0] + 1
            while verb < len(tokens) and tokens[verb].group(0) in _GOVERNING:
                verb += 1
            if verb < len(tokens) and verb in content and verb - after[0] > 1:
                after.append(verb)
        # « relèvent pas » without its « ne »: the verb right before
        before = [] if match.group(0).startswith("n") else [inside[0] - 1]
        for i in inside + after + [i for i in before if i in content]:
            negated[i] = True
    denied = " ".join(t.group(0) for t, n in zip(tokens, negated, strict=True) if n)
    affirmed = " ".join(t.group(0) for t, n in zip(tokens, negated, strict=True) if not n)
    return Polarity(
        content_stems(denied) - _NEGATION_WORDS, content_stems(affirmed) - _NEGATION_WORDS
    )


_SCALES = {"million": 1e6, "milliard": 1e9}
_MONTHS = {"an": 12, "mois": 1}


def _same_amount(source: Figure, said: Figure) -> bool:
    """« 1,3 million » and « 1 300 000 », « un an » and « 12 mois »: one amount, said otherwise.

    The bound must be the same one (none, or the same).
    """
    if source.kind != "number" or said.kind != "number" or source.bound != said.bound:
        return False
    try:
        mine, theirs = float(said.value), float(source.value)
    except ValueError:
        return False
    if said.unit in _MONTHS and source.unit in _MONTHS and said.unit != source.unit:
        return mine * _MONTHS[said.unit] == theirs * _MONTHS[source.unit]
    scales = (_SCALES.get(said.unit or ""), _SCALES.get(source.unit or ""))
    if scales == (None, None) or (said.unit and source.unit and said.unit == source.unit):
        return False
    return abs(mine * (scales[0] or 1) - theirs * (scales[1] or 1)) < 0.5


def _carries(source: Figure, said: Figure) -> bool:
    if _same_amount(source, said):
        return True
    if said.kind == "code" and said.unit:  # a reference (« action 4 ») where a list says « 4 - »
        # « l'objectif 5.3 » where the list says « 5.3- Garantir … »
        return source.kind in ("code", "number") and said.value in (
            source.value,
            source.value.replace(".", ""),
        )
    if source.kind == "code" and source.unit and said.kind == "number":
        # « l'article huit » for « Article 8 »; not « plus de 3 ans » for « Engagement n°3 »
        return source.value == said.value and not said.bound and not said.measure
    if is_year(said) and source.kind == "date" and source.year == said.value:
        return True  # « fin 2024 » within « 31 décembre 2024 »
    if said.kind == "date" and len(said.value) == 2 and source.kind == "date":
        # « janvier 2023 » within « 1er janvier 2023 »
        return source.value[:2] == said.value and said.year in (None, source.year)
    if source.kind != said.kind or source.value != said.value:
        return False
    if is_year(said):
        return True  # a year's bound (« à partir de 2028 ») is read with its figure
    if said.kind == "date" and said.year and source.year and said.year != source.year:
        return False
    if said.measure and source.unit != said.unit:
        return False
    if said.unit and not said.measure and source.unit and source.measure and not is_year(said):
        return False  # « 10 indicateurs » is not « 10 % »
    if said.per and source.per and said.per != source.per:
        return False  # « 5 actes par jour » is not « 5 actes par semaine »
    if said.kind == "date":
        if said.bound and source.bound and source.bound != said.bound:
            return False  # « au plus tôt » where the source says « au plus tard »
    elif said.bound and source.bound != said.bound:
        return False
    return True


_BREAK = re.compile(
    r"[,;:()]|\s(?:et|ou|puis|mais|tandis que)\s"
    r"|(?=\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b)"
)
"""Where the words between two figures change owner: a comma, a bracket, « et », « puis »…,
or a weekday, which opens the date after it (« 7 octobre Limousin mercredi 8 octobre »)."""
_WEEKDAYS = frozenset(tokenize("lundi mardi mercredi jeudi vendredi samedi dimanche"))
"""A date's own weekday is part of the date, not words it owns."""

_RANGE = re.compile(
    r"\s*(?:-|–|a|au|et)\s*|\s*(?:[^\W\d]+\s+){0,3}?,?\s*(?:parmi|sur)\s+(?:les\s+|des\s+)?"
)
"""Two figures whose words are one: a range (« 20-25 », « de 100 à 499 »), a part of a whole
(« 2 indicateurs, parmi les 8 sur les coopérations »)."""
Owned = list[tuple[Figure, frozenset[str]]]


def owned_words(text: str) -> tuple[frozenset[str], Owned]:
    """The words before a sentence's first figure, and each figure with the words it owns.

    The words between two figures belong to the first up to the last break (comma, bracket,
    « et »), to the second after it: « du 1er juillet 2023 pour les établissements ex-DG et du
    1er janvier 2024 pour les ex-OQN »; a figure inside brackets owns the words before them
    back to the last break (« un doublement des actes de téléexpertise (96000) »). Without a
    break they belong to both, or to the one that is not a year. The words after the last
    figure are its own; an abbreviation counts as the word it shortens (« com / trimestre …
    communication »). Those before the first figure are returned apart: in a source they are
    the subject that every figure shares (« Taux de séjours … 50% 65% 65% »); in a claim, the
    first figure's.
    """
    folded = normalised(text)
    spans = located(folded)
    words: list[str] = ["" for _ in spans]
    lead = folded[: spans[0][0]] if spans else folded
    for i in range(1, len(spans)):
        between = folded[spans[i - 1][1] : spans[i][0]]
        # a figure inside brackets belongs to the words before them: « téléexpertise (96000) »,
        # « taux d'indépendance financière (cible = inférieur à 50 %) »
        bracket = between.rfind("(")
        opening = bracket > between.rfind(")")
        breaks = _BREAK.finditer(between[:bracket] if opening else between)
        cut = [m.end() for m in breaks]
        if opening and not cut and is_year(spans[i - 1][2]):
            # « la télésurveillance médicale en 2023 (100 000 actes) »: the year dates the
            # figure in brackets, whose words are the year's
            words[i] += " " + words[i - 1]
        if cut:
            words[i - 1] += " " + between[: cut[-1]]
            words[i] += " " + between[cut[-1] :]
            continue
        # no break: the words belong to both, unless one of them is a year (« la chute de 10 %
        # du nombre de femmes dépistées sur la période 2021-2024 »)
        previous, following = spans[i - 1][2], spans[i][2]
        if not is_year(previous):
            words[i - 1] += " " + between
        if is_year(previous) or not is_year(following):
            words[i] += " " + between
    if spans:  # up to a « dont » that opens the items of what it counts (« 8 caractères,
        # dont une majuscule, un chiffre »): those are not the figure's words
        words[-1] += " " + re.split(r"\bdont\b", folded[spans[-1][1] :], maxsplit=1)[0]
    for i in range(1, len(spans)):  # a range's two ends share their words: « 20-25 indicateurs »
        if _RANGE.fullmatch(folded[spans[i - 1][1] : spans[i][0]]):
            words[i - 1] = words[i] = f"{words[i - 1]} {words[i]}"
    stems = [content_stems(w) - _WEEKDAYS for w in [lead, *words]]
    whole = _unabbreviated(frozenset().union(*stems))
    stems = [frozenset(whole.get(w, w) for w in group) for group in stems]
    return stems[0], [
        (figure, group) for (_, _, figure), group in zip(spans, stems[1:], strict=True)
    ]


def _unabbreviated(vocabulary: frozenset[str]) -> dict[str, str]:
    """Abbreviations of a sentence mapped to the one longer word they begin (« com »)."""
    out: dict[str, str] = {}
    for short in vocabulary:
        longer = [w for w in vocabulary if len(short) >= 3 and w != short and w.startswith(short)]
        if len(longer) == 1:
            out[short] = longer[0]
    return out


@dataclass(frozen=True)
class _Row:
    """A row of a fiche's target table: its label's words and figures, its cells' figures."""

    words: frozenset[str]
    label: tuple[Figure, ...]
    cells: tuple[Figure, ...]


def table_rows(source: str) -> list[_Row]:
    """The rows of a target table flattened into ``source`` (none when it has fewer than two).

    A label's words are those no other label of the table uses (« grand », « intermédiaires »).
    """
    spans = row_labels(source)
    if len(spans) < 2:
        return []
    ends = [start for start, _ in spans[1:]] + [len(source)]
    labels = _labels([source[start:end] for start, end in spans])
    return [
        _Row(words, label, tuple(figures(source[end:stop])))
        for (words, label), (_, end), stop in zip(labels, spans, ends, strict=True)
    ]


def _labels(labels: list[str]) -> list[tuple[frozenset[str], tuple[Figure, ...]]]:
    """Each row label's own words (those no other label uses) and its figures."""
    stems = [content_stems(label) for label in labels]
    common = Counter(word for words in stems for word in words)
    return [
        (frozenset(w for w in words if common[w] == 1), tuple(figures(label)))
        for words, label in zip(stems, labels, strict=True)
    ]


def _year_moved(text: str, source: str) -> list[Figure]:
    """Figures a claim gives to its one year that the fiche's table gives to another year.

    « En 2027, la cible est + 80 % » where the table's 2027 column says + 60 % and 2028 + 80 %.
    The row is the claim's (``_row_of``) when the table has several.
    """
    rules = parse_table(source, doc_id="", section="") or []
    said = figures(text)
    years = {int(f.value) for f in said if is_year(f)}
    if not rules or len(years) != 1:
        return []
    rows = [_Row(words, label, ()) for words, label in _labels([r.scope.label for r in rules])]
    row = rows[0] if len(rows) == 1 else _row_of(text, rows)
    if row is None:
        return []
    # the cells' own words (« Augmentation de 20 points » each year), not their reading (a
    # cumulated + 40 in 2026)
    values = {
        t.year: {float(f.value) for f in figures(t.words) if f.kind == "number"}
        for t in rules[rows.index(row)].years
        if t.words
    }
    year = years.pop()
    if year not in values:
        return []
    others = {value for y, cell in values.items() if y != year for value in cell}
    return [
        f
        for f in said
        if f.kind == "number"
        and not is_year(f)
        and float(f.value) not in values[year]
        and float(f.value) in others
    ]


_TABLE_CLAUSE = re.compile(r"[,;:()]|\s(?:et|puis|soit|mais|dont)\s")
_TOTAL_SAID = re.compile(rf"\b(?:{CAMPAIGN_TOTAL})\b")
"""A clause giving the table's total (« soit 10 au total », « sur l'ensemble de la période »)."""
_YEARLY_SAID = re.compile(r"\b(?:chaque annee|par an|annuel\w*|tous les ans|par annee)\b")
"""A clause giving one year's value (« 2 instances chaque année »)."""
_YEAR_SPAN = re.compile(
    r"\b(20\d\d)\s*(?:-|–|a|au)\s*(20\d\d)\b|\b(?:de|entre) (20\d\d) (?:a|et) (20\d\d)\b"
)


_REFERENCE_YEAR = re.compile(
    r"\b(?:par rapport (?:a|au)|compare\w* a|vs\.?|depuis) (?:l'annee )?20\d\d\b"
)


def _years_said(clause: str) -> set[int]:
    """The years a clause names, a span (« 2025-2029 », « de 2025 à 2027 ») with its years."""
    # « + 15 % par rapport à 2025 »: a year of reference, not the one the value is for
    folded = _REFERENCE_YEAR.sub(" ", normalised(clause))
    years = {int(y) for y in re.findall(r"\b20\d\d\b", folded)}
    for match in _YEAR_SPAN.finditer(folded):
        a, b = (int(y) for y in match.groups() if y)
        years |= set(range(a, b + 1))
    return years


def _cell_moved(text: str, sources: list[str]) -> list[Figure]:
    """Figures a claim gives to years of a fiche's target table whose cells do not hold them.

    « Hors CHU, 2 documents sur 3 dès 2025 » where the 2025 column holds « 3/3 » and « 1/3 »;
    « 10 instances chaque année, soit 2 sur la période » where each year holds 2 and the total
    10. Read clause by clause: a clause without a year takes the claim's years; its figures must
    stand in those years' cells of any row (the table's total too, unless the clause gives one
    year's value; only the total when it says « au total »). A figure of a row's label (« 500
    lits ») is the row's name, not a value.
    """
    wrong: list[Figure] = []
    claimed = _years_said(text)
    # a table's rows may stand in several sentences: it is read across them
    for source in [" ".join(sources)]:
        rules = parse_table(source, doc_id="", section="")
        if not rules:
            continue
        cells: dict[int, set[float]] = {}
        for rule in rules:
            for target in rule.years:
                found = {float(f.value) for f in figures(target.words or "") if f.kind == "number"}
                cells.setdefault(target.year, set()).update(found)
        totals = {
            float(f.value)
            for rule in rules
            for f in figures(rule.total or "")
            if f.kind == "number"
        }
        named = {float(f.value) for rule in rules for f in figures(rule.scope.label)}
        for clause in _TABLE_CLAUSE.split(text):
            # a clause without a year of its own is read with the claim's years and words
            own = _years_said(clause)
            years = own or claimed
            if not years or not years <= set(cells):
                continue
            folded = normalised(clause)
            if not own and not (_TOTAL_SAID.search(folded) or _YEARLY_SAID.search(folded)):
                folded = normalised(text)
            allowed = set().union(*(cells[y] for y in years))
            if _TOTAL_SAID.search(folded) and totals:
                allowed = totals
            elif not _YEARLY_SAID.search(folded) and len(years) > 1:
                allowed |= totals
            wrong += [
                f
                for f in figures(clause)
                if f.kind == "number"
                and not is_year(f)
                and not f.ordinal
                and float(f.value) not in allowed | named
                and f not in wrong
            ]
    return wrong


_PERIODS = {
    "jour": r"par jour|quotidien\w*|chaque jour",
    "semaine": r"par semaine|hebdomadaire\w*|chaque semaine",
    "mois": r"par mois|mensuel\w*|chaque mois",
    "trimestre": r"par trimestre|trimestriel\w*|chaque trimestre",
    "semestre": r"par semestre|semestriel\w*|chaque semestre",
    "an": r"par an\b|par annee|annuel\w*|chaque annee|tous les ans",
}


def _period_of(text: str) -> set[str]:
    folded = fold(text)
    return {name for name, pattern in _PERIODS.items() if re.search(rf"\b(?:{pattern})", folded)}


def _period_changed(text: str, sources: list[str]) -> Figure | None:
    """A frequency the claim states (« par semestre ») where its source says another one.

    « la rédaction d'un Retex par établissement et par semestre » where the sentence sharing
    most of its words (at least half) says « par an ». Returned as « 1 per semester ».
    """
    said = _period_of(text)
    words = content_stems(text)
    if not said or not words:
        return None
    shares = [len(words & content_stems(s)) / len(words) for s in sources]
    best = max(range(len(sources)), key=shares.__getitem__, default=None)
    if best is None or shares[best] < 0.5:
        return None
    stated = _period_of(sources[best])
    if stated and not said & stated:
        return Figure("number", "1", per=sorted(said)[0])
    return None


_OPERATIONS = (
    ("x", re.compile(r"(?:\bmultipli\w* par|(?<!\w)[x×*])\s*(\d+(?:[.,]\d+)?)")),
    ("/", re.compile(r"(?:\bdivis\w* par|(?<![\w/])/)\s*(\d+(?:[.,]\d+)?)")),
)
"""A number a formula multiplies or divides by (« x 365 », « le tout divisé par 12 »)."""


def _operations(text: str) -> set[tuple[str, str]]:
    folded = fold(text)
    return {(op, number_key(v)) for op, pattern in _OPERATIONS for v in pattern.findall(folded)}


def _operation_moved(text: str, sources: list[str]) -> list[Figure]:
    """A number the claim multiplies by where its source divides by it, or the reverse.

    « l'ETP moyen est multiplié par 12 … divisée par 365 » where the formula reads « ETP moyen
    x 365 » and « le tout divisé par 12 ».
    """
    stated = set().union(*(_operations(s) for s in sources)) if sources else set()
    return [
        Figure("number", value)
        for op, value in _operations(text)
        if (op, value) not in stated and any(v == value and o != op for o, v in stated)
    ]


_YEAR_VALUE = re.compile(r"\b((?:19|20)\d\d)\s*:\s*\+?\s*(\d+(?:[.,]\d+)?)(?![\d-])")
"""A year and the value a list gives it: « Objectif 2027 : 840 », « 2026 : 50 »."""


def _pair_moved(text: str, sources: list[str]) -> list[Figure]:
    """The value a claim gives to its one year that the sources give to another year only.

    « l'objectif fixé pour 2027 est de 882 » where the source lists « Objectif 2027 : 840 …
    Objectif 2028 : 882 ».
    """
    pairs = {(y, number_key(v)) for s in sources for y, v in _YEAR_VALUE.findall(fold(s))}
    if not pairs:
        return []
    wrong: list[Figure] = []
    # the whole claim when it states one year; else each of its clauses stating one year
    # (« 50 % en 2025 puis 75 % en 2026 » where the list says « 2025 : 75% - 2026 : 50% »)
    for part in [text, *_CLAUSE_CUT.split(normalised(text))]:
        said = figures(part)
        years = {f.value for f in said if is_year(f)}
        if len(years) != 1:
            continue
        year = years.pop()
        given = {v for y, v in pairs if y == year}
        if not given:
            continue
        wrong += [
            f
            for f in said
            if f.kind == "number"
            and not is_year(f)
            and f not in wrong
            and number_key(f.value) not in given
            and any(v == number_key(f.value) and y != year for y, v in pairs)
        ]
    return wrong


_VALUE_IN_YEAR = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(?:%\s*)?(?:[a-z]+\s+){0,2}?en\s+((?:19|20)\d\d)\b"
)
"""A value and the year it is given for: « 142 en 2021 », « 12 % en 2024 »."""


def _value_in_year_moved(text: str, sources: list[str]) -> list[Figure]:
    """A value the claim gives to a year its sources give another value, and it another year.

    « passé de 137 en 2021 à 142 en 2023 » where the source says « 142 en 2021 ; 137 en 2023 ».
    """
    pairs = {(number_key(v), y) for s in sources for v, y in _VALUE_IN_YEAR.findall(fold(s))}
    wrong: list[Figure] = []
    for value, year in _VALUE_IN_YEAR.findall(fold(text)):
        key = number_key(value)
        if (key, year) in pairs:
            continue
        if any(v == key and y != year for v, y in pairs) and any(
            y == year and v != key for v, y in pairs
        ):
            wrong.append(Figure("number", key))
    return wrong


_BRACKETED = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(?:%\s*)?\(\s*(\d+(?:[.,]\d+)?)(?![\d.,])")
"""A figure and the one a bracket after it opens on: « contre 32 (70 pour les CHU) »."""


def _bracket_swapped(text: str, sources: list[str]) -> list[Figure]:
    """A figure and the one in the bracket after it, swapped (« contre 70 (32 pour les CHU) »)."""
    stated = {
        (number_key(a), number_key(b)) for s in sources for a, b in _BRACKETED.findall(fold(s))
    }
    return [
        Figure("number", number_key(a))
        for a, b in _BRACKETED.findall(fold(text))
        if (number_key(b), number_key(a)) in stated and (number_key(a), number_key(b)) not in stated
    ]


YEAR_LEAD = 3
"""How many content words before a year say what it dates (« la négociation conduite en »)."""


def _year_leads(text: str) -> dict[str, frozenset[str]]:
    """Each year of ``text`` with the content words before it, back to the previous figure."""
    folded = normalised(text)
    out: dict[str, frozenset[str]] = {}
    previous = 0
    for start, end, figure in located(folded):
        if is_year(figure):
            stems = [t for t in tokenize(folded[previous:start]) if content_stems(t)]
            out.setdefault(figure.value, frozenset(stems[-YEAR_LEAD:]))
        previous = end
    return out


def _years_swapped(text: str, sources: list[str]) -> list[Figure]:
    """Years the claim gives to another year's event (two swapped, or one with another's words).

    One year is moved when said with the words another year has in the sources, none of its own.

    « La négociation conduite en 2020 produira un CPOM … à compter de 2019 » where the source
    says « la négociation conduite produira, en 2019, un CPOM … à compter de 2020 »: each
    year's words in the claim are the other year's in the source, none of its own.
    """
    said = _year_leads(text)
    stated: dict[str, frozenset[str]] = {}
    for source in sources:
        for year, lead in _year_leads(source).items():
            stated[year] = stated.get(year, frozenset()) | lead
    wrong: list[Figure] = []
    # one year said with the words another year has in the sources, none of its own
    # (« sécuriser les recettes historiques de 2023 » where the source says « … de 2022 »)
    for year, mine in said.items():
        own = len(mine & stated.get(year, frozenset()))
        rival = max(
            (len(mine & theirs) for other, theirs in stated.items() if other not in said),
            default=0,
        )
        if own == 0 and rival >= YEAR_LEAD - 1:
            wrong.append(Figure("number", year))
    if len(said) < 2:
        return wrong
    for one, mine in said.items():
        for other, theirs in said.items():
            if one >= other or one not in stated or other not in stated:
                continue
            if (
                mine & stated[other]
                and theirs & stated[one]
                and not mine & stated[one]
                and not theirs & stated[other]
            ):
                wrong += [Figure("number", one), Figure("number", other)]
    return wrong


def number_key(text: str) -> str:
    """A number as compared: « 12,50 », « 12.5 » and « 012,5 » are « 12.5 »; spaces dropped."""
    value = text.replace(",", ".").replace(" ", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value.lstrip("0") or "0"


def _row_of(text: str, rows: list[_Row]) -> _Row | None:
    """The one row a claim speaks of, by its label's own words and figures (« 100 à 499 lits »).

    None when no row stands out, or when the claim names two rows by their words or figures.
    """
    words, said = content_stems(text), figures(text)
    named = [row for row in rows if row.words & words]
    sized = [
        row
        for row in rows
        if any(
            _carries(f, s)
            and not any(_carries(g, s) for other in rows if other is not row for g in other.label)
            for f in row.label
            for s in said
        )
    ]  # rows named by a figure of their label that no other label holds
    if len(named) > 1 or len(sized) > 1:  # « plus de 500 lits … ceux de 100 à 499 lits »
        return None
    scores = [
        len(row.words & words) + sum(any(_carries(f, s) for f in row.label) for s in said)
        for row in rows
    ]
    best = max(scores, default=0)
    return rows[scores.index(best)] if best and scores.count(best) == 1 else None


def _other_row(figure: Figure, row: _Row, rows: list[_Row]) -> bool:
    """Whether a table gives ``figure`` to another row than the claim's, not to its own."""
    if any(_carries(f, figure) for f in (*row.label, *row.cells)):
        return False
    return any(_carries(f, figure) for other in rows if other is not row for f in other.cells)


def reattached(text: str, sources: Iterable[str]) -> list[Figure]:
    """Figures of ``text`` that the sources state, but with other words than the claim's.

    « La région a compté 100 000 actes de téléexpertise » where the source gives « téléexpertise
    (96000) » and « télésurveillance (100 000 actes) »: for each source sentence stating the
    figure, the claim's words around it (its subject left out) are compared with the words each
    figure owns there (``owned_words``). The figure is reattached when, in every such sentence,
    another figure owns more of them than the figure itself.
    """
    sources = list(sources)
    read = [owned_words(source) for source in sources]
    tables = [bool(parse_table(source, doc_id="", section="")) for source in sources]
    lead, claimed = owned_words(text)
    stated = {figure.value for figure, _ in claimed}
    closest = _closest(text, sources)
    wrong: list[Figure] = []
    for i, (figure, words) in enumerate(claimed):
        reference = figure.kind == "code" and figure.unit is not None  # « annexe 2 »
        if is_year(figure) and closest is not None and _elsewhere(figure, read[closest][1], stated):
            wrong.append(figure)
        if (figure.kind == "code" and not reference) or is_year(figure) or figure.ordinal:
            continue  # a year says when, a rank which one: each is checked with its figure
            # (a year, with the sentence paraphrased too: above)
        words = words | lead if i == 0 else words
        # a target table's cells own no words (its columns say their year, its rows their
        # scope): its figures are checked by the table's reading (``_cell_moved``)
        verdicts = [
            None if table else _owner_holds(figure, words - subject, owned, stated)
            for (subject, owned), table in zip(read, tables, strict=True)
        ]
        moved = not reference and False in verdicts and True not in verdicts
        moved = moved or (not reference and _swapped(figure, words, read, stated))
        moved = moved or (reference and _said_of_another(figure, words, sources, stated))
        if moved or (closest is not None and _elsewhere(figure, read[closest][1], stated)):
            wrong.append(figure)
    wrong += [f for f in _year_moved(text, " ".join(sources)) if f not in wrong]
    wrong += [f for f in _pair_moved(text, sources) if f not in wrong]
    wrong += [f for f in _value_in_year_moved(text, sources) if f not in wrong]
    wrong += [f for f in _years_swapped(text, sources) if f not in wrong]
    wrong += [f for f in _bracket_swapped(text, sources) if f not in wrong]
    if period := _period_changed(text, sources):
        wrong.append(period)
    wrong += [f for f in _operation_moved(text, sources) if f not in wrong]
    wrong += [f for f in _split_source(text, sources) if f not in wrong]
    wrong += [f for f in _date_of_other(text, sources) if f not in wrong]
    wrong += [f for f in _clause_moved(text, sources) if f not in wrong]
    wrong += [f for f in _timeline_moved(text, sources) if f not in wrong]
    wrong += [f for f in _noun_swapped(text, sources) if f not in wrong]
    wrong += [f for f in _cell_moved(text, sources) if f not in wrong]
    for rows in filter(None, map(table_rows, sources)):
        row = _row_of(text, rows)
        # a claim naming two rows (« 5 projets pour les plus de 500 lits et 2 pour ceux de 100
        # à 499 lits ») is read clause by clause, each with the row it names
        parts = [(text, row)] if row is not None else _rows_by_clause(text, rows)
        for part, named in parts:
            wrong += [
                f
                for f in figures(part)
                if not is_year(f) and f not in wrong and _other_row(f, named, rows)
            ]
    return wrong


def _rows_by_clause(text: str, rows: list[_Row]) -> list[tuple[str, _Row]]:
    """The claim's pieces between two « et », « , » or « ; », each with the one row it names."""
    pieces = re.split(r"[,;]|\s(?:et|puis)\s", text)
    out: list[tuple[str, _Row]] = []
    for piece in pieces:
        row = _row_of(piece, rows)
        if row is not None:
            out.append((piece, row))
    return out


_CLAUSE_CUT = re.compile(
    r"(?<!\d),|,(?!\d)|[;:«»\"]|(?:^|\s)-\s"
    r"|[\s(](?:et|ou|puis|mais|dont|tandis que|alors que|contre|au lieu d'|au lieu de)\s"
)
"""Where a clause ends: a punctuation mark, a list's dash, a conjunction (not a bracket: « le
cadre d'orientation stratégique (COS) sur 10 ans » is one clause)."""
DENSE = 4
"""A source sentence with this many figures of a kind and no comma is a table or a list
flattened: its clauses do not say which words go with which figure."""
_DURATIONS = frozenset({"an", "annee", "mois", "semaine", "jour", "heure", "minute"})
CLAUSE_MARGIN = 2
"""How many more of the claim's clause words a rival figure's clause must hold."""


def figure_clauses(text: str, *, widen: bool = False) -> list[tuple[Figure, frozenset[str]]]:
    """Each figure of ``text`` with the content words of its clause (between two cuts).

    « Le COS sur 10 ans qui détermine …, d'un SRS sur 5 ans qui fixe … »: 10 goes with « COS »
    and « détermine », 5 with « SRS » and « fixe », whichever side of the figure they stand.
    With ``widen`` (a claim), a clause saying nothing but its figure (« …, avec 96 000 actes »)
    takes the clause before it, whose subject it completes.
    """
    folded = normalised(text)
    cuts = [m.span() for m in _CLAUSE_CUT.finditer(folded)]
    spans = located(folded)
    units = {figure.unit for _, _, figure in spans if figure.measure}  # « an », « mois », « % »
    out: list[tuple[Figure, frozenset[str]]] = []
    for start, end, figure in spans:
        begin = max((e for s, e in cuts if e <= start), default=0)
        stop = min((s for s, e in cuts if s >= end), default=len(folded))
        words = content_stems(folded[begin:stop]) - _WEEKDAYS - units
        if widen and len(words - {figure.unit}) < THIN_CLAUSE and begin > 0:
            before = max((e for s, e in cuts if e < begin and s < begin - 1), default=0)
            sibling = any(  # « en décembre 2011 ou en janvier 2012 »: the clause is another's
                before <= s and e <= begin and not is_year(f) for s, e, f in spans
            )
            if not sibling:
                words |= content_stems(folded[before:begin]) - _WEEKDAYS - units
        out.append((figure, words))
    return out


THIN_CLAUSE = 2
"""Fewer content words than this (its unit left out), a claim's clause says nothing of its own."""


def _dimension(figure: Figure) -> str:
    """What a figure measures, for rivals: a duration, a rate, a count, a date, a code."""
    if figure.kind != "number":
        return figure.kind
    if figure.measure and figure.unit in _DURATIONS:
        return "duration"
    return f"measure:{figure.unit}" if figure.measure else "count"


def _clause_moved(text: str, sources: list[str]) -> list[Figure]:
    """Figures the claim says in the clause where its sources say another figure of the kind.

    « Le COS couvre 5 ans et le SRS 10 ans » where the source gives « COS sur 10 ans » and
    « SRS sur 5 ans »; « la demande … quatre mois avant l'échéance » where « un an avant leur
    échéance » and « un délai de quatre mois à compter de sa réception »: of the words that one
    figure's clause alone holds in the sources, the claim's clause shares ``CLAUSE_MARGIN`` more
    with a rival's than with its own figure's.
    """
    read = [figure_clauses(source) for source in sources]
    said = figure_clauses(text, widen=True)
    wrong: list[Figure] = []
    for figure, words in said:
        if is_year(figure) or figure.ordinal or figure.kind == "code":
            continue
        if any(
            other is not figure and mine == words and _dimension(other) == _dimension(figure)
            for other, mine in said
        ):
            continue  # « passé de 142 en 2021 à 137 »: one clause, its words said of both
        kin_by_source = [
            [
                (other, mine)
                for other, mine in pairs
                if not is_year(other)
                and not other.ordinal
                and _dimension(other) == _dimension(figure)
            ]
            for pairs in read
        ]
        carrying = [
            i for i, pairs in enumerate(kin_by_source) if any(_carries(o, figure) for o, _ in pairs)
        ]
        if not carrying or any(
            len(kin_by_source[i]) >= DENSE and not re.search(r"[,;]", sources[i]) for i in carrying
        ):
            continue
        kin = [pair for pairs in kin_by_source for pair in pairs]
        count = Counter(word for _, mine in kin for word in mine)

        own = max(_alone(words & mine, count) for other, mine in kin if _carries(other, figure))
        rival = max(
            (
                _alone(words & mine, count)
                for other, mine in kin
                if not _carries(other, figure) and other.value != figure.value
            ),
            default=0,
        )
        if rival >= own + CLAUSE_MARGIN:
            wrong.append(figure)
    return wrong


def _noun_swapped(text: str, sources: list[str]) -> list[Figure]:
    """Counts the claim gives to the noun another count of the sources counts.

    « 3 quantitatifs et 27 déclaratifs » where the source says « 27 quantitatifs et 3
    déclaratifs »; « quatre annexes » where it says « quatre parties … les trois annexes »: the
    figure stands in the sources before other nouns only, and another figure before its noun.
    """
    read = [f for source in sources for f in figures(source) if _counted(f)]
    wrong: list[Figure] = []
    for figure in figures(text):
        if not _counted(figure) or not (noun := _noun(figure)):
            continue
        same = [f for f in read if _carries(f, figure)]
        if not same or any(_noun(f) & noun or not f.unit for f in same):
            continue  # « parmi les 8 sur les coopérations »: no noun of its own to compare
        if any(re.search(rf"(?<![\d.,])\b{figure.value}\s+[A-ZÀ-Ý]", s) for s in sources):
            continue  # « … 16 Établissements intermédiaires »: a table's cell, then a row's label
        if any(_noun(f) & noun and f.value != figure.value for f in read):
            wrong.append(figure)
    return wrong


def _counted(figure: Figure) -> bool:
    """A plain count: a number of things, not a year, a rank, a measure or a reference."""
    return (
        figure.kind == "number"
        and not is_year(figure)
        and not figure.ordinal
        and not figure.measure
    )


def _noun(figure: Figure) -> frozenset[str]:
    """What a count counts: the noun right after it, or its first words (« 1 en création »)."""
    return frozenset({figure.unit}) if figure.unit else figure.near


_TIMELINE_YEAR = re.compile(r"(?:^|\s)((?:19|20)\d\d)\s*:?\s+(?=[A-ZÀ-Ý])")
"""A year opening a step of a timeline (« 2027 Finalisation d'un plan … 2028 Mise en œuvre »)."""
TIMELINE_STEP = 3
"""The content words each step of a timeline says at least."""


def _timeline_moved(text: str, sources: list[str]) -> list[Figure]:
    """The year a claim gives to a step that a timeline of its sources gives to another year.

    « La mise en œuvre … est attendue dès 2027 » where the source reads « 2027 Finalisation
    d'un plan d'actions … 2028 Mise en œuvre effective … »: each year owns the words after it, up
    to the next year; the claim's words go with another year's step, ``CLAUSE_MARGIN`` more
    than with its own year's.
    """
    years = {f.value for f in figures(text) if is_year(f)}
    if len(years) != 1:
        return []
    year = years.pop()
    words = content_stems(text)
    for source in sources:
        starts = list(_TIMELINE_YEAR.finditer(source))
        if len({m.group(1) for m in starts}) < 2 or year not in {m.group(1) for m in starts}:
            continue
        ends = [m.start() for m in starts[1:]] + [len(source)]
        steps = [
            (m.group(1), content_stems(source[m.end() : end]))
            for m, end in zip(starts, ends, strict=True)
        ]
        if min(len(step) for _, step in steps) < TIMELINE_STEP:
            continue  # a table's cells (« > 2024 Echographies : > 2025 »), not steps
        count = Counter(word for _, step in steps for word in step)
        own = max(_alone(words & step, count) for y, step in steps if y == year)
        rival = max((_alone(words & step, count) for y, step in steps if y != year), default=0)
        if rival >= own + CLAUSE_MARGIN:
            return [Figure("number", year)]
    return []


def _alone(words: frozenset[str], count: Counter[str]) -> int:
    """How many of ``words`` one clause alone holds (``count``: in how many clauses each is)."""
    return sum(1 for word in words if count[word] == 1)


_DATED = re.compile(
    r"(?:^|\s)([a-z][a-z'-]{2,})\s+(?:(?:n ?°|no)\s*[\w/.-]+\s+(?:[a-z]{2}\s+)?)?du\s*$"
)
"""The noun a date is the date of: « décision n° 2009-584 DC du », « loi du »."""


def _dated_nouns(text: str) -> dict[str, str]:
    """Each date of a text (its value) with the noun it dates (« décision du 16 juillet »)."""
    folded = normalised(text)
    out: dict[str, str] = {}
    for start, _, figure in located(folded):
        if figure.kind != "date":
            continue
        match = _DATED.search(folded[max(0, start - 60) : start])
        if match:
            out.setdefault(figure.value, next(iter(tokenize(match.group(1))), match.group(1)))
    return out


def _date_of_other(text: str, sources: list[str]) -> list[Figure]:
    """A date said of a thing that the source gives to another thing it dates otherwise.

    « Sa décision du 21 juillet 2009 » where the source dates « la loi … du 21 juillet 2009 »
    and « sa décision … du 16 juillet 2009 ».
    """
    said = _dated_nouns(text)
    if not said:
        return []
    stated: dict[str, str] = {}
    for source in sources:
        for value, noun in _dated_nouns(source).items():
            stated.setdefault(value, noun)
    return [
        Figure("date", value)
        for value, noun in said.items()
        if value in stated and stated[value] != noun and noun in stated.values()
    ]


SPLIT_CARRIER = 0.3
SPLIT_WORDS = 0.5


def _split_source(text: str, sources: list[str]) -> list[Figure]:
    """Figures taken from one sentence and said of what another sentence is about.

    « Le décret n° 2016-1505 du 8 novembre 2016 … porte sur les contrats pluriannuels » where
    the sentence giving that décret speaks of the service public hospitalier and another one,
    giving another décret, of the contrats pluriannuels: the sentences that state all the
    claim's figures share under ``SPLIT_CARRIER`` of its words, another one ``SPLIT_WORDS``.
    """
    said = [f for f in figures(text) if not is_year(f)]
    words = content_stems(text)
    if not said or len(words) < 4:
        return []
    read = [figures(s) for s in sources]
    shares = [len(words & content_stems(s)) / len(words) for s in sources]
    carriers = [
        i for i, found in enumerate(read) if all(any(_carries(g, f) for g in found) for f in said)
    ]
    if not carriers or max(shares[i] for i in carriers) >= SPLIT_CARRIER:
        return []
    return said[:1] if max(shares) >= SPLIT_WORDS else []


def _closest(text: str, sources: list[str]) -> int | None:
    """The source sentence the claim paraphrases: the one sharing most (``PARAPHRASE``) words.

    Its figures count as half words: of two sentences alike, the one stating the claim's
    figures; but words weigh more than a figure taken from elsewhere.
    """
    words, said = content_stems(text), figures(text)
    size = max(len(words) + len(said) / 2, 1)
    shares = [
        (
            _overlap(words, content_stems(s))
            + sum(any(_carries(f, g) for f in figures(s)) for g in said) / 2
        )
        / size
        for s in sources
    ]
    best = max(range(len(shares)), key=shares.__getitem__, default=None)
    return best if best is not None and shares[best] >= PARAPHRASE else None


PARAPHRASE = 0.6
MARGIN = 2
"""How many more of the claim's words a rival figure must own for the figure to be moved."""


def _elsewhere(figure: Figure, owned: Owned, stated: set[str]) -> bool:
    """Whether the paraphrased sentence states another figure of the same kind, not this one.

    « L'annexe financière est en annexe 1 » where that sentence says « annexe 2 » and another
    one « le socle … annexe 1 »: the figure comes from elsewhere. A year is checked against the
    years of that sentence only (« le guide de la HAS … publié en 2013 » where that sentence says
    « En 2017 » and 2013 dates a report of another one), whatever word follows it.
    """
    figures_there = [other for other, _ in owned]
    if any(_carries(other, figure) for other in figures_there):
        return False
    return any(
        other.kind == figure.kind
        and is_year(other) == is_year(figure)
        and other.value not in stated
        and (
            other.unit == figure.unit
            or _dimension(other) == _dimension(figure) == "duration"
            or figure.kind == "date"
            or is_year(figure)
        )
        for other in figures_there
    )


def _owner_holds(
    figure: Figure, words: frozenset[str], owned: Owned, stated: set[str]
) -> bool | None:
    """Whether no rival owns ``MARGIN`` more of ``words`` than the figure (None: not stated).

    Only words that one figure of the source owns alone are counted, and a rival whose value
    the claim states too is no rival: the claim may just say both in another order. The
    margin leaves a paraphrase one word borrowed from elsewhere in the sentence (« 2
    indicateurs de coopération sont obligatoires » where « obligatoires » goes with the total).
    """
    count = Counter(word for _, mine in owned for word in mine)
    words = frozenset(word for word in words if count[word] == 1)
    own = [len(words & mine) for other, mine in owned if _carries(other, figure)]
    if not own:
        return None
    rivals = [
        len(words & theirs)
        for other, theirs in owned
        if other.value not in stated
        and (other.kind, is_year(other), other.ordinal) == (figure.kind, False, False)
    ]
    return max(own) + MARGIN > max(rivals, default=0)


def _swapped(
    figure: Figure,
    words: frozenset[str],
    read: list[tuple[frozenset[str], Owned]],
    stated: set[str],
) -> bool:
    """Whether the claim says a rival's own word and none of the figure's own words.

    « Le décret 2010-439 … porte sur la CME des établissements privés » where the source gives
    « 2010-439 … publics » and « 2010-1325 … privés »: each figure of the kind owns a word no
    other one does; the claim takes the rival's (a word found nowhere else in the sources) and
    drops the figure's.
    """
    owned = [pair for _, pairs in read for pair in pairs]
    kin = [
        (other, mine)
        for other, mine in owned
        if (other.kind, is_year(other), other.ordinal) == (figure.kind, False, False)
    ]
    count = Counter(word for _, mine in kin for word in mine)
    anywhere = Counter(word for _, mine in owned for word in mine)
    anywhere.update(word for lead, _ in read for word in lead)
    mine = frozenset(
        w for other, theirs in kin if _carries(other, figure) for w in theirs if count[w] == 1
    )
    if not mine or words & mine:
        return False
    return any(
        words & frozenset(w for w in theirs if anywhere[w] == 1)
        for other, theirs in kin
        if other.value not in stated and not _carries(other, figure)
    )


SAID_OF_ANOTHER = 3
"""How many words owned by another reference alone, and how many times more than its own, put
a reference with the wrong thing."""


def _said_of_another(
    figure: Figure, words: frozenset[str], sources: list[str], stated: set[str]
) -> bool:
    """Whether the claim says of a reference what its source says of another of the same kind.

    « L'article 107 du Traité admet les compensations … » where the source says « si l'article
    107 du Traité … interdit les aides d'État, l'article 106 admet les compensations … »: of the
    words only one article owns in the source, the claim takes at least ``SAID_OF_ANOTHER`` of
    those of article 106, that many times more than article 107's own. A reference keeps a
    word of its own source (« du Traité ») when a sentence moves it: one shared word does not
    hold it. The rival's words are its own only when it opens its clause (« , l'article 106
    admet »): in a flattened table (« … cahier des charges Annexe 3 - Enquête … »), the words
    after a reference are the next row's.
    """
    kin = [
        (other, mine, subject)
        for source in sources
        for (other, mine), subject in zip(
            owned_words(source)[1], _clause_subjects(source), strict=True
        )
        if other.kind == figure.kind and other.unit == figure.unit
    ]
    count = Counter(word for _, mine, _ in kin for word in mine)
    own = max(
        (
            len(words & {w for w in mine if count[w] == 1})
            for other, mine, _ in kin
            if _carries(other, figure)
        ),
        default=None,
    )
    if own is None:
        return False
    rival = max(
        (
            len(words & {w for w in theirs if count[w] == 1})
            for other, theirs, subject in kin
            if subject and other.value not in stated and not _carries(other, figure)
        ),
        default=0,
    )
    return rival >= SAID_OF_ANOTHER and rival >= SAID_OF_ANOTHER * own


_OPENS_CLAUSE = re.compile(
    r"(?:^|[,;:.(]|\b(?:si|et|mais|alors que|tandis que|ou))\s*(?:l'|le|la|les)\s*$"
)
"""A reference that opens its clause with its article (« , l'article 106 admet »)."""


def _clause_subjects(text: str) -> list[bool]:
    """For each figure of ``text`` (in ``owned_words``' order), whether it opens its clause."""
    folded = normalised(text)
    return [bool(_OPENS_CLAUSE.search(folded[:start])) for start, _, _ in located(folded)]
