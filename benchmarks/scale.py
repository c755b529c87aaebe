"""Full and incremental builds through Dagster at scale, against a bare-DuckDB baseline.

    .venv/bin/python benchmarks/scale.py [--scales 1 10] [--days 365] [--work DIR]

For each scale: generate `days + 1` days of demo exports (cached in the work folder), hold
the last day back, then measure, each as a fresh `cx-pipeline load` process:

1. full build of the `days` days (ingest, checks, dbt, publish) in one run;
2. the baseline (benchmarks/baseline.sql in plain DuckDB) over the same landing files,
   and the equality of its daily KPIs with the published marts;
3. the held-back day lands; an incremental build of that one day; baseline and equality
   again, now over `days + 1` days;
4. a run on a day with no export at all (the fixed cost of a run);
5. the same calendar day as an incremental build after only 30 days of history (a data set
   starting 30 days before it), to see whether its cost follows the day or the history.

Each measurement records wall time, the step times Dagster reports, the peak of the summed
resident memory of the whole process tree (polled every 0.2 s; dbt runs in a child
process), and rows read per second. Results go to `<work>/results.json` and are printed
as the Markdown tables of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
CLI = [sys.executable, "-m", "cx_pipeline.cli"]
SOURCES = ("surveys", "tickets", "reviews")
START = date(2025, 1, 1)
SEED = 7


# ---------------------------------------------------------------- process-tree memory


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return kids


def _tree_rss_bytes(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
        stack += _children(pid)
    return total


def run_measured(cmd: list[str], env: dict, log: Path) -> dict:
    """Run `cmd`, polling the summed RSS of its process tree; wall time and peak."""
    peak = [0]
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_bytes(proc.pid))
                done.wait(0.2)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        code = proc.wait()
        done.set()
        poller.join()
    return {
        "exit_code": code,
        "wall_s": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(peak[0] / 2**20, 1),
        "log": str(log),
    }


# ---------------------------------------------------------------- the pipeline's own report

_LOADED = re.compile(
    r"^\s+raw/(\w+): read (\d+), loaded (\d+), quarantined (\d+), duplicates (\d+)"
)


def parse_load_output(text: str) -> dict:
    rows, steps, checks = {}, {}, {}
    for line in text.splitlines():
        if m := _LOADED.match(line):
            rows[m.group(1)] = dict(
                zip(
                    ("read", "loaded", "quarantined", "duplicates"),
                    map(int, m.groups()[1:]),
                    strict=True,
                )
            )
        elif line.startswith("step seconds: "):
            for part in line[len("step seconds: ") :].split(", "):
                key, _, value = part.rpartition(" ")
                steps[key] = float(value)
        elif m := re.match(r"^checks: (\d+) passed, (\d+) failed", line):
            checks = {"passed": int(m.group(1)), "failed": int(m.group(2))}
    stages = {"ingest": 0.0, "checks": 0.0, "dbt": 0.0, "publish": 0.0}
    for key, seconds in steps.items():
        if key.endswith("_expectations") or key.startswith("load_checks"):
            stages["checks"] += seconds
        elif key.startswith("raw_"):
            stages["ingest"] += seconds
        elif key.startswith("cx_dbt_models"):
            stages["dbt"] += seconds
        elif "publish" in key:
            stages["publish"] += seconds
        else:
            stages["checks"] += seconds
    return {
        "rows": rows,
        "steps": steps,
        "stages": {k: round(v, 2) for k, v in stages.items()},
        "checks": checks,
    }


def load(data_dir: Path, first: date, last: date, env: dict, name: str) -> dict:
    args = ["load", "--data-dir", str(data_dir)]
    args += (
        ["--date", first.isoformat()]
        if first == last
        else ["--start", first.isoformat(), "--end", last.isoformat()]
    )
    result = run_measured(CLI + args, env, data_dir / f"bench-{name}.log")
    result.update(parse_load_output(Path(result["log"]).read_text(encoding="utf-8")))
    read = sum(r["read"] for r in result["rows"].values())
    result["rows_read"] = read
    result["rows_per_s"] = round(read / result["wall_s"]) if result["wall_s"] else 0
    accounted = sum(result["stages"].values())
    result["stages"]["outside_steps"] = round(result["wall_s"] - accounted, 2)
    print(
        f"  {name}: {result['wall_s']} s, peak {result['peak_rss_mib']} MiB, exit "
        f"{result['exit_code']}, stages {result['stages']}",
        flush=True,
    )
    if result["exit_code"] != 0:
        raise SystemExit(f"{name} failed; see {result['log']}")
    return result


# ---------------------------------------------------------------- data sets


def generate(data_dir: Path, days: int, scale: float, env: dict, start: date = START) -> dict:
    """`days` days of exports in landing/; one more day held back in incoming/."""
    marker = data_dir / "generated.json"
    wanted = {"start": start.isoformat(), "days": days, "scale": scale, "seed": SEED}
    if marker.exists() and json.loads(marker.read_text())["params"] == wanted:
        return json.loads(marker.read_text())
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    args = ["generate", "--data-dir", str(data_dir), "--start", start.isoformat()]
    args += ["--days", str(days + 1), "--scale", str(scale), "--seed", str(SEED)]
    result = run_measured(CLI + args, env, data_dir / "bench-generate.log")
    if result["exit_code"]:
        raise SystemExit(f"generate failed; see {result['log']}")
    new_day = (start + timedelta(days=days)).isoformat()
    for source in SOURCES:
        held = data_dir / "incoming" / source
        held.mkdir(parents=True)
        shutil.move(data_dir / "landing" / source / new_day, held / new_day)
    files = list((data_dir / "landing").rglob("*.*")) + list((data_dir / "incoming").rglob("*.*"))
    info = {
        "params": wanted,
        "generate_s": result["wall_s"],
        "files": len(files),
        "landing_mib": round(sum(p.stat().st_size for p in files) / 2**20, 1),
    }
    marker.write_text(json.dumps(info))
    return info


def land_held_back_day(data_dir: Path) -> None:
    for source in SOURCES:
        for folder in (data_dir / "incoming" / source).iterdir():
            shutil.move(folder, data_dir / "landing" / source / folder.name)


def hold_back_again(data_dir: Path, day: date) -> None:
    for source in SOURCES:
        folder = data_dir / "landing" / source / day.isoformat()
        if folder.exists():
            shutil.move(folder, data_dir / "incoming" / source / folder.name)


def reset_warehouse(data_dir: Path) -> None:
    for name in ("warehouse", "published", "dagster_home", "alerts", "logs"):
        shutil.rmtree(data_dir / name, ignore_errors=True)


# ---------------------------------------------------------------- baseline


def baseline(data_dir: Path, name: str) -> dict:
    from baseline import compare_with_marts, run_baseline

    seconds, rows = run_baseline(data_dir)
    mismatches = compare_with_marts(data_dir / "published" / "cx.duckdb", rows)
    print(
        f"  baseline {name}: {seconds:.2f} s, {len(rows)} values, "
        f"{len(mismatches)} mismatches with the marts",
        flush=True,
    )
    if mismatches:
        raise SystemExit("baseline and marts differ:\n  " + "\n  ".join(mismatches[:20]))
    return {"wall_s": round(seconds, 2), "values": len(rows), "mismatches": 0}


def baseline_measured(data_dir: Path, env: dict, name: str) -> dict:
    """The baseline in a fresh process too, for its wall time and memory."""
    code = (
        "import sys; sys.path.insert(0, 'benchmarks'); from pathlib import Path; "
        "from baseline import run_baseline; "
        f"s, rows = run_baseline(Path({str(data_dir)!r})); print('baseline_s', s)"
    )
    result = run_measured([sys.executable, "-c", code], env, data_dir / f"bench-{name}.log")
    text = Path(result["log"]).read_text()
    result["sql_s"] = float(re.search(r"baseline_s ([\d.]+)", text).group(1))
    result.update(baseline(data_dir, name))
    return result


# ---------------------------------------------------------------- one scale


def bench_scale(work: Path, scale: float, days: int, short_days: int, env: dict) -> dict:
    print(f"scale {scale}, {days} days", flush=True)
    out: dict = {"scale": scale, "days": days}
    data = work / f"s{scale:g}-d{days}"
    # dbt's target folder (and its partial-parse state) per data directory, as a deployment
    # would have it; one shared folder would re-parse whenever the profile's path changes.
    env = {**env, "CX_DBT_TARGET_PATH": str(work / f"dbt_target-{data.name}")}
    out["generate"] = generate(data, days, scale, env)
    hold_back_again(data, START + timedelta(days=days))
    reset_warehouse(data)
    last = START + timedelta(days=days - 1)
    new_day = last + timedelta(days=1)
    out["full"] = load(data, START, last, env, "full")
    out["baseline_full"] = baseline_measured(data, env, "baseline-full")
    land_held_back_day(data)
    out["incremental"] = load(data, new_day, new_day, env, "incremental")
    out["baseline_after_incremental"] = baseline(data, "after-incremental")
    # A day whose folders came but hold no file (a day without any folder is refused).
    empty_day = new_day + timedelta(days=1)
    for source in SOURCES:
        (data / "landing" / source / empty_day.isoformat()).mkdir(parents=True, exist_ok=True)
    out["empty_partition"] = load(data, empty_day, empty_day, env, "empty")
    if short_days:
        # The same calendar day after only `short_days` days of history: a data set that
        # starts later, so that both incremental runs load the same date (same weekday,
        # holidays and seasonality), and only the history before it differs.
        short = work / f"s{scale:g}-d{short_days}"
        env = {**env, "CX_DBT_TARGET_PATH": str(work / f"dbt_target-{short.name}")}
        short_start = START + timedelta(days=days - short_days)
        out["short_generate"] = generate(short, short_days, scale, env, short_start)
        hold_back_again(short, new_day)
        reset_warehouse(short)
        out["short_full"] = load(short, short_start, last, env, "full")
        land_held_back_day(short)
        out["short_incremental"] = load(short, new_day, new_day, env, "incremental")
    full, base = out["full"]["wall_s"], out["baseline_full"]["wall_s"]
    inc = out["incremental"]["wall_s"]
    out["ratios"] = {
        "full_to_baseline": round(full / base, 2),
        "incremental_to_full": round(inc / full, 4),
        "incremental_long_to_short_history": (
            round(inc / out["short_incremental"]["wall_s"], 2) if short_days else None
        ),
    }
    print(f"  ratios {out['ratios']}", flush=True)
    return out


def machine() -> dict:
    import duckdb

    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem) / 2**20, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
    }


def markdown(results: list[dict]) -> str:
    lines = [
        "| scale × days | landing | full build | baseline | full ÷ baseline | incremental day "
        "| incr. ÷ full | incr. after 30 days | 365 ÷ 30 | empty day | peak RSS (full / incr.) "
        "| rows/s (full) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        short = r.get("short_incremental", {}).get("wall_s", "n/a")
        lines.append(
            f"| {r['scale']:g} × {r['days']} | {r['generate']['landing_mib']} MiB, "
            f"{r['full']['rows_read']:,} rows | {r['full']['wall_s']} s | "
            f"{r['baseline_full']['wall_s']} s | {r['ratios']['full_to_baseline']} | "
            f"{r['incremental']['wall_s']} s | {r['ratios']['incremental_to_full']:.1%} | "
            f"{short} s | {r['ratios']['incremental_long_to_short_history']} | "
            f"{r['empty_partition']['wall_s']} s | {r['full']['peak_rss_mib']:,} / "
            f"{r['incremental']['peak_rss_mib']:,} MiB | {r['full']['rows_per_s']:,} |"
        )
    lines += ["", "Stages (s): ingest, checks, dbt, publish, outside steps (start-up, Dagster)", ""]
    lines += ["| scale × days | run | ingest | checks | dbt | publish | outside steps |"]
    lines += ["|---|---|---|---|---|---|---|"]
    for r in results:
        for run in ("full", "incremental", "empty_partition", "short_incremental"):
            if run in r:
                s = r[run]["stages"]
                lines.append(
                    f"| {r['scale']:g} × {r['days']} | {run} | {s['ingest']} | {s['checks']} | "
                    f"{s['dbt']} | {s['publish']} | {s['outside_steps']} |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--short-days", type=int, default=30, help="0 to skip")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cx_bench_scale"))
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("CX_PII_SALT", "benchmark-salt")
    # Measured processes may write bytecode, as an installed deployment has it: with
    # PYTHONDONTWRITEBYTECODE set (as on the development machine) every process compiles
    # the modules without a .pyc again, ~10 s of start-up that is not the pipeline's.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args.work.mkdir(parents=True, exist_ok=True)
    results = [bench_scale(args.work, s, args.days, args.short_days, env) for s in args.scales]
    report = {"machine": machine(), "command": " ".join(sys.argv), "results": results}
    (args.work / "results.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report["machine"]))
    print(markdown(results))


if __name__ == "__main__":
    main()
