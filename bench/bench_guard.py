"""The grounding guard on a hand-labelled set it was never tuned on. Prints figures; never asserts.

Usage: .venv/bin/python bench/bench_guard.py [--show-misses dev|dev2|dev3|dev4|dev5]

``bench/heldout/guard_set.yaml`` (second generation, written blind on 2026-12-07, frozen):
generated-looking sentences, each citing one real passage, labelled faithful or unfaithful by
hand with the kind of alteration (figure changed, month changed, bound flipped, negated, unit
changed, figure reattached…). The guard's own claim extraction is not used to judge it: the
labels are the truth. A sentence is "removed" when the guard keeps nothing of it. Its misses
are never shown: looking at them means a new held-out set must be written after.

Tuning sets: ``bench/guard_dev.yaml``, the first generation (2026-12-02), was split in two by
passage (parity of the passage's sha1): "dev" was tuned on from the start, "dev4" was its
held-out half until its misses were read (2026-12-07). ``bench/guard_dev2.yaml`` and
``bench/guard_dev3.yaml`` (written blind too, on other passages; the second mostly faithful
paraphrases) are two more tuning sets; ``bench/guard_dev5.yaml`` (written blind on 2026-12-07,
after the second held-out set) stresses figures reattached, flipped bounds and number words.

- removal recall: unfaithful sentences removed / unfaithful sentences (target >= 0.95);
- faithful kept: faithful sentences kept / faithful sentences (target >= 0.90);
- removal precision: removed sentences that were unfaithful / removed sentences;
- the same per kind of alteration.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.guard import PromptPassage, check  # noqa: E402
from assistant.answer.models import Citation  # noqa: E402

GUARD_SET = ROOT / "bench" / "heldout" / "guard_set.yaml"
GUARD_DEV = ROOT / "bench" / "guard_dev.yaml"
"""The first generation (2026-12-02), split by passage into the dev and dev4 halves."""
GUARD_DEV2 = ROOT / "bench" / "guard_dev2.yaml"
GUARD_DEV3 = ROOT / "bench" / "guard_dev3.yaml"
GUARD_DEV5 = ROOT / "bench" / "guard_dev5.yaml"
"""A tuning set written blind on 2026-12-07 to stress figures reattached, bounds, number words."""
"""Two more tuning sets, written blind on passages apart from ``GUARD_SET``'s (2026-12-03)."""


def removed(sentence: str, passage: str, doc_id: str) -> bool:
    """Whether the guard keeps nothing of ``sentence`` citing ``passage`` as [1]."""
    citation = Citation(n=1, doc_id=doc_id, title=doc_id, section="", page=None, quote=passage)
    prompt = PromptPassage(n=1, header=doc_id, text=passage, citation=citation)
    return not check(sentence, [prompt]).text.strip()


def half(item: dict[str, str]) -> str:
    """``dev`` or ``dev4``: the half of the first set an item belongs to (by its passage)."""
    digest = hashlib.sha1(" ".join(item["passage"].split()).encode()).digest()
    return "dev" if digest[-1] % 2 == 0 else "dev4"


def evaluate(items: list[dict[str, str]]) -> dict[str, object]:
    """Removal recall, faithful kept, precision, per-alteration accuracy, misses."""
    total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    tp = fp = fn = tn = 0
    misses: list[str] = []
    for item in items:
        gone = removed(item["sentence"], item["passage"], item["doc_id"])
        bad = item["label"] == "unfaithful"
        kind = item["alteration"]
        total[kind] += 1
        hit[kind] += gone == bad
        tp += gone and bad
        fn += bad and not gone
        fp += gone and not bad
        tn += not gone and not bad
        if gone != bad:
            verdict = "kept" if bad else "removed"
            misses.append(f"{item['id']} [{kind}, {verdict}] {item['sentence']}")
    return {
        "n": f"{tp + fn}+{fp + tn}",
        "recall": tp / max(1, tp + fn),
        "kept": tn / max(1, tn + fp),
        "precision": tp / max(1, tp + fp),
        "by_kind": {k: (hit[k], total[k]) for k in sorted(total)},
        "misses": misses,
    }


def main() -> None:
    """Run the benchmark on the tuning sets and the held-out set."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--show-misses", choices=["dev", "dev2", "dev3", "dev4", "dev5"], default=None
    )
    args = parser.parse_args()

    def load(path: Path) -> list[dict[str, str]]:
        return yaml.safe_load(path.read_text(encoding="utf-8"))["items"]

    first = load(GUARD_DEV)
    sets = {
        "dev": [i for i in first if half(i) == "dev"],
        "dev2": load(GUARD_DEV2),
        "dev3": load(GUARD_DEV3),
        "dev4": [i for i in first if half(i) == "dev4"],
        "dev5": load(GUARD_DEV5),
        "heldout": load(GUARD_SET),
    }
    figures = {name: evaluate(part) for name, part in sets.items()}
    print(
        f"{len(sets['heldout'])} hand-labelled sentences held out; tuning sets: "
        + ", ".join(f"{name} {len(part)}" for name, part in sets.items() if name != "heldout")
        + "\n"
    )
    print(
        f"{'guard':<40}" + "".join(f"{n:>10}" for n in (*list(sets)[:-1], "held-out")) + "  target"
    )
    print(
        f"{'sentences (unfaithful + faithful)':<40}"
        + "".join(f"{f['n']:>10}" for f in figures.values())
    )
    for label, key, target in (
        ("unfaithful removed (recall of removal)", "recall", ">= 0.95"),
        ("faithful kept", "kept", ">= 0.90"),
        ("precision of removal", "precision", "-"),
    ):
        cells = "".join(f"{f[key]:>10.3f}" for f in figures.values())
        print(f"{label:<40}{cells}  {target}")
    print("\nby alteration (judged right, dev | dev2 | dev3 | dev4 | dev5 | held-out):")
    kinds = sorted({k for f in figures.values() for k in f["by_kind"]})  # type: ignore[attr-defined]
    for kind in kinds:
        cells = []
        for f in figures.values():
            right, total = f["by_kind"].get(kind, (0, 0))  # type: ignore[attr-defined]
            cells.append(f"{right:>3}/{total:<3}")
        print(f"  {kind:<22} {' | '.join(cells)}")
    if args.show_misses:
        print(f"\nmisses ({args.show_misses}):")
        for line in figures[args.show_misses]["misses"]:  # type: ignore[attr-defined]
            print(f"  {line}")


if __name__ == "__main__":
    main()
