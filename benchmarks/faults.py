"""Fault suite: kill `cx-pipeline load` with SIGKILL at random moments, then check recovery.

    .venv/bin/python benchmarks/faults.py --trials 10 --seed 1 --data-dir /tmp/cx-faults \\
        [--readers] [--days 2] [--scale 0.1] [--base-days 1]

Generates `days` days of demo exports. The first `base-days` days are loaded and published
once (the "old" build every trial starts from; 0 starts from an empty data directory);
then a reference load of all days runs uninterrupted from that state (the "new" build).
Each trial restores the old state, starts a load of all days in its own process group,
kills the group with SIGKILL after a random delay between 0.5 s and the reference load's
wall time (the whole group, as when a machine or container dies: dbt runs in a child
process), and checks:

1. `published/cx.duckdb` is the old build (or absent when there was none) or the complete
   new one: every mart equal to one of them (EXCEPT ALL both ways), and its
   `audit.build_state` the one of that build;
2. the next load runs to completion and its marts equal the reference's, every table
   (floating-point columns at 9 decimal places: DuckDB's parallel sums vary in the last
   bits from run to run);
3. reconciliation holds in every published file row (read = loaded + quarantined +
   duplicates) and the totals equal the reference's;
4. no `.tmp` file is left in `published/`, the warehouse's writer lock is free, no run is
   left unfinished in the Dagster instance, and the killed run (when it had been
   recorded) is FAILURE with exactly one alert in alerts.jsonl.

With `--readers`, two reader threads query the published file read-only in a loop during
every load (the killed ones and the re-runs), each query opening it afresh, counting
every table of the old or new build; any error is counted and makes the suite fail.

Prints a table per trial and a summary; writes `<data-dir>/faults.json`. Exit 1 when any
check failed.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.warehouse.sql_quote import ident

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "cx_pipeline.cli"]
START = "2025-03-03"
# DuckDB's parallel sums add in an order that varies from run to run, so two uninterrupted
# builds of the same data differ in the last bits of a mean (3.814814814814815 against
# 3.8148148148148144): floating-point columns are compared at this many decimal places.
FLOAT_DECIMALS = 9
UNFINISHED = ("NOT_STARTED", "STARTING", "STARTED", "QUEUED", "CANCELING")


def _env(data_dir: Path, target: Path) -> dict[str, str]:
    env = {**os.environ, "CX_DATA_DIR": str(data_dir), "CX_DBT_TARGET_PATH": str(target)}
    env.pop("DAGSTER_HOME", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    env.setdefault("GX_ANALYTICS_ENABLED", "False")
    return env


def _load(data_dir: Path, target: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "load", *(args or ("--all",))],
        cwd=ROOT,
        env=_env(data_dir, target),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _load_to_end(data_dir: Path, target: Path) -> tuple[int, str, float]:
    started = time.monotonic()
    process = _load(data_dir, target)
    out, _ = process.communicate(timeout=1800)
    return process.returncode, out, time.monotonic() - started


# ------------------------------------------------------------------ published contents


def _tables(con, schema: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? ORDER BY 1", [schema]
        ).fetchall()
    ]


def _marts_equal(path: Path, reference: Path) -> tuple[bool, list[str]]:
    """Every marts table of `reference` is in `path` with the same rows (EXCEPT ALL both
    ways, floating-point columns rounded), and no other; returns (equal, tables that
    differ)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{path}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{reference}' AS r (READ_ONLY)")
        names = {
            db: {
                t[0]
                for t in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
                    "AND schema_name = 'marts'",
                    [db],
                ).fetchall()
            }
            for db in ("a", "r")
        }
        differ = sorted(names["a"] ^ names["r"])
        for table in sorted(names["a"] & names["r"]):
            columns = ", ".join(
                f"round({ident(c)}, {FLOAT_DECIMALS})" if t in ("DOUBLE", "FLOAT") else ident(c)
                for c, t in con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
                    "'r' AND schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                    [table],
                ).fetchall()
            )
            for left, right in (("a", "r"), ("r", "a")):
                extra = con.execute(
                    f"SELECT count(*) FROM (SELECT {columns} FROM {left}.marts.{table} "
                    f"EXCEPT ALL SELECT {columns} FROM {right}.marts.{table})"
                ).fetchone()[0]
                if extra:
                    differ.append(table)
                    break
        return not differ, differ
    finally:
        con.close()


