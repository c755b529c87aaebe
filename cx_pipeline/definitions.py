"""Dagster entry point: `dagster dev -w workspace.yaml` loads `defs` from here."""

from __future__ import annotations

import os

import dagster as dg

from cx_pipeline import settings

settings.disable_telemetry()
# dbt runs in its project folder: give it an absolute data directory.
os.environ["CX_DATA_DIR"] = str(settings.data_dir())

from cx_pipeline.assets.dbt import DBT_PROJECT, cx_dbt_models  # noqa: E402
from cx_pipeline.assets.expectation_checks import EXPECTATION_CHECKS  # noqa: E402
from cx_pipeline.assets.publish import published_marts  # noqa: E402
from cx_pipeline.assets.raw import LOAD_CHECKS, RAW_ASSETS  # noqa: E402
from cx_pipeline.dbt_project import CxDbtCliResource, dbt_executable  # noqa: E402
from cx_pipeline.jobs import cx_daily_job, cx_daily_schedule, landing_sensor  # noqa: E402
from cx_pipeline.resources import warehouse_resource  # noqa: E402
from cx_pipeline.run_alerts import cx_run_alert_digest, cx_run_failure_alerts  # noqa: E402

defs = dg.Definitions(
    assets=[*RAW_ASSETS, cx_dbt_models, published_marts],
    asset_checks=[*LOAD_CHECKS, *EXPECTATION_CHECKS],
    jobs=[cx_daily_job],
    schedules=[cx_daily_schedule],
    sensors=[landing_sensor, cx_run_failure_alerts, cx_run_alert_digest],
    resources={
        "warehouse": warehouse_resource(),
        "dbt": CxDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
    },
    # One process per run: steps share the DuckDB writer anyway, and forking a process
    # per step costs seconds for nothing.
    executor=dg.in_process_executor,
)
