"""Time the expectation suites on a loaded warehouse, in each engine, with peak memory.

    .venv/bin/python benchmarks/expectations.py --data-dir DIR [--suite raw_ticket_events ...]

Each (suite, engine) runs in a fresh process over every row of the suite's table (all
partitions at once: a full load's selection), read-only on `warehouse/cx.duckdb`; the
table gives wall seconds, the child's peak RSS and the verdicts, which must be equal.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ENGINES = ("duckdb", "gx-pandas")
SUITES = {
    "raw_ticket_events": "raw.ticket_events",
    "raw_survey_responses": "raw.survey_responses",
    "raw_reviews": "raw.reviews",
    "stg_ticket_events": "staging.stg_ticket_events",
    "stg_survey_responses": "staging.stg_survey_responses",
    "stg_reviews": "staging.stg_reviews",
}
CHILD = """
import json, resource, sys, time
from cx_pipeline.quality import load_suite, validate_table
database, table, suite, engine = sys.argv[1:5]
load_suite(suite)  # imports GX (seconds) outside the timed part: rows alone are timed
started = time.monotonic()
result = validate_table(database, table, suite, engine=engine)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps({"seconds": time.monotonic() - started, "rows": result.rows_validated,
                  "peak_mib": peak,
                  "verdicts": [[o.expectation, o.passed, o.unexpected_count]
                               for o in result.outcomes]}), flush=True)
"""


def run(database: Path, table: str, suite: str, engine: str) -> dict:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(database), table, suite, engine],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    # DuckDB's progress bar may share the line
    line = done.stdout.rsplit("RESULT ", 1)[1].splitlines()[0]
    return json.loads(line) | {"wall": wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--suite", action="append", choices=sorted(SUITES))
    args = parser.parse_args()
    database = args.data_dir / "warehouse" / "cx.duckdb"
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, {database}")
    print("| suite | rows | engine | validation (s) | process (s) | peak RSS (MiB) | same |")
    print("|---|---|---|---|---|---|---|")
    for suite in args.suite or list(SUITES):
        results = {engine: run(database, SUITES[suite], suite, engine) for engine in ENGINES}
        same = results["duckdb"]["verdicts"] == results["gx-pandas"]["verdicts"]
        for engine in ENGINES:
            r = results[engine]
            print(
                f"| {suite} | {r['rows']:,} | {engine} | {r['seconds']:.1f} | {r['wall']:.1f} "
                f"| {r['peak_mib']:,.0f} | {'yes' if same else 'NO'} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
