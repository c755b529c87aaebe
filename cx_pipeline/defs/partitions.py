"""The daily partitions: a landing folder's date is its partition key."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.settings import Settings, current

logger = logging.getLogger(__name__)

DEFAULT_HISTORY_DAYS = 90


def landed_days(settings: Settings | None = None) -> list[str]:
    """Every dated landing folder (any source), oldest first."""
    landing = (settings or current()).landing_dir
    days = set()
    for source in SOURCES:
        folder = landing / source
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            try:
                date.fromisoformat(child.name)
            except ValueError:
                continue
            if child.is_dir():
                days.add(child.name)
    return sorted(days)


def partitions_start(settings: Settings | None = None) -> str:
    """First day a daily partition can exist: CX_PARTITIONS_START, else the oldest landing
    folder, else DEFAULT_HISTORY_DAYS before today. A fixed old date would show years of
    "missing" partitions in the UI for a warehouse that never had data then."""
    settings = settings or current()
    if settings.partitions_start:
        return settings.partitions_start
    today = datetime.now(UTC).date()
    days = landed_days(settings)
    if days:
        # a folder dated in the future does not move the start past today
        return min(days[0], today.isoformat())
    return (today - timedelta(days=DEFAULT_HISTORY_DAYS)).isoformat()


def daily_partitions(settings: Settings | None = None) -> dg.DailyPartitionsDefinition:
    # end_offset=1: today's partition exists, so a file landed this morning can be loaded
    # (and re-loaded with each later delivery) today; the 02:00 schedule still closes
    # yesterday once the day is complete.
    settings = settings or current()
    start = partitions_start(settings)
    older = [day for day in landed_days(settings) if day < start]
    if older:
        logger.warning(
            "%d landing folder(s) before the first partition %s are not loadable "
            "(oldest %s): set CX_PARTITIONS_START=%s to include them",
            len(older),
            start,
            older[0],
            older[0],
        )
    return dg.DailyPartitionsDefinition(start_date=start, timezone="UTC", end_offset=1)


DAILY = daily_partitions()


def first_partition() -> str:
    return DAILY.start.date().isoformat()


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def out_of_partitions(day: str) -> str | None:
    """Why `day` (YYYY-MM-DD) is not a partition, or None when it is one."""
    if day < first_partition():
        return (
            f"{day} is before the first partition {first_partition()} "
            "(set CX_PARTITIONS_START to load older days)"
        )
    if day > today():
        return f"{day} is in the future (today is {today()} UTC)"
    return None


def days_in_range(start: str, end: str) -> list[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
