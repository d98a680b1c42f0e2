"""The API's one translation point: every failure becomes a JSON body with a French ``message``.

The store's errors carry their ``http_status`` (401, 403, 404, 409, 422, 503), returned as is;
a refused submission adds the validator's report, a version conflict the current version.
Nothing secret goes out: no token, no password, no traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.api.auth import api_context, authenticate
from assistant.errors import (
    AccessDeniedError,
    AssistantError,
    NotAuthenticatedError,
    VersionConflictError,
)
from assistant.store import SubmissionRefusedError

logger = logging.getLogger(__name__)

_FIELD_PROBLEMS = {
    "missing": "manquant",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "dict_type": "objet JSON attendu",
    "model_attributes_type": "objet JSON attendu",
    "string_type": "texte attendu",
    "json_invalid": "JSON illisible",
    "greater_than_equal": "trop petit",
    "literal_error": "valeur non permise",
    "enum": "valeur non permise",
}
_HTTP_MESSAGES = {
    404: "Adresse inconnue dans l'API : {path}. La liste des adresses est sur /api/docs.",
    405: "La méthode {method} n'est pas permise sur {path}.",
}


def error_answer(error: AssistantError) -> JSONResponse:
    """The JSON answer for an expected failure (its ``http_status``, 422 by default)."""
    status = int(getattr(error, "http_status", 422))
    body: dict[str, Any] = {"message": error.message, "conseil": error.hint}
    if isinstance(error, SubmissionRefusedError):
        body["rapport"] = error.report.contract()
    if isinstance(error, VersionConflictError):
        body |= {"version_courante": error.current_version, "auteur": error.author}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _on_assistant_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AssistantError)
    return error_answer(error)


def _on_invalid_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # An unreadable body from an unknown caller is first a missing login (401, not 422).
    try:
        authenticate(request, api_context(request))
    except (NotAuthenticatedError, AccessDeniedError) as refusal:
        return error_answer(refusal)
    except AssistantError:
        pass  # the database is down: the body's problem is still worth saying
    fields: list[str] = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
        problem = _FIELD_PROBLEMS.get(str(item.get("type")), "valeur invalide")
        fields.append(f"{where or 'corps'} : {problem}")
    return JSONResponse(
        {
            "message": "Requête illisible : " + " ; ".join(fields) + ".",
            "conseil": "Le format attendu de chaque adresse est décrit sur /api/docs.",
            "champs": fields,
        },
        status_code=422,
    )


def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    template = _HTTP_MESSAGES.get(error.status_code, "Requête refusée ({status}).")
    message = template.format(
        path=request.url.path, method=request.method, status=error.status_code
    )
    return JSONResponse(
        {"message": message, "conseil": None},
        status_code=error.status_code,
        headers=getattr(error, "headers", None),
    )


def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.error("unexpected %s on %s %s", type(error).__name__, request.method, request.url.path)
    return JSONResponse(
        {
            "message": "Erreur inattendue du serveur : rien n'a été enregistré à moitié.",
            "conseil": "Recommencez ; si l'erreur revient, signalez-la à l'administrateur "
            "(elle est consignée dans le journal du serveur).",
        },
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure of ``app`` with a French JSON body."""
    app.add_exception_handler(AssistantError, _on_assistant_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
