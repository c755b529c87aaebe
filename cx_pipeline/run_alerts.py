"""A failed run raises an alert too, whether the daemon launched it (sensor) or the CLI
executed it in process (called directly); and a run's end sends its one digest to the
chat and e-mail sinks, from the CLI after an in-process run and from these sensors for
runs the daemon launched (whichever comes first; the other finds it claimed)."""

from __future__ import annotations

import dagster as dg

from cx_pipeline.alerts import Alert, deliver_run_digest, dispatch, explain


def run_failed_alert(
    run_id: str,
    partition: str,
    message: str,
    step_failures: list[tuple[str, str]] | None = None,
    log_path: str = "",
) -> Alert:
    summary, details, next_step = explain.run_failure(
        run_id, list(step_failures or []), message, log_path
    )
    return Alert(
        kind="run_failed",
        asset="",
        partition=partition,
        check="",
        severity="ERROR",
        observed_value="FAILURE",
        run_id=run_id,
        message=message[:2000],
        summary=summary,
        details=details,
        next_step=next_step,
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
    run = context.dagster_run
    failures = _step_failures(context)
    dispatch([run_failed_alert(run.run_id, partition_of(run), message, failures)], digest="run")
    deliver_run_digest(run.run_id)


@dg.run_status_sensor(
    name="cx_run_alert_digest",
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends the chat and e-mail digest of a successful run that raised alerts "
    "(warnings, or checks that recovered).",
)
def cx_run_alert_digest(context: dg.RunStatusSensorContext):
    deliver_run_digest(context.dagster_run.run_id)


def _step_failures(context: dg.RunFailureSensorContext) -> list[tuple[str, str]]:
    try:
        events = context.get_step_failure_events()
    except Exception:  # an event log that cannot be read must not stop the alert
        return []
    failures = []
    for event in events:
        error = getattr(event.event_specific_data, "error", None)
        while getattr(error, "cause", None) is not None:
            error = error.cause
        cause = (getattr(error, "message", "") or "failed").strip().splitlines()
        failures.append((event.step_key or "", cause[0] if cause else "failed"))
    return failures
