"""The user's work in the app (profile, selection, values, texts), kept in the browser.

A ``Dossier`` is what ``gr.BrowserState`` stores: plain JSON, as typed, never judged here.
It becomes a ``Profile`` for the proposal and drafting chains, and a draft tree (the
validator's schema) for the rule check and the exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from assistant import (
    ACTIVITY_LABELS,
    CATEGORY_LABELS,
    HPR_YEARS,
    STATUT_LABELS,
    TARGET_YEARS,
    Draft,
    InvalidInputError,
    Profile,
    UnknownIndicatorError,
    Value,
    as_number,
    normalize_code,
    parse_draft,
    parse_profile,
)

if TYPE_CHECKING:
    from assistant import KnowledgeBase, Proposal, Source

DOSSIER_VERSION = 1
SELECTION_HEADERS: tuple[str, ...] = ("Code", "Libellé", "CT/OS", "Pourquoi", "Source")
CATEGORY_SHORT: dict[str, str] = {"cooperation": "CT", "autre": "OS", "hpr": "HPR"}

STATUT_CHOICES: list[tuple[str, str]] = [
    (v[:1].upper() + v[1:], k) for k, v in STATUT_LABELS.items()
]
CATEGORY_CHOICES: list[tuple[str, str]] = [
    (k if k.lower() == v else f"{k} — {v}", k) for k, v in CATEGORY_LABELS.items()
]
ACTIVITY_CHOICES: list[tuple[str, str]] = [
    (v[:1].upper() + v[1:], k) for k, v in ACTIVITY_LABELS.items()
]


class ProfileForm(BaseModel):
    """The profile form as typed (lenient: checked only when used)."""

    raison_sociale: str = ""
    finess_ej: str = ""
    statut: str | None = None
    categorie: str | None = None
    lits: float | None = None
    membre_ght: bool = False
    hopital_proximite: bool = False
    activites: list[str] = Field(default_factory=list)
    priorites: str = ""
    deja_atteints: list[str] = Field(default_factory=list)
    deja_engages: list[str] = Field(
        default_factory=list,
        description="Indicateurs dont la fiche a une ligne « déjà engagés » qui vaut pour "
        "l'établissement : propositions, brouillons et vérification suivent cette ligne.",
    )


class Redaction(BaseModel):
    """The structured justification of one indicator, as edited in the app."""

    contexte: str = ""
    diagnostic_initial: str = ""
    actions: list[str] = Field(default_factory=list)
    suivi: str = ""
    partenaires: str = ""
    moyens: str = ""
    preuves: list[str] = Field(default_factory=list)
    risques: list[str] = Field(default_factory=list)
    trajectoire_fiche: dict[str, Value | None] = Field(
        default_factory=dict, description="Année -> cible calculée d'après la fiche."
    )
    regles: dict[str, str] = Field(default_factory=dict)
    unite: str = "nombre"


class Line(BaseModel):
    """One chosen indicator: why, and (once drafted) its values and texts."""

    code: str
    libelle: str = ""
    categorie: str = ""
    pourquoi: str = ""
    source: str = ""
    valeur_initiale: Value | None = None
    cibles: dict[str, Value] = Field(default_factory=dict)
    justification: str | None = None
    commentaire: str | None = None
    redaction: Redaction | None = None
    lecture: Literal["relative", "points"] = Field(
        default="relative",
        description="Lecture d'une hausse en « % » d'un taux ou en « points » au brouillon.",
    )

    def target_years(self) -> tuple[str, ...]:
        """The years this line has targets for: 2025-2029, or 2025-2027 for the HPR annex."""
        if self.categorie == "HPR":
            return tuple(str(y) for y in HPR_YEARS)
        return TARGET_YEARS


class Dossier(BaseModel):
    """Everything the user typed: kept in the browser, restored after a reload."""

    version: int = DOSSIER_VERSION
    profil: ProfileForm = Field(default_factory=ProfileForm)
    lignes: list[Line] = Field(default_factory=list)

    @classmethod
    def load(cls, data: object) -> Dossier:
        """Read a stored dossier; anything unreadable gives an empty one (never an error)."""
        if isinstance(data, dict):
            try:
                return cls.model_validate(data)
            except ValidationError:
                return cls()
        return cls()

    def store(self) -> dict[str, Any]:
        """The JSON tree to keep in the browser."""
        return self.model_dump(mode="json")

    def line(self, code: str) -> Line | None:
        """The line of an indicator (by canonical code), if selected."""
        return next((line for line in self.lignes if line.code == code), None)

    def codes(self) -> list[str]:
        """The selected codes, in table order."""
        return [line.code for line in self.lignes]


def profile_of(form: ProfileForm) -> Profile:
    """The profile the chains need, from the form.

    Raises:
        InvalidInputError: A field is missing or invalid (French message naming it).
    """
    data: dict[str, Any] = {
        "statut": form.statut,
        "categorie": form.categorie,
        "lits": None if form.lits is None else _whole(form.lits),
        "membre_ght": form.membre_ght,
        "hopital_proximite": form.hopital_proximite,
        "activites": list(form.activites),
        "deja_atteints": list(form.deja_atteints),
        "deja_engages": list(form.deja_engages),
    }
    if form.raison_sociale.strip():
        data["raison_sociale"] = form.raison_sociale.strip()
    if form.finess_ej.strip():
        data["finess_ej"] = form.finess_ej.strip()
    if form.priorites.strip():
        data["priorites"] = form.priorites.strip()
    return parse_profile(data, origin="le profil de l'établissement")


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def canonical(code: str, kb: KnowledgeBase) -> str:
    """The canonical code of a known indicator, else the code as typed (stripped)."""
    try:
        return normalize_code(code, known=[*kb.indicators, *kb.hpr])
    except UnknownIndicatorError:
        return code.strip()


def describe(code: str, kb: KnowledgeBase) -> tuple[str, str]:
    """(libellé, catégorie CT/OS/HPR) of a code; ("", "?") when it is not an indicator."""
    if code in kb.indicators:
        indicator = kb.indicators[code]
        return indicator.label, CATEGORY_SHORT[indicator.category]
    if code in kb.hpr:
        return kb.hpr[code].label, "HPR"
    return "", "?"


def with_line(dossier: Dossier, code: str, update: dict[str, Any], kb: KnowledgeBase) -> Dossier:
    """The dossier with the line of ``code`` updated (added at the end when not selected)."""
    lines = list(dossier.lignes)
    for i, line in enumerate(lines):
        if line.code == code:
            lines[i] = line.model_copy(update=update)
            break
    else:
        libelle, categorie = describe(code, kb)
        lines.append(Line(code=code, libelle=libelle, categorie=categorie, **update))
    return dossier.model_copy(update={"lignes": lines})


def _cell(row: Sequence[Any], i: int) -> str:
    value = row[i] if i < len(row) else ""
    return "" if value is None else str(value).strip()


def lines_from_rows(
    rows: Sequence[Sequence[Any]], previous: Sequence[Line], kb: KnowledgeBase
) -> list[Line]:
    """The selection after the user edited the table: codes read, details and values kept.

    Rows with an empty code are dropped; a known code is written canonically and gets its
    libellé and category from the knowledge base; values already drafted for a code are kept.
    """
    kept = {line.code: line for line in previous}
    lines: list[Line] = []
    for row in rows:
        typed = _cell(row, 0)
        if not typed:
            continue
        code = canonical(typed, kb)
        libelle, categorie = describe(code, kb)
        base = kept.get(code) or Line(code=code)
        lines.append(
            base.model_copy(
                update={
                    "code": code,
                    "libelle": libelle or _cell(row, 1),
                    "categorie": categorie,
                    "pourquoi": _cell(row, 3),
                    "source": _cell(row, 4),
                }
            )
        )
    return lines


def rows_of(lines: Sequence[Line]) -> list[list[str]]:
    """The selection table's rows."""
    return [[ln.code, ln.libelle, ln.categorie, ln.pourquoi, ln.source] for ln in lines]


