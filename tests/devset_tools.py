"""Evaluation sets (dev, held-out) and the hit rule, shared by the tests and the benchmarks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent.parent / "bench"
DEVSET = BENCH / "devset.yaml"
DEVSET_EXTRA = BENCH / "devset_extra.yaml"
"""The second dev set, written blind by a helper for tuning (see bench/DEVSET.md)."""
DEV3 = (BENCH / "dev3" / "guides.yaml", BENCH / "dev3" / "fiches.yaml")
"""The third dev set: the first blind held-out set (2026-12-02), retired when its misses were
read; tuned on since (see bench/DEVSET.md)."""
DEV4 = (BENCH / "dev4" / "guides.yaml", BENCH / "dev4" / "fiches.yaml")
"""The fourth dev set: the second blind held-out set (2026-12-03), retired on 2026-12-06 when
its misses were read."""
DEV5 = (BENCH / "dev5" / "guides.yaml", BENCH / "dev5" / "fiches.yaml")
"""The fifth dev set: the third blind held-out set (2026-12-06), retired on 2026-12-07 when its
misses were read."""
DEV6 = (BENCH / "dev6" / "guides.yaml", BENCH / "dev6" / "fiches.yaml")
"""The sixth dev set: the fourth blind held-out set (2026-12-07), retired on 2026-12-07 when its
misses were read."""
DEV7 = (BENCH / "dev7" / "guides.yaml", BENCH / "dev7" / "fiches.yaml")
"""The seventh dev set: the fifth blind held-out set (2026-12-07), retired on 2026-12-08 when
the sixth was frozen, so that its misses can be read."""
HELDOUT = (BENCH / "heldout" / "guides.yaml", BENCH / "heldout" / "fiches.yaml")
"""The blind held-out question sets (sixth generation, frozen 2026-12-08; never tuned on)."""
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Item:
    """One dev-set question."""

    id: str
    question: str
    kind: str
    answerable: bool
    doc_id: str | None = None
    fiche: str | None = None
    golds: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    followup_of: str | None = None
    standalone: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def normalise(text: str) -> str:
    """Collapse whitespace, unify apostrophes, undo line-end hyphenation."""
    text = text.replace("’", "'").replace("\u00a0", " ")
    return _WS.sub(" ", text).strip().replace("- ", "")


def holds_all(keywords: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` holds every keyword (case and spaces ignored)."""
    flat = normalise(text).lower().replace(" ", "")
    return all(normalise(k).lower().replace(" ", "") in flat for k in keywords)


def load_devset(path: Path = DEVSET) -> list[Item]:
    """Read the dev set."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    out: list[Item] = []
    for raw in items:
        golds = [raw["gold"], *raw.get("alt_gold", [])] if raw.get("gold") else []
        out.append(
            Item(
                id=raw["id"],
                question=raw["question"],
                kind=raw.get("kind", "general"),
                answerable=bool(raw.get("answerable", True)),
                doc_id=raw.get("doc_id"),
                fiche=raw.get("fiche"),
                golds=tuple(golds),
                keywords=tuple(str(k) for k in raw.get("answer_keywords", [])),
                followup_of=raw.get("followup_of"),
                standalone=raw.get("standalone"),
                raw=raw,
            )
        )
    return out


def single_turn_question(item: Item) -> str:
    """The question as asked alone (follow-ups use their standalone rewrite)."""
    return item.standalone or item.question


def is_hit(item: Item, doc_id: str, text: str) -> bool:
    """A passage answers ``item`` when it is from its document and holds its gold excerpt.

    A chunk boundary may cut the excerpt: its first or last eight words are enough.
    """
    if not item.answerable or doc_id != item.doc_id:
        return False
    hay = normalise(text)
    for gold in item.golds:
        words = normalise(gold).split(" ")
        if " ".join(words) in hay:
            return True
        if len(words) > 8 and (" ".join(words[:8]) in hay or " ".join(words[-8:]) in hay):
            return True
    return False


def rank_of_first_hit(item: Item, passages: list[tuple[str, str]]) -> int | None:
    """1-based rank of the first passage (doc_id, text) that answers ``item``."""
    for rank, (doc_id, text) in enumerate(passages, start=1):
        if is_hit(item, doc_id, text):
            return rank
    return None


def retrieval_metrics(ranks: list[int | None]) -> dict[str, float]:
    """recall@1/5/10 and MRR@10 from the rank of the first hit of each question."""
    n = len(ranks) or 1
    return {
        "recall@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "recall@10": sum(1 for r in ranks if r is not None and r <= 10) / n,
        "mrr@10": sum(1.0 / r for r in ranks if r is not None and r <= 10) / n,
    }
