"""The offline draft: French prose from the templates of ``prompts/draft_textes.md``.

Every passage put between « » is the fiche's (or the guide's) own words, checked against the
fiche's text before use, and listed in the draft's sources. The only placeholder is
``[à compléter]``, where the establishment must supply its 2024 value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.drafting.models import DraftProse
from assistant.drafting.plan import FichePlan, fiche_plan
from assistant.drafting.trajectory import Trajectory, pace_of, show
from assistant.drafts import Value
from assistant.kb.models import HprIndicator, Indicator, TargetRule, YearTarget
from assistant.kb.text import comparable
from assistant.profile import ACTIVITY_LABELS, Profile
from assistant.propose.relevance import (
    CATEGORY_ACTIVITIES,
    PART_TITLES,
    Match,
    catalog_for,
    split_clauses,
)
from assistant.propose.scoring import MIN_RELEVANCE
from assistant.rules import Source
from assistant.rules.values import as_number
from assistant.text.templates import load_template, paragraph

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

TEMPLATE = "draft_textes"
MAX_QUOTED = 260
MAX_ACTIONS = 6
PLACEHOLDER = "[à compléter]"
_MODALITIES = re.compile(r"Modalit[ée]s?\s+(?:de\s+|et\s+)?suivi[^:•]*:\s*([^•\[]+)", re.IGNORECASE)
# A "good practice" that says there is no support is not an action to take.
_NOTHING = re.compile(r"n['’]existe pas|\bpas d['’](?:incitation|accompagnement)", re.IGNORECASE)
# A numbered theme heading (« 1. Qualité de l’air intérieur ») or a list line cut at its comma
# names a subject, not an action.
_NOT_AN_ACTION = re.compile(r"^\d+[.)]\s|,$")
_UNIT_WORDS = {
    "taux": "un taux, en %",
    "nombre": "un nombre",
    "file_active": "une file active",
    "ratio": "un ratio",
    "oui_non": "« oui » ou « non »",
}


@dataclass
class Written:
    """The prose of a draft, its means, risks and proofs, and what it rests on."""

    prose: DraftProse
    sources: list[Source] = field(default_factory=list)
    a_completer: list[str] = field(default_factory=list)
    moyens: str = ""
    risques: list[str] = field(default_factory=list)
    preuves: list[str] = field(default_factory=list)


class _Writer:
    def __init__(self, prompts_dir: Path, profile: Profile) -> None:
        self.parts = load_template(prompts_dir, TEMPLATE)
        self.profile = profile
        self.sources: list[Source] = []
        self.todo: list[str] = []

    def text(self, name: str, **fields: object) -> str:
        return paragraph(self.parts[name], **fields)

    def cite(self, source: Source | None) -> None:
        if source is None or any(source.quote in s.quote for s in self.sources):
            return
        self.sources = [s for s in self.sources if s.quote not in source.quote]
        self.sources.append(source)


# A footnote call left at the end of a line by the PDF (« … au moment de l’évaluation 1 »).
_FOOTNOTE = re.compile(r"(?<=[a-zéèêàû])\s\d$")


def _clip(text: str, limit: int = MAX_QUOTED) -> str:
    """A verbatim prefix of ``text`` that ends on a word (so it stays findable).

    A long text is cut after its first sentence, else at the last comma or parenthesis.
    """
    text = " ".join(text.split()).strip(" ;,•-")
    text = _FOOTNOTE.sub("", text)
    if len(text) <= limit:
        return text.rstrip(".")
    head = text[:limit]
    for mark in (". ", ") ", ", ", "; "):
        cut = head.rfind(mark)
        if cut >= limit // 2:
            return head[: cut + (1 if mark == ") " else 0)].rstrip(" ,;.")
    return head.rsplit(" ", 1)[0].rstrip(" ,;:(")


def _fiche_parts(ind: Indicator) -> list[str]:
    """The fiche's parts, each on its own: a quote never runs from one part into the next."""
    return [comparable(part) for part in (ind.label, ind.objective, *ind.sections.values())]


