"""Headline tiles and KPI trends (mart_cx_kpis, and mart_benchmarks' previous-period tests)."""

from __future__ import annotations

from cx_pipeline.report.context import (
    HEADLINE,
    LABELS,
    REVIEW_KPIS,
    UNITS,
    ReportContext,
    fmt,
    fmt_change,
)

_KPI_COLUMNS = (
    "kpi, period_start, value, n, ci_low, ci_high, low_sample, days_observed, period_days, "
    "is_complete_period, is_mature"
)


def _slice_of(ctx: ReportContext, kpi: str) -> tuple[str, str]:
    if kpi in REVIEW_KPIS and not ctx.is_own:
        return "brand", ctx.brand
    return "all", "all"


def flag(low_sample, complete, mature, days=None, period_days=None) -> str:
    """The one mark a period's point or tile carries, the strongest first."""
    if complete is False:
        shown = f" ({days} of {period_days} days)" if days is not None else ""
        return f"incomplete period{shown}"
    if mature is False:
        return "immature: tickets still open"
    if low_sample:
        return "low sample"
    return "complete"


def tiles(ctx: ReportContext) -> list[dict]:
    con, result = ctx.con, []
    for kpi, label, unit in HEADLINE:
        slice_name, slice_value = _slice_of(ctx, kpi)
        row = con.execute(
            f"SELECT {_KPI_COLUMNS} FROM marts.mart_cx_kpis WHERE grain = ? AND kpi = ? "
            "AND slice_name = ? AND slice_value = ? AND period_start = ?",
            [ctx.grain, kpi, slice_name, slice_value, ctx.period],
        ).fetchone()
        previous = con.execute(
            "SELECT period_start, value FROM marts.mart_cx_kpis WHERE grain = ? AND kpi = ? "
            "AND slice_name = ? AND slice_value = ? AND period_start < ? "
            "ORDER BY period_start DESC LIMIT 1",
            [ctx.grain, kpi, slice_name, slice_value, ctx.period],
        ).fetchone()
        test = None
        if slice_name == "all":
            test = con.execute(
                "SELECT difference, p_value, q_value, is_significant, no_test_reason, "
                "higher_is_better FROM marts.mart_benchmarks WHERE comparison = "
                "'previous_period' AND grain = ? AND kpi = ? AND period_start = ?",
                [ctx.grain, kpi, ctx.period],
            ).fetchone()
        tile = {"kpi": kpi, "label": label, "unit": unit, "slice": slice_value}
        if row is None:
            tile.update(value=None, shown="no data", n=0, flag="no data", ci="")
            result.append(tile)
            continue
        _, _, value, n, lo, hi, low, days, period_days, complete, mature = row
        tile.update(
            value=value,
            shown=fmt(value, unit),
            n=int(n or 0),
            ci=f"95% CI {fmt(lo, unit)} to {fmt(hi, unit)}" if lo is not None else "",
            flag=flag(low, complete, mature, days, period_days),
        )
        tile.update(_change(value, previous, test, unit))
        result.append(tile)
    return result


def _change(value, previous, test, unit: str) -> dict:
    if previous is None or previous[1] is None or value is None:
        return {"change": "no previous period", "significance": "", "direction": "none"}
    difference = value - previous[1]
    change = f"{fmt_change(difference, unit)} vs {previous[0]}"
    if test is None:
        return {"change": change, "significance": "not tested", "direction": "none"}
    _, p_value, q_value, significant, reason, higher_is_better = test
    if significant is None:
        return {"change": change, "significance": f"not tested: {reason}", "direction": "none"}
    better = (difference > 0) == bool(higher_is_better) if higher_is_better is not None else None
    direction = "none" if not significant else ("better" if better else "worse")
    words = "significant" if significant else "not significant"
    return {
        "change": change,
        "significance": f"{words} (q = {q_value:.3g})",
        "direction": direction,
    }


def trend_rows(ctx: ReportContext) -> list[dict]:
    """Every headline KPI's value and interval per period and slice in the range."""
    cond, params = ctx.in_range()
    kpis = [k for k, _, _ in HEADLINE]
    rows = ctx.con.execute(
        f"SELECT kpi, period_start, slice_name, slice_value, value, n, ci_low, ci_high, "
        f"low_sample, days_observed, period_days, is_complete_period, is_mature "
        f"FROM marts.mart_cx_kpis WHERE grain = ? AND {cond} AND kpi IN "
        f"({', '.join('?' for _ in kpis)}) AND value IS NOT NULL ORDER BY kpi, slice_name, "
        f"slice_value, period_start",
        [ctx.grain, *params, *kpis],
    ).fetchall()
    out = []
    for kpi, start, sname, svalue, value, n, lo, hi, low, days, pdays, complete, mature in rows:
        unit = UNITS[kpi]
        scale = 100.0 if unit == "share" else 1.0
        out.append(
            {
                "kpi": LABELS[kpi] + (" (%)" if unit == "share" else ""),
                "order": kpis.index(kpi),
                "period": start.isoformat(),
                "slice": "all" if sname == "all" else f"{sname}: {svalue}",
                "value": value * scale,
                "ci_low": None if lo is None else lo * scale,
                "ci_high": None if hi is None else hi * scale,
                "n": int(n or 0),
                "shown": fmt(value, unit),
                "flag": flag(low, complete, mature, days, pdays),
            }
        )
    return out
