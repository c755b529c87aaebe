"""Own brand against each competitor, the competitor median and the industry reference
(mart_benchmarks), ranked per KPI."""

from __future__ import annotations

from cx_pipeline.report.context import ReportContext, fmt

_UNITS = {
    "rating_mean": "rating",
    "negative_review_share": "share",
    "review_reply_rate": "share",
    "review_reply_hours_median": "hours",
    "reviews": "count",
    "nps": "points",
    "csat_top2_share": "share",
    "csat_mean": "score",
    "ces_mean": "score",
    "one_touch_rate": "share",
    "reopen_rate": "share",
    "first_reply_minutes_median": "minutes",
}
LABELS = {
    "rating_mean": "average rating (1-5)",
    "negative_review_share": "negative review share",
    "review_reply_rate": "review reply rate",
    "review_reply_hours_median": "review reply time, median",
    "nps": "NPS",
    "csat_top2_share": "CSAT top-2 share",
    "csat_mean": "CSAT mean (1-5)",
    "ces_mean": "customer effort (CES, 1-7)",
    "one_touch_rate": "one-touch resolution",
    "reopen_rate": "reopen rate",
    "first_reply_minutes_median": "first reply, median",
}
_KIND = {
    "competitor": "competitor",
    "competitor_median": "competitor median",
    "industry_reference": "industry reference",
}


def benchmark_rows(ctx: ReportContext) -> list[dict]:
    """One row per KPI and entity (own brand first), ranked by value, best first."""
    rows = ctx.con.execute(
        "SELECT kpi, comparison, benchmark, own_value, own_n, benchmark_value, benchmark_n, "
        "difference, q_value, is_significant, no_test_reason, higher_is_better, "
        "is_illustrative, rank_among_peers, peers FROM marts.mart_benchmarks "
        "WHERE grain = ? AND period_start = ? AND comparison IN "
        "('competitor', 'competitor_median', 'industry_reference') ORDER BY kpi, comparison",
        [ctx.grain, ctx.period],
    ).fetchall()
    by_kpi: dict[str, list[dict]] = {}
    for (
        kpi,
        comp,
        bench,
        own,
        own_n,
        value,
        n,
        _difference,
        q,
        sig,
        reason,
        hib,
        illus,
        rank,
        peers,
    ) in rows:
        if hib is None:
            continue  # a volume (reviews): more is neither better nor worse
        unit = _UNITS.get(kpi, "")
        kpi = LABELS.get(kpi, kpi)
        entries = by_kpi.setdefault(kpi, [])
        if not entries:
            entries.append(
                {
                    "kpi": kpi,
                    "entity": f"{ctx.own_brand} (own)",
                    "kind": "own brand",
                    "value": own,
                    "shown": fmt(own, unit),
                    "n": int(own_n) if own_n else None,
                    "test": "",
                    "significant": "own",
                    "rank": f"{rank} of {peers}" if rank is not None else "",
                    "higher_is_better": hib,
                }
            )
        name = "industry reference (illustrative)" if illus else bench
        if comp == "competitor_median":
            name = "competitor median"
        if sig is None:
            test = f"not tested: {reason or 'no test'}"
        else:
            test = f"{'significant' if sig else 'not significant'} (q = {q:.3g})"
        entries.append(
            {
                "kpi": kpi,
                "entity": name,
                "kind": _KIND.get(comp, comp),
                "value": value,
                "shown": fmt(value, unit),
                "n": int(n) if n else None,
                "test": test,
                "significant": "no test" if sig is None else ("yes" if sig else "no"),
                "rank": "",
                "higher_is_better": hib,
                "focus": comp == "competitor" and bench == ctx.brand,
            }
        )
    out = []
    for entries in by_kpi.values():
        if ctx.options.brand and not ctx.is_own:
            entries = [e for e in entries if e["kind"] != "competitor" or e.get("focus")]
        best_high = entries[0]["higher_is_better"] is not False
        ranked = sorted(
            entries,
            key=lambda e: (e["value"] is None, -(e["value"] or 0) if best_high else e["value"]),
        )
        for position, entry in enumerate(ranked, start=1):
            entry["position"] = position
            out.append(entry)
    return out