def _verbatim(ind: Indicator, text: str | None, part: str, *, min_words: int = 2) -> Source | None:
    """``text`` as a source if it is the fiche's words (else None: not quoted)."""
    if not text:
        return None
    clipped = _clip(text)
    if len(clipped.split()) < min_words:
        return None
    if not any(comparable(clipped) in part for part in _fiche_parts(ind)):
        return None
    if "•" in clipped:  # spans two items of a list: not one passage of the fiche
        return None
    return Source(doc_id="", section=f"{ind.code} – {PART_TITLES[part]}", quote=clipped)


def _group(regles: dict[str, str]) -> str:
    """« 2025 : +1 % par rapport à 2024 ; 2026 à 2029 : +3 % par rapport à N-1 »."""
    groups: list[tuple[str, str, str]] = []
    for year, rule in regles.items():
        if groups and groups[-1][2] == rule:
            groups[-1] = (groups[-1][0], year, rule)
        else:
            groups.append((year, year, rule))
    return " ; ".join(f"{a} : {r}" if a == b else f"{a} à {b} : {r}" for a, b, r in groups)


def _activities(
    profile: Profile, ind: Indicator | HprIndicator, cited: dict[str, Source]
) -> list[str]:
    """The establishment's activities the fiche names or requires (French labels)."""
    mine = set(profile.activites) | set(CATEGORY_ACTIVITIES.get(profile.categorie, ()))
    required = ind.eligibility.required_activities if isinstance(ind, Indicator) else []
    found = [a for a in ACTIVITY_LABELS if a in mine and (a in cited or a in required)]
    return [ACTIVITY_LABELS[a] for a in found]


def write_offline(
    profile: Profile,
    ind: Indicator | HprIndicator,
    *,
    trajectory: Trajectory,
    baseline: Value | None,
    prompts_dir: Path,
    kb: KnowledgeBase,
    guide_source: Source | None,
    rule: TargetRule | None = None,
) -> Written:
    """The offline prose of a draft, its sources and what the establishment must supply.

    ``rule`` is the fiche's row applied to the establishment: its steps in words date the
    actions (« Réflexion », « Mise en œuvre effective d'au moins une « fonction » … »).
    """
    writer = _Writer(prompts_dir, profile)
    catalog = catalog_for(kb)
    clauses = split_clauses(profile.priorites)
    match = catalog.lexical(clauses, [ind.code]).get(ind.code) if clauses else None
    nom = profile.raison_sociale or "L'établissement"
    cited = catalog.fiches[ind.code].activities
    if isinstance(ind, HprIndicator):
        return _write_hpr(writer, ind, nom, match, baseline, cited, trajectory=trajectory)
    sentences = [
        s
        for s in catalog.fiches[ind.code].sentences
        if s.source.section
        and s.source.section.endswith(PART_TITLES["contexte"])
        and len(s.source.quote.split()) >= 8
    ]
    # Only a whole sentence: one cut by the page layout starts in lower case or ends without
    # its stop, and is left out rather than quoted broken.
    whole = [
        s
        for s in sentences
        if s.source.quote[:1].isupper() and s.source.quote.rstrip().endswith((".", "!", "?", "»"))
    ]
    extract = whole[0].source if whole else None
    contexte = [
        writer.text(
            "contexte",
            nom=nom,
            code=ind.code,
            libelle=ind.label,
            engagement_numero=ind.engagement.number,
            engagement=ind.engagement.label,
            objectif=ind.objective.rstrip(". "),
            contexte_fiche=writer.text("contexte_fiche", extrait=extract.quote) if extract else "",
        )
    ]
    writer.cite(extract)
    if match is not None and match.relevance >= MIN_RELEVANCE:
        contexte.append(writer.text("contexte_priorite", priorite=match.clause))
    activities = _activities(profile, ind, cited)
    required = [ACTIVITY_LABELS[a] for a in ind.eligibility.required_activities]
    if required:
        mine = [a for a in activities if a in required]
        contexte.append(writer.text("contexte_eligibilite", activites_requises=", ".join(mine)))
    others = [a for a in activities if a not in required]
    if others:
        contexte.append(writer.text("contexte_activites", activites=", ".join(others)))
    diagnostic = _diagnostic(writer, ind, trajectory, baseline, guide_source)
    plan = fiche_plan(ind)
    actors = [a for a in (_verbatim(ind, x, "contexte") for x in plan.actors) if a is not None]
    actions = _dated_actions(writer, ind, plan, trajectory, rule, activities, actors)
    suivi = _suivi(writer, ind)
    partners = _verbatim(ind, ind.partners, "indicateur")
    writer.cite(partners)
    if partners:
        partenaires = writer.text("partenaires", partenaires=partners.quote)
    elif actors:
        for actor in actors:
            writer.cite(actor)
        partenaires = writer.text("partenaires_acteurs", acteurs=_quoted_list(actors))
    else:
        partenaires = writer.text("partenaires_absents")
    moyens = _means(writer, ind, plan, activities)
    risques = _risks(writer, ind, plan, trajectory, has_partners=bool(partners or actors))
    preuves = _proofs(writer, ind, plan)
    writer.sources = [
        s if s.doc_id else s.model_copy(update={"doc_id": kb.fiches_doc_id}) for s in writer.sources
    ]
    return Written(
        DraftProse(
            contexte=" ".join(contexte),
            diagnostic_initial=diagnostic,
            actions=actions,
            suivi=suivi,
            partenaires=partenaires,
        ),
        writer.sources,
        writer.todo,
        moyens=moyens,
        risques=risques,
        preuves=preuves,
    )


