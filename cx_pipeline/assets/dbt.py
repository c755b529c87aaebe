"""The dbt project as Dagster assets; its tests become asset checks (error = blocking)."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from cx_pipeline.check_audit import partition_label, record_and_alert, to_record
from cx_pipeline.dbt_project import cx_dbt_project
from cx_pipeline.partitions import DAILY
from cx_pipeline.resources import WRITER_POOL, WarehouseResource

DBT_PROJECT = cx_dbt_project()


class CxDbtTranslator(DagsterDbtTranslator):
    """dbt sources attach to the raw assets (raw/<table>); models are keyed by schema."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=CxDbtTranslator(),
    partitions_def=DAILY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WRITER_POOL,
)
def cx_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # The run's partition window reaches dbt as vars: incremental models recompute from
    # its start (less the lookback for late records).
    window = context.partition_key_range
    dbt_vars = {"cx_partition_start": window.start, "cx_partition_end": window.end}
    with warehouse.writer_lock():
        # The project's own target folder (we hold the writer lock), so that dbt's partial
        # parsing is reused instead of a full parse per run.
        invocation = dbt.cli(
            # Unit tests check formulas on fixed rows, not the data: they run in the test
            # suite (tests/test_dbt_unit_tests.py), not in every load.
            ["build", "--vars", json.dumps(dbt_vars), "--exclude-resource-type", "unit_test"],
            context=context,
            raise_on_error=False,
            target_path=Path(DBT_PROJECT.target_path),
        )
        checks = []
        for event in invocation.stream():
            if isinstance(event, dg.AssetCheckResult):
                checks.append(event)
            yield event
        # dbt holds the DuckDB file while it runs: record the checks once it is done.
        with warehouse.write() as con:
            record_and_alert(
                con,
                [to_record(c) for c in checks],
                partition_label(context),
                context.run_id,
                context.log,
            )
    if not invocation.is_successful():
        raise dg.Failure(
            description="dbt build failed (a model or an error-severity test); "
            "downstream assets are not materialized",
            metadata={"failures": dg.MetadataValue.json(_failures(invocation))},
        )


def _failures(invocation) -> list[str]:
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:  # the artifact is missing when dbt died before writing it
        return []
    return [
        f"{r['unique_id']}: {r['status']} {r.get('message') or ''}".strip()
        for r in results
        if r["status"] in ("error", "fail")
    ][:50]
