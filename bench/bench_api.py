"""The dossier API through HTTP against the real app process, on SQLite and PostgreSQL.

Prints, for each database: the save p50 through the API (``PUT /api/dossiers/{finess}``: the
request, the token check, the validator and the write), the validator's own p50 in the bench's
process (the part of a save spent validating), and the app process's memory (RSS) with 280
dossiers in the database (imported with the store's import), before and after listing them
through the API.

Run: ``.venv/bin/python bench/bench_api.py`` (starts a throwaway PostgreSQL server from the
Debian binaries, as the tests do; ``--saves N``, ``--drafts N``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.store import LOCAL_ADMIN, Checker, import_drafts, open_store  # noqa: E402
from bench.bench_dossiers import (  # noqa: E402
    DEPARTEMENTS as ALL_DEPARTEMENTS,
)
from bench.bench_dossiers import VALID, campaign_checker, p50, write_drafts  # noqa: E402
from tests.api_fixtures import FINESS, api_server, lexical_index  # noqa: E402
from tests.load.process import rss_bytes  # noqa: E402
from tests.postgres_fixtures import PostgresServer  # noqa: E402

# The imported dossiers leave département 31 to the dossier the bench saves (FINESS 310000123).
DEPARTEMENTS = tuple(d for d in ALL_DEPARTEMENTS if d != "31")


def _measure(
    name: str, url: str, work: Path, index: Path, checker: Checker, drafts: Path, saves: int
) -> None:
    store = open_store(url, checker=checker)
    items = import_drafts(store, LOCAL_ADMIN, drafts)
    store.close()
    with api_server(url, work, index, checker) as server, server.client("admin") as client:
        rss_start = rss_bytes(server.served.pid)
        listed = client.get("/api/dossiers")
        listed.raise_for_status()
        rss_listed = rss_bytes(server.served.pid)
        save_times: list[float] = []
        for version in range(saves):
            body = {"version": version, "brouillon": VALID}
            start = time.perf_counter()
            client.put(f"/api/dossiers/{FINESS}", json=body).raise_for_status()
            save_times.append(time.perf_counter() - start)
        rss_end = rss_bytes(server.served.pid)
    validate_times: list[float] = []
    for _ in range(saves):
        start = time.perf_counter()
        checker(VALID)
        validate_times.append(time.perf_counter() - start)
    mb = 1024 * 1024
    print(
        f"{name:<11} API save (PUT: validate + write) p50 {p50(save_times)} | validate-on-save "
        f"(validator alone) p50 {p50(validate_times)} | app RSS with {len(items)} dossiers: "
        f"{rss_start / mb:.0f} MB at start, {rss_listed / mb:.0f} MB after listing "
        f"{len(listed.json())}, {rss_end / mb:.0f} MB after {saves} saves"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--drafts", type=int, default=280)
    args = parser.parse_args()
    checker = campaign_checker()
    tmp = Path(tempfile.mkdtemp(prefix="cpom-bench-api-"))
    drafts = write_drafts(tmp / "drafts", args.drafts, DEPARTEMENTS)
    index = lexical_index(tmp)
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="cpom-bench-pg-")))
    try:
        server.initdb()
        server.start()
        sqlite_url = f"sqlite:///{tmp / 'cpom.db'}"
        _measure("SQLite", sqlite_url, tmp / "sqlite", index, checker, drafts, args.saves)
        pg_url = server.create_database("cpom_bench_api")
        _measure("PostgreSQL", pg_url, tmp / "pg", index, checker, drafts, args.saves)
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
