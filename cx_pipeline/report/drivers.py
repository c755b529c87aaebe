"""Key drivers of the report's period: importance against performance (mart_key_drivers)."""

from __future__ import annotations

from cx_pipeline.report.context import ReportContext


def driver_rows(ctx: ReportContext) -> tuple[list[dict], list[str]]:
    """Drivers with a quadrant, and the reasons of those without weights."""
    rows = ctx.con.execute(
        "SELECT segment, attribute, n, importance, importance_ci_low, importance_ci_high, "
        "performance, importance_threshold, performance_threshold, quadrant, low_sample, "
        "weights_reason FROM marts.mart_key_drivers WHERE grain = ? AND period_start = ? "
        "ORDER BY segment, attribute",
        [ctx.grain, ctx.period],
    ).fetchall()
    drivers, reasons = [], []
    for seg, attr, n, imp, lo, hi, perf, imp_t, perf_t, quadrant, low, reason in rows:
        if quadrant is None or imp is None:
            reasons.append(f"{attr} ({seg}): {reason or 'no importance'}")
            continue
        drivers.append(
            {
                "segment": seg,
                "attribute": attr,
                "n": int(n or 0),
                "importance": imp,
                "importance_ci": f"{lo:.3f} to {hi:.3f}" if lo is not None else "",
                "performance": perf,
                "importance_threshold": imp_t,
                "performance_threshold": perf_t,
                "quadrant": quadrant,
                "flag": "low sample" if low else "complete",
            }
        )
    return drivers, reasons
