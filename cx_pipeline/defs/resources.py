"""The resources every asset, check and sensor is given, and the executor of every run.

A variable the environment sets is handed to Dagster as `dg.EnvVar`, so the UI shows
where the value comes from and a run resolves it when it starts; a value the program set
(the CLI's `--data-dir`) is passed as it is; an unset one is left to the resource, which
takes the settings' default when it is used.
"""

from __future__ import annotations

import dagster as dg

from cx_pipeline.defs.dbt import DBT_PROJECT
from cx_pipeline.settings import Settings, current
from cx_pipeline.warehouse.dbt_project import CxDbtCliResource, dbt_executable
from cx_pipeline.warehouse.resource import WarehouseResource


def configured(settings: Settings, name: str) -> str | dg.EnvVar | None:
    if settings.from_environment(name):
        return dg.EnvVar(name)
    return settings.given.get(name)


def warehouse_resource(settings: Settings) -> WarehouseResource:
    return WarehouseResource(
        data_dir=configured(settings, "CX_DATA_DIR"),
        memory_limit=configured(settings, "CX_DUCKDB_MEMORY_LIMIT"),
    )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": warehouse_resource(current()),
            "dbt": CxDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
        },
        executor=run_executor(current()),
    )


def run_executor(settings: Settings) -> dg.ExecutorDefinition:
    """In process unless the deployment says otherwise: the steps that write DuckDB take
    its one writer in turn anyway, and forking a process per step costs seconds for
    nothing. `multiprocess` is for a warehouse that takes several writers; its
    `max_concurrent` is set in a run's config (`execution: config: max_concurrent: N`)."""
    if settings.dagster_executor == "multiprocess":
        return dg.multiprocess_executor
    return dg.in_process_executor
