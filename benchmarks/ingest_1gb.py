"""Load speed and peak memory of one ~1 GB canonical ticket-event export.

    .venv/bin/python benchmarks/ingest_1gb.py [--work DIR] [--target-mb 1024]

Builds the file once from generated exports (90 days at scale 1, replicated with fresh
keys until it reaches the target size), then times `load_partition` on a landing folder
holding just that file, in a fresh process, and prints rows/s and peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path


def build_file(work: Path, target_mb: int) -> Path:
    import duckdb

    from cx_pipeline.generate import generate

    out = work / "landing" / "tickets" / "2025-06-01" / "ticket_events_big.csv"
    if out.exists():
        return out
    seed_dir = work / "seed"
    if not (seed_dir / "landing").exists():
        generate(seed_dir, date(2025, 3, 3), 90, scale=1.0, seed=3, defects=True)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ev AS SELECT * FROM read_csv(?, all_varchar=true, header=true)",
        [str(seed_dir / "landing" / "tickets" / "*" / "*.csv")],
    )
    seed_bytes = sum(p.stat().st_size for p in (seed_dir / "landing" / "tickets").rglob("*.csv"))
    copies = max(1, round(target_mb * 1024 * 1024 / seed_bytes))
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""COPY (
            SELECT * REPLACE (ticket_id || '-' || c AS ticket_id, event_id || '-' || c AS event_id)
            FROM ev, range({copies}) r(c)
        ) TO '{out}' (HEADER, DELIMITER ',')"""
    )
    return out


def measure(work: Path) -> None:
    import duckdb

    os.environ["CX_DATA_DIR"] = str(work)
    from cx_pipeline.ingest.canonical import SOURCES
    from cx_pipeline.ingest.loader import load_partition

    db = work / "bench.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute(f"SET memory_limit = '{os.environ.get('CX_DUCKDB_MEMORY_LIMIT', '4GB')}'")
    started = time.perf_counter()
    [result] = load_partition(con, SOURCES["tickets"], date(2025, 6, 1), "bench")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = Path(result.file).stat().st_size / 1024 / 1024
    print(
        f"file: {size_mb:.0f} MB, rows read {result.read:,}, loaded {result.loaded:,}, "
        f"quarantined {result.quarantined:,}, duplicates {result.duplicates:,}"
    )
    print(
        f"load: {seconds:.1f} s, {result.read / seconds:,.0f} rows/s, "
        f"{size_mb / seconds:.1f} MB/s, peak RSS {peak_mb:,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", default="/tmp/cx_bench_1gb")
    parser.add_argument("--target-mb", type=int, default=1024)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(args.work)
    if args.measure_only:
        measure(work)
        return
    work.mkdir(parents=True, exist_ok=True)
    path = build_file(work, args.target_mb)
    print(f"export: {path} ({path.stat().st_size / 1024 / 1024:.0f} MB)")
    # A fresh process, so that peak memory is the load's own.
    subprocess.run([sys.executable, __file__, "--work", str(work), "--measure-only"], check=True)


if __name__ == "__main__":
    main()
