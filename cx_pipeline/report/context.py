"""What every view of one report shares: the connection, the options, the own and focus
brand, and the period the headline and the snapshot views show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cx_pipeline.report.options import ReportOptions

# The headline KPIs, in the order of the tiles: (kpi, label, unit).
HEADLINE = (
    ("nps", "NPS", "points"),
    ("csat_top2_share", "CSAT top-2 share", "share"),
    ("ces_mean", "Customer effort (CES, 1-7)", "score"),
    ("one_touch_rate", "One-touch resolution", "share"),
    ("first_reply_minutes_median", "First reply, median", "minutes"),
    ("sla_first_reply_attainment", "First-reply SLA met", "share"),
    ("rating_mean", "Average review rating (1-5)", "rating"),
)
LABELS = {kpi: label for kpi, label, _ in HEADLINE}
UNITS = {kpi: unit for kpi, _, unit in HEADLINE}
# KPIs measured on reviews: the only ones with a brand slice.
REVIEW_KPIS = ("rating_mean",)


def fmt(value, unit: str) -> str:
    """A value as the page shows it (tiles, tables, tooltips)."""
    if value is None or value != value:  # None or NaN
        return "no data"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "points":
        return f"{value:+.1f}"
    if unit == "minutes":
        return f"{value:,.0f} min"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit in ("score", "rating"):
        return f"{value:.2f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def fmt_change(value, unit: str) -> str:
    if value is None or value != value:
        return "no change shown"
    if unit == "share":
        return f"{value * 100:+.1f} pp"
    if unit == "minutes":
        return f"{value:+,.0f} min"
    if unit == "points":
        return f"{value:+.1f}"
    return f"{value:+.2f}"


@dataclass
class ReportContext:
    con: object
    path: Path
    options: ReportOptions
    own_brand: str
    brands: list[str]
    period: date  # the headline's period: the latest complete one in range
    period_complete: bool
    periods: list[date]  # every period start in range, oldest first

    @property
    def grain(self) -> str:
        return self.options.grain

    @property
    def brand(self) -> str:
        """The brand the brand-dependent views show: --brand, else the own brand."""
        return self.options.brand or self.own_brand

    @property
    def is_own(self) -> bool:
        return self.brand == self.own_brand

    def in_range(self, column: str = "period_start") -> tuple[str, list]:
        """A SQL condition (and its parameters) keeping the periods of the range."""
        return (
            f"{column} BETWEEN coalesce(?::DATE, DATE '0001-01-01') "
            f"AND coalesce(?::DATE, DATE '9999-12-31')",
            [self.options.start, self.options.end],
        )


def headline_period(con, options: ReportOptions) -> tuple[date, bool, list[date]]:
    """The latest period of the range whose headline KPI rows are all complete (data on
    every day), else the latest period there is, flagged incomplete."""
    cond = (
        "grain = ? AND slice_name = 'all' AND period_start BETWEEN "
        "coalesce(?::DATE, DATE '0001-01-01') AND coalesce(?::DATE, DATE '9999-12-31') "
        "AND kpi IN (" + ", ".join("?" for _ in HEADLINE) + ")"
    )
    params = [options.grain, options.start, options.end, *(k for k, _, _ in HEADLINE)]
    rows = con.execute(
        f"SELECT period_start, bool_and(is_complete_period) FROM marts.mart_cx_kpis "
        f"WHERE {cond} GROUP BY 1 ORDER BY 1",
        params,
    ).fetchall()
    periods = [p for p, _ in rows]
    complete = [p for p, ok in rows if ok]
    if complete:
        return complete[-1], True, periods
    return periods[-1], False, periods
