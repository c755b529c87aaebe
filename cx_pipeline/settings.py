"""Where things live and the knobs users set through environment variables.

Everything is read at call time, not import time, so that a test or the CLI can point
`CX_DATA_DIR` somewhere else before the Dagster definitions are built.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

SOURCES = ("surveys", "tickets", "reviews")

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("CX_DATA_DIR", "./data")).expanduser().resolve()


def landing_dir() -> Path:
    return data_dir() / "landing"


def warehouse_path() -> Path:
    return data_dir() / "warehouse" / "cx.duckdb"


def published_path() -> Path:
    return data_dir() / "published" / "cx.duckdb"


def alerts_path() -> Path:
    return data_dir() / "alerts" / "alerts.jsonl"


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or data_dir() / "dagster_home").resolve()


def dbt_project_dir() -> Path:
    return Path(os.environ.get("CX_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project")).resolve()


def partitions_start() -> str:
    """First day a daily partition can exist; older landing folders are refused, not lost."""
    value = os.environ.get("CX_PARTITIONS_START", "2020-01-01")
    date.fromisoformat(value)
    return value


def quarantine_threshold() -> float:
    """Largest share of quarantined rows a file or partition may have before the gate fails."""
    return float(os.environ.get("CX_QUARANTINE_MAX_SHARE", "0.05"))


def pii_salt() -> tuple[str, bool]:
    """The key for hashing personal ids; (salt, is_demo_default)."""
    salt = os.environ.get("CX_PII_SALT")
    if salt:
        return salt, False
    return "cx-warehouse-demo-salt-not-secret", True


def disable_telemetry() -> None:
    """The environment of every tool this process starts. No network here: telemetry
    calls can stall, so every tool is told to stay quiet."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DBT_DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # A run over many days plans one event per asset instead of one per asset and day: with
    # SQLite storage each event is a ~15 ms write, 13,000 of them for a year's backfill.
    # Trade-off (Dagster's): partitions of a failed range run are not marked failed.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")


def asset_owners() -> list[str]:
    """Owners shown on every asset in the Dagster UI: comma-separated `team:NAME` or email
    addresses, read when the definitions load."""
    value = os.environ.get("CX_ASSET_OWNERS", "team:data-engineering")
    return [owner.strip() for owner in value.split(",") if owner.strip()]
