"""Indicator knowledge base models: the 30 strategic fiches and the 14 HPR indicators.

These models are the contract between the fiche parser (``assistant.kb.parser``), the
validator (``assistant.rules``), the proposal and drafting chains. Every value taken from a
fiche keeps the fiche's verbatim wording in a ``Quote`` so that it can be cited and checked
against the corpus.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

IndicatorCategory = Literal["cooperation", "autre"]
"""``cooperation``: CPOM_CT_1…8 (coopérations / mutualisations); ``autre``: CPOM_OS_1…22."""

IndicatorType = Literal["quantitatif", "declaratif"]
"""The guide: 30 objectives, 27 quantitative and 3 declarative (yes/no)."""

Unit = Literal["taux", "nombre", "oui_non", "file_active", "ratio", "duree", "montant", "autre"]

EstablishmentCategory = Literal[
    "CHU", "CH", "CLCC", "ESPIC", "clinique", "SMR", "psychiatrie", "HAD", "autre"
]
Statut = Literal["public", "prive_non_lucratif", "prive_lucratif"]
Activity = Literal[
    "medecine",
    "chirurgie",
    "obstetrique",
    "urgences",
    "imagerie",
    "mammographie",
    "had",
    "smr",
    "psychiatrie",
    "usld",
    "dialyse",
    "cancerologie",
]
ACTIVITIES: tuple[str, ...] = Activity.__args__  # type: ignore[attr-defined]
ESTABLISHMENT_CATEGORIES: tuple[str, ...] = EstablishmentCategory.__args__  # type: ignore[attr-defined]
STATUTS: tuple[str, ...] = Statut.__args__  # type: ignore[attr-defined]

Direction = Literal["hausse", "baisse", "atteinte_oui", "maintien", "libre"]
"""What the fiche expects over the years: growth, decrease, "yes" by a year, flat, no figure."""

YEARS: tuple[int, ...] = (2025, 2026, 2027, 2028, 2029)
HPR_YEARS: tuple[int, ...] = (2025, 2026, 2027)


class Quote(BaseModel, frozen=True):
    """Verbatim words of a corpus document (whitespace may differ from the source)."""

    doc_id: str
    text: str
    section: str | None = None


class Engagement(BaseModel, frozen=True):
    """A PRS engagement (Annexe 5 of the Occitanie guide), e.g. n°4."""

    number: int
    label: str


class Scope(BaseModel, frozen=True):
    """Who a target line applies to. Empty fields mean "any"."""

    label: str = Field(description="The fiche's own words for this group, e.g. 'CHU 30'.")
    categories: list[EstablishmentCategory] = Field(default_factory=list)
    statuts: list[Statut] = Field(default_factory=list)
    min_beds: int | None = None
    max_beds: int | None = None
    departements: list[str] = Field(
        default_factory=list, description="Two-digit département codes (FINESS EJ prefix)."
    )
    engaged: bool | None = Field(
        None,
        description="True: only establishments already engaged in the approach ('Pour les "
        "établissements déjà engagés dans…'); None: any. A draft does not say it, so "
        "KnowledgeBase.target_for skips these scopes unless asked (engaged=True).",
    )


class YearTarget(BaseModel, frozen=True):
    """The target of one year for one scope.

    kind:
      - ``oui`` / ``non``: declarative value expected that year;
      - ``valeur``: an absolute value (``value``), e.g. a rate of 80 (%);
      - ``min``: at least ``value``;
      - ``hausse_vs_2024``: growth of ``value`` % against the 2024 baseline;
      - ``hausse_vs_n_1``: growth of ``value`` % against the previous year;
      - ``baisse_vs_2024`` / ``baisse_vs_n_1``: decrease of ``value`` %;
      - ``plus_vs_n_1``: ``value`` more units than the previous year (the fiche's "+5", "+1
        programme d'ETP"; not a percentage);
      - ``sans_objet``: the indicator does not apply to this scope (ELIG-CATEGORY);
      - ``libre``: the fiche sets no figure for that year (the establishment proposes).
    """

    year: int
    kind: Literal[
        "oui",
        "non",
        "valeur",
        "min",
        "hausse_vs_2024",
        "hausse_vs_n_1",
        "baisse_vs_2024",
        "baisse_vs_n_1",
        "plus_vs_n_1",
        "sans_objet",
        "libre",
    ]
    value: float | None = None
    points: bool = Field(
        False,
        description="The fiche writes this growth in points (« Augmentation de 20 points »): "
        "read as % or as points, see assistant.kb.growth.",
    )
    cell: str | None = Field(
        None,
        description="The fiche's own words in that year's cell when it has no figure "
        "(« Réflexion », « Progression positive du taux et/ou du nombre total de RMM »), or the "
        "step the reviewed overlay reads in an interleaved table (not always verbatim).",
    )
    words: str | None = Field(
        None,
        exclude=True,
        description="The fiche's own words in that year's cell, figure included (« 2/3 "
        "documents actualisés », « ≥ 10 % »), as the table parser read them; None for a target "
        "the reviewed overlay sets. Shown beside the reading, never exported.",
    )


class TargetRule(BaseModel, frozen=True):
    """The yearly targets for one scope, with the fiche's wording."""

    scope: Scope
    years: list[YearTarget]
    quote: Quote
    reading: str | None = Field(
        None,
        description="How an irregular or ambiguous wording was read (French, for messages).",
    )
    total: str | None = Field(
        None,
        exclude=True,
        description="The fiche's own words in the row's « Total 2025-2029 » cell (« 16 »), as "
        "the table parser read them; None without that column. Shown, never exported.",
    )


class Target(BaseModel, frozen=True):
    """The fiche's 'Cible' part: structured rules (first matching scope wins) + wording."""

    direction: Direction
    rules: list[TargetRule] = Field(default_factory=list)
    wording: Quote


class Eligibility(BaseModel, frozen=True):
    """Who the indicator is for, from the fiche's words."""

    requires_ght: bool = False
    required_activities: list[Activity] = Field(
        default_factory=list, description="At least one of these activities is needed."
    )
    categories_only: list[EstablishmentCategory] = Field(
        default_factory=list, description="Restricted to these categories (empty: all)."
    )
    public_mainly: bool = Field(
        False, description="'concerne plus particulièrement les établissements publics'."
    )
    quotes: list[Quote] = Field(default_factory=list)


class Indicator(BaseModel, frozen=True):
    """One of the 30 indicators of the strategic annex."""

    code: str = Field(pattern=r"^CPOM_(CT|OS)_\d+$")
    short_code: str = Field(pattern=r"^(CT|OS)_\d\d_\d_\d$")
    category: IndicatorCategory
    label: str
    objective: str
    engagement: Engagement
    type: IndicatorType
    unit: Unit
    definition: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    data_source: str | None = None
    frequency: str | None = None
    target: Target
    eligibility: Eligibility
    good_practices: list[str] = Field(default_factory=list)
    partners: str | None = None
    context: str | None = None
    sections: dict[str, str] = Field(
        default_factory=dict, description="Fiche part title -> cleaned text."
    )


class HprIndicator(BaseModel, frozen=True):
    """One of the 14 indicators of the HPR annex (hôpitaux de proximité), 2025-2027."""

    code: str = Field(pattern=r"^HPR_\d_\d$")
    objective_number: int
    objective: str
    starred: bool
    label: str
    quote: Quote
