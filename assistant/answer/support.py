"""Do the guides answer? A decision from retrieval evidence, before any model speaks.

Signals, all computed on the passages an answer cites, combined by a logistic model fitted on
the dev set (``assistant/answer/refusal.py``; no single signal vetoes an answer):

- **named things**: the proper nouns, acronyms, codes and numbers of the question ("Toulouse",
  "Bretagne", "2030", "OS 23") must appear in the cited passages; a question about a place,
  a year or an indicator the guides never mention is not answered by a passage about
  something else;
- **coverage**: the share of the question's topic words (weighted by their rarity in the
  corpus) found in the cited passages must reach a threshold.

- **kind of answer**: a question asking for an amount, a name, a date or a count needs one;
- **region and period** named by the question against the cited document's;
- **unknown words**: the share of the question's weight on words no guide holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer.evidence import Evidence, guides_words
from assistant.answer.intent import asked_type
from assistant.answer.lines import asks_text
from assistant.answer.models import Answer
from assistant.answer.refusal import refusal_model
from assistant.answer.terms import question_terms, question_words
from assistant.corpus.catalog import load_catalog
from assistant.corpus.places import place_said
from assistant.corpus.regions import region_said
from assistant.errors import AssistantError
from assistant.index.statistics import corpus_stats
from assistant.kb.codes import CODE_IN_TEXT
from assistant.retrieval.query import query_router
from assistant.text.figures import Figure, figures, is_year
from assistant.text.french import FIGURE_WORDS, fold, tokenize

MIN_COVERAGE = 0.45
"""Share of the question's term weight the cited passages must hold."""
ON_TOPIC = 0.3
"""A sentence of an answer is on the question's topic when it holds this share of its terms."""
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_PERIOD = re.compile(r"\b((?:19|20)\d\d)\s*[-–/]\s*((?:19|20)\d\d)\b")
_DOCUMENT_YEARS: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def document_years(index: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The periods (« 2015-2018 ») and the single years (« 2012 ») that name the documents.

    A question writing « CPOM 2020-2024 » or « le guide de 2012 » names a document, not a year
    it asks about; but once « 2015-2018 » names the document, a « cible 2018 » beside it asks
    about that year.
    """
    key = id(index.chunks)
    if key not in _DOCUMENT_YEARS:
        named = {f"{c.period} {c.title}" for c in index.chunks.values()}
        named |= _catalog_dates(index)  # « le guide ARA de 2019 »: the year it was issued
        periods = {f"{a}-{b}" for text in named for a, b in _PERIOD.findall(text)}
        singles = {y for text in named for y in _YEAR.findall(_PERIOD.sub(" ", text))}
        _DOCUMENT_YEARS[key] = (frozenset(periods), frozenset(singles))
    return _DOCUMENT_YEARS[key]


def _catalog_dates(index: Any) -> set[str]:
    """The years the documents were issued, outside any document's period.

    « le guide ARA de 2019 » names the 2020-2024 guide; the current guide, issued in 2025 for
    2025-2029, leaves « 2025 » a year asked about.
    """
    try:
        docs = load_catalog(Path(index.settings.corpus_dir))
    except (AssistantError, AttributeError):
        return set()
    spans = [(int(a), int(b)) for d in docs for a, b in _PERIOD.findall(d.period)]
    issued = {year for d in docs for year in _YEAR.findall(d.date)}
    return {y for y in issued if not any(a <= int(y) <= b for a, b in spans)}


def year_missing(question: str, answer_text: str, index: Any) -> bool:
    """Whether the question asks about a year (not a document's) that the answer never says.

    « la cible 2030 », « la campagne 2030-2034 », « les valeurs 2026 », « la cible 2018 du CPOM
    2015-2018 »: an answer without that year (a legal text's date aside) is about another one.
    """
    periods, singles = document_years(index)
    # a document's period names it; the years written on their own are asked about, unless
    # they are a document's own year (« le guide de 2012 »)
    alone = _PERIOD.sub(lambda m: " " if f"{m[1]}-{m[2]}" in periods else m[0], question)
    asked = set(_YEAR.findall(alone)) - singles
    if not asks_text(question):
        # « en 2022 » is not said by « Vu le décret du 20 avril 2022 »: the text's own date
        answer_text = _TEXT_DATE.sub(" ", fold(answer_text))
    said = set(_YEAR.findall(answer_text))
    # « c'est 2024 ou 2025 ? »: one year of the choice offered is enough
    for choice in _YEAR_CHOICE.finditer(alone):
        if said & {choice[1], choice[2]}:
            asked -= {choice[1], choice[2]}
    return bool(asked - said)


_YEAR_CHOICE = re.compile(r"\b((?:19|20)\d\d)\s+ou\s+(?:en\s+)?((?:19|20)\d\d)\b")
"""Two years offered as a choice (« la période de référence c'est 2024 ou 2025 ? »)."""


GENERIC_NAMED = frozenset(
    tokenize("ARS CPOM CH CHU CLCC ESPIC HAD SMR USLD MCO PRS GHT Occitanie CT OS")
)
"""Named terms too common in the guides to tell a question apart (categories, the agency)."""
_ASKS_MONEY = re.compile(
    r"\b(montant|tarifs?|salaire\w*|prix|cout\w*|coute\w*|budget|remuneration|"
    r"combien d'euros|bonus|prime)\b|combien (?:en |d')?(?:€|euros?\b)|"
    r"\b(?:factur\w*|pay\w*|rembours\w*|rapporte\w*|touche\w*|verse\w*) combien\b|"
    r"\bcombien (?:on |l'on )?(?:factur\w*|pay\w*|rembours\w*|rapporte\w*|touche\w*)\b|"
    r"\b(?:enveloppe|credits?|financement|dotation)\b(?:(?!\bet\b)[^?;])*\bcombien\b|"
    r"\bcombien\b(?:(?!\bet\b)[^?;])*\b(?:enveloppe|credits?|financement|dotation)\b|"
    r"\b(?:financ\w*|allou\w*|econom\w*|subventionn\w*) (?:de )?combien\b|"
    r"\b(?:ars|agence)\b[^?]{0,20}\b(?:donn\w*|attribu\w*|aid\w*|verse\w*) (?:de )?combien\b"
)
"""« quel montant », « combien d'euros », « l'ARS finance combien », « ont fait économiser
combien »: an amount, in euros."""
_ASKS_HOW = re.compile(
    r"\b(?:comment|selon quel(?:le)?s? (?:formules?|modalites?|regles?|methodes?))\b"
)
_ASKS_SHARE = re.compile(
    r"combien de (?:%|pour ?cent)|\bquel(?:le)? (?:pourcentage|part|taux|proportion)\b|"
    r"\bquel(?:le)? ?%"
)
"""« quel % des patients », « quelle part », « combien de % »: a share is asked."""
_SHARE = re.compile(r"%|\bpour ?cent\b")
_WHO_SETS = re.compile(r"\bqui (?:arrete|fixe|decide|signe|valide|verse|paie|finance|determine)\b")
"""« en USLD qui arrête le tarif soins ? » asks who sets it, not its amount."""
_MONEY = re.compile(r"€|\beuros?\b")
"""An amount is in euros (« 1 million d'actes » is a count, « 2 millions d'euros » an amount)."""
_ASKS_CONTACT = re.compile(
    r"\b(?:(?:numero de )?telephone|numero de tel|hotline|numero (?:de |d')?(?:support|contact)|"
    r"adresse (?:mail|e-mail|electronique|postale)|"
    r"e-?mail|courriel)\b"
)
_CONTACT = re.compile(r"\b0\d(?:[ .]?\d\d){4}\b|@|\b\d{5}\s+[A-Z]")
_ASKS_PERSON = re.compile(
    r"\b(comment s'appelle|quel est le nom|nom du|nom de la|"
    r"(?:qui (?:est|etait|sont|etaient)|c'est qui|c'etait qui) (?:le|la|l'|les)|"
    r"qui (?:presid|dirig)\w*)\b"
)
_ASKS_BODY = re.compile(
    r"\s*(?:\w+ )?(?:partenaires?|pilot\w*|porteurs?|acteurs?|financeurs?|organismes?|structures?|"
    r"operateurs?|instances?|signataires?|co-?contractants?)\b"
)
"""« c'est qui les partenaires », « qui sont les signataires »: bodies, not a person's name."""
_ASKS_PRODUCT = re.compile(
    r"\bquel(?:le)?s? (?:logiciels?|prestataires?|capteurs?|marques?|editeurs?|fournisseurs?)\b|"
    r"\bquel(?:le)? (?:outil|solution|application)\b"
)
"""« quel logiciel », « quel prestataire », « quel outil »: a product or a firm, named (« quels
outils » asks the resources given: guides, a FAQ…)."""
_PROPER = re.compile(
    r"\b(?:via|par|avec|de|du|des|la|le|l'|d'|sur|outil|logiciel|plateforme|application|solution|"
    r"questionnaire|prestataire|editeur|fournisseur|capteur|marque|societe)"
    r",? (?:[A-ZÀ-Ý][a-zà-ÿ]+|[A-Za-z-]*[A-Z][a-z-]*[A-Z][\w-]*)(?![\w-])"
)
"""A name inside a sentence: a capital after a word that introduces one (« via DocuSign »,
« l'outil e-CARS », « de la HAS »), not the capital that opens a sentence or a table cell
(« … cible attendue Pour tous les établissements »)."""
_PERSON = re.compile(
    r"\b(?:M\.|Mme|Monsieur|Madame)\s|"
    r"\b(?!(?:Le|La|Les|Un|Une|Des|Du|De|Au|Aux|Ce|Cet|Cette|Ces|Son|Sa|Ses|Et|En|Par|Mail|"
    r"Tel|Tél|Contact|Support|Direction|Pôle|Service|Département|Délégation|Agence|Mission|"
    r"Cellule|Référente?|Responsable|Directeur|Directrice|Conseil|Comité|Commission|Cible|Pour|"
    r"Nombre|Taux|Total|Source|Indicateur|Objectif|Annexe|Article|Région|Santé|Centre)\s)"
    r"[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?\s+[A-ZÀ-Ý]{2,}\b"
)
"""A person: « Monsieur … », or a first name and a surname in capitals (« Didier JAFFRE »),
not an article before an acronym (« Le CPOM »)."""
_ASKS_PERCENT = re.compile(
    r"\bquel(?:le)?(?: est (?:le|la))? (?:taux|pourcentage|part|proportion)\b|"
    r"\bquel (?:pourcentage|taux)\b|\bquel(?:le)? ?%|\bcombien de (?:%|pour ?cent)|"
    r"\b(?:quoi|quel(?:le)? (?:est|etait)) (?:le|la) (?:taux|pourcentage|part|proportion)\b"
    r"(?=[^?]*\b(?:19|20)\d\d\b)"
)
"""« quel taux », « c'était quoi le taux … en 2024 » (a rate at a year, not its definition)."""
_PERCENT = re.compile(r"%|pour ?cent|\bpoints?\b")
_ASKS_VALUE = re.compile(
    r"\b(?:de combien|a combien|"
    r"(?:est|sont|vaut|valent|fait|font|monte|s'eleve) (?:a |de )?combien|"
    r"quel(?:le)? (?:est (?:le|la) |etait (?:le|la) )?(?:valeur|coefficient|montant|seuil|"
    r"plafond)\b|(?:quoi|quelle est|quelle etait) la valeur (?:du|de la|de l'|des)\b)"
)
"""« il est de combien », « de combien », « quel coefficient »: a value, written in figures."""
_ASKS_TARGET = re.compile(
    r"\b(?:quel(?:le)? (?:est|etait) (?:la|sa)|quoi (?:la|sa)|quelle) cibles?\b"
)
"""« quelle est la cible », « c'était quoi la cible »: a target, figures or the step it names."""
_TARGET_SAID = re.compile(r"\bcibles? (?:attendue?s? )?(?:est|sont|:|de|du|fixee?s?)\b|\bviser\b")
_OUTLINE = re.compile(r"(?<![\w.,])\d+(?:\.\d+)*\s?-(?=\s)")
"""An outline's number (« 1.2- Rationaliser … »): a place in a plan, not a value."""
_VALUE = re.compile(rf"\d|\b(?:{FIGURE_WORDS})\b")
_ASKS_DATE = re.compile(
    r"\b(quand|quelle date|quelles dates|a quel moment|jusqu'a quand|quel jour|"
    r"date (?:limite|butoir)|(?:dans|sous|en) (?:quel|combien de) delai)\b(?! (?:bien )?meme\b)"
)
"""« quand », « date limite », « dans quel délai » (not « ça passe quand même ? »)."""
_TEXT_DATE = re.compile(
    r"\b(?:decret|arrete|loi|circulaire|instruction|ordonnance|note|lettre|decision|deliberation)"
    r"\b[^.;]{0,60}?\bdu (?:\d{1,2}(?:er)?|premier) [a-z]+ \d{4}\b"
)
"""A text's own date (« l'arrêté du 19 février 2009 »): when it was signed, not a deadline."""
_DATE = re.compile(
    rf"\b(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|"
    rf"decembre|\d{{4}}|mi-parcours|moitie|echeance|annuel\w*|semestr\w*|trimestr\w*)\b|"
    rf"\b(?:\d+|un|une|{FIGURE_WORDS})\s+(?:jours?|mois|ans?|annees?|semaines?)\b|"
    rf"\d{{1,2}}/\d{{1,2}}"
)
_DAY = re.compile(
    r"\b\d{1,2}(?:er)? (?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|"
    r"novembre|decembre)\b"
)
"""A day of the calendar (« 31 mars »): a date, not the value « c'est combien » asks."""
_RELATIVE_YEAR = re.compile(r"\bn ?[-+] ?\d\b")
"""« l'année N-1 »: a year, not a value."""
_SINCE = re.compile(r"\b(?:depuis|a partir d[eu']|a compter d[eu']|des (?:la|le|l'|sa|son))")
"""« depuis sa nomination », « dès la signature »: when a count starts, an event for a date."""
_AT_EVENT = re.compile(
    r"\b(?:lors (?:d[eu']|des)|au moment (?:d[eu']|des)|a l'occasion (?:d[eu']|des)|"
    r"a l'issue (?:d[eu']|des)|en amont (?:d[eu']|des)|au cours (?:d[eu']|des)|"
    r"dans (?:une|la|le) (?:fenetre|periode|cadre d'un appel))"
)
"""« lors du dialogue de gestion », « dans une fenêtre d'appel à projets »: the event a step falls
in, an answer to a bare « quand »."""
_ASKS_CALENDAR = re.compile(r"\b(?:quelles? dates?|avant quelle date|quel jour)\b")
"""« avant quelle date », « à quelles dates »: a day of the calendar (or a delay from one), not
a rhythm (« annuel ») or a stage (« à mi-parcours »)."""
_RHYTHM = re.compile(r"\b(?:mi-parcours|moitie|echeance|annuel\w*|semestr\w*|trimestr\w*)\b")
_ASKS_HOURS = re.compile(r"\bhoraires?\b|\ba quelle heure\b|\bheures? d'ouverture\b")
_HOURS = re.compile(r"\b\d{1,2}\s?h(?:\s?\d\d)?\b|\bheures?\b")
"""« à quels horaires », « à quelle heure »: times of day, written « 9h », « 17 h 30 »."""
_ASKS_QUANTITY = re.compile(r"\bcombien (?:de |d')([a-z]{3,})")
_ASKS_CHANGE = re.compile(
    r"\+\s*combien\b|\bcombien de plus\b|"
    r"\b(?:augment|progress|hauss|baiss|diminu)\w* de combien\b"
)
"""« +combien de journées », « augmenter de combien »: a change is asked, not a count."""
_CHANGE = re.compile(
    r"(?:^|[\s(:])[+\-−]\s*\d+(?:[,.]\d+)?\s*(?:%|points?\b)|"
    r"\b(?:augmentation|progression|hausse|baisse|diminution) (?:de )?"
    r"\d+(?:[,.]\d+)?\s*(?:%|points?\b)"
)
"""A change written as one: « + 10 % », « augmentation de 20 points »."""
_NOT_UNITS = frozenset(
    {"fois", "indicateurs", "indicateur", "ici", "chaque", "plus", "moins", "entre", "autres"}
)
"""Words after « combien de » that are not the thing counted (« combien d'ici 2029 »,
« combien de chaque »)."""
_DURATION_UNITS = frozenset(tokenize("temps ans annees mois jours semaines heures minutes"))
_FINE_DURATIONS = frozenset(tokenize("jours semaines heures minutes"))
"""Durations a date or a year does not answer: « combien d'heures » wants a count of hours."""
_ASKS_IN_UNIT = re.compile(r"\ben (jours|semaines|heures|minutes|euros|mois)\b")
"""« le délai en jours », « c'est combien en euros »: the unit the answer must count in."""
_UNIT_SYNONYMS = {
    "contrat": ("cpom",),
    "structur": ("etabl",),
    "etap": ("temp", "phas"),
}
"""A count of « contrats » is written as a count of CPOM in the guides, of « structures » as one
of « établissements », of « étapes » as one of « temps » or « phases »."""
_TYPE_WORDS = frozenset(
    tokenize("date dates limite butoir moment jour montant tarif nom appelle combien temps")
)

_NAMED = re.compile(r"(?<![\w-])(?:[A-ZÀ-Ý][\wÀ-ÿ]*(?:-[A-Za-zÀ-ÿ]+)*|\d+(?:[.,/]\d+)*)(?![\w])")
_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+|[«\"(]\s*)$")


FEATURE_LOG: list[dict[str, float]] | None = None
"""Set to a list by ``bench/fit_refusal.py`` to record the signals of every decision."""


@dataclass
class SupportDecision:
    """Whether the cited passages answer the question, and why."""

    supported: bool
    coverage: float
    missing_named: list[str] = field(default_factory=list)
    reason: str = ""
    answered_elsewhere: bool = False
    """Refused only for the region or period: the passages answer, from another document than
    the one the question names (« guide ARA 2020-2024 : … » answered by the guide in force)."""


_SUPPOSED = re.compile(r"(?<=\?)[^?]+$|\((?:genre|du genre|style|disons)\b[^)]*\)", re.IGNORECASE)
"""A remark after the question, or an aside that supposes (« (genre … ) »)."""
_FIGURE = re.compile(r"\d+(?:[.,/]\d+)*")


def named_terms(question: str) -> list[str]:
    """Stems of the proper nouns, acronyms, codes and numbers of a question.

    A capitalised word counts unless it opens the question or a sentence; acronyms (two
    capitals or more) always count. An indicator code (« CT_07 », « OS 13 ») is not a name:
    the knowledge base checks it (an unknown code gets its own answer).
    """
    out: list[str] = []
    skip = question_words()
    question = CODE_IN_TEXT.sub(lambda m: " " * len(m.group(0)), question)
    # « … combien d'objectifs ? un collègue m'a dit plus de 100 », « (genre on est déjà à
    # 100 %) »: a figure the asker guesses or supposes is not a fact the guides must hold
    question = _SUPPOSED.sub(lambda m: _FIGURE.sub(lambda f: " " * len(f[0]), m[0]), question)
    for match in _NAMED.finditer(question):
        word = match.group(0)
        acronym = sum(c.isupper() for c in word) >= 2
        initial = bool(_SENTENCE_START.search(question[: match.start()]))
        if word[0].isupper() and initial and not acronym:
            continue
        for term in tokenize(word):
            if term not in skip and term not in out:
                out.append(term)
    return out


def name_unsaid(stem: str, question: str, cited: str) -> bool:
    """Whether a place or a name of the question is absent, as written, from the cited text.

    Stems confuse a name with a word: « Gers » and « gérer » both stem to « ger ». A
    capitalised word of the question (not an acronym) must be found whole in the passages.
    """
    for match in _NAMED.finditer(question):
        word = match.group(0)
        if word.isupper() or not word[0].isupper() or stem not in tokenize(word):
            continue
        if not re.search(rf"(?<![\w-]){re.escape(fold(word))}(?![\w-])", cited):
            return True
    return False


_CITED_PIECE = re.compile(r"\[\d+\]")
"""The citation mark that closes an answer's first piece."""


def decide(
    evidence: Evidence,
    answer: Answer,
    index: Any,
    *,
    extra_chunks: list[str] | None = None,
    excused: set[str] | None = None,
    min_coverage: float = MIN_COVERAGE,
    check_type: bool = True,
) -> SupportDecision:
    """Decide whether ``answer``'s citations support an answer to the evidence's question.

    Args:
        evidence: the question's evidence (terms and their weights).
        answer: the candidate answer (its citations are the support).
        index: the opened index.
        extra_chunks: more passages that count as support (a fiche's other parts).
        excused: question terms already handled by the answer (a category it filtered on).
        min_coverage: the coverage threshold (lower for a knowledge-base answer, whose
            routing already matched the question).
        check_type: check that the answer holds the kind of value asked (amount, date…).
    """
    if not answer.citations:
        return SupportDecision(False, 0.0, reason="aucun passage")
    features, missing, region_mismatch, local_unsaid, lacking, scoped_only = _signals(
        evidence, answer, index, extra_chunks, excused or set(), min_coverage, check_type
    )
    coverage = features["coverage"]
    if FEATURE_LOG is not None:
        FEATURE_LOG.append(features)
    supported = refusal_model().supports(features)
    reason = ""
    if not supported:
        reason = (
            "terme absent des passages"
            if missing
            else "aucun guide de cette région (et période)"
            if region_mismatch
            else "aucun passage sur ce département ou cette ville"
            if local_unsaid
            else lacking or "couverture insuffisante"
        )
    elsewhere = (
        not supported
        and region_mismatch
        and not local_unsaid
        # what the guide in force says: its own facts count there
        and refusal_model().supports(
            {
                **features,
                "region_mismatch": 0.0,
                "type_missing": 0.0 if scoped_only else features["type_missing"],
            }
        )
    )
    return SupportDecision(
        supported, coverage, missing, reason=reason, answered_elsewhere=elsewhere
    )


def _signals(
    evidence: Evidence,
    answer: Answer,
    index: Any,
    extra_chunks: list[str] | None,
    excused: set[str],
    min_coverage: float,
    check_type: bool,
) -> tuple[dict[str, float], list[str], bool, bool, str | None, bool]:
    """The decision's signals and what they found.

    Returns the features, the missing named terms, the region mismatch, whether a place asked
    of is named by no passage, the kind of fact lacking, and whether it lacks only from the
    passages of the document the question names.
    """
    stats = corpus_stats(index)
    held: set[str] = set()
    chunk_ids = [c.chunk_id for c in answer.citations if c.chunk_id] + list(extra_chunks or [])
    for cid in chunk_ids:
        held |= stats.chunk_terms(cid) | stats.header_terms(cid)
    for citation in answer.citations:
        held |= set(tokenize(citation.quote)) | set(tokenize(citation.section))
    naming = evidence.naming_terms
    # « une clinique à Grenoble » answered by the ARA guide: the guide of its region covers it
    cited_docs = {c.doc_id for c in answer.citations}
    excused = excused | {
        t
        for place in evidence.places
        if evidence.place_documents.get(place.name, frozenset()) & cited_docs
        for t in tokenize(place.name)
    }
    # a staff word the glossary translates (« KPI » -> « indicateur ») is not missing
    glossed = {
        t
        for variant in query_router(index).glossary.written_variants(evidence.question)
        for t in tokenize(variant)
    }
    cited_text = fold(
        " ".join(
            [stats.chunks[cid].text for cid in chunk_ids if cid in stats.chunks]
            + [f"{c.quote} {c.section}" for c in answer.citations]
        )
    )
    missing = [
        t
        for t in named_terms(evidence.question)
        if (t not in held or name_unsaid(t, evidence.question, cited_text))
        and t not in excused
        and t not in naming
        and t not in glossed
        and t not in GENERIC_NAMED
        and not (t.isdigit() and len(t) == 1)
    ]
    # « quelles filières (cancérologie, gériatrie, périnatalité…) » : examples none of which the
    # passages hold
    missing += examples_unsaid(evidence.question, held)
    weights = evidence.weights
    total = sum(weights.values()) or 1.0

    def share(terms: set[str], granted: set[str]) -> float:
        """Share of the question's weight whose terms ``terms`` hold (or ``granted`` excuses)."""
        return (
            sum(
                w
                for t, w in weights.items()
                if t in granted or not terms.isdisjoint(evidence.variants.get(t, {t}))
            )
            / total
        )

    coverage = share(held, excused)
    # « guide ARA 2020-2024 : le plafond des pénalités ? » answered by the guide in force: the
    # document the question names does not say it
    historical_named = (
        bool(evidence.named_documents)
        and _NAMES_A_GUIDE.search(fold(evidence.question)) is not None
        and all(_status(index, doc) == "historical" for doc in evidence.named_documents)
    )
    elsewhere = historical_named and answer.citations[0].doc_id not in evidence.named_documents
    answer_lead = _CITED_PIECE.split(answer.answer, maxsplit=1)[0]
    region_mismatch = (
        elsewhere
        # « la Bretagne passait quel jour ? » answered by the calendar line that names it: a
        # region no guide covers is a mismatch unless the answer's lead names it
        or any(not region_said(r, answer_lead) for r in evidence.foreign_regions)
        or bool(
            evidence.region_documents
            and (
                answer.citations[0].doc_id not in evidence.region_documents
                or (
                    evidence.period_documents
                    and not set(evidence.region_documents) & set(evidence.period_documents)
                )
            )
        )
    )
    # « combien de places d'HAD dans le Gers ? » answered by a regional figure
    local_unsaid = local_scope_unsaid(evidence, f"{cited_text} {fold(answer.answer)}")
    routed = min_coverage < MIN_COVERAGE

    def lacks(answer_text: str) -> str | None:
        return missing_answer_type(
            # in the guides' words: « combien de KPI » counts « indicateurs »
            guides_words(index, evidence.question),
            answer_text,
            ignore=set(evidence.naming_terms),
            weights=evidence.weights,
            periods=document_years(index)[0],
            # a knowledge-base line cites its fiche, whose title says what its figures are of
            headings={c.n: c.section for c in answer.citations} if routed else None,
            acronyms=query_router(index).glossary.acronyms_spelt_out(evidence.question),
        )

    lacking = lacks(answer.answer) if check_type else None
    scope = set(evidence.named_documents if historical_named else evidence.region_documents)
    scoped_only = False
    if check_type and lacking is None and scope and cited_docs - scope:
        # « le référent e-CARS de l'ARS Auvergne-Rhône-Alpes ? »: the fact must come from the
        # guide the question names, not from a passage of the guide in force cited beside it
        lacking = lacks(
            pieces_citing(answer.answer, {c.n: c.doc_id for c in answer.citations}, scope)
        )
        scoped_only = lacking is not None
    # a word naming a document (« ARA », « 2019 ») is not a word the guides should hold
    unknown = (
        sum(w for t, w in weights.items() if not stats.known(t) and t not in naming | excused)
        / total
    )
    # what the answer itself says (not the rest of its passages or of its fiche): a fiche's
    # target answer to « la cible pour les CRH » holds the fiche's words, not « CRH »
    said = set(tokenize(answer.answer))
    for citation in answer.citations:
        said |= set(tokenize(citation.quote)) | set(tokenize(citation.section))
    answer_coverage = share(said, excused | set(naming))
    features = {
        "coverage": coverage,
        "routed_unsaid": (1.0 - answer_coverage) if routed else 0.0,
        "missing_named": min(len(missing), 3) / 3,
        "region_mismatch": float(region_mismatch or local_unsaid),
        "type_missing": float(lacking is not None),
        "routed": float(routed),
        "unknown_terms": unknown,
        "year_missing": float(year_missing(evidence.question, answer.answer, index)),
        "top_sentence": evidence.scored[0].score if evidence.scored else 0.0,
    }
    if evidence.closeness is not None and _fitted_embedder(index):
        # cosines of another embedder are not on the fitted scale: then, as without vectors,
        # the model reads the signal's mean (no vote)
        features["closeness"] = evidence.closeness
    return features, missing, region_mismatch, local_unsaid, lacking, scoped_only


_EXAMPLES = re.compile(r"\((?:par ex(?:emple|\.)?|ex\.?|comme|type)?\s*([^()]{3,120})\)")


def examples_unsaid(question: str, held: set[str]) -> list[str]:
    """The first of the examples a question lists in brackets when no passage holds any of them.

    « quelles filières (par exemple AVC, cancérologie, périnatalité) … ? » names what it asks
    about: passages that hold none of them do not answer. Brackets that spell out an acronym
    (« (CDU) »), or that say what is asked (« (numérateur et dénominateur) »), hold no list.
    """
    for match in _EXAMPLES.finditer(fold(question)):
        if not re.search(r",|\.\.\.|…|\betc\b", match[0]) and not match[0].startswith("(ex"):
            continue  # « (numérateur et dénominateur) » says what is asked, lists no examples
        items = [
            terms
            for item in re.split(r",|\bou\b|\bet\b|\.\.\.|…", match[1])
            if (terms := [t for t in tokenize(item) if len(t) >= 3])
        ]
        if len(items) >= 2 and not any(set(terms) & held for terms in items):
            return [items[0][0]]
    return []


def local_scope_unsaid(evidence: Evidence, cited_text: str) -> bool:
    """Whether the question asks a fact of a département or city no cited passage names.

    « combien de places d'HAD dans le Gers », « le référent pour l'Aveyron », « le nombre de
    mammographies réalisées par le CHU de Toulouse »: the guides give rules and regional
    figures. A place that only says where the asker is (« une clinique à Grenoble », « on est à
    Rodez ») does not scope what is asked, nor one that says which establishment a rule is asked
    for (« la cible OS 9 pour le CHU de Nîmes »).
    """
    if not evidence.places or not asks_fact(evidence.question):
        return False
    folded = fold(evidence.question).replace("’", "'")
    if _SELF.search(folded):
        return False
    # « la cible OS 9 pour le CHU de Nîmes », « quand signer le CPOM pour le CH d'Albi »: the
    # place says which establishment, whose category's rules and targets the guides give; a
    # statistic, an amount or a person of it is its own
    rule = not (
        _STATISTIC.search(folded)
        or asks_amount(evidence.question)
        or asked_type(evidence.question) == "who"
        or _ASKS_PERSON.search(folded)
    )
    # « CH de 250 lits dans le Gers. Pour le PIMM … ? »: an opening sentence that describes
    # the asker's establishment says where it is
    lead = _DESCRIBED.match(folded)
    described = lead[0] if lead else ""
    return any(
        not place_said(place, cited_text)
        for place in evidence.places
        if not re.search(_LOCATED + re.escape(fold(place.name)), folded)
        and fold(place.name) not in described
        and not (rule and re.search(_ESTABLISHMENT_OF + re.escape(fold(place.name)), folded))
    )


_STATISTIC = re.compile(
    r"\b(?:realis\w*|declar\w*|compt\w*|autoris\w*|accord\w*|nomm\w*|signee?s?|recens\w*|"
    r"deja|aujourd'hui|actuellement)\b"
)
"""« réalisées », « a déjà déclarés », « autorisées », « nommés », « signée »: what happened
there, a statistic or an event, not a rule."""
_ESTABLISHMENT_OF = (
    r"\b(?:chu|chr|ch|centre hospitalier(?: universitaire)?|hopital|clinique|etablissement)"
    r" (?:de |du |d')(?:la |l')?"
)
"""« le CHU de », « un hôpital de », « le CH d' »: a place that names an establishment."""


_DESCRIBED = re.compile(
    r"^\s*(?:(?:un|une|le|la|l'|notre)\s*)?(?:chu|chr|ch|clinique|had|hopital|etablissement|"
    r"ehpad|smr|usld|centre hospitalier(?: universitaire)?)\b[^.?!]*[.!]"
)
"""An opening sentence that describes an establishment (« CH de 250 lits dans le Gers. »)."""
_SELF = re.compile(r"\b(?:on est|nous sommes|je suis|chez nous|notre|nos)\b")
"""The asker describing their own establishment (« on est un CH à Rodez »)."""
_LOCATED = r"\b(?:a|au|en|sur) (?:l'|le |la )?"
"""« une clinique à Grenoble »: where an establishment is, not the scope of a fact (« dans le
Gers », « du CHU de Toulouse », « pour l'Aveyron »)."""
_FACTS = frozenset({"number", "date", "duration", "year", "period", "code", "who", "place"})


def asks_fact(question: str) -> bool:
    """Whether a question asks a fact (a figure, a date, a person, an amount), not a rule."""
    folded = fold(question).replace("’", "'")
    return (
        asked_type(question) in _FACTS
        or asks_amount(question)
        or _ASKS_PERSON.search(folded) is not None
        or _ASKS_CONTACT.search(folded) is not None
    )


_NAMES_A_GUIDE = re.compile(r"\bguides?\b|\b(?:19|20)\d\d\b")
"""A question names a document by the word « guide » or a year (« guide ARA », « circulaire
2012 »), not by an issuer alone (« la note DGOS … »)."""


def _status(index: Any, doc_id: str) -> str:
    """A document's status (« current », « historical »), read on its passages."""
    return next((c.status for c in index.chunks.values() if c.doc_id == doc_id), "")


def _fitted_embedder(index: Any) -> bool:
    """Whether the index's vectors come from the embedder the refusal model was fitted with."""
    manifest = getattr(index, "manifest", None)
    built = getattr(manifest, "embedder_id", None)
    return built is not None and built == refusal_model().embedder_id


_GUESS = re.compile(r"\?\s*([^?]{1,60})\?\s*$")
"""A last short question that offers a value (« … le temps d'attente visé ? 4h ? »)."""
_GUESSED_KINDS = (
    (re.compile(r"\d\s?h\b|\bheures?\b"), _HOURS),
    (re.compile(r"%|\bpour ?cent\b"), _PERCENT),
    (
        re.compile(r"\b(?:mois|semaines?|jours?)\b"),
        re.compile(rf"\b(?:\d+|une?|{FIGURE_WORDS})\s+(?:mois|semaines?|jours?)\b"),
    ),
)
"""The kind of a value guessed (hours, a share, a delay) and what states one."""


def _guessed_kind(folded_q: str) -> re.Pattern[str] | None:
    """What states a value of the kind the question guesses at its end, if it guesses one."""
    guess = _GUESS.search(folded_q)
    if (
        guess is None
        or len(guess[1].split()) > 6
        or not re.search(r"\d|\bun\b", guess[1])
        or _QUESTION_WORD.search(guess[1])  # « 5 % de quoi ? » asks, it does not guess
    ):
        return None
    return next((said for kind, said in _GUESSED_KINDS if kind.search(guess[1])), None)


def missing_answer_type(
    question: str,
    answer_text: str,
    *,
    ignore: set[str] | None = None,
    weights: dict[str, float] | None = None,
    periods: frozenset[str] = frozenset(),
    headings: dict[int, str] | None = None,
    acronyms: dict[str, set[str]] | None = None,
) -> str | None:
    """The kind of answer the question asks for that ``answer_text`` lacks, if any.

    A period that names a document (``periods``: « CPOM stratégiques 2020-2024 ») or a year the
    question writes itself tells no date: « la date limite … c'était quand ? » is not answered
    by the guide's period.

    "Quel montant", "comment s'appelle", "quand", "combien d'heures" ask for an amount, a
    name, a date, a count of something: an answer none of whose sentences on the question's
    topic holds one does not answer. A count must be the figure of the thing asked (« 4 RMM »),
    not a figure beside its name.
    """
    folded_q = fold(question).replace("’", "'")
    skip = _TYPE_WORDS | (ignore or set())
    weight = {t: (weights or {}).get(t, 1.0) for t in question_terms(question) if t not in skip}
    total = sum(weight.values())
    # One piece per cited group: a sentence and the list it announces stay together.
    cited = _cited_pieces(answer_text)
    pieces = [piece for piece, _ in cited]

    def topical(piece: str, numbers: list[int], share: float = ON_TOPIC) -> bool:
        said = set(tokenize(" ".join([piece, *((headings or {}).get(n, "") for n in numbers)])))
        return sum(w for t, w in weight.items() if t in said) >= share * total

    on_topic = [p for p, _ in cited if topical(p, [])] if total else []
    if on_topic:
        # a piece's topic includes the heading of the passage it cites (« Fiche CPOM_OS_1 :
        # Taux de professionnels formés … » over « 2029 : au moins 30 % [1] »)
        on_topic = [p for p, numbers in cited if topical(p, numbers)]
    on_topic = on_topic or pieces

    def holds(pattern: re.Pattern[str], *, raw: bool = False) -> bool:
        return any(pattern.search(p if raw else fold(p)) for p in on_topic)

    if asks_amount(question) and not holds(_MONEY):
        return "aucun montant dans les passages"
    if _ASKS_CONTACT.search(folded_q) and not holds(_CONTACT, raw=True):
        return "aucune coordonnée dans les passages"
    person = _ASKS_PERSON.search(folded_q)
    if (
        person
        and not _ASKS_BODY.match(folded_q, person.end())
        and not any(
            not _named_in(p[m.start() : m.end() + 40], folded_q)
            for p in on_topic
            for m in _PERSON.finditer(p)
        )
    ):
        # « qui était le directeur avant Didier JAFFRE ? » is not answered by Didier JAFFRE
        return "aucun nom dans les passages"
    if _ASKS_PRODUCT.search(folded_q) and not holds(_PROPER, raw=True):
        return "aucun produit ni prestataire nommé dans les passages"
    if _ASKS_HOURS.search(folded_q) and not holds(_HOURS):
        return "aucun horaire dans les passages"
    if (kind := _guessed_kind(folded_q)) is not None and not holds(kind):
        # « le temps d'attente max visé ? 4h ? »: the value guessed says the kind asked
        return "aucune valeur de ce type dans les passages"
    if _ASKS_PERCENT.search(folded_q) and not holds(_PERCENT):
        return "aucun pourcentage dans les passages"
    match = _ASKS_QUANTITY.search(folded_q) or _ASKS_IN_UNIT.search(folded_q)
    unit = tokenize(match.group(1)) if match and match.group(1) not in _NOT_UNITS else []
    told = set(_YEAR.findall(folded_q))
    told_numbers = set(re.findall(r"(?<![\d,.])\d+(?:[,.]\d+)?(?![\d,.])", folded_q))

    def valued(piece: str) -> bool:
        """A figure that is not a year, a period's or one the question writes."""
        folded = _RELATIVE_YEAR.sub(" ", _DAY.sub(" ", _YEAR.sub(" ", fold(piece))))
        for number in told_numbers:
            folded = re.sub(rf"(?<![\d,.]){re.escape(number)}(?![\d,.])", " ", folded)
        return bool(_VALUE.search(folded) or _ONLY_ONE.search(folded))

    calendar = bool(_ASKS_CALENDAR.search(folded_q))
    since_asked = bool(re.search(r"\b(?:a partir de|depuis) quand\b", folded_q))
    # a bare « quand » (no date, day or delay named) may be answered by the event it falls in
    event_asked = (
        re.search(r"\b(?:quand|a quel moment)\b", folded_q) is not None
        and not calendar
        and re.search(r"\b(?:dates?|jours?|delais?|limite|butoir|combien)\b", folded_q) is None
    )

    texts_asked = asks_text(question)

    def dated(piece: str) -> bool:
        folded = fold(piece)
        if not texts_asked:  # « quand » a deadline, not the day a decree was signed
            folded = _TEXT_DATE.sub(" ", folded)
        if calendar:
            folded = _RHYTHM.sub(" ", folded)
        for period in periods:
            folded = re.sub(rf"{period[:4]}\s*[-–/]\s*{period[-4:]}", " ", folded)
        if since_asked and _SINCE.search(folded):
            return True  # « à partir de quand ? » answered « depuis sa nomination »
        if event_asked and _AT_EVENT.search(folded):
            return True  # « quand déposer ? » answered « dans une fenêtre d'appel à projets »
        # « combien de temps », « combien de mois » ask a length: a year alone gives none
        return any(
            not _YEAR.fullmatch(m.group(0)) or (m.group(0) not in told and not length_asked)
            for m in _DATE.finditer(folded)
        )

    if _ASKS_VALUE.search(folded_q) and not any(valued(p) for p in on_topic):
        return "aucune valeur chiffrée dans les passages"
    if (
        headings is None
        and _ASKS_TARGET.search(folded_q)
        and not any(valued(_OUTLINE.sub(" ", p)) or _TARGET_SAID.search(fold(p)) for p in on_topic)
    ):
        # « c'était quoi la cible nationale 2016 ? » is not answered by a table's empty header
        return "aucune cible dans les passages"
    length_asked = bool(unit and unit[0] in _DURATION_UNITS)
    date_asked = _asks_date(folded_q) or length_asked
    if date_asked and not any(dated(p) for p in on_topic):
        return "aucune date ni aucun délai dans les passages"
    exact = unit and (unit[0] not in _DURATION_UNITS or unit[0] in _FINE_DURATIONS)
    if exact:
        # « combien de plateaux d'imagerie … » is counted in « PIMM » too (``acronyms``)
        wanted = {unit[0], *_UNIT_SYNONYMS.get(unit[0], ()), *(acronyms or {}).get(unit[0], ())}
        # The count must be the figure of the thing asked (« 4 RMM », « 15 jours »), not a
        # figure that happens to stand in the same sentence (« > 5 % … nombre total de RMM »).
        # « combien … sur les 280 ? » is not answered by the 280 it states
        stated = {f.value for f in figures(question) if f.kind == "number" and not is_year(f)}
        # a count may stand in another line citing the passage of an on-topic one (« Par
        # année : 2025 : +5 partenariats … [1] » after « … cible pour … 500 lits … [1] »)
        topics = {n for p, numbers in cited if p in on_topic for n in numbers}
        counting = [p for p, numbers in cited if p in on_topic or topics & set(numbers)]
        if headings is not None:
            # a knowledge-base answer is about one indicator: a count in any of its lines counts
            # (its closing line « Nombre de partenariats formalisés … » cites nothing)
            counting = pieces
        # « c'est max combien de caractères ? » is not answered by « 8 caractères minimum »
        opposite = {"upper": "lower", "lower": "upper"}.get(_asked_bound(folded_q) or "")

        def fits(f: Figure) -> bool:
            return f.value not in stated and (opposite is None or f.bound != opposite)

        counted = any(
            _counts(f, wanted) and fits(f) for p in counting or pieces for f in figures(p)
        ) or any(_counted_by_reference(p, wanted) for p in counting or pieces)
        # a fiche's target « 2025 : au moins 2 [1] » counts what its indicator counts, its
        # heading « Nombre de réunions inter établissements … »
        counted = counted or any(
            piece in on_topic
            and _YEAR_COUNT.search(piece) is not None
            and _counts_by_heading(headings, numbers, wanted)
            for piece, numbers in cited
        )
        # a figure right before the thing asked (« 5 priorités nationales : … ») counts in a
        # piece on half the question's topic (« … la grille du CPOM État-ARS … retient-elle ? »)
        counted = counted or any(
            _counts_by_noun(f, wanted) and fits(f)
            for p, numbers in cited
            if topical(p, numbers, ON_TOPIC / 2)
            for f in figures(p)
        )
        # « +combien de journées ? » asks a change: « + 10 % nombre de journées » gives it
        counted = counted or (
            _ASKS_CHANGE.search(folded_q) is not None
            and any(_CHANGE.search(fold(p)) for p in counting or pieces)
        )
        if not counted:
            return f"aucun nombre de « {match.group(1) if match else ''} » dans les passages"
    return None


def _asked_bound(folded_q: str) -> str | None:
    """The bound a question asks for: « au maximum », « max » (upper), « au minimum » (lower)."""
    upper = re.search(r"\b(?:max\w*|au plus|plafond)\b", folded_q)
    lower = re.search(r"\b(?:min|mini|minimum|minimal\w*|au moins|plancher)\b", folded_q)
    return "upper" if upper and not lower else "lower" if lower and not upper else None


def _named_in(text: str, folded_q: str) -> bool:
    """Whether the person ``text`` starts with (« M. Didier JAFFRE ») is the question's own."""
    surname = re.search(r"\b[A-ZÀ-Ý]{2,}(?:-[A-ZÀ-Ý]{2,})?\b", text)
    return surname is not None and fold(surname[0]) in folded_q


def asks_amount(question: str) -> bool:
    """Whether a question asks an amount in euros (« la prime, c'est combien ? »).

    « qui fixe le tarif », « pourquoi une prime » ask a person or a reason; « selon quelles
    formules le tarif est-il arrêté », « sur quelle période … les tarifs » ask how or when;
    « la dotation … c'est combien de % » asks a share; « quel décret fixe le tarif » a text.
    """
    folded_q = fold(question).replace("’", "'")
    quantity = _ASKS_QUANTITY.search(folded_q)
    if quantity and quantity[1] not in _NOT_UNITS and not _MONEY_UNIT.match(quantity[1]):
        return False  # « en combien d'étapes la dotation … est-elle notifiée ? » counts steps
    return (
        _ASKS_MONEY.search(folded_q) is not None
        and asked_type(question) not in ("who", "reason", "period", "year", "definition")
        and not _WHO_SETS.search(folded_q)
        and not _ASKS_HOW.search(folded_q)
        and not _ASKS_SHARE.search(folded_q)
        and not _ASKS_REFERENCE.search(folded_q)
    )


_MONEY_UNIT = re.compile(r"(?:euros?|millions?|milliards?|credits?|k)$")
"""What « combien de … » counts when it asks an amount (« combien d'euros », « de millions »)."""
_ASKS_REFERENCE = re.compile(
    r"\bquel(?:le)?s? (?:annexe|decret|arrete|texte|article|circulaire|loi|instruction|"
    r"document|reference)s?\b"
)
"""« selon quelle annexe et quel décret le tarif est-il calculé ? » asks a text, not an amount."""


_ASKS_REPRESENTATIVE = re.compile(r"\bqui (?:represente|dirige|preside)\w*\b")


def asks_representative(question: str) -> bool:
    """Whether the question asks who represents, heads or chairs a body.

    « qui représente l'ARS ? » asks a person, whom a signature line names.
    """
    return _ASKS_REPRESENTATIVE.search(fold(question).replace("’", "'")) is not None


def states_person(text: str) -> bool:
    """Whether ``text`` names a person (« Monsieur … », « Didier JAFFRE »)."""
    return _PERSON.search(text) is not None


def asks_share(question: str) -> bool:
    """Whether a question asks a share (« quel % des patients … ? », « quelle part … ? »)."""
    return _ASKS_SHARE.search(fold(question).replace("’", "'")) is not None


def states_share(text: str) -> bool:
    """Whether a text gives a share (a percentage)."""
    return _SHARE.search(fold(text)) is not None


def states_amount(text: str) -> bool:
    """Whether a text gives an amount in euros."""
    return _MONEY.search(fold(text)) is not None


def pieces_citing(answer_text: str, doc_of: dict[int, str], scope: set[str]) -> str:
    """The pieces of ``answer_text`` that cite only documents of ``scope``, with their markers.

    ``doc_of``: each citation number's document.
    """
    return " ".join(
        f"{piece} " + " ".join(f"[{n}]" for n in numbers)
        for piece, numbers in _cited_pieces(answer_text)
        if numbers and all(doc_of.get(n) in scope for n in numbers)
    )


def _cited_pieces(answer_text: str) -> list[tuple[str, list[int]]]:
    """The answer cut after each group of markers, each piece with the numbers it cites."""
    out: list[tuple[str, list[int]]] = []
    for match in re.finditer(r"(.*?)((?:\s*\[\d+\])+)|(.+)$", answer_text, flags=re.S):
        text = match[1] if match[1] is not None else match[3]
        if text and text.strip():
            out.append((text, [int(n) for n in re.findall(r"\d+", match[2] or "")]))
    return out


_CLAUSE_QUAND = re.compile(
    r"\bquand (?:le|la|les|l'|un|une|des|on|il|elle|ils|elles|ce|cet|cette|son|sa|ses|leurs?) ?\w"
)
_QUESTION_WORD = re.compile(r"\b(?:comment|pourquoi|combien|qui|quel\w*|que|quoi|ou)\b")


def _asks_date(folded_q: str) -> bool:
    """Whether the question asks a date or a delay.

    « comment est établi le CPOM quand le siège est hors région ? » says when a rule applies:
    a « quand » that opens a clause after another question word asks no date (« qui signe et
    quand ? » still does).
    """
    for match in _ASKS_DATE.finditer(folded_q):
        if match[0] != "quand":
            return True
        before = re.split(r"[?.!]", folded_q[: match.start()])[-1]
        clause = _CLAUSE_QUAND.match(folded_q, match.start())
        if not (
            clause and _QUESTION_WORD.search(before) and not re.search(r"(?:\bet|,)\s*$", before)
        ):
            return True
    return False


def counted_thing(question: str) -> set[str]:
    """The stems of what « combien de … » counts (« schémas »), empty when it asks no count."""
    folded_q = fold(question).replace("’", "'")
    match = _ASKS_QUANTITY.search(folded_q)
    if match is None or match.group(1) in _NOT_UNITS:
        return set()
    unit = tokenize(match.group(1))
    if not unit or unit[0] in _DURATION_UNITS:
        return set()
    return {unit[0], *_UNIT_SYNONYMS.get(unit[0], ())}


def counts(text: str, wanted: set[str]) -> bool:
    """Whether ``text`` gives a figure of the ``wanted`` things (« 13 schémas territoriaux »).

    « une ou plusieurs des missions » counts none.
    """
    text = _SOME.sub("plusieurs", text)
    return any(_counts(f, wanted) for f in figures(text)) or _counted_by_reference(text, wanted)


_SOME = re.compile(r"\b(?:un|une)\s+ou\s+plusieurs\b", re.IGNORECASE)
"""« une ou plusieurs »: some, not one."""


_YEAR_COUNT = re.compile(
    r"\b20\d\d : (?:au (?:moins|plus) |\+)?\d+(?![\d,.]*\s*(?:%|points?\b))(?!\s*[-/])"
)
"""A year's value in a fiche's target line (« 2025 : au moins 2 »), a count, not a share."""
_NUMBER_OF = re.compile(r"\bnombre (?:total )?(?:de |d')(\w+)")


def _counts_by_heading(
    headings: dict[int, str] | None, numbers: list[int], wanted: set[str]
) -> bool:
    """Whether a cited fiche's title counts the ``wanted`` things (its first « Nombre de … »)."""
    for n in numbers:
        match = _NUMBER_OF.search(fold((headings or {}).get(n, "")).replace("’", "'"))
        stems = tokenize(match[1]) if match else []
        if stems and any(
            len(w) >= 3 and (stems[0].startswith(w) or w.startswith(stems[0])) for w in wanted
        ):
            return True
    return False


_COUNT_OF_THEM = re.compile(
    rf"\b(?:elles|ils)\s+sont\s+(?:au nombre de\s+)?(?:\d+|{FIGURE_WORDS})\b"
)


_COUNT_OF_THOSE = re.compile(
    rf"\ben\s+(?:compte|comptent|denombre|recense)\s+(?:\d+|{FIGURE_WORDS})\b"
)
"""« l'Occitanie en compte 3 actifs (… PIMM …) »: a count of the things the piece names."""
_ONLY_ONE = re.compile(r"\b(?:un seul|une seule) ([a-z]+)")
"""« un seul identifiant … à chaque établissement »: a count of one, in words."""
_ONE_FOR_EACH = re.compile(
    r"\b(?:un|une) ([a-z]+)(?: (?:est|sont) [a-z]+)? (?:par|pour chaque|pour tout|pour toute)\b"
)
"""« un CPOM est créé pour chaque établissement »: one of the things named, for each."""
_NUMBER_OF_THEN = re.compile(r"\bnombre (?:total )?(?:de |d')(\w+)[^.;:()]{0,80}\(\s*\d")
"""« la diminution du nombre de centres participants … (142 en 2021 ; …) »."""


def _counted_by_reference(piece: str, wanted: set[str]) -> bool:
    """Whether ``piece`` counts the ``wanted`` things through a pronoun or their « nombre ».

    « Les missions de service public … Elles sont au nombre de 14 »: the count is of the
    missions its sentence before names; « … en compte 3 actifs (… PIMM …) » counts what the
    piece names; « le nombre de centres … (142 en 2021) » gives the number of centres.
    """
    folded = fold(piece)

    def said(words: list[str]) -> bool:
        return any(
            len(w) >= 3 and any(t.startswith(w) or w.startswith(t) for t in words) for w in wanted
        )

    if (count := _COUNT_OF_THEM.search(folded)) is not None and said(
        tokenize(folded[: count.start()])
    ):
        return True
    if _COUNT_OF_THOSE.search(folded) and said(tokenize(folded)):
        return True
    if any(
        said(tokenize(m[1])) for m in [*_ONLY_ONE.finditer(folded), *_ONE_FOR_EACH.finditer(folded)]
    ):
        return True
    return any(said(tokenize(m[1])) for m in _NUMBER_OF_THEN.finditer(folded.replace("’", "'")))


def _counts_by_noun(figure: Figure, wanted: set[str]) -> bool:
    """Whether ``figure`` is written right before one of the ``wanted`` things (« 5 priorités »)."""
    unit = figure.unit
    return (
        figure.kind == "number"
        and not is_year(figure)
        and not figure.ordinal
        and not figure.measure
        and unit is not None
        and any(len(w) >= 3 and (unit.startswith(w) or w.startswith(unit)) for w in wanted)
    )


_MULTIPLIERS = frozenset({"million", "milliard", "mill"})


def _counts(figure: Figure, wanted: set[str]) -> bool:
    """Whether ``figure`` counts one of the ``wanted`` things (« 4 RMM », « 15 jours »).

    The figure's own noun or its first words after it must be the thing asked for (stems
    compared by their common start: « heure » and « heur »): in « 6 objectifs stratégiques
    spécifiques au HPR Hôpitaux de Proximité », 6 counts objectives, not hospitals.
    """
    if figure.kind != "number" or is_year(figure) or figure.ordinal:
        return False
    if figure.unit in _MULTIPLIERS:  # « 1,3 million de personnes » counts persons
        return any(
            len(n) >= 3 and (n.startswith(w) or w.startswith(n))
            for n in figure.near
            for w in wanted
            if len(w) >= 3
        )
    if figure.measure:  # « 5 % », « 3 mois »: a measure, a count only of that unit
        return any(
            figure.unit is not None and (figure.unit.startswith(w) or w.startswith(figure.unit))
            for w in wanted
            if len(w) >= 3
        )
    nouns = {figure.unit, *figure.near} - {None}
    return any(
        len(n) >= 3 and len(w) >= 3 and (n.startswith(w) or w.startswith(n))
        for n in nouns
        if n is not None
        for w in wanted
    )
