"""The resources every asset, check and sensor is given, and the executor of every run."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from cx_pipeline.defs.dbt import DBT_PROJECT
from cx_pipeline.warehouse.dbt_project import dbt_executable
from cx_pipeline.warehouse.resource import warehouse_resource


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": warehouse_resource(),
            "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
        },
        # One process per run: steps share the DuckDB writer anyway, and forking a process
        # per step costs seconds for nothing.
        executor=dg.in_process_executor,
    )
