"""Closing the loop on unhappy customers: follow-up and recovery per period and segment
(mart_closed_loop) and the customers listed for action (mart_followup_actions)."""

from __future__ import annotations

from cx_pipeline.report.context import ReportContext, fmt
from cx_pipeline.report.kpis import flag
from cx_pipeline.report.people import HASH_SHOWN
from cx_pipeline.report.voice import missing, records

ACTIONS_SHOWN = 10
# (measure, label, unit) of the tiles and the trend chart.
MEASURES = (
    ("followup_rate", "Followed up within the window", "share"),
    ("followup_hours_median", "Hours to follow-up, median", "hours"),
    ("recovery_rate", "Recovered at the next response", "share"),
)
_COLUMNS = (
    "period_start, segment, followup_window_days, dissatisfied_responses, followed_up, "
    "not_followed_up, pending, followup_rate, followup_rate_ci_low, followup_rate_ci_high, "
    "followup_hours_median, with_next_response, recovered, recovery_rate, "
    "recovery_rate_ci_low, recovery_rate_ci_high, recovery_rate_followed_up, "
    "recovery_n_followed_up, recovery_rate_not_followed_up, recovery_n_not_followed_up, n, "
    "low_sample, days_observed, period_days, is_complete_period, is_mature"
)


def _read(ctx: ReportContext, where: str, params: list) -> list[dict]:
    if missing(ctx, "mart_closed_loop"):
        return []
    return records(
        ctx,
        f"SELECT {_COLUMNS} FROM marts.mart_closed_loop WHERE grain = ? AND {where} "
        "ORDER BY period_start, segment = 'all' DESC, segment",
        [ctx.grain, *params],
    )


# What keeps a period's follow-up rate moving: responses whose window is still open.
IMMATURE = "immature: follow-ups pending"


def _flag(row: dict) -> str:
    shown = flag(
        row["low_sample"],
        row["is_complete_period"],
        row["is_mature"],
        row["days_observed"],
        row["period_days"],
    )
    return IMMATURE if shown.startswith("immature") else shown


def _n(row: dict, measure: str) -> int:
    """The observations a measure rests on."""
    if measure == "recovery_rate":
        return int(row["with_next_response"] or 0)
    if measure == "followup_hours_median":
        return int(row["followed_up"] or 0)
    return int(row["n"] or 0)


def tiles(ctx: ReportContext) -> list[dict]:
    """The headline period's follow-up rate, median hours and recovery rate (all segments)."""
    rows = _read(ctx, "period_start = ? AND segment = 'all'", [ctx.period])
    row = rows[0] if rows else None
    out = []
    for measure, label, unit in MEASURES:
        tile = {"measure": measure, "label": label}
        if row is None or row[measure] is None:
            why = "no dissatisfied response" if row is None else "every response still pending"
            out.append({**tile, "value": None, "shown": "no data", "n": 0, "ci": "", "flag": why})
            continue
        low, high = row.get(measure + "_ci_low"), row.get(measure + "_ci_high")
        out.append(
            {
                **tile,
                "value": row[measure],
                "shown": fmt(row[measure], unit),
                "n": _n(row, measure),
                "ci": f"95% CI {fmt(low, unit)} to {fmt(high, unit)}" if low is not None else "",
                "flag": _flag(row),
            }
        )
    return out


def trend_rows(ctx: ReportContext) -> list[dict]:
    """Every period of the range: the three measures (rates in %) with their intervals."""
    cond, params = ctx.in_range()
    out = []
    for row in _read(ctx, f"segment = 'all' AND {cond}", params):
        for order, (measure, label, unit) in enumerate(MEASURES):
            value = row[measure]
            if value is None:
                continue
            scale = 100.0 if unit == "share" else 1.0
            low, high = row.get(measure + "_ci_low"), row.get(measure + "_ci_high")
            out.append(
                {
                    "measure": label + (" (%)" if unit == "share" else ""),
                    "order": order,
                    "period": row["period_start"].isoformat(),
                    "value": value * scale,
                    "ci_low": None if low is None else low * scale,
                    "ci_high": None if high is None else high * scale,
                    "n": _n(row, measure),
                    "pending": int(row["pending"] or 0),
                    "shown": fmt(value, unit),
                    "flag": _flag(row),
                }
            )
    return out


def _rate(value, low, high, n) -> str:
    if value is None:
        return "no data"
    return f"{fmt(value, 'share')} ({fmt(low, 'share')} to {fmt(high, 'share')}; n = {n:,})"


def segment_table(ctx: ReportContext) -> dict:
    rows = _read(ctx, "period_start = ?", [ctx.period])
    columns = [
        "segment",
        "dissatisfied responses",
        "followed up",
        "not followed up",
        "pending",
        "follow-up rate (95% CI; n)",
        "hours to follow-up, median",
        "recovery rate (95% CI; n)",
        "recovery: followed up / not",
        "mark",
    ]
    body = [
        [
            r["segment"],
            r["dissatisfied_responses"],
            r["followed_up"],
            r["not_followed_up"],
            r["pending"],
            _rate(
                r["followup_rate"], r["followup_rate_ci_low"], r["followup_rate_ci_high"], r["n"]
            ),
            fmt(r["followup_hours_median"], "hours"),
            _rate(
                r["recovery_rate"],
                r["recovery_rate_ci_low"],
                r["recovery_rate_ci_high"],
                int(r["with_next_response"] or 0),
            ),
            f"{fmt(r['recovery_rate_followed_up'], 'share')} (n = "
            f"{r['recovery_n_followed_up'] or 0:,}) / "
            f"{fmt(r['recovery_rate_not_followed_up'], 'share')} (n = "
            f"{r['recovery_n_not_followed_up'] or 0:,})",
            "" if _flag(r) == "complete" else _flag(r),
        ]
        for r in rows
    ]
    window = rows[0]["followup_window_days"] if rows else None
    return {"columns": columns, "rows": body, "window_days": window}


def actions(ctx: ReportContext) -> dict:
    """The VIP and churn-risk customers without follow-up, as of the data's latest day."""
    why = missing(ctx, "mart_followup_actions")
    if why:
        empty = {"columns": [], "rows": []}
        return {"listed": 0, "vip": 0, "at_risk": 0, "table": empty, "why_empty": why}
    listed, vip, at_risk = ctx.con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_vip), count(*) FILTER (WHERE churn_risk) "
        "FROM marts.mart_followup_actions"
    ).fetchone()
    rows = records(
        ctx,
        f"SELECT *, left(customer_key, {HASH_SHOWN}) AS key_shown "
        f"FROM marts.mart_followup_actions ORDER BY action_rank LIMIT {ACTIONS_SHOWN}",
        [],
    )
    columns = ["rank", "customer (hash)", "segment", "VIP", "churn risk", "NPS", "CSAT"]
    columns += ["status", "response", "follow-up due", "days since", "comment (redacted)"]
    body = [
        [
            r["action_rank"],
            r["key_shown"] + "…",
            r["segment"] or "",
            "VIP" if r["is_vip"] else "",
            r["churn_risk_reason"] or "",
            f"{r['nps']} ({r['nps_category']})" if r["nps"] is not None else "",
            "" if r["csat"] is None else r["csat"],
            r["followup_status"].replace("_", " "),
            str(r["submitted_date"]),
            str(r["followup_due_date"]),
            r["days_since_response"],
            r["comment"] or "",
        ]
        for r in rows
    ]
    return {
        "listed": int(listed),
        "vip": int(vip),
        "at_risk": int(at_risk),
        "table": {"columns": columns, "rows": body},
        "why_empty": "no VIP or churn-risk customer is waiting for a follow-up",
    }
