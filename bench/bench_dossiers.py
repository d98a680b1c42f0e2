"""Dossier store timings on SQLite and PostgreSQL: save p50, validate-on-save p50, import of 280.

Run: ``.venv/bin/python bench/bench_dossiers.py`` (starts a throwaway PostgreSQL server from
the Debian binaries, as the tests do; ``--saves N`` sets the number of timed saves).
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.kb import load_kb  # noqa: E402 - after the sys.path line above
from assistant.rules import load_rules  # noqa: E402
from assistant.store import LOCAL_ADMIN, Checker, Store, open_store, save_draft  # noqa: E402
from assistant.store.imports import import_drafts  # noqa: E402
from tests.postgres_fixtures import PostgresServer  # noqa: E402

VALID: dict[str, Any] = json.loads((ROOT / "examples" / "brouillon-valide.json").read_text())
DEPARTEMENTS = ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")


def _draft(n: int, departements: tuple[str, ...] = DEPARTEMENTS) -> dict[str, Any]:
    tree = copy.deepcopy(VALID)
    tree["etablissement"]["finess_ej"] = f"{departements[n % len(departements)]}{n:07d}"
    tree["etablissement"]["raison_sociale"] = f"Établissement n° {n}"
    return tree


def write_drafts(folder: Path, count: int, departements: tuple[str, ...] = DEPARTEMENTS) -> Path:
    """``count`` valid drafts, one JSON file each, spread over ``departements``."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        tree = _draft(n, departements)
        (folder / f"{n:03d}.json").write_text(json.dumps(tree, ensure_ascii=False))
    return folder


def campaign_checker() -> Checker:
    """The validator of the campaign, as the store runs it on every save."""
    corpus = ROOT / "corpus"
    return Checker(
        kb=load_kb(corpus), rules=load_rules(corpus / "rules" / "occitanie-2025-2029.yaml")
    )


def p50(values: list[float]) -> str:
    """The median of durations in seconds, in milliseconds."""
    return f"{statistics.median(values) * 1000:.1f} ms"


def _measure(name: str, store: Store, checker: Checker, saves: int, folder: Path) -> None:
    validate_times: list[float] = []
    for _ in range(saves):
        start = time.perf_counter()
        checker(VALID)
        validate_times.append(time.perf_counter() - start)
    save_times: list[float] = []
    for version in range(saves):
        start = time.perf_counter()
        save_draft(store, LOCAL_ADMIN, "310000123", VALID, version=version)
        save_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    items = import_drafts(store, LOCAL_ADMIN, folder)
    elapsed = time.perf_counter() - start
    saved = sum(1 for item in items if item.refus is None)
    print(
        f"{name:<11} validate p50 {p50(validate_times)} | save (validate + write) p50 "
        f"{p50(save_times)} | import of {len(items)} drafts: {elapsed:.1f} s ({saved} saved)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--drafts", type=int, default=280)
    args = parser.parse_args()
    checker = campaign_checker()
    tmp = Path(tempfile.mkdtemp(prefix="cpom-bench-"))
    folder = write_drafts(tmp / "drafts", args.drafts)
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="cpom-bench-pg-")))
    try:
        sqlite = open_store(f"sqlite:///{tmp / 'cpom.db'}", checker=checker)
        _measure("SQLite", sqlite, checker, args.saves, folder)
        sqlite.close()
        server.initdb()
        server.start()
        postgres = open_store(server.create_database("bench"), checker=checker)
        _measure("PostgreSQL", postgres, checker, args.saves, folder)
        postgres.close()
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(server.folder, ignore_errors=True)
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
