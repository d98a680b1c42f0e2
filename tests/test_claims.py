"""The guard's reading of figures: each one with what it is attached to in its sentence."""

from __future__ import annotations

import pytest

from assistant.answer.claims import figures, negations, polarity_holds, reattached, unsupported
from assistant.answer.guard import PromptPassage, check
from assistant.answer.models import Citation

DEADLINE = "La date limite dans le choix des indicateurs dans e-cars est le 25 juillet 2025."
COUNT = "Les établissements devront choisir au maximum 10 indicateurs dans l'annexe stratégique."
MINIMUM = (
    "Les établissements ont obligation de choisir au minimum 2 indicateurs, parmi les 8 sur les "
    "coopérations/mutualisations et de choisir 6 indicateurs parmi les 22 autres."
)
SPLIT = (
    "8 indicateurs sont relatifs aux coopérations, mutualisations et 22 indicateurs sur les "
    "autres champs."
)
PENALTY = (
    "La pénalité financière ne peut excéder, au cours d'une même année, 5 % des produits reçus "
    "des régimes obligatoires d'assurance maladie."
)


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        pytest.param("La date limite est le 25 juillet 2025 [1].", DEADLINE, id="same-date"),
        pytest.param(
            "Il faut saisir les choix au plus tard le 25 juillet 2025.", DEADLINE, id="au-plus-tard"
        ),
        pytest.param("On peut retenir dix indicateurs au maximum.", COUNT, id="words-for-digits"),
        pytest.param(
            "Au moins deux indicateurs portent sur les coopérations.", MINIMUM, id="au-moins"
        ),
        pytest.param(
            "La pénalité ne peut pas dépasser 5 % des produits reçus.", PENALTY, id="ne-peut-pas"
        ),
    ],
)
def test_faithful_figures_are_supported(sentence: str, source: str) -> None:
    assert unsupported(sentence, [source]) == []
    assert polarity_holds(sentence, [source])


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        pytest.param("La date limite est le 25 décembre 2025.", DEADLINE, id="month-changed"),
        pytest.param("La date limite est le 25 juillet 2026.", DEADLINE, id="year-changed"),
        pytest.param("La pénalité est de 10 %.", COUNT, id="unit-changed"),
        pytest.param("Il faut dix indicateurs au minimum.", COUNT, id="bound-flipped"),
        pytest.param("Il y a 22 indicateurs sur les coopérations.", SPLIT, id="reattached"),
        pytest.param(
            "La pénalité ne peut excéder 5 millions d'euros par an.", PENALTY, id="unit-euros"
        ),
    ],
)
def test_unfaithful_figures_are_not_supported(sentence: str, source: str) -> None:
    assert unsupported(sentence, [source])


def test_a_negated_claim_does_not_hold_against_a_positive_source() -> None:
    said = "Il n'y a aucune date limite pour le choix des indicateurs dans e-cars."
    assert negations(said) > negations(DEADLINE)
    assert not polarity_holds(said, [DEADLINE])


def test_number_words_and_codes_are_read() -> None:
    values = [(f.kind, f.value) for f in figures("vingt-deux fiches, l'OS 13 et l'acte QEQK004")]
    assert values == [("number", "22"), ("code", "CPOM_OS_13"), ("code", "QEQK004")]


@pytest.mark.parametrize(
    ("generated", "kept"),
    [
        pytest.param("La date limite est le 25 décembre 2025 [1].", False, id="month"),
        pytest.param("La pénalité est de 10 % [1].", False, id="reattached"),
        pytest.param("Il y a dix indicateurs au minimum [1].", False, id="bound"),
        pytest.param(
            "Il n'y a aucune date limite pour choisir les indicateurs [1].", False, id="negated"
        ),
        pytest.param(
            "La date limite pour choisir les indicateurs est le 25 juillet 2025 [1].",
            True,
            id="faithful",
        ),
    ],
)
def test_the_guard_removes_what_its_source_does_not_say(generated: str, kept: bool) -> None:
    source = f"{DEADLINE} {COUNT}"
    citation = Citation(n=1, doc_id="guide", title="Guide", section="1.4", quote=source)
    passage = PromptPassage(n=1, header="Guide > 1.4", text=source, citation=citation)
    assert bool(check(generated, [passage]).text.strip()) is kept


def test_a_part_of_a_whole_must_keep_its_whole() -> None:
    source = (
        "Les établissements ont obligation de choisir au minimum 2 indicateurs, parmi les 8 sur "
        "les coopérations et de choisir 6 indicateurs parmi les 22 autres."
    )
    swapped = "Il faut choisir 6 indicateurs parmi les 8 relatifs aux coopérations."
    assert unsupported(swapped, [source])
    kept = "Il faut choisir au minimum 2 indicateurs parmi les 8 relatifs aux coopérations."
    assert not unsupported(kept, [source])


REFORM = (
    "La réforme s'applique depuis le 1er mars 2022 pour la psychiatrie, du 1er juillet 2023 "
    "pour les structures publiques et du 1er janvier 2024 pour les cliniques privées."
)
ACTIVITY = (
    "On a compté 3 000 consultations à distance, une hausse des avis spécialisés (450), et "
    "900 actes de suivi médical."
)


@pytest.mark.parametrize(
    ("sentence", "source", "moved"),
    [
        pytest.param(
            "La réforme s'applique aux structures publiques depuis le 1er janvier 2024.",
            REFORM,
            True,
            id="date-of-another-group",
        ),
        pytest.param(
            "Depuis le 1er janvier 2024, la réforme vaut pour les cliniques privées, et depuis le "
            "1er juillet 2023 pour les structures publiques.",
            REFORM,
            False,
            id="both-dates-reordered",
        ),
        pytest.param("On a compté 900 avis spécialisés.", ACTIVITY, True, id="count-moved"),
        pytest.param("Les avis spécialisés ont atteint 450.", ACTIVITY, False, id="bracketed"),
        pytest.param(
            "Le guide souhaite limiter le contrat à 15-20 objectifs.",
            "Une limite de 15-20 objectifs par contrat paraît souhaitable.",
            False,
            id="range",
        ),
    ],
)
def test_a_figure_given_to_another_thing_of_its_sentence_is_reattached(
    sentence: str, source: str, moved: bool
) -> None:
    assert unsupported(sentence, [source]) == []
    assert bool(reattached(sentence, [source])) is moved


