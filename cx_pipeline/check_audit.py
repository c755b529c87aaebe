"""Every check result of a run lands in `audit.check_results` and every failed one
raises an alert (alerts.jsonl, then the configured sinks) within the same run."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import dagster as dg
import duckdb

from cx_pipeline.alerts import Alert, dispatch

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


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def to_record(result: dg.AssetCheckResult, default_asset: dg.AssetKey | None = None) -> CheckRecord:
    key = result.asset_key or default_asset
    metadata = {k: _plain(v) for k, v in (result.metadata or {}).items()}
    observed = metadata.get("observed_value")
    if observed is None:
        # dbt tests report the number of failing rows.
        observed = metadata.get("dagster_dbt/failed_row_count")
    return CheckRecord(
        asset=key.to_user_string() if key else "",
        check=result.check_name or "",
        passed=bool(result.passed),
        severity=result.severity.value if result.severity else "ERROR",
        observed_value=observed,
        metadata=metadata,
    )


def _message(record: CheckRecord) -> str:
    effect = (
        "blocking: downstream assets do not materialize"
        if record.severity == "ERROR"
        else "warning: does not block"
    )
    examples = record.metadata.get("examples")
    if examples:
        return f"{effect}; examples: {json.dumps(examples, default=str)[:500]}"
    return effect


def record_and_alert(
    con: duckdb.DuckDBPyConnection,
    records: Iterable[CheckRecord],
    partition: str,
    run_id: str,
    log=None,
) -> list[CheckRecord]:
    records = list(records)
    con.execute(CHECK_RESULTS_DDL)
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
    if failed:
        report = dispatch(
            Alert(
                kind="check_failed",
                asset=r.asset,
                partition=partition,
                check=r.check,
                severity="ERROR" if r.severity == "ERROR" else "WARN",
                observed_value=r.observed_value,
                run_id=run_id,
                message=_message(r),
            )
            for r in failed
        )
        if log is not None:
            log.warning(f"alerts: {report.summary()}")
    return failed
