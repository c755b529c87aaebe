"""The daily partitions a run covers, as Dagster tags them."""

from __future__ import annotations

import dagster as dg

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