@pytest.mark.parametrize(
    ("sentence", "moved"),
    [
        pytest.param(
            "Le décret du 12 mars 2019 porte sur la commission médicale des établissements privés.",
            True,
            id="word-of-the-other-date",
        ),
        pytest.param(
            "Le décret du 12 mars 2019 porte sur la commission médicale des établissements "
            "publics.",
            False,
            id="its-own-word",
        ),
        pytest.param(
            "Le décret du 12 mars 2019 porte sur la commission médicale.", False, id="neither-word"
        ),
    ],
)
def test_a_date_said_with_the_word_of_a_parallel_sentence_is_reattached(
    sentence: str, moved: bool
) -> None:
    # two sentences alike, each owning a date and a word of its own (publics, privés)
    sources = [
        "Décret du 12 mars 2019 relatif à la commission médicale des établissements publics ;",
        "Décret du 4 juin 2021 relatif à la commission médicale des établissements privés ;",
    ]
    assert unsupported(sentence, sources) == []
    assert bool(reattached(sentence, sources)) is moved


@pytest.mark.parametrize(
    ("sentence", "moved"),
    [
        pytest.param(
            "L'article 107 du Traité admet les compensations des missions de service public par "
            "exception au droit de la concurrence.",
            True,
            id="the-other-article-s-predicate",
        ),
        pytest.param(
            "L'article 106 admet les compensations des missions de service public.",
            False,
            id="its-own-predicate",
        ),
        pytest.param(
            "L'article 107 du Traité sur l'Union européenne interdit les aides d'État.",
            False,
            id="the-first-article-s-own",
        ),
    ],
)
def test_a_reference_said_with_what_another_one_of_its_sentence_does_is_reattached(
    sentence: str, moved: bool
) -> None:
    source = (
        "Si l'article 107 du Traité sur l'Union Européenne interdit les « aides d'Etat » dans le "
        "domaine économique, l'article 106 admet les compensations des missions de service "
        "public comme moyen d'assurer l'exercice de la mission d'intérêt général par exception "
        "à l'application du droit de la concurrence dans le marché commun."
    )
    assert unsupported(sentence, [source]) == []
    assert bool(reattached(sentence, [source])) is moved


def test_the_words_after_a_reference_in_a_flattened_table_are_the_next_row_s() -> None:
    # « … Cahier des charges Annexe 3 - Enquête … obésité complexe … Annexe 4 »: the row's
    # label comes before its annex, so « obésité complexe » is not annex 3's
    source = (
        "Prise en charge des lésions médullaires Critères de suivi définis dans la note "
        "d'information DGOS/R4/2023/173 du 3 Novembre 2023 – Cahier des charges Annexe 3 - "
        "Enquête SMR- Activités d'expertises Prise en charge des patients en situation "
        "d'obésité complexe Critères de suivi définis dans la note d'information "
        "DGOS/R4/2023/173 du 3 Novembre 2023 – Cahier des charges Annexe 4 - Enquête"
    )
    sentence = (
        "La note DGOS renvoie à l'annexe 4 de son cahier des charges pour la prise en charge "
        "des patients en situation d'obésité complexe."
    )
    assert reattached(sentence, [source]) == []


def test_a_word_said_elsewhere_in_the_sources_is_no_rival_s_own() -> None:
    # « individuelle » is the date's rival's word, but also the next sentence's: not a swap
    sources = [
        "La loi du 4 mars 2002 réaffirme le respect des libertés individuelles.",
        "La recommandation fait de la liberté une composante de la liberté individuelle.",
        "Cette position est affirmée dans la circulaire Simone Veil (n° 48 DGS/SP3 du 19 juillet "
        "1993).",
    ]
    sentence = (
        "La circulaire Simone Veil du 19/07/1993 fait de la liberté individuelle une composante."
    )
    assert reattached(sentence, sources) == []


def test_a_figure_in_brackets_after_a_year_owns_the_year_s_words() -> None:
    source = (
        "L'activité compte 2 millions d'actes de téléconsultation, un doublement des actes de "
        "téléexpertise (96000), et l'entrée dans le droit commun de la télésurveillance médicale "
        "en 2023 (100 000 actes)."
    )
    assert reattached("La région a compté 100 000 actes de téléexpertise.", [source])
    assert not reattached("La télésurveillance a compté 100 000 actes en 2023.", [source])


def test_a_clause_negated_inside_a_longer_sentence_is_caught() -> None:
    source = (
        "Si au terme du délai le titulaire n'a pas répondu, le directeur peut suspendre le "
        "versement de la dotation."
    )
    assert not polarity_holds("Le directeur ne peut pas suspendre le versement.", [source])
    assert polarity_holds(
        "Le directeur peut suspendre le versement si le titulaire n'a pas répondu.", [source]
    )


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        pytest.param(
            "Une indemnité de 50 € par an est versée.",
            "Une indemnité de 50€/mois est versée aux tuteurs.",
            id="per-slash",
        ),
        pytest.param(
            "Le plan court sur les 3 prochains mois.",
            "Le plan court sur les 3 prochaines années.",
            id="unit-after-adjective",
        ),
        pytest.param(
            "Le programme compte quatre séances de kinésithérapie ou d'ergothérapie par semaine au "
            "maximum.",
            "Le programme compte au minimum quatre séances de kinésithérapie ou d'ergothérapie par "
            "semaine.",
            id="bound-far-after",
        ),
    ],
)
def test_units_periods_and_far_bounds_are_read(sentence: str, source: str) -> None:
    assert unsupported(sentence, [source])


