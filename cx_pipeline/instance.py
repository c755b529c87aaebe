"""The Dagster instance the CLI and `dagster dev` share: $DAGSTER_HOME, by default
`$CX_DATA_DIR/dagster_home`, with telemetry off and one DuckDB writer at a time."""

from __future__ import annotations

import os

import dagster as dg

from cx_pipeline import settings
from cx_pipeline.resources import WRITER_POOL

DAGSTER_YAML = """\
# Written by cx-pipeline; edit freely, it is not overwritten.
telemetry:
  enabled: false
# The stock SQLite event log without an fsync per event (see cx_pipeline/event_log.py).
event_log_storage:
  module: cx_pipeline.event_log
  class: FastSqliteEventLogStorage
concurrency:
  pools:
    # Runs whose steps write the DuckDB file ({pool}) go one at a time.
    granularity: run
    default_limit: 1
"""


def ensure_dagster_home() -> str:
    home = settings.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML.format(pool=WRITER_POOL), encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return str(home)


def get_instance() -> dg.DagsterInstance:
    ensure_dagster_home()
    return dg.DagsterInstance.get()
