"""Benchmark of the proposal and drafting journeys over the profiles of ``bench/profiles``.

Reports: validity of every proposal (validator, selection rules) and of every draft (each
indicator drafted with a plausible 2024 baseline, all put into a draft file checked by the full
validator); reasons that quote neither what the indicator measures nor another part of its
fiche (target 0); priorities declared uncovered; the matching of priorities to indicators
against ``bench/profiles/priorities.yaml`` (precision, recall, uncovered priorities found) for a
range of thresholds, which is how ``MIN_RELEVANCE`` was chosen; how many indicators change
between pairs of profiles; p50 time per proposal and per draft, offline (no index, no language
model).

    .venv/bin/python bench/bench_propose.py [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.drafting import build_draft_file, draft_indicator  # noqa: E402
from assistant.drafts import Value  # noqa: E402
from assistant.kb import (  # noqa: E402
    HprIndicator,
    KnowledgeBase,
    load_kb,
    normalize_code,
)
from assistant.propose import Profile, propose, read_profile  # noqa: E402
from assistant.propose.priorities import split_priorities  # noqa: E402
from assistant.propose.reasons import grounding, measure_texts  # noqa: E402
from assistant.propose.relevance import MIN_RELEVANCE, catalog_for  # noqa: E402
from assistant.propose.scoring import target_rule  # noqa: E402
from assistant.propose.selection import check_selection  # noqa: E402
from assistant.propose.vocabulary import own_words  # noqa: E402
from assistant.rules import Report, load_rules, validate_draft  # noqa: E402

PROFILES = ROOT / "bench" / "profiles"
EXPECTED_MATCHES = PROFILES / "priorities.yaml"
THRESHOLDS = [round(0.2 + 0.05 * i, 2) for i in range(13)]
# A plausible 2024 value by unit: below every fiche's final target, within range.
PLAUSIBLE: dict[str, Value] = {
    "taux": 30,
    "nombre": 3,
    "file_active": 40,
    "ratio": 1,
    "oui_non": "non",
    "autre": 0,
}


def plausible_baseline(kb: KnowledgeBase, profile: Profile, code: str) -> Value:
    """A plausible 2024 value: in range, and below the fiche's final figure when it has one."""
    ind = kb.get(code)
    if isinstance(ind, HprIndicator):
        return 20 if ind.label.lower().startswith(("taux", "part")) else 5
    unit = "oui_non" if ind.type == "declaratif" or ind.unit == "oui_non" else ind.unit
    value = PLAUSIBLE.get(unit, 3)
    rule = target_rule(kb, code, profile)
    final = max(rule.years, key=lambda y: y.year) if rule and rule.years else None
    if unit != "oui_non" and final is not None and final.kind in {"valeur", "min"}:
        figure = final.value or 0
        if isinstance(value, int | float) and value >= figure:
            value = figure / 2 if unit == "taux" else int(figure // 2)
    return value


def matching_figures(
    kb: KnowledgeBase, profiles: dict[str, Profile], expected: dict[str, Any]
) -> dict[str, Any]:
    """Precision and recall of priority -> indicator matches, by threshold.

    A priority matches an indicator when one of its clauses reaches the threshold. Matches with
    an « acceptable » indicator are neither required nor counted false; a priority is found
    uncovered when it matches nothing and its expected indicators are none.
    """
    catalog = catalog_for(kb)
    pairs: list[tuple[float, bool, bool]] = []  # (relevance, expected, acceptable)
    priorities: list[tuple[float, bool]] = []  # (best relevance, expected uncovered)
    missing: list[str] = []
    for name, profile in profiles.items():
        labels = expected.get(name, {})
        codes = list(kb.indicators) + (list(kb.hpr) if profile.hopital_proximite else [])
        own = own_words(profile.activites, profile.categorie)
        for priority in split_priorities(profile.priorites):
            label = labels.get(priority.text)
            if label is None:
                missing.append(f"{name}: {priority.text}")
                continue
            wanted = {normalize_code(c) for c in label.get("attendus") or []}
            fine = {normalize_code(c) for c in label.get("acceptables") or []}
            best = 0.0
            for code in codes:
                relevance = max(
                    catalog.clause_match(c, code, own=own).relevance for c in priority.clauses
                )
                best = max(best, relevance)
                pairs.append((relevance, code in wanted, code in fine))
            priorities.append((best, not wanted))
    by_threshold = []
    for t in THRESHOLDS:
        tp = sum(1 for r, w, _ in pairs if w and r >= t)
        fp = sum(1 for r, w, a in pairs if not w and not a and r >= t)
        fn = sum(1 for r, w, _ in pairs if w and r < t)
        uncovered_ok = sum(1 for best, none in priorities if none and best < t)
        uncovered_wrong = sum(1 for best, none in priorities if not none and best < t)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        by_threshold.append(
            {
                "threshold": t,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "f1": round(f1, 3),
                "uncovered_found": uncovered_ok,
                "uncovered_wrongly": uncovered_wrong,
            }
        )
    return {
        "priorities_labelled": len(priorities),
        "priorities_expected_uncovered": sum(1 for _, none in priorities if none),
        "unlabelled": missing,
        "min_relevance": MIN_RELEVANCE,
        "by_threshold": by_threshold,
    }


def _p50(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else 0.0


def run(repeat: int) -> dict[str, Any]:
    """Run the benchmark; returns the figures."""
    settings = Settings(_env_file=None)
    kb = load_kb(settings.corpus_dir)
    rules = load_rules(settings.rules_file)
    profiles: dict[str, Profile] = {
        p.stem: read_profile(p) for p in sorted(PROFILES.glob("*.json"))
    }
    # Warm-up: knowledge base, fiche words, templates.
    first = next(iter(profiles.values()))
    propose(first, kb=kb, rules=rules, settings=settings)
    propose_times: list[float] = []
    draft_times: list[float] = []
    rows: list[dict[str, Any]] = []
    selections: dict[str, set[str]] = {}
    warnings: Counter[str] = Counter()
    draft_count = 0
    draft_failures: list[str] = []
    reasons_total = 0
    reasons_unquoted: list[str] = []
    reasons_elsewhere = 0
    uncovered: list[str] = []
    for name, profile in profiles.items():
        for _ in range(repeat):
            start = time.perf_counter()
            proposal = propose(profile, kb=kb, rules=rules, settings=settings)
            propose_times.append(time.perf_counter() - start)
        report = check_selection(profile, proposal.codes, proposal.hpr_codes, kb=kb, rules=rules)
        for entry in proposal.indicateurs + proposal.indicateurs_hpr + proposal.alternatives:
            measured, whole = measure_texts(kb, entry.code)
            for reason in entry.raisons:
                reasons_total += 1
                found = grounding(reason, measured=measured, whole=whole)
                if found is None:
                    reasons_unquoted.append(f"{name} {entry.code}: {reason[:90]}")
                reasons_elsewhere += found == "fiche"
        uncovered += [f"{name}: {u.priorite}" for u in proposal.priorites_non_couvertes]
        drafts = []
        try:
            for code in [*proposal.codes, *proposal.hpr_codes]:
                baseline = plausible_baseline(kb, profile, code)
                start = time.perf_counter()
                draft = draft_indicator(
                    profile, code, baseline=baseline, kb=kb, rules=rules, settings=settings
                )
                draft_times.append(time.perf_counter() - start)
                drafts.append(draft)
            draft_file = build_draft_file(profile, proposal, drafts, rules=rules, settings=settings)
            full = validate_draft(draft_file, kb=kb, rules=rules)
        except Exception as exc:  # the drafting chain fails: report it, keep the proposal figures
            draft_failures.append(f"{name}: {type(exc).__name__}: {exc}")
            full = Report(valid=False, errors=0, warnings=0, findings=[])
        draft_count += len(drafts)
        warnings.update(f.rule for f in full.findings if f.severity == "avertissement")
        selections[name] = set(proposal.codes)
        rows.append(
            {
                "profile": name,
                "indicators": proposal.codes,
                "hpr": proposal.hpr_codes,
                "proposal_valid": report.valid
                and not any(f.severity == "erreur" for f in proposal.findings),
                "proposal_warnings": [f.rule for f in proposal.findings],
                "uncovered": [u.priorite for u in proposal.priorites_non_couvertes],
                "profile_warnings": len(proposal.avertissements),
                "drafts_with_line_errors": sum(
                    1 for d in drafts if any(f.severity == "erreur" for f in d.findings)
                ),
                "draft_file_valid": full.valid,
                "draft_file_errors": [
                    f"{f.rule} {f.indicator}" for f in full.findings if f.severity == "erreur"
                ],
                "draft_file_warnings": full.warnings,
            }
        )
    changes = [
        len(selections[a] - selections[b]) for a, b in itertools.combinations(sorted(selections), 2)
    ]
    named_pairs = [
        ("chu-toulouse", "clinique-chirurgie"),
        ("ch-ght-intermediaire", "ch-petit-rural"),
        ("smr-prive", "smr-espic"),
        ("had-associative", "psychiatrie-publique"),
        ("clinique-chirurgie", "clinique-mco-urgences"),
        ("hopital-proximite-aveyron", "hopital-proximite-ariege"),
    ]
    expected = yaml.safe_load(EXPECTED_MATCHES.read_text(encoding="utf-8"))
    return {
        "profiles": len(profiles),
        "repeat": repeat,
        "proposals_valid": sum(r["proposal_valid"] for r in rows),
        "reasons": reasons_total,
        "reasons_quoting_the_measure": reasons_total - reasons_elsewhere - len(reasons_unquoted),
        "reasons_quoting_elsewhere_in_the_fiche": reasons_elsewhere,
        "reasons_quoting_neither": reasons_unquoted,
        "priorities_declared": sum(len(split_priorities(p.priorites)) for p in profiles.values()),
        "priorities_uncovered": uncovered,
        "matching": matching_figures(kb, profiles, expected),
        "drafts": draft_count,
        "draft_failures": draft_failures,
        "draft_files_valid": sum(r["draft_file_valid"] for r in rows),
        "drafts_with_line_errors": sum(r["drafts_with_line_errors"] for r in rows),
        "draft_file_warnings_by_rule": dict(warnings.most_common()),
        "pairs": len(changes),
        "changed_per_pair": {
            "mean": round(statistics.mean(changes), 2),
            "median": statistics.median(changes),
            "min": min(changes),
            "max": max(changes),
            "identical_pairs": sum(1 for c in changes if c == 0),
            "histogram": dict(sorted(Counter(changes).items())),
        },
        "named_pairs": {
            f"{a} / {b}": len(selections[a] - selections[b])
            for a, b in named_pairs
            if a in selections and b in selections
        },
        "distinct_selections": len({frozenset(s) for s in selections.values()}),
        "p50_propose_ms": round(_p50(propose_times), 1),
        "p50_draft_ms": round(_p50(draft_times), 1),
        "max_propose_ms": round(max(propose_times) * 1000, 1),
        "max_draft_ms": round(max(draft_times) * 1000, 1),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures (Markdown-like text, or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="proposals timed per profile")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.repeat)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"profiles: {result['profiles']}")
    print(f"proposals valid (no validator error): {result['proposals_valid']}/{result['profiles']}")
    neither = result["reasons_quoting_neither"]
    print(
        f"reasons: {result['reasons']}; quoting what the indicator measures: "
        f"{result['reasons_quoting_the_measure']}; quoting another part of the fiche (said so): "
        f"{result['reasons_quoting_elsewhere_in_the_fiche']}; quoting neither: {len(neither)}"
    )
    for line in neither[:10]:
        print(f"    {line}")
    print(
        f"priorities declared: {result['priorities_declared']}, said uncovered: "
        f"{len(result['priorities_uncovered'])}"
    )
    for line in result["priorities_uncovered"]:
        print(f"    {line}")
    m = result["matching"]
    print(
        f"matching priorities -> indicators ({m['priorities_labelled']} labelled priorities, "
        f"{m['priorities_expected_uncovered']} with no indicator; MIN_RELEVANCE = "
        f"{m['min_relevance']}):"
    )
    print("    threshold   tp  fp  fn  precision recall  f1     uncovered found / wrongly")
    for r in m["by_threshold"]:
        mark = " <-" if abs(r["threshold"] - m["min_relevance"]) < 1e-9 else ""
        print(
            f"    {r['threshold']:<9} {r['tp']:>4} {r['fp']:>3} {r['fn']:>3}  "
            f"{r['precision']:<9} {r['recall']:<7} {r['f1']:<6} "
            f"{r['uncovered_found']:>3} / {r['uncovered_wrongly']}{mark}"
        )
    if m["unlabelled"]:
        print(f"    unlabelled priorities: {m['unlabelled']}")
    print(f"drafts: {result['drafts']}, with a line error: {result['drafts_with_line_errors']}")
    if result["draft_failures"]:
        print(f"drafting failed on {len(result['draft_failures'])} profiles (drafting chain):")
        for line in result["draft_failures"][:3]:
            print(f"    {line}")
    print(f"draft files valid (full validator): {result['draft_files_valid']}/{result['profiles']}")
    print(f"draft file warnings by rule: {result['draft_file_warnings_by_rule']}")
    c = result["changed_per_pair"]
    print(
        f"indicators changed between pairs ({result['pairs']} pairs, of the 8-10 chosen): "
        f"mean {c['mean']}, median {c['median']}, min {c['min']}, max {c['max']}, "
        f"identical pairs {c['identical_pairs']}; histogram {c['histogram']}"
    )
    print(f"distinct selections: {result['distinct_selections']}/{result['profiles']}")
    for pair, n in result["named_pairs"].items():
        print(f"  {pair}: {n} changed")
    print(
        f"p50 per proposal: {result['p50_propose_ms']} ms (max {result['max_propose_ms']}); "
        f"p50 per draft: {result['p50_draft_ms']} ms (max {result['max_draft_ms']})"
    )
    for row in result["rows"]:
        flag = "ok " if row["proposal_valid"] and row["draft_file_valid"] else "KO "
        hpr = f" | HPR {' '.join(row['hpr'])}" if row["hpr"] else ""
        codes = " ".join(c.removeprefix("CPOM_") for c in row["indicators"])
        print(f"  {flag}{row['profile']:28} {codes}{hpr}")
        if row["draft_file_errors"]:
            print(f"      errors: {row['draft_file_errors']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