def test_a_bound_framing_the_next_figure_is_not_the_first_ones() -> None:
    source = "Parmi les patients, 5 % ont bénéficié d'au moins 1 visite à domicile."
    assert not unsupported("5 % des patients ont bénéficié d'au moins une visite.", [source])


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        pytest.param(
            "Le contrat a été prorogé jusqu'au 30/06/2025.",
            "Le contrat est prorogé jusqu'au 30 juin 2025.",
            id="numeric-date",
        ),
        pytest.param(
            "Depuis mars 2021, le modèle a changé.",
            "Le modèle est en vigueur depuis le 1er mars 2021.",
            id="month-of-a-date",
        ),
        pytest.param(
            "Le contrat court jusqu'à fin 2026.",
            "Le contrat court jusqu'au 31 décembre 2026.",
            id="year-of-a-date",
        ),
        pytest.param(
            "Les enfants de 3 à 16 ans sont concernés.",
            "Sont concernés les enfants de trois à seize ans.",
            id="words-range",
        ),
        pytest.param(
            "La demande part au plus tard 4 mois avant l'échéance.",
            "Demande envoyée 4 mois au plus tard avant l'échéance.",
            id="bound-after",
        ),
        pytest.param(
            "On vise 3 réunions de communication par trimestre.",
            "3 réunions de com / trimestre 5 réunions de communication au total",
            id="abbreviation",
        ),
    ],
)
def test_faithful_restatements_of_dates_and_bounds_hold(sentence: str, source: str) -> None:
    assert unsupported(sentence, [source]) == []
    assert reattached(sentence, [source]) == []


def test_a_number_word_cut_at_a_line_end_is_read_whole() -> None:
    assert [f.value for f in figures("de trois à dix- huit ans")] == ["3", "18"]


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        pytest.param(
            "Il faut 2 réunions quotidiennes.", "Il faut 2 réunions hebdomadaires.", id="adjective"
        ),
        pytest.param(
            "Le coefficient est fixé une fois par trimestre.",
            "Le coefficient est fixé une fois par an.",
            id="par-trimestre",
        ),
    ],
)
def test_a_rate_of_another_period_is_not_supported(sentence: str, source: str) -> None:
    assert unsupported(sentence, [source])


def test_a_figure_from_another_sentence_than_the_one_paraphrased_is_reattached() -> None:
    sources = ["Le socle est disponible en annexe 1 du guide.", "Le budget est en annexe 2."]
    assert reattached("Le budget est en annexe 1.", sources)
    assert not reattached("Le socle est disponible en annexe 1.", sources)


def test_a_year_from_another_sentence_than_the_one_paraphrased_is_reattached() -> None:
    # the HAS guide is « publié en 2017 »; 2013 dates a report of the sentence before
    sources = [
        "Les rapports font le constat de difficultés d'accès aux soins (Rapport Jacob - 2013).",
        "En 2017, la Haute autorité de santé a publié un guide méthodologique sur les soins "
        "aux personnes en situation de handicap.",
        "La recommandation sur la liberté d'aller et venir (ANAES, 2004) fait de la liberté "
        "une composante de la liberté individuelle.",
    ]
    claim = "Le guide méthodologique sur les soins aux personnes en situation de handicap"
    assert reattached(f"{claim} a été publié en 2013.", sources)
    assert not reattached(f"{claim} a été publié en 2017.", sources)
    # a year followed by a word (« 2004) fait ») is read as a year, not as « 2004 faits »
    assert reattached("La recommandation sur la liberté d'aller et venir date de 1993.", sources)
    assert not reattached(
        "La recommandation sur la liberté d'aller et venir date de 2004.", sources
    )


def test_a_negation_kept_with_other_words_holds_and_one_added_does_not() -> None:
    source = "Depuis 2020, il n'y a plus de visite initiale, et non de visite de suivi."
    assert polarity_holds("Il n'y a plus de visite initiale depuis 2020.", [source])
    assert not polarity_holds("La visite initiale est maintenue depuis 2020.", [source])
    assert not polarity_holds(
        "Il n'est pas nécessaire de prévoir une visite initiale.",
        ["Il faudra prévoir une visite initiale."],
    )


def test_the_guard_keeps_an_article_number_inside_its_sentence() -> None:
    source = "Conformément à l'article R. 6114-9, une mise en demeure est adressée."
    citation = Citation(n=1, doc_id="guide", title="Guide", section="1", quote=source)
    passage = PromptPassage(n=1, header="Guide > 1", text=source, citation=citation)
    wrong = "Conformément à l'article R. 6114-10, une mise en demeure est adressée [1]."
    assert not check(wrong, [passage]).text.strip()
    right = "Selon l'article R. 6114-9, une mise en demeure est adressée [1]."
    assert check(right, [passage]).text.strip()


TABLE = (
    "Cible 2025-2029 2025 2026 2027 2028 2029 Total 2025-2029 Grands établissements, avec plus "
    "de 500 lits +4 +4 +4 +4 +4 20 Établissements intermédiaires, entre 100 à 499 lits +2 +2 +2 "
    "+2 +2 10 Etablissements de plus petite taille inférieure à 100 lits +1 +1 +1 +1 +1 5"
)


@pytest.mark.parametrize(
    ("sentence", "moved"),
    [
        pytest.param("Les établissements de 100 à 499 lits visent 20 au total.", True, id="row"),
        pytest.param("Les établissements de 100 à 499 lits visent 10 au total.", False, id="own"),
        pytest.param(
            "Les établissements de moins de 100 lits visent 10 sur la période.", True, id="bound"
        ),
        pytest.param(
            "Les grands établissements visent 20, les intermédiaires 10.", False, id="two-rows"
        ),
    ],
)
def test_a_target_of_another_row_of_a_fiche_table_is_reattached(sentence: str, moved: bool) -> None:
    assert bool(reattached(sentence, [TABLE])) is moved


@pytest.mark.parametrize(
    ("text", "read"),
    [
        pytest.param("la circulaire n° 2007-193 du 10 mai 2007", ("code", "2007-193"), id="no"),
        pytest.param("l'article R. 6114-10 du code", ("code", "R6114-10"), id="article"),
        pytest.param("au titre de l'annexe 3-1", ("code", "3-1"), id="annexe"),
        pytest.param("au cours du 1er trimestre", ("number", "1"), id="ordinal"),
    ],
)
def test_references_and_ranks_are_read_as_such(text: str, read: tuple[str, str]) -> None:
    (figure,) = [f for f in figures(text) if f.kind != "date"]
    assert (figure.kind, figure.value) == read
    assert figure.ordinal is (text.endswith("trimestre"))


