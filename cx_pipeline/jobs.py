"""The daily job, its schedule and the sensor that reacts to newly landed files."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from cx_pipeline import settings
from cx_pipeline.partitions import DAILY

DAILY_JOB_NAME = "cx_daily"

cx_daily_job = dg.define_asset_job(
    name=DAILY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    partitions_def=DAILY,
    description="Ingest a day's landing folders, run every check and dbt model, publish.",
)

# Every morning at 02:00 UTC, yesterday's partition (the schedule's default offset).
cx_daily_schedule = dg.build_schedule_from_partitioned_job(
    cx_daily_job, hour_of_day=2, minute_of_hour=0, name="cx_daily_schedule"
)


def _landing_state(landing: Path) -> dict[str, float]:
    """mtime of every landing file, keyed by its path relative to the landing folder."""
    state = {}
    if not landing.is_dir():
        return state
    for path in landing.glob("*/*/*"):
        if path.is_file() and not path.name.startswith("."):
            state[str(path.relative_to(landing))] = path.stat().st_mtime
    return state


@dg.sensor(
    job=cx_daily_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Requests a day's partition when files land (or change) in its folders.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    landing = settings.landing_dir()
    seen = json.loads(context.cursor) if context.cursor else {}
    current = _landing_state(landing)
    changed_days = sorted(
        {rel.split("/")[1] for rel, mtime in current.items() if seen.get(rel) != mtime}
    )
    valid = set(DAILY.get_partition_keys())
    for day in changed_days:
        if day not in valid:
            context.log.warning(f"landing folder {day} is not a valid partition; skipped")
            continue
        stamp = max(m for rel, m in current.items() if rel.split("/")[1] == day)
        yield dg.RunRequest(partition_key=day, run_key=f"{day}:{stamp}")
    context.update_cursor(json.dumps(current))