def lines_from_proposal(proposal: Proposal, previous: Sequence[Line]) -> list[Line]:
    """The proposal's indicators (strategic then HPR) as lines; drafted values are kept."""
    kept = {line.code: line for line in previous}
    lines: list[Line] = []
    for item in [*proposal.indicateurs, *proposal.indicateurs_hpr]:
        base = kept.get(item.code) or Line(code=item.code)
        lines.append(
            base.model_copy(
                update={
                    "libelle": item.libelle,
                    "categorie": CATEGORY_SHORT[item.categorie],
                    "pourquoi": clip((item.raisons[:1] or [item.detail_score])[0]),
                    "source": _source_label(item.sources[0]) if item.sources else "",
                }
            )
        )
    return lines


def clip(text: str, limit: int = 160) -> str:
    """Text cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _source_label(source: Source) -> str:
    """Where a reason comes from, briefly: document and section (the quote is in the notes)."""
    return f"{source.doc_id}, {source.section}" if source.section else source.doc_id


def split_annexes(lines: Sequence[Line], kb: KnowledgeBase) -> tuple[list[Line], list[Line]]:
    """(strategic lines, HPR lines); an unknown code counts as strategic."""
    return [ln for ln in lines if ln.code not in kb.hpr], [ln for ln in lines if ln.code in kb.hpr]


def _value(value: Value | None) -> Value | None:
    """A typed value as the draft file holds it: numbers as numbers, other text as written."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        number = as_number(text)
        if number is None:
            return text
        return int(number) if number.is_integer() else number
    return value