@pytest.mark.parametrize(
    ("sentence", "source", "holds"),
    [
        pytest.param(
            "L'action 4 vise la pertinence des codages.",
            "4 - Améliorer la pertinence des codages",
            True,
            id="list-number",
        ),
        pytest.param(
            "Les sanctions sont prévues à l'article huit.",
            "Article 8 - Les sanctions",
            True,
            id="article-in-words",
        ),
        pytest.param(
            "Le décret n° 2010-1326 concerne la CME.",
            "Décret 2010-1325 du 5 novembre 2010 relatif à la CME.",
            False,
            id="other-number",
        ),
        pytest.param(
            "Le PRS 2023-2028 fixe ce défi.",
            "Le défi est inscrit dans le PRS 2023/28.",
            True,
            id="short-period",
        ),
        pytest.param(
            "La dotation porte sur le 1er trimestre.",
            "La dotation porte sur le 1er semestre.",
            False,
            id="rank-of-another-period",
        ),
    ],
)
def test_references_are_checked_by_their_identifier(
    sentence: str, source: str, holds: bool
) -> None:
    assert (unsupported(sentence, [source]) == []) is holds


FILE_ACTIVE = (
    "Cible 2025-2029 2024 2025 2026 2027 2028 2029 Total 2025-2029 Pour tous les établissements "
    "File active de la 1ère année + 10 % de la file active initiale + 20 % de la file active "
    "initiale + 30 % de la file active initiale + 40 % de la file active initiale + 50 % de la "
    "file active initiale + 50 % de la file active initiale au bout de 5 ans"
)


@pytest.mark.parametrize(
    ("sentence", "moved"),
    [
        pytest.param("En 2027, la file active doit croître de 40 %.", True, id="other-year"),
        pytest.param("En 2028, la file active doit croître de 40 %.", False, id="its-year"),
    ],
)
def test_a_value_of_another_year_of_a_fiche_table_is_reattached(sentence: str, moved: bool) -> None:
    assert bool(reattached(sentence, [FILE_ACTIVE])) is moved


def test_a_figure_in_brackets_owns_the_words_before_them() -> None:
    source = (
        "Indicateur 1 : taux de rotation (cible = inférieur à 40 %) - Indicateur 2 : part des "
        "dépenses de personnel (cible = inférieur à 60 %)"
    )
    assert reattached("Le taux de rotation doit rester inférieur à 60 %.", [source])
    assert not reattached("Le taux de rotation doit rester inférieur à 40 %.", [source])


def test_a_denied_modal_denies_the_verb_it_governs() -> None:
    # « il n'est pas utile de la déclencher » says the request is not to be made again
    source = ["Dans ce cas il n'est pas utile de la déclencher une seconde fois."]
    assert not polarity_holds("Dans ce cas, il faut la déclencher une seconde fois.", source)
    assert polarity_holds(
        "Dans ce cas, il n'est pas nécessaire de la déclencher une seconde fois.", source
    )


def test_a_measure_with_its_bound_is_not_a_reference_number() -> None:
    # « Engagement n°3 » is a reference; « enfants de plus de 3 ans » is an age with a bound
    source = [
        "OS_14 Engagement n°3- Renforcer l'accès aux soins.",
        "Nombre de journées de spécialité (réadaptation ou enfant de moins de 3 ans) en HAD.",
    ]
    assert unsupported("Les journées consacrées aux enfants de plus de 3 ans en HAD.", source)
    assert not unsupported("Les journées consacrées aux enfants de moins de 3 ans en HAD.", source)
    assert not unsupported("Il relève de l'engagement 3.", source)


def test_one_bounded_after_its_noun_is_read_as_one() -> None:
    # « une cellule … au maximum » where the fiche says « 1 cellule … minimum »
    source = [
        "En 2025, pour tous les établissements 1 cellule hebdomadaire de gestion des lits minimum."
    ]
    claim = "En 2025, la cible est d'une cellule hebdomadaire de gestion des lits au maximum."
    assert unsupported(claim, source)
    assert not unsupported(claim.replace("au maximum", "au minimum"), source)
    # « un total d'au moins 30 % »: the bound is the next figure's, « un » is no figure
    assert [f.value for f in figures("avec un total d'au moins 30 % au bout de 5 ans")] == [
        "30",
        "5",
    ]


def test_a_count_of_the_things_a_passage_enumerates_holds() -> None:
    # three « Vu la circulaire … » are « trois circulaires »; « Annexe I, II, III » three annexes
    circulars = [
        "Vu la circulaire du 1er août 2011 relative aux aides ;",
        "Vu la circulaire du 10 janvier 2012 relative au guide ;",
        "Vu la circulaire du 19 février 2013 relative aux dotations.",
    ]
    assert not unsupported("Le contrat vise trois circulaires.", circulars)
    assert unsupported("Le contrat vise quatre circulaires.", circulars)
    annexes = ["Annexes : Annexe I. – Grille. Annexe II. – Modèle. Annexe III. – Calendrier."]
    assert not unsupported("L'instruction comporte trois annexes.", annexes)
    assert unsupported("L'instruction comporte deux annexes.", annexes)


def test_one_or_more_is_at_least_one() -> None:
    source = ["Pour l'ensemble des établissements, une ou plusieurs équipes territoriales."]
    assert not unsupported("Au moins une équipe territoriale est attendue.", source)
    assert unsupported("Au plus une équipe territoriale est attendue.", source)


def test_in_a_calendar_a_date_owns_the_names_after_it() -> None:
    # « mardi 7 octobre Champagne-Ardenne Limousin mercredi 8 octobre Bretagne Midi-Pyrénées »:
    # a weekday opens the next date; Midi-Pyrénées is the 8th's, not the 7th's
    source = [
        "lundi 6 octobre Rhône-Alpes mardi 7 octobre Champagne-Ardenne Limousin mercredi "
        "8 octobre Bretagne Midi-Pyrénées jeudi 9 octobre PACA Aquitaine"
    ]
    assert reattached("Le dialogue de Midi-Pyrénées est programmé le mardi 7 octobre.", source)
    assert not reattached(
        "Le dialogue de Midi-Pyrénées est programmé le mercredi 8 octobre.", source
    )
    assert not reattached("Le dialogue du Limousin est programmé le mardi 7 octobre.", source)


def test_a_value_listed_for_another_year_is_reattached() -> None:
    source = [
        "Exemple Mammos : Valeur 2026 : 800 Objectif 2027 : 840 Mammos : Valeur 2027 : 840 "
        "Objectif 2028 : 882 Mammos : Valeur 2028 : 882 Objectif 2029 : 926"
    ]
    assert reattached("Dans l'exemple, l'objectif fixé pour 2027 est de 882 mammographies.", source)
    assert not reattached(
        "Dans l'exemple, l'objectif fixé pour 2027 est de 840 mammographies.", source
    )
    assert not reattached(
        "Dans l'exemple, l'objectif fixé pour 2028 est de 882 mammographies.", source
    )


