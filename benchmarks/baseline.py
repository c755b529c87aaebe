"""The baseline: five daily KPIs computed straight from the landing files by one DuckDB script.

    .venv/bin/python benchmarks/baseline.py --data-dir DATA [--threads N]

Runs `baseline.sql` in a fresh in-memory DuckDB over `DATA/landing`, prints its wall time and
row count, and compares every (kpi, day) value and n with the published
`marts.mart_cx_kpis` (grain day, slice all) in `DATA/published/cx.duckdb`. Exit 1 on any
mismatch. The timing is what the same numbers cost without the pipeline.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

SQL = Path(__file__).resolve().with_name("baseline.sql")
KPIS = (
    "nps",
    "csat_top2_share",
    "one_touch_rate",
    "first_reply_minutes_median",
    "rating_mean",
)


def run_baseline(
    data_dir: Path, threads: int | None = None, memory_limit: str | None = None
) -> tuple[float, list[tuple]]:
    """Seconds the script takes (connection included) and its rows (kpi, day, value, n).

    The baseline is the fastest way to these numbers on the machine, so DuckDB keeps its
    default memory limit (80% of memory; 18 GiB at scale 10, where 4GB made it 207 s
    instead of 121 s). `memory_limit` holds it to a budget."""
    script = SQL.read_text(encoding="utf-8")
    landing = str(Path(data_dir).resolve() / "landing")
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
            con.execute(f"SET temp_directory = '{Path(data_dir).resolve() / 'baseline_spill'}'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET VARIABLE landing = ?", [landing])
        con.execute(script)
        rows = con.execute(
            "SELECT kpi, day, value, n FROM baseline_daily ORDER BY kpi, day"
        ).fetchall()
    finally:
        con.close()
    return time.perf_counter() - started, rows


def _published(published_db: Path) -> dict[tuple[str, date], tuple[float, int]]:
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        rows = con.execute(
            "SELECT kpi, period_start, value, n FROM marts.mart_cx_kpis "
            "WHERE grain = 'day' AND slice_name = 'all' AND kpi IN (SELECT unnest(?))",
            [list(KPIS)],
        ).fetchall()
    finally:
        con.close()
    return {(kpi, day): (value, n) for kpi, day, value, n in rows}


def compare_with_marts(published_db: Path, rows: list[tuple], rel_tol: float = 1e-9) -> list[str]:
    """Human-readable differences between the baseline's rows and the published mart."""
    mart = _published(published_db)
    mine = {(kpi, day): (value, n) for kpi, day, value, n in rows}
    problems = []
    for key in sorted(mine.keys() | mart.keys()):
        kpi, day = key
        if key not in mart:
            problems.append(f"{kpi} {day}: only in the baseline {mine[key]}")
        elif key not in mine:
            problems.append(f"{kpi} {day}: only in the mart {mart[key]}")
        else:
            (value, n), (mart_value, mart_n) = mine[key], mart[key]
            if n != mart_n:
                problems.append(f"{kpi} {day}: n {n} != mart {mart_n}")
            same = (value is None and mart_value is None) or (
                value is not None
                and mart_value is not None
                and math.isclose(value, mart_value, rel_tol=rel_tol, abs_tol=1e-12)
            )
            if not same:
                problems.append(f"{kpi} {day}: value {value!r} != mart {mart_value!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    seconds, rows = run_baseline(args.data_dir, args.threads)
    print(f"baseline: {seconds:.3f} s, {len(rows)} rows ({len(KPIS)} KPIs, daily, slice all)")
    published = args.data_dir / "published" / "cx.duckdb"
    problems = compare_with_marts(published, rows)
    for line in problems:
        print(f"  MISMATCH {line}")
    print(f"mismatches against {published}: {len(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
