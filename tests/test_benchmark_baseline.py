"""The benchmark baseline (benchmarks/baseline.sql) gives the published daily KPIs exactly.

The baseline computes five daily KPIs straight from the landing files in one DuckDB script;
the pipeline's timings are compared with it, which is only fair if it computes the same
numbers. Here it runs over the landing files of the `loaded_demo` data dir and must equal
`marts.mart_cx_kpis` (grain day, slice all) value for value and n for n.
"""

from __future__ import annotations

import importlib.util
import re
import time
from datetime import date

from conftest import ROOT


def _baseline_module():
    path = ROOT / "benchmarks" / "baseline.py"
    spec = importlib.util.spec_from_file_location("cx_benchmark_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_baseline_equals_the_published_daily_kpis(loaded_demo, capsys):
    baseline = _baseline_module()
    started = time.perf_counter()
    seconds, rows = baseline.run_baseline(loaded_demo, threads=2)
    # The timing is the script's own, inside the call: never zero, never more than it took.
    assert 0 < seconds <= time.perf_counter() - started
    assert rows == sorted(rows) and len({(k, d) for k, d, _, _ in rows}) == len(rows)
    assert baseline.compare_with_marts(loaded_demo / "published" / "cx.duckdb", rows) == []

    days = {date.fromisoformat(p.name) for p in (loaded_demo / "landing" / "surveys").iterdir()}
    by_kpi = {kpi: {day for k, day, _, _ in rows if k == kpi} for kpi in baseline.KPIS}
    for kpi, kpi_days in by_kpi.items():
        if kpi == "csat_top2_share":
            # CSAT comes from post-ticket surveys, sent after a solve: none on the first day.
            assert kpi_days >= days - {min(days)}, kpi
        else:
            assert kpi_days == days, kpi
    assert all(n > 0 for _, _, _, n in rows)

    # What the command prints is the record of the timing: seconds, every row, no mismatch.
    assert baseline.main(["--data-dir", str(loaded_demo), "--threads", "2"]) == 0
    out = capsys.readouterr().out
    record = re.search(
        r"baseline: (\d+\.\d{3}) s, (\d+) rows \((\d+) KPIs, daily, slice all\)", out
    )
    assert record, out
    assert float(record.group(1)) > 0 and int(record.group(2)) == len(rows), out
    assert int(record.group(3)) == len(baseline.KPIS) == len(by_kpi), out
    assert f"mismatches against {loaded_demo / 'published' / 'cx.duckdb'}: 0" in out, out
    assert "MISMATCH" not in out


def test_compare_with_marts_reports_every_kind_of_difference(loaded_demo):
    baseline = _baseline_module()
    _, rows = baseline.run_baseline(loaded_demo)
    published = loaded_demo / "published" / "cx.duckdb"
    (kpi, day, value, n), second, *rest = rows
    changed = [(kpi, day, value * 1.01 + 1, n + 1), *rest]
    problems = baseline.compare_with_marts(published, changed)
    assert any("value" in p and str(day) in p for p in problems)
    assert any(f"n {n + 1} != mart {n}" in p for p in problems)
    assert any("only in the mart" in p and str(second[1]) in p for p in problems)
    extra = [*rows, ("nps", date(1999, 1, 1), 0.0, 1)]
    assert baseline.compare_with_marts(published, extra) == [
        "nps 1999-01-01: only in the baseline (0.0, 1)"
    ]