def test_a_frequency_changed_from_its_source_is_caught() -> None:
    source = ["Rédaction d'un Retex par établissement et par an = organisation."]
    assert reattached("La rédaction d'un Retex par établissement et par semestre compte.", source)
    assert not reattached("La rédaction annuelle d'un Retex par établissement compte.", source)
    assert not reattached("La rédaction d'un Retex par établissement compte.", source)


def test_a_number_moved_from_a_division_to_a_product_is_caught() -> None:
    source = [
        "Mode de calcul : nombre de jours d'absences / (ETP moyen sur l'année n x 365), le tout "
        "multiplié par 100. Le nombre d'ETP moyen est la somme des ETP de chaque mois, divisée "
        "par 12."
    ]
    assert reattached("L'ETP moyen est multiplié par 12 et la somme divisée par 365.", source)
    assert not reattached("L'ETP moyen est multiplié par 365 et la somme divisée par 12.", source)


def test_figures_of_one_sentence_said_of_another_sentence_s_subject_are_caught() -> None:
    sources = [
        "Vu l'ordonnance n° 2020-1407 du 18 novembre 2020 relative aux missions des agences "
        "régionales de santé et son titre V « Mesures relatives à la simplification et à la "
        "refonte des contrats pluriannuels d'objectifs et de moyens » ;",
        "Vu le décret n° 2010-1170 du 4 octobre 2010 relatif aux contrats pluriannuels "
        "d'objectifs et de moyens conclus avec les établissements de santé ;",
        "Vu le décret n° 2016-1505 du 8 novembre 2016 relatif aux établissements de santé "
        "assurant le service public hospitalier ;",
    ]
    about = "visé par le socle porte sur les contrats pluriannuels d'objectifs et de moyens."
    assert reattached(f"Le décret n° 2016-1505 du 8 novembre 2016 {about}", sources)
    assert not reattached(f"Le décret n° 2010-1170 du 4 octobre 2010 {about}", sources)
    assert not reattached(
        "Le décret n° 2016-1505 du 8 novembre 2016 porte sur le service public hospitalier.",
        sources,
    )


def test_a_date_said_of_a_thing_the_source_dates_otherwise_is_caught() -> None:
    source = [
        "Dans sa décision n° 2009-584 DC du 16 juillet 2009, le Conseil constitutionnel a "
        "rejeté les moyens invoqués lors de la saisine consécutive à l'adoption de la loi "
        "n° 2009-879 du 21 juillet 2009 portant réforme de l'hôpital."
    ]
    claim = "Dans sa décision du {}, le Conseil constitutionnel a rejeté les moyens invoqués."
    assert reattached(claim.format("21 juillet 2009"), source)
    assert not reattached(claim.format("16 juillet 2009"), source)
    assert not reattached("La loi du 21 juillet 2009 porte réforme de l'hôpital.", source)


def test_a_rank_written_in_words_is_a_figure() -> None:
    (rank,) = figures("Le deuxième axe porte sur la qualité.")
    assert (rank.value, rank.ordinal, rank.unit) == ("2", True, "axe")
    # « premier » and « second » also say « first of all », « secondary »: not read
    assert figures("En premier lieu, un second avis est demandé.") == []
    source = "Le troisième axe porte sur le pilotage interne."
    assert unsupported("Le quatrième axe porte sur le pilotage interne.", [source])
    assert unsupported("Le 3e axe porte sur le pilotage interne.", [source]) == []


def test_two_figures_swapped_between_clauses_are_caught_whichever_side_their_noun_stands() -> None:
    source = [
        "Le schéma directeur immobilier (SDI) couvre une période de 10 ans qui fixe les grandes "
        "opérations, le plan pluriannuel d'investissement (PPI) sur 5 ans qui décline les "
        "opérations financées."
    ]
    swapped = "Le schéma directeur immobilier porte sur 5 ans et le PPI sur 10 ans."
    assert reattached(swapped, source)
    assert not reattached(
        "Le schéma directeur immobilier porte sur 10 ans et le PPI sur 5 ans.", source
    )
    # one clause saying both figures tells nothing of which goes with which
    assert not reattached(
        "Le SDI et le PPI couvrent respectivement 10 et 5 ans d'opérations.", source
    )


def test_a_duration_taken_from_another_sentence_in_another_unit_is_caught() -> None:
    source = [
        "Il revient à l'établissement d'adresser à l'Agence une demande de renouvellement de son "
        "contrat, un an avant leur échéance.",
        "L'agence est tenue de se prononcer sur cette demande dans un délai de quatre mois à "
        "compter de sa réception.",
    ]
    claim = "L'établissement adresse sa demande de renouvellement {} avant l'échéance du contrat."
    assert reattached(claim.format("quatre mois"), source)
    assert not reattached(claim.format("1 an"), source)
    assert not reattached("L'agence se prononce sur la demande en 4 mois.", source)


def test_values_given_to_each_year_of_a_list_are_checked_clause_by_clause() -> None:
    source = ["Taux de dotation attendu : - 2025 : 40% - 2026 : 60% - 2027 : 80%"]
    assert reattached("Le taux attendu est de 60 % en 2025 puis de 40 % en 2026.", source)
    assert not reattached("Le taux attendu est de 40 % en 2025 puis de 60 % en 2026.", source)


def test_a_negation_bears_on_its_verb_past_an_adverb_and_not_on_a_complement() -> None:
    exempt = ["Cette procédure ne s'applique pas aux centres de dialyse autorisés avant 2020."]
    assert polarity_holds(
        "Les centres de dialyse autorisés avant 2020 ne sont pas concernés.", exempt
    )
    assert not polarity_holds("Cette procédure s'applique aux centres de dialyse.", exempt)
    late = ["Si le retard n'a pas été valablement justifié, l'agence applique la pénalité."]
    assert polarity_holds(
        "Si le retard n'est toujours pas justifié, l'agence applique la pénalité.", late
    )
    assert not polarity_holds("Si le retard est justifié, l'agence applique la pénalité.", late)