def _quoted_list(sources: list[Source]) -> str:
    quoted = [f"« {s.quote} »" for s in sources]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " et " + quoted[-1]


def _milestone(
    writer: _Writer,
    ind: Indicator,
    target: YearTarget | None,
    value: Value | None,
    rule: str | None,
    unit: str,
    *,
    proposed: bool = False,
) -> str:
    """What the year must reach: the computed target and the fiche's step in its words.

    ``proposed``: the fiche asks for progress this year without a figure, the assistant
    proposed the smallest step.
    """
    figure = ""
    if proposed and value is not None:
        figure = writer.text("jalon_propose", valeur=show(value, unit))
    elif target is not None and target.kind != "libre" and rule is not None:
        if value is None:
            figure = writer.text("jalon_a_calculer", regle=rule)
        elif unit == "oui_non":
            figure = writer.text("jalon_oui_non", valeur=show(value, unit))
        else:
            figure = writer.text("jalon_cible", valeur=show(value, unit), regle=rule)
    elif (
        target is not None
        and target.cell
        and value is not None
        and unit not in {"oui_non", "autre"}
    ):
        figure = writer.text("jalon_maintenu", valeur=show(value, unit))
    step = ""
    if target is not None and target.cell:
        verbatim = any(comparable(target.cell) in part for part in _fiche_parts(ind))
        step = writer.text("jalon_etape" if verbatim else "jalon_etape_lue", etape=target.cell)
    if figure and step:
        return f"{figure}, {step}"
    if figure or step:
        return figure or step
    if value is None:
        return writer.text("jalon_a_calculer", regle=rule or "règle de la fiche")
    return writer.text("jalon_propose", valeur=show(value, unit))


