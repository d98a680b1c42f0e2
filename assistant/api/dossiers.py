"""The dossier routes: a thin adapter over the store's services.

Each route authenticates the caller, calls one service with it and returns what the service
returns; every access decision (scope, role, status) is the service's. Routes are plain
functions: FastAPI runs them in its worker threads, as the store is synchronous.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, status

from assistant.api.auth import current_actor, current_store
from assistant.api.models import (
    CommentRequest,
    ConflictAnswer,
    DossierAnswer,
    DossierItem,
    ErrorAnswer,
    RefusalAnswer,
    SaveAnswer,
    SaveRequest,
    SendBackRequest,
    StatusAnswer,
    ValidateRequest,
)
from assistant.store import (
    Actor,
    CommentInfo,
    DossierSummary,
    Status,
    Store,
    VersionDetail,
    VersionInfo,
    add_comment,
    get_dossier,
    get_version,
    list_comments,
    list_dossiers,
    list_versions,
    save_draft,
    send_back,
    submit,
    validate_dossier,
)

ActorDep = Annotated[Actor, Depends(current_actor)]
StoreDep = Annotated[Store, Depends(current_store)]
Finess = Annotated[
    str, Path(description="FINESS EJ du dossier (9 caractères).", examples=["310000123"])
]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorAnswer, "description": "Jeton ou session absent, inconnu ou révoqué."},
    403: {"model": ErrorAnswer, "description": "Dossier hors de votre périmètre ou de votre rôle."},
    404: {"model": ErrorAnswer, "description": "FINESS sans dossier (dans votre périmètre)."},
    422: {"model": ErrorAnswer, "description": "Requête invalide (FINESS, corps, commentaire…)."},
    503: {"model": ErrorAnswer, "description": "Base des dossiers injoignable : rien n'est écrit."},
}
_STATUS_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorAnswer, "description": "Le statut du dossier ne permet pas cette action."}
}

router = APIRouter(prefix="/api/dossiers", tags=["dossiers"], responses=_ERRORS)


def _status(summary: DossierSummary) -> StatusAnswer:
    return StatusAnswer(finess_ej=summary.finess_ej, statut=summary.statut, version=summary.version)


@router.get(
    "",
    summary="Lister les dossiers",
    description="Les dossiers que vous pouvez lire : les vôtres (établissement), ceux de vos "
    "départements (référent), tous (administrateur, mode local).",
)
def list_(
    actor: ActorDep,
    store: StoreDep,
    statut: Annotated[Status | None, Query(description="Ne garder que ce statut.")] = None,
    departement: Annotated[
        str | None, Query(description="Ne garder que ce département (31, 2A…).")
    ] = None,
) -> list[DossierItem]:
    """List the dossiers the caller may see."""
    found = list_dossiers(store, actor, statut=statut, departement=departement)
    return [DossierItem.model_validate(d.model_dump()) for d in found]


@router.get(
    "/{finess}",
    summary="Lire un dossier",
    description="La version courante : statut, brouillon et rapport du validateur.",
)
def read(actor: ActorDep, store: StoreDep, finess: Finess) -> DossierAnswer:
    """Read a dossier's current version."""
    return DossierAnswer.model_validate(get_dossier(store, actor, finess).model_dump())


@router.put(
    "/{finess}",
    summary="Enregistrer un brouillon",
    description="Enregistre le brouillon comme nouvelle version, vérifiée par le validateur. "
    "« version » est la version lue avant modification (0 crée le dossier) : si quelqu'un a "
    "enregistré depuis, la réponse est 409 et rien n'est écrit. Un dossier soumis ou validé "
    "ne se modifie pas (409).",
    responses={409: {"model": ConflictAnswer, "description": "Modifié entre-temps, ou statut."}},
)
def save(actor: ActorDep, store: StoreDep, finess: Finess, request: SaveRequest) -> SaveAnswer:
    """Save a draft as the dossier's next version."""
    result = save_draft(store, actor, finess, request.brouillon, version=request.version)
    return SaveAnswer(version=result.version, rapport=result.rapport)


@router.post(
    "/{finess}/soumettre",
    summary="Soumettre au référent",
    description="Soumet la version courante au référent ARS. Refusé (422, avec les constats "
    "du validateur) tant que la version compte une erreur.",
    responses={
        **_STATUS_CONFLICT,
        422: {"model": RefusalAnswer, "description": "La version compte des erreurs."},
    },
)
def submit_(actor: ActorDep, store: StoreDep, finess: Finess) -> StatusAnswer:
    """Submit the dossier to its referent."""
    return _status(submit(store, actor, finess))


@router.post(
    "/{finess}/renvoyer",
    summary="Renvoyer pour correction",
    description="Le référent renvoie un dossier soumis à l'établissement ; le commentaire est "
    "obligatoire.",
    responses=_STATUS_CONFLICT,
)
def send_back_(
    actor: ActorDep, store: StoreDep, finess: Finess, request: SendBackRequest
) -> StatusAnswer:
    """Send a submitted dossier back for corrections."""
    return _status(send_back(store, actor, finess, request.commentaire))


@router.post(
    "/{finess}/valider",
    summary="Valider",
    description="Le référent valide un dossier soumis (commentaire facultatif).",
    responses=_STATUS_CONFLICT,
)
def validate_(
    actor: ActorDep,
    store: StoreDep,
    finess: Finess,
    request: Annotated[ValidateRequest | None, Body()] = None,
) -> StatusAnswer:
    """Validate a submitted dossier."""
    comment = request.commentaire if request else None
    return _status(validate_dossier(store, actor, finess, comment))


@router.get(
    "/{finess}/commentaires",
    summary="Lire les commentaires",
    description="Les commentaires du dossier, du plus ancien au plus récent, chacun avec la "
    "version sur laquelle il a été écrit.",
)
def comments(actor: ActorDep, store: StoreDep, finess: Finess) -> list[CommentInfo]:
    """List a dossier's comments."""
    return list_comments(store, actor, finess)


@router.post(
    "/{finess}/commentaires",
    summary="Commenter",
    description="Un commentaire sur le dossier, ou sur l'un de ses indicateurs.",
    status_code=status.HTTP_201_CREATED,
)
def comment(
    actor: ActorDep, store: StoreDep, finess: Finess, request: CommentRequest
) -> CommentInfo:
    """Comment on a dossier or one of its indicators."""
    return add_comment(store, actor, finess, request.texte, indicateur=request.indicateur)


@router.get(
    "/{finess}/versions",
    summary="Lister les versions",
    description="Toutes les versions du dossier, de la plus récente à la plus ancienne.",
)
def versions(actor: ActorDep, store: StoreDep, finess: Finess) -> list[VersionInfo]:
    """List a dossier's versions."""
    return list_versions(store, actor, finess)


@router.get(
    "/{finess}/versions/{numero}",
    summary="Lire une version",
    description="Une version du dossier, avec son brouillon et son rapport.",
)
def version(
    actor: ActorDep,
    store: StoreDep,
    finess: Finess,
    numero: Annotated[int, Path(description="Numéro de la version.", ge=1)],
) -> VersionDetail:
    """Read one version of a dossier."""
    return get_version(store, actor, finess, numero)