def _build_state_rows(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM audit.build_state").fetchone()[0]
    finally:
        con.close()


def _reconciliation(path: Path) -> tuple[int, tuple[int, int, int, int]]:
    """(rows breaking read = loaded + quarantined + duplicates, totals)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        broken = con.execute(
            "SELECT count(*) FROM audit.load_reconciliation "
            "WHERE rows_read <> rows_loaded + rows_quarantined + rows_duplicate"
        ).fetchone()[0]
        totals = con.execute(
            "SELECT sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
            "sum(rows_duplicate) FROM audit.load_reconciliation"
        ).fetchone()
        return broken, tuple(int(v or 0) for v in totals)
    finally:
        con.close()


def _published_state(path: Path, old: Path | None, new: Path) -> str:
    """'old', 'new', 'absent' or what is wrong."""
    if not path.exists():
        return "absent" if old is None else "BAD: absent, the old build is lost"
    for name, build in (("old", old), ("new", new)):
        if build is None:
            continue
        equal, _ = _marts_equal(path, build)
        if equal:
            if _build_state_rows(path) != _build_state_rows(build):
                return f"BAD: marts of the {name} build, not its build_state"
            return name
    return "BAD: neither the old nor the new build"


# ----------------------------------------------------------------------- Dagster runs


def _runs(data_dir: Path) -> dict[str, str]:
    """run id -> status, read straight from the run storage (SQLite)."""
    import sqlite3

    db = data_dir / "dagster_home" / "history" / "runs.db"
    if not db.exists():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    finally:
        con.close()


def _alerts_for(data_dir: Path, run_id: str) -> int:
    path = data_dir / "alerts" / "alerts.jsonl"
    if not path.exists():
        return 0
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("run_id") == run_id:
                count += 1
        except ValueError:
            continue
    return count


def _lock_free(data_dir: Path) -> bool:
    lock = data_dir / "warehouse" / ".writer.lock"
    if not lock.exists():
        return True
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


def _temporaries(data_dir: Path) -> list[str]:
    folder = data_dir / "published"
    return sorted(p.name for p in folder.glob(".*.tmp*")) if folder.is_dir() else []


# ---------------------------------------------------------------------------- readers


class Readers:
    """Threads querying the published file read-only until stopped."""

    def __init__(self, path: Path, tables: list[str], threads: int = 2) -> None:
        self.path, self.tables = path, tables
        self.queries = self.errors = self.absent = 0
        self.messages: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(threads)]

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _loop(self) -> None:
        union = " UNION ALL ".join(f"SELECT count(*) FROM marts.{t}" for t in self.tables)
        while not self._stop.is_set():
            if not self.path.exists():
                with self._lock:
                    self.absent += 1
                time.sleep(0.05)
                continue
            try:
                con = duckdb.connect(str(self.path), read_only=True)
                try:
                    con.execute(union).fetchall()
                    con.execute("SELECT count(*) FROM audit.build_state").fetchall()
                finally:
                    con.close()
                with self._lock:
                    self.queries += 1
            except Exception as error:  # every failure of a reader is a finding
                with self._lock:
                    self.errors += 1
                    if len(self.messages) < 5:
                        self.messages.append(f"{type(error).__name__}: {error}"[:300])
            time.sleep(0.02)


class NoReaders:
    queries = errors = absent = 0
    messages: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


# ------------------------------------------------------------------------------ suite


def _copy_days(source: Path, target: Path, days: list[str]) -> None:
    for src in SOURCES:
        for day in days:
            folder = source / "landing" / src / day
            if folder.is_dir():
                shutil.copytree(folder, target / "landing" / src / day, dirs_exist_ok=True)


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def prepare(work: Path, days: int, scale: float, seed: int, base_days: int) -> dict:
    source = _fresh(work / "source")
    subprocess.run(
        [*CLI, "generate", "--start", START, "--days", str(days), "--scale", str(scale)]
        + ["--seed", str(seed)],
        cwd=ROOT,
        env=_env(source, work / "dbt_target_source"),
        check=True,
        capture_output=True,
    )
    all_days = sorted({d.name for s in SOURCES for d in (source / "landing" / s).iterdir()})
    base = _fresh(work / "base")
    base_seconds = None
    if base_days:
        _copy_days(source, base, all_days[:base_days])
        code, out, base_seconds = _load_to_end(base, work / "dbt_target_base")
        if code:
            raise SystemExit(f"the base load failed:\n{out[-3000:]}")
    reference = work / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    shutil.copytree(base, reference)
    _copy_days(source, reference, all_days)
    code, out, reference_seconds = _load_to_end(reference, work / "dbt_target_reference")
    if code:
        raise SystemExit(f"the reference load failed:\n{out[-3000:]}")
    published = reference / "published" / "cx.duckdb"
    con = duckdb.connect(str(published), read_only=True)
    tables = _tables(con, "marts")
    con.close()
    return {
        "source": source,
        "base": base,
        "days": all_days,
        "old": base / "published" / "cx.duckdb" if base_days else None,
        "new": published,
        "tables": tables,
        "reconciliation": _reconciliation(published)[1],
        "base_seconds": base_seconds,
        "reference_seconds": reference_seconds,
    }


def trial(work: Path, ref: dict, delay: float, readers: bool) -> dict:
    data_dir = work / "trial"
    target = work / "dbt_target_trial"  # one path, one dbt parse cache for every trial
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(ref["base"], data_dir)
    _copy_days(ref["source"], data_dir, ref["days"])
    before = set(_runs(data_dir))
    published = data_dir / "published" / "cx.duckdb"
    result: dict = {"delay_s": round(delay, 1), "failures": []}
    reader_ctx = Readers(published, ref["tables"]) if readers else NoReaders()
    with reader_ctx as watched:
        process = _load(data_dir, target)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        result["finished_before_kill"] = process.poll() is not None
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        killed = sorted(set(_runs(data_dir)) - before)
        result["killed_run"] = killed[0] if killed else None
        result["killed_status"] = _runs(data_dir).get(killed[0]) if killed else None
        result["step_at_kill"] = _last_step(data_dir, killed[0]) if killed else None
        result["tmp_after_kill"] = len(_temporaries(data_dir))
        state = _published_state(published, ref["old"], ref["new"])
        result["published_after_kill"] = state
        if state.startswith("BAD"):
            result["failures"].append(state)

        code, out, seconds = _load_to_end(data_dir, target)
    result["rerun_s"] = round(seconds, 1)
    result["reader_queries"], result["reader_errors"] = watched.queries, watched.errors
    result["reader_messages"] = list(watched.messages)
    if watched.errors:
        result["failures"].append(f"{watched.errors} reader errors: {watched.messages[:2]}")
    if code:
        result["failures"].append(f"re-run exited {code}: {out[-1500:]}")
    equal, differ = (
        _marts_equal(published, ref["new"]) if published.exists() else (False, ["(absent)"])
    )
    result["marts_equal"] = equal
    if not equal:
        result["failures"].append(f"marts differ from the reference: {differ}")
    if published.exists():
        broken, totals = _reconciliation(published)
        result["reconciliation"] = not broken and totals == tuple(ref["reconciliation"])
        if not result["reconciliation"]:
            result["failures"].append(f"reconciliation: {broken} rows broken, totals {totals}")
    leftovers = _temporaries(data_dir)
    result["tmp_left"] = len(leftovers)
    if leftovers:
        result["failures"].append(f"temporary files left: {leftovers}")
    if not _lock_free(data_dir):
        result["failures"].append("the writer lock is still held")
    unfinished = [r for r, s in _runs(data_dir).items() if s in UNFINISHED]
    if unfinished:
        result["failures"].append(f"runs left unfinished: {unfinished}")
    run_id = result["killed_run"]
    if run_id and not result["finished_before_kill"]:
        status, alerts = _runs(data_dir).get(run_id), _alerts_for(data_dir, run_id)
        result["killed_run_final"], result["killed_run_alerts"] = status, alerts
        if status != "FAILURE" or alerts != 1:
            result["failures"].append(f"killed run {run_id}: {status}, {alerts} alerts")
    result["survived"] = not result["failures"]
    return result


def _last_step(data_dir: Path, run_id: str) -> str | None:
    """The last step event of the run: where the kill landed."""
    import sqlite3

    db = data_dir / "dagster_home" / "history" / "runs" / f"{run_id}.db"
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        row = con.execute(
            "SELECT step_key, dagster_event_type FROM event_logs WHERE step_key IS NOT NULL "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return f"{row[0]} ({row[1]})" if row else "before the first step"


def run(
    trials: int, seed: int, work: Path, readers: bool, days: int, scale: float, base_days: int
) -> dict:
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    ref = prepare(work, days, scale, seed, base_days)
    results = []
    for number in range(1, trials + 1):
        delay = rng.uniform(0.5, ref["reference_seconds"])
        outcome = trial(work, ref, delay, readers)
        outcome["trial"] = number
        results.append(outcome)
        print(_row(outcome), flush=True)
    summary = {
        "trials": trials,
        "survived": sum(r["survived"] for r in results),
        "killed_mid_run": sum(not r["finished_before_kill"] for r in results),
        "published_old": sum(r["published_after_kill"] == "old" for r in results),
        "published_new": sum(r["published_after_kill"] == "new" for r in results),
        "published_absent": sum(r["published_after_kill"] == "absent" for r in results),
        "tmp_files_after_kill": sum(r["tmp_after_kill"] for r in results),
        "reader_queries": sum(r["reader_queries"] for r in results),
        "reader_errors": sum(r["reader_errors"] for r in results),
        "base_load_s": ref["base_seconds"] and round(ref["base_seconds"], 1),
        "reference_load_s": round(ref["reference_seconds"], 1),
        "total_s": round(time.monotonic() - started, 1),
        "seed": seed,
        "days": days,
        "scale": scale,
        "base_days": base_days,
        "machine": f"{os.cpu_count()} cores, {platform.python_version()}, {platform.system()}",
    }
    report = {"summary": summary, "trials": results}
    (work / "faults.json").write_text(json.dumps(report, indent=2, default=str))
    return report


HEADER = (
    "| trial | kill after | step at kill | published after kill | tmp after kill | killed run "
    "| re-run | marts = reference | reconciliation | tmp left | reader queries / errors "
    "| survived |\n|" + "---|" * 12
)


def _row(r: dict) -> str:
    killed = (
        "finished first"
        if r["finished_before_kill"]
        else (
            f"{r.get('killed_status')} → {r.get('killed_run_final')}, "
            f"{r.get('killed_run_alerts')} alert"
            if r.get("killed_run")
            else "not yet recorded"
        )
    )
    cells = [
        r["trial"],
        f"{r['delay_s']} s",
        r["step_at_kill"] or "-",
        r["published_after_kill"],
        r["tmp_after_kill"],
        killed,
        f"{r['rerun_s']} s",
        "yes" if r["marts_equal"] else "NO",
        "holds" if r.get("reconciliation") else "NO",
        r["tmp_left"],
        f"{r['reader_queries']} / {r['reader_errors']}",
        "yes" if r["survived"] else "NO: " + "; ".join(r["failures"])[:300],
    ]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/cx-faults"))
    parser.add_argument("--readers", action="store_true", help="read-only queries during loads")
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--base-days", type=int, default=1, help="days published before")
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    report = run(
        args.trials,
        args.seed,
        args.data_dir.resolve(),
        args.readers,
        args.days,
        args.scale,
        args.base_days,
    )
    print()
    print("| " + " | ".join(report["summary"]) + " |")
    print("|" + "---|" * len(report["summary"]))
    print("| " + " | ".join(str(v) for v in report["summary"].values()) + " |")
    ok = report["summary"]["survived"] == report["summary"]["trials"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
