"""The dossier store: database, migrations, accounts, dossiers, review cycle and audit.

Services take the acting user (`Actor`) first and check its rights themselves; they raise
French `StoreError` subclasses whose ``http_status`` an HTTP layer returns as is.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.errors import (
        AccessDeniedError,
        DatabaseUnavailableError,
        InvalidRequestError,
        NotAuthenticatedError,
        NotFoundError,
        StatusError,
        StoreError,
        VersionConflictError,
    )
    from assistant.store.access import departement_of, may_read, normalize_finess
    from assistant.store.accounts import add_user, disable_user, list_users
    from assistant.store.audit import read_audit
    from assistant.store.checker import Checker
    from assistant.store.connection import Store, open_store, store_from_settings
    from assistant.store.dossiers import (
        compare_versions,
        export_dossier,
        get_dossier,
        get_version,
        list_dossiers,
        list_versions,
        save_draft,
    )
    from assistant.store.imports import ImportItem, import_drafts
    from assistant.store.logins import (
        authenticate_session,
        authenticate_token,
        create_token,
        login,
        logout,
        require_admin_account,
        revoke_token,
    )
    from assistant.store.models import (
        LOCAL_ADMIN,
        LOCAL_USER,
        STATUS_LABELS,
        Account,
        Actor,
        AuditEntry,
        CommentInfo,
        DossierDetail,
        DossierSummary,
        Role,
        SaveResult,
        Status,
        VersionDetail,
        VersionDiff,
        VersionInfo,
    )
    from assistant.store.queue import QueueRow, changes_since_send_back, review_queue
    from assistant.store.review import (
        SubmissionRefusedError,
        add_comment,
        list_comments,
        send_back,
        submit,
        validate_dossier,
    )
    from assistant.store.synthesis import Synthesis, compute_synthesis

# name -> module that defines it; loaded on first use (SQLAlchemy, Alembic and the rules
# engine are not imported by `python -m assistant --help`)
_WHERE: dict[str, str] = {
    "STATUS_LABELS": "assistant.store.models",
    "Synthesis": "assistant.store.synthesis",
    "compute_synthesis": "assistant.store.synthesis",
    "QueueRow": "assistant.store.queue",
    "changes_since_send_back": "assistant.store.queue",
    "review_queue": "assistant.store.queue",
    "AccessDeniedError": "assistant.errors",
    "DatabaseUnavailableError": "assistant.errors",
    "InvalidRequestError": "assistant.errors",
    "NotAuthenticatedError": "assistant.errors",
    "NotFoundError": "assistant.errors",
    "StatusError": "assistant.errors",
    "StoreError": "assistant.errors",
    "VersionConflictError": "assistant.errors",
    "Account": "assistant.store.models",
    "Actor": "assistant.store.models",
    "AuditEntry": "assistant.store.models",
    "Checker": "assistant.store.checker",
    "CommentInfo": "assistant.store.models",
    "DossierDetail": "assistant.store.models",
    "DossierSummary": "assistant.store.models",
    "ImportItem": "assistant.store.imports",
    "LOCAL_ADMIN": "assistant.store.models",
    "LOCAL_USER": "assistant.store.models",
    "Role": "assistant.store.models",
    "SaveResult": "assistant.store.models",
    "Status": "assistant.store.models",
    "Store": "assistant.store.connection",
    "SubmissionRefusedError": "assistant.store.review",
    "VersionDetail": "assistant.store.models",
    "VersionDiff": "assistant.store.models",
    "VersionInfo": "assistant.store.models",
    "add_comment": "assistant.store.review",
    "add_user": "assistant.store.accounts",
    "authenticate_session": "assistant.store.logins",
    "authenticate_token": "assistant.store.logins",
    "compare_versions": "assistant.store.dossiers",
    "create_token": "assistant.store.logins",
    "departement_of": "assistant.store.access",
    "disable_user": "assistant.store.accounts",
    "export_dossier": "assistant.store.dossiers",
    "get_dossier": "assistant.store.dossiers",
    "get_version": "assistant.store.dossiers",
    "import_drafts": "assistant.store.imports",
    "list_comments": "assistant.store.review",
    "list_dossiers": "assistant.store.dossiers",
    "list_users": "assistant.store.accounts",
    "list_versions": "assistant.store.dossiers",
    "login": "assistant.store.logins",
    "logout": "assistant.store.logins",
    "may_read": "assistant.store.access",
    "normalize_finess": "assistant.store.access",
    "open_store": "assistant.store.connection",
    "read_audit": "assistant.store.audit",
    "require_admin_account": "assistant.store.logins",
    "revoke_token": "assistant.store.logins",
    "save_draft": "assistant.store.dossiers",
    "send_back": "assistant.store.review",
    "store_from_settings": "assistant.store.connection",
    "submit": "assistant.store.review",
    "validate_dossier": "assistant.store.review",
}

__all__ = [
    "LOCAL_ADMIN",
    "LOCAL_USER",
    "STATUS_LABELS",
    "AccessDeniedError",
    "Account",
    "Actor",
    "AuditEntry",
    "Checker",
    "CommentInfo",
    "DatabaseUnavailableError",
    "DossierDetail",
    "DossierSummary",
    "ImportItem",
    "InvalidRequestError",
    "NotAuthenticatedError",
    "NotFoundError",
    "QueueRow",
    "Role",
    "SaveResult",
    "Status",
    "StatusError",
    "Store",
    "StoreError",
    "SubmissionRefusedError",
    "Synthesis",
    "VersionConflictError",
    "VersionDetail",
    "VersionDiff",
    "VersionInfo",
    "add_comment",
    "add_user",
    "authenticate_session",
    "authenticate_token",
    "changes_since_send_back",
    "compare_versions",
    "compute_synthesis",
    "create_token",
    "departement_of",
    "disable_user",
    "export_dossier",
    "get_dossier",
    "get_version",
    "import_drafts",
    "list_comments",
    "list_dossiers",
    "list_users",
    "list_versions",
    "login",
    "logout",
    "may_read",
    "normalize_finess",
    "open_store",
    "read_audit",
    "require_admin_account",
    "review_queue",
    "revoke_token",
    "save_draft",
    "send_back",
    "store_from_settings",
    "submit",
    "validate_dossier",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return [*globals(), *__all__]