def _dated_actions(
    writer: _Writer,
    ind: Indicator,
    plan: FichePlan,
    trajectory: Trajectory,
    rule: TargetRule | None,
    activities: list[str],
    actors: list[Source],
) -> list[str]:
    """One dated action a year, 2025 to 2029: the year's step, then what to do that year.

    The first year launches (pilot, data source); the last one takes stock with the proofs;
    the years between take, in order, the fiche's own suggestions: a pace or date it sets,
    its good practices and support, the actors it names, the services concerned.
    """
    unit = "oui_non" if ind.type == "declaratif" or ind.unit == "oui_non" else ind.unit
    targets = {str(y.year): y for y in (rule.years if rule else [])}
    years = list(trajectory.valeurs) or [str(y) for y in range(2025, 2030)]
    source = _verbatim(ind, ind.data_source, "source")
    writer.cite(source)
    launch = (
        writer.text("action_lancement", source=source.quote)
        if source
        else writer.text("action_lancement_sans_source")
    )
    pool: list[tuple[int | None, str]] = []
    for dated, passage in plan.paced:
        quoted = _verbatim(ind, passage, "objectif")
        if quoted is not None:
            writer.cite(quoted)
            pool.append((dated, writer.text("action_rythme", rythme=quoted.quote)))
    for practice in ind.good_practices:
        quoted = _verbatim(ind, practice, "bonnes_pratiques")
        if quoted is None or _NOTHING.search(quoted.quote) or _NOT_AN_ACTION.search(quoted.quote):
            continue
        writer.cite(quoted)
        name = (
            "action_levier"
            if quoted.quote.lower().startswith("accompagnement")
            else "action_pratique"
        )
        pool.append((None, writer.text(name, pratique=quoted.quote)))
    partners = _verbatim(ind, ind.partners, "indicateur")
    if partners is not None:
        pool.append((None, writer.text("action_partenaires", partenaires=partners.quote)))
    elif actors:
        pool.append((None, writer.text("action_acteurs", acteurs=_quoted_list(actors))))
    if activities:
        pool.append((None, writer.text("action_activites", activites=", ".join(activities))))
    middle = years[1:-1]
    todo: dict[str, str] = {}
    for dated, text in sorted(pool, key=lambda item: item[0] is None):  # dated ones first
        free = [y for y in middle if y not in todo]
        if not free:
            break
        wanted = str(dated) if dated is not None and str(dated) in free else free[0]
        todo[wanted] = text
    actions = []
    for year in years:
        if year == years[0]:
            what = launch
        elif year == years[-1]:
            what = writer.text("action_bilan")
        else:
            what = todo.get(year, writer.text("action_point"))
        step = _milestone(
            writer,
            ind,
            targets.get(year),
            trajectory.valeurs.get(year),
            trajectory.regles.get(year),
            unit,
            proposed=year in trajectory.progression_proposee,
        )
        what = what[:1].lower() + what[1:]
        actions.append(writer.text("action_annee", annee=year, jalon=step, action=what))
    return actions


def _means(writer: _Writer, ind: Indicator, plan: FichePlan, activities: list[str]) -> str:
    """Who carries the indicator and with what: the pilot, the teams, the fiche's support."""
    teams = (
        writer.text("moyens_equipes", activites=", ".join(activities))
        if activities
        else writer.text("moyens_equipes_generales")
    )
    support = [q for q in (_verbatim(ind, m, "bonnes_pratiques") for m in plan.means) if q]
    support = [q for q in support if not _NOTHING.search(q.quote)][:2]
    for quoted in support:
        writer.cite(quoted)
    appui = (
        writer.text("moyens_appui", appui=" ; ".join(f"« {q.quote} »" for q in support))
        if support
        else writer.text("moyens_sans_appui")
    )
    return writer.text("moyens", equipes=teams, appui=appui)


