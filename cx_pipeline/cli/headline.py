"""A few headline KPIs of the last full week, read from the published marts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

# (kpi, label, format of its value)
HEADLINE_KPIS = (
    ("nps", "NPS", "{:+.1f}"),
    ("csat_top2_share", "CSAT top-2 share", "{:.1%}"),
    ("first_reply_minutes_median", "first reply, median", "{:.0f} min"),
    ("sla_first_reply_attainment", "first-reply SLA attainment", "{:.1%}"),
    ("rating_mean", "review rating (1-5)", "{:.2f}"),
)


def headline_week(last_day: date, first_day: date) -> tuple[date, bool]:
    """The Monday of the last ISO week that ends by `last_day`, and whether the data covers
    all of it; a load shorter than a week gets its latest (partial) week instead."""
    monday = last_day - timedelta(days=last_day.weekday())
    if last_day.weekday() != 6:
        monday -= timedelta(days=7)
    if monday >= first_day:
        return monday, True
    return last_day - timedelta(days=last_day.weekday()), False


def headline_lines(published: Path) -> list[str]:
    if not published.is_file():
        return [f"no published marts at {published}: nothing to summarize"]
    con = duckdb.connect(str(published), read_only=True)
    try:
        first, last = con.execute(
            "SELECT min(period_start), max(period_start) FROM marts.mart_cx_kpis "
            "WHERE grain = 'day'"
        ).fetchone()
        if last is None:
            return ["the published marts hold no KPI rows yet"]
        monday, full = headline_week(last, first)
        values = {
            kpi: (value, n)
            for kpi, value, n in con.execute(
                "SELECT kpi, value, n FROM marts.mart_cx_kpis WHERE grain = 'week' "
                "AND slice_name = 'all' AND period_start = ?",
                [monday],
            ).fetchall()
        }
    finally:
        con.close()
    sunday = monday + timedelta(days=6)
    title = "last full week" if full else f"latest week (partial: data until {last})"
    lines = [f"Headline KPIs, {title} {monday}..{sunday}:"]
    for kpi, label, fmt in HEADLINE_KPIS:
        value, n = values.get(kpi, (None, 0))
        shown = fmt.format(value) if value is not None else "no data"
        lines.append(f"  {label:<28} {shown:>10}   (n {n or 0})")
    return lines
