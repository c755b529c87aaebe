"""The Dagster instance the CLI and `dagster dev` share: $DAGSTER_HOME, by default
`$CX_DATA_DIR/dagster_home`, with telemetry off and one DuckDB writer at a time."""

from __future__ import annotations

import re

import dagster as dg

from cx_pipeline.settings import Settings, current
from cx_pipeline.warehouse.resource import WRITER_POOL

DAGSTER_YAML = """\
# Written by cx-pipeline; edit freely, it is not overwritten.
telemetry:
  enabled: false
# No storage block: Dagster's own SQLite storage in the folder of this file (runs, event
# log, schedules), whoever opens it and whatever DAGSTER_HOME says. PostgreSQL for a
# team's deployment: deploy/dagster.yaml and docs/deploy.md in the repository.
concurrency:
  pools:
    # Runs whose steps write the DuckDB file ({pool}) go one at a time.
    granularity: run
    default_limit: 1
"""

# Older versions wrote an event log storage class of their own into dagster.yaml. Dagster's
# own SQLite event log reads the same files, so the block is dropped and the history kept.
_OWN_EVENT_LOG = re.compile(
    r"(?:#[^\n]*\n)?event_log_storage:\n  module: cx_pipeline\.event_log\n  class: \w+\n"
)


def ensure_dagster_home(settings: Settings | None = None) -> str:
    home = (settings or current()).dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML.format(pool=WRITER_POOL), encoding="utf-8")
    else:
        text = config.read_text(encoding="utf-8")
        if "cx_pipeline.event_log" in text:
            config.write_text(_OWN_EVENT_LOG.sub("", text), encoding="utf-8")
    return str(home)


def get_instance(settings: Settings | None = None) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(ensure_dagster_home(settings))
