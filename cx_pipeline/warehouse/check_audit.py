"""Every check result of a run lands in `audit.check_results`; every failed one raises an
alert (alerts.jsonl and the webhook at once, chat and e-mail in the run's digest), and
every one that passes after failing in the previous run of the same partition raises a
"recovered" one."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import dagster as dg
import duckdb

from cx_pipeline.alerts import Alert, dispatch, explain
from cx_pipeline.settings import Settings

CHECK_RESULTS_DDL = """
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.check_results (
    asset VARCHAR, check_name VARCHAR, partition VARCHAR, passed BOOLEAN, severity VARCHAR,
    observed_value VARCHAR, metadata JSON, run_id VARCHAR, checked_at TIMESTAMPTZ
);
"""


@dataclass(frozen=True)
class CheckRecord:
    asset: str
    check: str
    passed: bool
    severity: str  # ERROR or WARN
    observed_value: Any
    metadata: dict
    summary: str = ""
    details: dict | None = None
    next_step: str = ""


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def to_record(result: dg.AssetCheckResult, default_asset: dg.AssetKey | None = None) -> CheckRecord:
    key = result.asset_key or default_asset
    metadata = {k: _plain(v) for k, v in (result.metadata or {}).items()}
    observed = metadata.get("observed_value")
    if observed is None:
        # dbt tests report the number of failing rows.
        observed = metadata.get("dagster_dbt/failed_row_count")
    asset = key.to_user_string() if key else ""
    summary = str(metadata.get("summary") or "")
    next_step = str(metadata.get("next_step") or "")
    details = metadata.get("details")
    if not summary and ("dagster_dbt/failed_row_count" in metadata or "unique_id" in metadata):
        summary, details, next_step = explain.dbt_test(
            result.check_name or "",
            asset,
            metadata.get("dagster_dbt/failed_row_count"),
            str(metadata.get("status") or ""),
        )
    return CheckRecord(
        asset=asset,
        check=result.check_name or "",
        passed=bool(result.passed),
        severity=result.severity.value if result.severity else "ERROR",
        observed_value=observed,
        metadata=metadata,
        summary=summary,
        details=details if isinstance(details, dict) else None,
        next_step=next_step,
    )


def _message(record: CheckRecord) -> str:
    # The examples are in `details`, redacted; this says only what the failure blocks.
    return (
        "blocking: downstream assets do not materialize"
        if record.severity == "ERROR"
        else "warning: does not block"
    )


def _previously_failed(
    con: duckdb.DuckDBPyConnection, records: list[CheckRecord], partition: str, run_id: str
) -> dict[tuple[str, str], str]:
    """(asset, check) -> severity, for the checks whose latest result for this partition
    in another run failed. Same partition only: a check that passes on a new day says
    nothing about the day that failed, which is still broken until it is reloaded."""
    passed = {(r.asset, r.check) for r in records if r.passed}
    if not passed:
        return {}
    rows = con.execute(
        "SELECT asset, check_name, passed, severity FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY asset, check_name ORDER BY checked_at DESC)"
        "  AS newest FROM audit.check_results WHERE partition = ? AND run_id <> ?"
        "  AND list_contains(?, asset)"
        ") WHERE newest = 1 AND NOT passed",
        [partition, run_id, sorted({asset for asset, _ in passed})],
    ).fetchall()
    return {(a, c): severity for a, c, _, severity in rows if (a, c) in passed}


def _failed_alert(r: CheckRecord, partition: str, run_id: str) -> Alert:
    return Alert(
        kind="check_failed",
        asset=r.asset,
        partition=partition,
        check=r.check,
        severity="ERROR" if r.severity == "ERROR" else "WARN",
        observed_value=r.observed_value,
        run_id=run_id,
        message=_message(r),
        summary=r.summary,
        details=r.details or {},
        next_step=r.next_step,
    )


def _recovered_alert(r: CheckRecord, partition: str, run_id: str, severity: str) -> Alert:
    summary = f"{r.check} on {r.asset} passes again for {partition or 'the whole table'}"
    return Alert(
        kind="check_recovered",
        asset=r.asset,
        partition=partition,
        check=r.check,
        severity="ERROR" if severity == "ERROR" else "WARN",
        observed_value=r.observed_value,
        run_id=run_id,
        message="failed in the previous run of this partition, passes now",
        summary=summary + ".",
        details={"previous_severity": severity},
    )


def record_and_alert(
    con: duckdb.DuckDBPyConnection,
    records: Iterable[CheckRecord],
    partition: str,
    run_id: str,
    log=None,
    settings: Settings | None = None,
) -> list[CheckRecord]:
    records = list(records)
    con.execute(CHECK_RESULTS_DDL)
    recovered = _previously_failed(con, records, partition, run_id)
    for r in records:
        con.execute(
            "INSERT INTO audit.check_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())",
            [
                r.asset,
                r.check,
                partition,
                r.passed,
                r.severity,
                json.dumps(r.observed_value, default=str),
                json.dumps(r.metadata, default=str),
                run_id,
            ],
        )
    failed = [r for r in records if not r.passed]
    alerts = [_failed_alert(r, partition, run_id) for r in failed]
    alerts += [
        _recovered_alert(r, partition, run_id, recovered[(r.asset, r.check)])
        for r in records
        if r.passed and (r.asset, r.check) in recovered
    ]
    if alerts:
        # Chat and e-mail wait for the run's end (deliver_run_digest): one message per run.
        report = dispatch(alerts, digest="run", settings=settings)
        if log is not None:
            log.warning(f"alerts: {report.summary()}")
    return failed