def _line_tree(line: Line, *, engaged: bool) -> dict[str, Any]:
    tree: dict[str, Any] = {"code": line.code}
    if engaged:
        tree["deja_engage"] = True
    if (value := _value(line.valeur_initiale)) is not None:
        tree["valeur_initiale"] = value
    targets = {y: v for y in TARGET_YEARS if (v := _value(line.cibles.get(y))) is not None}
    if targets:
        tree["cibles"] = targets
    if line.justification and line.justification.strip():
        tree["justification"] = line.justification.strip()
    if line.commentaire and line.commentaire.strip():
        tree["commentaire"] = line.commentaire.strip()
    return tree


def establishment_tree(form: ProfileForm) -> dict[str, Any]:
    """The draft schema's ``etablissement`` object, as typed (the validator judges it)."""
    return {
        "raison_sociale": form.raison_sociale.strip(),
        "finess_ej": form.finess_ej.strip(),
        "statut": form.statut,
        "categorie": form.categorie,
        "lits": None if form.lits is None else _whole(form.lits),
        "membre_ght": form.membre_ght,
        "hopital_proximite": form.hopital_proximite,
        "activites": list(form.activites),
    }


def draft_tree(dossier: Dossier, *, campaign: str, kb: KnowledgeBase) -> dict[str, Any]:
    """The whole draft in the validator's schema (a raw tree: nothing is dropped or judged)."""
    strategic, hpr = split_annexes(dossier.lignes, kb)
    return {
        "campagne": campaign,
        "etablissement": establishment_tree(dossier.profil),
        "indicateurs": [
            _line_tree(line, engaged=line.code in dossier.profil.deja_engages) for line in strategic
        ],
        "indicateurs_hpr": [_line_tree(line, engaged=False) for line in hpr],
    }


_FIELD_LABELS: dict[str, str] = {
    "raison_sociale": "raison sociale",
    "finess_ej": "FINESS EJ",
    "statut": "statut",
    "categorie": "catégorie",
    "lits": "nombre de lits",
    "activites": "activités",
}


def _field_label(path: str) -> str:
    head, _, name = path.rpartition(".")
    if head == "etablissement" and name in _FIELD_LABELS:
        return _FIELD_LABELS[name]
    return path


def draft_model(dossier: Dossier, *, campaign: str, kb: KnowledgeBase) -> Draft:
    """The whole draft as a schema-valid model (what the exports write).

    Raises:
        InvalidInputError: The draft does not follow the schema yet (French list of what to
            complete).
    """
    tree = draft_tree(dossier, campaign=campaign, kb=kb)
    try:
        return Draft.model_validate(tree)
    except ValidationError as exc:
        issues = parse_draft(tree).issues
        problems = [f"{_field_label(i.path)} : {i.message}" for i in issues] or [
            str(e["msg"]) for e in exc.errors()
        ]
        raise InvalidInputError(
            "Le brouillon ne peut pas encore être exporté : " + " ; ".join(problems[:6]) + ".",
            hint="Complétez le profil (raison sociale, FINESS, statut, catégorie, lits) dans "
            "l'onglet « Choisir mes indicateurs ».",
        ) from exc


__all__ = [
    "ACTIVITY_CHOICES",
    "CATEGORY_CHOICES",
    "SELECTION_HEADERS",
    "STATUT_CHOICES",
    "Dossier",
    "Line",
    "ProfileForm",
    "Redaction",
    "canonical",
    "describe",
    "draft_model",
    "draft_tree",
    "establishment_tree",
    "lines_from_proposal",
    "lines_from_rows",
    "profile_of",
    "rows_of",
    "split_annexes",
    "with_line",
]
