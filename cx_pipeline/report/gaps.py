"""The five service-quality gaps of the report's period (mart_service_gaps)."""

from __future__ import annotations

from cx_pipeline.report.context import ReportContext, fmt

_UNITS = {"points_1_7": "score", "share": "share", "hours": "hours", "minutes": "minutes"}
# Gap 5's measures, in plain words.
GAP5_MEASURES = {
    "servqual_perception": "perception - expectation",
    "servqual_adequacy": "perception - adequate level (MSA)",
    "servqual_superiority": "perception - desired level (MSS)",
    "servqual_weighted": "importance-weighted",
}


def _rows(ctx: ReportContext, where: str) -> list[tuple]:
    return ctx.con.execute(
        "SELECT gap_number, gap_name, dimension, segment, measure, measured_as, reference_as, "
        "measured_value, reference_value, gap, unit, n, gap_ci_low, gap_ci_high, low_sample, "
        "is_complete_period FROM marts.mart_service_gaps WHERE grain = ? AND period_start = ? "
        f"AND {where} ORDER BY gap_number, dimension, segment, measure",
        [ctx.grain, ctx.period],
    ).fetchall()


def gap5_rows(ctx: ReportContext) -> list[dict]:
    out = []
    for row in _rows(ctx, "gap_number = 5"):
        _, _, dim, segment, measure, _, _, measured, ref, gap, unit, n, lo, hi, low, full = row
        out.append(
            {
                "dimension": "all (weighted)" if dim == "all" else dim,
                "segment": segment,
                "measure": GAP5_MEASURES.get(measure, measure),
                "gap": gap,
                "ci_low": lo,
                "ci_high": hi,
                "measured": measured,
                "reference": ref,
                "n": int(n or 0),
                "flag": "incomplete period"
                if full is False
                else ("low sample" if low else "complete"),
            }
        )
    return out


def gaps_1_to_4(ctx: ReportContext) -> dict:
    columns = ["gap", "dimension", "measured", "value", "reference", "reference value"]
    columns += ["difference", "n", "mark"]
    rows = []
    for row in _rows(ctx, "gap_number BETWEEN 1 AND 4 AND segment = 'all'"):
        number, name, dim, _, _, m_as, r_as, measured, ref, gap, unit, n, _, _, low, full = row
        shown = _UNITS.get(unit, unit)
        rows.append(
            [
                f"{number} {name}",
                dim,
                m_as,
                fmt(measured, shown),
                r_as,
                fmt(ref, shown),
                fmt(gap, shown) if shown != "share" else f"{gap * 100:+.1f} pp",
                f"{int(n or 0):,}",
                "incomplete period" if full is False else ("low sample" if low else ""),
            ]
        )
    return {"columns": columns, "rows": rows}