def test_a_negation_glued_to_its_article_is_read_without_failing() -> None:
    source = [
        "Le taux mesure la part des agents n'ayant bénéficié d'aucune formation depuis 2 ans."
    ]
    assert polarity_holds("Le taux mesure la part des agents sans aucune formation.", source)
    assert not polarity_holds(
        "Le taux mesure la part des agents ayant bénéficié d'une formation depuis 2 ans.", source
    )


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("quatre-vingts établissements", ["80"]),
        ("deux cent quatre-vingts CPOM", ["280"]),
        ("deux mille cinq cents actes", ["2500"]),
        ("vingt et un jours", ["21"]),
        ("trente et une structures", ["31"]),
        ("trente pour cent des lits", ["30"]),
        ("entre deux et trois ans", ["2", "3"]),
    ],
)
def test_numbers_written_in_words_are_read_whole(text: str, values: list[str]) -> None:
    assert [f.value for f in figures(text)] == values


def test_a_rate_written_in_words_is_carried_by_its_digits() -> None:
    source = ["Le taux cible est fixé à 30 % des séjours et à 280 CPOM renouvelés."]
    assert not unsupported("Le taux cible est de trente pour cent des séjours.", source)
    assert not unsupported("Deux cent quatre-vingts CPOM sont renouvelés.", source)
    assert unsupported("Deux cent quatre-vingt-dix CPOM sont renouvelés.", source)


@pytest.mark.parametrize(
    ("source", "faithful", "opposite"),
    [
        (
            "Le dossier doit obligatoirement être déposé sur la plateforme.",
            "Le dépôt du dossier sur la plateforme est obligatoire.",
            "Le dépôt du dossier sur la plateforme est facultatif.",
        ),
        (
            "La demande de renouvellement est adressée six mois avant l'échéance du contrat.",
            "La demande de renouvellement part six mois avant l'échéance du contrat.",
            "La demande de renouvellement est adressée six mois après l'échéance du contrat.",
        ),
        (
            "Les services doivent atteindre une cotation C au moins lors de la visite.",
            "Les services visent une cotation C au moins lors de la visite.",
            "Les services doivent atteindre une cotation C au plus lors de la visite.",
        ),
        (
            "Les établissements publics signent l'annexe sur le numérique.",
            "L'annexe sur le numérique est signée par les établissements publics.",
            "Les établissements privés signent l'annexe sur le numérique.",
        ),
    ],
)
def test_a_word_saying_the_opposite_of_its_source_is_caught(
    source: str, faithful: str, opposite: str
) -> None:
    assert polarity_holds(faithful, [source])
    assert not polarity_holds(opposite, [source])


def test_bounds_said_in_other_words_are_read() -> None:
    source = ["Le taux de fuite doit rester inférieur ou égal à 5 % des séjours."]
    assert not unsupported("Le taux de fuite reste en deçà de 5 % des séjours.", source)
    assert unsupported("Le taux de fuite doit rester au-dessus de 5 % des séjours.", source)
    assert unsupported("Le taux de fuite doit être supérieur ou égal à 5 % des séjours.", source)


@pytest.mark.parametrize(
    ("source", "faithful", "unfaithful"),
    [
        (
            "Un exercice de crise est organisé chaque année.",
            "1 exercice de crise est organisé chaque année.",
            "2 exercices de crise sont organisés chaque année.",
        ),
        (
            "Une revue annuelle du contrat est organisée.",
            "Une revue du contrat est organisée 1 fois par an.",
            "Une revue du contrat est organisée 2 fois par an.",
        ),
        (
            "La moitié du financement repose sur l'activité.",
            "50 % du financement repose sur l'activité.",
            "25 % du financement repose sur l'activité.",
        ),
        (
            "La région compte 1,3 million de personnes avec une maladie chronique.",
            "La région compte 1 300 000 personnes avec une maladie chronique.",
            "La région compte 1 500 000 personnes avec une maladie chronique.",
        ),
        (
            "Le délai de mise en conformité est de 24 mois.",
            "Le délai de mise en conformité est de deux ans.",
            "Le délai de mise en conformité est de trois ans.",
        ),
        (
            "Le contrat est conclu pour une durée d'un an.",
            "Le contrat est conclu pour une durée de 12 mois.",
            "Le contrat est conclu pour une durée de 6 mois.",
        ),
    ],
)
def test_a_figure_said_otherwise_is_carried_and_another_is_not(
    source: str, faithful: str, unfaithful: str
) -> None:
    assert not unsupported(faithful, [source])
    assert unsupported(unfaithful, [source])


def test_a_year_given_to_another_step_of_a_timeline_is_caught() -> None:
    source = [
        "2026 Diagnostic des besoins de formation des équipes soignantes 2027 Rédaction du plan "
        "de formation pluriannuel 2028 Déploiement des sessions de simulation en santé"
    ]
    assert reattached("Le déploiement des sessions de simulation est attendu en 2026.", source)
    assert not reattached("Le déploiement des sessions de simulation est attendu en 2028.", source)
    assert not reattached("Le diagnostic des besoins de formation a lieu en 2026.", source)


def test_a_negation_may_come_from_the_next_sentence_of_the_passage() -> None:
    source = [
        "L'ajout d'une activité en cours de contrat porte la durée totale du contrat à 5 ans.",
        "Si le contrat est de 5 ans, la durée du contrat restant à couvrir n'est pas modifiée.",
    ]
    claim = (
        "Si le contrat dure déjà 5 ans, l'ajout d'une activité laisse la durée restant à couvrir, "
        "qui n'est pas modifiée."
    )
    assert polarity_holds(claim, source)
    assert not polarity_holds(
        "L'ajout d'une activité ne porte pas la durée du contrat à 5 ans.", source
    )


def test_a_formal_negation_with_sans_que_is_read() -> None:
    source = [
        "Le contrat est conclu pour trois ans, sans que la période totale d'exercice ne puisse "
        "excéder six ans."
    ]
    assert polarity_holds("La période totale d'exercice ne peut excéder six ans.", source)


def test_before_and_after_relating_two_things_may_swap_sides() -> None:
    source = ["Les CPOM sont soumis à l'avis du conseil avant validation en comité le 19 décembre."]
    assert polarity_holds(
        "Après avis du conseil, les CPOM sont validés en comité le 19 décembre.", source
    )
    assert not polarity_holds(
        "Les CPOM sont soumis à l'avis du conseil après validation en comité.", source
    )


