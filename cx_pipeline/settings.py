"""Where things live and the knobs users set through environment variables.

Everything is read at call time, not import time, so that a test or the CLI can point
`CX_DATA_DIR` somewhere else before the Dagster definitions are built.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cx_pipeline.ingest import canonical

# One landing folder per canonical source.
SOURCES = tuple(canonical.SOURCES)

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


def reference_dir() -> Path | None:
    """The deployment's reference data (seed CSVs by name); None: the packaged seeds only."""
    value = os.environ.get("CX_REFERENCE_DIR")
    return Path(value).expanduser().resolve() if value else None


DEFAULT_HISTORY_DAYS = 90


class SettingError(ValueError):
    """An environment variable with a value that cannot be used."""


def landed_days() -> list[str]:
    """Every dated landing folder (any source), oldest first."""
    days = set()
    for source in SOURCES:
        folder = landing_dir() / source
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


def partitions_start() -> str:
    """First day a daily partition can exist: CX_PARTITIONS_START, else the oldest landing
    folder, else DEFAULT_HISTORY_DAYS before today. A fixed old date would show years of
    "missing" partitions in the UI for a warehouse that never had data then."""
    value = os.environ.get("CX_PARTITIONS_START")
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise SettingError(
                f"CX_PARTITIONS_START={value!r} is not a date (YYYY-MM-DD)"
            ) from None
        return value
    today = datetime.now(UTC).date()
    days = landed_days()
    if days:
        # a folder dated in the future does not move the start past today
        return min(days[0], today.isoformat())
    return (today - timedelta(days=DEFAULT_HISTORY_DAYS)).isoformat()


def published_storage() -> str:
    """DuckDB storage version of the published file (CX_PUBLISHED_STORAGE_VERSION): v1.4.0,
    the 1.4 long-term release, so that every client from DuckDB 1.4 on opens it."""
    return os.environ.get("CX_PUBLISHED_STORAGE_VERSION", "v1.4.0")


def landing_settle_seconds() -> float:
    """How long a landing file must stay unchanged before it is read (a file still being
    copied is left for the next run); CX_LANDING_SETTLE_SECONDS, default 2."""
    return float(os.environ.get("CX_LANDING_SETTLE_SECONDS", "2"))


def record_time_floor() -> date:
    """Record times before this day are quarantined as implausible (CX_RECORD_TIME_FLOOR,
    default 2000-01-01): set it earlier to load older history."""
    return date.fromisoformat(os.environ.get("CX_RECORD_TIME_FLOOR", "2000-01-01"))


def quarantine_threshold() -> float:
    """Largest share of quarantined rows a file or partition may have before the gate fails."""
    return float(os.environ.get("CX_QUARANTINE_MAX_SHARE", "0.05"))


def quarantine_retention_days() -> int:
    """Days a quarantined row keeps its original (clear-text) content in the warehouse."""
    raw = os.environ.get("CX_QUARANTINE_RETENTION_DAYS", "").strip() or "30"
    try:
        days = int(raw)
    except ValueError:
        days = -1
    if days < 0:
        # Guessing a default here could keep personal data longer than the operator asked.
        raise ValueError(f"CX_QUARANTINE_RETENTION_DAYS must be a whole number >= 0, got {raw!r}")
    return days


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
