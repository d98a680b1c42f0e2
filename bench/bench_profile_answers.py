"""Answers for an establishment (``ask --profil``): speed and what the facts say. Prints figures.

Usage: .venv/bin/python bench/bench_profile_answers.py [--examples]

On the real index (``Index(Settings())``), offline mode, over the 100 profile questions of
``tests/data/profile_questions.yaml`` (written blind, then tuned on: the dev set; the tests
check their facts against the validator and the knowledge base) and the 60 of
``bench/profile_heldout.yaml`` (written blind afterwards, frozen: the held-out set):
- the indicators each question designates (code or subject) against the writer's list;
- eligibility against the writer's own reading of the fiche (``attendu``);
- selection and HPR-annex questions recognised as such;
- latency of an answer with a profile, warm: the general answer, then the facts added.
With ``--examples``, six answers for three contrasting profiles, as the CLI prints them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import answer_question  # noqa: E402
from assistant.answer.establishment import establishment_of  # noqa: E402
from assistant.answer.for_establishment import answer_for  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.kb import load_kb  # noqa: E402
from assistant.kb.codes import normalize_code  # noqa: E402
from assistant.retrieval.hybrid import Index  # noqa: E402
from assistant.rules import load_rules  # noqa: E402

PROFILES = ROOT / "bench" / "profiles"
QUESTIONS = ROOT / "tests" / "data" / "profile_questions.yaml"
DEV2 = ROOT / "bench" / "profile_dev2.yaml"
"""The first held-out set, written blind after the dev questions were tuned on; its misses were
read, so it is a dev set now."""
HELDOUT = ROOT / "bench" / "profile_heldout2.yaml"
"""The second held-out set, written blind while dev2 was read; frozen, never read."""
EXAMPLES: tuple[tuple[str, str, list[dict[str, Any]] | None], ...] = (
    ("chu-toulouse.json", "Le CT 3, on peut le prendre ?", None),
    (
        "chu-toulouse.json",
        "Quelle cible on doit viser en 2027 sur la RAAC ?",
        [{"code": "CPOM_OS_13", "valeur_initiale": 38}, {"code": "CPOM_CT_3"}],
    ),
    ("clinique-chirurgicale-hors-ght.json", "Le CT 3, on peut le prendre ?", None),
    (
        "clinique-chirurgicale-hors-ght.json",
        "Combien d'indicateurs il nous reste à choisir ?",
        [{"code": c} for c in ("CPOM_CT_2", "CPOM_OS_5", "CPOM_OS_13", "CPOM_OS_16")],
    ),
    (
        "hopital-proximite-lot.json",
        "En tant qu'hôpital de proximité, on a une annexe en plus ?",
        None,
    ),
    (
        "hopital-proximite-lot.json",
        "la télésanté, c'est quoi notre cible ?",
        [{"code": "CPOM_OS_9", "valeur_initiale": 150}],
    ),
)


def _profile(name: str) -> dict[str, Any]:
    return json.loads((PROFILES / name).read_text(encoding="utf-8"))


def _tree(profile: dict[str, Any], selection: list[dict[str, Any]] | None, kb: Any) -> Any:
    if selection is None:
        return profile
    strategic, hpr = [], []
    for item in selection:
        code = normalize_code(str(item["code"]))
        (hpr if code in kb.hpr else strategic).append({**item, "code": code})
    return {"etablissement": profile, "indicateurs": strategic, "indicateurs_hpr": hpr}


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] if len(values) > 1 else values[0]


def evaluate(questions: list[dict[str, Any]], index: Any, kb: Any, settings: Any) -> dict[str, Any]:
    """The figures of one question set."""
    rules = load_rules(settings.rules_file)
    with_profile: list[float] = []
    without: list[float] = []
    facts: list[float] = []
    misses: list[str] = []
    counts = dict.fromkeys(("designated", "indicator", "agreed", "eligibility", "kinds", "kind"), 0)
    for q in questions:
        est = establishment_of(_tree(_profile(q["profil"]), q.get("selection"), kb))
        t0 = time.perf_counter()
        general = answer_question(q["question"], index=index, kb=kb, settings=settings)
        t1 = time.perf_counter()
        answer = answer_for(general, q["question"], est, index=index, kb=kb, rules=rules)
        t2 = time.perf_counter()
        without.append(1000 * (t1 - t0))
        facts.append(1000 * (t2 - t1))
        with_profile.append(1000 * (t2 - t0))
        kind = q["kind"]
        if kind in {"eligibility", "target", "computed"}:
            counts["indicator"] += 1
            good = [i.code for i in answer.pour_vous] == q["codes"]
            counts["designated"] += good
            if not good:
                got = [i.code for i in answer.pour_vous]
                misses.append(f"{q['id']} {kind} {q['codes']} got {got}: {q['question']}")
        else:
            counts["kind"] += 1
            found = {
                "remaining": answer.votre_selection is not None,
                "valid": answer.votre_selection is not None,
                "hpr": answer.annexe_hpr is not None,
                "general": not (answer.pour_vous or answer.votre_selection or answer.annexe_hpr),
            }[kind]
            counts["kinds"] += found
            if not found:
                misses.append(f"{q['id']} {kind}: {q['question']}")
        if kind == "eligibility" and answer.pour_vous:
            counts["eligibility"] += 1
            item = answer.pour_vous[0]
            mine = "non" if item.eligible is False else ("reserve" if item.reserve else "oui")
            counts["agreed"] += mine == q["attendu"]
    return {
        **counts,
        "questions": len(questions),
        "profiles": len({q["profil"] for q in questions}),
        "p50": statistics.median(with_profile),
        "p95": _p(with_profile, 0.95),
        "general_p50": statistics.median(without),
        "facts_p50": statistics.median(facts),
        "facts_p95": _p(facts, 0.95),
        "misses": misses,
    }


def main() -> None:
    """Run the profile questions (dev and held-out) and print the figures (and the examples)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", action="store_true", help="print six answers")
    parser.add_argument("--show-misses", choices=["dev", "dev2"], default=None)
    args = parser.parse_args()
    settings = Settings()
    index = Index(settings)
    kb = load_kb(settings.corpus_dir)
    warm = establishment_of(_profile("chu-toulouse.json"))
    answer_question("Le CT 3 ?", index=index, kb=kb, settings=settings, establishment=warm)
    sets = {
        name: evaluate(
            yaml.safe_load(path.read_text(encoding="utf-8"))["questions"], index, kb, settings
        )
        for name, path in (("dev", QUESTIONS), ("dev2", DEV2), ("heldout", HELDOUT))
        if path.is_file()
    }
    rows = [
        ("questions (profiles)", lambda f: f"{f['questions']} ({f['profiles']})"),
        (
            "indicators designated as the writer listed",
            lambda f: f"{f['designated']}/{f['indicator']}",
        ),
        ("eligibility as the writer read the fiche", lambda f: f"{f['agreed']}/{f['eligibility']}"),
        ("selection, HPR, general questions recognised", lambda f: f"{f['kinds']}/{f['kind']}"),
        ("answer with a profile, warm, p50 (ms)", lambda f: f"{f['p50']:.0f}"),
        ("answer with a profile, warm, p95 (ms)", lambda f: f"{f['p95']:.0f}"),
        ("... the general answer, p50 (ms)", lambda f: f"{f['general_p50']:.0f}"),
        (
            "... the establishment's facts, p50 / p95 (ms)",
            lambda f: f"{f['facts_p50']:.0f} / {f['facts_p95']:.0f}",
        ),
    ]
    print(f"{'profile answers, offline':<48}" + "".join(f"{name:>14}" for name in sets))
    for label, cell in rows:
        print(f"{label:<48}" + "".join(f"{cell(f):>14}" for f in sets.values()))
    if args.show_misses:
        print(f"\nMisses ({args.show_misses}):")
        for line in sets[args.show_misses]["misses"]:
            print(f"  {line}")
    if args.examples:
        for name, question, selection in EXAMPLES:
            est = establishment_of(_tree(_profile(name), selection, kb))
            answer = answer_question(
                question, index=index, kb=kb, settings=settings, establishment=est
            )
            chosen = (
                " ; sélection du dossier : "
                + ", ".join(f"{s['code']}={s.get('valeur_initiale', '–')}" for s in selection)
                if selection
                else ""
            )
            print(f"\n$ python -m assistant ask {question!r} --profil {name}{chosen}")
            print(answer.as_text())


if __name__ == "__main__":
    main()