def _risks(
    writer: _Writer, ind: Indicator, plan: FichePlan, trajectory: Trajectory, *, has_partners: bool
) -> list[str]:
    """The risks to the trajectory and how each is handled (the fiche's own first)."""
    risks = []
    for passage in plan.risks[:1]:
        quoted = _verbatim(ind, passage, "contexte")
        if quoted is not None:
            writer.cite(quoted)
            risks.append(writer.text("risque_fiche", risque=quoted.quote))
    data = _verbatim(ind, ind.data_source, "source")
    risks.append(
        writer.text("risque_donnees", source=data.quote)
        if data
        else writer.text("risque_donnees_sans_source")
    )
    rising = [
        v
        for v in trajectory.valeurs.values()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    if len(set(rising)) > 1:
        risks.append(writer.text("risque_rythme"))
    if has_partners:
        risks.append(writer.text("risque_partenaires"))
    return risks


def _proofs(writer: _Writer, ind: Indicator, plan: FichePlan) -> list[str]:
    """The fiche's « éléments de preuve » (else its follow-up terms, else what to keep)."""
    found = [q for q in (_verbatim(ind, p, "suivi") for p in plan.proofs) if q]
    if not found:
        found = [q for q in (_verbatim(ind, p, "suivi") for p in plan.follow_up) if q]
        if found:
            for quoted in found[:2]:
                writer.cite(quoted)
            return [writer.text("preuve_suivi", preuve=q.quote) for q in found[:2]]
        data = _verbatim(ind, ind.data_source, "source")
        return [
            writer.text("preuves_sans_fiche", source=data.quote)
            if data
            else writer.text("preuves_sans_fiche_ni_source")
        ]
    for quoted in found:
        writer.cite(quoted)
    return [writer.text("preuve_fiche", preuve=q.quote) for q in found]


def _definition(writer: _Writer, ind: Indicator) -> str:
    source = _verbatim(ind, ind.definition, "indicateur")
    if source is None:
        return ""
    writer.cite(source)
    return writer.text("definition", definition=source.quote) + " "


def _diagnostic(
    writer: _Writer,
    ind: Indicator,
    trajectory: Trajectory,
    baseline: Value | None,
    guide: Source | None,
) -> str:
    unit = "oui_non" if ind.type == "declaratif" or ind.unit == "oui_non" else ind.unit
    definition = _definition(writer, ind)
    resume = _group(trajectory.regles)
    if baseline is None:
        writer.todo.append(
            f"valeur_initiale : la valeur 2024 de l'indicateur ({_UNIT_WORDS.get(unit, unit)}) ; "
            "les cibles 2025-2029 se calculent ensuite d'après la fiche."
        )
        if trajectory.portee is None:
            return writer.text(
                "diagnostic_sans_valeur_ni_regle",
                unite=_UNIT_WORDS.get(unit, unit),
                definition=definition,
                situation=writer.profile.describe(),
            )
        return writer.text(
            "diagnostic_sans_valeur",
            unite=_UNIT_WORDS.get(unit, unit),
            definition=definition,
            portee=trajectory.portee,
            resume_cible=resume,
        )
    value = f"« {show(baseline, unit)} »" if unit == "oui_non" else show(baseline, unit)
    citation = guide.quote if guide else ""
    if trajectory.deja_atteint:
        writer.cite(guide)
        if unit == "oui_non":
            return writer.text(
                "diagnostic_deja_oui", cible_finale=trajectory.cible_finale, citation_guide=citation
            )
        base = as_number(baseline)
        assert base is not None
        if trajectory.maximum is not None and base >= trajectory.maximum:
            return writer.text(
                "diagnostic_maximum",
                valeur=value,
                cible_finale=trajectory.cible_finale,
                maximum=show(trajectory.maximum, unit),
                citation_guide=citation,
            )
        pace = pace_of(trajectory, base)
        step = f"+{pace:g}".replace(".", ",") + (" point(s)" if unit == "taux" else "")
        return writer.text(
            "diagnostic_deja_atteint",
            valeur=value,
            cible_finale=trajectory.cible_finale,
            citation_guide=citation,
            rythme=step,
        )
    if trajectory.portee is None:
        return writer.text(
            "diagnostic_sans_regle",
            valeur=value,
            definition=definition,
            situation=writer.profile.describe(),
        )
    return writer.text(
        "diagnostic",
        valeur=value,
        definition=definition,
        portee=trajectory.portee,
        resume_cible=resume,
    )


def _actions(writer: _Writer, ind: Indicator, activities: list[str]) -> list[str]:
    actions = [writer.text("action_pilotage")]
    source = _verbatim(ind, ind.data_source, "source")
    if source is not None:
        writer.cite(source)
        actions.append(writer.text("action_recueil", source=source.quote))
    for practice in ind.good_practices:
        if len(actions) >= 4:
            break
        quoted = _verbatim(ind, practice, "bonnes_pratiques")
        if quoted is None or _NOTHING.search(quoted.quote) or _NOT_AN_ACTION.search(quoted.quote):
            continue
        writer.cite(quoted)
        name = (
            "action_levier"
            if quoted.quote.lower().startswith("accompagnement")
            else ("action_pratique")
        )
        actions.append(writer.text(name, pratique=quoted.quote))
    if activities:
        actions.append(writer.text("action_activites", activites=", ".join(activities)))
    partners = _verbatim(ind, ind.partners, "indicateur")
    if partners is not None and len(actions) < MAX_ACTIONS - 1:
        actions.append(writer.text("action_partenaires", partenaires=partners.quote))
    actions.append(writer.text("action_evaluation"))
    return actions[:MAX_ACTIONS]


def _suivi(writer: _Writer, ind: Indicator) -> str:
    frequency = _verbatim(ind, ind.frequency, "suivi", min_words=1)
    if frequency is None:
        return writer.text("suivi_sans_fiche")
    writer.cite(frequency)
    data = _verbatim(ind, ind.data_source, "source")
    found = _MODALITIES.search(ind.sections.get("suivi", ""))
    modalities = _verbatim(ind, found.group(1), "suivi") if found else None
    writer.cite(modalities)
    return writer.text(
        "suivi",
        frequence=frequency.quote,
        source=writer.text("suivi_source", source=data.quote) + " " if data else "",
        modalites=writer.text("suivi_modalites", modalites=modalities.quote) if modalities else "",
    )


def _hpr_actions(
    writer: _Writer, ind: HprIndicator, trajectory: Trajectory, activities: list[str]
) -> list[str]:
    """One dated action a year, 2025 to 2027: launch, work with the territory, take stock."""
    unit = "taux" if ind.label.lower().startswith(("taux", "part")) else ""
    doing = [
        writer.text("action_hpr_lancement"),
        writer.text(
            "action_hpr_territoire",
            numero=ind.objective_number,
            objectif=ind.objective,
            activites=f", dans les services concernés ({', '.join(activities)})"
            if activities
            else "",
        ),
        writer.text("action_hpr_bilan"),
    ]
    actions = []
    for year, action in zip(trajectory.valeurs, doing, strict=False):
        value = trajectory.valeurs[year]
        if value is None:
            milestone = writer.text("jalon_hpr_a_calculer")
        elif year in trajectory.progression_proposee:
            milestone = writer.text("jalon_hpr_propose", valeur=show(value, unit))
        else:
            milestone = writer.text("jalon_hpr", valeur=show(value, unit))
        actions.append(writer.text("action_annee", annee=year, jalon=milestone, action=action))
    return actions


def _write_hpr(
    writer: _Writer,
    ind: HprIndicator,
    nom: str,
    match: Match | None,
    baseline: Value | None,
    cited: dict[str, Source],
    *,
    trajectory: Trajectory,
) -> Written:
    source = Source(doc_id=ind.quote.doc_id, section=ind.quote.section, quote=ind.quote.text)
    writer.cite(source)
    contexte = [
        writer.text(
            "contexte_hpr",
            nom=nom,
            code=ind.code,
            libelle=ind.label,
            objectif_numero=ind.objective_number,
            etoile=" (objectif prioritaire, marqué d'une étoile)" if ind.starred else "",
            objectif=ind.objective,
        )
    ]
    if match is not None and match.relevance >= MIN_RELEVANCE:
        contexte.append(writer.text("contexte_priorite", priorite=match.clause))
    activities = _activities(writer.profile, ind, cited)
    if activities:
        contexte.append(writer.text("contexte_activites", activites=", ".join(activities)))
    if baseline is None:
        writer.todo.append("valeur_initiale : la valeur 2024 de l'indicateur HPR.")
        diagnostic = writer.text("diagnostic_hpr_sans_valeur")
    else:
        unit = "taux" if ind.label.lower().startswith(("taux", "part")) else ""
        shown = show(baseline, unit)
        if trajectory.progression_proposee:
            steps = ", ".join(
                f"{y} : {show(trajectory.valeurs[y], unit)}"
                for y in trajectory.progression_proposee
            )
            diagnostic = writer.text("diagnostic_hpr_progression", valeur=shown, cibles=steps)
        else:
            diagnostic = writer.text("diagnostic_hpr", valeur=shown)
    writer.todo.append(
        "actions : l'annexe HPR ne donne que le libellé et l'objectif de l'indicateur ; "
        "ajoutez les actions propres à celui-ci (qui, quand, avec quels partenaires), sans "
        "quoi les justifications des indicateurs HPR d'un même objectif se ressemblent."
    )
    actions = _hpr_actions(writer, ind, trajectory, activities)
    return Written(
        DraftProse(
            contexte=" ".join(contexte),
            diagnostic_initial=diagnostic,
            actions=actions,
            suivi=writer.text("suivi_hpr"),
            partenaires=writer.text("partenaires_hpr"),
        ),
        writer.sources,
        writer.todo,
    )


__all__ = ["PLACEHOLDER", "TEMPLATE", "Written", "write_offline"]
