"""Lenient reading of a draft tree: schema errors become issues with the field's path.

The strict models of ``assistant.drafts.models`` are the schema; here each field is checked on
its own, so that one bad field is reported (in French) without hiding the rest of the draft
from the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from assistant.drafts.models import (
    TARGET_YEARS,
    Draft,
    DraftDate,
    DraftIndicator,
    DraftView,
    Establishment,
    EstablishmentView,
    SchemaIssue,
    TargetValue,
    Value,
    blank_to_none,
    clean_target_mapping,
)
from assistant.kb.models import Activity


def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """Validate one field of ``model`` on its own (its type plus constraints, no default)."""
    annotation: Any = model.model_fields[name].rebuild_annotation()
    return TypeAdapter(annotation)


_ESTABLISHMENT_ADAPTERS = {
    name: _field_adapter(Establishment, name) for name in Establishment.model_fields
}
_INDICATOR_ADAPTERS = {
    name: _field_adapter(DraftIndicator, name)
    for name in ("code", "valeur_initiale", "justification", "commentaire", "deja_engage")
}
_CAMPAIGN_ADAPTER = _field_adapter(Draft, "campagne")
_DATE_ADAPTER: TypeAdapter[dt.date | None] = TypeAdapter(DraftDate | None)
_VALUE_ADAPTER: TypeAdapter[Value] = TypeAdapter(TargetValue)
_ACTIVITY_ADAPTER: TypeAdapter[Activity] = TypeAdapter(Activity)
_UNION_BRANCHES = {"bool", "int", "float", "str"}


def _french_error(error: Mapping[str, Any], field: str) -> str:
    """Translate one pydantic error into a French sentence for the user."""
    kind = str(error.get("type", ""))
    given = error.get("input")
    shown = f"{given!r:.80}"
    if kind == "missing":
        return "champ obligatoire manquant"
    if field == "valeur":
        return f"nombre, « oui »/« non » ou texte attendu, reçu {shown}"
    if kind == "string_pattern_mismatch" and field == "finess_ej":
        hint = ""
        if isinstance(given, str) and given.isdigit() and len(given) == 8:
            hint = " (un zéro initial a-t-il été supprimé par le tableur ?)"
        return f"le FINESS EJ doit compter 9 chiffres, reçu {shown}{hint}"
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", " ou ")
        return f"valeur {shown} non reconnue ; valeurs possibles : {expected}"
    if kind in {"string_type", "string_too_short"}:
        return f"texte non vide attendu, reçu {shown}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"nombre entier attendu, reçu {shown}"
    if kind == "greater_than_equal":
        return f"nombre positif ou nul attendu, reçu {shown}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"oui ou non attendu, reçu {shown}"
    if kind == "list_type":
        return f"liste attendue, reçu {shown}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"objet (clé : valeur) attendu, reçu {shown}"
    if kind.startswith(("date", "datetime")):
        return f"date attendue au format AAAA-MM-JJ, reçu {shown}"
    return f"valeur invalide, reçu {shown}"


def _issues_from(exc: ValidationError, base: str, field: str) -> list[SchemaIssue]:
    """French issues from a pydantic error, one per path (a union reports one per branch)."""
    issues: dict[str, SchemaIssue] = {}
    for error in exc.errors():
        path = base
        for part in error["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            elif part not in _UNION_BRANCHES and not str(part).startswith("function-"):
                path = f"{path}.{part}" if path else str(part)
        issues.setdefault(path, SchemaIssue(path=path, message=_french_error(error, field)))
    return list(issues.values())


def _validate(
    adapter: TypeAdapter[Any], value: object, path: str, field: str, issues: list[SchemaIssue]
) -> tuple[bool, Any]:
    try:
        return True, adapter.validate_python(value)
    except ValidationError as exc:
        issues.extend(_issues_from(exc, path, field))
        return False, None


def _parse_establishment(raw: object, issues: list[SchemaIssue]) -> EstablishmentView:
    if not isinstance(raw, Mapping):
        message = (
            "champ obligatoire manquant" if raw is None else f"objet attendu, reçu {raw!r:.60}"
        )
        issues.append(SchemaIssue(path="etablissement", message=message))
        return EstablishmentView()
    values: dict[str, object] = {}
    for name, adapter in _ESTABLISHMENT_ADAPTERS.items():
        path = f"etablissement.{name}"
        if blank_to_none(raw.get(name)) is None:
            issues.append(SchemaIssue(path=path, message="champ obligatoire manquant"))
            continue
        if name == "activites" and isinstance(raw[name], list):
            # One unknown activity must not hide the others from the eligibility rules.
            values[name] = [
                value
                for i, item in enumerate(raw[name])
                for ok, value in [_validate(_ACTIVITY_ADAPTER, item, f"{path}[{i}]", name, issues)]
                if ok
            ]
            continue
        ok, value = _validate(adapter, raw[name], path, name, issues)
        if ok:
            values[name] = value
    return EstablishmentView.model_validate(values)


def _parse_indicator(
    item: Mapping[Any, Any], base: str, issues: list[SchemaIssue]
) -> DraftIndicator | None:
    code = item.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if blank_to_none(code) is None:
        issues.append(SchemaIssue(path=f"{base}.code", message="champ obligatoire manquant"))
        return None
    ok, code = _validate(_INDICATOR_ADAPTERS["code"], code, f"{base}.code", "code", issues)
    if not ok:
        return None
    fields: dict[str, Any] = {"code": code}
    for name in ("valeur_initiale", "justification", "commentaire", "deja_engage"):
        field = "valeur" if name == "valeur_initiale" else name
        ok, value = _validate(
            _INDICATOR_ADAPTERS[name], item.get(name), f"{base}.{name}", field, issues
        )
        if ok:
            fields[name] = value
    raw_targets = item.get("cibles")
    targets: dict[str, Value] = {}
    if isinstance(raw_targets, Mapping):
        for year, value in clean_target_mapping(raw_targets).items():
            path = f"{base}.cibles.{year}"
            if str(year) not in TARGET_YEARS:
                issues.append(
                    SchemaIssue(path=path, message=f"année {year!r} hors de la période 2025-2029")
                )
                continue
            ok, value = _validate(_VALUE_ADAPTER, value, path, "valeur", issues)
            if ok:
                targets[str(year)] = value
    elif raw_targets is not None:
        issues.append(
            SchemaIssue(
                path=f"{base}.cibles",
                message=f"objet année : cible attendu, reçu {raw_targets!r:.60}",
            )
        )
    fields["cibles"] = targets
    return DraftIndicator.model_validate(fields)


def _parse_indicators(raw: object, key: str, issues: list[SchemaIssue]) -> list[DraftIndicator]:
    if raw is None:
        if key == "indicateurs":
            issues.append(SchemaIssue(path=key, message="champ obligatoire manquant"))
        return []
    if not isinstance(raw, list):
        issues.append(SchemaIssue(path=key, message=f"liste attendue, reçu {raw!r:.60}"))
        return []
    parsed: list[DraftIndicator] = []
    for i, item in enumerate(raw):
        base = f"{key}[{i}]"
        if not isinstance(item, Mapping):
            issues.append(SchemaIssue(path=base, message=f"objet attendu, reçu {item!r:.60}"))
            continue
        before = len(issues)
        indicator = _parse_indicator(item, base, issues)
        code = item.get("code")
        if isinstance(code, str | int) and not isinstance(code, bool) and str(code).strip():
            for n in range(before, len(issues)):
                issues[n] = issues[n].model_copy(update={"indicator": str(code).strip()})
        if indicator is not None:
            parsed.append(indicator)
    return parsed


def _view_of(draft: Draft) -> DraftView:
    return DraftView(
        campagne=draft.campagne,
        date=draft.date,
        etablissement=EstablishmentView.model_construct(**dict(draft.etablissement)),
        indicateurs=list(draft.indicateurs),
        indicateurs_hpr=list(draft.indicateurs_hpr),
    )


def parse_draft(data: object) -> DraftView:
    """Read a draft tree leniently.

    Every departure from the schema becomes a ``SchemaIssue`` with the field's path; the
    valid parts are kept so that the rules can still check the other indicators.

    Args:
        data: The tree read from JSON, YAML, CSV or XLSX (or a ``Draft``).

    Returns:
        The readable parts of the draft and the list of schema issues.
    """
    if isinstance(data, Draft):
        return _view_of(data)
    if isinstance(data, Mapping):
        # Fast path: most drafts follow the schema; only a failing one is read field by field.
        try:
            draft = Draft.model_validate(data)
        except ValidationError:
            pass
        else:
            if all(
                year in TARGET_YEARS
                for item in (*draft.indicateurs, *draft.indicateurs_hpr)
                for year in item.cibles
            ):
                return _view_of(draft)
    issues: list[SchemaIssue] = []
    if not isinstance(data, Mapping):
        issues.append(
            SchemaIssue(path="(racine)", message="le brouillon doit être un objet (clé : valeur)")
        )
        return DraftView(issues=issues)
    campagne: str | None = None
    if data.get("campagne") is None:
        issues.append(SchemaIssue(path="campagne", message="champ obligatoire manquant"))
    else:
        try:
            campagne = _CAMPAIGN_ADAPTER.validate_python(data["campagne"])
        except ValidationError as exc:
            issues.extend(_issues_from(exc, "campagne", "campagne"))
    date: dt.date | None = None
    try:
        date = _DATE_ADAPTER.validate_python(blank_to_none(data.get("date")))
    except ValidationError as exc:
        issues.extend(_issues_from(exc, "date", "date"))
    etablissement = _parse_establishment(data.get("etablissement"), issues)
    indicateurs = _parse_indicators(data.get("indicateurs"), "indicateurs", issues)
    hpr = _parse_indicators(data.get("indicateurs_hpr"), "indicateurs_hpr", issues)
    return DraftView(
        campagne=campagne,
        date=date,
        etablissement=etablissement,
        indicateurs=indicateurs,
        indicateurs_hpr=hpr,
        issues=issues,
    )


__all__ = ["parse_draft"]
