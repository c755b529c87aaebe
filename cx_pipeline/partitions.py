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


def days_in_range(start: str, end: str) -> list[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