def test_counts_given_to_each_other_s_noun_are_caught() -> None:
    source = ["Le plan compte 12 actions (9 obligatoires et 3 optionnelles) et 4 annexes."]
    assert reattached("Le plan compte 3 actions obligatoires et 9 optionnelles.", source)
    assert not reattached("Le plan compte 9 obligatoires et 3 optionnelles.", source)
    # a table's cell followed by the next row's label says nothing of the cell's noun
    table = ["Grands établissements +2 interventions +4 interventions 16 Établissements moyens 11"]
    assert not reattached("Les grands établissements réalisent 16 interventions.", table)


def test_dates_swapped_between_clauses_of_a_sentence_listing_several_are_caught() -> None:
    source = [
        "La réforme s'applique à compter du 1er mars 2022 pour la médecine, du 1er janvier 2022 "
        "pour la psychiatrie, du 1er juillet 2023 pour les établissements publics et du 1er "
        "janvier 2024 pour les établissements privés."
    ]
    swapped = (
        "La réforme s'applique le 1er janvier 2024 pour les établissements publics et le 1er "
        "juillet 2023 pour les établissements privés."
    )
    assert reattached(swapped, source)
    kept = (
        "La réforme s'applique le 1er juillet 2023 pour les établissements publics et le 1er "
        "janvier 2024 pour les établissements privés."
    )
    assert not reattached(kept, source)


def test_values_swapped_between_years_are_caught() -> None:
    source = ["Le nombre de sites a baissé (58 en 2020 ; 51 en 2023) dans la région."]
    assert reattached("Le nombre de sites est passé de 51 en 2020 à 58 en 2023.", source)
    assert not reattached("Le nombre de sites est passé de 58 en 2020 à 51 en 2023.", source)


def test_two_years_given_to_each_other_s_event_are_caught() -> None:
    source = ["Le schéma, rédigé en 2018, est entré en application à compter de 2019."]
    assert reattached(
        "Le schéma, rédigé en 2019, est entré en application à compter de 2018.", source
    )
    assert not reattached("Rédigé en 2018, le schéma s'applique à compter de 2019.", source)


def test_a_claim_naming_two_rows_of_a_table_is_read_row_by_row() -> None:
    table = [
        "Grands établissements, avec plus de 500 lits Hausse de 30 points Hausse de 30 points "
        "Hausse de 150 points Établissements intermédiaires, entre 100 à 499 lits Hausse de 15 "
        "points Hausse de 15 points Hausse de 75 points"
    ]
    both = (
        "Les établissements de plus de 500 lits visent 30 points par an et ceux de 100 à 499 "
        "lits 15 points par an."
    )
    assert not reattached(both, table)
    swapped = (
        "Les établissements de plus de 500 lits visent 15 points par an et ceux de 100 à 499 "
        "lits 30 points par an."
    )
    assert reattached(swapped, table)


def test_words_that_look_like_counts_but_are_not_are_left_alone() -> None:
    assert figures("Les deux tarifs sont toutes deux arrêtées par le président.")[0].value == "2"
    assert [f.value for f in figures("Elles sont toutes deux arrêtées par le président.")] == []
    assert [f.value for f in figures("2025 est une année de réflexion.")] == ["2025"]
    assert [f.value for f in figures("Le délai court pour une année.")] == ["1"]
    assert [f.value for f in figures("Les actions sont renouvelées tous les deux ans.")] == ["2"]


def test_a_numbered_item_of_a_list_is_carried_by_its_reference() -> None:
    source = ["5.3- Garantir l'accès à la formation professionnelle des personnels."]
    assert not unsupported("L'objectif 5.3 garantit l'accès à la formation.", source)
    assert unsupported("L'objectif 5.4 garantit l'accès à la formation.", source)


def test_a_date_from_which_is_not_a_date_by_which() -> None:
    source = ["Le rapport est à transmettre au plus tard le 30 avril de chaque année à l'ARS."]
    assert unsupported("Le rapport est transmis à partir du 30 avril de chaque année.", source)
    assert not unsupported("Le rapport est transmis au plus tard le 30 avril.", source)


def test_included_is_the_opposite_of_left_out() -> None:
    source = ["Le taux compte les jours d'absence, hors absences pour formation, sur l'année."]
    assert not polarity_holds(
        "Le taux compte les jours d'absence, y compris les absences pour formation.", source
    )


def test_before_and_after_the_same_thing_are_opposites() -> None:
    source = ["Les annexes peuvent être signées après la signature du socle du contrat."]
    assert not polarity_holds("Les annexes doivent être signées avant le socle du contrat.", source)


def test_durations_swapped_around_instead_of_are_caught() -> None:
    source = [
        "Les établissements doivent formaliser leur demande de renouvellement six mois (au lieu "
        "d'un an) avant l'échéance du contrat en cours."
    ]
    swapped = (
        "La demande de renouvellement doit être formalisée un an (au lieu de six mois) avant "
        "l'échéance du contrat en cours."
    )
    assert reattached(swapped, source)
    kept = (
        "La demande de renouvellement doit être formalisée six mois (au lieu de un an) avant "
        "l'échéance du contrat en cours."
    )
    assert not reattached(kept, source)


def test_the_items_after_dont_are_not_what_the_figure_counts() -> None:
    source = [
        "Le mot de passe doit respecter les éléments de sécurité suivants : 1 majuscule, "
        "1 minuscule, 1 chiffre, 1 caractère spécial et 8 caractères total minimum."
    ]
    claim = (
        "Le mot de passe doit compter au moins huit caractères{} une majuscule, une minuscule, "
        "un chiffre et un caractère spécial."
    )
    assert not reattached(claim.format(" dont"), source)
    assert not reattached(claim.format(", dont"), source)


def test_a_half_day_written_with_a_fraction_sign_is_no_figure() -> None:
    assert figures("Nombre d'heures ou de ½ journées de grève") == []
    assert figures("en 1/2 journée") == []


def test_a_claim_merging_two_sentences_may_take_its_denial_from_either() -> None:
    source = [
        "Depuis 2020, il n'y a plus de visites initiales en version 3.",
        "La version 4 est déployée depuis 2021 à raison de 500 visites initiales par an.",
    ]
    merged = (
        "Depuis 2020, plus aucune visite initiale n'a lieu en version 3, la version 4 étant "
        "déployée depuis 2021 à raison de 500 visites initiales par an."
    )
    assert polarity_holds(merged, source)
    # a denied modal alone is no denial found elsewhere
    other = ["Le délai peut être renouvelé une fois.", "La pénalité ne peut excéder 5 %."]
    assert not polarity_holds("Le délai ne peut pas être renouvelé.", other)


