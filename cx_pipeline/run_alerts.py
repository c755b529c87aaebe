"""A failed run raises an alert too, whether the daemon launched it (sensor) or the CLI
executed it in process (called directly)."""

from __future__ import annotations

import dagster as dg

from cx_pipeline.alerts import Alert, dispatch


def run_failed_alert(run_id: str, partition: str, message: str) -> Alert:
    return Alert(
        kind="run_failed",
        asset="",
        partition=partition,
        check="",
        severity="ERROR",
        observed_value="FAILURE",
        run_id=run_id,
        message=message[:2000],
    )


def partition_of(run: dg.DagsterRun) -> str:
    tags = run.tags or {}
    start = tags.get("dagster/asset_partition_range_start")
    if start:
        end = tags.get("dagster/asset_partition_range_end", start)
        return start if start == end else f"{start}..{end}"
    return tags.get("dagster/partition", "")


@dg.run_failure_sensor(
    name="cx_run_failure_alerts",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert (alerts.jsonl, webhook, Slack, e-mail) for every failed run.",
)
def cx_run_failure_alerts(context: dg.RunFailureSensorContext):
    message = context.failure_event.message or "run failed"
    dispatch(
        [run_failed_alert(context.dagster_run.run_id, partition_of(context.dagster_run), message)]
    )
