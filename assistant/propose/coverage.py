"""What the proposal says plainly: priorities no indicator covers, and profile warnings.

The warnings are what the profile declares that the selection cannot take as it is: activities
outside the fiches' list, indicators already met, an engagement a fiche has no row for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.kb.models import Indicator
from assistant.profile import Profile
from assistant.propose.models import UncoveredPriority
from assistant.propose.priorities import Priority, split_priorities
from assistant.propose.relevance import MIN_RELEVANCE, catalog_for
from assistant.propose.scoring import Candidate, already_met_source, engaged_rows
from assistant.propose.vocabulary import own_words
from assistant.rules import RuleSet

if TYPE_CHECKING:
    from assistant.kb import KnowledgeBase

# A topic that starts with an article reads as French after « porte sur » without guillemets.
_ARTICLE = re.compile(r"^(?:l['’]|le |la |les |des |du |de la |de l['’]|un |une )", re.IGNORECASE)


def _about(priority: Priority) -> str:
    """« l'isolement et la contention », or « « pair-aidance » » when it has no article."""
    topic = priority.topic.rstrip(" .")
    about = topic if _ARTICLE.match(topic) else f"« {topic} »"
    if topic != priority.text:
        about += f" (votre priorité « {priority.text} »)"
    return about


def uncovered_priorities(
    profile: Profile, candidates: Sequence[Candidate], *, kb: KnowledgeBase
) -> list[UncoveredPriority]:
    """The declared priorities that no indicator this profile may choose measures.

    A priority is covered when one of its clauses matches an eligible indicator from
    ``MIN_RELEVANCE`` on (the same threshold that gives points for a priority).
    """
    catalog = catalog_for(kb)
    pool = {c.code: c for c in candidates}
    own = own_words(profile.activites, profile.categorie)
    out: list[UncoveredPriority] = []
    for priority in split_priorities(profile.priorites):
        matching = [
            code
            for code in pool
            if any(
                catalog.clause_match(clause, code, own=own).relevance >= MIN_RELEVANCE
                for clause in priority.clauses
            )
        ]
        if any(pool[code].eligible for code in matching):
            continue
        about = _about(priority)
        if not matching:
            message = (
                f"Aucun indicateur ne porte sur {about} : aucune fiche ne mesure cette "
                "priorité, l'assistant ne lui rattache donc pas d'indicateur."
            )
        else:
            why = " ; ".join(f"{code} : {pool[code].motif}" for code in matching[:3])
            message = (
                f"Aucun indicateur accessible à votre profil ne porte sur {about} : "
                f"{', '.join(matching[:3])} la mesure, mais ne peut pas être retenu ({why})"
            )
        out.append(
            UncoveredPriority(priorite=priority.text, message=message, inaccessibles=matching)
        )
    return out


def profile_warnings(
    profile: Profile,
    candidates: Sequence[Candidate],
    chosen: Sequence[Candidate],
    *,
    kb: KnowledgeBase,
    rules: RuleSet,
) -> list[str]:
    """French warnings on the profile.

    Activities no fiche reads, indicators already met (set aside or kept), engagements declared
    for a fiche without a « déjà engagés » row.
    """
    out = profile.warnings()
    guide = already_met_source(rules)
    says = f" ; le guide précise : « {guide.quote.rstrip(' .')} »" if guide else ""
    for candidate in candidates:
        if not (candidate.already_met and candidate.eligible):
            continue
        if candidate in chosen:
            out.append(
                f"{candidate.code}, que vous déclarez déjà atteint, est gardé faute d'autres "
                f"indicateurs accessibles dans sa catégorie{says}. Proposez pour lui une cible "
                "plus ambitieuse que celle de la fiche."
            )
        else:
            out.append(
                f"{candidate.code}, que vous déclarez déjà atteint, n'est pas proposé{says}. "
                "L'assistant retient un autre indicateur à sa place ; si vous tenez à le garder, "
                "proposez une cible plus ambitieuse que celle de la fiche."
            )
    for code in profile.deja_engages:
        indicator = kb.get(code)
        if isinstance(indicator, Indicator) and not engaged_rows(indicator):
            out.append(
                f"{code} est déclaré dans deja_engages, mais sa fiche n'a pas de ligne « Pour "
                "les établissements déjà engagés… » : la cible générale de la fiche s'applique."
            )
    return out


__all__ = ["profile_warnings", "uncovered_priorities"]
