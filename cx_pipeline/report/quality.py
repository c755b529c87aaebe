"""How far to trust the page: failed checks of the last runs, quarantined shares per
source and whether every file's rows reconcile (schema audit of the published file)."""

from __future__ import annotations

from cx_pipeline.report.context import ReportContext

RUNS_SHOWN = 5


def failed_checks(ctx: ReportContext) -> dict:
    con = ctx.con
    runs = con.execute(
        "SELECT run_id, max(checked_at), count(*), count(*) FILTER (WHERE NOT passed) "
        "FROM audit.check_results GROUP BY run_id ORDER BY 2 DESC LIMIT ?",
        [RUNS_SHOWN],
    ).fetchall()
    failed = con.execute(
        "SELECT run_id, asset, check_name, partition, severity, observed_value "
        "FROM audit.check_results WHERE NOT passed AND run_id IN "
        f"(SELECT run_id FROM (SELECT run_id, max(checked_at) AS t FROM audit.check_results "
        f"GROUP BY 1 ORDER BY t DESC LIMIT {RUNS_SHOWN})) "
        "ORDER BY severity, asset, check_name, partition LIMIT 50"
    ).fetchall()
    return {
        "runs": [
            {"run": run[:8], "at": str(at)[:19], "checks": total, "failed": bad}
            for run, at, total, bad in runs
        ],
        "failed": {
            "columns": ["run", "asset", "check", "partition", "severity", "observed"],
            "rows": [
                [run[:8], asset, check, part or "", severity, (observed or "")[:120]]
                for run, asset, check, part, severity, observed in failed
            ],
        },
    }


def quarantine(ctx: ReportContext) -> list[dict]:
    rows = ctx.con.execute(
        "SELECT source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
        "sum(rows_duplicate), count(*) FILTER (WHERE rows_read <> rows_loaded + "
        "rows_quarantined + rows_duplicate) FROM audit.load_reconciliation "
        "WHERE skipped IS NULL GROUP BY source ORDER BY source"
    ).fetchall()
    return [
        {
            "source": source,
            "files": int(files),
            "read": int(read or 0),
            "loaded": int(loaded or 0),
            "quarantined": int(quarantined or 0),
            "duplicates": int(duplicates or 0),
            "quarantined_share": (quarantined or 0) / read if read else 0.0,
            "unbalanced_files": int(unbalanced),
        }
        for source, files, read, loaded, quarantined, duplicates, unbalanced in rows
    ]
