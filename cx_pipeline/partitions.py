"""The daily partitions: a landing folder's date is its partition key."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from cx_pipeline import settings


def daily_partitions() -> dg.DailyPartitionsDefinition:
    # A day's partition exists once the day is over (UTC): the schedule loads yesterday
    # at 02:00, and a folder for today waits until then instead of loading half a day.
    return dg.DailyPartitionsDefinition(start_date=settings.partitions_start(), timezone="UTC")


DAILY = daily_partitions()


RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"


def run_window(run: dg.DagsterRun) -> tuple[str, str] | None:
    """The daily partitions a run loads, from its tags: (first, last), or None for a run
    without partitions (e.g. the dbt models materialized by hand in the UI)."""
    tags = run.tags
    start = tags.get(RANGE_START_TAG) or tags.get(PARTITION_TAG)
    if not start:
        return None
    return start, tags.get(RANGE_END_TAG) or start


def window_label(window: tuple[str, str] | None) -> str:
    if window is None:
        return ""
    return window[0] if window[0] == window[1] else f"{window[0]}..{window[1]}"


def days_in_range(start: str, end: str) -> list[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
