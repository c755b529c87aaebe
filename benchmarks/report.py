"""Time `cx-pipeline report` on a loaded data directory, and the size of its page.

    .venv/bin/python benchmarks/report.py --data-dir DIR            # already loaded
    .venv/bin/python benchmarks/report.py --work DIR --days 365 --scale 1   # generate, load

For each grain (week, month), a fresh `cx-pipeline report` process, timed from start to
exit: once with no cached JavaScript bundle (the first report of a data directory) and
once with it (every later one; each publish leaves it cached). The report reads only the
published marts, so its time follows their size, not the raw data's.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

CLI = [sys.executable, "-m", "cx_pipeline.cli"]


def _run(*args: str, env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    environment = {**os.environ, **(env or {})}
    subprocess.run([*CLI, *args], check=True, capture_output=True, text=True, env=environment)
    return time.monotonic() - started


def prepare(work: Path, days: int, scale: float) -> Path:
    data_dir = work / f"scale{scale:g}-days{days}"
    if not (data_dir / "published" / "cx.duckdb").exists():
        shutil.rmtree(data_dir, ignore_errors=True)
        start = date(2025, 1, 1).isoformat()
        _run("generate", "--data-dir", str(data_dir), "--start", start, "--days", str(days),
             "--scale", str(scale), "--seed", "7")  # fmt: skip
        seconds = _run("load", "--data-dir", str(data_dir), "--all", "--quiet")
        print(f"loaded {days} days at scale {scale:g} in {seconds:.0f} s", file=sys.stderr)
    return data_dir


def measure(data_dir: Path) -> list[dict]:
    rows = []
    published = data_dir / "published" / "cx.duckdb"
    for grain in ("week", "month"):
        out = data_dir / f"bench-report-{grain}.html"
        report = ("report", "--data-dir", str(data_dir), "--grain", grain, "--out", str(out))
        with tempfile.TemporaryDirectory() as cache:  # an empty cache: the bundle is built
            cold = _run(*report, env={"XDG_CACHE_HOME": cache})
            warm = _run(*report, env={"XDG_CACHE_HOME": cache})
        rows.append(
            {
                "grain": grain,
                "cold_s": cold,
                "warm_s": warm,
                "html_mb": out.stat().st_size / 1e6,
                "published_mb": published.stat().st_size / 1e6,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cx-report-bench"))
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    data_dir = args.data_dir or prepare(args.work, args.days, args.scale)
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, {data_dir}")
    print("| grain | first report (s) | later reports (s) | HTML (MB) | published file (MB) |")
    print("|---|---|---|---|---|")
    for r in measure(data_dir):
        print(
            f"| {r['grain']} | {r['cold_s']:.1f} | {r['warm_s']:.1f} | {r['html_mb']:.2f} "
            f"| {r['published_mb']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
