"""Agents (mart_agent_scorecard) and customers at churn risk (mart_customer_health)."""

from __future__ import annotations

import re

from cx_pipeline.report.context import ReportContext, fmt

# How many hex digits of a customer's keyed hash the page shows: enough to look the
# customer up in the marts (`customer_key LIKE '…%'`), and still only a hash.
HASH_SHOWN = 16


def agent_table(ctx: ReportContext) -> dict:
    rows = ctx.con.execute(
        "SELECT rank, agent_id, tickets_handled, one_touch_rate, reopen_rate, "
        "first_reply_minutes_median, csat_top2_share, csat_responses, low_sample "
        "FROM marts.mart_agent_scorecard WHERE grain = ? AND period_start = ? "
        "ORDER BY rank, agent_id",
        [ctx.grain, ctx.period],
    ).fetchall()
    columns = [
        "rank",
        "agent",
        "tickets",
        "one-touch",
        "reopened",
        "first reply (median)",
        "CSAT top-2",
        "CSAT n",
        "mark",
    ]
    body = []
    for rank, agent, tickets, one_touch, reopen, reply, csat, csat_n, low in rows:
        body.append(
            [
                (rank, rank),
                (agent, agent),
                (tickets, f"{tickets:,}"),
                (one_touch, fmt(one_touch, "share")),
                (reopen, fmt(reopen, "share")),
                (reply, fmt(reply, "minutes")),
                (csat, fmt(csat, "share")),
                (csat_n, f"{csat_n or 0:,}"),
                ("low sample" if low else "", "low sample" if low else ""),
            ]
        )
    return {"columns": columns, "rows": body}


def _reason_kind(reason: str) -> str:
    """A churn reason without its counts, so that customers group by kind of reason."""
    return re.sub(r"\d+", "N", reason.strip())


def churn(ctx: ReportContext) -> dict:
    con = ctx.con
    as_of, at_risk, total = con.execute(
        "SELECT max(as_of_date), count(*) FILTER (WHERE churn_risk), count(*) "
        "FROM marts.mart_customer_health"
    ).fetchone()
    counts: dict[tuple[str, str], int] = {}
    for reason, vip, customers in con.execute(
        "SELECT churn_risk_reason, is_vip, count(*) FROM marts.mart_customer_health "
        "WHERE churn_risk GROUP BY ALL"
    ).fetchall():
        for part in (reason or "unknown").split(";"):
            key = (_reason_kind(part), "VIP" if vip else "not VIP")
            counts[key] = counts.get(key, 0) + customers
    by_reason = [
        {"reason": reason, "vip": vip, "customers": n} for (reason, vip), n in counts.items()
    ]
    listed = con.execute(
        f"SELECT left(customer_key, {HASH_SHOWN}), is_vip, segment, churn_risk_reason, "
        "open_complaints, unresolved_tickets, latest_nps_category, last_seen_date "
        "FROM marts.mart_customer_health WHERE churn_risk "
        "ORDER BY is_vip DESC, open_complaints DESC, unresolved_tickets DESC, customer_key "
        "LIMIT 25"
    ).fetchall()
    table = {
        "columns": [
            "customer (hash)",
            "VIP",
            "segment",
            "reason",
            "open complaints",
            "unresolved tickets",
            "latest NPS",
            "last seen",
        ],
        "rows": [
            [
                key + "…",
                "VIP" if vip else "",
                segment or "",
                reason or "",
                complaints or 0,
                unresolved or 0,
                category or "",
                str(seen or ""),
            ]
            for key, vip, segment, reason, complaints, unresolved, category, seen in listed
        ],
    }
    return {
        "as_of": as_of,
        "at_risk": int(at_risk or 0),
        "customers": int(total or 0),
        "by_reason": by_reason,
        "table": table,
    }
