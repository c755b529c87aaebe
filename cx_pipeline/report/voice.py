"""The voice of the customer: themes of the period's feedback per source
(mart_feedback_themes), the suggestions to read first (mart_suggestions) and the
expectations above the service standard (mart_expectations_above_standard)."""

from __future__ import annotations

from cx_pipeline.report.context import ReportContext, fmt
from cx_pipeline.report.kpis import flag
from cx_pipeline.report.people import HASH_SHOWN
from cx_pipeline.report.source import tables

SOURCES = {
    "survey_comment": "survey comments",
    "suggestion": "suggestions",
    "review": "reviews of the own brand",
}
SUGGESTIONS_SHOWN = 10
DETRACTOR_THEMES_SHOWN = 10


def missing(ctx: ReportContext, mart: str) -> str | None:
    """Why a view has nothing to show when its mart was never published, else None."""
    if mart in tables(ctx.con):
        return None
    return f"the published marts have no {mart} (built before it existed)"


def records(ctx: ReportContext, sql: str, params: list) -> list[dict]:
    """The rows of a query as dicts by column name."""
    cursor = ctx.con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def theme_rows(ctx: ReportContext) -> list[dict]:
    """The period's themes per source over every segment, channel and language."""
    if missing(ctx, "mart_feedback_themes"):
        return []
    rows = ctx.con.execute(
        "SELECT source, theme, mentions, feedback_items, theme_share, share_ci_low, "
        "share_ci_high, nps_n, promoters, passives, detractors, nps, nps_ci_low, nps_ci_high, "
        "rating_n, rating_mean, low_sample, days_observed, period_days, is_complete_period "
        "FROM marts.mart_feedback_themes WHERE grain = ? AND period_start = ? "
        "AND segment = 'all' AND channel = 'all' AND language = 'all' "
        "ORDER BY list_position(?, source), mentions DESC, theme",
        [ctx.grain, ctx.period, list(SOURCES)],
    ).fetchall()
    out = []
    for row in rows:
        source, theme, mentions, items, share, lo, hi, nps_n, pro, pas, det = row[:11]
        nps, nps_lo, nps_hi, rating_n, rating, low, days, pdays, complete = row[11:]
        score = (
            f"NPS {fmt(nps, 'points')} (n = {nps_n:,})"
            if nps_n
            else (f"rating {fmt(rating, 'rating')} (n = {rating_n:,})" if rating_n else "")
        )
        out.append(
            {
                "source": SOURCES.get(source, source),
                "theme": theme,
                "mentions": int(mentions),
                "items": int(items),
                "share": share,
                "ci_low": lo,
                "ci_high": hi,
                "shown": fmt(share, "share"),
                "nps_n": int(nps_n or 0),
                "promoters": int(pro or 0),
                "passives": int(pas or 0),
                "detractors": int(det or 0),
                "nps": nps,
                "nps_ci": (
                    f"{fmt(nps_lo, 'points')} to {fmt(nps_hi, 'points')}"
                    if nps_lo is not None
                    else ""
                ),
                "score": score,
                "flag": flag(low, complete, None, days, pdays),
            }
        )
    return out


def nps_mix_rows(themes: list[dict]) -> list[dict]:
    """The NPS categories of those who mention each theme in survey text, one row each."""
    return [
        {
            "source": t["source"],
            "theme": t["theme"],
            "category": category,
            "customers": t[category + "s"],
            "nps_n": t["nps_n"],
            "nps": t["nps"],
            "flag": t["flag"],
        }
        for t in themes
        if t["nps_n"]
        for category in ("promoter", "passive", "detractor")
    ]


def detractor_themes(themes: list[dict]) -> dict:
    """What detractors talk about: the survey-text themes with the most detractors."""
    ranked = sorted(
        (t for t in themes if t["detractors"]),
        key=lambda t: (-t["detractors"], t["source"], t["theme"]),
    )[:DETRACTOR_THEMES_SHOWN]
    return {
        "columns": [
            "theme",
            "in",
            "detractors mentioning it",
            "of those with an NPS answer (n)",
            "detractor share",
            "NPS of those mentioning it",
            "NPS 95% CI",
            "mark",
        ],
        "rows": [
            [
                t["theme"],
                t["source"],
                t["detractors"],
                t["nps_n"],
                fmt(t["detractors"] / t["nps_n"], "share"),
                fmt(t["nps"], "points"),
                t["nps_ci"],
                "" if t["flag"] == "complete" else t["flag"],
            ]
            for t in ranked
        ],
    }


def suggestions(ctx: ReportContext) -> dict:
    """The first suggestions by the marts' priority rank, of those submitted in the range."""
    empty = {"rows": [], "total": 0, "high": 0, "why_empty": None}
    why = missing(ctx, "mart_suggestions")
    if why:
        return {**empty, "why_empty": why}
    cond, params = ctx.in_range("submitted_date")
    total, high = ctx.con.execute(
        "SELECT count(*), count(*) FILTER (WHERE priority = 'high') "
        f"FROM marts.mart_suggestions WHERE {cond}",
        params,
    ).fetchone()
    rows = records(
        ctx,
        f"SELECT *, left(customer_key, {HASH_SHOWN}) AS key_shown "
        f"FROM marts.mart_suggestions WHERE {cond} ORDER BY priority_rank "
        f"LIMIT {SUGGESTIONS_SHOWN}",
        params,
    )
    listed = [
        {
            "rank": r["priority_rank"],
            "priority": f"{r['priority']} ({r['priority_score']})",
            "reason": r["priority_reason"] or "",
            "text": r["suggestion"],
            "language": r["language"],
            "themes": r["themes"] or "none",
            "segment": r["segment"] or "",
            "vip": "VIP" if r["is_vip"] else "",
            "customer": f"{r['key_shown']}…" if r["key_shown"] else "",
            "latest_nps": r["latest_nps_category"] or "",
            "churn_risk": "at risk" if r["churn_risk"] else "",
            "product": r["product"] or "",
            "date": str(r["submitted_date"]),
        }
        for r in rows
    ]
    why_empty = None if listed else "no suggestion was submitted in the range"
    return {"rows": listed, "total": int(total), "high": int(high), "why_empty": why_empty}


def expectation_rows(ctx: ReportContext) -> list[dict]:
    """Per SERVQUAL dimension and segment, the period's share expecting above the standard."""
    if missing(ctx, "mart_expectations_above_standard"):
        return []
    rows = records(
        ctx,
        "SELECT * FROM marts.mart_expectations_above_standard "
        "WHERE grain = ? AND period_start = ? AND above_standard_share IS NOT NULL "
        "ORDER BY dimension, segment",
        [ctx.grain, ctx.period],
    )
    return [
        {
            "dimension": f"{r['dimension']} (standard {r['standard_level']:g})",
            "segment": r["segment"],
            "standard": f"{r['standard_level']:g} + {r['margin']:g}",
            "expectation_mean": r["expectation_mean"],
            "n": int(r["customers"]),
            "above": int(r["above_standard"]),
            "share": r["above_standard_share"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "shown": fmt(r["above_standard_share"], "share"),
            "flag": flag(
                r["low_sample"],
                r["is_complete_period"],
                None,
                r["days_observed"],
                r["period_days"],
            ),
        }
        for r in rows
    ]
