"""The daily job, its schedule, the sensor that reacts to newly landed files, and the
run-status sensors that alert.

A failed run raises an alert whether the daemon launched it (the failure sensor) or the CLI
executed it in process; a run's end sends its one digest to the chat and e-mail sinks, from
the CLI after an in-process run and from these sensors for runs the daemon launched
(whichever comes first; the other finds it claimed)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, timedelta
from pathlib import Path

import dagster as dg

from cx_pipeline.alerts import deliver_run_digest, dispatch
from cx_pipeline.alerts.run_failure import partition_of, run_failed_alert, step_failures
from cx_pipeline.defs.partitions import DAILY, out_of_partitions
from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.warehouse.resource import WarehouseResource

DAILY_JOB_NAME = "cx_daily"

cx_daily_job = dg.define_asset_job(
    name=DAILY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    partitions_def=DAILY,
    description="Ingest a day's landing folders, run every check and dbt model, publish.",
)


@dg.schedule(
    job=cx_daily_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    name="cx_daily_schedule",
    description="Every morning at 02:00 UTC, yesterday's partition, once the day is complete.",
)
def cx_daily_schedule(context: dg.ScheduleEvaluationContext):
    # Not build_schedule_from_partitioned_job: it requests the last partition, which is
    # today now that today's partition exists.
    yesterday = context.scheduled_execution_time.astimezone(UTC).date() - timedelta(days=1)
    day = yesterday.isoformat()
    reason = out_of_partitions(day)
    if reason:
        return dg.SkipReason(reason)
    return dg.RunRequest(run_key=day, partition_key=day)


def _warehouse(context) -> WarehouseResource:
    """The definitions' warehouse resource, its EnvVars resolved now. Taken from the
    repository rather than as a sensor argument, so that a sensor evaluated with nothing but
    the repository (as in a test) has it too."""
    repository = context.repository_def
    resource = repository.get_top_level_resources().get("warehouse") if repository else None
    if resource is None:
        return WarehouseResource()
    # It holds no connection: nothing to tear down once the block ends.
    with dg.build_resources({"warehouse": resource}) as built:
        return built.warehouse


def _landing_state(landing: Path) -> dict[str, list[int]]:
    """[size, mtime_ns] of every landing file, keyed by its path under the landing folder."""
    state: dict[str, list[int]] = {}
    for source in SOURCES:
        for path in sorted((landing / source).glob("*/*")):
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                state[path.relative_to(landing).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return state


def _day_of(rel: str) -> str:
    return rel.split("/")[1]


def _not_loadable(day: str) -> str | None:
    try:
        date.fromisoformat(day)
    except ValueError:
        return f"{day} is not a date (YYYY-MM-DD)"
    return out_of_partitions(day)


@dg.sensor(
    job=cx_daily_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Requests a day's partition as soon as a file lands in (or changes in) one of "
    "its folders, today's included; every new delivery re-runs the day.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    cursor = json.loads(context.cursor) if context.cursor else {}
    # An old cursor (path -> mtime) is read as empty: every folder is requested once more.
    seen = cursor.get("seen", {}) if isinstance(cursor.get("seen"), dict) else {}
    skipped = cursor.get("skipped", {})
    current = _landing_state(_warehouse(context).settings().landing_dir)
    by_day: dict[str, dict[str, list[int]]] = {}
    for rel, state in current.items():
        by_day.setdefault(_day_of(rel), {})[rel] = state
    new_seen, new_skipped = {}, {}
    for day, files in sorted(by_day.items()):
        reason = _not_loadable(day)
        if reason:
            # Not remembered as seen: a folder for tomorrow is requested once tomorrow comes.
            new_skipped.update(files)
            if any(skipped.get(rel) != state for rel, state in files.items()):
                context.log.warning(f"landing folder {day} skipped: {reason}")
            continue
        new_seen.update(files)
        changed = sorted(rel for rel, state in files.items() if seen.get(rel) != state)
        if not changed:
            continue
        # The run key names the folder's content: a second delivery is a new key, a new run.
        digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        context.log.info(f"{day}: new or changed {changed}")
        yield dg.RunRequest(partition_key=day, run_key=f"{day}:{digest}")
    context.update_cursor(json.dumps({"seen": new_seen, "skipped": new_skipped}))


@dg.run_failure_sensor(
    name="cx_run_failure_alerts",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert (alerts.jsonl, webhook, Slack, e-mail) for every failed run.",
)
def cx_run_failure_alerts(context: dg.RunFailureSensorContext):
    message = context.failure_event.message or "run failed"
    run = context.dagster_run
    failures = step_failures(context)
    settings = _warehouse(context).settings()
    alert = run_failed_alert(run.run_id, partition_of(run), message, failures)
    dispatch([alert], digest="run", settings=settings)
    deliver_run_digest(run.run_id, settings)


@dg.run_status_sensor(
    name="cx_run_alert_digest",
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends the chat and e-mail digest of a successful run that raised alerts "
    "(warnings, or checks that recovered).",
)
def cx_run_alert_digest(context: dg.RunStatusSensorContext):
    deliver_run_digest(context.dagster_run.run_id, _warehouse(context).settings())
