"""The alert of a failed run, whether the daemon launched it (the run-failure sensor of
`defs/automation.py`), the CLI executed it in process, or the CLI found it dead after a kill."""

from __future__ import annotations

import dagster as dg

from cx_pipeline.alerts import explain
from cx_pipeline.alerts.model import Alert
from cx_pipeline.instance.run_window import run_window, window_label


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
    return window_label(run_window(run))


def step_failures(context: dg.RunFailureSensorContext) -> list[tuple[str, str]]:
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