def test_a_year_said_with_the_words_of_another_year_is_caught() -> None:
    source = [
        "Une transition court du 1er juillet 2023 à 2027 pour sécuriser les recettes historiques "
        "de 2022 des établissements."
    ]
    assert reattached("La transition sécurise les recettes historiques de 2023.", source)
    assert not reattached("La transition sécurise les recettes historiques de 2022.", source)
    assert not reattached("La transition court jusqu'en 2027.", source)


def test_a_figure_alone_in_its_clause_is_read_with_the_subject_before_it() -> None:
    source = [
        "L'activité a doublé pour la téléexpertise (85000), et la télésurveillance médicale est "
        "entrée dans le droit commun en 2023 (120 000 actes)."
    ]
    moved = "La télésurveillance médicale est entrée dans le droit commun, avec 85 000 actes."
    assert reattached(moved, source)
    kept = "La télésurveillance médicale est entrée dans le droit commun, avec 120 000 actes."
    assert not reattached(kept, source)
    # « … en 2011 ou en 2012 »: the clause before is the other date's, not a subject
    dates = ["La demande devrait intervenir en décembre 2011 ou janvier 2012."]
    assert not reattached(
        "La demande devrait intervenir en décembre 2011 ou en janvier 2012.", dates
    )


def test_an_opposite_word_is_found_in_one_clause_of_a_merged_claim() -> None:
    source = [
        "Le contrat prend effet au 1er janvier 2025.",
        "Les annexes du contrat peuvent être signées après la signature du socle du contrat.",
    ]
    merged = (
        "Les annexes du contrat doivent être signées avant le socle du contrat, qui prend effet "
        "au 1er janvier 2025."
    )
    assert not polarity_holds(merged, source)
    kept = (
        "Les annexes du contrat peuvent être signées après le socle du contrat, qui prend effet "
        "au 1er janvier 2025."
    )
    assert polarity_holds(kept, source)


def test_an_opposite_word_is_read_against_the_source_clause_of_its_figure() -> None:
    source = [
        "En 2024, seulement 3 % des consultations sont réalisées par des établissements publics "
        "de la région, 40 % par des médecins libéraux et 57 % par des établissements privés."
    ]
    claim = (
        "En 2024, seulement 3 % des consultations sont réalisées par des établissements {} de "
        "la région."
    )
    assert not polarity_holds(claim.format("privés"), source)
    assert polarity_holds(claim.format("publics"), source)


def test_a_figure_and_the_one_in_its_bracket_swapped_are_caught() -> None:
    source = ["Les établissements choisiront 10 indicateurs, contre 40 (75 pour les CHU) avant."]
    assert reattached("Ils choisiront 10 indicateurs, contre 75 (40 pour les CHU) avant.", source)
    assert not reattached(
        "Ils choisiront 10 indicateurs, contre 40 (75 pour les CHU) avant.", source
    )


def test_a_date_whose_day_is_written_in_words_is_a_date() -> None:
    (date,) = figures("Vu la décision du vingt-deux février 2024.")
    assert (date.kind, date.value, date.year) == ("date", "02-22", "2024")
    source = ["Vu le décret n° 2016-1505 du 8 novembre 2016 relatif aux établissements."]
    assert not unsupported(
        "Le décret n° 2016-1505 du huit novembre 2016 vise les établissements.", source
    )
    assert unsupported(
        "Le décret n° 2016-1505 du neuf novembre 2016 vise les établissements.", source
    )


def test_a_number_word_after_pour_is_read() -> None:
    assert [f.value for f in figures("Le contrat est fixé pour quatre ans.")] == ["4"]
    assert [f.value for f in figures("Ils sont remontés pour cinq d'entre eux.")] == ["5"]
    assert [f.value for f in figures("soit trente pour cent des lits")] == ["30"]


# A target table as the fiches' chunks hold it: the header, then each row's label and its cells
# on lines of their own (CPOM_CT_6, p. 35 of the fiches).
CT6_TABLE = (
    "Fiche CPOM_CT_6 : Nombre de protocoles de coopération > Cible générale (2025-2029)\n"
    "Cible 2025-2029 2025 2026 2027 2028 2029 Total 2025-2029 Grands établissements, avec plus "
    "de 500 lits\n0\n+1\n+1\n+1\n+1\n4 Établissements intermédiaires, entre 100 à 499 lits\n0\n0"
    "\n+1\n+1\n+1\n3 Etablissements de plus petite taille inférieure à 100 lits\n0\n0\n0\n+1\n+1\n2"
)


def _guarded(sentence: str, text: str) -> str:
    citation = Citation(n=1, doc_id="fiches", title="Fiches", section="", page=None, quote=text)
    passage = PromptPassage(n=1, header="Fiches", text=text, citation=citation)
    return check(f"{sentence} [1].", [passage]).text


@pytest.mark.parametrize(
    "faithful",
    [
        "En 2027, la cible des établissements intermédiaires, entre 100 à 499 lits, est de +1",
        "En 2026, la cible des établissements de moins de 100 lits est de 0",
        "Les grands établissements de plus de 500 lits doivent en compter 4 sur 2025-2029",
        "De 2025 à 2029, les établissements intermédiaires en ajoutent 1 par an, soit 3 au total",
    ],
)
def test_a_target_tables_cells_on_lines_of_their_own_are_read_with_their_row(
    faithful: str,
) -> None:
    # read line by line, « +1 » or « 4 » was no sentence: the claim's figures were unsupported
    assert _guarded(faithful, CT6_TABLE)


@pytest.mark.parametrize(
    "unfaithful",
    [
        "En 2025, les grands établissements de plus de 500 lits doivent en compter 3",
        "Les établissements intermédiaires doivent en compter 4 chaque année de 2025 à 2029",
        "De 2025 à 2029, les établissements intermédiaires en ajoutent 3 par an, soit 1 au total",
    ],
)
def test_a_figure_no_cell_of_its_years_holds_is_removed(unfaithful: str) -> None:
    # 3 is a total, never a year's value; 4 the big establishments' total; 1 a year's value
    assert not _guarded(unfaithful, CT6_TABLE)
