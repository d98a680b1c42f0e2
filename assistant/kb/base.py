"""The knowledge base: the 30 strategic fiches and the 14 HPR indicators, built from the corpus."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from assistant.errors import CatalogError, UnreadableDocumentError
from assistant.kb.annex import AnnexRow, parse_annex
from assistant.kb.codes import normalize_code
from assistant.kb.eligibility import eligibility
from assistant.kb.hpr import parse_hpr
from assistant.kb.models import (
    HprIndicator,
    Indicator,
    Quote,
    Scope,
    Target,
    TargetRule,
    Unit,
)
from assistant.kb.overlay import OverlayFiche, load_overlay, overlay_rules
from assistant.kb.parser import (
    SECTION_KEYS,
    FicheText,
    data_source,
    definition,
    frequency,
    good_practices,
    indicator_type,
    numerator_denominator,
    partners,
    split_fiches,
    unit_from_text,
)
from assistant.kb.targets import derive_direction, parse_table
from assistant.kb.text import clean, clean_lines

logger = logging.getLogger(__name__)

OVERLAY_PATH = Path("kb") / "overlay.yaml"
"""The reviewed overlay, relative to the corpus directory."""


class KnowledgeBase(BaseModel, frozen=True):
    """The indicators of one campaign: strategic annex (30) and HPR annex (14)."""

    indicators: dict[str, Indicator]
    hpr: dict[str, HprIndicator]
    fiches_doc_id: str
    guide_doc_id: str

    def get(self, code: str) -> Indicator | HprIndicator:
        """One indicator by any usual form of its code (``os13``, ``OS_13_1_1``, ``hpr 4.2``).

        Raises:
            UnknownIndicatorError: no such indicator (French message with the closest codes).
        """
        canonical = normalize_code(code, known=[*self.indicators, *self.hpr])
        return self.indicators.get(canonical) or self.hpr[canonical]

    def cooperation(self) -> list[Indicator]:
        """The cooperation / mutualisation indicators (CPOM_CT_*), in code order."""
        return [i for i in self.indicators.values() if i.category == "cooperation"]

    def others(self) -> list[Indicator]:
        """The other indicators (CPOM_OS_*), in code order."""
        return [i for i in self.indicators.values() if i.category == "autre"]

    def hpr_objectives(self) -> dict[int, tuple[str, bool]]:
        """HPR objective number -> (label, starred); starred objectives need an indicator."""
        return {h.objective_number: (h.objective, h.starred) for h in self.hpr.values()}

    def target_for(
        self,
        code: str,
        *,
        categorie: str,
        statut: str,
        lits: int | None,
        departement: str | None,
        engaged: bool = False,
    ) -> TargetRule | None:
        """The fiche's target rule for an establishment: the first row whose scope matches.

        Args:
            code: the indicator, in any usual form.
            categorie: the establishment's category (``CHU``, ``CH``, ``clinique``…).
            statut: ``public``, ``prive_non_lucratif`` or ``prive_lucratif``.
            lits: the number of beds (rows by bed count do not match when unknown).
            departement: two-digit département (the first two digits of the FINESS EJ).
            engaged: the establishment is already engaged in the approach (rows "Pour les
                établissements déjà engagés…" only match then).

        Returns:
            The matching rule, or None when no row of the fiche applies (or an HPR code).
        """
        indicator = self.get(code)
        if isinstance(indicator, HprIndicator):
            return None
        for rule in indicator.target.rules:
            if scope_matches(
                rule.scope,
                categorie=categorie,
                statut=statut,
                lits=lits,
                departement=departement,
                engaged=engaged,
            ):
                return rule
        return None

    def quotes(self) -> Iterator[Quote]:
        """Every quote held by the knowledge base (for citation checks)."""
        for indicator in self.indicators.values():
            yield indicator.target.wording
            yield from (rule.quote for rule in indicator.target.rules)
            yield from indicator.eligibility.quotes
        yield from (h.quote for h in self.hpr.values())


def scope_matches(
    scope: Scope,
    *,
    categorie: str,
    statut: str,
    lits: int | None,
    departement: str | None,
    engaged: bool = False,
) -> bool:
    """Whether an establishment falls in a target row's scope (empty scope fields mean any)."""
    if scope.categories and categorie not in scope.categories:
        return False
    if scope.statuts and statut not in scope.statuts:
        return False
    if scope.departements and (departement or "").strip() not in scope.departements:
        return False
    if scope.engaged is not None and scope.engaged != engaged:
        return False
    if scope.min_beds is not None and (lits is None or lits < scope.min_beds):
        return False
    return scope.max_beds is None or (lits is not None and lits <= scope.max_beds)


def load_kb(corpus_dir: Path) -> KnowledgeBase:
    """Build the knowledge base from the corpus (cached until a source file changes).

    The fiches and the guide are the documents of ``corpus_dir/catalog.yaml`` with kind
    ``fiches`` and ``guide`` and status ``current``; ``corpus_dir/kb/overlay.yaml`` is the
    reviewed overlay.

    Raises:
        CatalogError: the catalog is missing or names no current fiches or guide.
        UnreadableDocumentError: a document named by the catalog cannot be read.
    """
    fiches_id, fiches_path, guide_id, guide_path = _current_documents(Path(corpus_dir))
    overlay = Path(corpus_dir) / OVERLAY_PATH
    return _load_cached(
        fiches_id,
        fiches_path,
        _mtime(fiches_path),
        guide_id,
        guide_path,
        _mtime(guide_path),
        overlay,
        _mtime(overlay),
    )


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


def _current_documents(corpus_dir: Path) -> tuple[str, Path, str, Path]:
    catalog = corpus_dir / "catalog.yaml"
    try:
        documents = (yaml.safe_load(catalog.read_text(encoding="utf-8")) or {})["documents"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise CatalogError(
            f"Catalogue du corpus illisible : {catalog}.",
            hint="Vérifiez que corpus/catalog.yaml existe et contient une liste « documents ».",
        ) from exc
    found: dict[str, tuple[str, Path]] = {}
    for kind in ("fiches", "guide"):
        current = [d for d in documents if d.get("kind") == kind and d.get("status") == "current"]
        if not current:
            raise CatalogError(
                f"Aucun document de type {kind!r} et de statut 'current' dans {catalog.name!r}.",
                hint="Ajoutez l'entrée du document au catalogue.",
            )
        found[kind] = (str(current[0]["id"]), corpus_dir / str(current[0]["file"]))
    return (*found["fiches"], *found["guide"])


@lru_cache(maxsize=8)
def _load_cached(
    fiches_id: str,
    fiches_path: Path,
    _fiches_mtime: float,
    guide_id: str,
    guide_path: Path,
    _guide_mtime: float,
    overlay_path: Path,
    _overlay_mtime: float,
) -> KnowledgeBase:
    fiches_text, guide_text = _read(fiches_path), _read(guide_path)
    return build_kb(
        fiches_text,
        guide_text,
        overlay=load_overlay(overlay_path).fiches,
        fiches_doc_id=fiches_id,
        guide_doc_id=guide_id,
    )


def _read(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableDocumentError(f"Le document {path.name!r} est illisible.") from exc
    if not text.strip():
        raise UnreadableDocumentError(f"Le document {path.name!r} est vide.")
    return text


def build_kb(
    fiches_text: str,
    guide_text: str,
    *,
    overlay: dict[str, OverlayFiche],
    fiches_doc_id: str,
    guide_doc_id: str,
) -> KnowledgeBase:
    """Build the knowledge base from the texts of the fiches and of the guide.

    Raises:
        CatalogError: a fiche has no row in the guide's annexe 5 table.
    """
    annex = parse_annex(guide_text)
    indicators: dict[str, Indicator] = {}
    for fiche in split_fiches(fiches_text):
        if fiche.code in indicators:
            logger.warning("Fiche %s appears twice; the first one is kept", fiche.code)
            continue
        row = annex.get(fiche.code)
        if row is None:
            raise CatalogError(
                f"L'indicateur {fiche.code} des fiches est absent du tableau de l'annexe 5 du "
                "guide.",
                hint="Vérifiez que le guide et les fiches sont de la même campagne.",
            )
        indicators[fiche.code] = build_indicator(
            fiche, row, overlay.get(fiche.code), doc_id=fiches_doc_id
        )
    ordered = dict(sorted(indicators.items(), key=lambda item: _code_order(item[0])))
    hpr = {h.code: h for h in parse_hpr(guide_text, doc_id=guide_doc_id)}
    return KnowledgeBase(
        indicators=ordered, hpr=hpr, fiches_doc_id=fiches_doc_id, guide_doc_id=guide_doc_id
    )


def _code_order(code: str) -> tuple[str, int]:
    prefix, _, number = code.rpartition("_")
    return prefix, int(number)


def build_indicator(
    fiche: FicheText, row: AnnexRow, overlay: OverlayFiche | None, *, doc_id: str
) -> Indicator:
    """One indicator from its fiche, its annexe 5 row and its overlay entry (if any)."""
    kind = indicator_type(fiche)
    target = _target(fiche, overlay, doc_id=doc_id)
    unit = unit_from_text(fiche, kind) or _unit_from_target(target)
    numerator, denominator = numerator_denominator(fiche, unit)
    return Indicator(
        code=fiche.code,
        short_code=row.short_code,
        category="cooperation" if fiche.code.startswith("CPOM_CT_") else "autre",
        label=fiche.label,
        objective=fiche.objective,
        engagement=row.engagement,
        type=kind,
        unit=unit,
        definition=definition(fiche),
        numerator=numerator,
        denominator=denominator,
        data_source=data_source(fiche),
        frequency=frequency(fiche),
        target=target,
        eligibility=eligibility(fiche, doc_id=doc_id),
        good_practices=good_practices(fiche),
        partners=partners(fiche),
        context=fiche.text("contexte") or None,
        sections={
            key: clean_lines(fiche.sections[key]) for key in SECTION_KEYS if key in fiche.sections
        },
    )


def _target(fiche: FicheText, overlay: OverlayFiche | None, *, doc_id: str) -> Target:
    section = f"{fiche.code} – {fiche.titles.get('cible', 'Cible générale')}"
    wording = clean(" ".join(fiche.table)) or fiche.label
    rules: list[TargetRule] | None = None
    direction = None
    if overlay is not None and overlay.target is not None:
        rules = overlay_rules(
            overlay.target,
            code=fiche.code,
            fiche_text=fiche.full_text,
            doc_id=doc_id,
            section=section,
        )
        direction = overlay.target.direction if rules is not None else None
    if rules is None:
        rules = parse_table(clean_lines(fiche.table), doc_id=doc_id, section=section)
    if rules is None:
        logger.warning("No structured target for %s: table not readable, no overlay", fiche.code)
        rules = []
    return Target(
        direction=direction or derive_direction(rules),
        rules=rules,
        wording=Quote(doc_id=doc_id, text=wording, section=section),
    )


_YES_NO_KINDS = {"oui", "non", "sans_objet", "libre"}


def _unit_from_target(target: Target) -> Unit:
    kinds = {y.kind for rule in target.rules for y in rule.years}
    if "oui" in kinds and kinds <= _YES_NO_KINDS:
        return "oui_non"
    if kinds & {"valeur", "min", "plus_vs_n_1"}:
        return "nombre"
    return "autre"
