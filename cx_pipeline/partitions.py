"""The daily partitions: a landing folder's date is its partition key."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from cx_pipeline import settings


def daily_partitions() -> dg.DailyPartitionsDefinition:
    # end_offset=1: today's folder can be loaded while the day is still being delivered.
    return dg.DailyPartitionsDefinition(
        start_date=settings.partitions_start(), end_offset=1, timezone="UTC"
    )


DAILY = daily_partitions()


def days_in_range(start: str, end: str) -> list[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
