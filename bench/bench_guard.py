"""The grounding guard on a hand-labelled set it was never tuned on. Prints figures; never asserts.

Usage: .venv/bin/python bench/bench_guard.py [--show-misses]

``bench/heldout/guard_set.yaml`` (written blind, frozen): generated-looking sentences, each
citing one real passage, labelled faithful or unfaithful by hand with the kind of alteration
(figure changed, month changed, bound flipped, negated, unit changed, figure reattached…). The
guard's own claim extraction is not used to judge it: the labels are the truth. A sentence is
"removed" when the guard keeps nothing of it.

- removal recall: unfaithful sentences removed / unfaithful sentences (target >= 0.95);
- faithful kept: faithful sentences kept / faithful sentences (target >= 0.90);
- removal precision: removed sentences that were unfaithful / removed sentences;
- the same per kind of alteration.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.guard import PromptPassage, check  # noqa: E402
from assistant.answer.models import Citation  # noqa: E402

GUARD_SET = ROOT / "bench" / "heldout" / "guard_set.yaml"


def removed(sentence: str, passage: str, doc_id: str) -> bool:
    """Whether the guard keeps nothing of ``sentence`` citing ``passage`` as [1]."""
    citation = Citation(n=1, doc_id=doc_id, title=doc_id, section="", page=None, quote=passage)
    prompt = PromptPassage(n=1, header=doc_id, text=passage, citation=citation)
    return not check(sentence, [prompt]).text.strip()


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    items = yaml.safe_load(GUARD_SET.read_text(encoding="utf-8"))["items"]
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
    print(f"{len(items)} labelled sentences ({tp + fn} unfaithful, {fp + tn} faithful)\n")
    print(f"{'metric':<44} {'value':>6}  target")
    print(f"{'unfaithful removed (recall of removal)':<44} {tp / max(1, tp + fn):>6.3f}  >= 0.95")
    print(f"{'faithful kept':<44} {tn / max(1, tn + fp):>6.3f}  >= 0.90")
    print(f"{'precision of removal':<44} {tp / max(1, tp + fp):>6.3f}")
    print("\nby alteration (share judged right):")
    for kind in sorted(total):
        print(f"  {kind:<22} {hit[kind]:>3}/{total[kind]:<3} {hit[kind] / total[kind]:.2f}")
    if args.show_misses:
        print("\nmisses:")
        for line in misses:
            print(f"  {line}")


if __name__ == "__main__":
    main()
